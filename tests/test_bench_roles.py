"""``aiomq-bench``: the inproc roles, the PUB → SUB roles and the asyncio-raw connection.

Tiny counts only. The pubsub roles run as real processes (one publisher, two subscribers);
the publisher binds ``tcp://127.0.0.1:*`` for data and sync and announces both, so no fixed
port is used. The inproc roles run in this process, as libzmq's inproc tools do.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiomq._bench import raw_protocol
from aiomq._bench.errors import BenchError
from aiomq._bench.pubsub import control_messages, sync_endpoint_for
from aiomq.bench import main

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 20.0  # seconds, for each process

pytestmark = pytest.mark.timeout(3 * DEADLINE)

IMPL_LOOPS = [
    pytest.param("pyzmq", "asyncio", id="pyzmq"),
    pytest.param("zmq.asyncio", "asyncio", id="zmq.asyncio-asyncio"),
    pytest.param("aiomq", "asyncio", id="aiomq-asyncio"),
    pytest.param("aiomq", "uvloop", id="aiomq-uvloop"),
]


def assert_lines(output: str, patterns: list[str]) -> None:
    lines = output.splitlines()
    assert len(lines) == len(patterns), output
    for line, pattern in zip(lines, patterns, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


@pytest.mark.parametrize(("impl", "loop"), IMPL_LOOPS)
def test_inproc_thr_prints_libzmq_lines(
    impl: str, loop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inproc-thr", "16", "300", "--impl", impl, "--loop", loop]) == 0
    assert_lines(
        capsys.readouterr().out,
        [
            r"message size: 16 \[B\]",
            r"message count: 300",
            r"mean throughput: [1-9]\d* \[msg/s\]",
            r"mean throughput: \d+\.\d{3} \[Mb/s\]",
        ],
    )


@pytest.mark.parametrize(("impl", "loop"), IMPL_LOOPS)
def test_inproc_lat_prints_libzmq_lines(
    impl: str, loop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inproc-lat", "70000", "30", "--impl", impl, "--loop", loop]) == 0
    assert_lines(
        capsys.readouterr().out,
        [
            r"message size: 70000 \[B\]",
            r"roundtrip count: 30",
            r"average latency: \d+\.\d{3} \[us\]",
        ],
    )


def test_inproc_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inproc-thr", "0", "10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("kind", "impl", "loop", "message_size", "message_count")} == {
        "kind": "throughput",
        "impl": "aiomq",
        "loop": "asyncio",
        "message_size": 0,
        "message_count": 10,
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["inproc-thr", "16", "10"], "asyncio-raw has no inproc://: not applicable"),
        (
            ["pub-thr", "tcp://127.0.0.1:*", "16", "10"],
            "asyncio-raw has no PUB/SUB: not applicable",
        ),
    ],
)
def test_raw_baseline_has_no_inproc_nor_pubsub(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--impl", "asyncio-raw"]) == 1
    assert capsys.readouterr().err == f"aiomq-bench: error: {message}\n"


def _bench(*args: str) -> list[str]:
    return [sys.executable, "-m", "aiomq.bench", *args]


@pytest.mark.parametrize(("impl", "loop"), IMPL_LOOPS)
def test_pub_sub_roles_sync_and_report_per_subscriber(impl: str, loop: str) -> None:
    options = ["--impl", impl, "--loop", loop]
    any_port = "tcp://127.0.0.1:*"
    subscribers: list[subprocess.Popen[str]] = []
    publish = _bench("pub-thr", any_port, "16", "200", "--sync", any_port, "--subscribers", "2")
    with subprocess.Popen(
        [*publish, *options, "--announce"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as publisher:
        try:
            assert publisher.stdout is not None
            bound = json.loads(publisher.stdout.readline())
            assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", bound["endpoint"])
            assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", bound["sync"])
            command = _bench("sub-thr", bound["endpoint"], "16", "200", "--sync", bound["sync"])
            subscribers += [
                subprocess.Popen(
                    [*command, *options],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = [s.communicate(timeout=DEADLINE) for s in subscribers]
            pub_out, pub_err = publisher.communicate(timeout=DEADLINE)
        finally:
            publisher.kill()
            for s in subscribers:
                s.kill()
    assert publisher.returncode == 0, pub_err
    assert pub_out == ""
    for sub, (out, err) in zip(subscribers, outputs, strict=True):
        assert sub.returncode == 0, err
        assert_lines(
            out,
            [
                r"message size: 16 \[B\]",
                r"message count: 200",
                r"mean throughput: [1-9]\d* \[msg/s\]",
                r"mean throughput: \d+\.\d{3} \[Mb/s\]",
                r"messages lost: 0",
            ],
        )


def test_sync_endpoint_defaults() -> None:
    assert sync_endpoint_for("tcp://127.0.0.1:5555") == "tcp://127.0.0.1:5556"
    assert sync_endpoint_for("tcp://127.0.0.1:*") == "tcp://127.0.0.1:*"
    assert sync_endpoint_for("ipc:///tmp/bench") == "ipc:///tmp/bench.sync"
    with pytest.raises(BenchError, match="cannot derive a sync endpoint from 'inproc://x'"):
        sync_endpoint_for("inproc://x")
    for size in range(8):
        probe, end = control_messages(size)
        assert len({len(probe), len(end), size}) == 3


RAW_SIZES = [0, 1, 255, 256, 65535, 65536, 300_000, 2 * 1024 * 1024]


async def _round_trip(endpoint: str) -> None:
    listener = await raw_protocol.listen(endpoint)
    client = await raw_protocol.connect(listener.endpoint)
    server = await listener.accept()
    try:
        for size in RAW_SIZES:
            await client.send(bytes([size % 251]) * size)
        for size in RAW_SIZES:
            assert bytes(await server.recv()) == bytes([size % 251]) * size
        await server.send(b"pong")
        assert await client.recv() == b"pong"
        await client.aclose()
        with pytest.raises(BenchError, match="the peer closed the connection"):
            await server.recv()
    finally:
        await server.aclose()
        await listener.aclose()


async def test_raw_connection_frames_every_size_over_tcp() -> None:
    await _round_trip("tcp://127.0.0.1:*")


async def test_raw_connection_frames_every_size_over_ipc(tmp_path: Path) -> None:
    await _round_trip(f"ipc://{tmp_path}/raw.ipc")
    assert not (tmp_path / "raw.ipc").exists()


async def test_raw_connection_rejects_inproc() -> None:
    with pytest.raises(BenchError, match="asyncio-raw has no inproc://: not applicable"):
        await raw_protocol.connect("inproc://x")
