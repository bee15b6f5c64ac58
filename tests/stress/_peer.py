"""A child process for the fault tests in tests/stress/: one aiomq socket that can be
SIGKILLed, SIGSTOPped and restarted by the test.

Usage: ``python _peer.py ROLE ENDPOINT`` where ROLE is

- ``pull``: bind ENDPOINT, print ``ready <endpoint>``, then one line per message:
  the sequence number for ``[b"<n>"]``, or ``<name> <size> <sha256>`` for
  ``[name, payload]``;
- ``xpub``: bind ENDPOINT, print ``ready <endpoint>``; on each subscription print
  ``subscribed <topic>``, then publish ``--count`` messages ``[b"other", ...]`` and
  ``[topic, b"<n>"]`` interleaved (only the latter match), then ``published <count>``.

``ENDPOINT`` may be ``tcp://127.0.0.1:*``; the line ``ready`` names the port that was
chosen, so that the test can restart the peer on the same one. Every line is flushed at
once. The process runs until it is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import signal
import sys
from pathlib import Path

import aiomq

ROOT = Path(__file__).resolve().parent.parent.parent


class Peer:
    """The test's handle on one child process running this script."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, role: str, endpoint: str, *args: str) -> Peer:
        """Start ``python _peer.py ROLE ENDPOINT ARGS...`` with its stdout piped."""
        pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            role,
            endpoint,
            *args,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def line(self, within: float = 10.0) -> str:
        """The next line the child printed, failing after ``within`` seconds or at EOF."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(within):
            raw = await self.proc.stdout.readline()
        if not raw:
            raise EOFError(f"child exited with status {await self.proc.wait()}")
        return raw.decode().rstrip("\n")

    async def ready(self, within: float = 10.0) -> str:
        """Wait for ``ready <endpoint>``; return the endpoint."""
        word, endpoint = (await self.line(within)).split()
        assert word == "ready", word
        return endpoint

    def signal(self, signum: int) -> None:
        """Send ``signum`` unless the child is gone already."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signum)

    async def kill(self) -> None:
        """SIGKILL the child (also when it is stopped) and reap it."""
        self.signal(signal.SIGKILL)
        await asyncio.wait_for(self.proc.wait(), 10)


def say(line: str) -> None:
    """Print one line and flush it, so that the test sees it at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def pull(endpoint: str) -> None:
    """Bind a PULL and report every message received."""
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PULL) as sock:
        sock.bind(endpoint)
        say(f"ready {sock.last_endpoint.decode()}")
        while True:
            message = await sock.recv_multipart()
            if len(message) == 1:
                say(message[0].decode())
            else:
                name, payload = message
                say(f"{name.decode()} {len(payload)} {hashlib.sha256(payload).hexdigest()}")


async def xpub(endpoint: str, count: int) -> None:
    """Bind an XPUB; answer each subscription with ``count`` matching messages."""
    async with aiomq.Context() as ctx, ctx.socket(aiomq.XPUB) as sock:
        sock.bind(endpoint)
        say(f"ready {sock.last_endpoint.decode()}")
        while True:
            [request] = await sock.recv_multipart()
            if request[:1] != b"\x01":
                continue  # an unsubscription
            topic = request[1:]
            say(f"subscribed {topic.decode()}")
            for n in range(count):
                await sock.send_multipart([b"other", b"%d" % n])
                await sock.send_multipart([topic, b"%d" % n])
            say(f"published {count}")


def main() -> None:
    """Parse the command line and run the role."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["pull", "xpub"])
    parser.add_argument("endpoint")
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    if args.role == "pull":
        aiomq.run(pull(args.endpoint))
    else:
        aiomq.run(xpub(args.endpoint, args.count))


if __name__ == "__main__":
    main()
