"""``Poller``: wait until any of several sockets or file descriptors is ready, as pyzmq's.

``poll`` returns a future at once, as zmq.asyncio's does. Readiness is looked up on each
aiomq socket without consuming anything (a message looked at stays first in line for
the next ``recv``); raw file descriptors are checked with ``select``. When nothing is
ready, one future watches the wake-up signals of the registered sockets and the loop
watches the raw descriptors; the check is repeated after each wake. No task is created
per poll and nothing spins. ``Socket.poll`` is a one-socket poll through the same code.

Layer 7.
"""

from __future__ import annotations

import asyncio
import select
from collections.abc import Callable
from typing import Any

from ._signal import Signal
from ._sockets import Socket
from .constants import PollEvent
from .errors import ENOTSOCK, ZMQError

__all__ = ["Poller"]

_POLLIN = int(PollEvent.POLLIN)
_POLLOUT = int(PollEvent.POLLOUT)
_BOTH = _POLLIN | _POLLOUT


def _file_descriptor(obj: object) -> int:
    """The descriptor of a raw pollable: an int, or an object with ``fileno()``.

    Raises:
        TypeError: ``obj`` is neither (or is a pyzmq socket, which aiomq cannot poll).
    """
    if type(obj).__module__.split(".")[0] == "zmq":
        raise TypeError(f"aiomq cannot poll a pyzmq object ({type(obj).__name__})")
    if isinstance(obj, int) and not isinstance(obj, bool):
        return obj
    fileno = getattr(obj, "fileno", None)
    if fileno is None:
        raise TypeError(
            f"only aiomq sockets, file descriptors and objects with fileno() can be "
            f"polled, not {type(obj).__name__}"
        )
    descriptor = fileno()
    if not isinstance(descriptor, int):
        raise TypeError(f"{type(obj).__name__}.fileno() returned {descriptor!r}, not an int")
    return descriptor


class Poller:
    """A set of sockets and file descriptors polled together (zmq.asyncio's ``Poller``).

    Example::

        poller = aiomq.Poller()
        poller.register(pull, aiomq.POLLIN)
        poller.register(sub, aiomq.POLLIN)
        for sock, events in await poller.poll(1000):
            print(sock, await sock.recv_multipart())
    """

    def __init__(self) -> None:
        self._flags: dict[Any, int] = {}
        self._descriptors: dict[Any, int] = {}

    @property
    def sockets(self) -> list[tuple[Any, int]]:
        """The registered ``(socket, flags)`` pairs, in registration order."""
        return list(self._flags.items())

    def __contains__(self, socket: object) -> bool:
        return socket in self._flags

    def __len__(self) -> int:
        return len(self._flags)

    def register(self, socket: Any, flags: int = _BOTH) -> None:
        """Watch ``socket`` for ``flags``; again for the same socket changes its flags.

        Args:
            socket: An aiomq socket, a file descriptor, or an object with ``fileno()``
                (reported by its descriptor, as pyzmq does).
            flags: ``aiomq.POLLIN``, ``aiomq.POLLOUT`` or both (the default); 0
                unregisters the socket (if registered), as in pyzmq.

        Raises:
            TypeError: ``socket`` is none of these.
        """
        if not isinstance(socket, Socket):
            self._descriptors[socket] = _file_descriptor(socket)
        flags = int(flags) & _BOTH
        if flags:
            self._flags[socket] = flags
        else:
            self._flags.pop(socket, None)
            self._descriptors.pop(socket, None)

    def modify(self, socket: Any, flags: int = _BOTH) -> None:
        """Change the flags of a registered socket (same as ``register``).

        Raises:
            TypeError: As ``register``.
        """
        self.register(socket, flags)

    def unregister(self, socket: Any) -> None:
        """Stop watching ``socket``.

        Raises:
            KeyError: ``socket`` is not registered (as pyzmq).
        """
        del self._flags[socket]
        self._descriptors.pop(socket, None)

    def _ready(self) -> list[tuple[Any, int]]:
        """What holds now, in registration order.

        Raises:
            ZMQError: ``ENOTSOCK`` for a registered socket that is closed.
        """
        ready: list[tuple[Any, int]] = []
        raw: dict[int, int] = {}
        for socket, flags in self._flags.items():
            if isinstance(socket, Socket):
                if socket.closed:
                    raise ZMQError(ENOTSOCK, "Socket operation on a closed socket")
                events = socket._poll_events(flags)
                if events:
                    ready.append((socket, events))
            else:
                descriptor = self._descriptors[socket]
                raw[descriptor] = raw.get(descriptor, 0) | flags
        if raw:
            readers = [fd for fd, flags in raw.items() if flags & _POLLIN]
            writers = [fd for fd, flags in raw.items() if flags & _POLLOUT]
            readable, writable, _ = select.select(readers, writers, [], 0)
            for fd in raw:
                events = (_POLLIN if fd in readable else 0) | (_POLLOUT if fd in writable else 0)
                if events:
                    ready.append((fd, events))
        return ready

    def poll(self, timeout: float | None = None) -> asyncio.Future[list[tuple[Any, int]]]:
        """Wait until a registered socket has one of its events, as zmq.asyncio's ``poll``.

        Args:
            timeout: Milliseconds to wait; ``None`` or negative waits forever (even with
                nothing registered), 0 only checks.

        Returns:
            A future of ``(socket, events)`` for each socket with events, in registration
            order (a raw descriptor is reported as its int); empty on timeout. Its
            exception is ``ZMQError(ENOTSOCK)`` if a registered socket is closed; it is
            cancelled if one closes while it waits (as in zmq.asyncio).

        Raises:
            RuntimeError: No event loop is running.

        Cancellation-safe: polling consumes nothing.
        """
        watch: _Watch = _Watch(self, asyncio.get_running_loop(), timeout, list)
        return watch.future

    def _poll_one(self, socket: Socket, timeout: float | None) -> asyncio.Future[int]:
        """``socket.poll``: the events of its one socket (0 on timeout)."""
        watch = _Watch(
            self, asyncio.get_running_loop(), timeout, lambda ready: dict(ready).get(socket, 0)
        )
        return watch.future


class _PollFuture(asyncio.Future[Any]):
    """A poll's future: cancelling it stops watching at once (not a loop turn later)."""

    __slots__ = ("_on_cancel",)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop=loop)
        self._on_cancel: Callable[[], None] | None = None

    def cancel(self, msg: Any | None = None) -> bool:
        if not super().cancel(msg):
            return False
        if self._on_cancel is not None:
            self._on_cancel()
        return True


class _Watch:
    """One pending poll: resolves ``future`` when something is ready or time is up."""

    __slots__ = ("_convert", "_loop", "_poller", "_raw", "_timer", "_wake", "future")

    def __init__(
        self,
        poller: Poller,
        loop: asyncio.AbstractEventLoop,
        timeout: float | None,
        convert: Callable[[list[tuple[Any, int]]], Any],
    ) -> None:
        self._poller = poller
        self._loop = loop
        self._convert = convert
        self._wake: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._raw: dict[int, int] = {}
        self.future = _PollFuture(loop)
        try:
            ready = poller._ready()
        except ZMQError as exc:
            self.future.set_exception(exc)
            return
        if ready or timeout == 0:
            self.future.set_result(convert(ready))
            return
        if timeout is not None and timeout >= 0:
            self._timer = loop.call_later(timeout / 1000, self._time_up)
        for socket, flags in poller._flags.items():
            if not isinstance(socket, Socket):
                fd = poller._descriptors[socket]
                self._raw[fd] = self._raw.get(fd, 0) | flags
        for fd, flags in self._raw.items():
            if flags & _POLLIN:
                loop.add_reader(fd, self._check)
            if flags & _POLLOUT:
                loop.add_writer(fd, self._check)
        self.future.add_done_callback(self._finished)
        self.future._on_cancel = self._stop
        for socket in poller._flags:
            if isinstance(socket, Socket):
                socket._polls.add(self.future)  # its close cancels this poll at once
        self._arm()

    def _signals(self) -> list[Signal]:
        signals: list[Signal] = []
        for socket, flags in self._poller._flags.items():
            if isinstance(socket, Socket):
                signals.extend(socket._poll_signals(flags))
        return signals

    def _arm(self) -> None:
        wake: asyncio.Future[None] = self._loop.create_future()
        self._wake = wake
        for signal in self._signals():
            signal.register(wake)
        wake.add_done_callback(self._woken)

    def _woken(self, wake: asyncio.Future[None]) -> None:
        if not wake.cancelled():
            self._check()

    def _check(self) -> None:
        future = self.future
        if future.done():
            return
        try:
            ready = self._poller._ready()
        except ZMQError:
            future.cancel()  # a socket closed while polled (zmq.asyncio cancels too)
            return
        if ready:
            future.set_result(self._convert(ready))
        elif self._wake is not None and self._wake.done():
            self._arm()

    def _time_up(self) -> None:
        if not self.future.done():
            self.future.set_result(self._convert([]))

    def _finished(self, future: asyncio.Future[list[tuple[Any, int]]]) -> None:
        self._stop()

    def _stop(self) -> None:
        """Stop watching (once): the timer, the signals, the raw descriptors."""
        for socket in self._poller._flags:
            if isinstance(socket, Socket):
                socket._polls.discard(self.future)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        wake = self._wake
        if wake is not None:
            self._wake = None
            for signal in self._signals():
                signal.unregister(wake)
            wake.cancel()
        raw, self._raw = self._raw, {}
        for fd, flags in raw.items():
            if flags & _POLLIN:
                self._loop.remove_reader(fd)
            if flags & _POLLOUT:
                self._loop.remove_writer(fd)
