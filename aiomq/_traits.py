"""What the layers below the sockets know of a socket type: its traits, in one object.

Each socket class in ``aiomq._sockets`` declares a `SocketTraits`; the socket hands it to
the connection manager, and through it to sessions, listeners, engines, inproc and
multicast links. No module below ``aiomq._sockets`` names a socket type: it asks the
traits (``tests/test_layers.py`` checks this).

Layer 1: pure data (imports layer 0 only).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .constants import SocketOption

__all__ = ["Multicast", "SocketTraits", "Subscriptions"]


class Subscriptions(enum.Enum):
    """The socket's role in subscription traffic (RFC 29, RFC 37)."""

    NONE = "none"
    """No subscriptions: SUBSCRIBE/CANCEL commands from a peer are ignored."""
    PUBLISHER = "publisher"
    """Takes subscriptions from the wire: the engine turns SUBSCRIBE/CANCEL commands
    (and, from ZMTP 3.0 peers, ``\\x01``/``\\x00`` messages) into pipe items."""
    SUBSCRIBER = "subscriber"
    """Puts subscriptions on the wire: the engine encodes the pipe's subscription items
    as commands (or messages, for a ZMTP 3.0 peer)."""


class Multicast(enum.Enum):
    """The socket's role on a ``pgm://``/``epgm://`` endpoint."""

    NONE = "none"
    """Multicast endpoints are refused (``ENOCOMPATPROTO``)."""
    SEND = "send"
    """A PGM source: multicasts every message (subscribers filter on their side)."""
    RECEIVE = "receive"
    """A PGM receiver: joins the group and delivers what its sources send."""


@dataclass(frozen=True, slots=True)
class SocketTraits:
    """A socket type as the connection layers see it.

    Attributes:
        name: The ``Socket-Type`` property sent in READY, e.g. ``"PUSH"``.
        peers: The ``Socket-Type`` names a peer may have (the ZMTP compatibility
            matrix); any other peer is refused at the handshake.
        subscriptions: Its role in subscription traffic.
        multicast: Its role on a multicast endpoint.
        conflates: ``CONFLATE`` takes effect (libzmq: PUB, SUB, PUSH, PULL, DEALER; it
            accepts the option on XPUB and XSUB too, without effect).
        sends_identity: READY carries the ``Identity`` property (the routing id), as
            libzmq sends it for REQ, DEALER and ROUTER.
        thread_safe: Whether one socket may be used from several threads
            (``THREAD_SAFE``); no classic type is.
        options: The type-specific options it takes (``aiomq.options.SPECIFIC_OPTIONS``,
            such as ``ROUTER_MANDATORY`` or ``SUBSCRIBE``); the others raise ``EINVAL``.
    """

    name: str
    peers: frozenset[str]
    subscriptions: Subscriptions = Subscriptions.NONE
    multicast: Multicast = Multicast.NONE
    conflates: bool = False
    sends_identity: bool = False
    thread_safe: bool = False
    options: frozenset[SocketOption] = frozenset()
