"""Socket monitoring: aiomq's async iterator of events, and pyzmq's monitor sockets.

Layer 6.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, overload

from .._monitor import EVENT_ALL, MonitorFeed, MonitorMessages, MonitorStream
from ..constants import Event, SocketType
from ..errors import ZMQError

if TYPE_CHECKING:
    from ..context import Context
    from .base import Socket

__all__ = ["MonitorListener", "MonitoringMixin"]

MonitorListener = Callable[[Event, str, "int | str"], None]
_MONITOR_IDS = itertools.count()


class _Unset:
    """The default of ``monitor``'s first argument (none given)."""


_UNSET = _Unset()


class MonitoringMixin:
    """``monitor``, ``get_monitor_socket`` and their listeners (a mixin of ``Socket``)."""

    __slots__ = ("_monitor_listeners", "_monitor_socket")

    if TYPE_CHECKING:
        _context: Context

        def _check_open(self) -> None: ...

    def _init_monitoring(self) -> None:
        self._monitor_listeners: list[MonitorListener] = []
        self._monitor_socket: Socket | None = None

    def _emit(self, event: Event, endpoint: str, value: int | str) -> None:
        for listener in self._monitor_listeners:
            listener(event, endpoint, value)

    def add_monitor_listener(self, listener: MonitorListener) -> None:
        """Call ``listener(event, endpoint, value)`` for each connection event.

        A low-level hook; ``monitor()`` builds on it.
        """
        self._monitor_listeners.append(listener)

    def remove_monitor_listener(self, listener: MonitorListener) -> None:
        """Stop calling ``listener``."""
        self._monitor_listeners.remove(listener)

    @overload
    def monitor(self, addr: None, events: int = 0) -> None: ...
    @overload
    def monitor(self, addr: str, events: int = EVENT_ALL) -> None: ...
    @overload
    def monitor(self, addr: int, *, maxlen: int = 1000) -> MonitorStream: ...
    @overload
    def monitor(self, *, events: int = EVENT_ALL, maxlen: int = 1000) -> MonitorStream: ...
    def monitor(
        self,
        addr: str | int | _Unset | None = _UNSET,
        events: int = EVENT_ALL,
        *,
        maxlen: int = 1000,
    ) -> MonitorStream | None:
        """Watch connection events, in pyzmq's form or as an async iterator.

        * ``sock.monitor("inproc://mon", events)`` (pyzmq): a PAIR bound on the inproc
          address sends libzmq's two-frame monitor messages; connect a PAIR to it and
          read them with ``aiomq.utils.monitor.recv_monitor_message``.
          ``sock.monitor(None)`` stops it.
        * ``sock.monitor(events)`` (aiomq): an async iterator of
          [MonitorEvent][aiomq.MonitorEvent], e.g.
          ``async with sock.monitor() as events: async for ev in events: ...``. Several
          may watch one socket.

        Args:
            addr: pyzmq's form: the inproc endpoint, or None to stop. aiomq's form: the
                events mask (``addr`` is then the first positional argument).
            events: A mask of [Event][aiomq.Event] values (all by default).
            maxlen: aiomq's form: events buffered at most; when full, the oldest is
                discarded.

        Returns:
            aiomq's form: the monitor, which ends with ``MONITOR_STOPPED`` after its
            ``aclose()``, or once the socket has closed and its connections are down
            (``CLOSED`` first). pyzmq's form: None.

        Raises:
            ZMQError: ``ENOTSOCK`` if the socket is closed; ``EADDRINUSE`` if ``addr``
                is taken.
            ValueError: ``maxlen`` is below 1.
            TypeError: ``addr`` is none of str, int, None.

        Cancellation-safe: a cancelled ``__anext__`` takes no event.
        """
        if addr is None:
            self.disable_monitor()
            return None
        if isinstance(addr, str):
            self._check_open()
            self._monitor_to(addr, events)
            return None
        if isinstance(addr, _Unset):
            addr = events
        if isinstance(addr, bool) or not isinstance(addr, int):
            raise TypeError(f"monitor() takes an inproc address or an events mask, not {addr!r}")
        self._check_open()
        stream = MonitorStream(addr, self._drop_monitor, maxlen)
        self.add_monitor_listener(stream)
        return stream

    def _monitor_to(self, addr: str, events: int | None) -> None:
        """Send libzmq's monitor messages to a PAIR bound on ``addr`` (one per socket)."""
        self.disable_monitor()
        feeder = self._context.socket(SocketType.PAIR)
        try:
            feeder.bind(addr)
        except BaseException:
            feeder.close(0)
            raise

        def send(frames: list[bytes]) -> None:
            try:  # noqa: SIM105 - the hot path of a monitor
                feeder.send_multipart_nowait(frames)
            except ZMQError:  # full, or the feeder was closed by its context
                pass

        self.add_monitor_listener(
            MonitorMessages(
                EVENT_ALL if events is None else events, self._drop_monitor, send, feeder.close
            )
        )

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Socket:
        """A PAIR socket receiving libzmq's two-frame monitor messages, as pyzmq's.

        Frame 1 is ``<uint16 event><uint32 value>`` (little-endian), frame 2 the
        endpoint: ``aiomq.utils.monitor.parse_monitor_message`` reads them. As in pyzmq,
        a second call returns the same socket while it is open. A message the PAIR
        cannot queue (``RCVHWM`` reached) is dropped.

        Args:
            events: A mask of [Event][aiomq.Event] values; None for all.
            addr: The inproc endpoint joining the two PAIRs; None picks a unique one.

        Returns:
            The connected PAIR socket (the caller closes it).

        Raises:
            ZMQError: ``ENOTSOCK`` if the socket is closed; ``EADDRINUSE`` if ``addr``
                is taken.
        """
        self._check_open()
        watcher = self._monitor_socket
        if watcher is not None and not watcher.closed:
            return watcher
        if addr is None:
            addr = f"inproc://aiomq.monitor.{id(self):x}.{next(_MONITOR_IDS)}"
        self._monitor_to(addr, events)
        watcher = self._monitor_socket = self._context.socket(SocketType.PAIR)
        watcher.connect(addr)
        return watcher

    def disable_monitor(self) -> None:
        """Stop libzmq-style monitoring (it sends ``MONITOR_STOPPED``)."""
        self._monitor_socket = None
        for listener in list(self._monitor_listeners):
            if isinstance(listener, MonitorMessages):
                listener.stop()

    def _drop_monitor(self, feed: MonitorFeed) -> None:
        if feed in self._monitor_listeners:
            self._monitor_listeners.remove(feed)
