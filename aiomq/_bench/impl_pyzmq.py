"""The perf roles with blocking pyzmq (libzmq through Cython; the speed reference).

pyzmq is a development dependency of aiomq only: importing this module raises ImportError
when it is missing, which ``aiomq._bench.backends.load_backend`` turns into a clear message.
Sends use pyzmq's defaults (frames above ``copy_threshold``, 64 KiB, go out without copying);
receives copy small messages into ``bytes`` and hand out zero-copy frames from 64 KiB up —
the usual way to use pyzmq for speed. The inproc:// roles run the second end in a thread, as
libzmq's ``inproc_thr``/``inproc_lat`` do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import zmq

from aiomq._bench import loops, pubsub
from aiomq._bench.backends import BoundCallback, Hold, PubBoundCallback, check_size
from aiomq._bench.errors import BenchError
from aiomq._bench.results import LatencyResult, SubscriberResult, ThroughputResult

__all__ = ["PyzmqBackend", "create"]

ZERO_COPY_FROM = 65536
"""Receive without copying from this message size up (pyzmq's own ``COPY_THRESHOLD``)."""


class PyzmqBackend:
    """Blocking pyzmq: one OS thread, libzmq's I/O thread doing the socket work."""

    impl = "pyzmq"
    loop: loops.LoopName | None = None

    def local_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> ThroughputResult:
        """Bind PULL, receive *count* messages and time all but the first."""
        ctx = zmq.Context()
        sock = ctx.socket(zmq.PULL)
        try:
            sock.bind(endpoint)
            on_bound(last_endpoint(sock))
            copy = size < ZERO_COPY_FROM
            recv = sock.recv
            check_size(len(recv(copy=copy)), size)
            start = time.perf_counter()
            for _ in range(count - 1):
                msg = recv(copy=copy)
                if len(msg) != size:
                    check_size(len(msg), size)
            elapsed = time.perf_counter() - start
        finally:
            sock.close(linger=0)
            ctx.term()
        return ThroughputResult(self.impl, None, size, count, elapsed)

    def remote_thr(self, endpoint: str, size: int, count: int, hold: Hold | None = None) -> None:
        """Connect PUSH, send *count* messages, close and wait for delivery (linger -1)."""
        ctx = zmq.Context()
        sock = ctx.socket(zmq.PUSH)
        try:
            sock.connect(endpoint)
            data = bytes(size)
            send = sock.send
            for _ in range(count):
                send(data)
            if hold is not None:
                hold()
        finally:
            sock.close()
            ctx.term()

    def local_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """Bind REP and echo *count* requests."""
        ctx = zmq.Context()
        sock = ctx.socket(zmq.REP)
        try:
            sock.bind(endpoint)
            on_bound(last_endpoint(sock))
            copy = size < ZERO_COPY_FROM
            recv = sock.recv
            send = sock.send
            for _ in range(count):
                msg = recv(copy=copy)
                if len(msg) != size:
                    check_size(len(msg), size)
                send(msg)
            if hold is not None:
                hold()
        finally:
            sock.close()
            ctx.term()

    def remote_lat(self, endpoint: str, size: int, count: int) -> LatencyResult:
        """Connect REQ and time *count* round trips (connection set-up included, as libzmq)."""
        ctx = zmq.Context()
        sock = ctx.socket(zmq.REQ)
        try:
            sock.connect(endpoint)
            copy = size < ZERO_COPY_FROM
            data = bytes(size)
            recv = sock.recv
            send = sock.send
            start = time.perf_counter()
            for _ in range(count):
                send(data)
                msg = recv(copy=copy)
                if len(msg) != size:
                    check_size(len(msg), size)
            elapsed = time.perf_counter() - start
        finally:
            sock.close(linger=0)
            ctx.term()
        return LatencyResult(self.impl, None, size, count, elapsed)

    def inproc_thr(self, size: int, count: int) -> ThroughputResult:
        """PUSH thread → PULL over inproc://thr_test; time all but the first message."""
        ctx = zmq.Context()
        pull = ctx.socket(zmq.PULL)
        try:
            pull.bind("inproc://thr_test")

            def worker() -> None:
                push = ctx.socket(zmq.PUSH)
                try:
                    push.connect("inproc://thr_test")
                    data = bytes(size)
                    send = push.send
                    for _ in range(count):
                        send(data)
                finally:
                    push.close()

            with _Worker(worker):
                copy = size < ZERO_COPY_FROM
                recv = pull.recv
                check_size(len(recv(copy=copy)), size)
                start = time.perf_counter()
                for _ in range(count - 1):
                    msg = recv(copy=copy)
                    if len(msg) != size:
                        check_size(len(msg), size)
                elapsed = time.perf_counter() - start
        finally:
            pull.close(linger=0)
            ctx.term()
        return ThroughputResult(self.impl, None, size, count, elapsed)

    def inproc_lat(self, size: int, count: int) -> LatencyResult:
        """REQ (binds inproc://lat_test) ⇄ REP thread; time *count* round trips."""
        ctx = zmq.Context()
        req = ctx.socket(zmq.REQ)
        copy = size < ZERO_COPY_FROM
        try:
            req.bind("inproc://lat_test")

            def worker() -> None:
                rep = ctx.socket(zmq.REP)
                try:
                    rep.connect("inproc://lat_test")
                    recv = rep.recv
                    send = rep.send
                    for _ in range(count):
                        send(recv(copy=copy))
                finally:
                    rep.close()

            with _Worker(worker):
                data = bytes(size)
                recv = req.recv
                send = req.send
                start = time.perf_counter()
                for _ in range(count):
                    send(data)
                    msg = recv(copy=copy)
                    if len(msg) != size:
                        check_size(len(msg), size)
                elapsed = time.perf_counter() - start
        finally:
            req.close(linger=0)
            ctx.term()
        return LatencyResult(self.impl, None, size, count, elapsed)

    def pub_thr(
        self,
        endpoint: str,
        sync_endpoint: str,
        size: int,
        count: int,
        subscribers: int,
        on_bound: PubBoundCallback,
    ) -> None:
        """Bind PUB and a sync PULL, sync with *subscribers*, publish *count* messages.

        The same protocol as ``aiomq._bench.pubsub.publish``, with blocking calls.
        """
        ctx = zmq.Context()
        pub = ctx.socket(zmq.PUB)
        sync = ctx.socket(zmq.PULL)
        try:
            pub.setsockopt(zmq.SNDHWM, 0)
            pub.bind(endpoint)
            sync.bind(sync_endpoint)
            on_bound(last_endpoint(pub), last_endpoint(sync))
            probe, end = pubsub.control_messages(size)
            ready = 0
            while ready < subscribers:
                pub.send(probe)
                ready += _collect(sync, subscribers - ready, pubsub.PROBE_INTERVAL)
            data = bytes(size)
            send = pub.send
            for _ in range(count):
                send(data)
            done = 0
            while done < subscribers:
                pub.send(end)
                done += _collect(sync, subscribers - done, pubsub.END_INTERVAL)
        finally:
            pub.close(linger=0)
            sync.close(linger=0)
            ctx.term()

    def sub_thr(self, endpoint: str, sync_endpoint: str, size: int, count: int) -> SubscriberResult:
        """Connect SUB and a sync PUSH; receive and time the published messages.

        The same protocol as ``aiomq._bench.pubsub.subscribe``, with blocking calls.
        """
        ctx = zmq.Context()
        sub = ctx.socket(zmq.SUB)
        sync = ctx.socket(zmq.PUSH)
        copy = size < ZERO_COPY_FROM
        _probe, end = pubsub.control_messages(size)
        received, elapsed = 0, 0.0
        try:
            sub.setsockopt(zmq.RCVHWM, 0)
            sub.setsockopt(zmq.SUBSCRIBE, b"")
            sub.connect(endpoint)
            sync.connect(sync_endpoint)
            recv = sub.recv
            recv()  # the first probe
            sync.send(pubsub.READY)
            while True:
                msg = recv(copy=copy)
                if len(msg) == size or len(msg) == len(end):
                    break
            if len(msg) == size:
                start = time.perf_counter()
                received = 1
                while received < count:
                    msg = recv(copy=copy)
                    if len(msg) != size:
                        break
                    received += 1
                elapsed = time.perf_counter() - start
            sync.send(pubsub.DONE)
        finally:
            sub.close(linger=0)
            sync.close()
            ctx.term()
        return SubscriberResult(self.impl, None, size, count, received, elapsed)


class _Worker:
    """Runs *target* in a thread for the duration of a ``with`` block; re-raises its error."""

    def __init__(self, target: Callable[[], None]) -> None:
        self._target = target
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="aiomq-bench-worker", daemon=True)

    def _run(self) -> None:
        try:
            self._target()
        except BaseException as exc:
            self._error = exc

    def __enter__(self) -> _Worker:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        if exc_type is not None:
            return  # the caller failed; the daemon thread may be blocked for good
        self._thread.join()
        if self._error is not None:
            raise BenchError(f"worker thread failed: {self._error!r}") from self._error


def _collect(sock: zmq.Socket[Any], wanted: int, seconds: float) -> int:
    """Receive up to *wanted* messages within *seconds*; return how many arrived."""
    got = 0
    deadline = time.monotonic() + seconds
    while got < wanted:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not sock.poll(max(1, int(remaining * 1000))):
            break
        sock.recv()
        got += 1
    return got


def last_endpoint(sock: zmq.Socket[Any]) -> str:
    """The socket's ``LAST_ENDPOINT`` as str (pyzmq and zmq.asyncio sockets alike)."""
    endpoint = sock.last_endpoint
    return endpoint.decode() if isinstance(endpoint, bytes) else str(endpoint)


def create(loop: loops.LoopName) -> PyzmqBackend:
    """Return the pyzmq backend; *loop* is ignored (pyzmq blocks, it has no event loop)."""
    del loop
    return PyzmqBackend()
