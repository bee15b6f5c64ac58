"""The Context: a factory and owner of sockets, and the inproc namespace.

Layer 6.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from ._sockets import Socket, socket_class
from ._transports.inproc import InprocRegistry
from ._zap import ZapRegistry
from ._zap_client import InprocZapClient
from .errors import ContextTerminated

__all__ = ["Context"]


class Context:
    """Creates sockets and holds the ``inproc://`` names they bind.

    Unlike libzmq's, an aiomq Context needs no I/O threads: every socket runs on the
    event loop that first binds or connects it. ``async with aiomq.Context() as ctx:``
    terminates it (closing any sockets still open) on exit.
    """

    _instance: ClassVar[Context | None] = None

    def __init__(self) -> None:
        self._sockets: set[Socket] = set()
        self._inproc = InprocRegistry()
        self._zap = ZapRegistry(self._inproc, InprocZapClient(self._inproc).ask)
        self._terminated = False

    @classmethod
    def instance(cls) -> Context:
        """Return the process-wide shared Context, creating it on first use."""
        if cls._instance is None or cls._instance._terminated:
            cls._instance = cls()
        return cls._instance

    @property
    def closed(self) -> bool:
        """True once the context was terminated or destroyed."""
        return self._terminated

    def socket(self, socket_type: int) -> Socket:
        """Create a socket.

        Args:
            socket_type: ``aiomq.PUSH``, ``aiomq.PULL``, ``aiomq.PAIR`` ...

        Raises:
            TypeError: ``socket_type`` is not an int.
            ZMQError: Unknown or unsupported type.
            ContextTerminated: The context was terminated.
        """
        kind, cls = socket_class(socket_type)
        if self._terminated:
            raise ContextTerminated()
        sock = cls(self, kind)
        self._sockets.add(sock)
        return sock

    def _forget(self, sock: Socket) -> None:
        self._sockets.discard(sock)

    def destroy(self, linger: int | None = None) -> None:
        """Close every socket of this context now (their flush goes on in the background).

        Args:
            linger: Overrides each socket's ``LINGER`` when given.
        """
        self._terminated = True
        for sock in list(self._sockets):
            sock.close(linger)

    async def term(self) -> None:
        """Terminate: blocked and later calls on its sockets raise ContextTerminated.

        Sockets still open are closed with their ``LINGER`` and this waits for their
        queued messages to flush. (libzmq's ``zmq_ctx_term`` instead waits for the
        application to close them; in one event loop that would deadlock.)

        Cancellation-safe: cancelling the wait does not stop the flush.
        """
        self._terminated = True
        sockets = list(self._sockets)
        for sock in sockets:
            sock._terminate()
        await asyncio.gather(*(sock.aclose() for sock in sockets))

    async def __aenter__(self) -> Context:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.term()
