"""``aiomq-bench idle-conns``: what one idle aiomq connection costs, on each side.

The target is "idle connections ≤ 16 KiB each (10,000 connections)", so that a server can
hold many mostly-silent peers. This module measures it. One ROUTER binds
(``tcp://127.0.0.1:*`` or an ``ipc://`` path in a temporary directory) in the calling
process; a child process opens N DEALER sockets, each connecting to it once. The two sides
are measured separately, so both figures are clean:

* **bind side** — memory per *accepted connection* of the ROUTER (engine, codec, pipe,
  routing entries, the loop's transport and selector entries);
* **connect side** — memory per *connecting socket with one connection* (the whole
  DEALER: socket, options, connection manager, session, pipe, engine, codec, transport).

Two processes also keep each under ``RLIMIT_NOFILE``: 10,000 connections need about
10,000 file descriptors per side (20,000 in one process), and this module raises the soft
limit as far as the hard limit allows, then refuses clearly if that is too low.

Each side first opens one warm-up connection (so that one-time allocations such as the
engines' shared receive buffer, module caches and first-instance costs are not counted),
then runs ``gc.collect()`` and samples; then the N connections are made and the side
waits — with a deadline, counting ``HANDSHAKE_SUCCEEDED`` monitor events through
``aiomq.Socket.add_monitor_listener``, never polling — until every handshake
completed, collects garbage and samples again. This is done twice (the connections of
the first round are closed before the second), and reported per connection:

* the **RSS** growth (``/proc/self/statm``) of the first round, which runs *without*
  tracemalloc: its bookkeeping (a trace per live block) would inflate RSS by several KiB
  per connection. RSS includes what the heap figure misses (allocator headers, slack and
  fragmentation); kernel socket buffers and socket structures are kernel memory and
  appear in neither figure;
* the **Python heap** growth of the second round, run under ``tracemalloc`` (live
  traced bytes after minus before), and the allocation lines that grew most.

The target is read as: both figures ≤ 16 KiB per connection, on each side.

Layer 7.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TypeVar, cast

import aiomq
from aiomq._bench import loops
from aiomq._bench.errors import BenchError

__all__ = [
    "TARGET_BYTES",
    "Allocation",
    "IdleResult",
    "SideResult",
    "main",
    "measure_idle",
    "register",
    "run",
]

TARGET_BYTES = 16 * 1024
"""The target: an idle connection costs at most this much (heap and RSS, each side)."""

Transport = Literal["tcp", "ipc"]
Side = Literal["bind", "connect"]

_TRANSPORTS: tuple[Transport, ...] = ("tcp", "ipc")
_WAVE = 100  # connections opened at once: the listen backlog (libzmq's ZMQ_BACKLOG)
_FD_SPARE = 64  # file descriptors beyond one per connection (listener, pipes, epoll, ...)
_TOP = 12  # allocation sites reported per side
_SETTLE_ITERATIONS = 3
_FAILED = (
    aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL
    | aiomq.Event.HANDSHAKE_FAILED_PROTOCOL
    | aiomq.Event.HANDSHAKE_FAILED_AUTH
    | aiomq.Event.DISCONNECTED
)


@dataclasses.dataclass(frozen=True, slots=True)
class Allocation:
    """One allocation site's growth, per connection (tracemalloc, grouped by line).

    Attributes:
        site: ``path:line`` of the allocating line, relative to ``sys.path``.
        bytes_per_connection: Traced bytes the site gained, divided by the connections.
        blocks_per_connection: Memory blocks the site gained, divided by the connections.
    """

    site: str
    bytes_per_connection: float
    blocks_per_connection: float


@dataclasses.dataclass(frozen=True, slots=True)
class SideResult:
    """The measurement of one side.

    Attributes:
        side: ``"bind"`` (per accepted connection) or ``"connect"`` (per connecting
            socket with one connection).
        socket_type: The socket type on this side.
        connections: Connections (bind) or sockets (connect) measured.
        handshakes: ``HANDSHAKE_SUCCEEDED`` events counted for them (warm-up excluded).
        heap_bytes: Growth of the traced Python heap (0 unless ``traced``).
        rss_bytes: Growth of the resident set size, measured without tracemalloc.
        traced: Whether the heap was measured (``heap_bytes`` and ``top``).
        fd_limit: The soft ``RLIMIT_NOFILE`` the side ran with.
        seconds: Time from the first connect (or accept) to the last handshake.
        top: The allocation sites that grew most, largest first.
    """

    side: Side
    socket_type: str
    connections: int
    handshakes: int
    heap_bytes: int
    rss_bytes: int
    traced: bool
    fd_limit: int
    seconds: float
    top: tuple[Allocation, ...]

    @property
    def heap_per_connection(self) -> float:
        """Python heap bytes per connection."""
        return self.heap_bytes / self.connections

    @property
    def rss_per_connection(self) -> float:
        """RSS bytes per connection (measured without tracemalloc)."""
        return self.rss_bytes / self.connections

    def to_json(self) -> dict[str, object]:
        """The result as a JSON-ready dict (per-connection figures included)."""
        data = dataclasses.asdict(self)
        data["top"] = [dataclasses.asdict(site) for site in self.top]
        data["heap_per_connection"] = round(self.heap_per_connection, 1)
        data["rss_per_connection"] = round(self.rss_per_connection, 1)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SideResult:
        """Rebuild a result from ``to_json`` (as sent by the child process).

        Raises:
            BenchError: ``data`` is not such a dict.
        """
        try:
            sites = _get(data, "top", list)
            name = _get(data, "side", str)
            if name not in ("bind", "connect"):
                raise TypeError(f"side {name!r}")
            side: Side = "bind" if name == "bind" else "connect"
            return cls(
                side=side,
                socket_type=_get(data, "socket_type", str),
                connections=_get(data, "connections", int),
                handshakes=_get(data, "handshakes", int),
                heap_bytes=_get(data, "heap_bytes", int),
                rss_bytes=_get(data, "rss_bytes", int),
                traced=_get(data, "traced", bool),
                fd_limit=_get(data, "fd_limit", int),
                seconds=_get(data, "seconds", float),
                top=tuple(
                    Allocation(
                        _get(site, "site", str),
                        _get(site, "bytes_per_connection", float),
                        _get(site, "blocks_per_connection", float),
                    )
                    for site in sites
                ),
            )
        except (KeyError, TypeError) as exc:
            raise BenchError(f"malformed result from the connecting process: {exc}") from exc


_T = TypeVar("_T")


def _get(data: object, name: str, kind: type[_T]) -> _T:
    """``data[name]`` checked to be a ``kind`` (an int is accepted as a float).

    Raises:
        KeyError: ``data`` has no ``name``.
        TypeError: ``data`` is not a dict, or the value has another type.
    """
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, got {data!r}")
    value: object = data[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise TypeError(f"{name}: expected {kind.__name__}, got {value!r}")
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class IdleResult:
    """What N idle connections cost, on both sides.

    Attributes:
        connections: Connections measured (N).
        transport: ``"tcp"`` or ``"ipc"``.
        loop: ``"asyncio"`` or ``"uvloop"`` (the same on both sides).
        bind: The binding side (ROUTER), per accepted connection.
        connect: The connecting side (DEALER sockets), per socket with one connection.
    """

    connections: int
    transport: Transport
    loop: loops.LoopName
    bind: SideResult
    connect: SideResult

    @property
    def within_target(self) -> bool:
        """Both figures of both sides are at most ``TARGET_BYTES``."""
        return all(
            max(side.heap_per_connection, side.rss_per_connection) <= TARGET_BYTES
            for side in (self.bind, self.connect)
        )

    def lines(self) -> list[str]:
        """The report as text lines (``connections: N``, ``memory per connection: N [B]``)."""
        out = [
            f"connections: {self.connections}",
            f"transport: {self.transport}",
            f"loop: {self.loop}",
        ]
        for side, what in (
            (self.bind, "per accepted connection"),
            (self.connect, "per socket with one connection"),
        ):
            out += [
                f"{side.side} side: {side.socket_type}, {what}",
                f"  handshakes: {side.handshakes}",
            ]
            if side.traced:
                out.append(
                    f"  memory per connection: {side.heap_per_connection:.0f} [B] "
                    "(Python heap, tracemalloc)"
                )
            out.append(
                f"  memory per connection: {side.rss_per_connection:.0f} [B] "
                "(RSS, run without tracemalloc)"
            )
            out.append(f"  time to connect: {side.seconds:.3f} [s]")
        verdict = "met" if self.within_target else "NOT met"
        out.append(f"target: {TARGET_BYTES} [B] per connection, heap and RSS, each side: {verdict}")
        for side in (self.bind, self.connect):
            if not side.traced:
                continue
            out.append(f"top allocations per connection, {side.side} side (tracemalloc, by line):")
            out += [
                f"  {site.bytes_per_connection:8.1f} [B] {site.blocks_per_connection:5.2f} "
                f"blocks  {site.site}"
                for site in side.top
            ]
        return out

    def to_json(self) -> dict[str, object]:
        """The result as a JSON-ready dict."""
        return {
            "connections": self.connections,
            "transport": self.transport,
            "loop": self.loop,
            "target_bytes": TARGET_BYTES,
            "within_target": self.within_target,
            "bind": self.bind.to_json(),
            "connect": self.connect.to_json(),
        }


# -- measuring ----------------------------------------------------------------------------


class _Handshakes:
    """A monitor listener counting completed handshakes, waking a waiter at a target.

    Shared by every socket of a side, so that counting costs nothing per connection.
    """

    def __init__(self) -> None:
        self.succeeded = 0
        self.failed: list[str] = []
        self._listening = asyncio.get_running_loop().create_future()
        self._target = 0
        self._reached: asyncio.Future[None] | None = None

    def __call__(self, event: aiomq.Event, endpoint: str, value: int | str) -> None:
        if event == aiomq.Event.HANDSHAKE_SUCCEEDED:
            self.succeeded += 1
            reached = self._reached
            if reached is not None and self.succeeded >= self._target and not reached.done():
                reached.set_result(None)
        elif event & _FAILED:
            self.failed.append(f"{event.name} {endpoint}")
            reached = self._reached
            if reached is not None and not reached.done():
                reached.set_exception(BenchError(f"connection failed: {event.name} {endpoint}"))
        elif event == aiomq.Event.LISTENING and not self._listening.done():
            self._listening.set_result(None)

    async def listening(self) -> None:
        """Wait for the bound socket's ``LISTENING`` event."""
        await self._listening

    async def reach(self, target: int) -> None:
        """Wait until ``target`` handshakes succeeded in all.

        Raises:
            BenchError: A handshake failed or a connection dropped (the counts would
                no longer be exact).
        """
        if self.failed:
            raise BenchError(f"connections failed: {', '.join(self.failed[:5])}")
        if self.succeeded >= target:
            return
        self._target = target
        self._reached = asyncio.get_running_loop().create_future()
        await self._reached


@dataclasses.dataclass(frozen=True, slots=True)
class _Sample:
    heap: int
    rss: int


def _sample() -> _Sample:
    gc.collect()
    heap = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return _Sample(heap, _rss())


async def _settle() -> None:
    """Let the loop run what the last handshakes scheduled (e.g. dropping the cancelled
    handshake timers from its heap, uvloop's handle closes) before sampling: a couple of
    iterations, not a wait for a condition."""
    for _ in range(_SETTLE_ITERATIONS):
        await asyncio.sleep(0)


def _rss() -> int:
    """The resident set size in bytes (``/proc/self/statm``; peak RSS where it is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _raise_fd_limit(needed: int) -> int:
    """Raise the soft RLIMIT_NOFILE as far as the hard limit allows; return it.

    Raises:
        BenchError: Even the hard limit is below ``needed``.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if wanted > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    if soft < needed:
        raise BenchError(
            f"{needed} file descriptors needed per process but RLIMIT_NOFILE allows {soft} "
            f"(hard limit {hard}); raise it (ulimit -Hn) or measure fewer connections"
        )
    return soft


def _site_name(filename: str) -> str:
    """``filename`` relative to the longest ``sys.path`` entry that contains it."""
    for entry in sorted((p for p in sys.path if p), key=len, reverse=True):
        prefix = entry.rstrip(os.sep) + os.sep
        if filename.startswith(prefix):
            return filename[len(prefix) :]
    return filename


def _top_sites(before: tracemalloc.Snapshot, count: int, top: int) -> tuple[Allocation, ...]:
    """The ``top`` lines whose traced memory grew most since ``before``, per connection."""
    ignore = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
    ]
    after = tracemalloc.take_snapshot().filter_traces(ignore)
    stats = after.compare_to(before.filter_traces(ignore), "lineno")
    grown = sorted((s for s in stats if s.size_diff > 0), key=lambda s: -s.size_diff)
    sites: list[Allocation] = []
    for stat in grown[:top]:
        frame = stat.traceback[0]
        sites.append(
            Allocation(
                f"{_site_name(frame.filename)}:{frame.lineno}",
                round(stat.size_diff / count, 1),
                round(stat.count_diff / count, 2),
            )
        )
    return tuple(sites)


class _Meter:
    """Samples one side before and after its connections (tracemalloc running between,
    unless ``trace`` is false)."""

    def __init__(self, *, trace: bool) -> None:
        gc.collect()
        self._snapshot: tracemalloc.Snapshot | None = None
        if trace:
            tracemalloc.start()
            self._snapshot = tracemalloc.take_snapshot()
        self._before = _sample()
        self._started = time.perf_counter()

    def finish(
        self,
        side: Side,
        socket_type: str,
        count: int,
        handshakes: int,
        fd_limit: int,
        top: int,
    ) -> SideResult:
        """Sample again and stop tracemalloc."""
        seconds = time.perf_counter() - self._started
        after = _sample()
        sites: tuple[Allocation, ...] = ()
        if self._snapshot is not None:
            try:
                sites = _top_sites(self._snapshot, count, top)
            finally:
                tracemalloc.stop()
        return SideResult(
            side=side,
            socket_type=socket_type,
            connections=count,
            handshakes=handshakes,
            heap_bytes=after.heap - self._before.heap,
            rss_bytes=after.rss - self._before.rss,
            traced=self._snapshot is not None,
            fd_limit=fd_limit,
            seconds=seconds,
            top=sites,
        )


def _loop_name() -> loops.LoopName:
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.split(".")[0] == "uvloop" else "asyncio"


def _child_env() -> dict[str, str]:
    """The environment for the child: aiomq importable even from a source checkout."""
    root = str(Path(aiomq.__file__).resolve().parent.parent)
    paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


async def _read_json(stream: asyncio.StreamReader, what: str) -> dict[str, object]:
    line = await stream.readline()
    if not line:
        raise BenchError(f"the connecting process exited before {what}")
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise BenchError(f"unexpected output from the connecting process: {line!r}") from exc
    if not isinstance(data, dict):
        raise BenchError(f"unexpected output from the connecting process: {line!r}")
    return cast(dict[str, object], data)


async def measure_idle(
    count: int,
    transport: str = "tcp",
    *,
    top: int = _TOP,
    trace: bool = True,
    timeout: float | None = None,  # noqa: ASYNC109 - a deadline for each round
) -> IdleResult:
    """Measure what ``count`` idle connections cost on the binding and connecting side.

    The binding side (one ROUTER) runs in the calling loop; the connecting side (``count``
    DEALER sockets, one connection each) runs in a child process on the same kind of loop.
    See the module docstring for the method.

    Args:
        count: Connections to open (at least 1).
        transport: ``"tcp"`` (``127.0.0.1``) or ``"ipc"``.
        top: Allocation sites to report per side.
        trace: Also run the second, traced round (heap figures and allocation sites);
            without it only RSS is measured.
        timeout: Seconds allowed for each round; default ``30 + count / 200``.

    Returns:
        Both sides' figures.

    Raises:
        BenchError: Not enough file descriptors, a connection failed, the child process
            failed, or the deadline passed.
        ValueError: ``count`` below 1 or an unknown transport.

    Not cancellation-safe in the sense of leaving nothing behind: a cancelled measurement
    kills the child process and closes the sockets, but tracemalloc stays as it was.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if transport not in _TRANSPORTS:
        raise ValueError(f"transport must be one of {', '.join(_TRANSPORTS)}, got {transport!r}")
    if tracemalloc.is_tracing():
        raise BenchError("tracemalloc is already tracing; the measurement needs it to itself")
    deadline = 30.0 + count / 200 if timeout is None else timeout
    loop = _loop_name()
    bind, connect = await _round(count, transport, loop, top, trace=False, deadline=deadline)
    if trace:
        traced = await _round(count, transport, loop, top, trace=True, deadline=deadline)
        bind, connect = (
            dataclasses.replace(rss, heap_bytes=heap.heap_bytes, traced=True, top=heap.top)
            for rss, heap in zip((bind, connect), traced, strict=True)
        )
    return IdleResult(count, transport, loop, bind, connect)


async def _round(
    count: int, transport: str, loop: loops.LoopName, top: int, *, trace: bool, deadline: float
) -> tuple[SideResult, SideResult]:
    """One measurement: bind here, connect ``count`` DEALERs in a child, sample both."""
    fd_limit = _raise_fd_limit(count + _FD_SPARE)
    workdir = tempfile.mkdtemp(prefix="aiomq-idle-") if transport == "ipc" else None
    ctx = aiomq.Context()
    server = ctx.socket(aiomq.ROUTER)
    proc: asyncio.subprocess.Process | None = None
    try:
        async with asyncio.timeout(deadline):
            handshakes = _Handshakes()
            server.add_monitor_listener(handshakes)
            server.bind("tcp://127.0.0.1:*" if workdir is None else f"ipc://{workdir}/idle.sock")
            await handshakes.listening()
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "aiomq._bench.idle",
                server.last_endpoint.decode(),
                str(count),
                loop,
                str(top),
                "trace" if trace else "rss",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=_child_env(),
            )
            assert proc.stdin is not None
            assert proc.stdout is not None
            await _read_json(proc.stdout, "its warm-up connection")
            await handshakes.reach(1)  # the child's warm-up connection
            meter = _Meter(trace=trace)
            proc.stdin.write(b"go\n")
            await handshakes.reach(1 + count)
            await _settle()
            bind = meter.finish("bind", "ROUTER", count, handshakes.succeeded - 1, fd_limit, top)
            connect = SideResult.from_json(await _read_json(proc.stdout, "its result"))
            if handshakes.failed:
                raise BenchError(f"connections failed: {', '.join(handshakes.failed[:5])}")
            proc.stdin.close()
            if await proc.wait():
                raise BenchError(f"the connecting process exited with status {proc.returncode}")
    except TimeoutError:
        raise BenchError(f"idle-conns did not complete within {deadline:.0f} s") from None
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        if proc is not None and proc.returncode is None:
            proc.kill()
            await proc.wait()
        server.close(linger=0)
        await ctx.term()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return bind, connect


async def _connect_side(endpoint: str, count: int, top: int, *, trace: bool) -> SideResult:
    """The child: warm up, wait for ``go``, connect ``count`` DEALERs, report, hold."""
    fd_limit = _raise_fd_limit(count + _FD_SPARE)
    loop = asyncio.get_running_loop()
    ctx = aiomq.Context()
    handshakes = _Handshakes()
    warm = ctx.socket(aiomq.DEALER)
    warm.add_monitor_listener(handshakes)
    warm.connect(endpoint)
    await handshakes.reach(1)
    warm.remove_monitor_listener(handshakes)
    _emit({"warm": True})
    await loop.run_in_executor(None, sys.stdin.readline)
    meter = _Meter(trace=trace)
    sockets: list[aiomq.Socket] = []
    for start in range(0, count, _WAVE):
        for _ in range(min(_WAVE, count - start)):
            sock = ctx.socket(aiomq.DEALER)
            sock.add_monitor_listener(handshakes)
            sock.connect(endpoint)
            sockets.append(sock)
        await handshakes.reach(1 + len(sockets))
    for sock in sockets:  # the counter is the harness's, not the connection's
        sock.remove_monitor_listener(handshakes)
    await _settle()
    result = meter.finish("connect", "DEALER", count, handshakes.succeeded - 1, fd_limit, top)
    if handshakes.failed:
        raise BenchError(f"connections failed: {', '.join(handshakes.failed[:5])}")
    _emit(result.to_json())
    await loop.run_in_executor(None, sys.stdin.read)  # hold the connections until EOF
    ctx.destroy(linger=0)
    await ctx.term()
    return result


def _emit(data: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def _child_main(argv: Sequence[str]) -> int:
    """``python -m aiomq._bench.idle ENDPOINT COUNT LOOP TOP trace|rss``: the connecting side."""
    endpoint, count, loop, top, mode = argv
    try:
        loops.run(
            lambda: _connect_side(endpoint, int(count), int(top), trace=mode == "trace"),
            cast(loops.LoopName, loop),
        )
    except BenchError as exc:
        print(f"idle-conns (connecting side): {exc}", file=sys.stderr)
        return 1
    return 0


# -- command line -------------------------------------------------------------------------


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``idle-conns`` sub-command to ``aiomq-bench``'s parser.

    The sub-command sets ``role="idle-conns"`` and ``handler=run``: the CLI runs it with
    ``args.handler(args)``.

    Args:
        sub: The ``add_subparsers()`` action of the ``aiomq-bench`` parser.
    """
    text = "memory per idle connection, binding and connecting side (target: <= 16 KiB)"
    parser = sub.add_parser("idle-conns", help=text, description=text)
    parser.add_argument(
        "--connections",
        type=_positive,
        default=10_000,
        help="connections to open (default: 10000)",
    )
    parser.add_argument("--transport", choices=_TRANSPORTS, default="tcp")
    parser.add_argument(
        "--loop", choices=loops.LOOPS, default="asyncio", help="event loop (default: asyncio)"
    )
    parser.add_argument(
        "--top", type=int, default=_TOP, help=f"allocation sites listed per side (default {_TOP})"
    )
    parser.add_argument(
        "--no-tracemalloc",
        dest="trace",
        action="store_false",
        help="measure RSS only: skip the traced round (heap figures, allocation sites)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of text lines"
    )
    parser.set_defaults(role="idle-conns", handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``idle-conns`` with parsed arguments and print the result.

    Returns:
        0 (measured; whether the target is met is reported, not an error).

    Raises:
        BenchError: The measurement could not run.
    """
    count: int = args.connections
    transport: str = args.transport
    top: int = args.top
    trace: bool = args.trace
    result = loops.run(
        lambda: measure_idle(count, transport, top=top, trace=trace),
        cast(loops.LoopName, args.loop),
    )
    if args.json:
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
    else:
        sys.stdout.write("".join(line + "\n" for line in result.lines()))
    sys.stdout.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``idle-conns`` without the rest of ``aiomq-bench`` (see benchmarks/).

    Args:
        argv: The sub-command's arguments (default ``sys.argv[1:]``).

    Returns:
        The exit status: 0 measured, 1 the measurement failed, 2 usage error.
    """
    parser = argparse.ArgumentParser(prog="idle_connections")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["idle-conns", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run(args)
    except BenchError as exc:
        print(f"idle-conns: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
