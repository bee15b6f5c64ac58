"""Pipes: bounded queues of whole messages between a socket and one peer.

A ``MessageQueue`` carries messages in one direction. Its *reader* registers
``on_readable`` (called when the queue goes from empty to non-empty) and its *writer*
registers ``on_writable`` (called when the queue drops back below its high-water mark).
A ``Pipe`` is the socket's view of one peer: an inbound and an outbound queue plus
what the handshake told us about the peer.

For tcp/ipc the other end of both queues is an engine; for inproc two pipes share the
same two queues, crossed, so messages move between sockets as objects.

Layer 3: no I/O, no asyncio.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

__all__ = [
    "ConflatingQueue",
    "FastLane",
    "Message",
    "MessageQueue",
    "Pipe",
    "Subscription",
    "lane",
]

Message = tuple[bytes, ...]


class Subscription(tuple[bytes, ...]):
    """A (un)subscription travelling through a pipe among the messages, in order.

    It *is* the one-frame ZMTP 3.0 form (``b"\\x01" + topic`` or ``b"\\x00" + topic``),
    marked by its class so that an engine can send it as a 3.1 SUBSCRIBE/CANCEL
    command instead. Engines turn received commands into it too, so publishers see one
    form whatever the peer's version (RFC 29; ZMTP checklist section 4).
    """

    __slots__ = ()

    @classmethod
    def make(cls, topic: bytes, *, subscribe: bool) -> Subscription:
        """The item for subscribing to (or cancelling) ``topic``."""
        return cls((bytes((subscribe,)) + topic,))

    @property
    def subscribe(self) -> bool:
        """True for a subscription, False for a cancellation."""
        return self[0][:1] == b"\x01"

    @property
    def topic(self) -> bytes:
        """The topic prefix."""
        return self[0][1:]


def _nothing() -> None:
    return None


class MessageQueue:
    """A FIFO of whole messages with a high-water mark (0 = unbounded).

    The writer checks ``full`` before ``push``; engines may push a whole read
    with ``push_many`` and then pause reading until ``on_writable`` fires.
    """

    __slots__ = ("hwm", "items", "on_readable", "on_writable")

    def __init__(self, hwm: int) -> None:
        self.items: deque[Message] = deque()
        """The messages, oldest first. A socket's fast lane (see ``FastLane``)
        appends and pops here directly, doing what ``push``/``pop`` do."""
        self.hwm = hwm
        self.on_readable: Callable[[], None] = _nothing
        self.on_writable: Callable[[], None] = _nothing

    def __len__(self) -> int:
        return len(self.items)

    @property
    def full(self) -> bool:
        """True when a writer must not push (the high-water mark is reached)."""
        return 0 < self.hwm <= len(self.items)

    def push(self, message: Message) -> None:
        """Append one message (the caller checked ``full``)."""
        items = self.items
        items.append(message)
        if len(items) == 1:
            self.on_readable()

    def push_many(self, messages: Iterable[Message]) -> None:
        """Append several messages at once, ignoring the high-water mark."""
        items = self.items
        was_empty = not items
        items.extend(messages)
        if was_empty and items:
            self.on_readable()

    def pop(self) -> Message:
        """Remove and return the oldest message.

        Raises:
            IndexError: The queue is empty.
        """
        items = self.items
        message = items.popleft()
        if len(items) + 1 == self.hwm:
            self.on_writable()
        return message

    def pop_all(self) -> list[Message]:
        """Remove and return every queued message."""
        items = self.items
        if not items:
            return []
        was_full = self.full
        messages = list(items)
        items.clear()
        if was_full:
            self.on_writable()
        return messages

    def pop_many(self, limit: int) -> list[Message]:
        """Remove and return the oldest ``limit`` messages (all of them if fewer)."""
        items = self.items
        if len(items) <= limit:
            return self.pop_all()
        was_full = self.full
        popleft = items.popleft
        messages = [popleft() for _ in range(limit)]
        if was_full and not self.full:
            self.on_writable()
        return messages

    def peek(self) -> Message:
        """Return the oldest message without removing it.

        Raises:
            IndexError: The queue is empty.
        """
        return self.items[0]

    def clear(self) -> None:
        """Drop every queued message."""
        self.items.clear()

    def discard_subscriptions(self) -> None:
        """Drop queued ``Subscription`` items, keeping messages in order."""
        items = self.items
        kept = [item for item in items if type(item) is not Subscription]
        if len(kept) != len(items):
            was_full = self.full
            items.clear()
            items.extend(kept)
            if was_full and not self.full:
                self.on_writable()

    def set_hwm(self, hwm: int) -> None:
        """Change the high-water mark, waking the writer if there is room now."""
        was_full = self.full
        self.hwm = hwm
        if was_full and not self.full:
            self.on_writable()


class ConflatingQueue(MessageQueue):
    """A queue that keeps only the newest message (``CONFLATE``), and every subscription.

    Pushing a message drops the messages still queued, as libzmq's conflating pipes do;
    ``Subscription`` items are kept, in order, because a subscription must never be
    lost. The queue has no high-water mark: it is never ``full``, so the writer never
    waits and an engine never stops reading. (libzmq conflates frame by frame, which
    mangles multipart messages; aiomq keeps the newest whole message.)
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(0)

    def push(self, message: Message) -> None:
        """Append ``message``, first dropping every queued message but subscriptions."""
        items = self.items
        if not items:
            items.append(message)
            self.on_readable()
            return
        if type(message) is not Subscription:
            kept = [item for item in items if type(item) is Subscription]
            if len(kept) != len(items):
                items.clear()
                items.extend(kept)
        items.append(message)

    def push_many(self, messages: Iterable[Message]) -> None:
        """Push each of ``messages`` in turn: only the last message survives."""
        for message in messages:
            self.push(message)

    def set_hwm(self, hwm: int) -> None:
        """Ignored: a conflating queue has no high-water mark (as in libzmq)."""


class Pipe:
    """The socket's link to one peer.

    Attributes:
        inbound: Messages from the peer, read by the socket's strategy.
        outbound: Messages to the peer, written by the socket's strategy.
        peer_socket_type: The peer's ``Socket-Type`` (from the handshake).
        peer_identity: The peer's ``Identity`` property (may be empty).
        routing_id: The id a ROUTER knows this peer by (set by the socket).
        endpoint: The endpoint this pipe belongs to (for monitor events and ``disconnect``).
        properties: The peer's message properties (its metadata, ``Peer-Address``,
            ``User-Id`` and ZAP metadata), set when the handshake completes.
        terminating: Set when the peer is gone; the pipe leaves the socket once its
            inbound queue is drained.
        subscribes_all: A multicast pipe (``epgm://``, ``pgm://``): subscribers filter
            on their side, so a publisher sends it every message and expects no
            subscriptions (libzmq's ``subscribe_to_all``).
    """

    __slots__ = (
        "endpoint",
        "inbound",
        "on_drained",
        "outbound",
        "peer_identity",
        "peer_socket_type",
        "properties",
        "routing_id",
        "subscribes_all",
        "terminating",
    )

    def __init__(
        self,
        inbound: MessageQueue,
        outbound: MessageQueue,
        *,
        endpoint: str = "",
        peer_socket_type: str = "",
        peer_identity: bytes = b"",
    ) -> None:
        self.inbound = inbound
        self.outbound = outbound
        self.endpoint = endpoint
        self.peer_socket_type = peer_socket_type
        self.peer_identity = peer_identity
        self.routing_id = b""
        self.properties: dict[str, bytes] = {}
        self.terminating = False
        self.subscribes_all = False
        self.on_drained: Callable[[Pipe], None] = _ignore_pipe

    def __repr__(self) -> str:
        return (
            f"<Pipe {self.endpoint or '?'} peer={self.peer_socket_type or '?'} "
            f"in={len(self.inbound)} out={len(self.outbound)}>"
        )


def _ignore_pipe(pipe: Pipe) -> None:
    return None


FastLane = Callable[[MessageQueue | None], None]
"""How a strategy tells its socket which queue, if any, a send or receive may use directly.

While a strategy routes through exactly one pipe with nothing to decide per message
(PUSH, PULL, PAIR and DEALER with one peer), a send is a push onto that pipe's outbound
queue and a receive a pop from its inbound queue. The strategy then passes that queue
through its lane callback, and ``None`` as soon as that no longer holds (a second peer,
a terminating peer, no peer), so the socket can skip the strategy on its hot path.
"""


def lane(pipe: Pipe | None, queue: MessageQueue | None) -> MessageQueue | None:
    """``queue`` if a socket may use it as its fast lane: a plain queue of a live pipe.

    A ``ConflatingQueue`` never is: its push drops messages.
    """
    if pipe is None or pipe.terminating or type(queue) is not MessageQueue:
        return None
    return queue


def no_lane(queue: MessageQueue | None) -> None:
    """The lane callback of a strategy whose socket has no fast lane."""
    return None
