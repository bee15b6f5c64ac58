"""aiomq.devices: proxy, steerable proxy and the queue/forwarder/streamer devices."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest
from _helpers import assert_empty, recv_within

import aiomq
from aiomq.devices import ProxyStatistics, forwarder, proxy, proxy_steerable, queue, streamer

pytestmark = pytest.mark.timeout(30)

_names = itertools.count()


def inproc() -> str:
    return f"inproc://devices-{next(_names)}"


@contextlib.asynccontextmanager
async def running(coro: Coroutine[Any, Any, None]) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``coro`` as a task for the block; cancel it (and wait) afterwards."""
    task = asyncio.get_running_loop().create_task(coro)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def pipeline(
    ctx: aiomq.Context, hwm: int = 1000, transport: str = "inproc"
) -> tuple[aiomq.Socket, aiomq.Socket, aiomq.Socket, aiomq.Socket]:
    """PUSH → [PULL proxy-frontend, PUSH proxy-backend] → PULL, over inproc or tcp."""
    frontend, backend = ctx.socket(aiomq.PULL), ctx.socket(aiomq.PUSH)
    producer, consumer = ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PULL)
    for sock in (frontend, backend, producer, consumer):
        sock.sndhwm = hwm
        sock.rcvhwm = hwm
    if transport == "inproc":
        frontend.bind(inproc())
        backend.bind(inproc())
    else:
        frontend.bind("tcp://127.0.0.1:*")
        backend.bind("tcp://127.0.0.1:*")
    producer.connect(frontend.last_endpoint.decode())
    consumer.connect(backend.last_endpoint.decode())
    return producer, frontend, backend, consumer


async def test_streams_one_way_in_order_with_capture(ctx: aiomq.Context) -> None:
    producer, frontend, backend, consumer = pipeline(ctx)
    capture, tap = ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PULL)
    endpoint = inproc()
    tap.bind(endpoint)
    capture.connect(endpoint)
    messages = [[b"%d" % i, b"x" * (i % 7)] for i in range(300)]
    async with running(proxy(frontend, backend, capture)):
        for message in messages:
            await producer.send_multipart(message)
        assert [await recv_within(consumer) for _ in messages] == messages
        assert [await recv_within(tap) for _ in messages] == messages
    await assert_empty(consumer)
    await assert_empty(tap)


async def test_forwards_both_ways(ctx: aiomq.Context) -> None:
    frontend, backend = ctx.socket(aiomq.ROUTER), ctx.socket(aiomq.DEALER)
    client, worker = ctx.socket(aiomq.REQ), ctx.socket(aiomq.REP)
    front_ep, back_ep = inproc(), inproc()
    frontend.bind(front_ep)
    backend.bind(back_ep)
    client.connect(front_ep)
    worker.connect(back_ep)
    async with running(proxy(frontend, backend)):
        for n in range(20):
            await client.send(b"ping %d" % n)
            assert await recv_within(worker) == [b"ping %d" % n]
            await worker.send(b"pong %d" % n)
            assert await recv_within(client) == [b"pong %d" % n]


async def test_capture_that_cannot_keep_up_misses_messages(ctx: aiomq.Context) -> None:
    producer, frontend, backend, consumer = pipeline(ctx)
    capture = ctx.socket(aiomq.PUSH)  # never connected: it can take nothing
    capture.sndhwm = 1
    async with running(proxy(frontend, backend, capture)):
        for n in range(50):
            await producer.send(b"%d" % n)
        assert [await recv_within(consumer) for _ in range(50)] == [[b"%d" % n] for n in range(50)]


async def test_a_stalled_backend_holds_the_producer_back(ctx: aiomq.Context) -> None:
    producer, frontend, backend, consumer = pipeline(ctx, hwm=10)
    async with running(proxy(frontend, backend)):
        sent = 0
        # Send until the producer blocks: the queues of every hop are full.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.5):
                while True:
                    await producer.send(b"%d" % sent)
                    sent += 1
        assert 0 < sent <= 100, sent  # bounded by the high-water marks on the way
        assert [await recv_within(consumer) for _ in range(sent)] == [
            [b"%d" % n] for n in range(sent)
        ]
    await assert_empty(consumer)


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
async def test_cancelling_loses_and_duplicates_nothing(ctx: aiomq.Context, transport: str) -> None:
    total = 3000
    producer, frontend, backend, consumer = pipeline(ctx, hwm=20, transport=transport)
    received: list[bytes] = []
    progress = asyncio.Event()

    async def produce() -> None:
        for n in range(total):
            await producer.send(b"%d" % n)

    async def consume() -> None:
        while len(received) < total:
            received.append(await consumer.recv())
            progress.set()

    restarts = 0
    async with running(produce()), running(consume()) as consumer_task:
        while not consumer_task.done():
            seen = len(received)
            async with running(proxy(frontend, backend)):
                # Let the proxy move a few messages (or none), then cancel it mid-stream.
                while len(received) == seen and not consumer_task.done():
                    progress.clear()
                    await progress.wait()
            restarts += 1
        await consumer_task
    assert received == [b"%d" % n for n in range(total)]
    assert restarts > 10
    await assert_empty(consumer)


async def control_pair(ctx: aiomq.Context, kind: aiomq.SocketType) -> tuple[aiomq.Socket, ...]:
    """The control socket for the proxy and the peer the test steers it through."""
    peer_kind = aiomq.REQ if kind == aiomq.REP else aiomq.PAIR
    control, steer = ctx.socket(kind), ctx.socket(peer_kind)
    endpoint = inproc()
    control.bind(endpoint)
    steer.connect(endpoint)
    return control, steer


async def command(steer: aiomq.Socket, verb: bytes) -> list[bytes] | None:
    """Send a command; return the reply (always for REQ, for STATISTICS on PAIR)."""
    await steer.send(verb)
    if steer.type == aiomq.REQ or verb == b"STATISTICS":
        return await recv_within(steer)
    return None


async def statistics(steer: aiomq.Socket) -> ProxyStatistics:
    reply = await command(steer, b"STATISTICS")
    assert reply is not None
    return ProxyStatistics.from_frames(reply)


@pytest.mark.parametrize("kind", [aiomq.REP, aiomq.PAIR], ids=["rep", "pair"])
async def test_steerable_pause_resume_statistics_terminate(
    ctx: aiomq.Context, kind: aiomq.SocketType
) -> None:
    frontend, backend = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    client, server = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    front_ep, back_ep = inproc(), inproc()
    frontend.bind(front_ep)
    backend.bind(back_ep)
    client.connect(front_ep)
    server.connect(back_ep)
    control, steer = await control_pair(ctx, kind)
    empty_reply = [b""] if kind == aiomq.REP else None
    async with running(proxy_steerable(frontend, backend, None, control)) as task:
        requests = [[b"req", b"%d" % n * n] for n in range(10)]
        for request in requests:
            await client.send_multipart(request)
        assert [await recv_within(server) for _ in requests] == requests
        await server.send_multipart([b"reply", b"abc"])
        assert await recv_within(client) == [b"reply", b"abc"]

        request_bytes = sum(len(part) for message in requests for part in message)
        assert await statistics(steer) == ProxyStatistics(
            10, request_bytes, 1, 8, 1, 8, 10, request_bytes
        )

        assert await command(steer, b"PAUSE") == empty_reply
        await statistics(steer)  # the PAUSE was handled (a PAIR gets no reply to it)
        await client.send(b"while paused")
        assert await server.poll(200) == 0  # it waits in the proxy's frontend
        stats = await statistics(steer)
        assert (stats.frontend_msgs_in, stats.backend_msgs_out) == (10, 10)

        assert await command(steer, b"RESUME") == empty_reply
        assert await recv_within(server) == [b"while paused"]
        stats = await statistics(steer)
        assert (stats.frontend_msgs_in, stats.frontend_bytes_in) == (11, request_bytes + 12)
        assert (stats.backend_msgs_out, stats.backend_bytes_out) == (11, request_bytes + 12)

        assert await command(steer, b"TERMINATE") == empty_reply
        async with asyncio.timeout(5):
            await task  # returns
        assert task.done()
        assert not task.cancelled()
    await assert_empty(server)


async def test_steerable_without_control_is_a_proxy(ctx: aiomq.Context) -> None:
    producer, frontend, backend, consumer = pipeline(ctx)
    async with running(proxy_steerable(frontend, backend)):
        await producer.send(b"hi")
        assert await recv_within(consumer) == [b"hi"]


async def test_statistics_frames_round_trip() -> None:
    stats = ProxyStatistics(1, 2, 3, 4, 5, 6, 7, 1 << 63)
    frames = stats.to_frames()
    assert len(frames) == 8
    assert all(len(frame) == 8 for frame in frames)
    assert ProxyStatistics.from_frames(frames) == stats
    with pytest.raises(ValueError, match="eight"):
        ProxyStatistics.from_frames(frames[:7])


async def test_bad_arguments(ctx: aiomq.Context) -> None:
    pull, push, pub = ctx.socket(aiomq.PULL), ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PUB)
    with pytest.raises(ValueError, match="different"):
        await proxy(pull, pull)
    with pytest.raises(ValueError, match="cannot capture"):
        await proxy(pull, push, ctx.socket(aiomq.SUB))
    with pytest.raises(ValueError, match="nothing to forward"):
        await proxy(push, pub)


async def test_closing_a_socket_ends_the_proxy_with_an_error(ctx: aiomq.Context) -> None:
    producer, frontend, backend, consumer = pipeline(ctx)
    task = asyncio.get_running_loop().create_task(proxy(frontend, backend))
    await producer.send(b"first")
    assert await recv_within(consumer) == [b"first"]  # the proxy runs, waiting for more
    frontend.close()
    async with asyncio.timeout(5):
        with pytest.raises(aiomq.ZMQError) as raised:
            await task
    assert raised.value.errno == aiomq.ENOTSOCK


async def test_streamer_device(ctx: aiomq.Context) -> None:
    front_ep, back_ep = inproc(), inproc()
    async with running(streamer(front_ep, back_ep, context=ctx)):
        producer, consumer = ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PULL)
        producer.connect(front_ep)
        consumer.connect(back_ep)
        for n in range(10):
            await producer.send(b"%d" % n)
        assert [await recv_within(consumer) for _ in range(10)] == [[b"%d" % n] for n in range(10)]


async def test_queue_device_with_capture(ctx: aiomq.Context) -> None:
    front_ep, back_ep, capture_ep = inproc(), inproc(), inproc()
    async with running(queue(front_ep, back_ep, capture=capture_ep, context=ctx)):
        client, worker, tap = ctx.socket(aiomq.REQ), ctx.socket(aiomq.REP), ctx.socket(aiomq.SUB)
        tap.subscribe(b"")
        tap.connect(capture_ep)
        client.connect(front_ep)
        worker.connect(back_ep)
        await client.send(b"question")
        assert await recv_within(worker) == [b"question"]
        await worker.send(b"answer")
        assert await recv_within(client) == [b"answer"]
        # Once the capture subscription arrived, every message is copied: REQ frames keep
        # the router's envelope (routing id, empty delimiter).
        while True:
            await client.send(b"again")
            await recv_within(worker)
            await worker.send(b"done")
            await recv_within(client)
            if await tap.poll(0):
                break
        copied = await recv_within(tap)
        assert copied[-2] == b""
        assert copied[-1] in (b"question", b"answer", b"again", b"done")


async def test_forwarder_device(ctx: aiomq.Context) -> None:
    front_ep, back_ep = inproc(), inproc()
    async with running(forwarder(front_ep, back_ep, context=ctx)):
        pub, sub = ctx.socket(aiomq.PUB), ctx.socket(aiomq.SUB)
        pub.connect(front_ep)
        sub.connect(back_ep)
        sub.subscribe(b"A")
        # Publish until the subscription has travelled up to the publisher.
        async with asyncio.timeout(5):
            while True:
                await pub.send(b"A-probe")
                if await sub.poll(20):
                    break
        for n in range(5):
            await pub.send(b"B%d" % n)
            await pub.send(b"A%d" % n)
        received: list[list[bytes]] = []
        while len(received) < 5:
            message = await recv_within(sub)
            if message != [b"A-probe"]:
                received.append(message)
        assert received == [[b"A%d" % n] for n in range(5)]
