"""The ``aiomq`` command line: ``aiomq proxy {queue,forwarder,streamer}`` as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from _helpers import recv_within, unused_tcp_endpoint

import aiomq
from aiomq.cli import build_parser, main

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 10.0
EVENT_LINE = re.compile(r"(frontend|backend) [A-Z_]+ tcp://127\.0\.0\.1:\d+")


def cli_env() -> dict[str, str]:
    """The environment for ``python -m aiomq.cli``: it imports this checkout's aiomq."""
    pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}


class Device:
    """``aiomq proxy <kind>`` running in a subprocess, its stderr read line by line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    async def wait_for_line(self, line: str) -> None:
        """Read stderr until ``line`` appeared."""
        assert self.proc.stderr is not None
        async with asyncio.timeout(DEADLINE):
            while line not in self.lines:
                raw = await self.proc.stderr.readline()
                assert raw, f"the device exited before printing {line!r}: {self.lines}"
                self.lines.append(raw.decode().rstrip("\n"))

    async def stop(self, signum: int) -> int:
        """Send ``signum``; return the exit status once the device exited."""
        self.proc.send_signal(signum)
        async with asyncio.timeout(DEADLINE):
            _, rest = await self.proc.communicate()
        self.lines += rest.decode().splitlines()
        assert self.proc.returncode is not None
        return self.proc.returncode


@contextlib.asynccontextmanager
async def start_device(
    kind: str, frontend: str, backend: str, *extra: str
) -> AsyncIterator[Device]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "aiomq.cli", "proxy", kind, "--frontend", frontend, "--backend", backend),
        *extra,
        cwd=ROOT,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield Device(proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
async def test_streamer_forwards_and_stops_cleanly(ctx: aiomq.Context, signum: int) -> None:
    frontend, backend = unused_tcp_endpoint(), unused_tcp_endpoint()
    async with start_device("streamer", frontend, backend) as device:
        producer, consumer = ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PULL)
        producer.connect(frontend)  # both retry until the device has bound
        consumer.connect(backend)
        messages = [[b"%d" % n, b"payload"] for n in range(100)]
        for message in messages:
            await producer.send_multipart(message)
        assert [await recv_within(consumer, DEADLINE) for _ in messages] == messages
        await device.wait_for_line(f"frontend HANDSHAKE_SUCCEEDED {frontend}")
        await device.wait_for_line(f"backend HANDSHAKE_SUCCEEDED {backend}")
        assert await device.stop(signum) == 0, device.lines
    assert device.lines[:2] == [f"frontend LISTENING {frontend}", f"backend LISTENING {backend}"]
    assert f"frontend ACCEPTED {frontend}" in device.lines
    assert f"backend ACCEPTED {backend}" in device.lines
    assert all(EVENT_LINE.fullmatch(line) for line in device.lines), device.lines


async def test_queue_serves_requests_across_processes(ctx: aiomq.Context) -> None:
    frontend, backend, capture = (unused_tcp_endpoint() for _ in range(3))
    async with start_device("queue", frontend, backend, "--capture", capture) as device:
        client, worker = ctx.socket(aiomq.REQ), ctx.socket(aiomq.REP)
        tap = ctx.socket(aiomq.SUB)
        tap.subscribe(b"")
        tap.connect(capture)
        client.connect(frontend)
        worker.connect(backend)
        n = 0
        # Serve requests until the capture subscription has arrived and a copy came back.
        async with asyncio.timeout(DEADLINE):
            while not await tap.poll(0):
                await client.send(b"request %d" % n)
                request = await worker.recv_multipart()
                await worker.send_multipart([*request, b"reply"])
                assert await client.recv_multipart() == [b"request %d" % n, b"reply"]
                n += 1
        copy = await recv_within(tap, DEADLINE)
        # A request or a reply, with the envelope it has between the ROUTER and the DEALER.
        assert copy[1:3] == [b"", copy[2]]
        assert copy[2].startswith(b"request ")
        assert copy[3:] in ([], [b"reply"])
        assert await device.stop(signal.SIGINT) == 0, device.lines
    assert all(EVENT_LINE.fullmatch(line) for line in device.lines), device.lines


def test_an_endpoint_that_cannot_bind_exits_1() -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "aiomq.cli", "proxy", "forwarder"),
            *("--frontend", "bogus://nowhere", "--backend", "tcp://127.0.0.1:*"),
        ],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1].startswith("aiomq proxy: ")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["proxy", "queue", "--frontend", "tcp://127.0.0.1:*"])
    assert raised.value.code == 2
    assert "--backend" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["proxy", "broker", "--frontend", "a", "--backend", "b"])
    assert raised.value.code == 2


def test_help_lists_the_devices() -> None:
    text = build_parser().parse_args(["proxy", "streamer", "--frontend", "f", "--backend", "b"])
    assert (text.device, text.frontend, text.backend, text.capture) == ("streamer", "f", "b", None)
