"""The PUB → N SUB throughput test: its sync protocol, shared by every implementation.

A publisher cannot know when a subscriber's subscription has reached it (ZeroMQ's *slow
joiner*): messages published before that are silently dropped for that subscriber. The test
therefore synchronises over a side channel before it publishes anything:

1. the publisher binds its PUB socket and a PULL *sync* socket; each subscriber connects a SUB
   socket (subscribed to everything) and a PUSH socket to the sync endpoint;
2. the publisher publishes a *probe* every 10 ms until every subscriber has pushed ``ready``;
   a subscriber pushes ``ready`` once it has received a probe, i.e. once the publisher is
   known to deliver to it;
3. the publisher publishes *count* messages of *size* bytes as fast as it can;
4. each subscriber times from the first data message to the last (libzmq's ``local_thr``
   stopwatch) and pushes ``done``; the publisher publishes an *end* marker every 50 ms until
   every subscriber is done, so a subscriber that lost messages still stops.

Probes and end markers differ in length from the data messages (never *size* bytes long), so
the subscriber tells them apart with one ``len()``. High-water marks are set to 0 (no limit) on
both sides, as in libzmq, so a publisher that outruns its subscribers queues rather than drops;
any loss is reported (``messages lost``), not hidden.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sized

from aiomq._bench.errors import BenchError

__all__ = [
    "DONE",
    "END_INTERVAL",
    "PROBE_INTERVAL",
    "READY",
    "control_messages",
    "publish",
    "subscribe",
    "sync_endpoint_for",
]

READY = b"ready"
"""What a subscriber pushes once it has received a probe."""

DONE = b"done"
"""What a subscriber pushes once it has finished receiving."""

PROBE_INTERVAL = 0.01
"""Seconds between probes while the publisher waits for its subscribers."""

END_INTERVAL = 0.05
"""Seconds between end markers while the publisher waits for its subscribers to finish."""

SendFn = Callable[[bytes], Awaitable[object]]
RecvFn = Callable[[], Awaitable[Sized]]


def control_messages(size: int) -> tuple[bytes, bytes]:
    """Return the probe and the end marker for data messages of *size* bytes.

    Both differ in length from *size*, so that ``len(msg) == size`` identifies data.

    Args:
        size: Data message size in bytes.

    Returns:
        ``(probe, end)``.
    """
    probe = b"probe!" if size == 5 else b"probe"
    end = b"end!" if size == 3 else b"end"
    return probe, end


def sync_endpoint_for(endpoint: str) -> str:
    """Derive the default sync endpoint from the data endpoint.

    ``tcp://host:PORT`` → ``tcp://host:PORT+1``; ``tcp://host:*`` stays a wildcard (the
    publisher announces what it got); ``ipc://PATH`` → ``ipc://PATH.sync``.

    Args:
        endpoint: The PUB socket's endpoint.

    Returns:
        The sync endpoint.

    Raises:
        BenchError: *endpoint* has no derivable sync endpoint (pass ``--sync``).
    """
    scheme, sep, address = endpoint.partition("://")
    if sep and scheme == "ipc" and address:
        return f"{endpoint}.sync"
    if sep and scheme == "tcp":
        host, colon, port = address.rpartition(":")
        if colon and port == "*":
            return endpoint
        if colon and port.isdigit():
            return f"tcp://{host}:{int(port) + 1}"
    raise BenchError(f"cannot derive a sync endpoint from {endpoint!r}; pass --sync ENDPOINT")


class _SyncReceiver:
    """Receives sync messages with a deadline, never cancelling a receive.

    zmq.asyncio's ``recv`` is not cancellation-safe: a receive cancelled by a timeout can
    consume a message and lose it, and a lost ``ready`` or ``done`` would leave the
    publisher waiting for good. So one receive stays pending across deadlines instead.
    """

    def __init__(self, recv: RecvFn) -> None:
        self._recv = recv
        self._pending: asyncio.Future[Sized] | None = None

    async def collect(self, wanted: int, seconds: float) -> int:
        """Receive up to *wanted* sync messages within *seconds*; return how many arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        got = 0
        while got < wanted:
            if self._pending is None:
                self._pending = asyncio.ensure_future(self._recv())
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            done, _ = await asyncio.wait({self._pending}, timeout=remaining)
            if not done:
                break
            self._pending.result()
            self._pending = None
            got += 1
        return got

    def close(self) -> None:
        """Drop the receive still pending (nothing more is expected)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None


async def publish(send: SendFn, sync_recv: RecvFn, size: int, count: int, subscribers: int) -> None:
    """Publisher side: sync with *subscribers*, publish *count* messages, wait until done.

    Args:
        send: The PUB socket's ``send``.
        sync_recv: The sync PULL socket's ``recv``.
        size: Data message size in bytes.
        count: Data messages to publish.
        subscribers: Subscribers to wait for.
    """
    probe, end = control_messages(size)
    sync = _SyncReceiver(sync_recv)
    try:
        ready = 0
        while ready < subscribers:
            await send(probe)
            ready += await sync.collect(subscribers - ready, PROBE_INTERVAL)
        data = bytes(size)
        for _ in range(count):
            await send(data)
        done = 0
        while done < subscribers:
            await send(end)
            done += await sync.collect(subscribers - done, END_INTERVAL)
    finally:
        sync.close()


async def subscribe(recv: RecvFn, sync_send: SendFn, size: int, count: int) -> tuple[int, float]:
    """Subscriber side: sync, then receive and time the published messages.

    Args:
        recv: The SUB socket's ``recv``.
        sync_send: The sync PUSH socket's ``send``.
        size: Data message size in bytes.
        count: Data messages the publisher sends.

    Returns:
        ``(received, elapsed_s)``: data messages received and the seconds from the first to
        the last of them.
    """
    _probe, end = control_messages(size)
    await recv()  # the first probe: from now on the publisher delivers to us
    await sync_send(READY)
    while True:  # skip later probes
        msg = await recv()
        if len(msg) == size:
            break
        if len(msg) == len(end):  # every data message was lost
            await sync_send(DONE)
            return 0, 0.0
    start = time.perf_counter()
    received = 1
    while received < count:
        msg = await recv()
        if len(msg) != size:  # the end marker: the rest was lost
            break
        received += 1
    elapsed = time.perf_counter() - start
    await sync_send(DONE)
    return received, elapsed
