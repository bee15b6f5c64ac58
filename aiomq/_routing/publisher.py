"""Publisher: the PUB/XPUB side of publish-subscribe (RFC 29; libzmq ``xpub.cpp``).

Layer 3.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial

from .._pipe import Message, Pipe
from ..errors import Again
from .distributor import Distributor
from .trie import Removal, SubscriptionTrie

__all__ = ["Publisher"]


def _subscribe_once(trie: SubscriptionTrie[Pipe], topic: bytes, pipe: Pipe) -> bool:
    """Subscribe ``pipe`` unless it already is (libzmq keeps a *set* of pipes per topic).

    Returns:
        True when ``topic`` had no subscriber before.
    """
    if trie.count(topic, pipe):
        return False
    return trie.add(topic, pipe)


def _nothing() -> None:
    return None


class Publisher:
    """Filters outgoing messages by the subscriptions that arrive from each pipe.

    Subscriptions are read as soon as they arrive (from the inbound queue's
    ``on_readable``), whatever the application does, and are never delivered as messages
    by PUB. Per pipe a topic is subscribed at most once, as in libzmq's ``mtrie``: a
    peer's repeated SUBSCRIBE changes nothing, one CANCEL removes it (a SUB counts its
    own subscriptions and sends CANCEL only when the last one is taken back).

    An XPUB (``deliver=True``) additionally queues for its application, in arrival order:
    the (un)subscriptions as ``\\x01topic``/``\\x00topic`` messages — only a topic's first
    subscription and last unsubscription unless ``verbose_subs`` /
    ``verbose_unsubs`` — and every other message its peers send.

    Args:
        on_readable: Called when something was queued for the application.
        on_writable: Called when a full pipe drains below its high-water mark.
        deliver: True for XPUB, False for PUB.

    Attributes:
        verbose_subs: Report every subscription, not just a topic's first
            (``XPUB_VERBOSE``).
        verbose_unsubs: Report every unsubscription too (``XPUB_VERBOSER``).
        manual: Report every (un)subscription and apply none; the application applies
            them with ``subscribe``/``unsubscribe`` for ``last_pipe``
            (``XPUB_MANUAL``).
        lossy: False makes a send wait instead of dropping when a matching pipe is full
            (``XPUB_NODROP``).
        welcome: Sent first to every new subscriber when not empty
            (``XPUB_WELCOME_MSG``).
        last_pipe: The pipe whose (un)subscription the application received last (manual
            mode only).
    """

    __slots__ = (
        "_connected",
        "_deliver",
        "_manual_subscriptions",
        "_on_readable",
        "_pending",
        "distributor",
        "last_pipe",
        "lossy",
        "manual",
        "subscriptions",
        "verbose_subs",
        "verbose_unsubs",
        "welcome",
    )

    def __init__(
        self, on_readable: Callable[[], None], on_writable: Callable[[], None], *, deliver: bool
    ) -> None:
        self.subscriptions: SubscriptionTrie[Pipe] = SubscriptionTrie()
        self._manual_subscriptions: SubscriptionTrie[Pipe] = SubscriptionTrie()
        self.distributor = Distributor(on_writable)
        # (message, pipe, is_subscription); pipe is None for synthetic unsubscriptions.
        self._pending: deque[tuple[Message, Pipe | None, bool]] = deque()
        self._deliver = deliver
        self._on_readable = on_readable
        self._connected: set[Pipe] = set()
        self.last_pipe: Pipe | None = None
        self.verbose_subs = False
        self.verbose_unsubs = False
        self.manual = False
        self.lossy = True
        self.welcome = b""

    # -- pipes ------------------------------------------------------------------------

    def attach(self, pipe: Pipe) -> bool:
        """Start publishing to ``pipe`` and read the subscriptions it already holds.

        A pipe that ``subscribes_all`` is subscribed to everything
        at once, silently (an XPUB reports nothing for it, as libzmq).
        """
        self.distributor.attach(pipe)
        if pipe.subscribes_all:
            _subscribe_once(self.subscriptions, b"", pipe)
        if self.welcome:
            pipe.outbound.push((self.welcome,))
        pipe.inbound.on_readable = partial(self._read, pipe)
        self._read(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        """Forget ``pipe`` and its subscriptions, reporting the unsubscriptions (XPUB)."""
        if pipe not in self.distributor:
            return
        self.distributor.detach(pipe)
        self._connected.discard(pipe)
        pipe.inbound.on_readable = _nothing
        self._forget(pipe)

    terminate = detach

    def reconnected(self, pipe: Pipe) -> None:
        """A connecting pipe got a new connection: a new subscriber is behind it.

        The first connection changes nothing. After a reconnect the previous peer's
        subscriptions are dropped (and reported as on a disconnect) and the welcome
        message goes out again; the new peer sends its own subscriptions.
        """
        if pipe not in self.distributor:
            return
        if pipe not in self._connected:
            self._connected.add(pipe)
            return
        self._forget(pipe)
        if self.welcome:
            pipe.outbound.push((self.welcome,))

    def _forget(self, pipe: Pipe) -> None:
        if self.manual:
            for topic, _ in self._manual_subscriptions.remove_key(pipe):
                self._queue((b"\x00" + topic,), None, True)
                self.last_pipe = None
            self.subscriptions.remove_key(pipe)
            if self.last_pipe is pipe:
                self.last_pipe = None
            return
        verbose = self.verbose_unsubs
        for topic, last in self.subscriptions.remove_key(pipe):
            if last or verbose:
                self._queue((b"\x00" + topic,), None, True)

    # -- incoming ---------------------------------------------------------------------

    def _read(self, pipe: Pipe) -> None:
        queue = pipe.inbound
        while queue:
            message = queue.pop()
            first = message[0]
            if first and first[0] <= 1:
                # A subscription (3.1 command turned into a Subscription item, or a
                # 3.0 / XSUB data frame): each such frame of the message is one.
                for frame in message:
                    if frame and frame[0] <= 1:
                        self._subscription(pipe, frame[0] == 1, frame[1:])
            elif self._deliver:
                self._queue(message, pipe, False)

    def _subscription(self, pipe: Pipe, subscribe: bool, topic: bytes) -> None:
        if self.manual:
            if subscribe:
                _subscribe_once(self._manual_subscriptions, topic, pipe)
            else:
                self._manual_subscriptions.remove(topic, pipe)
            notify = True
        elif subscribe:
            notify = _subscribe_once(self.subscriptions, topic, pipe) or self.verbose_subs
        else:
            # As libzmq, a cancel of a topic the pipe never subscribed is reported too.
            removal = self.subscriptions.remove(topic, pipe)
            notify = removal is not Removal.REMAINING or self.verbose_unsubs
        if notify:
            self._queue((b"\x01" + topic if subscribe else b"\x00" + topic,), pipe, True)

    def _queue(self, message: Message, pipe: Pipe | None, subscription: bool) -> None:
        if not self._deliver:
            return
        pending = self._pending
        pending.append((message, pipe, subscription))
        if len(pending) == 1:
            self._on_readable()

    def recv_nowait(self) -> Message:
        """Take the next subscription notification or upstream message (XPUB).

        Raises:
            Again: Nothing is waiting.
        """
        if not self._pending:
            raise Again("no message available")
        message, pipe, subscription = self._pending.popleft()
        if subscription and self.manual:
            self.last_pipe = pipe if pipe in self.distributor else None
        return message

    # -- outgoing ---------------------------------------------------------------------

    def send_nowait(self, message: Message) -> None:
        """Queue ``message`` for every pipe subscribed to a prefix of its first frame.

        A full pipe misses it, unless ``lossy`` is False.

        Raises:
            Again: ``lossy`` is False and a matching pipe is full.
        """
        pipes = self.subscriptions.match(message[0])
        if pipes:
            self.distributor.send_nowait(message, pipes, lossy=self.lossy)

    def subscribe(self, topic: bytes) -> None:
        """Manual mode: subscribe ``last_pipe`` to ``topic`` (no-op without one)."""
        if self.last_pipe is not None:
            _subscribe_once(self.subscriptions, topic, self.last_pipe)

    def unsubscribe(self, topic: bytes) -> None:
        """Manual mode: unsubscribe ``last_pipe`` from ``topic``."""
        if self.last_pipe is not None:
            self.subscriptions.remove(topic, self.last_pipe)
