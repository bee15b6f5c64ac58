"""PUB, SUB, XPUB and XSUB sockets: filtering, counting, options, forwarding, HWM, restarts."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator

import pytest
from _helpers import assert_empty
from _pubsub_helpers import drain_now, recv_all_until, until_subscribed

import aiomq

pytestmark = pytest.mark.timeout(30)

_names = itertools.count()


@pytest.fixture
def short_dir() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="aiomq-ps-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(params=["inproc", "tcp", "ipc"])
def new_endpoint(request: pytest.FixtureRequest, short_dir: str) -> Callable[[], str]:
    """Returns a function giving a fresh address to bind, on the parametrized transport."""

    def make() -> str:
        n = next(_names)
        if request.param == "inproc":
            return f"inproc://pubsub-{n}"
        if request.param == "ipc":
            return f"ipc://{short_dir}/{n}"
        return "tcp://127.0.0.1:*"

    return make


# -- filtering -------------------------------------------------------------------------


async def test_sub_gets_only_matching_messages_in_order(
    ctx: aiomq.Context, new_endpoint: Callable[[], str]
) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind(new_endpoint())
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"A")
    sub.subscribe("ç")  # str is encoded as UTF-8
    sub.connect(pub.last_endpoint.decode())
    await until_subscribed(pub, sub, b"A-sync")
    sent = [
        [b"A1"],
        [b"B1"],
        ["ç".encode(), b"two", b"frames"],
        [b"a-lowercase"],
        [b""],
        [b"AB", b""],
        [b"\xc3"],  # a prefix of the subscription is not a match
        [b"A-end"],
    ]
    for message in sent:
        await pub.send_multipart(message)
    assert await recv_all_until(sub, [b"A-end"]) == [
        [b"A1"],
        ["ç".encode(), b"two", b"frames"],
        [b"AB", b""],
        [b"A-end"],
    ]
    await assert_empty(sub)


async def test_a_new_sub_receives_nothing_and_empty_topic_means_everything(
    ctx: aiomq.Context,
) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind("inproc://nothing")
    quiet, everything = ctx.socket(aiomq.SUB), ctx.socket(aiomq.SUB)
    everything.setsockopt(aiomq.SUBSCRIBE, b"")
    for sub in (quiet, everything):
        sub.connect("inproc://nothing")
    for message in ([b"x"], [b""], [b"\x00\x01", b"y"]):
        await pub.send_multipart(message)
    assert [await everything.recv_multipart() for _ in range(3)] == [
        [b"x"],
        [b""],
        [b"\x00\x01", b"y"],
    ]
    await assert_empty(quiet)


async def test_subscriptions_are_counted(ctx: aiomq.Context) -> None:
    # An XPUB publishes, so that the test sees each (un)subscription arrive.
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    sub.connect(xpub.last_endpoint.decode())
    sub.subscribe(b"fence")
    sub.subscribe(b"A")
    sub.subscribe(b"A")
    assert await xpub.recv() == b"\x01fence"
    assert await xpub.recv() == b"\x01A"  # the second is no news to the XPUB
    sub.unsubscribe(b"A")
    await xpub.send(b"A1")
    await xpub.send(b"fence1")
    assert [await sub.recv() for _ in range(2)] == [b"A1", b"fence1"]
    sub.unsubscribe(b"A")
    assert await xpub.recv() == b"\x00A"  # only after the second unsubscribe
    await xpub.send(b"A2")
    await xpub.send(b"fence2")
    assert await sub.recv() == b"fence2"
    await assert_empty(xpub)


async def test_subscriptions_reach_every_publisher_even_later_ones(
    ctx: aiomq.Context, new_endpoint: Callable[[], str]
) -> None:
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"T")
    pubs = [ctx.socket(aiomq.PUB) for _ in range(3)]
    for n, pub in enumerate(pubs):
        pub.bind(new_endpoint())
        sub.connect(pub.last_endpoint.decode())
        await until_subscribed(pub, sub, b"T%d" % n)
    for n, pub in enumerate(pubs):
        await pub.send(b"T-from-%d" % n)
    received = sorted([await sub.recv() for _ in range(3)])
    assert received == [b"T-from-0", b"T-from-1", b"T-from-2"]


async def test_wrong_directions_and_misused_options(ctx: aiomq.Context) -> None:
    pub, sub = ctx.socket(aiomq.PUB), ctx.socket(aiomq.SUB)
    xpub, xsub = ctx.socket(aiomq.XPUB), ctx.socket(aiomq.XSUB)
    with pytest.raises(aiomq.ZMQError, match="PUB sockets cannot receive") as info:
        await pub.recv()
    assert info.value.errno == aiomq.ENOTSUP
    with pytest.raises(aiomq.ZMQError, match="SUB sockets cannot send") as info:
        await sub.send(b"x")
    assert info.value.errno == aiomq.ENOTSUP
    for sock in (pub, xpub, xsub):
        with pytest.raises(aiomq.ZMQError) as info:
            sock.setsockopt(aiomq.SUBSCRIBE, b"A")
        assert info.value.errno == aiomq.EINVAL
    with pytest.raises(aiomq.ZMQError):
        xpub.unsubscribe(b"A")  # XPUB takes subscriptions only in manual mode
    with pytest.raises(TypeError, match="SUBSCRIBE takes bytes, not str"):
        sub.setsockopt(aiomq.SUBSCRIBE, "A")
    with pytest.raises(TypeError, match="topic must be bytes or str, not int"):
        sub.subscribe(5)  # type: ignore[arg-type]
    with pytest.raises(aiomq.ZMQError) as info:
        pub.setsockopt(aiomq.XPUB_VERBOSE, 1)
    assert info.value.errno == aiomq.EINVAL
    assert sub.linger == 0  # as libzmq: nothing to flush
    assert xsub.linger == 0
    assert pub.linger == -1


# -- XPUB ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # New topics and last unsubscriptions only.
        pytest.param({}, [b"\x01T", b"\x00T"], id="plain"),
        # Every subscription.
        pytest.param({"XPUB_VERBOSE": 1}, [b"\x01T", b"\x01T", b"\x00T"], id="verbose"),
        # Every unsubscription too.
        pytest.param({"XPUB_VERBOSER": 1}, [b"\x01T", b"\x01T", b"\x00T", b"\x00T"], id="verboser"),
        # As libzmq: XPUB_VERBOSE set afterwards turns verbose unsubscriptions off again.
        pytest.param(
            {"XPUB_VERBOSER": 1, "XPUB_VERBOSE": 1},
            [b"\x01T", b"\x01T", b"\x00T"],
            id="verboser-then-verbose",
        ),
    ],
)
async def test_xpub_reports_subscriptions(
    ctx: aiomq.Context, options: dict[str, int], expected: list[bytes]
) -> None:
    """Two SUBs subscribe to T, then both unsubscribe: what the XPUB reports."""
    xpub = ctx.socket(aiomq.XPUB)
    for option, value in options.items():
        xpub.setsockopt(getattr(aiomq.SocketOption, option), value)
    xpub.bind(name := f"inproc://xpub-{next(_names)}")
    subs = [ctx.socket(aiomq.SUB) for _ in range(2)]
    for sub in subs:
        sub.connect(name)
    for sub in subs:
        sub.subscribe(b"T")
    for sub in subs:
        sub.unsubscribe(b"T")
    assert [frame for [frame] in await drain_now(xpub)] == expected


async def test_xpub_reports_unsubscriptions_when_a_subscriber_leaves(
    ctx: aiomq.Context, new_endpoint: Callable[[], str]
) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind(new_endpoint())
    stays, leaves = ctx.socket(aiomq.SUB), ctx.socket(aiomq.SUB)
    stays.subscribe(b"shared")
    stays.connect(xpub.last_endpoint.decode())
    assert await xpub.recv() == b"\x01shared"
    for topic in (b"z", b"shared", b""):
        leaves.subscribe(topic)
    leaves.connect(xpub.last_endpoint.decode())
    assert {await xpub.recv() for _ in range(2)} == {b"\x01z", b"\x01"}
    leaves.close()
    assert [await xpub.recv() for _ in range(2)] == [b"\x00", b"\x00z"]
    await xpub.send(b"shared news")
    assert await stays.recv() == b"shared news"


async def test_xpub_manual_applies_what_the_application_says(ctx: aiomq.Context) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.setsockopt(aiomq.XPUB_MANUAL, 1)
    xpub.bind("inproc://manual")
    first, second = ctx.socket(aiomq.XSUB), ctx.socket(aiomq.XSUB)  # XSUB: no local filter
    first.connect("inproc://manual")
    second.connect("inproc://manual")
    await first.send(b"\x01A")
    await second.send(b"\x01A")
    await xpub.send(b"A0")  # nothing applied yet: nobody gets it
    assert await xpub.recv() == b"\x01A"  # from first: every one is reported
    xpub.subscribe("B")  # applied for the peer whose subscription was read last
    assert await xpub.recv() == b"\x01A"
    xpub.subscribe(b"A")
    for message in (b"A1", b"B1"):
        await xpub.send(message)
    assert await first.recv() == b"B1"
    assert await second.recv() == b"A1"
    await assert_empty(first)
    await assert_empty(second)
    xpub.unsubscribe(b"A")
    await xpub.send(b"A2")
    await assert_empty(second)


async def test_xpub_welcome_message_goes_to_each_new_subscriber(
    ctx: aiomq.Context, new_endpoint: Callable[[], str]
) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.setsockopt(aiomq.XPUB_WELCOME_MSG, b"W-hello")
    xpub.bind(new_endpoint())
    for _ in range(2):
        sub = ctx.socket(aiomq.SUB)
        sub.subscribe(b"W")
        sub.connect(xpub.last_endpoint.decode())
        assert await sub.recv() == b"W-hello"
        assert await xpub.recv() == b"\x01W"
        sub.close()
        assert await xpub.recv() == b"\x00W"


@pytest.mark.parametrize(("kind", "sndhwm"), [(aiomq.XPUB, 2), (aiomq.PUB, 1)])
async def test_nodrop_makes_send_wait_for_a_full_subscriber(
    ctx: aiomq.Context, kind: aiomq.SocketType, sndhwm: int
) -> None:
    """XPUB_NODROP, on an XPUB and on a PUB too."""
    pub = ctx.socket(kind)
    pub.setsockopt(aiomq.XPUB_NODROP, 1)
    pub.sndhwm = sndhwm
    pub.bind(name := f"inproc://nodrop-{next(_names)}")
    sub = ctx.socket(aiomq.SUB)
    sub.rcvhwm = 1
    sub.connect(name)
    sub.subscribe(b"")
    full = sndhwm + 1  # inproc: the queue holds SNDHWM + RCVHWM messages
    for n in range(full):
        await pub.send(b"%d" % n, aiomq.DONTWAIT)
    with pytest.raises(aiomq.Again):
        await pub.send(b"%d" % full, aiomq.DONTWAIT)
    waiting = asyncio.ensure_future(pub.send(b"%d" % full))
    await asyncio.sleep(0)
    assert not waiting.done()
    assert await sub.recv() == b"0"
    await asyncio.wait_for(waiting, 5)
    assert [await sub.recv() for _ in range(full)] == [b"%d" % n for n in range(1, full + 1)]


# -- XSUB and forwarding ---------------------------------------------------------------


async def test_xsub_subscribes_by_message_and_receives_unfiltered(ctx: aiomq.Context) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("tcp://127.0.0.1:*")
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(xpub.last_endpoint.decode())
    await xsub.send(b"\x01A")
    await xsub.send_multipart([b"upstream", b"message"])
    await xsub.send(b"\x01A")  # XSUB forwards every subscribe
    await xsub.send(b"\x00A")  # ... but a cancel only for the last one
    await xsub.send(b"\x00A")
    assert await xpub.recv() == b"\x01A"
    assert await xpub.recv_multipart() == [b"upstream", b"message"]
    assert await xpub.recv() == b"\x00A"
    await xsub.send(b"\x01")  # the empty topic
    assert await xpub.recv() == b"\x01"
    await xpub.send_multipart([b"anything", b"goes"])
    assert await xsub.recv_multipart() == [b"anything", b"goes"]


async def test_xsub_xpub_proxy_forwards_both_ways(ctx: aiomq.Context) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind("tcp://127.0.0.1:*")
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(pub.last_endpoint.decode())
    xpub = ctx.socket(aiomq.XPUB)
    xpub.setsockopt(aiomq.XPUB_VERBOSER, 1)
    xpub.bind("tcp://127.0.0.1:*")
    subs = [ctx.socket(aiomq.SUB) for _ in range(2)]

    async def forward(source: aiomq.Socket, sink: aiomq.Socket) -> None:
        while True:
            await sink.send_multipart(await source.recv_multipart())

    async with asyncio.TaskGroup() as tasks:
        upstream = tasks.create_task(forward(xpub, xsub))
        downstream = tasks.create_task(forward(xsub, xpub))
        subs[0].subscribe(b"news")
        subs[1].subscribe(b"news.sport")
        for sub in subs:
            sub.connect(xpub.last_endpoint.decode())
        await until_subscribed(pub, subs[0], b"news.sync")
        await until_subscribed(pub, subs[1], b"news.sport.sync")
        for message in (b"news.sport.1", b"weather.1", b"news.politics.1", b"news.end"):
            await pub.send(message)
        received = await recv_all_until(subs[0], [b"news.end"])
        # subs[0] also got the markers that made sure of subs[1]'s subscription.
        assert [m for m in received if not m[0].startswith(b"news.sport.sync")] == [
            [b"news.sport.1"],
            [b"news.politics.1"],
            [b"news.end"],
        ]
        assert await subs[1].recv() == b"news.sport.1"
        await assert_empty(subs[1])
        upstream.cancel()
        downstream.cancel()


# -- CONFLATE --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender_type", "receiver_type", "conflating_side"),
    [
        (aiomq.PUB, aiomq.SUB, "receiver"),
        (aiomq.PUB, aiomq.SUB, "sender"),
        (aiomq.PUSH, aiomq.PULL, "receiver"),
        (aiomq.PUSH, aiomq.PULL, "sender"),
        (aiomq.DEALER, aiomq.DEALER, "receiver"),
        (aiomq.DEALER, aiomq.DEALER, "sender"),
    ],
)
async def test_conflate_keeps_only_the_last_message(
    ctx: aiomq.Context, sender_type: int, receiver_type: int, conflating_side: str
) -> None:
    # Over inproc the connecting side's CONFLATE shapes both queues, as in libzmq.
    sender, receiver = ctx.socket(sender_type), ctx.socket(receiver_type)
    connecting = receiver if conflating_side == "receiver" else sender
    bound = sender if connecting is receiver else receiver
    connecting.setsockopt(aiomq.CONFLATE, 1)
    name = f"inproc://conflate-{next(_names)}"
    bound.bind(name)
    connecting.connect(name)
    if receiver_type == aiomq.SUB:
        receiver.subscribe(b"")
    for n in range(10):
        await sender.send_multipart([b"%d" % n, b"whole"], aiomq.DONTWAIT)
    assert await receiver.recv_multipart() == [b"9", b"whole"]
    await assert_empty(receiver)
    await sender.send(b"10")
    assert await receiver.recv() == b"10"


async def test_conflating_sub_over_tcp_sees_only_newer_messages(ctx: aiomq.Context) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    sub.setsockopt(aiomq.CONFLATE, 1)
    sub.subscribe(b"")
    sub.connect(pub.last_endpoint.decode())
    await until_subscribed(pub, sub, b"sync")
    count = 2000
    for n in range(count):
        await pub.send(b"%d" % n)
    seen: list[int] = []
    async with asyncio.timeout(10):
        while not seen or seen[-1] != count - 1:
            seen.append(int(await sub.recv()))
    assert seen == sorted(set(seen))
    assert seen[-1] == count - 1


async def test_conflate_has_no_effect_on_xpub_and_xsub(ctx: aiomq.Context) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("inproc://no-conflate")
    xsub = ctx.socket(aiomq.XSUB)
    xsub.setsockopt(aiomq.CONFLATE, 1)  # accepted, ignored (libzmq)
    xsub.connect("inproc://no-conflate")
    await xsub.send(b"\x01")
    for n in range(3):
        await xpub.send(b"%d" % n)
    assert [await xsub.recv() for _ in range(3)] == [b"0", b"1", b"2"]


# -- reconnection and HWM --------------------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_subscriber_of_a_restarted_publisher_receives_again(
    ctx: aiomq.Context, transport: str, short_dir: str
) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind("tcp://127.0.0.1:*" if transport == "tcp" else f"ipc://{short_dir}/restart")
    endpoint = pub.last_endpoint.decode()
    sub = ctx.socket(aiomq.SUB)
    sub.reconnect_ivl = 10
    sub.subscribe(b"A")
    sub.subscribe(b"A")  # counted, but re-sent once
    sub.subscribe(b"Z")
    sub.connect(endpoint)
    await until_subscribed(pub, sub, b"A-first")
    await pub.aclose(linger=0)
    # An XPUB in the PUB's place shows what the reconnected SUB sends (each topic once,
    # in byte order).
    xpub = ctx.socket(aiomq.XPUB)
    xpub.setsockopt(aiomq.XPUB_VERBOSE, 1)
    xpub.bind(endpoint)
    assert [await xpub.recv() for _ in range(2)] == [b"\x01A", b"\x01Z"]
    await xpub.send(b"A-again")
    assert await sub.recv() == b"A-again"


async def test_closing_a_sub_with_pending_subscriptions_does_not_wait(
    ctx: aiomq.Context,
) -> None:
    sub = ctx.socket(aiomq.SUB)
    sub.connect("tcp://127.0.0.1:1")  # nobody there: the subscription stays queued
    sub.subscribe(b"A")
    await asyncio.wait_for(sub.aclose(), 5)
    with pytest.raises(aiomq.ZMQError) as info:
        await sub.recv(aiomq.DONTWAIT)
    assert info.value.errno == aiomq.ENOTSOCK
