"""Events returned by ``aiomq.zmtp.Connection.receive_data``.

A complete multipart message is returned as a plain ``tuple[bytes, ...]``
(``Message``), every other event is a small frozen dataclass.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = [
    "Cancel",
    "Event",
    "HandshakeComplete",
    "Message",
    "PeerError",
    "Ping",
    "Pong",
    "Subscribe",
]

Message: TypeAlias = tuple[bytes, ...]
"""A complete multipart message, one ``bytes`` per frame (never empty)."""


@dataclass(frozen=True, slots=True)
class HandshakeComplete:
    """READY (or the mechanism's last command) was both sent and received.

    Data may flow from now on.

    Attributes:
        peer_socket_type: The peer's ``Socket-Type`` property, e.g. ``"DEALER"``.
        peer_identity: The peer's ``Identity`` property, ``b""`` when absent.
        metadata: Every property of the peer, names exactly as received.
        peer_version: ``(major, minor)`` from the peer's greeting.
    """

    peer_socket_type: str
    peer_identity: bytes
    metadata: dict[str, bytes]
    peer_version: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PeerError:
    """The peer sent an ERROR command (RFC 37 §Error Handling).

    The connection is finished: nothing after the ERROR is parsed. ERROR is
    fatal; the peer should not be reconnected with the same credentials.

    Attributes:
        reason: The reason text as sent (0-255 octets).
    """

    reason: bytes


@dataclass(frozen=True, slots=True)
class Ping:
    """The peer sent PING. The codec has already queued the PONG reply.

    Attributes:
        ttl: Time-to-live in deciseconds as on the wire (0 = none).
        context: The ping context as received.
    """

    ttl: int
    context: bytes


@dataclass(frozen=True, slots=True)
class Pong:
    """The peer answered a PING.

    Attributes:
        context: The echoed context.
    """

    context: bytes


@dataclass(frozen=True, slots=True)
class Subscribe:
    """The peer sent a SUBSCRIBE command (ZMTP 3.1).

    The 3.0 form (a data message ``b"\\x01" + topic``) arrives as a plain
    ``Message``; the socket layer interprets it.

    Attributes:
        topic: The subscription prefix.
    """

    topic: bytes


@dataclass(frozen=True, slots=True)
class Cancel:
    """The peer sent a CANCEL command (ZMTP 3.1).

    Attributes:
        topic: The subscription prefix to remove.
    """

    topic: bytes


Event: TypeAlias = Message | HandshakeComplete | PeerError | Ping | Pong | Subscribe | Cancel
"""Anything ``receive_data`` can return."""
