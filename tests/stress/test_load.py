"""Load: many messages, huge frames, many peers; every message arrives whole and exact.

Every test runs on the default loop and on uvloop (see tests/conftest.py) and takes its
sizes from the ``profile`` fixture (tests/stress/conftest.py). Nothing sleeps to wait
for a condition: each wait is for a message or a subscription, under a deadline. Every
figure asserted is exact.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from _helpers import assert_empty, recv_within  # type: ignore[import-not-found, unused-ignore]

import aiomq

from ._stress_helpers import TRANSPORTS, Endpoints, StreamCheck, raise_nofile, seq, unseq
from .conftest import Profile

pytestmark = pytest.mark.timeout(120)

END = b"END"
"""The last message of a stream: not a sequence number (those are 8 bytes)."""


@pytest.fixture
def short_dir() -> Iterator[str]:
    """A short temporary directory for ipc socket files."""
    path = tempfile.mkdtemp(prefix="aiomq-st-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _bind(sock: aiomq.Socket, endpoints: Endpoints) -> str:
    """Bind ``sock`` to a fresh address; return the address peers connect to."""
    sock.bind(endpoints.bind_address())
    return sock.last_endpoint.decode()


# -- 1. PUSH -> PULL: no loss, no duplicates, no reordering -------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_push_pull_stream_is_exact(
    ctx: aiomq.Context, profile: Profile, transport: str, short_dir: str
) -> None:
    """``profile.messages`` sequence-numbered messages PUSH -> PULL (sender and receiver
    are two tasks of one loop) arrive all, once each, in order: the receiver counts
    sent/received/lost/duplicated/reordered and all but the first two must be 0."""
    count = profile.messages
    pull = ctx.socket(aiomq.PULL)
    push = ctx.socket(aiomq.PUSH)
    push.connect(_bind(pull, Endpoints(transport, short_dir)))
    check = StreamCheck()

    async def sender() -> None:
        send = push.send
        for number in range(count):
            await send(number.to_bytes(8, "big"))
        await send(END)
        check.expect(count)

    async def receiver() -> None:
        recv = pull.recv
        add = check.add
        while (frame := await recv()) != END:
            add(int.from_bytes(frame, "big"))

    started = time.perf_counter()
    await asyncio.gather(sender(), receiver())
    elapsed = time.perf_counter() - started
    print(f"{transport}: {check.report()} in {elapsed:.2f}s ({count / elapsed:,.0f} msg/s)")
    check.assert_exact()
    await assert_empty(pull)


# -- 2. 16 MiB frames --------------------------------------------------------------


FRAME = 16 * 1024 * 1024


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_16mib_multipart_frames_arrive_intact(
    ctx: aiomq.Context, profile: Profile, transport: str, short_dir: str
) -> None:
    """Messages ``[b"head" + seq, <16 MiB>, b"tail"]`` arrive intact and in order: same
    frame count, sizes, bytes (SHA-256 of the big frame) and sequence."""
    count = 8 * profile.scale
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 2
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 2  # a few 16 MiB messages in flight at most, whatever the profile
    push.connect(_bind(pull, Endpoints(transport, short_dir)))
    digests: list[bytes] = []

    def body(number: int) -> bytes:
        """16 MiB distinct per message: a 64 KiB block made of the message's number."""
        return (bytes([number % 251]) + seq(number) * 8191 + bytes(7)) * 256

    async def sender() -> None:
        for number in range(count):
            frame = body(number)
            assert len(frame) == FRAME
            digests.append(hashlib.sha256(frame).digest())
            await push.send_multipart([b"head" + seq(number), frame, b"tail"])

    async def receiver() -> list[tuple[bytes, int, bytes, bytes]]:
        got = []
        for _ in range(count):
            head, frame, tail = await recv_within(pull, 30)
            got.append((head, len(frame), hashlib.sha256(frame).digest(), tail))
        return got

    _, got = await asyncio.gather(sender(), receiver())
    assert got == [
        (b"head" + seq(number), FRAME, digests[number], b"tail") for number in range(count)
    ]
    await assert_empty(pull)


# -- 3. 1,000 DEALERs -> one ROUTER: fair queueing -----------------------------------


DEALERS = 1000
CONNECT_BATCH = 50
PER_DEALER = 40
"""Messages each DEALER queues at once; the ROUTER counts the first half of them."""


async def _connect_dealers(
    ctx: aiomq.Context, router: aiomq.Socket, count: int
) -> tuple[list[aiomq.Socket], set[bytes]]:
    """``count`` DEALERs connected to ``router`` (tcp), each having said hello.

    They connect in batches of ``CONNECT_BATCH``, each batch saying hello before the
    next connects: the listen backlog is 100 (as libzmq's default) and a burst of 1,000
    connects overflows it, costing SYN retransmits of seconds (on uvloop above all).

    Returns:
        The DEALERs and the routing ids the ROUTER saw (``b"d00000"``, ...).
    """
    dealers: list[aiomq.Socket] = []
    hellos: set[bytes] = set()
    async with asyncio.timeout(60):
        for first in range(0, count, CONNECT_BATCH):
            for index in range(first, min(first + CONNECT_BATCH, count)):
                dealer = ctx.socket(aiomq.DEALER)
                dealer.routing_id = b"d%05d" % index
                dealer.connect(router.last_endpoint.decode())
                await dealer.send(b"hello")
                dealers.append(dealer)
            while len(hellos) < len(dealers):
                identity, body = await router.recv_multipart()
                assert body == b"hello"
                assert identity not in hellos
                hellos.add(identity)
    assert hellos == {dealer.routing_id for dealer in dealers}
    return dealers, hellos


async def test_router_fair_queues_1000_dealers(ctx: aiomq.Context, profile: Profile) -> None:
    """1,000 DEALERs (2,000 in the long profile) over tcp, each with ``PER_DEALER``
    messages queued at once: the ROUTER, counting the first half of everything by
    routing id, served every DEALER and the most-served at most 1.5 times as often as
    the least-served; then it gets every message, each DEALER's in order, exactly once.

    Fairness is measured while every DEALER is backlogged: all DEALERs first say hello
    (so every connection is up), then each queues ``PER_DEALER`` messages without
    waiting, and only then does the ROUTER's application start receiving; a fair ROUTER
    leaves each DEALER half of its messages still pending when the count ends.
    """
    dealers_n = DEALERS * (2 if profile.long else 1)
    raise_nofile(2 * dealers_n + 500)
    router = ctx.socket(aiomq.ROUTER)
    router.rcvhwm = 0
    router.bind("tcp://127.0.0.1:*")
    dealers, hellos = await _connect_dealers(ctx, router, dealers_n)
    for dealer in dealers:
        for number in range(PER_DEALER):
            await dealer.send(seq(number), aiomq.DONTWAIT)

    total = dealers_n * PER_DEALER
    measured = total // 2
    served: Counter[bytes] = Counter()
    next_number: dict[bytes, int] = dict.fromkeys(hellos, 0)
    async with asyncio.timeout(60):
        for index in range(total):
            identity, body = await router.recv_multipart()
            assert unseq(body) == next_number[identity], (identity, body)
            next_number[identity] += 1
            if index < measured:
                served[identity] += 1
    await assert_empty(router)
    assert next_number == dict.fromkeys(hellos, PER_DEALER)
    assert sum(served.values()) == measured
    assert set(served) == hellos, f"never served: {sorted(hellos - set(served))[:10]}"
    most, least = max(served.values()), min(served.values())
    print(f"{dealers_n} dealers: served {least}..{most} of {measured}, ratio {most / least:.3f}")
    assert most / least <= 1.5, (most, least)


WINDOW = 8
"""Requests each DEALER keeps outstanding in the continuous-load test."""
ROUNDS = 20
"""Requests per DEALER the ROUTER serves while fairness is measured (times ``scale``)."""


async def test_router_fair_under_continuous_load_from_1000_dealers(
    ctx: aiomq.Context, profile: Profile
) -> None:
    """1,000 DEALERs over tcp each keep ``WINDOW`` requests outstanding (a new one for
    every reply) while the ROUTER echoes each request. After a warm-up of one window
    per DEALER, the ROUTER serves ``1000 * ROUNDS`` requests counted by routing id:
    every DEALER was served, the most-served at most 1.5 times as often as the
    least-served; each DEALER's requests reach the ROUTER, and its replies the DEALER,
    in order, with none missing.
    """
    dealers_n = DEALERS
    raise_nofile(2 * dealers_n + 500)
    router = ctx.socket(aiomq.ROUTER)
    router.bind("tcp://127.0.0.1:*")
    dealers, hellos = await _connect_dealers(ctx, router, dealers_n)

    async def client(dealer: aiomq.Socket) -> None:
        """Keep WINDOW requests outstanding, checking that replies come back in order."""
        for number in range(WINDOW):
            await dealer.send(seq(number))
        replies = 0
        while True:
            assert unseq(await dealer.recv()) == replies
            await dealer.send(seq(replies + WINDOW))
            replies += 1

    warmup = dealers_n * WINDOW
    measured = dealers_n * ROUNDS * profile.scale
    served: Counter[bytes] = Counter()
    next_number: dict[bytes, int] = dict.fromkeys(hellos, 0)
    clients = [asyncio.create_task(client(dealer)) for dealer in dealers]
    try:
        async with asyncio.timeout(60):
            for index in range(warmup + measured):
                identity, body = await router.recv_multipart()
                assert unseq(body) == next_number[identity], (identity, body)
                next_number[identity] += 1
                if index >= warmup:
                    served[identity] += 1
                await router.send_multipart([identity, body])
    finally:
        for task in clients:
            task.cancel()
        outcomes = await asyncio.gather(*clients, return_exceptions=True)
    failures = [o for o in outcomes if not isinstance(o, asyncio.CancelledError)]
    assert not failures, failures[:3]
    assert sum(served.values()) == measured
    assert set(served) == hellos, f"never served: {sorted(hellos - set(served))[:10]}"
    most, least = max(served.values()), min(served.values())
    print(f"{dealers_n} dealers, window {WINDOW}: served {least}..{most} of {measured}")
    assert most / least <= 1.5, (most, least)


# -- 4. PUB -> 50 SUBs ----------------------------------------------------------------


SUBSCRIBERS = 50
TOPICS = (b"A", b"B", b"C")


def _topic_of(index: int) -> bytes:
    """What subscriber ``index`` subscribes to: everything (``b""``) or one topic."""
    return b"" if index % 2 == 0 else TOPICS[(index // 2) % len(TOPICS)]


async def test_pub_to_50_subs_every_subscriber_gets_its_matches(
    ctx: aiomq.Context, profile: Profile
) -> None:
    """A publisher (an XPUB, so that it can report subscriptions) and 50 SUBs over tcp,
    half subscribed to everything and half to one of three topics; HWMs 0 (unbounded).
    Once all 50 subscriptions reached the publisher, ``N`` messages cycling the topics
    are published: every SUB receives exactly the messages matching its subscription,
    in order, and nothing else."""
    count = 10_000 * profile.scale
    pub = ctx.socket(aiomq.XPUB)
    pub.setsockopt(aiomq.XPUB_VERBOSE, 1)  # report every SUBSCRIBE, not just a topic's first
    pub.sndhwm = 0
    pub.bind("tcp://127.0.0.1:*")
    subs = []
    for index in range(SUBSCRIBERS):
        sub = ctx.socket(aiomq.SUB)
        sub.rcvhwm = 0
        sub.connect(pub.last_endpoint.decode())
        sub.subscribe(_topic_of(index))
        subs.append(sub)
    reported: Counter[bytes] = Counter()
    for _ in range(SUBSCRIBERS):
        (notice,) = await recv_within(pub, 20)
        assert notice[:1] == b"\x01", notice
        reported[notice[1:]] += 1
    assert reported == Counter(_topic_of(index) for index in range(SUBSCRIBERS))

    def message(number: int) -> list[bytes]:
        return [TOPICS[number % len(TOPICS)] + seq(number), b"x" * (number % 64)]

    async def publisher() -> None:
        for number in range(count):
            await pub.send_multipart(message(number))

    async def subscriber(sub: aiomq.Socket, topic: bytes) -> list[int]:
        expected = sum(1 for n in range(count) if message(n)[0].startswith(topic))
        got = []
        for _ in range(expected):
            head, body = await sub.recv_multipart()
            number = unseq(head[1:])
            assert [head, body] == message(number)
            got.append(number)
        return got

    async with asyncio.timeout(100):
        results = await asyncio.gather(
            publisher(), *(subscriber(sub, _topic_of(i)) for i, sub in enumerate(subs))
        )
    for index, got in enumerate(results[1:]):
        topic = _topic_of(index)
        assert got == [n for n in range(count) if message(n)[0].startswith(topic)], index
    for sub in subs:
        await assert_empty(sub)
