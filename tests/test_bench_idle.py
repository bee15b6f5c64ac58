"""``aiomq-bench idle-conns``: the measurement's structure and exact counts (not its figures).

Each test opens a few dozen real connections: one ROUTER binds ``tcp://127.0.0.1:*`` (or an
``ipc://`` path in a temporary directory) here, a child process connects the DEALERs, and
both sides wait for every handshake through monitor events with a deadline.
"""

from __future__ import annotations

import argparse
import json

import pytest

from aiomq._bench import idle
from aiomq._bench.errors import BenchError

pytestmark = pytest.mark.timeout(60)

COUNT = 50


def _check_side(side: idle.SideResult, name: str, socket_type: str, *, traced: bool) -> None:
    assert side.side == name
    assert side.socket_type == socket_type
    assert side.connections == COUNT
    assert side.handshakes == COUNT
    assert side.traced is traced
    assert side.fd_limit >= COUNT
    assert side.seconds > 0
    if traced:
        assert side.heap_bytes > 0
        assert side.heap_per_connection == side.heap_bytes / COUNT
        assert side.top
        assert all(site.bytes_per_connection > 0 for site in side.top)
        sizes = [site.bytes_per_connection for site in side.top]
        assert sizes == sorted(sizes, reverse=True)
    else:
        assert side.heap_bytes == 0
        assert side.top == ()


async def test_measure_idle_tcp_counts_every_handshake() -> None:
    result = await idle.measure_idle(COUNT, "tcp", top=5)
    assert result.connections == COUNT
    assert result.transport == "tcp"
    _check_side(result.bind, "bind", "ROUTER", traced=True)
    _check_side(result.connect, "connect", "DEALER", traced=True)
    assert all(len(side.top) <= 5 for side in (result.bind, result.connect))
    lines = result.lines()
    assert lines[0] == f"connections: {COUNT}"
    assert sum(line.strip().startswith("memory per connection: ") for line in lines) == 4
    data = json.loads(json.dumps(result.to_json()))
    assert data["connections"] == COUNT
    assert data["bind"]["handshakes"] == data["connect"]["handshakes"] == COUNT
    assert idle.SideResult.from_json(data["connect"]) == result.connect


async def test_measure_idle_ipc_without_tracemalloc() -> None:
    result = await idle.measure_idle(COUNT, "ipc", trace=False)
    assert result.transport == "ipc"
    _check_side(result.bind, "bind", "ROUTER", traced=False)
    _check_side(result.connect, "connect", "DEALER", traced=False)
    assert not any("Python heap" in line for line in result.lines())


async def test_measure_idle_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="count"):
        await idle.measure_idle(0, "tcp")
    with pytest.raises(ValueError, match="transport"):
        await idle.measure_idle(1, "udp")


def test_side_result_from_malformed_json() -> None:
    with pytest.raises(BenchError, match="malformed"):
        idle.SideResult.from_json({"side": "bind"})
    with pytest.raises(BenchError, match="malformed"):
        idle.SideResult.from_json({"side": "sideways"})


def test_register_adds_idle_conns() -> None:
    parser = argparse.ArgumentParser()
    idle.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["idle-conns"])
    assert (args.connections, args.transport, args.loop, args.json, args.trace) == (
        10_000,
        "tcp",
        "asyncio",
        False,
        True,
    )
    assert args.handler is idle.run
    args = parser.parse_args(
        ["idle-conns", "--connections", "7", "--transport", "ipc", "--loop", "uvloop", "--json"]
    )
    assert (args.connections, args.transport, args.loop, args.json) == (7, "ipc", "uvloop", True)
    with pytest.raises(SystemExit):
        parser.parse_args(["idle-conns", "--connections", "0"])


def test_main_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert idle.main(["--connections", "20", "--no-tracemalloc", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["connections"] == 20
    assert data["bind"]["handshakes"] == data["connect"]["handshakes"] == 20
