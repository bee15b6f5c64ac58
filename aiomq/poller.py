"""``Poller``: wait until any of several sockets is readable or writable, as pyzmq's.

Readiness is looked up on each socket without consuming anything (a message looked at
stays first in line for the next ``recv``); when nothing is ready, one future watches
the wake-up signals of every registered socket and the check is repeated after each
wake. No task is created per poll and nothing spins.

Layer 7.
"""

from __future__ import annotations

import asyncio

from ._signal import Signal, wait_any
from ._sockets import Socket
from .constants import PollEvent
from .errors import ENOTSOCK, ZMQError

__all__ = ["Poller"]

_POLLIN = int(PollEvent.POLLIN)
_POLLOUT = int(PollEvent.POLLOUT)
_BOTH = _POLLIN | _POLLOUT


class Poller:
    """A set of sockets polled together (pyzmq's ``zmq.Poller``, awaitable).

    Only aiomq sockets can be registered; pyzmq also takes objects with ``fileno()``,
    aiomq does not (it has no file descriptors).

    Example::

        poller = aiomq.Poller()
        poller.register(pull, aiomq.POLLIN)
        poller.register(sub, aiomq.POLLIN)
        for sock, events in await poller.poll(1000):
            print(sock, await sock.recv_multipart())
    """

    def __init__(self) -> None:
        self._flags: dict[Socket, int] = {}

    @property
    def sockets(self) -> list[tuple[Socket, int]]:
        """The registered ``(socket, flags)`` pairs, in registration order."""
        return list(self._flags.items())

    def __contains__(self, socket: object) -> bool:
        return socket in self._flags

    def __len__(self) -> int:
        return len(self._flags)

    def register(self, socket: Socket, flags: int = _BOTH) -> None:
        """Watch ``socket`` for ``flags``; again for the same socket changes its flags.

        Args:
            socket: An aiomq socket.
            flags: ``aiomq.POLLIN``, ``aiomq.POLLOUT`` or both (the default); 0
                unregisters the socket (if registered), as in pyzmq.

        Raises:
            TypeError: ``socket`` is not an aiomq socket.
        """
        if not isinstance(socket, Socket):
            raise TypeError(f"only aiomq sockets can be polled, not {type(socket).__name__}")
        flags = int(flags) & _BOTH
        if flags:
            self._flags[socket] = flags
        else:
            self._flags.pop(socket, None)

    def modify(self, socket: Socket, flags: int = _BOTH) -> None:
        """Change the flags of a registered socket (same as :meth:`register`).

        Raises:
            TypeError: ``socket`` is not an aiomq socket.
        """
        self.register(socket, flags)

    def unregister(self, socket: Socket) -> None:
        """Stop watching ``socket``.

        Raises:
            KeyError: ``socket`` is not registered (as pyzmq).
        """
        del self._flags[socket]

    def _ready(self) -> list[tuple[Socket, int]]:
        ready: list[tuple[Socket, int]] = []
        for socket, flags in self._flags.items():
            if socket.closed:
                raise ZMQError(ENOTSOCK, "Socket operation on a closed socket")
            events = socket._poll_events(flags)
            if events:
                ready.append((socket, events))
        return ready

    async def poll(self, timeout: float | None = None) -> list[tuple[Socket, int]]:  # noqa: ASYNC109 - pyzmq's signature, in milliseconds
        """Wait until a registered socket has one of its events, as pyzmq's ``poll``.

        Args:
            timeout: Milliseconds to wait; ``None`` or negative waits forever (even with
                nothing registered), 0 only checks.

        Returns:
            ``(socket, events)`` for each socket with events, in registration order;
            empty on timeout.

        Raises:
            ZMQError: ``ENOTSOCK`` if a registered socket is (or gets) closed.

        Cancellation-safe: polling consumes nothing.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None or timeout < 0 else loop.time() + timeout / 1000
        while True:
            ready = self._ready()
            if ready:
                return ready
            if deadline is not None and loop.time() >= deadline:
                return []
            signals: list[Signal] = []
            for socket, flags in self._flags.items():
                signals.extend(socket._poll_signals(flags))
            await wait_any(signals, deadline)
