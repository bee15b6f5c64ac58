"""``epgm://`` and ``pgm://`` between aiomq sockets: PUB/SUB and XPUB/XSUB over multicast,
loss repair, LINGER and RATE, and what pgm refuses (other socket types, unknown interfaces).

Every test that sends runs in its own network namespace (the ``netns`` fixture: ``lo``
only, multicast routed through it), so a fixed port is safe: nothing else lives there.
Interop with libzmq is in ``tests/interop/test_pgm_interop.py``.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import pytest
from _netns import NetNamespace

import aiomq
from aiomq.errors import ENOCOMPATPROTO
from aiomq.pgm import ODATA, RDATA

pytestmark = pytest.mark.timeout(30)

GROUP = "239.192.1.1"
PORT = 5555  # a private namespace per test: nothing else can hold it
EPGM = f"epgm://127.0.0.1;{GROUP}:{PORT}"
PGM = f"pgm://127.0.0.1;{GROUP}:{PORT}"
# 100 Mbit/s, a 2 s window; no high-water marks, so that neither side drops on its own.
FAST = {aiomq.RATE: 100_000, aiomq.RECOVERY_IVL: 2_000, aiomq.SNDHWM: 0, aiomq.RCVHWM: 0}


def message(number: int) -> list[bytes]:
    """Message ``number``: a topic and a body of 0 to 3,999 bytes, every 3rd multipart."""
    body = number.to_bytes(4, "big") * (number % 1000)
    if number % 3 == 0:
        return [b"data", body, b"tail"]
    return [b"data", body]


@asynccontextmanager
async def pub_sub(
    ctx: aiomq.Context,
    url: str = EPGM,
    *,
    pub_type: aiomq.SocketType = aiomq.PUB,
    pub_options: Mapping[aiomq.SocketOption, int | bytes] | None = None,
) -> AsyncIterator[tuple[aiomq.Socket, aiomq.Socket]]:
    """A publisher (with ``FAST`` and ``pub_options``) and a subscriber (with ``FAST``)
    on ``url``, closed afterwards."""
    sub = ctx.socket(aiomq.SUB)
    pub = ctx.socket(pub_type)
    for sock, options in ((sub, FAST), (pub, {**FAST, **(pub_options or {})})):
        for option, value in options.items():
            sock.setsockopt(option, value)
    sub.connect(url)
    pub.bind(url)  # bind and connect are the same for pgm
    try:
        yield pub, sub
    finally:
        for sock in (pub, sub):
            sock.close(linger=0)


MARKERS = ([b"warm-up"], [b"fence"])
"""What ``until_seen`` repeats: never part of a counted stream."""


async def until_seen(pub: aiomq.Socket, sub: aiomq.Socket, marker: bytes) -> list[list[bytes]]:
    """Publish ``[marker]`` every 20 ms until the subscriber receives it.

    Returns:
        What the subscriber received before it, warm-ups and markers left out.
    """
    before: list[list[bytes]] = []
    async with asyncio.timeout(10):
        while True:
            await pub.send_multipart([marker])
            try:
                async with asyncio.timeout(0.02):
                    while (frames := await sub.recv_multipart()) != [marker]:
                        if frames not in MARKERS:
                            before.append(frames)
                    return before
            except TimeoutError:
                continue


async def join(pub: aiomq.Socket, sub: aiomq.Socket) -> None:
    """Send warm-up messages until the subscriber has one: it is then in the stream."""
    await until_seen(pub, sub, b"warm-up")


async def receive(sub: aiomq.Socket, count: int) -> list[list[bytes]]:
    """The next ``count`` messages, skipping markers still in flight."""
    got: list[list[bytes]] = []
    async with asyncio.timeout(15):
        while len(got) < count:
            frames = await sub.recv_multipart()
            if frames not in MARKERS:
                got.append(frames)
    return got


async def send_paced(pub: aiomq.Socket, messages: list[list[bytes]]) -> None:
    """Send ``messages``, yielding to the loop now and then (a PUB drops at SNDHWM)."""
    for number, frames in enumerate(messages):
        await pub.send_multipart(frames)
        if number % 100 == 99:
            await asyncio.sleep(0.002)  # pacing, not waiting for a condition


@pytest.mark.parametrize("url", [EPGM, PGM], ids=["epgm", "pgm"])
async def test_pub_to_sub_in_order_with_prefix_filter(
    ctx: aiomq.Context, netns: NetNamespace, url: str
) -> None:
    with netns.entered():
        async with pub_sub(ctx, url) as (pub, sub):
            sub.subscribe(b"warm-up")
            sub.subscribe(b"data")
            await join(pub, sub)
            sent = [message(n) for n in range(1000)]
            mixed = [
                frames
                for pair in zip(sent, [[b"other", b"x"]] * 1000, strict=True)
                for frames in pair
            ]
            sender = asyncio.create_task(send_paced(pub, mixed))
            assert await receive(sub, 1000) == sent
            await sender


async def test_ten_percent_odata_loss_is_repaired(ctx: aiomq.Context, netns: NetNamespace) -> None:
    with netns.entered():
        netns.input_chain()
        async with pub_sub(ctx, EPGM) as (pub, sub):
            sub.subscribe(b"")
            await join(pub, sub)
            netns.drop_pgm(ODATA, group=GROUP, port=PORT, every=10)
            sent = [message(n) for n in range(1000)]
            sender = asyncio.create_task(send_paced(pub, sent))
            assert await receive(sub, 1000) == sent
            await sender
        assert netns.dropped() > 0


def numbered(number: int) -> list[bytes]:
    """A message that names its number in every body (so a fragment cannot pass)."""
    frames = [b"data", number.to_bytes(4, "big") * (1 + number % 700)]
    return [*frames, b"tail"] if number % 3 == 0 else frames


async def test_unrepairable_loss_drops_whole_messages(
    ctx: aiomq.Context, netns: NetNamespace
) -> None:
    """Every RDATA and 10 % of ODATA dropped: the subscriber delivers whole messages in
    order with gaps, never a fragment; once the loss stops, everything arrives.

    The publisher's RECOVERY_IVL of 20 ms makes its window 166 packets, so its trail
    soon passes what was lost and the receiver gives it up without waiting out its NAK
    retries. A ``fence`` marker, repeated until it arrives, ends the lossy phase.
    """
    with netns.entered():
        netns.input_chain()
        async with pub_sub(ctx, pub_options={aiomq.RECOVERY_IVL: 20}) as (pub, sub):
            sub.subscribe(b"")
            await join(pub, sub)
            netns.drop_pgm(RDATA, group=GROUP, port=PORT)
            netns.drop_pgm(ODATA, group=GROUP, port=PORT, every=10)
            await send_paced(pub, [numbered(n) for n in range(1000)])
            lossy = await until_seen(pub, sub, b"fence")
            dropped = netns.dropped()
            netns.nft("flush chain inet faults in")
            await send_paced(pub, [numbered(n) for n in range(1000, 1200)])
            after = await receive(sub, 200)
    numbers = [int.from_bytes(frames[1][:4], "big") for frames in lossy]
    print(f"\nunrepairable loss: {len(numbers)} of 1000 delivered, {dropped} packets dropped")
    assert lossy == [numbered(n) for n in numbers]  # each one whole
    assert numbers == sorted(set(numbers))  # in order, no duplicates
    assert 0 < len(numbers) < 1000
    assert dropped > 0
    assert after == [numbered(n) for n in range(1000, 1200)]


async def test_xpub_sends_its_welcome_and_sees_no_subscriptions(
    ctx: aiomq.Context, netns: NetNamespace
) -> None:
    with netns.entered():
        welcome = {aiomq.XPUB_WELCOME_MSG: b"welcome"}
        async with pub_sub(ctx, pub_type=aiomq.XPUB, pub_options=welcome) as (xpub, sub):
            sub.subscribe(b"")
            async with asyncio.timeout(5):
                assert await sub.recv_multipart() == [b"welcome"]
            await xpub.send_multipart([b"after"])
            async with asyncio.timeout(5):
                assert await sub.recv_multipart() == [b"after"]
            with pytest.raises(aiomq.Again):
                await xpub.recv_multipart(aiomq.DONTWAIT)


async def test_xsub_receives_everything_and_its_subscriptions_go_nowhere(
    ctx: aiomq.Context, netns: NetNamespace
) -> None:
    """An XSUB filters nothing; a subscription it sends has no upstream to go to."""
    with netns.entered():
        async with pub_sub(ctx) as (pub, sub):
            sub.subscribe(b"")
            await join(pub, sub)
            xsub = ctx.socket(aiomq.XSUB)
            xsub.connect(EPGM)
            await xsub.send(b"\x01only-this")  # subscribes: nothing to send it to
            await until_seen(pub, xsub, b"fence")
            sent = [[b"anything"], [b"only-this"], [b"else", b"more"]]
            for frames in sent:
                await pub.send_multipart(frames)
            assert await receive(xsub, 3) == sent
            assert await receive(sub, 3) == sent
            xsub.close(linger=0)


async def test_close_with_linger_sends_what_is_queued(
    ctx: aiomq.Context, netns: NetNamespace
) -> None:
    """The rate limit holds messages back; ``aclose()`` lingers until they are out."""
    with netns.entered():
        # 2,000 kbit/s = 250 kB/s: the 100 kB below take about 0.4 s.
        async with pub_sub(ctx, pub_options={aiomq.RATE: 2_000}) as (pub, sub):
            sub.subscribe(b"")
            await join(pub, sub)
            sent = [[n.to_bytes(4, "big") * 250] for n in range(100)]
            for frames in sent:
                await pub.send_multipart(frames)
            await pub.aclose()
            assert await receive(sub, 100) == sent


async def test_rate_limits_the_sender(ctx: aiomq.Context, netns: NetNamespace) -> None:
    """RATE is an upper bound: 400 kB at 1,000 kbit/s (125 kB/s) cannot take under 2 s
    (the token bucket lets one second's worth go at once; SNDHWM 0 queues everything)."""
    with netns.entered():
        async with pub_sub(ctx, pub_options={aiomq.RATE: 1_000}) as (pub, sub):
            sub.subscribe(b"")
            await join(pub, sub)
            loop = asyncio.get_running_loop()
            started = loop.time()
            sent = [[n.to_bytes(4, "big") * 250] for n in range(400)]
            for frames in sent:
                await pub.send_multipart(frames)
            assert await receive(sub, 400) == sent
            assert loop.time() - started >= 2.0


async def test_other_socket_types_refuse_pgm(ctx: aiomq.Context) -> None:
    for kind in (aiomq.PUSH, aiomq.PULL, aiomq.REQ, aiomq.REP, aiomq.DEALER, aiomq.PAIR):
        sock = ctx.socket(kind)
        for url in (EPGM, PGM):
            message = f"publish-subscribe traffic only; {kind.name} sockets cannot use it"
            with pytest.raises(aiomq.ZMQError, match=message) as info:
                sock.connect(url)
            assert info.value.errno == ENOCOMPATPROTO
        sock.close(linger=0)


async def test_interfaces_by_name_and_unknown_ones(ctx: aiomq.Context, netns: NetNamespace) -> None:
    with netns.entered():
        sub = ctx.socket(aiomq.SUB)
        sub.connect(f"epgm://lo;{GROUP}:{PORT}")
        with pytest.raises(aiomq.ZMQError, match="no IPv4 address for interface 'nope0'") as info:
            sub.connect(f"epgm://nope0;{GROUP}:{PORT + 1}")
        assert info.value.errno == errno.ENODEV
        with pytest.raises(aiomq.ZMQError, match="already open"):
            sub.connect(f"epgm://lo;{GROUP}:{PORT}")
        sub.disconnect(f"epgm://lo;{GROUP}:{PORT}")
        sub.connect(f"epgm://lo;{GROUP}:{PORT}")  # the port is free again
