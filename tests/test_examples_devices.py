"""Run the device examples (``examples/devices``) as processes, with ``aiomq proxy`` between:
client - queue - server, publisher - forwarder - subscriber, producer - streamer - consumer.

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
        f"client: connecting to {frontend}",
        *(f"client: client | request {n} | answered by server" for n in range(count)),
        f"client: done after {count} requests",
    ]
    assert server == [
        f"server: connecting to {backend}",
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
        f"pub: connecting to {frontend}, waiting for a subscriber",
        "pub: first subscription to 'weather'",
        f"pub: published {count} updates of each topic",
    ]
    assert sub == [
        f"sub: connecting to {backend}, subscribed to 'weather'",
        *(f"sub: weather {n}" for n in range(count)),
        f"sub: done after {count} updates",
    ]


def test_producer_streamer_consumer(
    endpoints: tuple[str, str], device_runner: list[subprocess.Popen[str]]
) -> None:
    frontend, backend = endpoints
    count = 6
    device = start_device(device_runner, "streamer", frontend, backend)
    consumer, producer = run_together(
        [example("devices/consumer.py"), "--endpoint", backend, "--count", str(count)],
        [example("devices/producer.py"), "--endpoint", frontend, "--count", str(count)],
    )
    log = stop_device(device)
    assert producer == [f"producer: connecting to {frontend}", f"producer: sent {count} tasks"]
    assert consumer == [
        f"consumer: connecting to {backend}",
        *(f"consumer: task {n}" for n in range(count)),
        f"consumer: done after {count} tasks",
    ]
    assert log[:2] == [f"frontend LISTENING {frontend}", f"backend LISTENING {backend}"]
    assert f"frontend ACCEPTED {frontend}" in log
    assert f"backend ACCEPTED {backend}" in log
