"""Run the device examples (``examples/devices``) as processes, with ``aiomq proxy`` between.

A device process (``python -m aiomq.cli proxy ...``) binds two fresh endpoints (tcp and
ipc); the example peers connect to it, print exactly what is checked, and exit 0; the
device then exits 0 on SIGINT.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _helpers import unused_tcp_endpoint
from test_examples import DEADLINE, ROOT, example, example_env, run_together

pytestmark = pytest.mark.timeout(2 * DEADLINE)


@pytest.fixture(params=["tcp", "ipc"])
def endpoints(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "tcp":
        return unused_tcp_endpoint(), unused_tcp_endpoint()
    if sys.platform == "win32":
        pytest.skip("ipc:// needs Unix domain sockets")
    return f"ipc://{tmp_path / 'front.ipc'}", f"ipc://{tmp_path / 'back.ipc'}"


@pytest.fixture
def device_runner() -> Iterator[list[subprocess.Popen[str]]]:
    """Device processes started by a test; killed afterwards if still running."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def start_device(
    procs: list[subprocess.Popen[str]], kind: str, frontend: str, backend: str
) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "aiomq.cli", "proxy", kind),
            *("--frontend", frontend, "--backend", backend),
        ],
        cwd=ROOT,
        env=example_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    procs.append(proc)
    return proc


def stop_device(proc: subprocess.Popen[str]) -> list[str]:
    """SIGINT the device; it must exit 0. Returns its stderr lines (the event log)."""
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, stderr
    return stderr.splitlines()


def test_client_queue_server(
    endpoints: tuple[str, str], device_runner: list[subprocess.Popen[str]]
) -> None:
    frontend, backend = endpoints
    count = 4
    device = start_device(device_runner, "queue", frontend, backend)
    server, client = run_together(
        [example("devices/queue_server.py"), "--endpoint", backend, "--count", str(count)],
        [example("devices/queue_client.py"), "--endpoint", frontend, "--count", str(count)],
    )
    log = stop_device(device)
    assert client == [
        *(f"client: client | request {n} | answered by server" for n in range(count)),
        f"client: done after {count} requests",
    ]
    assert server == [
        *(f"server: request {n} from client" for n in range(count)),
        f"server: done after {count} requests",
    ]
    assert log[:2] == [f"frontend LISTENING {frontend}", f"backend LISTENING {backend}"]
    assert f"frontend ACCEPTED {frontend}" in log
    assert f"backend ACCEPTED {backend}" in log


def test_pub_forwarder_sub(
    endpoints: tuple[str, str], device_runner: list[subprocess.Popen[str]]
) -> None:
    frontend, backend = endpoints
    count = 5
    device = start_device(device_runner, "forwarder", frontend, backend)
    sub, pub = run_together(
        [example("devices/sub.py"), "--endpoint", backend, "--count", str(count)],
        [example("devices/pub.py"), "--endpoint", frontend, "--count", str(count)],
    )
    stop_device(device)
    assert pub == [
        "pub: first subscription to 'weather'",
        f"pub: published {count} updates of each topic",
    ]
    assert sub == [*(f"sub: weather {n}" for n in range(count)), f"sub: done after {count} updates"]


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("devices/queue_client.py", "tcp://127.0.0.1:5559"),
        ("devices/queue_server.py", "tcp://127.0.0.1:5560"),
        ("devices/pub.py", "tcp://127.0.0.1:5557"),
        ("devices/sub.py", "tcp://127.0.0.1:5558"),
    ],
)
def test_help_shows_default_endpoint(name: str, default: str) -> None:
    [lines] = run_together([example(name), "--help"])
    text = "".join("".join(lines).split())  # argparse wraps long lines, even inside a URL
    assert f"(default:{default})" in text
