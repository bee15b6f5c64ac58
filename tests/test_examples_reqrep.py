"""Run the request-reply examples (``examples/reqrep``, ``examples/broker``) as processes.

The echo server and client, the broker with workers and clients as separate processes
(tcp and ipc), and the one-process broker demo; each must print exactly what is expected.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _helpers import unused_tcp_endpoint
from test_examples import (
    DEADLINE,
    ROOT,
    example,
    example_env,
    first_line,
    fresh_endpoint,
    run_together,
    running,
    start,
)

pytestmark = pytest.mark.timeout(2 * DEADLINE)


@pytest.fixture(params=["tcp", "ipc"])
def endpoints(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Two fresh endpoints of one transport (a broker's client and worker sides)."""
    return (
        fresh_endpoint(request.param, tmp_path, "clients.ipc"),
        fresh_endpoint(request.param, tmp_path, "workers.ipc"),
    )


def test_echo(endpoints: tuple[str, str]) -> None:
    endpoint, _ = endpoints
    # The client goes first: its request waits in the queue until the server is up.
    client, server = run_together(
        [example("reqrep/client.py"), "--endpoint", endpoint, "hello", "world!"],
        [example("reqrep/server.py"), "--endpoint", endpoint, "--count", "1"],
    )
    assert client == [f"Client connecting to {endpoint}", "Echo: hello world!"]
    assert server == [f"Server listening on {endpoint}", "Received: hello world!"]


def test_echo_client_gives_up_without_a_server() -> None:
    endpoint = unused_tcp_endpoint()
    proc = subprocess.run(
        [
            sys.executable,
            example("reqrep/client.py"),
            "--endpoint",
            endpoint,
            "--timeout",
            "0.2",
            "anyone?",
        ],
        cwd=ROOT,
        env=example_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [f"Client connecting to {endpoint}"]
    assert proc.stderr.splitlines() == ["No reply within 0.2 s"]


def test_broker_client_gives_up_without_a_broker() -> None:
    """``ctx.linger = 0`` makes the timed-out REQ's exit drop its request instead of
    waiting for it forever (LINGER -1 is libzmq's default)."""
    endpoint = unused_tcp_endpoint()
    proc = subprocess.run(
        [sys.executable, example("broker/client.py"), "--endpoint", endpoint, "--timeout", "2"],
        cwd=ROOT,
        env=example_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [f"client: connecting to {endpoint}"]
    assert proc.stderr.splitlines() == ["client: no reply within 2 s"]


@pytest.mark.skipif(sys.platform == "win32", reason="stops the workers with SIGTERM")
def test_broker_workers_and_clients_as_processes(endpoints: tuple[str, str]) -> None:
    frontend, backend = endpoints
    clients, workers, per_client = 3, 2, 4
    deadline = time.monotonic() + DEADLINE
    procs = [
        start([example("broker/worker.py"), "--endpoint", backend, "--name", f"w{n}"])
        for n in range(workers)
    ]
    try:
        # Each worker has its signal handlers in place once it says it is connecting.
        for n, proc in enumerate(procs):
            assert first_line(proc, deadline) == f"w{n}: connecting to {backend}"
        broker, *client_lines = run_together(
            [
                example("broker/broker.py"),
                "--endpoint",
                frontend,
                "--backend",
                backend,
                "--requests",
                str(clients * per_client),
            ],
            *(
                [
                    example("broker/client.py"),
                    "--endpoint",
                    frontend,
                    "--name",
                    f"c{n}",
                    "--count",
                    str(per_client),
                ]
                for n in range(clients)
            ),
        )
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=DEADLINE) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * workers, outputs
    assert broker == [
        f"broker: clients {frontend}, workers {backend}",
        f"broker: relayed {clients * per_client} requests, {clients * per_client} replies",
    ]
    for n, lines in enumerate(client_lines):
        assert lines == [
            f"c{n}: connecting to {frontend}",
            *(f"c{n}: 'c{n} request {k}' -> 'C{n} REQUEST {k}'" for k in range(per_client)),
        ]
    handled: list[str] = []
    for n, (stdout, _) in enumerate(outputs):
        lines = stdout.splitlines()
        requests = [line.removeprefix(f"w{n}: handled ") for line in lines[:-1]]
        assert lines[-1] == f"w{n}: stopped after {len(requests)} requests"
        handled.extend(requests)
    assert sorted(handled) == sorted(
        f"'c{n} request {k}'" for n in range(clients) for k in range(per_client)
    )


def test_broker_demo() -> None:
    [lines] = run_together([example("broker/demo.py")])
    assert lines == [
        *(
            f"client-{n}: 'client-{n} request {k}' -> 'CLIENT-{n} REQUEST {k}'"
            for n in range(3)
            for k in range(3)
        ),
        "broker: relayed 9 requests, 9 replies",
        "workers: 3 workers handled 9 requests",
    ]


def test_broker_demo_over_tcp_and_ipc(tmp_path: Path) -> None:
    [lines] = run_together(
        [
            example("broker/demo.py"),
            "--endpoint",
            unused_tcp_endpoint(),
            "--backend",
            "ipc://*" if sys.platform != "win32" else unused_tcp_endpoint(),
        ]
    )
    assert lines[-2:] == [
        "broker: relayed 9 requests, 9 replies",
        "workers: 3 workers handled 9 requests",
    ]
    assert len(lines) == 11


@pytest.mark.interop
def test_echo_server_answers_a_libzmq_client() -> None:
    """The echo server answers a pyzmq (libzmq) REQ socket."""
    zmq = pytest.importorskip("zmq")
    endpoint = unused_tcp_endpoint()
    context = zmq.Context()
    req = context.socket(zmq.REQ)
    req.setsockopt(zmq.RCVTIMEO, int(DEADLINE * 1000))
    req.setsockopt(zmq.LINGER, 0)
    req.connect(endpoint)
    try:
        with running(
            [example("reqrep/server.py"), "--endpoint", endpoint, "--count", "1"]
        ) as server:
            req.send_multipart([b"from", b"libzmq"])
            reply = req.recv_multipart()
            stdout, stderr = server.communicate(timeout=DEADLINE)
    finally:
        req.close()
        context.term()
    assert server.returncode == 0, stderr
    assert reply == [b"from", b"libzmq"]
    assert stdout.splitlines() == [f"Server listening on {endpoint}", "Received: from libzmq"]
