"""Run every program in ``examples/`` as a subprocess and check what it prints.

Peers are started together on a fresh endpoint (a free TCP port, or an IPC
path inside ``tmp_path``); each program must exit 0 within the deadline.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _helpers import unused_tcp_endpoint

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DEADLINE = 30.0  # seconds, for each group of processes

pytestmark = pytest.mark.timeout(2 * DEADLINE)


def fresh_endpoint(transport: str, directory: Path, filename: str) -> str:
    """A ``tcp://`` endpoint on a port that was free a moment ago, or an ``ipc://`` one
    named ``filename`` in ``directory`` (skipping the test where there is no ipc)."""
    if transport == "tcp":
        return unused_tcp_endpoint()
    if sys.platform == "win32":
        pytest.skip("ipc:// needs Unix domain sockets")
    return f"ipc://{directory / filename}"


@pytest.fixture(params=["tcp", "ipc"])
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_endpoint(request.param, tmp_path, "example.ipc")


def example_env() -> dict[str, str]:
    """The environment for an example: it imports the aiomq of this checkout."""
    pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}


def run_together(*commands: list[str]) -> list[list[str]]:
    """Start every command at once; return each one's stdout lines.

    Fails the test if any process does not exit 0 before the deadline.
    """
    procs = [start(command) for command in commands]
    deadline = time.monotonic() + DEADLINE
    results: list[tuple[str, int | None, str, str]] = []
    for command, proc in zip(commands, procs, strict=True):
        name = " ".join([*Path(command[0]).parts[-2:], *command[1:]])
        try:
            stdout, stderr = proc.communicate(timeout=max(deadline - time.monotonic(), 0.1))
            returncode: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            returncode = None  # timed out
        results.append((name, returncode, stdout, stderr))
    if any(returncode != 0 for _, returncode, _, _ in results):
        report = "\n".join(
            f"--- {name}: "
            + ("no exit within deadline" if rc is None else f"exit status {rc}")
            + f"\nstdout:\n{out}stderr:\n{err}"
            for name, rc, out, err in results
        )
        pytest.fail(f"example failed\n{report}")
    return [stdout.splitlines() for _, _, stdout, _ in results]


def start(command: list[str]) -> subprocess.Popen[str]:
    """Start an example (``command`` after the Python interpreter), its output piped."""
    return subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        env=example_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextlib.contextmanager
def running(command: list[str]) -> Iterator[subprocess.Popen[str]]:
    """:func:`start` an example; kill it on the way out if it has not exited by then."""
    proc = start(command)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def example(name: str) -> str:
    return str(EXAMPLES / name)


def assert_help_shows_default(name: str, default: str) -> None:
    """The example's ``--help`` names ``default`` as the default endpoint."""
    [lines] = run_together([example(name), "--help"])
    text = "".join("".join(lines).split())  # argparse wraps long lines, even inside a URL
    assert f"(default:{default})" in text


def test_quickstart() -> None:
    [lines] = run_together([example("quickstart.py")])
    assert lines == [
        "PULL received b'task 0'",
        "PULL received b'task 1'",
        "PULL received b'task 2'",
        "PAIR server received [b'hello', b'from', b'client']",
        "PAIR client received [b'hello', b'back']",
        "PAIR inproc received b'queued before bind'",
        "done",
    ]


def test_pipeline(endpoint: str) -> None:
    count = 5
    args = ["--endpoint", endpoint, "--count", str(count)]
    manager, worker = run_together(
        [example("pipeline/manager.py"), *args],
        [example("pipeline/worker.py"), *args],
    )
    assert manager == [f"manager: bound to {endpoint}", f"manager: sent {count} tasks"]
    assert worker[:-1] == [f"worker: task {n}" for n in range(count)]
    assert re.fullmatch(
        rf"worker: done, {count} tasks, mean latency \d+\.\d{{3}} ms", worker[-1]
    ), worker[-1]


def test_pair(endpoint: str) -> None:
    count = 3
    args = ["--endpoint", endpoint, "--count", str(count)]
    # The connecting side goes first: it must cope with a peer that is not there yet.
    connect, bind = run_together(
        [example("pair/connect.py"), *args],
        [example("pair/bind.py"), *args],
    )
    assert bind == [
        *(f"bind: received ping {n}" for n in range(count)),
        f"bind: done after {count} rounds",
    ]
    assert connect == [
        *(f"connect: received pong {n}" for n in range(count)),
        f"connect: done after {count} rounds",
    ]


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("pipeline/manager.py", "tcp://127.0.0.1:5557"),
        ("pipeline/worker.py", "tcp://127.0.0.1:5557"),
        ("pair/bind.py", "ipc:///tmp/aiomq-pair.ipc"),
        ("pair/connect.py", "ipc:///tmp/aiomq-pair.ipc"),
    ],
)
def test_help_shows_default_endpoint(name: str, default: str) -> None:
    assert_help_shows_default(name, default)


@pytest.mark.interop
def test_pipeline_manager_feeds_a_libzmq_worker() -> None:
    """The manager's tasks reach a pyzmq (libzmq) PULL socket unchanged."""
    zmq = pytest.importorskip("zmq")
    endpoint = unused_tcp_endpoint()
    count = 3
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.setsockopt(zmq.RCVTIMEO, int(DEADLINE * 1000))
    pull.setsockopt(zmq.LINGER, 0)
    pull.connect(endpoint)  # libzmq retries until the manager has bound
    command = [example("pipeline/manager.py"), "--endpoint", endpoint, "--count", str(count)]
    try:
        with running(command) as manager:
            tasks = [pull.recv_multipart() for _ in range(count)]
            stdout, stderr = manager.communicate(timeout=DEADLINE)
    finally:
        pull.close()
        context.term()
    assert manager.returncode == 0, stderr
    assert stdout.splitlines() == [f"manager: bound to {endpoint}", f"manager: sent {count} tasks"]
    assert [task for task, _ in tasks] == [f"task {n}".encode() for n in range(count)]
    assert all(float(stamp) > 0 for _, stamp in tasks)
