"""The libzmq side of the pgm/epgm interop tests: one PUB or SUB, driven over stdin/stdout.

Run by ``tests/interop/test_pgm_interop.py`` inside the test's network namespace as
``/usr/bin/python3 -m interop.pgm_peer ROLE ENDPOINT [options]`` with ``tests/`` on
``PYTHONPATH``: Debian's ``python3-zmq`` links a libzmq built with OpenPGM, which the
venv's pyzmq wheel is not. Standard library plus that ``zmq`` only. (Not collected by
pytest: the name does not start with ``test_``.)

Every protocol line starts with ``@peer `` (OpenPGM prints its own warnings to stdout,
e.g. ``Warn: Interface lo reports as a loopback device.``) and is flushed at once. Roles:

``pub``
    Connects (waiting until it joined the group), prints ``ready``, then runs the
    commands it reads from stdin, one a line:

    - ``repeat NAME``: send ``control(NAME)`` every 20 ms until the next command arrives;
    - ``send START END``: send data messages START .. END-1 of ``--topic`` (with
      ``--other``'s interleaved), paced at ``--pace`` bytes/s; print ``at N`` every
      ``--progress`` messages, then ``sent END``;
    - ``edges ROUNDS``: send ``edge_messages(ROUNDS)``, then print ``sent edges``;
    - ``quit``: close (LINGER 0: the test only quits once the receiver is done), print
      the JSON result, exit 0.

``sub``
    Connects (waiting until it joined the group), subscribes to every ``--subscribe``
    (and to the control prefix), prints ``ready``, then receives: prints ``seen NAME``
    when control NAME first arrives and ``first TOPIC INDEX`` at the first data
    message. Once every ``--until`` control was seen (or on ``stop`` from stdin, or
    after ``--timeout`` s) it prints the JSON result of
    :class:`~interop.pgm_messages.Collector` and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import sys
import time
from typing import Any

import zmq

from .pgm_messages import CONTROL, Collector, control, edge_messages, stream

WARM_PERIOD = 0.02  # seconds between repeated control messages
MARK = "@peer "  # starts every protocol line: OpenPGM prints warnings to stdout too


def say(line: str) -> None:
    """Print one protocol line for the test (after :data:`MARK`), flushed.

    It starts on a fresh line: OpenPGM's warnings do not always end with one.
    """
    sys.stdout.write("\n" + MARK + line + "\n")
    sys.stdout.flush()


def group_users(endpoint: str) -> int:
    """How many sockets in this namespace joined the endpoint's group (``/proc/net/igmp``).

    ``epgm://iface;group:port`` (the first group).
    """
    group = endpoint.split(";", 1)[1].rsplit(":", 1)[0].split(",")[0].split(";")[0]
    wanted = socket.inet_aton(group)[::-1].hex().upper()  # printed as a host-order u32
    users = 0
    with open("/proc/net/igmp") as table:
        for line in table:
            words = line.split()
            if len(words) >= 2 and words[0] == wanted:
                users += int(words[1])
    return users


def connect_joined(sock: zmq.Socket[Any], endpoint: str, within: float = 5.0) -> None:
    """Connect, then wait until the socket has joined the group.

    libzmq joins in its I/O thread after ``connect`` returns. A SUB that reported
    ``ready`` before joining would miss the publisher's first SPMs, learn the source's
    address only later (SPMR), and OpenPGM gives up at once any packet lost before
    that (no address to NAK). No event tells when the join happened, hence the poll.
    """
    before = group_users(endpoint)
    sock.connect(endpoint)
    deadline = time.monotonic() + within
    while group_users(endpoint) <= before:
        if time.monotonic() > deadline:
            raise SystemExit(f"{endpoint}: group not joined after {within} s")
        time.sleep(0.001)  # polling the kernel's membership table, with a deadline


def options(sock: zmq.Socket[Any], args: argparse.Namespace) -> None:
    """Apply the command line's socket options."""
    sock.setsockopt(zmq.RATE, args.rate)
    sock.setsockopt(zmq.RECOVERY_IVL, args.recovery_ivl)
    sock.setsockopt(zmq.LINGER, 0)
    if args.maxtpdu:
        sock.setsockopt(zmq.MULTICAST_MAXTPDU, args.maxtpdu)
    if args.rcvbuf:
        sock.setsockopt(zmq.RCVBUF, args.rcvbuf)


class Lines:
    """Lines from stdin, unbuffered, so that :meth:`ready` can wait on the descriptor."""

    def __init__(self) -> None:
        self.buffer = b""
        self.eof = False

    def ready(self, timeout: float | None) -> bool:
        """Whether a line (or EOF) is waiting, waiting up to ``timeout`` seconds."""
        while b"\n" not in self.buffer and not self.eof:
            readable, _, _ = select.select([0], [], [], timeout)
            if not readable:
                return False
            chunk = os.read(0, 4096)
            self.buffer += chunk
            self.eof = not chunk
        return True

    def readline(self) -> str:
        """The next line, or ``""`` at EOF."""
        self.ready(None)
        line, sep, self.buffer = self.buffer.partition(b"\n")
        return (line + sep).decode()


class Pacer:
    """Keeps the bytes sent at or below ``rate`` bytes per second (0: no pacing)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.start = time.monotonic()
        self.sent = 0

    def add(self, nbytes: int) -> None:
        """Count ``nbytes`` more, sleeping while ahead of the rate."""
        self.sent += nbytes
        if self.rate:
            ahead = self.sent / self.rate - (time.monotonic() - self.start)
            if ahead > 0.002:
                time.sleep(ahead)  # pacing the sender, not waiting for a condition


def run_pub(sock: zmq.Socket[Any], args: argparse.Namespace) -> dict[str, Any]:
    """The ``pub`` role's command loop; returns its result."""
    topic = args.topic.encode()
    other = args.other.encode() if args.other else None
    pacer = Pacer(args.pace)
    lines = Lines()
    sent = controls = 0
    say("ready")
    while True:
        line = lines.readline()
        if not line:
            break
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "repeat":
            frames = control(words[1])
            while True:
                sock.send_multipart(frames)
                controls += 1
                if lines.ready(WARM_PERIOD):
                    break
        elif words[0] == "send":
            start, end = int(words[1]), int(words[2])
            pacer = Pacer(args.pace)
            for msg in stream(topic, start, end, other):
                sock.send_multipart(msg)
                sent += 1
                pacer.add(sum(len(f) + 2 for f in msg))
                if args.progress and msg[0].startswith(topic):
                    index = int(msg[0][len(topic) + 1 : len(topic) + 9])
                    if index % args.progress == 0:
                        say(f"at {index}")
            say(f"sent {end}")
        elif words[0] == "edges":
            for msg in edge_messages(int(words[1])):
                sock.send_multipart(msg)
                sent += 1
                pacer.add(sum(len(f) + 2 for f in msg))
            say("sent edges")
        else:
            say(f"error unknown command {line.strip()!r}")
    return {"sent": sent, "controls": controls}


def run_sub(sock: zmq.Socket[Any], args: argparse.Namespace) -> dict[str, Any]:
    """The ``sub`` role's receive loop; returns its result."""
    for prefix in args.subscribe or [""]:
        sock.setsockopt(zmq.SUBSCRIBE, prefix.encode())
    sock.setsockopt(zmq.SUBSCRIBE, CONTROL)
    collector = Collector(edges=args.edges)
    until = set(args.until or ["end"])
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    poller.register(sys.stdin.fileno(), zmq.POLLIN)
    deadline = time.monotonic() + args.timeout
    timed_out = stopped = False
    first = True
    say("ready")
    while not until.issubset(collector.controls):
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        events = dict(poller.poll(int(left * 1000) + 1))
        if sys.stdin.fileno() in events:
            stopped = True
            break
        if sock not in events:
            continue
        while True:
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            kind, name, n = collector.add(frames)
            if kind == "ctl" and n == 1:
                say(f"seen {name}")
            elif kind == "data" and first:
                first = False
                say(f"first {name} {n}")
    result = collector.result()
    result.update(timeout=timed_out, stopped=stopped)
    return result


def main() -> int:
    """Parse the command line, run the role, print the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("role", choices=["pub", "sub"])
    parser.add_argument("endpoint")
    parser.add_argument("--rate", type=int, default=100, help="ZMQ_RATE, kbit/s")
    parser.add_argument("--recovery-ivl", type=int, default=10_000, help="ms")
    parser.add_argument("--maxtpdu", type=int, default=0)
    parser.add_argument("--rcvbuf", type=int, default=0)
    parser.add_argument("--topic", default="A")
    parser.add_argument("--other", default="")
    parser.add_argument("--pace", type=int, default=0, help="bytes/s, 0 = unpaced")
    parser.add_argument("--progress", type=int, default=0)
    parser.add_argument("--subscribe", action="append")
    parser.add_argument("--until", action="append")
    parser.add_argument("--edges", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUB if args.role == "pub" else zmq.SUB)
    options(sock, args)
    if args.role == "pub":
        sock.setsockopt(zmq.SNDHWM, 0)  # queue everything; pacing keeps the queue short
    else:
        sock.setsockopt(zmq.RCVHWM, 0)
    connect_joined(sock, args.endpoint)
    started = time.monotonic()
    result = run_pub(sock, args) if args.role == "pub" else run_sub(sock, args)
    result["elapsed"] = round(time.monotonic() - started, 3)
    sock.close()
    ctx.term()
    say("result " + json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
