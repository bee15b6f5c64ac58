"""A child process for tests/test_hardening.py: opens many TCP connections to a ZMTP
server and stalls each one at a handshake stage (CVE-2020-15166 class).

Usage: ``python _stall_peers.py PORT COUNT``. Connection ``i`` stalls at stage
``i % 4``: silent, partial greeting, full greeting, partial READY. Connections are
opened in batches; each batch is complete once the server has answered every
connection as far as its stage allows (so the server has accepted and parsed them).
Then ``ready`` is printed and the process holds every connection open until its
stdin closes.
"""

from __future__ import annotations

import socket
import sys

GREETING = b"\xff" + b"\x00" * 8 + b"\x7f\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
READY_PUSH = b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"
STAGES = (b"", GREETING[:11], GREETING, GREETING + READY_PUSH[:7])
# What a NULL PULL server sends back at each stage: its first greeting stage; the whole
# greeting; the greeting and its READY (28 octets).
EXPECTED = (11, 64, 92, 92)
BATCH = 50


def _read_exactly(sock: socket.socket, count: int) -> None:
    got = 0
    while got < count:
        chunk = sock.recv(count - got)
        if not chunk:
            raise SystemExit(f"server closed a stalled connection after {got} octets")
        got += len(chunk)


def main() -> None:
    port, count = int(sys.argv[1]), int(sys.argv[2])
    held: list[socket.socket] = []
    for start in range(0, count, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, count)):
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
            sock.sendall(STAGES[i % 4])
            batch.append((i, sock))
        for i, sock in batch:
            _read_exactly(sock, EXPECTED[i % 4])
            held.append(sock)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()
    for sock in held:
        sock.close()


if __name__ == "__main__":
    main()
