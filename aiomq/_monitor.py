"""Socket monitoring: typed events as an async iterator, or libzmq's two-frame messages.

A monitor is a listener the socket base registers with ``add_monitor_listener``; it
keeps the events its mask selects and stops once (on ``aclose()``, ``disable_monitor()``
or when the socket has finished closing), ending with ``MONITOR_STOPPED`` as libzmq does.

Layer 3.
"""

from __future__ import annotations

import asyncio
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .constants import Event

__all__ = [
    "EVENT_ALL",
    "MonitorEvent",
    "MonitorFeed",
    "MonitorMessages",
    "MonitorStream",
    "encode_event",
]

EVENT_ALL = Event.ALL
"""Every event (libzmq's ``ZMQ_EVENT_ALL``)."""

_FRAME = struct.Struct("<HI")


@dataclass(frozen=True, slots=True)
class MonitorEvent:
    """One socket monitor event.

    Attributes:
        event: What happened (numbered as libzmq's ``ZMQ_EVENT_*``).
        endpoint: The endpoint it happened on (``""`` for ``MONITOR_STOPPED``).
        value: libzmq's event value: the retry interval in ms for ``CONNECT_RETRIED``,
            an errno for ``CONNECT_DELAYED``/``BIND_FAILED``, 0 where libzmq gives a file
            descriptor (aiomq has none).
    """

    event: Event
    endpoint: str
    value: int | str


def encode_event(event: MonitorEvent) -> list[bytes]:
    """libzmq's (version 1) monitor message for ``event``.

    Frame 1 is 6 bytes, ``<uint16 event><uint32 value>`` little-endian; frame 2 is the
    endpoint. A string value (none of libzmq's events has one) is sent as 0.
    """
    value = event.value if isinstance(event.value, int) else 0
    return [_FRAME.pack(int(event.event), value & 0xFFFFFFFF), event.endpoint.encode()]


class MonitorFeed:
    """A monitor listener: filters by mask, delivers, and stops exactly once.

    Args:
        events: The mask of events to keep (``EVENT_ALL`` by default).
        detach: Called with this feed when it stops (removes the socket's listener).
    """

    def __init__(self, events: int, detach: Callable[[MonitorFeed], None]) -> None:
        self.events = events
        self._detach = detach
        self.stopped = False

    def __call__(self, event: Event, endpoint: str, value: int | str) -> None:
        """The socket's listener callback."""
        if not self.stopped and self.events & event:
            self._deliver(MonitorEvent(Event(event), endpoint, value))

    def _deliver(self, event: MonitorEvent) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Release what the feed holds, after its last event (subclasses)."""

    def stop(self) -> None:
        """Stop now: detach, deliver ``MONITOR_STOPPED`` (if in the mask), finish."""
        if self.stopped:
            return
        self.stopped = True
        self._detach(self)
        if self.events & Event.MONITOR_STOPPED:
            self._deliver(MonitorEvent(Event.MONITOR_STOPPED, "", 0))
        self._finish()

    def socket_closed(self, closed: asyncio.Future[None] | None) -> None:
        """The socket closed: stop once its connections are down (their last events sent)."""
        if closed is None or closed.done():
            self.stop()
        else:
            closed.add_done_callback(lambda _: self.stop())


class MonitorStream(MonitorFeed):
    """The async iterator returned by ``Socket.monitor()``: ``async for ev in stream``.

    Events wait in a buffer of at most ``maxlen``; when it is full the oldest event is
    discarded and counted in [`dropped`][aiomq._monitor.MonitorStream.dropped] (the
    monitored socket never waits for a slow monitor). Iteration ends after
    ``MONITOR_STOPPED``: after [`aclose`][aiomq._monitor.MonitorStream.aclose], or once the
    socket has closed (``disable_monitor()`` concerns ``get_monitor_socket``).

    Use ``async with sock.monitor() as events:`` or call
    [`aclose`][aiomq._monitor.MonitorStream.aclose] to stop it: a ``break`` out of
    ``async for`` alone leaves it listening.
    """

    def __init__(
        self, events: int, detach: Callable[[MonitorFeed], None], maxlen: int = 1000
    ) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        super().__init__(events, detach)
        self._buffer: deque[MonitorEvent] = deque(maxlen=maxlen)
        self._waiter: asyncio.Future[None] | None = None
        self.dropped = 0
        """Events discarded because the buffer was full."""

    def _deliver(self, event: MonitorEvent) -> None:
        buffer = self._buffer
        if len(buffer) == buffer.maxlen:
            self.dropped += 1
        buffer.append(event)
        self._wake()

    def _finish(self) -> None:
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> MonitorStream:
        return self

    async def __anext__(self) -> MonitorEvent:
        """The next event.

        Raises:
            StopAsyncIteration: The monitor stopped and every event was taken.

        Cancellation-safe: a cancelled wait takes no event.
        """
        while True:
            if self._buffer:
                return self._buffer.popleft()
            if self.stopped:
                raise StopAsyncIteration
            waiter = self._waiter
            if waiter is None or waiter.done():
                waiter = self._waiter = asyncio.get_running_loop().create_future()
            await asyncio.shield(waiter)

    def get_nowait(self) -> MonitorEvent | None:
        """The next buffered event, or None if there is none right now."""
        return self._buffer.popleft() if self._buffer else None

    async def aclose(self) -> None:
        """Stop monitoring; ``MONITOR_STOPPED`` is the last event still to iterate.

        Cancellation-safe: it stops at once, without waiting.
        """
        self.stop()

    async def __aenter__(self) -> MonitorStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class MonitorMessages(MonitorFeed):
    """Feeds libzmq's two-frame monitor messages to ``send`` (``get_monitor_socket``).

    Args:
        events: The mask of events to keep.
        detach: Called with this feed when it stops.
        send: Sends one message without waiting (it drops what cannot go now).
        finish: Called after the last message (``MONITOR_STOPPED``) was sent.
    """

    def __init__(
        self,
        events: int,
        detach: Callable[[MonitorFeed], None],
        send: Callable[[list[bytes]], None],
        finish: Callable[[], None],
    ) -> None:
        super().__init__(events, detach)
        self._send = send
        self._on_finish = finish

    def _deliver(self, event: MonitorEvent) -> None:
        self._send(encode_event(event))

    def _finish(self) -> None:
        self._on_finish()
