"""A received multipart message together with its connection's properties.

Layer 3: imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Message"]


@dataclass(frozen=True, slots=True)
class Message:
    """A multipart message and the properties of the connection it came over.

    Returned by [`Socket.recv_message`][aiomq.Socket.recv_message]. Properties are those libzmq
    attaches to messages (``zmq_msg_gets``, pyzmq's ``Frame.get``): the peer's
    handshake metadata (``Socket-Type``, ``Identity``, application ``X-*``
    properties), ``Peer-Address``, and — when a ZAP handler authenticated the
    peer — ``User-Id`` plus the handler's metadata.

    Attributes:
        frames: The frames, as [`recv_multipart`][aiomq.Socket.recv_multipart] returns them.
        properties: Property name → raw value, names as received.
    """

    frames: list[bytes]
    properties: Mapping[str, bytes] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """Return one property as text, pyzmq's ``Frame.get`` vocabulary.

        Names are case-insensitive (RFC 37). ``User-Id`` is ``""`` for a peer
        the ZAP handler accepted without a user id.

        Args:
            name: e.g. ``"User-Id"``, ``"Socket-Type"``, ``"Peer-Address"``.

        Returns:
            The value decoded as UTF-8 (invalid octets replaced), or None when
            the connection has no such property.
        """
        wanted = name.lower()
        for key, value in self.properties.items():
            if key.lower() == wanted:
                return value.decode("utf-8", "replace")
        return None
