"""Subscriber: the SUB/XSUB side of publish-subscribe (RFC 29; libzmq ``xsub.cpp``).

Layer 3.
"""

from __future__ import annotations

from collections.abc import Callable

from .._pipe import Message, Pipe, Subscription
from .distributor import Distributor
from .fair_queue import FairQueue
from .trie import Removal, SubscriptionTrie

__all__ = ["Subscriber"]


class Subscriber:
    """Keeps the socket's own subscriptions, tells every publisher, fair-queues input.

    Subscriptions are counted: each ``subscribe`` is sent to every publisher, and a
    cancel goes out only when ``unsubscribe`` takes back a topic's last
    subscription (libzmq does the same, so a publisher needs no counts). Every new pipe,
    and every pipe that reconnects (``resend``), gets each distinct topic once.
    Subscription items are queued even above the high-water mark: they are never lost.

    Args:
        on_readable: Called when a message may have become available.
        on_writable: Called when a full pipe drains below its high-water mark.
        filtering: True (SUB) to deliver only messages matching a subscription; False
            (XSUB) to deliver everything the publishers send.
    """

    __slots__ = ("_connected", "_queue", "distributor", "filtering", "subscriptions")

    def __init__(
        self, on_readable: Callable[[], None], on_writable: Callable[[], None], *, filtering: bool
    ) -> None:
        self.subscriptions: SubscriptionTrie[None] = SubscriptionTrie()
        self._queue = FairQueue(on_readable)
        self.distributor = Distributor(on_writable)
        self.filtering = filtering
        self._connected: set[Pipe] = set()

    # -- pipes ------------------------------------------------------------------------

    @property
    def last_pipe(self) -> Pipe | None:
        """The pipe the last received message came from."""
        return self._queue.last_pipe

    def attach(self, pipe: Pipe) -> bool:
        """Read from ``pipe`` and send it every subscription."""
        self._queue.attach(pipe)
        self.distributor.attach(pipe)
        self._send_subscriptions(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        """Forget ``pipe``."""
        self._queue.detach(pipe)
        self.distributor.detach(pipe)
        self._connected.discard(pipe)

    def terminate(self, pipe: Pipe) -> None:
        """Stop sending to ``pipe``; keep reading it until drained."""
        self._queue.terminate(pipe)
        self.distributor.detach(pipe)

    def resend(self, pipe: Pipe) -> None:
        """A connecting ``pipe`` got a connection.

        On its first connection the queue goes out as it is, in order. After a reconnect
        the new peer gets every subscription again, once each, in place of the
        (un)subscriptions still queued for the old one.
        """
        if pipe not in self.distributor:
            return
        if pipe not in self._connected:
            self._connected.add(pipe)
            return
        pipe.outbound.discard_subscriptions()
        self._send_subscriptions(pipe)

    def _send_subscriptions(self, pipe: Pipe) -> None:
        outbound = pipe.outbound
        for topic in self.subscriptions:
            outbound.push(Subscription.make(topic, subscribe=True))

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, topic: bytes) -> None:
        """Count a subscription to ``topic`` and send it to every publisher."""
        self.subscriptions.add(topic, None)
        self._send_to_all(Subscription.make(topic, subscribe=True))

    def unsubscribe(self, topic: bytes) -> None:
        """Take back one subscription; cancel at the publishers when it was the last."""
        if self.subscriptions.remove(topic, None) is Removal.LAST_REMOVED:
            self._send_to_all(Subscription.make(topic, subscribe=False))

    def _send_to_all(self, item: Subscription) -> None:
        for pipe in self.distributor.pipes:
            pipe.outbound.push(item)

    # -- messages ---------------------------------------------------------------------

    def send_nowait(self, message: Message) -> None:
        """XSUB: apply a ``\\x01topic``/``\\x00topic`` message, or send one upstream.

        A message whose first frame starts with 1 or 0 is a (un)subscription, like each
        further frame of it that does; any other message goes to every publisher that
        has room (dropped for the others, never blocking).
        """
        first = message[0]
        if first and first[0] <= 1:
            for frame in message:
                if frame and frame[0] <= 1:
                    if frame[0]:
                        self.subscribe(frame[1:])
                    else:
                        self.unsubscribe(frame[1:])
            return
        self.distributor.send_to_all(message)

    def recv_nowait(self) -> Message:
        """Take the next message (SUB: the next that matches a subscription).

        Raises:
            Again: No (matching) message is waiting.
        """
        recv = self._queue.recv_nowait
        if not self.filtering:
            return recv()
        matches = self.subscriptions.matches
        while True:
            message = recv()
            if matches(message[0]):
                return message
