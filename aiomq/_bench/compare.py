"""``aiomq-bench compare``: a sweep of cases, sizes, transports, loops and implementations.

Every case runs in separate processes (see ``cases``). The sweep is ordered
case → transport → size, and within one (case, transport, size) the runs are interleaved: run 1
of every loop and implementation, then run 2, ... so that drift on the machine spreads evenly
over the figures that are compared with each other. Blocking pyzmq has no event loop: it runs
once per (case, transport, size) and its rows appear in every loop's table.

Counts scale with the message size (see ``thr_count``), so that every run takes about a
second whatever the size and implementation.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

import aiomq
from aiomq._bench.backends import IMPLS, ZMQ_IMPLS
from aiomq._bench.cases import (
    run_inproc_case,
    run_latency_case,
    run_pubsub_case,
    run_throughput_case,
)
from aiomq._bench.deps import PEERS, Peer, installed
from aiomq._bench.errors import BenchError
from aiomq._bench.loops import LOOPS, LoopName
from aiomq._bench.results import LatencyResult, PubSubResult, ThroughputResult, format_size

__all__ = [
    "BLOCKING_IMPLS",
    "CASES",
    "DEFAULT_SIZES",
    "QUICK_SIZES",
    "TRANSPORTS",
    "Case",
    "CaseKey",
    "CompareConfig",
    "CompareReport",
    "Job",
    "ProgressReporter",
    "Result",
    "Transport",
    "describe",
    "lat_count",
    "plan",
    "pubsub_count",
    "run_compare",
    "skip_reason",
    "thr_count",
    "validate",
]

Case = Literal["throughput", "latency", "pubsub"]
Transport = Literal["tcp", "ipc", "inproc"]
Result = ThroughputResult | LatencyResult | PubSubResult

CASES: tuple[Case, ...] = ("throughput", "latency", "pubsub")
TRANSPORTS: tuple[Transport, ...] = ("tcp", "ipc", "inproc")
DEFAULT_SIZES: tuple[int, ...] = (16, 256, 4096, 65536, 1048576)
QUICK_SIZES: tuple[int, ...] = (16, 65536)
BLOCKING_IMPLS: frozenset[str] = frozenset({"pyzmq"})
"""Implementations without an event loop: run once, shown under every loop."""

# Cost model for the default counts: microseconds per message at 16 B (one side's work)
# plus the bytes moved at ~3 GB/s; measured on the 2-core reference machine, rounded up.
_OVERHEAD_US = {"aiomq": 0.7, "zmq.asyncio": 9.0, "pyzmq": 0.5, "asyncio-raw": 0.4}
_LATENCY_US = {"aiomq": 40.0, "zmq.asyncio": 65.0, "pyzmq": 40.0, "asyncio-raw": 30.0}
_BYTES_PER_US = 3000.0
_THR_SECONDS = 1.0
_LAT_SECONDS = 0.5
_PUBSUB_SECONDS = 1.0


def _nice(value: float, floor: int) -> int:
    """Round *value* down to 1, 2 or 5 times a power of ten, at least *floor*."""
    if value <= floor:
        return floor
    power = int(10 ** math.floor(math.log10(value)))
    for step in (5, 2, 1):
        if step * power <= value:
            return max(floor, step * power)
    return floor  # pragma: no cover - unreachable


def thr_count(impl: str, size: int) -> int:
    """Messages per throughput run: about ``_THR_SECONDS`` of work for *impl*."""
    per_message_us = _OVERHEAD_US.get(impl, 1.0) + size / _BYTES_PER_US
    return _nice(_THR_SECONDS * 1e6 / per_message_us, 100)


def lat_count(impl: str, size: int) -> int:
    """Round trips per latency run: about ``_LAT_SECONDS`` of work for *impl*."""
    per_roundtrip_us = 2 * (_LATENCY_US.get(impl, 50.0) + size / _BYTES_PER_US)
    return _nice(_LAT_SECONDS * 1e6 / per_roundtrip_us, 20)


def pubsub_count(impl: str, size: int) -> int:
    """Messages per PUB → 2 SUB run (the publisher writes every message twice)."""
    per_message_us = 2 * (_OVERHEAD_US.get(impl, 1.0) + size / _BYTES_PER_US)
    return _nice(_PUBSUB_SECONDS * 1e6 / per_message_us, 100)


class CaseKey(NamedTuple):
    """Identifies the results of one case for one implementation.

    Attributes:
        case: ``throughput``, ``latency`` or ``pubsub``.
        transport: ``tcp``, ``ipc`` or ``inproc``.
        loop: Event loop, or ``None`` for a blocking implementation.
        size: Message size in bytes.
        impl: Implementation name.
    """

    case: Case
    transport: Transport
    loop: LoopName | None
    size: int
    impl: str


class Job(NamedTuple):
    """One run of one case: its key, run number and messages (or round trips) per run."""

    key: CaseKey
    run: int
    messages: int


@dataclasses.dataclass(frozen=True, slots=True)
class CompareConfig:
    """What ``compare`` runs.

    Attributes:
        sizes: Message sizes in bytes.
        transports: Transports (``tcp`` loopback, ``ipc``, ``inproc``).
        loops: Event loops for the asyncio implementations.
        impls: Implementations, in report order.
        cases: Cases to run.
        runs: Repetitions of every case; the report shows the median.
        count: Messages per throughput / pubsub run for every implementation and size;
            ``None`` scales the count with the size (``thr_count``, ``pubsub_count``).
        roundtrips: Round trips per latency run; ``None`` scales them (``lat_count``).
        subscribers: Subscriber processes in the pubsub case.
        timeout: Seconds allowed for one run (all its processes) before it is killed.
    """

    sizes: tuple[int, ...] = DEFAULT_SIZES
    transports: tuple[Transport, ...] = TRANSPORTS
    loops: tuple[LoopName, ...] = LOOPS
    impls: tuple[str, ...] = IMPLS
    cases: tuple[Case, ...] = CASES
    runs: int = 3
    count: int | None = None
    roundtrips: int | None = None
    subscribers: int = 2
    timeout: float = 120.0

    def count_for(self, case: Case, impl: str, size: int) -> int:
        """Messages (or round trips) per run of *case* for *impl* at *size* bytes."""
        if case == "latency":
            return self.roundtrips if self.roundtrips is not None else lat_count(impl, size)
        if self.count is not None:
            return self.count
        return thr_count(impl, size) if case == "throughput" else pubsub_count(impl, size)


def skip_reason(case: Case, transport: Transport, impl: str) -> str | None:
    """Why *impl* does not run *case* over *transport*, or ``None`` if it does."""
    if impl not in ZMQ_IMPLS and transport == "inproc":
        return f"{impl}: not applicable to inproc (no in-process transport)"
    if case == "pubsub" and transport == "inproc":
        return "pubsub: not run over inproc (the publisher and subscribers are processes)"
    if case == "pubsub" and impl not in ZMQ_IMPLS:
        return f"{impl}: no pubsub case (it models one connection only)"
    return None


def plan(config: CompareConfig) -> tuple[list[Job], list[str]]:
    """List the runs of a sweep in execution order, and the notes on what is skipped.

    Returns:
        ``(jobs, notes)``; each note appears once.
    """
    jobs: list[Job] = []
    notes: dict[str, None] = {}
    for case in config.cases:
        for transport in config.transports:
            for size in config.sizes:
                for run in range(1, config.runs + 1):
                    for key in _keys(config, case, transport, size, notes):
                        jobs.append(Job(key, run, config.count_for(case, key.impl, size)))
    return jobs, list(notes)


def _keys(
    config: CompareConfig, case: Case, transport: Transport, size: int, notes: dict[str, None]
) -> Iterator[CaseKey]:
    for index, loop in enumerate(config.loops):
        for impl in config.impls:
            reason = skip_reason(case, transport, impl)
            if reason is not None:
                notes[reason] = None
                continue
            if impl in BLOCKING_IMPLS:
                if index == 0:
                    yield CaseKey(case, transport, None, size, impl)
                continue
            yield CaseKey(case, transport, loop, size, impl)


@dataclasses.dataclass(slots=True)
class CompareReport:
    """Everything ``compare`` measured.

    Attributes:
        config: The configuration that was run.
        results: Results per case key, one per successful run.
        errors: Failure message per case key; a failed case is not run again.
        notes: What was skipped and why.
        environment: Machine and library versions, for the record.
        elapsed_s: Wall time of the sweep.
    """

    config: CompareConfig
    results: dict[CaseKey, list[Result]] = dataclasses.field(default_factory=dict)
    errors: dict[CaseKey, str] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    environment: dict[str, str] = dataclasses.field(default_factory=dict)
    elapsed_s: float = 0.0


class ProgressReporter(Protocol):
    """Receives the sweep's progress (see ``progress``)."""

    def begin(self, total: int) -> None:
        """The sweep has *total* runs."""

    def running(self, label: str) -> None:
        """The run described by *label* starts."""

    def finished(self, label: str, outcome: str, *, failed: bool = False) -> None:
        """The run described by *label* ended with *outcome*."""

    def end(self) -> None:
        """The sweep is over."""


def _environment() -> dict[str, str]:
    import platform

    env = {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "cpus": str(os.cpu_count()),
        "aiomq": aiomq.__version__,
    }
    env.update((peer.dist, _version(peer)) for peer in PEERS)
    commit = _git_commit()
    if commit:
        env["aiomq"] += f" ({commit})"
    try:
        import zmq

        env["libzmq"] = zmq.zmq_version()
    except ImportError:
        pass
    return env


def _version(peer: Peer) -> str:
    """The installed version of *peer*, or ``not installed``."""
    from importlib import metadata

    if not installed(peer.module):
        return "not installed"
    try:
        return metadata.version(peer.dist)
    except metadata.PackageNotFoundError:  # importable, but not installed by pip
        return "version unknown"


def _git_commit() -> str | None:
    """Short commit (``+dirty`` if modified) of a source checkout of aiomq, if there is one."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "aiomq"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head


def describe(key: CaseKey) -> str:
    """A short label for one case, e.g. ``throughput tcp uvloop 16 B aiomq``."""
    loop = key.loop or "blocking"
    return f"{key.case} {key.transport} {loop} {format_size(key.size)} {key.impl}"


def _outcome(result: Result) -> str:
    if isinstance(result, LatencyResult):
        return f"{result.latency_us:,.3f} us"
    if isinstance(result, PubSubResult):
        return f"{result.msg_per_s:,.0f} msg/s per subscriber, {result.lost} lost"
    return f"{result.msg_per_s:,} msg/s"


def _endpoints(transport: Transport, ipc_dir: str | None, name: str) -> tuple[str, str]:
    if transport == "tcp":
        return "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"
    assert ipc_dir is not None
    return f"ipc://{ipc_dir}/{name}.ipc", f"ipc://{ipc_dir}/{name}.sync.ipc"


async def _run_job(job: Job, config: CompareConfig, ipc_dir: str | None) -> Result:
    key = job.key
    size, impl, count, limit = key.size, key.impl, job.messages, config.timeout
    loop: LoopName = key.loop or config.loops[0]
    if key.transport == "inproc":
        return await run_inproc_case(key.case, impl, size, count, loop, limit)
    name = f"{impl}-{key.case}-{size}-{loop}-{job.run}"
    endpoint, sync = _endpoints(key.transport, ipc_dir, name)
    if key.case == "throughput":
        return await run_throughput_case(impl, endpoint, size, count, loop, limit)
    if key.case == "latency":
        return await run_latency_case(impl, endpoint, size, count, loop, limit)
    subscribers = config.subscribers
    return await run_pubsub_case(impl, endpoint, sync, size, count, loop, subscribers, limit)


def validate(config: CompareConfig) -> None:
    """Check a configuration before anything runs.

    Raises:
        BenchError: An unknown implementation, loop, transport or case, or nothing to run.
    """
    for impl in config.impls:
        if impl not in IMPLS:
            raise BenchError(f"unknown implementation {impl!r}; choose from {', '.join(IMPLS)}")
    for loop in config.loops:
        if loop not in LOOPS:
            raise BenchError(f"unknown event loop {loop!r}; choose from {', '.join(LOOPS)}")
    for transport in config.transports:
        if transport not in TRANSPORTS:
            raise BenchError(
                f"unknown transport {transport!r}; choose from {', '.join(TRANSPORTS)}"
            )
    for case in config.cases:
        if case not in CASES:
            raise BenchError(f"unknown case {case!r}; choose from {', '.join(CASES)}")
    if config.runs < 1:
        raise BenchError("--runs must be at least 1")
    if not (config.sizes and config.transports and config.loops and config.impls):
        raise BenchError("nothing to run: a size, transport, loop and implementation are needed")


async def run_compare(
    config: CompareConfig, progress: ProgressReporter | None = None
) -> CompareReport:
    """Run every planned case *config.runs* times and collect the results.

    A case that fails is reported in ``CompareReport.errors`` and not run again; the
    rest of the sweep carries on.

    Args:
        config: What to run.
        progress: Told about every run as it starts and ends.

    Returns:
        The collected results.

    Raises:
        BenchError: The configuration is invalid.
    """
    validate(config)
    jobs, notes = plan(config)
    report = CompareReport(config=config, notes=notes, environment=_environment())
    started = time.perf_counter()
    uses_ipc = "ipc" in config.transports
    ipc_dir = tempfile.mkdtemp(prefix="aiomq-bench-") if uses_ipc else None
    if progress is not None:
        progress.begin(len(jobs))
    try:
        for job in jobs:
            label = f"[{job.run}/{config.runs}] {describe(job.key)}"
            if job.key in report.errors:
                if progress is not None:
                    progress.finished(label, "skipped (failed before)", failed=True)
                continue
            if progress is not None:
                progress.running(label)
            try:
                result = await _run_job(job, config, ipc_dir)
            except BenchError as exc:
                report.errors[job.key] = str(exc)
                if progress is not None:
                    progress.finished(label, f"FAILED: {exc}", failed=True)
                continue
            report.results.setdefault(job.key, []).append(result)
            if progress is not None:
                progress.finished(label, _outcome(result))
    finally:
        if ipc_dir is not None:
            shutil.rmtree(ipc_dir, ignore_errors=True)
        if progress is not None:
            progress.end()
    report.elapsed_s = time.perf_counter() - started
    return report
