"""A bare framed connection on asyncio's transport layer: the ceiling of pure Python.

``RawConnection`` exchanges single-part messages framed like ZMTP 3 data frames (flags
byte, then a 1-byte size up to 255 or an 8-byte size with the ``LONG`` flag), with no greeting,
no handshake, no sockets, pipes or routing. It does what an ideal pure-Python ZeroMQ engine
would do and nothing more:

* the sender appends frames to one ``bytearray`` and writes it once per loop iteration (or
  once 1 MiB is waiting); bodies of 64 KiB or more are handed to the transport as they are;
* the receiver is a ``asyncio.BufferedProtocol``: it parses every complete frame of one
  read before waking the reader, and reads a large body straight into a buffer of its exact
  size (delivered as that ``bytearray``, without a further copy);
* ``recv()`` and ``send()`` do not suspend while messages are waiting or the transport accepts
  more (``send`` waits only when the transport asks to pause writing).

It works on the default loop and on uvloop, over tcp:// and ipc:// (Unix domain sockets).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
from collections import deque
from typing import cast

from aiomq._bench.errors import BenchError

__all__ = ["RawConnection", "RawListener", "connect", "listen"]

LARGE_BODY = 65536
"""Bodies from this size up are written as they are and read in place."""

CHUNK = 1 << 20
"""Size of the receive buffer for everything that is not a large body."""

FLUSH_AT = 1 << 20
"""Write the buffered frames at once when this many bytes are waiting (and pause above it)."""

_SHORT_HEADERS = [bytes((0, n)) for n in range(256)]
_CONNECT_ATTEMPTS = 200
_CONNECT_RETRY_S = 0.05


class RawConnection(asyncio.BufferedProtocol):
    """One framed connection; both ends use the same class.

    Args:
        loop: The running loop.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._made: asyncio.Future[None] = loop.create_future()
        self._lost: asyncio.Future[None] = loop.create_future()
        # Sending.
        self._out = bytearray()
        self._flush_scheduled = False
        self._paused = False
        self._resumed: asyncio.Future[None] | None = None
        # Receiving.
        self._buf = bytearray(CHUNK)
        self._view = memoryview(self._buf)
        self._start = 0
        self._end = 0
        self._body: bytearray | None = None
        self._body_view: memoryview | None = None
        self._body_got = 0
        self._messages: deque[bytes | bytearray] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._eof = False

    # -- protocol callbacks -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport, raise its write limit and disable Nagle on tcp."""
        self._transport = cast(asyncio.Transport, transport)
        self._transport.set_write_buffer_limits(high=FLUSH_AT)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._made.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        """Wake every waiter: the connection is gone."""
        self._eof = True
        self._wake()
        if self._resumed is not None and not self._resumed.done():
            self._resumed.set_result(None)
        if not self._lost.done():
            self._lost.set_result(None)

    def eof_received(self) -> bool:
        """The peer closed its side: let the transport close ours."""
        self._eof = True
        self._wake()
        return False

    def pause_writing(self) -> None:
        """The transport's buffer is above its limit: ``send`` waits from now on."""
        self._paused = True

    def resume_writing(self) -> None:
        """The transport drained: release a waiting ``send``."""
        self._paused = False
        if self._resumed is not None and not self._resumed.done():
            self._resumed.set_result(None)

    def get_buffer(self, sizehint: int) -> memoryview:
        """Return where the next read goes: the large body in progress, or the free tail."""
        if self._body_view is not None:
            return self._body_view[self._body_got :]
        if CHUNK - self._end < LARGE_BODY:
            pending = self._end - self._start
            self._buf[:pending] = bytes(self._view[self._start : self._end])
            self._start, self._end = 0, pending
        return self._view[self._end :]

    def buffer_updated(self, nbytes: int) -> None:
        """Parse every complete frame of this read; wake the reader."""
        if self._body is not None:
            self._body_got += nbytes
            if self._body_got == len(self._body):
                self._messages.append(self._body)
                self._body = None
                self._body_view = None
                self._wake()
            return
        buf = self._buf
        view = self._view
        messages = self._messages
        pos = self._start
        end = self._end + nbytes
        while True:
            avail = end - pos
            if avail < 2:
                break
            if buf[pos] & 2:
                if avail < 9:
                    break
                length = int.from_bytes(view[pos + 1 : pos + 9], "big")
                header = 9
            else:
                length = buf[pos + 1]
                header = 2
            stop = pos + header + length
            if stop <= end:
                messages.append(view[pos + header : stop].tobytes())
                pos = stop
                continue
            if length >= LARGE_BODY:  # read the rest of this body in place
                body = bytearray(length)
                got = end - pos - header
                body[:got] = view[pos + header : end]
                self._body = body
                self._body_view = memoryview(body)
                self._body_got = got
                pos = end
            break
        if pos == end:
            pos = end = 0
        self._start, self._end = pos, end
        if messages:
            self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- the user's side ----------------------------------------------------------------------

    async def recv(self) -> bytes | bytearray:
        """Return the next message; suspends only when none has arrived.

        Raises:
            BenchError: The peer closed the connection.
        """
        messages = self._messages
        if messages:
            return messages.popleft()
        while not messages:
            if self._eof:
                raise BenchError("asyncio-raw: the peer closed the connection")
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return messages.popleft()

    async def send(self, data: bytes | bytearray) -> None:
        """Queue one message; suspends only while the transport asks to pause writing.

        Raises:
            BenchError: The connection is closed.
        """
        transport = self._transport
        if transport is None or self._eof:
            raise BenchError("asyncio-raw: the connection is closed")
        size = len(data)
        out = self._out
        if size < 256:
            out += _SHORT_HEADERS[size]
        else:
            out += b"\x02" + size.to_bytes(8, "big")
        if size >= FLUSH_AT:
            transport.write(out)
            self._out = bytearray()
            transport.write(data)
        else:
            out += data
            if len(out) >= FLUSH_AT:
                self._flush()
            elif not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush_soon)
        if self._paused:
            await self._wait_resumed()

    def _flush_soon(self) -> None:
        self._flush_scheduled = False
        self._flush()

    def _flush(self) -> None:
        if self._out and self._transport is not None and not self._transport.is_closing():
            self._transport.write(self._out)
            self._out = bytearray()  # the transport may keep a reference to the old one

    async def _wait_resumed(self) -> None:
        while self._paused and not self._eof:
            self._resumed = self._loop.create_future()
            try:
                await self._resumed
            finally:
                self._resumed = None
        if self._eof:
            raise BenchError("asyncio-raw: the peer closed the connection")

    async def wait_connected(self) -> None:
        """Wait until the transport is attached."""
        await self._made

    async def aclose(self) -> None:
        """Write what is buffered, close (the transport flushes first) and wait until closed."""
        self._flush()
        if self._transport is not None:
            self._transport.close()
        await self._lost


def _split(endpoint: str) -> tuple[str, str]:
    scheme, sep, address = endpoint.partition("://")
    if not sep or scheme not in ("tcp", "ipc") or not address:
        if scheme == "inproc":
            raise BenchError("asyncio-raw has no inproc://: not applicable")
        raise BenchError(f"asyncio-raw: unsupported endpoint {endpoint!r} (tcp:// or ipc://)")
    return scheme, address


def _host_port(address: str) -> tuple[str | None, int]:
    host, colon, port = address.rpartition(":")
    if not colon or not (port == "*" or port.isdigit()):
        raise BenchError(f"asyncio-raw: bad tcp address {address!r}")
    return (None if host in ("*", "") else host.strip("[]")), (0 if port == "*" else int(port))


class RawListener:
    """A listening endpoint that accepts exactly one connection (see ``listen``)."""

    def __init__(
        self,
        server: asyncio.AbstractServer,
        endpoint: str,
        accepted: asyncio.Future[RawConnection],
        path: str | None,
    ) -> None:
        self._server = server
        self._accepted = accepted
        self._path = path
        self.endpoint = endpoint
        """The resolved endpoint (the port the system chose for ``tcp://host:*``)."""

    async def accept(self) -> RawConnection:
        """Wait for the peer, then stop listening (the accepted connection stays open)."""
        conn = await self._accepted
        await conn.wait_connected()
        self._server.close()
        return conn

    async def aclose(self) -> None:
        """Stop listening and remove the ipc socket file."""
        self._server.close()
        await self._server.wait_closed()
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._path)


async def listen(endpoint: str) -> RawListener:
    """Listen on a tcp:// or ipc:// endpoint for one connection.

    Raises:
        BenchError: The endpoint is not tcp:// or ipc://.
    """
    loop = asyncio.get_running_loop()
    scheme, address = _split(endpoint)
    accepted: asyncio.Future[RawConnection] = loop.create_future()

    def factory() -> RawConnection:
        conn = RawConnection(loop)
        if not accepted.done():
            accepted.set_result(conn)
        return conn

    if scheme == "ipc":
        server = await loop.create_unix_server(factory, address)
        return RawListener(server, endpoint, accepted, address)
    host, port = _host_port(address)
    server = await loop.create_server(factory, host, port)
    bound_port = server.sockets[0].getsockname()[1]
    shown = address.rpartition(":")[0]
    return RawListener(server, f"tcp://{shown}:{bound_port}", accepted, None)


def _same(conn: RawConnection) -> RawConnection:
    return conn


async def connect(endpoint: str) -> RawConnection:
    """Connect to a tcp:// or ipc:// endpoint, retrying for a while until it listens.

    Raises:
        BenchError: The endpoint is not tcp:// or ipc://, or nobody listened in time.
    """
    loop = asyncio.get_running_loop()
    scheme, address = _split(endpoint)
    for _ in range(_CONNECT_ATTEMPTS):
        conn = RawConnection(loop)
        try:
            if scheme == "ipc":
                await loop.create_unix_connection(functools.partial(_same, conn), address)
            else:
                host, port = _host_port(address)
                await loop.create_connection(
                    functools.partial(_same, conn), host or "127.0.0.1", port
                )
        except (ConnectionRefusedError, FileNotFoundError):
            await asyncio.sleep(_CONNECT_RETRY_S)
            continue
        await conn.wait_connected()
        return conn
    raise BenchError(f"asyncio-raw: nobody listens on {endpoint}")
