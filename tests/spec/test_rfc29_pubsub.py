"""RFC 29/PUBSUB (https://rfc.zeromq.org/spec/29/), clause by clause.

Each test quotes the clause it checks. Where aiomq follows libzmq rather than the letter
of the RFC, the docstring says so.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
from _helpers import EventRecorder, assert_empty  # type: ignore[import-not-found, unused-ignore]
from _pubsub_helpers import (  # type: ignore[import-not-found, unused-ignore]
    drain_now,
    recv_all_until,
    until_subscribed,
)

import aiomq

pytestmark = pytest.mark.timeout(30)

_names = itertools.count()


def inproc() -> str:
    return f"inproc://rfc29-{next(_names)}"


async def pub_and_subscribed_xsub(
    ctx: aiomq.Context, topic: bytes
) -> tuple[aiomq.Socket, aiomq.Socket]:
    """A PUB over tcp and an XSUB (which does not filter) whose subscription to ``topic``
    has taken effect at the PUB."""
    pub = ctx.socket(aiomq.PUB)
    pub.bind("tcp://127.0.0.1:*")
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(pub.last_endpoint.decode())
    await xsub.send(b"\x01" + topic)
    await until_subscribed(pub, xsub, topic + b"-sync")
    return pub, xsub


# -- The PUB Socket Type ---------------------------------------------------------------


async def test_pub_any_number_of_sub_or_xsub_and_only_sends(ctx: aiomq.Context) -> None:
    """PUB: "MAY be connected to any number of SUB or XSUB subscribers, and SHALL only
    send messages." """
    pub = ctx.socket(aiomq.PUB)
    pub.bind(url := inproc())
    subs = [ctx.socket(aiomq.SUB) for _ in range(3)]
    for sub in subs:
        sub.subscribe(b"")
        sub.connect(url)
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(url)
    await xsub.send(b"\x01")
    await pub.send(b"to all")
    for sock in [*subs, xsub]:
        assert await sock.recv() == b"to all"
    with pytest.raises(aiomq.ZMQError) as info:
        await pub.recv()
    assert info.value.errno == aiomq.ENOTSUP
    pull = ctx.socket(aiomq.PULL)
    events = EventRecorder(pull)
    pull.connect(url)  # not a subscriber: refused
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)


@pytest.mark.parametrize(("hwm", "fast_rcvhwm", "count"), [(1, 100, 10), (5, 1000, 100)])
async def test_pub_one_queue_per_subscriber(
    ctx: aiomq.Context, hwm: int, fast_rcvhwm: int, count: int
) -> None:
    """PUB: "SHALL maintain a single outgoing message queue for each connected
    subscriber." A full queue for one subscriber does not hold back the others, nor the
    publisher. (For inproc a queue holds SNDHWM + RCVHWM messages, as in libzmq.)"""
    pub = ctx.socket(aiomq.PUB)
    pub.sndhwm = hwm
    pub.bind(url := inproc())
    slow, fast = ctx.socket(aiomq.SUB), ctx.socket(aiomq.SUB)
    slow.rcvhwm = hwm
    fast.rcvhwm = fast_rcvhwm
    for sub in (slow, fast):
        sub.subscribe(b"")
        sub.connect(url)
    for n in range(count):
        await pub.send(b"%d" % n, aiomq.DONTWAIT)  # never raises Again
    assert await drain_now(slow) == [[b"%d" % n] for n in range(2 * hwm)]
    assert await drain_now(fast) == [[b"%d" % n] for n in range(count)]


async def test_pub_queue_for_an_outgoing_connection_outlives_the_connection(
    ctx: aiomq.Context,
) -> None:
    """PUB: "SHALL create a queue when initiating an outgoing connection to a
    subscriber, and SHALL maintain the queue whether or not the connection is
    established." A message published while the subscriber is away waits in the queue
    and reaches the subscriber that comes back at the same endpoint."""
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"A")
    sub.bind("tcp://127.0.0.1:*")
    endpoint = sub.last_endpoint.decode()
    pub = ctx.socket(aiomq.PUB)
    pub.reconnect_ivl = 10
    events = EventRecorder(pub)
    pub.connect(endpoint)
    await until_subscribed(pub, sub, b"A-sync")
    await sub.aclose()
    await events.wait_for(aiomq.Event.DISCONNECTED)
    await pub.send(b"A-while-away")  # queued: the connection is down
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"A")
    sub.bind(endpoint)
    assert await sub.recv() == b"A-while-away"


async def test_pub_destroys_the_queue_of_a_subscriber_that_disconnects(
    ctx: aiomq.Context,
) -> None:
    """PUB: "SHALL create a queue when a subscriber connects to it. If this subscriber
    disconnects, the PUB socket SHALL destroy its queue and SHALL discard any messages
    it contains." Seen through an XPUB: the subscriber's subscriptions go with it."""
    xpub = ctx.socket(aiomq.XPUB)
    xpub.sndhwm = 5
    xpub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"gone")
    sub.connect(xpub.last_endpoint.decode())
    assert await xpub.recv() == b"\x01gone"
    sub.close()
    assert await xpub.recv() == b"\x00gone"
    for n in range(10):  # nobody subscribes any more: nothing queues, nothing blocks
        await xpub.send(b"gone %d" % n, aiomq.DONTWAIT)


async def test_pub_queue_limit_is_configurable_and_full_means_drop(ctx: aiomq.Context) -> None:
    """PUB: "SHOULD constrain queue sizes to a runtime-configurable limit." / "SHALL
    silently drop the message if the queue for a subscriber is full." / "SHALL NOT block
    on sending." (For inproc the limit is SNDHWM + RCVHWM, as in libzmq.)"""
    pub = ctx.socket(aiomq.PUB)
    pub.sndhwm = 3
    pub.bind(url := inproc())
    sub = ctx.socket(aiomq.SUB)
    sub.rcvhwm = 4
    sub.subscribe(b"")
    sub.connect(url)
    for n in range(50):
        await pub.send(b"%d" % n, aiomq.DONTWAIT)
    assert await drain_now(sub) == [[b"%d" % n] for n in range(7)]


async def test_pub_discards_what_subscribers_send(ctx: aiomq.Context) -> None:
    """PUB: "SHALL silently discard any messages that subscribers send it." """
    pub = ctx.socket(aiomq.PUB)
    pub.bind(url := inproc())
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(url)
    await xsub.send_multipart([b"hello", b"publisher"])
    await xsub.send(b"\x01A")
    await pub.send(b"A1")
    assert await xsub.recv() == b"A1"
    with pytest.raises(aiomq.ZMQError):
        await pub.recv(aiomq.DONTWAIT)


async def test_pub_does_not_modify_messages(ctx: aiomq.Context) -> None:
    """PUB/XPUB outgoing: "SHALL not modify outgoing messages in any way." """
    pub = ctx.socket(aiomq.PUB)
    pub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"")
    sub.connect(pub.last_endpoint.decode())
    await until_subscribed(pub, sub, b"sync")
    message = [b"", bytes(range(256)), b"\x00", b"x" * 70_000, b""]
    await pub.send_multipart(message)
    assert await sub.recv_multipart() == message


async def test_pub_sends_only_to_matching_subscribers(ctx: aiomq.Context) -> None:
    """PUB outgoing: "MAY, depending on the transport, send messages only to subscribers
    who have a matching subscription." aiomq filters at the publisher on every
    transport (as libzmq over tcp, ipc and inproc); an XSUB, which does not filter, shows
    it."""
    pub, xsub = await pub_and_subscribed_xsub(ctx, b"A")
    for message in (b"B1", b"A1", b"B2", b"A-end"):
        await pub.send(message)
    assert await recv_all_until(xsub, [b"A-end"]) == [[b"A1"], [b"A-end"]]


async def test_binary_prefix_match_on_the_first_frame(ctx: aiomq.Context) -> None:
    """PUB/XPUB outgoing: "SHALL perform a binary comparison of the subscription against
    the start of the first frame of the message." """
    pub = ctx.socket(aiomq.PUB)
    pub.bind(url := inproc())
    sub = ctx.socket(aiomq.SUB)
    sub.connect(url)
    sub.subscribe(b"\x00\xffT")
    sent = [
        [b"\x00\xffT"],
        [b"\x00\xffTopic", b"more"],
        [b"\x00\xfft"],  # case differs
        [b"\x00\xff"],  # shorter than the topic
        [b"x", b"\x00\xffT"],  # matching second frame only
        [b"\x01\x00\xffT"],
    ]
    for message in sent:
        await pub.send_multipart(message)
    assert await drain_now(sub) == sent[:2]


async def test_pub_receives_subscriptions_and_never_delivers_them(ctx: aiomq.Context) -> None:
    """PUB subscriptions: "SHALL receive subscribe and unsubscribe requests from
    subscribers depending on the transport protocol used." / "SHALL NOT deliver these
    commands to its calling application." The application never calls recv; the
    subscriptions still take effect. (An XSUB shows it, since it does not filter.)"""
    pub, xsub = await pub_and_subscribed_xsub(ctx, b"B")
    await xsub.send(b"\x00B")
    await xsub.send(b"\x01A")
    # The PUB handles a peer's subscriptions in order: once A works, B is cancelled.
    await until_subscribed(pub, xsub, b"A-sync")
    await pub.send(b"B-late")
    await pub.send(b"A-end")
    assert await xsub.recv() == b"A-end"
    with pytest.raises(aiomq.ZMQError) as info:
        await pub.recv(aiomq.DONTWAIT)
    assert info.value.errno == aiomq.ENOTSUP


# -- The XPUB Socket Type --------------------------------------------------------------


async def test_xpub_sends_and_receives(ctx: aiomq.Context) -> None:
    """XPUB: "MAY be connected to any number of SUB or XSUB subscribers, and MAY both
    send and receive messages." / incoming: "SHALL deliver these messages to its calling
    application." """
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind(url := inproc())
    sub, xsub = ctx.socket(aiomq.SUB), ctx.socket(aiomq.XSUB)
    sub.connect(url)
    xsub.connect(url)
    sub.subscribe(b"T")
    await xsub.send(b"\x01T")
    await xsub.send_multipart([b"up", b"stream"])
    assert await drain_now(xpub) == [[b"\x01T"], [b"up", b"stream"]]
    await xpub.send(b"T1")
    assert await sub.recv() == b"T1"
    assert await xsub.recv() == b"T1"


async def test_xpub_receives_from_every_subscriber(ctx: aiomq.Context) -> None:
    """XPUB incoming: "SHALL receive incoming messages from its subscribers using a
    fair-queuing strategy." As libzmq's XPUB, aiomq's reads each peer's messages (and
    subscriptions) as soon as they arrive, so they come out in arrival order: no peer
    can hold back another, but a backlog is not interleaved round robin."""
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind(url := inproc())
    xsubs = [ctx.socket(aiomq.XSUB) for _ in range(2)]
    for xsub in xsubs:
        xsub.connect(url)
    for round_ in range(3):
        for n, xsub in enumerate(xsubs):
            await xsub.send(b"%d-%d" % (n, round_))
    received = [m[0] for m in await drain_now(xpub)]
    assert received == [b"0-0", b"1-0", b"0-1", b"1-1", b"0-2", b"1-2"]


async def test_xpub_delivers_subscriptions_normalized_unless_verbose(
    ctx: aiomq.Context,
) -> None:
    """XPUB subscriptions: "SHALL deliver these commands to its calling application." /
    "MAY, depending on configuration, normalize commands delivered to its calling
    application so that multiple identical subscriptions result in a single command
    only." Normalized by default; XPUB_VERBOSE delivers every subscription."""
    for verbose, expected in ((0, [[b"\x01T"]]), (1, [[b"\x01T"], [b"\x01T"]])):
        xpub = ctx.socket(aiomq.XPUB)
        xpub.setsockopt(aiomq.XPUB_VERBOSE, verbose)
        xpub.bind(url := inproc())
        for _ in range(2):
            sub = ctx.socket(aiomq.SUB)
            sub.connect(url)
            sub.subscribe(b"T")
        assert await drain_now(xpub) == expected


async def test_xpub_generates_unsubscribes_for_a_subscriber_that_leaves(
    ctx: aiomq.Context,
) -> None:
    """XPUB subscriptions: "SHALL, if the subscriber peer disconnects prematurely,
    generate a suitable unsubscribe request for the calling application." """
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    for topic in (b"b", b"a", b""):
        sub.subscribe(topic)
    sub.connect(xpub.last_endpoint.decode())
    assert [await xpub.recv() for _ in range(3)] == [b"\x01", b"\x01a", b"\x01b"]
    sub.close()
    assert [await xpub.recv() for _ in range(3)] == [b"\x00", b"\x00a", b"\x00b"]


# -- The SUB Socket Type ---------------------------------------------------------------


async def test_sub_any_number_of_publishers_and_only_receives(ctx: aiomq.Context) -> None:
    """SUB: "MAY be connected to any number of PUB or XPUB publishers, and SHALL only
    receive messages." / "SHALL receive incoming messages from its publishers using a
    fair-queuing strategy." """
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"")
    pub, xpub = ctx.socket(aiomq.PUB), ctx.socket(aiomq.XPUB)
    for sock in (pub, xpub):
        sock.bind(url := inproc())
        sub.connect(url)
    for n in range(3):
        await pub.send(b"pub %d" % n)
    for n in range(3):
        await xpub.send(b"xpub %d" % n)
    assert [m[0] for m in await drain_now(sub)] == [
        b"pub 0",
        b"xpub 0",
        b"pub 1",
        b"xpub 1",
        b"pub 2",
        b"xpub 2",
    ]
    with pytest.raises(aiomq.ZMQError) as info:
        await sub.send(b"x")
    assert info.value.errno == aiomq.ENOTSUP


async def test_sub_queue_exists_before_the_connection(ctx: aiomq.Context) -> None:
    """SUB: "SHALL create a queue when initiating an outgoing connection to a
    publisher, and SHALL maintain the queue whether or not the connection is
    established." Subscriptions made before the publisher exists reach it."""
    sub = ctx.socket(aiomq.SUB)
    sub.connect(url := inproc())
    sub.subscribe(b"early")
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind(url)
    assert await xpub.recv() == b"\x01early"
    await xpub.send(b"early bird")
    assert await sub.recv() == b"early bird"


async def test_sub_discards_when_its_queue_is_full(ctx: aiomq.Context) -> None:
    """SUB: "SHOULD constrain queue sizes to a runtime-configurable limit." / "SHALL
    silently discard messages if the queue for a publisher is full." Over tcp a full
    SUB queue stops reading, so the publisher's queue fills and drops."""
    pub = ctx.socket(aiomq.PUB)
    pub.sndhwm = 10
    pub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    sub.rcvhwm = 10
    sub.subscribe(b"")
    sub.connect(pub.last_endpoint.decode())
    await until_subscribed(pub, sub, b"sync")
    count = 20_000
    for n in range(count):
        await pub.send_multipart([b"%d" % n, b"x" * 1024], aiomq.DONTWAIT)
    received: list[int] = []
    async with asyncio.timeout(20):
        while True:
            try:
                async with asyncio.timeout(0.05):
                    message = await sub.recv_multipart()
            except TimeoutError:
                await pub.send_multipart([b"end", b""], aiomq.DONTWAIT)
                continue
            if message[0] == b"end":
                break
            received.append(int(message[0]))
    assert 0 < len(received) < count
    assert received[0] == 0  # the first messages fit in the queues
    assert received == sorted(set(received))


@pytest.mark.parametrize(
    ("sent", "wanted"),
    [
        ([[b"B"], [b"A", b"\x00"], [b"a"], [b"AA"]], [[b"A", b"\x00"], [b"AA"]]),
        ([[b"B1"], [b"A1"], [b"C1"]], [[b"A1"]]),
    ],
)
async def test_sub_filters_with_a_prefix_match(
    ctx: aiomq.Context, sent: list[list[bytes]], wanted: list[list[bytes]]
) -> None:
    """SUB incoming: "MAY, depending on the transport, filter messages according to
    subscriptions, using a prefix match algorithm." / "SHALL not modify incoming
    messages in any way." As libzmq, aiomq's SUB filters again what a publisher sends
    it."""
    xpub = ctx.socket(aiomq.XPUB)
    xpub.setsockopt(aiomq.XPUB_MANUAL, 1)
    xpub.bind(url := inproc())
    sub = ctx.socket(aiomq.SUB)
    sub.connect(url)
    sub.subscribe(b"A")
    assert await xpub.recv() == b"\x01A"
    xpub.subscribe(b"")  # make the publisher send everything to this SUB
    for message in sent:
        await xpub.send_multipart(message)
    assert await drain_now(sub) == wanted  # the SUB keeps what it subscribed to


async def test_sub_sends_subscribe_and_unsubscribe_requests(ctx: aiomq.Context) -> None:
    """SUB subscriptions: "MAY send subscribe and unsubscribe requests to publishers
    depending on the transport protocol used." """
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("tcp://127.0.0.1:*")
    sub = ctx.socket(aiomq.SUB)
    sub.connect(xpub.last_endpoint.decode())
    sub.subscribe(b"T")
    assert await xpub.recv() == b"\x01T"
    sub.unsubscribe(b"T")
    assert await xpub.recv() == b"\x00T"


# -- The XSUB Socket Type --------------------------------------------------------------


async def test_xsub_sends_every_message_to_every_publisher(ctx: aiomq.Context) -> None:
    """XSUB: "MAY be connected to any number of PUB or XPUB publishers, and MAY both
    send and receive messages." / outgoing: "SHALL send all messages to all connected
    publishers." / "SHALL not modify outgoing messages in any way." """
    xsub = ctx.socket(aiomq.XSUB)
    xpubs = [ctx.socket(aiomq.XPUB) for _ in range(2)]
    for xpub in xpubs:
        xpub.bind(url := inproc())
        xsub.connect(url)
    await xsub.send_multipart([b"to", b"\x00every", b""])
    for xpub in xpubs:
        assert await xpub.recv_multipart() == [b"to", b"\x00every", b""]


async def test_xsub_drops_for_a_full_publisher_queue_without_blocking(
    ctx: aiomq.Context,
) -> None:
    """XSUB outgoing: "SHALL silently drop the message if the outgoing queue for a
    publisher is full." / "SHALL NOT block on sending." Subscriptions are never
    dropped (libzmq may lose them at the high-water mark; aiomq does not)."""
    xsub = ctx.socket(aiomq.XSUB)
    xsub.sndhwm = 3
    xsub.connect(url := inproc())  # nobody there yet: the queue fills
    for n in range(10):
        await xsub.send(b"%d" % n, aiomq.DONTWAIT)
    await xsub.send(b"\x01T", aiomq.DONTWAIT)
    xpub = ctx.socket(aiomq.XPUB)
    xpub.rcvhwm = 0
    xpub.bind(url)
    assert await drain_now(xpub) == [[b"0"], [b"1"], [b"2"], [b"\x01T"]]


async def test_xsub_accepts_subscriptions_from_the_application(ctx: aiomq.Context) -> None:
    """XSUB subscriptions: "SHALL accept subscription commands from its calling
    application." / "SHALL send subscribe and unsubscribe requests to publishers
    depending on the transport protocol used." / incoming: "MAY, depending on the
    transport, filter messages according to subscriptions" — as libzmq's, aiomq's XSUB
    does not filter: it delivers whatever the publishers send."""
    xpub = ctx.socket(aiomq.XPUB)
    xpub.setsockopt(aiomq.XPUB_MANUAL, 1)
    xpub.bind("tcp://127.0.0.1:*")
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(xpub.last_endpoint.decode())
    await xsub.send(b"\x01news")
    assert await xpub.recv() == b"\x01news"
    xpub.subscribe(b"")
    await xpub.send(b"weather")
    assert await xsub.recv() == b"weather"
    await xsub.send(b"\x00news")
    assert await xpub.recv() == b"\x00news"


async def test_xsub_leaving_unsubscribes(ctx: aiomq.Context) -> None:
    """XSUB subscriptions: "When closing a connection to a publisher SHOULD send
    unsubscribe requests for all subscriptions." Like libzmq, aiomq sends none: the
    publisher drops a departed peer's subscriptions itself (and an XPUB reports them),
    which has the same effect and also covers a peer that dies."""
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("tcp://127.0.0.1:*")
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(xpub.last_endpoint.decode())
    await xsub.send(b"\x01T")
    assert await xpub.recv() == b"\x01T"
    xsub.close()
    assert await xpub.recv() == b"\x00T"
    await assert_empty(xpub)
