"""anyio integration: an aiomq socket as an anyio ``ObjectStream[list[bytes]]``.

aiomq sockets already work inside ``anyio.run(..., backend="asyncio")``: anyio's cancel
scopes cancel asyncio tasks, and a cancelled ``recv`` consumes nothing while a cancelled
``send`` queued the whole message or none of it, so ``fail_after``/``move_on_after``
around a receive lose no message. [`as_object_stream`][aiomq.anyio.as_object_stream]
additionally lets code typed against anyio's stream interfaces take an aiomq socket::

    stream = aiomq.anyio.as_object_stream(sock)
    await stream.send([b"hello"])
    parts = await stream.receive()

This module is not imported by ``import aiomq``; import ``aiomq.anyio`` explicitly.
Only anyio's asyncio backend is supported (aiomq is asyncio-native).

Layer 7.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import anyio
from anyio.abc import ObjectStream

from aiomq._sockets import Socket
from aiomq.errors import ENOTSOCK, ContextTerminated, ZMQError

__all__ = ["SocketStream", "as_object_stream"]


class SocketStream(ObjectStream[list[bytes]]):
    """An aiomq socket seen as an anyio bidirectional object stream of whole messages.

    Items are multipart messages (``list[bytes]``). The stream owns the socket:
    [`aclose`][aiomq.anyio.SocketStream.aclose] closes it.
    """

    def __init__(self, socket: Socket) -> None:
        self._socket = socket
        self._closed = False
        self._eof_sent = False

    @property
    def socket(self) -> Socket:
        """The wrapped aiomq socket."""
        return self._socket

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        """No typed attributes: aiomq sockets are not byte streams of one peer."""
        return {}

    def _translate(self, exc: ZMQError, *, receiving: bool) -> BaseException:
        if self._closed:
            return anyio.ClosedResourceError()
        if exc.errno == ENOTSOCK or isinstance(exc, ContextTerminated):
            # Closed behind the stream's back, or the context was terminated.
            return anyio.EndOfStream() if receiving else anyio.BrokenResourceError()
        return exc

    async def receive(self) -> list[bytes]:
        """Receive the next whole message.

        Raises:
            anyio.ClosedResourceError: This stream was closed with
                [`aclose`][aiomq.anyio.SocketStream.aclose].
            anyio.EndOfStream: The socket was closed elsewhere or its context terminated.
            Again: ``RCVTIMEO`` expired.
            ZMQError: ``ENOTSUP`` for a socket type that cannot receive.

        Cancellation-safe: a cancelled receive consumes nothing.
        """
        if self._closed:
            raise anyio.ClosedResourceError
        try:
            return await self._socket._closing_as_error(self._socket.recv_multipart())
        except ZMQError as exc:
            translated = self._translate(exc, receiving=True)
            if translated is exc:
                raise
            raise translated from exc

    async def send(self, item: list[bytes]) -> None:
        """Send ``item`` as one multipart message.

        Raises:
            anyio.ClosedResourceError: This stream was closed, or
                [`send_eof`][aiomq.anyio.SocketStream.send_eof] was called.
            anyio.BrokenResourceError: The socket was closed elsewhere or its context
                terminated.
            TypeError: A frame is not bytes-like.
            ValueError: ``item`` has no frame.
            Again: ``SNDTIMEO`` expired.
            ZMQError: As [`Socket.send_multipart`][aiomq.Socket.send_multipart].

        Cancellation-safe: the whole message was queued, or none of it.
        """
        if self._closed or self._eof_sent:
            raise anyio.ClosedResourceError
        try:
            await self._socket._closing_as_error(self._socket.send_multipart(item))
        except ZMQError as exc:
            translated = self._translate(exc, receiving=False)
            if translated is exc:
                raise
            raise translated from exc

    async def send_eof(self) -> None:
        """Close the sending half locally: later ``send`` calls raise ``ClosedResourceError``.

        ZMTP has no half-close, so nothing goes on the wire and the peer sees no end of
        stream; receiving goes on. Deliberately a local marker, not a libzmq feature.
        """
        self._eof_sent = True

    async def aclose(self) -> None:
        """Close the stream and the socket, waiting for queued messages (bounded by LINGER).

        Pending and later [`receive`][aiomq.anyio.SocketStream.receive] and
        [`send`][aiomq.anyio.SocketStream.send] calls raise ``ClosedResourceError``.
        Idempotent. Cancellation-safe: cancelling the wait does not stop the flush.
        """
        self._closed = True
        await self._socket.aclose()


def as_object_stream(socket: Socket) -> SocketStream:
    """Adapt ``socket`` to anyio's ``ObjectStream[list[bytes]]`` (the stream owns it).

    Raises:
        TypeError: ``socket`` is not an aiomq socket.
    """
    if not isinstance(socket, Socket):
        raise TypeError(f"socket must be an aiomq Socket, not {type(socket).__name__}")
    return SocketStream(socket)
