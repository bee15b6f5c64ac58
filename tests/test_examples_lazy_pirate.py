"""Run the Lazy Pirate examples (``examples/lazy_pirate_*.py``) as processes, killing the
server three times under a client's stream of requests.

The server binds ``tcp://127.0.0.1:*`` and names its port on its first line; each
restarted server binds that same port. Waits are for output lines, each with a deadline;
every process is killed in a ``finally`` block.
"""

from __future__ import annotations

import asyncio
import re
import sys

import pytest
from test_examples import ROOT, example, example_env

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(sys.platform == "win32", reason="kills the server with SIGKILL"),
]

REQUESTS = 200
KILL_AFTER = (49, 99, 149)  # the server is killed once the client printed "reply N"
LINE_DEADLINE = 10.0  # seconds


async def _start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=example_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _line(proc: asyncio.subprocess.Process) -> str:
    """The next stdout line of ``proc`` (``""`` at EOF), failing after LINE_DEADLINE."""
    assert proc.stdout is not None
    async with asyncio.timeout(LINE_DEADLINE):
        return (await proc.stdout.readline()).decode().rstrip("\n")


async def _start_server(endpoint: str) -> tuple[asyncio.subprocess.Process, str]:
    """A server bound to ``endpoint``, and the endpoint it reports."""
    proc = await _start(example("lazy_pirate_server.py"), "--endpoint", endpoint, "--work", "0.002")
    try:
        line = await _line(proc)
        match = re.fullmatch(r"server: bound to (tcp://127\.0\.0\.1:\d+)", line)
        assert match, line
    except BaseException:
        await _kill(proc)
        raise
    return proc, match.group(1)


async def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await asyncio.wait_for(proc.communicate(), 10)


async def test_lazy_pirate_loses_no_request_when_the_server_is_killed() -> None:
    """200 numbered requests while the server is SIGKILLed and restarted three times:
    every request gets exactly its own reply, in order, and the client reports how many
    times it resent a request (at least once per kill, unless a request queued in the
    old socket reached the new server in time)."""
    server, endpoint = await _start_server("tcp://127.0.0.1:*")
    client: asyncio.subprocess.Process | None = None
    lines: list[str] = []
    try:
        client = await _start(
            example("lazy_pirate_client.py"),
            "--endpoint",
            endpoint,
            "--count",
            str(REQUESTS),
            "--timeout",
            "0.25",
            "--retries",
            "10",
        )
        for kill_after in KILL_AFTER:
            while f"reply {kill_after}" not in lines:
                lines.append(await _line(client))
                assert lines[-1], "the client exited early"
            await _kill(server)
            server, restarted = await _start_server(endpoint)
            assert restarted == endpoint
        while not lines[-1].startswith("client: done"):
            lines.append(await _line(client))
            assert lines[-1], "the client exited early"
        _, stderr = await asyncio.wait_for(client.communicate(), LINE_DEADLINE)
        assert client.returncode == 0, stderr.decode()
    finally:
        await _kill(server)
        if client is not None:
            await _kill(client)
    replies = [int(line.split()[1]) for line in lines if line.startswith("reply ")]
    retries = [int(line.split()[1]) for line in lines if line.startswith("retry ")]
    print(f"\nlazy pirate: {len(replies)} replies, {len(retries)} retries at {retries}")
    assert replies == list(range(REQUESTS))  # zero lost, none twice, in order
    assert lines[0] == f"client: connecting to {endpoint}"
    assert lines[-1] == f"client: done, {REQUESTS} requests, {len(retries)} retries"
    assert len(lines) == 1 + REQUESTS + len(retries) + 1
