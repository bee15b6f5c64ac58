"""PUB, SUB, XPUB and XSUB: the publish-subscribe pattern (RFC 29).

Publishers filter: a message goes only to the subscribers with a matching subscription
(a binary prefix of its first frame); a subscriber whose queue is full misses it. SUB
filters again on its own side, as libzmq does; XSUB does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from .._pipe import Pipe
from .._routing import Publisher, Subscriber
from .._traits import Multicast, SocketTraits, Subscriptions
from ..constants import SocketOption
from ..errors import EINVAL, ZMQError
from ..options import OptionValue
from .base import Socket

__all__ = ["PubSocket", "SubSocket", "XPubSocket", "XSubSocket"]

_SUBSCRIBE = SocketOption.SUBSCRIBE
_UNSUBSCRIBE = SocketOption.UNSUBSCRIBE
_TOPIC_OPTIONS = frozenset({_SUBSCRIBE, _UNSUBSCRIBE})


def _option_topic(option: SocketOption, value: OptionValue) -> bytes:
    """The bytes value of ``SUBSCRIBE``/``UNSUBSCRIBE`` (str refused, as pyzmq)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(
        f"option {option.name} takes bytes, not {type(value).__name__} "
        "(subscribe()/unsubscribe() also take str)"
    )


def _set_verbose(publisher: Publisher, value: int | bytes) -> None:
    publisher.verbose_subs = bool(value)
    publisher.verbose_unsubs = False


def _set_verboser(publisher: Publisher, value: int | bytes) -> None:
    publisher.verbose_subs = publisher.verbose_unsubs = bool(value)


def _set_manual(publisher: Publisher, value: int | bytes) -> None:
    publisher.manual = bool(value)


def _set_nodrop(publisher: Publisher, value: int | bytes) -> None:
    publisher.lossy = not value


def _set_welcome(publisher: Publisher, value: int | bytes) -> None:
    assert isinstance(value, bytes)
    publisher.welcome = value


# Options stored as usual and also applied to the publisher, as libzmq's xsetsockopt
# does (so XPUB_VERBOSE after XPUB_VERBOSER turns verbose unsubscriptions off again).
_PUBLISHER_OPTIONS: dict[SocketOption, Callable[[Publisher, int | bytes], None]] = {
    SocketOption.XPUB_VERBOSE: _set_verbose,
    SocketOption.XPUB_VERBOSER: _set_verboser,
    SocketOption.XPUB_MANUAL: _set_manual,
    SocketOption.XPUB_NODROP: _set_nodrop,
    SocketOption.XPUB_WELCOME_MSG: _set_welcome,
}


def _publisher_traits(name: str, *, conflates: bool, options: set[SocketOption]) -> SocketTraits:
    return SocketTraits(
        name,
        frozenset({"SUB", "XSUB"}),
        subscriptions=Subscriptions.PUBLISHER,
        multicast=Multicast.SEND,
        conflates=conflates,
        options=frozenset({SocketOption.CONFLATE, SocketOption.XPUB_NODROP, *options}),
    )


def _subscriber_traits(name: str, *, conflates: bool, options: set[SocketOption]) -> SocketTraits:
    return SocketTraits(
        name,
        frozenset({"PUB", "XPUB"}),
        subscriptions=Subscriptions.SUBSCRIBER,
        multicast=Multicast.RECEIVE,
        conflates=conflates,
        options=frozenset({SocketOption.CONFLATE, *options}),
    )


class _PublishingSocket(Socket):
    __slots__ = ("_publisher",)
    _delivers: ClassVar[bool] = False

    def _setup(self) -> None:
        publisher = self._publisher = Publisher(
            self._readable.set, self._writable.set, deliver=self._delivers
        )
        self._strategies = (publisher,)
        self._sender = publisher.send_nowait

    def _reconnected(self, pipe: Pipe) -> None:
        self._publisher.reconnected(pipe)

    def _can_send(self) -> bool:
        return True  # full subscribers miss the message (libzmq xpub.cpp xhas_out)

    def _set_action(self, option: SocketOption, value: OptionValue) -> bool:
        if option in _TOPIC_OPTIONS:
            if not self._publisher.manual:
                raise ZMQError(
                    EINVAL, f"{self._type.name} takes {option.name} only with XPUB_MANUAL"
                )
            topic = _option_topic(option, value)
            if option is _SUBSCRIBE:
                self._publisher.subscribe(topic)
            else:
                self._publisher.unsubscribe(topic)
            return True
        apply = _PUBLISHER_OPTIONS.get(option)
        if apply is None:
            return False
        self._options.set(option, value)
        apply(self._publisher, self._options.get(option))
        return True


class PubSocket(_PublishingSocket):
    """PUB: sends each message to the subscribers with a matching subscription.

    Never blocks: a subscriber whose queue is at ``SNDHWM`` misses the message (with
    ``XPUB_NODROP`` the send waits instead). ``recv`` raises ``ZMQError(ENOTSUP)``.
    """

    __slots__ = ()
    _traits: ClassVar[SocketTraits] = _publisher_traits("PUB", conflates=True, options=set())


class XPubSocket(_PublishingSocket):
    """XPUB: a PUB that also receives, as messages, the subscriptions of its peers.

    ``recv`` returns ``b"\\x01" + topic`` for a new subscription and ``b"\\x00" + topic``
    when a topic's last subscriber leaves or unsubscribes (every one with
    ``XPUB_VERBOSE``/``XPUB_VERBOSER``), plus whatever else XSUB peers send. With
    ``XPUB_MANUAL`` no subscription takes effect by itself: after receiving one, call
    ``subscribe`` (or ``unsubscribe``) to apply a topic for that peer.
    """

    __slots__ = ()
    _traits: ClassVar[SocketTraits] = _publisher_traits(
        "XPUB", conflates=False, options={*_TOPIC_OPTIONS, *_PUBLISHER_OPTIONS}
    )
    _delivers: ClassVar[bool] = True

    def _setup(self) -> None:
        super()._setup()
        self._receiver = self._publisher.recv_nowait


class _SubscribingSocket(Socket):
    __slots__ = ("_subscriber",)
    _filtering: ClassVar[bool] = True

    def _setup(self) -> None:
        # libzmq's SUB and XSUB do not linger on close: pending subscriptions are moot.
        self._options.set(SocketOption.LINGER, 0)
        subscriber = self._subscriber = Subscriber(
            self._readable.set, self._writable.set, filtering=self._filtering
        )
        self._strategies = (subscriber,)
        self._receiver = subscriber.recv_nowait

    def _reconnected(self, pipe: Pipe) -> None:
        self._subscriber.resend(pipe)


class SubSocket(_SubscribingSocket):
    """SUB: receives the messages matching its subscriptions, from every publisher.

    Subscribe with ``subscribe`` or ``setsockopt(aiomq.SUBSCRIBE, topic)``; a new
    SUB receives nothing. Subscriptions are counted (two subscribes need two
    unsubscribes) and are re-sent after every reconnect. ``send`` raises
    ``ZMQError(ENOTSUP)``.
    """

    __slots__ = ()
    _traits: ClassVar[SocketTraits] = _subscriber_traits(
        "SUB", conflates=True, options=set(_TOPIC_OPTIONS)
    )

    def _set_action(self, option: SocketOption, value: OptionValue) -> bool:
        if option is _SUBSCRIBE:
            self._subscriber.subscribe(_option_topic(option, value))
        elif option is _UNSUBSCRIBE:
            self._subscriber.unsubscribe(_option_topic(option, value))
        else:
            return False
        return True


class XSubSocket(_SubscribingSocket):
    """XSUB: a SUB that subscribes by sending messages, and delivers everything.

    Send ``b"\\x01" + topic`` to subscribe and ``b"\\x00" + topic`` to unsubscribe; any
    other message goes to every publisher (dropped for one whose queue is full). Unlike
    SUB it does not filter what it receives.
    """

    __slots__ = ()
    _traits: ClassVar[SocketTraits] = _subscriber_traits("XSUB", conflates=False, options=set())
    _filtering: ClassVar[bool] = False

    def _setup(self) -> None:
        super()._setup()
        self._sender = self._subscriber.send_nowait

    def _can_send(self) -> bool:
        return True  # full publishers miss the message (libzmq xsub.cpp xhas_out)
