"""Private network namespaces for the tests that break the network or use multicast.

The network-fault stress tests drop and partition traffic, and the multicast tests send
to multicast groups with a fixed port; both need a network of their own.

A test asks for the ``netns`` fixture (see ``tests/conftest.py``): it gets a fresh
namespace with only ``lo`` (up, multicast on, ``224.0.0.0/4`` routed through it) and the
helpers to run commands and nftables rules inside it. Nothing a test does there reaches
the host's network, and the namespace (with its rules) is deleted afterwards.

``NetNamespace.entered`` moves the calling thread into the namespace, so sockets
aiomq opens meanwhile (including reconnects) live there; asyncio's loop runs on that
thread. Where namespaces cannot be made (not Linux, not root, no ``ip`` or ``nft``), the
fixture skips the test and says which.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["NetNamespace", "namespace_unavailable"]

CLONE_NEWNET = 0x40000000
_names = itertools.count()


def namespace_unavailable() -> str | None:
    """Why no namespace can be made here, or None if one can."""
    if not sys.platform.startswith("linux"):
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    for tool, package in (("ip", "iproute2"), ("nft", "nftables")):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (apt-get install {package})"
    return None


class NetNamespace:
    """One private network namespace, made by ``create`` and removed by ``delete``.

    Attributes:
        name: The namespace's name under ``/run/netns``.
    """

    def __init__(self) -> None:
        self.name = f"aiomq-{os.getpid()}-{next(_names)}"

    def create(self) -> None:
        """Add the namespace, bring ``lo`` up and route multicast through it.

        Raises:
            RuntimeError: A command failed (its stderr is in the message).
        """
        _run(["ip", "netns", "add", self.name])
        self.run(["ip", "link", "set", "lo", "up"])
        self.run(["ip", "link", "set", "lo", "multicast", "on"])
        self.run(["ip", "route", "add", "224.0.0.0/4", "dev", "lo"])

    def delete(self) -> None:
        """Remove the namespace (its nftables rules go with it)."""
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, check=False)

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` prefixed to run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: Sequence[str]) -> str:
        """Run ``argv`` inside the namespace and return its stdout.

        Raises:
            RuntimeError: The command failed.
        """
        return _run(self.command(argv))

    def nft(self, *rules: str) -> None:
        """Run each of ``rules`` as one ``nft`` command line inside the namespace."""
        for rule in rules:
            self.run(["nft", *rule.split()])

    def input_chain(self, table: str = "faults", priority: int = 0) -> None:
        """Create ``inet table`` with a chain ``in`` on the input hook.

        The input hook, not output: ``tcpdump`` on ``lo`` taps at transmit, so a capture
        still shows what the chain then drops.
        """
        self.nft(
            f"add table inet {table}",
            f"add chain inet {table} in {{ type filter hook input priority {priority} ; }}",
        )

    def drop_pgm(
        self, packet_type: int, *, group: str, port: int, every: int = 0, table: str = "faults"
    ) -> None:
        """Drop epgm packets of ``packet_type`` (0x04 ODATA, 0x05 RDATA ...) sent to
        ``group:port``: all of them, or 1 in ``every`` at random.

        The type is the PGM header's byte 4: ``@th,96,8`` (UDP header 8 + 4 bytes).
        """
        chance = f"numgen random mod {every} == 0 " if every else ""
        self.nft(
            f"add rule inet {table} in ip daddr {group} udp dport {port} "
            f"@th,96,8 {packet_type:#04x} {chance}counter drop"
        )

    def dropped(self, table: str = "faults") -> int:
        """Packets dropped so far by the counters of ``inet`` ``table``."""
        listing = self.run(["nft", "list", "table", "inet", table])
        return sum(int(n) for n in re.findall(r"counter packets (\d+)", listing))

    @contextmanager
    def entered(self) -> Iterator[None]:
        """Move the calling thread into the namespace for the ``with`` block."""
        libc = ctypes.CDLL(None, use_errno=True)
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            _setns(libc, target)
            try:
                yield
            finally:
                _setns(libc, home)
        finally:
            os.close(target)
            os.close(home)


def _setns(libc: ctypes.CDLL, fd: int) -> None:
    if libc.setns(fd, CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"setns: {os.strerror(code)}")


def _run(argv: Sequence[str]) -> str:
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout
