"""Running the perf roles as separate processes, as libzmq's perf tools are run.

Every case runs its roles as ``python -m aiomq.bench <role> ... --json`` child processes, so
that the two ends do not share a GIL:

* throughput and latency over tcp:// or ipc://: the binding side (``local-thr`` /
  ``local-lat``) binds ``tcp://127.0.0.1:*`` (or a fresh ipc path) and announces the endpoint
  it got on its first stdout line; only then is the connecting side started;
* inproc://: one process (``inproc-thr`` / ``inproc-lat``) plays both ends;
* publish/subscribe: ``pub-thr`` binds its data and sync endpoints and announces both; then
  the subscribers (``sub-thr``) are started.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from aiomq._bench.errors import BenchError
from aiomq._bench.loops import LoopName
from aiomq._bench.results import LatencyResult, PubSubResult, SubscriberResult, ThroughputResult

__all__ = [
    "run_inproc_case",
    "run_latency_case",
    "run_pubsub_case",
    "run_throughput_case",
]


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
    return command + _impl_options(impl, loop)


def _impl_options(impl: str, loop: LoopName) -> list[str]:
    options = ["--impl", impl, "--json"]
    if impl != "pyzmq":
        options += ["--loop", loop]
    return options


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


async def run_inproc_case(
    kind: str, impl: str, size: int, count: int, loop: LoopName, time_limit: float = 60.0
) -> ThroughputResult | LatencyResult:
    """Run ``inproc-thr`` (*kind* ``throughput``) or ``inproc-lat`` in one process.

    Args:
        kind: ``throughput`` or ``latency``.
        impl: Implementation name.
        size: Message size in bytes.
        count: Messages (throughput) or round trips (latency).
        loop: Event loop for asyncio implementations.
        time_limit: Seconds before the process is killed.

    Returns:
        The process's measurement.

    Raises:
        BenchError: The process failed or timed out.
    """
    role = "inproc-thr" if kind == "throughput" else "inproc-lat"
    command = [sys.executable, "-m", "aiomq.bench", role, str(size), str(count)]
    command += _impl_options(impl, loop)
    process = await _start(command, _child_env())
    try:
        async with asyncio.timeout(time_limit):
            out = await _finish(process, role)
    except TimeoutError:
        raise BenchError(f"{impl}: {role} timed out after {time_limit:g} s") from None
    finally:
        await _kill(process)
    data = _last_json(out, role)
    if kind == "throughput":
        return ThroughputResult.from_json(data)
    return LatencyResult.from_json(data)


async def run_pubsub_case(
    impl: str,
    endpoint: str,
    sync_endpoint: str,
    size: int,
    count: int,
    loop: LoopName,
    subscribers: int = 2,
    time_limit: float = 60.0,
) -> PubSubResult:
    """Run ``pub-thr`` and *subscribers* ``sub-thr`` processes for *impl*.

    Args:
        impl: Implementation name.
        endpoint: Where ``pub-thr`` binds its PUB socket, e.g. ``tcp://127.0.0.1:*``.
        sync_endpoint: Where it binds the sync PULL socket.
        size: Message size in bytes.
        count: Messages to publish.
        loop: Event loop for asyncio implementations.
        subscribers: Subscriber processes.
        time_limit: Seconds before every process is killed.

    Returns:
        Every subscriber's measurement.

    Raises:
        BenchError: A process failed or the case timed out.
    """
    env = _child_env()
    command = _role_command("pub-thr", endpoint, size, count, impl, loop)
    command += ["--announce", "--sync", sync_endpoint, "--subscribers", str(subscribers)]
    publisher = await _start(command, env)
    subs: list[asyncio.subprocess.Process] = []
    try:
        async with asyncio.timeout(time_limit):
            assert publisher.stdout is not None
            announce = await publisher.stdout.readline()
            if not announce:
                await _finish(publisher, "pub-thr")
                raise BenchError("pub-thr exited without binding")
            bound = json.loads(announce)
            sub_command = _role_command("sub-thr", str(bound["endpoint"]), size, count, impl, loop)
            sub_command += ["--sync", str(bound["sync"])]
            for _ in range(subscribers):
                subs.append(await _start(sub_command, env))
            everyone = [(publisher, "pub-thr"), *((s, "sub-thr") for s in subs)]
            outputs = await _wait_all(everyone)
    except TimeoutError:
        raise BenchError(f"{impl}: pub-thr/sub-thr timed out after {time_limit:g} s") from None
    finally:
        for process in (publisher, *subs):
            await _kill(process)
    results = tuple(SubscriberResult.from_json(_last_json(out, "sub-thr")) for out in outputs[1:])
    return PubSubResult(results)


async def _wait_all(
    processes: list[tuple[asyncio.subprocess.Process, str]],
) -> list[bytes]:
    """Wait for every process; fail as soon as one of them fails. Returns their stdouts."""
    waits = {asyncio.ensure_future(p.wait()): (p, role) for p, role in processes}
    try:
        pending = set(waits)
        while pending:
            finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                process, role = waits[task]
                if process.returncode != 0:
                    await _finish(process, role)  # raises with its last error line
    finally:
        for task in waits:
            task.cancel()
    return [await _finish(p, role) for p, role in processes]
