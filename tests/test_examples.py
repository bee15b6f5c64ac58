"""Run every program in ``examples/`` as a subprocess and check what it prints.

Peers are started together on a fresh endpoint (a free TCP port, or an IPC
path inside ``tmp_path``); each program must exit 0 within the deadline. This module also
holds the table of every example's default endpoints, checked against each ``--help``: the
programs that talk to each other share theirs, and no two groups share a port.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import select
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
    """`start` an example; kill it on the way out if it has not exited by then."""
    proc = start(command)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def first_line(proc: subprocess.Popen[str], deadline: float) -> str:
    """The next stdout line of ``proc``, failing the test if none comes before ``deadline``
    (a ``time.monotonic()`` value)."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0.1))
    assert ready, "no output before the deadline"
    return proc.stdout.readline().rstrip("\n")


def example(name: str) -> str:
    return str(EXAMPLES / name)


def example_names() -> list[str]:
    """Every example program, as a path relative to ``examples/``."""
    return sorted(path.relative_to(EXAMPLES).as_posix() for path in EXAMPLES.rglob("*.py"))


# The programs that talk to each other, and each one's default endpoints (every
# ``--endpoint``/``--backend`` default, in no particular order).
DEFAULT_ENDPOINTS: dict[str, dict[str, set[str]]] = {
    "echo": {
        "reqrep/server.py": {"tcp://127.0.0.1:5555"},
        "reqrep/client.py": {"tcp://127.0.0.1:5555"},
    },
    "pubsub": {
        "pubsub/pub.py": {"tcp://127.0.0.1:5556"},
        "pubsub/sub.py": {"tcp://127.0.0.1:5556"},
    },
    "pipeline": {
        "pipeline/manager.py": {"tcp://127.0.0.1:5557"},
        "pipeline/worker.py": {"tcp://127.0.0.1:5557"},
    },
    "lazy pirate": {
        "lazy_pirate_server.py": {"tcp://127.0.0.1:5558"},
        "lazy_pirate_client.py": {"tcp://127.0.0.1:5558"},
    },
    "broker": {
        "broker/broker.py": {"tcp://127.0.0.1:5559", "tcp://127.0.0.1:5560"},
        "broker/client.py": {"tcp://127.0.0.1:5559"},
        "broker/worker.py": {"tcp://127.0.0.1:5560"},
    },
    "broker demo": {"broker/demo.py": {"inproc://clients", "inproc://workers"}},
    "queue device": {
        "devices/queue_client.py": {"tcp://127.0.0.1:5561"},
        "devices/queue_server.py": {"tcp://127.0.0.1:5562"},
    },
    "forwarder device": {
        "devices/pub.py": {"tcp://127.0.0.1:5563"},
        "devices/sub.py": {"tcp://127.0.0.1:5564"},
    },
    "streamer device": {
        "devices/producer.py": {"tcp://127.0.0.1:5565"},
        "devices/consumer.py": {"tcp://127.0.0.1:5566"},
    },
    "pair": {
        "pair/bind.py": {"ipc:///tmp/aiomq-pair.ipc"},
        "pair/connect.py": {"ipc:///tmp/aiomq-pair.ipc"},
    },
    "quickstart": {"quickstart.py": set()},  # binds tcp://127.0.0.1:* only
    "migrated": {"migrated/broker.py": set()},  # binds random ports only
}
DEFAULTS = {
    name: endpoints for group in DEFAULT_ENDPOINTS.values() for name, endpoints in group.items()
}
HELP_DEFAULT = re.compile(r"\(default:((?:tcp|ipc|inproc)://[^)]*)\)")
TCP_PORT = re.compile(r"tcp://[^\s:]+:(\d+)")


def test_every_example_is_in_the_endpoint_table() -> None:
    assert sorted(DEFAULTS) == example_names()
    assert len(DEFAULTS) == sum(len(group) for group in DEFAULT_ENDPOINTS.values())


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_help_shows_the_default_endpoints(name: str) -> None:
    """``--help`` names exactly the endpoints of the table as the defaults."""
    [lines] = run_together([example(name), "--help"])
    text = "".join("".join(lines).split())  # argparse wraps long lines, even inside a URL
    assert set(HELP_DEFAULT.findall(text)) == DEFAULTS[name]


def _claimed(endpoints: set[str]) -> set[str]:
    """What a set of endpoints occupies on one machine: the port of a tcp:// endpoint
    (whatever the address), the path of an ipc:// one; inproc:// names are per process."""
    return {
        f"port {port[0]}" if (port := TCP_PORT.fullmatch(endpoint)) else endpoint
        for endpoint in endpoints
        if not endpoint.startswith("inproc://")
    }


def test_no_two_example_groups_share_a_default_port() -> None:
    """Two examples run side by side with their defaults never collide, unless they are
    meant to talk to each other."""
    owners: dict[str, list[str]] = {}
    for group, programs in DEFAULT_ENDPOINTS.items():
        for claim in _claimed(set().union(*programs.values())):
            owners.setdefault(claim, []).append(group)
    shared = {claim: groups for claim, groups in owners.items() if len(groups) > 1}
    assert shared == {}
    assert len(owners) == 13  # 12 tcp ports and one ipc path


@pytest.mark.parametrize("group", sorted(DEFAULT_ENDPOINTS))
def test_docstrings_use_their_group_s_ports(group: str) -> None:
    """The command lines in an example's docstring use its group's ports, so that copying
    them starts programs that find each other."""
    programs = DEFAULT_ENDPOINTS[group]
    ports = {
        port for endpoint in set().union(*programs.values()) for port in TCP_PORT.findall(endpoint)
    }
    for name in programs:
        docstring = ast.get_docstring(ast.parse((EXAMPLES / name).read_text())) or ""
        assert set(TCP_PORT.findall(docstring)) <= ports, name


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
    assert worker[:-1] == [
        f"worker: connecting to {endpoint}",
        *(f"worker: task {n}" for n in range(count)),
    ]
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
        f"bind: bound to {endpoint}",
        *(f"bind: received ping {n}" for n in range(count)),
        f"bind: done after {count} rounds",
    ]
    assert connect == [
        f"connect: connecting to {endpoint}",
        *(f"connect: received pong {n}" for n in range(count)),
        f"connect: done after {count} rounds",
    ]


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
