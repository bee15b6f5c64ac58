"""The benchmarked implementations and the interface each one provides.

Every implementation plays the four roles of libzmq's perf tools, the two in-process ones,
and the two publish/subscribe roles:

===============  =========================  ==============================================
role             socket                     does
===============  =========================  ==============================================
``local_thr``    PULL, binds                waits for the first message, times the rest
``remote_thr``   PUSH, connects             sends *count* messages, closes with linger
``local_lat``    REP, binds                 echoes *count* requests
``remote_lat``   REQ, connects              times *count* round trips
``inproc_thr``   PUSH → PULL, inproc://     libzmq's ``inproc_thr``: both ends, one process
``inproc_lat``   REQ ⇄ REP, inproc://       libzmq's ``inproc_lat``: both ends, one process
``pub_thr``      PUB, binds                 syncs with N subscribers, publishes *count*
``sub_thr``      SUB, connects              times the messages it receives, counts losses
===============  =========================  ==============================================

``asyncio-raw`` is not a ZeroMQ implementation but the ceiling of pure Python on the loop: it
plays the four tcp/ipc roles only (see ``impl_raw``).

Implementations are loaded lazily by name, so that importing this module (and running
``aiomq-bench --impl aiomq``) needs neither pyzmq nor uvloop.
"""

from __future__ import annotations

import abc
import asyncio
import importlib
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from aiomq._bench import loops
from aiomq._bench.deps import BENCH_EXTRA_HINT
from aiomq._bench.errors import BenchError
from aiomq._bench.results import LatencyResult, SubscriberResult, ThroughputResult

__all__ = [
    "IMPLS",
    "ZMQ_IMPLS",
    "AsyncBackend",
    "Backend",
    "BoundCallback",
    "Hold",
    "PubBoundCallback",
    "check_size",
    "load_backend",
    "not_applicable",
    "wait_hold",
]

T = TypeVar("T")

BoundCallback = Callable[[str], None]
"""Called once with the resolved endpoint (e.g. the port chosen for ``tcp://host:*``)."""

PubBoundCallback = Callable[[str, str], None]
"""Called once with the resolved data endpoint and the resolved sync endpoint of ``pub_thr``."""

Hold = Callable[[], None]
"""Blocks until the helper side may close (``compare`` releases it when the peer is done).

libzmq can drop messages still queued for a slow peer when an ipc connection closes, even
with linger (zeromq/libzmq#4660), so ``compare`` keeps the non-measuring side open until the
measuring side has finished.
"""

IMPLS: tuple[str, ...] = ("aiomq", "zmq.asyncio", "pyzmq", "asyncio-raw")
"""Implementation names accepted by ``--impl``, in the order ``compare`` reports them."""

ZMQ_IMPLS: tuple[str, ...] = ("aiomq", "zmq.asyncio", "pyzmq")
"""The ZeroMQ implementations: the ones with inproc:// and PUB/SUB roles."""

_MODULES = {
    "aiomq": "aiomq._bench.impl_aiomq",
    "zmq.asyncio": "aiomq._bench.impl_zmq_asyncio",
    "pyzmq": "aiomq._bench.impl_pyzmq",
    "asyncio-raw": "aiomq._bench.impl_raw",
}

_PYZMQ_MISSING = (
    "the {impl!r} implementation needs pyzmq, which is not installed: install the bench extra "
    f"({BENCH_EXTRA_HINT})"
)


class Backend(Protocol):
    """One implementation's four perf roles (blocking calls; async ones run their own loop)."""

    @property
    def impl(self) -> str:
        """Implementation name, as accepted by ``--impl``."""
        ...

    @property
    def loop(self) -> loops.LoopName | None:
        """Event loop the roles run on, or ``None`` for a blocking implementation."""
        ...

    def local_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> ThroughputResult:
        """Bind a PULL socket, receive *count* messages and time all but the first."""
        ...

    def remote_thr(self, endpoint: str, size: int, count: int, hold: Hold | None = None) -> None:
        """Connect a PUSH socket, send *count* messages, call *hold*, close with linger."""
        ...

    def local_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """Bind a REP socket, echo *count* requests, call *hold*, close with linger."""
        ...

    def remote_lat(self, endpoint: str, size: int, count: int) -> LatencyResult:
        """Connect a REQ socket and time *count* round trips."""
        ...

    def inproc_thr(self, size: int, count: int) -> ThroughputResult:
        """PUSH → PULL over inproc:// in one process; time all but the first message."""
        ...

    def inproc_lat(self, size: int, count: int) -> LatencyResult:
        """REQ ⇄ REP over inproc:// in one process; time *count* round trips."""
        ...

    def pub_thr(
        self,
        endpoint: str,
        sync_endpoint: str,
        size: int,
        count: int,
        subscribers: int,
        on_bound: PubBoundCallback,
    ) -> None:
        """Bind PUB and a sync PULL, wait for *subscribers*, publish *count* messages."""
        ...

    def sub_thr(self, endpoint: str, sync_endpoint: str, size: int, count: int) -> SubscriberResult:
        """Connect SUB and a sync PUSH, receive and time the published messages."""
        ...


class AsyncBackend(abc.ABC):
    """Base for asyncio implementations: each role is a coroutine run on a fresh loop.

    Args:
        loop: Event loop to run the roles on.
    """

    impl: str = ""

    def __init__(self, loop: loops.LoopName) -> None:
        self._loop_name: loops.LoopName = loop

    @property
    def loop(self) -> loops.LoopName | None:
        """Event loop the roles run on."""
        return self._loop_name

    def _run(self, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return loops.run(main, self._loop_name)

    def local_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> ThroughputResult:
        """Run ``alocal_thr`` on this backend's loop."""
        elapsed = self._run(lambda: self.alocal_thr(endpoint, size, count, on_bound))
        return ThroughputResult(self.impl, self._loop_name, size, count, elapsed)

    def remote_thr(self, endpoint: str, size: int, count: int, hold: Hold | None = None) -> None:
        """Run ``aremote_thr`` on this backend's loop."""
        self._run(lambda: self.aremote_thr(endpoint, size, count, hold))

    def local_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """Run ``alocal_lat`` on this backend's loop."""
        self._run(lambda: self.alocal_lat(endpoint, size, count, on_bound, hold))

    def remote_lat(self, endpoint: str, size: int, count: int) -> LatencyResult:
        """Run ``aremote_lat`` on this backend's loop."""
        elapsed = self._run(lambda: self.aremote_lat(endpoint, size, count))
        return LatencyResult(self.impl, self._loop_name, size, count, elapsed)

    def inproc_thr(self, size: int, count: int) -> ThroughputResult:
        """Run ``ainproc_thr`` on this backend's loop."""
        elapsed = self._run(lambda: self.ainproc_thr(size, count))
        return ThroughputResult(self.impl, self._loop_name, size, count, elapsed)

    def inproc_lat(self, size: int, count: int) -> LatencyResult:
        """Run ``ainproc_lat`` on this backend's loop."""
        elapsed = self._run(lambda: self.ainproc_lat(size, count))
        return LatencyResult(self.impl, self._loop_name, size, count, elapsed)

    def pub_thr(
        self,
        endpoint: str,
        sync_endpoint: str,
        size: int,
        count: int,
        subscribers: int,
        on_bound: PubBoundCallback,
    ) -> None:
        """Run ``apub_thr`` on this backend's loop."""
        self._run(
            lambda: self.apub_thr(endpoint, sync_endpoint, size, count, subscribers, on_bound)
        )

    def sub_thr(self, endpoint: str, sync_endpoint: str, size: int, count: int) -> SubscriberResult:
        """Run ``asub_thr`` on this backend's loop."""
        received, elapsed = self._run(lambda: self.asub_thr(endpoint, sync_endpoint, size, count))
        return SubscriberResult(self.impl, self._loop_name, size, count, received, elapsed)

    async def ainproc_thr(self, size: int, count: int) -> float:
        """PUSH → PULL over inproc:// on one loop; returns the timed seconds.

        Raises:
            BenchError: This implementation has no inproc:// transport (the default).
        """
        raise not_applicable(self.impl, "inproc://")

    async def ainproc_lat(self, size: int, count: int) -> float:
        """REQ ⇄ REP over inproc:// on one loop; returns the timed seconds.

        Raises:
            BenchError: This implementation has no inproc:// transport (the default).
        """
        raise not_applicable(self.impl, "inproc://")

    async def apub_thr(
        self,
        endpoint: str,
        sync_endpoint: str,
        size: int,
        count: int,
        subscribers: int,
        on_bound: PubBoundCallback,
    ) -> None:
        """PUB side of the publish/subscribe test.

        Raises:
            BenchError: This implementation has no PUB/SUB (the default).
        """
        raise not_applicable(self.impl, "PUB/SUB")

    async def asub_thr(
        self, endpoint: str, sync_endpoint: str, size: int, count: int
    ) -> tuple[int, float]:
        """SUB side of the publish/subscribe test; returns (messages received, seconds).

        Raises:
            BenchError: This implementation has no PUB/SUB (the default).
        """
        raise not_applicable(self.impl, "PUB/SUB")

    @abc.abstractmethod
    async def alocal_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> float:
        """PULL side of the throughput test; returns the timed seconds."""

    @abc.abstractmethod
    async def aremote_thr(
        self, endpoint: str, size: int, count: int, hold: Hold | None = None
    ) -> None:
        """PUSH side of the throughput test."""

    @abc.abstractmethod
    async def alocal_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """REP side of the latency test."""

    @abc.abstractmethod
    async def aremote_lat(self, endpoint: str, size: int, count: int) -> float:
        """REQ side of the latency test; returns the timed seconds."""


async def wait_hold(hold: Hold | None) -> None:
    """Call *hold* in a worker thread, so the loop keeps flushing while it blocks."""
    if hold is not None:
        await asyncio.to_thread(hold)


def not_applicable(impl: str, what: str) -> BenchError:
    """Return the error for a role *impl* does not have (e.g. inproc:// for asyncio-raw)."""
    return BenchError(f"{impl} has no {what}: not applicable")


def check_size(received: int, expected: int) -> None:
    """Fail like libzmq's perf tools on a message of the wrong size.

    Raises:
        BenchError: *received* differs from *expected*.
    """
    if received != expected:
        raise BenchError(f"message of incorrect size received: {received} != {expected} bytes")


def load_backend(impl: str, loop: loops.LoopName = "asyncio") -> Backend:
    """Import and instantiate the implementation called *impl*.

    Args:
        impl: One of ``IMPLS``.
        loop: Event loop for asyncio implementations; ignored by blocking pyzmq.

    Returns:
        A ready ``Backend``.

    Raises:
        BenchError: *impl* is unknown, or its library (pyzmq, or aiomq's core) is unavailable.
    """
    try:
        module_name = _MODULES[impl]
    except KeyError:
        raise BenchError(
            f"unknown implementation {impl!r}; choose one of {', '.join(IMPLS)}"
        ) from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name is not None and exc.name.split(".")[0] == "zmq":
            raise BenchError(_PYZMQ_MISSING.format(impl=impl)) from exc
        raise
    backend: Backend = module.create(loop)
    return backend
