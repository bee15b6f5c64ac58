"""Soak: mixed patterns with churning peers for a while, then back to the baseline.

For ``30 * scale`` seconds per event loop (short profile: 30 s on each loop, so 60 s in
CI; ``--stress-long``: 5 minutes on each), four workers run side by side in one process,
each opening and closing its peers over and over:

* PUSH → PULL over tcp: a new PUSH per round sends 200 sequenced messages, then closes
  with LINGER; the long-lived PULL must receive exactly them, in order.
* REQ → REP over ipc: a new REQ per round makes 20 round trips.
* PUB → SUB over inproc: a new SUB per round subscribes, receives 50 messages of its topic
  (the XPUB reports the subscription, so nothing is published before it arrives), and
  leaves.
* DEALER → ROUTER over tcp: a new DEALER per round sends 20 requests and gets 20 echoes.

``AIOMQ_SOAK_SECONDS`` overrides the 30 seconds (for a quick local run).

Afterwards every socket and the context are closed, and the process must be back where it
started: the same open file descriptors, no task left, and the Python heap (tracemalloc)
within 512 KiB of the baseline. Every round's traffic is checked exactly.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc
from collections.abc import Awaitable, Callable

import pytest
from _helpers import recv_within

import aiomq

from .conftest import Profile

pytestmark = pytest.mark.timeout(900)

_SECONDS_PER_SCALE = float(os.environ.get("AIOMQ_SOAK_SECONDS", "30"))
_HEAP_SLACK = 512 * 1024


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def _push_pull(ctx: aiomq.Context, until: float) -> int:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    rounds = 0
    try:
        while asyncio.get_running_loop().time() < until:
            push = ctx.socket(aiomq.PUSH)
            push.connect(pull.last_endpoint.decode())
            for n in range(200):
                await push.send(b"%d:%d" % (rounds, n))
            await push.aclose(linger=-1)
            got = [await recv_within(pull) for _ in range(200)]
            assert got == [[b"%d:%d" % (rounds, n)] for n in range(200)]
            rounds += 1
    finally:
        await pull.aclose(linger=0)
    return rounds


async def _req_rep(ctx: aiomq.Context, until: float, path: str) -> int:
    rep = ctx.socket(aiomq.REP)
    rep.bind(f"ipc://{path}")

    async def serve() -> None:
        while True:
            await rep.send(await rep.recv())

    server = asyncio.create_task(serve())
    rounds = 0
    try:
        while asyncio.get_running_loop().time() < until:
            req = ctx.socket(aiomq.REQ)
            req.connect(f"ipc://{path}")
            for n in range(20):
                await req.send(b"%d" % n)
                assert await recv_within(req) == [b"%d" % n]
            await req.aclose(linger=0)
            rounds += 1
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        await rep.aclose(linger=0)
    return rounds


async def _pub_sub(ctx: aiomq.Context, until: float) -> int:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind("inproc://soak-pubsub")
    rounds = 0
    try:
        while asyncio.get_running_loop().time() < until:
            topic = b"t%d" % (rounds % 7)
            sub = ctx.socket(aiomq.SUB)
            sub.connect("inproc://soak-pubsub")
            sub.subscribe(topic)
            # The subscription reaches the XPUB as a message: publish only after it.
            assert await recv_within(xpub) == [b"\x01" + topic]
            for n in range(50):
                await xpub.send_multipart([b"other", b"%d" % n])
                await xpub.send_multipart([topic, b"%d" % n])
            got = [await recv_within(sub) for _ in range(50)]
            assert got == [[topic, b"%d" % n] for n in range(50)]
            await sub.aclose(linger=0)
            # Its departure cancels the topic: take that report before the next round.
            assert await recv_within(xpub) == [b"\x00" + topic]
            rounds += 1
    finally:
        await xpub.aclose(linger=0)
    return rounds


async def _dealer_router(ctx: aiomq.Context, until: float) -> int:
    router = ctx.socket(aiomq.ROUTER)
    router.bind("tcp://127.0.0.1:*")

    async def echo() -> None:
        while True:
            await router.send_multipart(await router.recv_multipart())

    server = asyncio.create_task(echo())
    rounds = 0
    try:
        while asyncio.get_running_loop().time() < until:
            dealer = ctx.socket(aiomq.DEALER)
            dealer.connect(router.last_endpoint.decode())
            for n in range(20):
                await dealer.send_multipart([b"%d" % n])
            got = [await recv_within(dealer) for _ in range(20)]
            assert got == [[b"%d" % n] for n in range(20)]
            await dealer.aclose(linger=0)
            rounds += 1
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        await router.aclose(linger=0)
    return rounds


async def _one_pass(seconds: float, path: str) -> dict[str, int]:
    ctx = aiomq.Context()
    until = asyncio.get_running_loop().time() + seconds
    workers: dict[str, Callable[[], Awaitable[int]]] = {
        "push/pull tcp": lambda: _push_pull(ctx, until),
        "req/rep ipc": lambda: _req_rep(ctx, until, path),
        "pub/sub inproc": lambda: _pub_sub(ctx, until),
        "dealer/router tcp": lambda: _dealer_router(ctx, until),
    }
    try:
        rounds = await asyncio.gather(*(work() for work in workers.values()))
    finally:
        await ctx.term()
    return dict(zip(workers, rounds, strict=True))


async def test_soak_returns_to_baseline(
    profile: Profile, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Churn peers in four patterns at once, then check fds, tasks and heap."""
    path = str(tmp_path_factory.mktemp("soak") / "rr")
    await _one_pass(0.2, path)  # warm-up: first-use allocations are not leaks
    gc.collect()
    tracemalloc.start()
    try:
        fds = _open_fds()
        tasks = len(asyncio.all_tasks())
        heap = tracemalloc.get_traced_memory()[0]
        rounds = await _one_pass(_SECONDS_PER_SCALE * profile.scale, path)
        gc.collect()
        heap_after, heap_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(
        f"\nsoak: rounds {rounds}; fds {fds} -> {_open_fds()}; "
        f"tasks {tasks} -> {len(asyncio.all_tasks())}; heap {heap} -> {heap_after} "
        f"(peak {heap_peak})"
    )
    assert all(count > 0 for count in rounds.values()), rounds
    assert _open_fds() == fds
    assert len(asyncio.all_tasks()) == tasks
    assert heap_after - heap <= _HEAP_SLACK
