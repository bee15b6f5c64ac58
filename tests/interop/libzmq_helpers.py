"""Shared pieces of the libzmq interop tests: pyzmq peers, monitors, links, payloads.

The libzmq side uses ``zmq.asyncio`` sockets on the test's own event loop (the default
loop or uvloop), so no threads are involved and every wait has a deadline. The fixtures
(``libzmq``, ``ipc_dir``) are in this folder's ``conftest.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import Sequence
from pathlib import Path

import zmq
import zmq.asyncio

# tests/_helpers.py: importable because pytest puts tests/ (home of the root conftest) on
# sys.path. mypy finds it when checking all of tests/, but not when run on tests/interop
# alone, hence the ignore that may or may not be needed.
from _helpers import (  # type: ignore[import-not-found, unused-ignore]
    EventRecorder,
    MultipartSocket,
    summary,
    unused_tcp_endpoint,
)
from _helpers import (  # type: ignore[import-not-found, unused-ignore]
    assert_empty as assert_aiomq_empty,
)
from zmq.utils.monitor import parse_monitor_message

import aiomq

__all__ = [
    "DEADLINE",
    "MESSAGES",
    "MIB",
    "TCP_ANY",
    "AnySocket",
    "EventRecorder",
    "Libzmq",
    "LibzmqMonitor",
    "MultipartSocket",
    "TcpTap",
    "assert_empty",
    "bindable",
    "frame",
    "ipc_endpoint",
    "link",
    "linked",
    "numbered",
    "recv_n",
    "send_all",
    "unused_tcp_endpoint",
]

DEADLINE = 10.0
"""Seconds any single wait in these tests may take before the test fails."""

MIB = 1 << 20


def frame(size: int, seed: int) -> bytes:
    """``size`` bytes whose content depends on ``seed`` (so swapped frames are noticed)."""
    pattern = bytes((seed * 7 + i) % 256 for i in range(256))
    return (pattern * (size // 256 + 1))[:size]


MESSAGES: list[list[bytes]] = [
    [b""],
    [frame(1, 1)],
    [frame(255, 2)],
    [frame(256, 3)],
    [frame(MIB, 4)],
    [b"", frame(1, 5), frame(255, 6), frame(256, 7), frame(MIB, 8)],
    [frame(MIB, 9), frame(256, 10), frame(255, 11), frame(1, 12), b""],
    [b"", b""],
    [frame(255, 13), frame(MIB, 14), frame(256, 15)],
    [b"last"],
]
"""Single- and multipart messages with frames of 0, 1, 255 (largest short frame),
256 (smallest long frame) and 1 MiB bytes, every frame distinct."""


def numbered(count: int) -> list[list[bytes]]:
    """``count`` small two-frame messages carrying their sequence number."""
    return [[b"%d" % i, frame(i % 300, i)] for i in range(count)]


async def send_all(sock: MultipartSocket, messages: Sequence[Sequence[bytes]]) -> None:
    """Send ``messages`` in order, failing after :data:`DEADLINE`."""
    async with asyncio.timeout(DEADLINE):
        for message in messages:
            await sock.send_multipart(message)


async def recv_n(sock: MultipartSocket, count: int) -> list[list[bytes]]:
    """Receive exactly ``count`` messages, failing after :data:`DEADLINE`."""
    received: list[list[bytes]] = []
    try:
        async with asyncio.timeout(DEADLINE):
            while len(received) < count:
                received.append(await sock.recv_multipart())
    except TimeoutError:
        raise AssertionError(f"received only {len(received)} of {count} messages") from None
    return received


AnySocket = aiomq.Socket | zmq.asyncio.Socket
"""An aiomq socket or a libzmq one."""


async def assert_empty(sock: AnySocket) -> None:
    """Nothing more is waiting on ``sock``, an aiomq or a libzmq socket."""
    if isinstance(sock, aiomq.Socket):
        await assert_aiomq_empty(sock)
        return
    try:
        extra = await sock.recv_multipart(zmq.DONTWAIT)
    except zmq.Again:
        return
    raise AssertionError(f"unexpected extra message: {summary(extra)}")


class LibzmqMonitor:
    """Collects a pyzmq socket's monitor events; waits for them with a deadline.

    Attach it before the socket binds or connects. Close it with :meth:`close` (the
    :class:`Libzmq` fixture object does this for the monitors it made).
    """

    def __init__(self, sock: zmq.asyncio.Socket) -> None:
        self._sock = sock
        self.events: list[tuple[int, str]] = []
        self._changed = asyncio.Event()
        self._monitor: zmq.asyncio.Socket = sock.get_monitor_socket()
        self._task = asyncio.get_running_loop().create_task(self._collect())

    async def _collect(self) -> None:
        while True:
            parts = await self._monitor.recv_multipart()
            message = parse_monitor_message(parts)
            endpoint: object = message["endpoint"]
            if isinstance(endpoint, bytes):
                endpoint = endpoint.decode()
            self.events.append((int(message["event"]), str(endpoint)))
            self._changed.set()

    def count(self, event: int) -> int:
        """How many times ``event`` (``zmq.EVENT_*``) happened so far."""
        return sum(1 for seen, _ in self.events if seen == event)

    def names(self) -> list[str]:
        """The events seen so far, by name (for assertion messages)."""
        return [zmq.Event(seen).name or str(seen) for seen, _ in self.events]

    async def wait_for(self, event: int, count: int = 1, within: float = DEADLINE) -> None:
        """Wait until ``event`` happened ``count`` times in all."""
        try:
            async with asyncio.timeout(within):
                while self.count(event) < count:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            name = zmq.Event(event).name
            raise AssertionError(f"libzmq never reported {name} x{count}: {self.names()}") from None

    async def close(self) -> None:
        """Stop collecting and close the monitor socket."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if not self._sock.closed:
            self._sock.disable_monitor()
        self._monitor.close(linger=0)


class Libzmq:
    """A pyzmq (libzmq) context for one test; every socket it makes has LINGER 0."""

    def __init__(self) -> None:
        self.context = zmq.asyncio.Context()
        self._monitors: list[LibzmqMonitor] = []

    def socket(self, kind: int, **options: int) -> zmq.asyncio.Socket:
        """A new libzmq socket with ``LINGER`` 0 and the given options (``HEARTBEAT_IVL=50``)."""
        sock = self.context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        for name, value in options.items():
            sock.setsockopt(getattr(zmq, name), value)
        return sock

    def monitor(self, sock: zmq.asyncio.Socket) -> LibzmqMonitor:
        """Start recording ``sock``'s monitor events."""
        monitor = LibzmqMonitor(sock)
        self._monitors.append(monitor)
        return monitor

    @staticmethod
    def bind(sock: zmq.asyncio.Socket, url: str) -> str:
        """Bind and return the resolved endpoint (``tcp://127.0.0.1:*`` gets its port)."""
        sock.bind(url)
        endpoint = sock.getsockopt(zmq.LAST_ENDPOINT)
        assert isinstance(endpoint, bytes)
        return endpoint.decode()

    async def close(self) -> None:
        """Close the monitors, then every socket with linger 0, then the context."""
        for monitor in self._monitors:
            await monitor.close()
        self.context.destroy(linger=0)


TCP_ANY = "tcp://127.0.0.1:*"
"""Any free loopback port, to bind."""

_ipc_names = itertools.count()


def ipc_endpoint(directory: Path) -> str:
    """A fresh ipc:// endpoint in ``directory`` (nothing listens there yet)."""
    path = os.path.join(directory, f"s{next(_ipc_names)}")
    assert len(path) < 100, path
    return f"ipc://{path}"


def bindable(transport: str, ipc_dir: Path | None = None) -> str:
    """An endpoint to bind on ``transport``: :data:`TCP_ANY`, or a fresh ipc:// endpoint in
    ``ipc_dir`` (the ``ipc_dir`` fixture)."""
    if transport == "tcp":
        return TCP_ANY
    assert transport == "ipc", transport
    assert ipc_dir is not None, "ipc needs the ipc_dir fixture"
    return ipc_endpoint(ipc_dir)


def link(
    asock: aiomq.Socket,
    zsocks: zmq.asyncio.Socket | Sequence[zmq.asyncio.Socket],
    aiomq_side: str,
    transport: str = "tcp",
    ipc_dir: Path | None = None,
) -> None:
    """Bind one side and connect the other: an aiomq socket and one or more libzmq sockets.

    ``aiomq_side="bind"``: ``asock`` binds one endpoint and every libzmq socket connects to
    it. ``"connect"``: every libzmq socket binds an endpoint of its own and ``asock``
    connects to each, in order.
    """
    peers = [zsocks] if isinstance(zsocks, zmq.asyncio.Socket) else list(zsocks)
    if aiomq_side == "bind":
        asock.bind(bindable(transport, ipc_dir))
        for zsock in peers:
            zsock.connect(asock.last_endpoint.decode())
    else:
        assert aiomq_side == "connect", aiomq_side
        for zsock in peers:
            asock.connect(Libzmq.bind(zsock, bindable(transport, ipc_dir)))


def linked(
    ctx: aiomq.Context,
    libzmq: Libzmq,
    aiomq_type: aiomq.SocketType,
    zmq_type: int,
    aiomq_side: str,
    transport: str = "tcp",
    ipc_dir: Path | None = None,
) -> tuple[aiomq.Socket, zmq.asyncio.Socket]:
    """A new aiomq socket and a new libzmq socket, :func:`link`-ed."""
    asock = ctx.socket(aiomq_type)
    zsock = libzmq.socket(zmq_type)
    link(asock, zsock, aiomq_side, transport, ipc_dir)
    return asock, zsock


class TcpTap:
    """A loopback TCP relay that records the bytes going each way.

    Put it between two peers to see what they say on the wire (PINGs and PONGs, say):
    the connecting peer connects to :attr:`endpoint` and the tap connects on to
    ``target``. Bytes from the connecting side are in :attr:`from_client`, bytes from
    the bound side in :attr:`from_server` (all connections together).
    """

    def __init__(self, target: str) -> None:
        host, _, port = target.removeprefix("tcp://").rpartition(":")
        self._target = (host, int(port))
        self.from_client = bytearray()
        self.from_server = bytearray()
        self.endpoint = ""
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._pumps: set[asyncio.Task[None]] = set()

    async def start(self) -> str:
        """Start listening; returns the endpoint to connect to."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.endpoint = f"tcp://127.0.0.1:{port}"
        return self.endpoint

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._writers.append(client_w)
        try:
            server_r, server_w = await asyncio.open_connection(*self._target)
        except OSError:
            client_w.close()
            return
        self._writers.append(server_w)
        loop = asyncio.get_running_loop()
        for task in (
            loop.create_task(self._pump(client_r, server_w, self.from_client)),
            loop.create_task(self._pump(server_r, client_w, self.from_server)),
        ):
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    @staticmethod
    async def _pump(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: bytearray
    ) -> None:
        try:
            while data := await reader.read(65536):
                record += data
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        """Stop listening and cut every relayed connection."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._pumps):
            task.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
