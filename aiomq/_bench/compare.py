"""``aiomq-bench compare``: the same cases for every implementation, in one run.

Each case runs like libzmq's perf tools: the binding side (``local-thr`` / ``local-lat``) and
the connecting side (``remote-thr`` / ``remote-lat``) are two separate Python processes, so they
do not share a GIL, started as ``python -m aiomq.bench <role> ... --json``. The binding side
binds ``tcp://127.0.0.1:*`` (or a fresh ipc path) and announces the endpoint it got on its
first stdout line; only then is the connecting side started. Runs are interleaved
(run 1 of every implementation, then run 2, ...) so that drift on the machine spreads evenly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from aiomq._bench.backends import IMPLS
from aiomq._bench.errors import BenchError
from aiomq._bench.loops import LoopName
from aiomq._bench.results import LatencyResult, ThroughputResult

__all__ = [
    "DEFAULT_LAT_COUNTS",
    "DEFAULT_THR_COUNTS",
    "CompareConfig",
    "CompareReport",
    "run_compare",
    "run_latency_case",
    "run_throughput_case",
]

Transport = Literal["tcp", "ipc"]
Progress = Callable[[str], None]

DEFAULT_THR_COUNTS: dict[str, int] = {
    "aiomq": 1_000_000,
    "zmq.asyncio": 200_000,
    "pyzmq": 1_000_000,
}
"""Messages per throughput run when ``--count`` is not given (zmq.asyncio is ~15x slower)."""

DEFAULT_LAT_COUNTS: dict[str, int] = {"aiomq": 10_000, "zmq.asyncio": 5_000, "pyzmq": 10_000}
"""Round trips per latency run when ``--roundtrips`` is not given."""


@dataclasses.dataclass(frozen=True, slots=True)
class CompareConfig:
    """What ``compare`` runs.

    Attributes:
        size: Message size in bytes.
        count: Messages per throughput run for every implementation; ``None`` uses
            :data:`DEFAULT_THR_COUNTS`.
        roundtrips: Round trips per latency run; ``None`` uses :data:`DEFAULT_LAT_COUNTS`.
        transport: ``tcp`` (loopback) or ``ipc``.
        loop: Event loop for the asyncio implementations.
        runs: Repetitions of every case; the report shows the median.
        impls: Implementations to run, in report order.
        throughput: Run the PUSH/PULL throughput cases.
        latency: Run the REQ/REP latency cases.
        timeout: Seconds allowed for one case (both processes) before it is killed.
    """

    size: int = 16
    count: int | None = None
    roundtrips: int | None = None
    transport: Transport = "tcp"
    loop: LoopName = "asyncio"
    runs: int = 3
    impls: tuple[str, ...] = IMPLS
    throughput: bool = True
    latency: bool = True
    timeout: float = 60.0

    def thr_count(self, impl: str) -> int:
        """Messages per throughput run for *impl*."""
        return self.count if self.count is not None else DEFAULT_THR_COUNTS[impl]

    def lat_count(self, impl: str) -> int:
        """Round trips per latency run for *impl*."""
        return self.roundtrips if self.roundtrips is not None else DEFAULT_LAT_COUNTS[impl]


@dataclasses.dataclass(slots=True)
class CompareReport:
    """Everything ``compare`` measured.

    Attributes:
        config: The configuration that was run.
        throughput: Throughput results per implementation, one per successful run.
        latency: Latency results per implementation, one per successful run.
        errors: Failure message per ``(kind, impl)``; a failed case is not retried.
        environment: Machine and library versions, for the record.
    """

    config: CompareConfig
    throughput: dict[str, list[ThroughputResult]] = dataclasses.field(default_factory=dict)
    latency: dict[str, list[LatencyResult]] = dataclasses.field(default_factory=dict)
    errors: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    environment: dict[str, str] = dataclasses.field(default_factory=dict)


def _child_env() -> dict[str, str]:
    """Environment for role processes: make sure they import this very aiomq."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    paths = [package_root, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _role_command(
    role: str, endpoint: str, size: int, count: int, impl: str, loop: LoopName
) -> list[str]:
    command = [sys.executable, "-m", "aiomq.bench", role, endpoint, str(size), str(count)]
    command += ["--impl", impl, "--json"]
    if impl != "pyzmq":
        command += ["--loop", loop]
    return command


def _describe_failure(role: str, returncode: int | None, stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines()]
    last = next((line for line in reversed(lines) if line), "no error output")
    return f"{role} exited with status {returncode}: {last}"


async def _kill(process: asyncio.subprocess.Process | None) -> None:
    if process is not None and process.returncode is None:
        process.kill()
        await process.wait()


async def _start(command: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    pipe = asyncio.subprocess.PIPE
    return await asyncio.create_subprocess_exec(
        *command, stdin=pipe, stdout=pipe, stderr=pipe, env=env
    )


async def _finish(process: asyncio.subprocess.Process, role: str) -> bytes:
    """Close *process*'s stdin, wait for it and return its stdout; raise if it failed."""
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdin.close()
    out, err = await asyncio.gather(process.stdout.read(), process.stderr.read())
    await process.wait()
    if process.returncode != 0:
        raise BenchError(_describe_failure(role, process.returncode, err))
    return out


async def _run_pair(
    local_role: str,
    remote_role: str,
    impl: str,
    endpoint: str,
    size: int,
    count: int,
    loop: LoopName,
    time_limit: float,
    *,
    measured_by_local: bool,
) -> bytes:
    """Run a binding and a connecting role process; return the measuring one's stdout.

    The other process (the *helper*) runs with ``--hold``: it keeps its connection open until
    its stdin is closed, which happens once the measuring process has exited, so that no
    message or reply is lost to an early close (zeromq/libzmq#4660 on ipc).
    """
    env = _child_env()
    local_cmd = [*_role_command(local_role, endpoint, size, count, impl, loop), "--announce"]
    if not measured_by_local:
        local_cmd.append("--hold")
    local = await _start(local_cmd, env)
    remote: asyncio.subprocess.Process | None = None
    try:
        async with asyncio.timeout(time_limit):
            assert local.stdout is not None
            announce = await local.stdout.readline()
            if not announce:
                await _finish(local, local_role)
                raise BenchError(f"{local_role} exited without binding")
            bound = str(json.loads(announce)["endpoint"])
            remote_cmd = _role_command(remote_role, bound, size, count, impl, loop)
            if measured_by_local:
                remote_cmd.append("--hold")
            remote = await _start(remote_cmd, env)
            if measured_by_local:
                measurer, measurer_role, helper, helper_role = (
                    local,
                    local_role,
                    remote,
                    remote_role,
                )
            else:
                measurer, measurer_role, helper, helper_role = (
                    remote,
                    remote_role,
                    local,
                    local_role,
                )
            # Fail fast if the helper dies while the measuring side is still waiting for it.
            measured = asyncio.ensure_future(measurer.wait())
            helper_exit = asyncio.ensure_future(helper.wait())
            await asyncio.wait({measured, helper_exit}, return_when=asyncio.FIRST_COMPLETED)
            if not measured.done():
                measured.cancel()
                await _finish(helper, helper_role)
                raise BenchError(f"{helper_role} exited before {measurer_role} finished")
            helper_exit.cancel()
            out = await _finish(measurer, measurer_role)
            await _finish(helper, helper_role)
            return out
    except TimeoutError:
        raise BenchError(
            f"{impl}: {local_role}/{remote_role} timed out after {time_limit:g} s"
        ) from None
    finally:
        await _kill(local)
        await _kill(remote)


def _last_json(output: bytes, role: str) -> dict[str, object]:
    lines = output.decode().strip().splitlines()
    if not lines:
        raise BenchError(f"{role} printed no result")
    data = json.loads(lines[-1])
    if not isinstance(data, dict):
        raise BenchError(f"{role} printed an unexpected result: {lines[-1]!r}")
    return data


async def run_throughput_case(
    impl: str, endpoint: str, size: int, count: int, loop: LoopName, time_limit: float = 60.0
) -> ThroughputResult:
    """Run ``local-thr`` and ``remote-thr`` for *impl* in two processes.

    Args:
        impl: Implementation name.
        endpoint: Where ``local-thr`` binds, e.g. ``tcp://127.0.0.1:*``.
        size: Message size in bytes.
        count: Messages to send.
        loop: Event loop for asyncio implementations.
        time_limit: Seconds before both processes are killed.

    Returns:
        The receiver's measurement.

    Raises:
        BenchError: A process failed or the case timed out.
    """
    out = await _run_pair(
        "local-thr",
        "remote-thr",
        impl,
        endpoint,
        size,
        count,
        loop,
        time_limit,
        measured_by_local=True,
    )
    return ThroughputResult.from_json(_last_json(out, "local-thr"))


async def run_latency_case(
    impl: str, endpoint: str, size: int, count: int, loop: LoopName, time_limit: float = 60.0
) -> LatencyResult:
    """Run ``local-lat`` and ``remote-lat`` for *impl* in two processes.

    Args:
        impl: Implementation name.
        endpoint: Where ``local-lat`` binds.
        size: Message size in bytes.
        count: Round trips.
        loop: Event loop for asyncio implementations.
        time_limit: Seconds before both processes are killed.

    Returns:
        The requester's measurement.

    Raises:
        BenchError: A process failed or the case timed out.
    """
    out = await _run_pair(
        "local-lat",
        "remote-lat",
        impl,
        endpoint,
        size,
        count,
        loop,
        time_limit,
        measured_by_local=False,
    )
    return LatencyResult.from_json(_last_json(out, "remote-lat"))


def _environment() -> dict[str, str]:
    import platform
    from importlib import metadata

    env = {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "cpus": str(os.cpu_count()),
    }
    for dist in ("aiomq", "pyzmq", "uvloop"):
        try:
            env[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            env[dist] = "not installed"
    commit = _git_commit()
    if commit:
        env["aiomq"] += f" ({commit})"
    try:
        import zmq

        env["libzmq"] = zmq.zmq_version()
    except ImportError:
        pass
    return env


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


def _endpoint(transport: Transport, ipc_dir: str | None, name: str) -> str:
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    assert ipc_dir is not None
    return f"ipc://{ipc_dir}/{name}.ipc"


async def run_compare(config: CompareConfig, progress: Progress | None = None) -> CompareReport:
    """Run every configured case *config.runs* times and collect the results.

    A case that fails is reported in :attr:`CompareReport.errors` and not run again; the
    other implementations carry on.

    Args:
        config: What to run.
        progress: Called with one human-readable line per finished run.

    Returns:
        The collected results.

    Raises:
        BenchError: The configuration is invalid.
    """
    for impl in config.impls:
        if impl not in IMPLS:
            raise BenchError(f"unknown implementation {impl!r}; choose from {', '.join(IMPLS)}")
    if config.runs < 1:
        raise BenchError("--runs must be at least 1")
    say = progress or (lambda _line: None)
    report = CompareReport(config=config, environment=_environment())
    ipc_dir = tempfile.mkdtemp(prefix="aiomq-bench-") if config.transport == "ipc" else None
    kinds: Sequence[str] = [
        kind
        for kind, wanted in (("throughput", config.throughput), ("latency", config.latency))
        if wanted
    ]
    try:
        for kind in kinds:
            for run in range(1, config.runs + 1):
                for impl in config.impls:
                    if (kind, impl) in report.errors:
                        continue
                    endpoint = _endpoint(config.transport, ipc_dir, f"{impl}-{kind}-{run}")
                    label = f"[{kind} {run}/{config.runs}] {impl:<12}"
                    try:
                        if kind == "throughput":
                            thr = await run_throughput_case(
                                impl,
                                endpoint,
                                config.size,
                                config.thr_count(impl),
                                config.loop,
                                config.timeout,
                            )
                            report.throughput.setdefault(impl, []).append(thr)
                            say(f"{label} {thr.msg_per_s:>12,} msg/s")
                        else:
                            lat = await run_latency_case(
                                impl,
                                endpoint,
                                config.size,
                                config.lat_count(impl),
                                config.loop,
                                config.timeout,
                            )
                            report.latency.setdefault(impl, []).append(lat)
                            say(f"{label} {lat.latency_us:>12.3f} us")
                    except BenchError as exc:
                        report.errors[(kind, impl)] = str(exc)
                        say(f"{label} FAILED: {exc}")
    finally:
        if ipc_dir is not None:
            shutil.rmtree(ipc_dir, ignore_errors=True)
    return report
