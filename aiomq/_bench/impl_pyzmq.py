"""The perf roles with blocking pyzmq (libzmq through Cython; the speed reference).

pyzmq is a development dependency of aiomq only: importing this module raises ImportError
when it is missing, which :func:`aiomq._bench.backends.load_backend` turns into a clear message.
Sends use pyzmq's defaults (frames above ``copy_threshold``, 64 KiB, go out without copying);
receives copy small messages into ``bytes`` and hand out zero-copy frames from 64 KiB up —
the usual way to use pyzmq for speed.
"""

from __future__ import annotations

import time
from typing import Any

import zmq

from aiomq._bench import loops
from aiomq._bench.backends import BoundCallback, Hold, check_size
from aiomq._bench.results import LatencyResult, ThroughputResult

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


def last_endpoint(sock: zmq.Socket[Any]) -> str:
    """The socket's ``LAST_ENDPOINT`` as str (pyzmq and zmq.asyncio sockets alike)."""
    endpoint = sock.last_endpoint
    return endpoint.decode() if isinstance(endpoint, bytes) else str(endpoint)


def create(loop: loops.LoopName) -> PyzmqBackend:
    """Return the pyzmq backend; *loop* is ignored (pyzmq blocks, it has no event loop)."""
    del loop
    return PyzmqBackend()
