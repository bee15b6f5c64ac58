"""ZMTP frame headers (RFC 37 §Framing).

A frame is ``flags(1) size(1 or 8) body``. Flags: bit 0 MORE, bit 1 LONG,
bit 2 COMMAND; bits 3-7 are reserved, sent as 0 and ignored on receipt.
Short frames carry a 1-octet size (0-255), long frames an 8-octet
network-order size (at most 2**63 - 1). Encoders use the short form for
bodies of at most 255 octets.

The decoder lives in ``aiomq.zmtp.connection``, inlined into the parse
loop for speed; this module holds the constants and the encoder helpers.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

__all__ = [
    "COMMAND",
    "LONG",
    "MAX_LONG_SIZE",
    "MAX_SHORT_SIZE",
    "MORE",
    "SHORT_COMMAND_HEADERS",
    "SHORT_LAST_HEADERS",
    "SHORT_MORE_HEADERS",
    "command_frame",
]

MORE = 0x01
"""Flag bit: more frames of this message follow (never set on commands)."""
LONG = 0x02
"""Flag bit: the size field is 8 octets."""
COMMAND = 0x04
"""Flag bit: the frame is a command, not message data."""

MAX_SHORT_SIZE = 255
"""Largest body encoded with a 1-octet size."""
MAX_LONG_SIZE = (1 << 63) - 1
"""Largest body size a long frame may declare."""

SHORT_LAST_HEADERS: tuple[bytes, ...] = tuple(bytes((0, n)) for n in range(256))
"""``SHORT_LAST_HEADERS[n]`` is the header of a final short data frame of ``n`` octets."""
SHORT_MORE_HEADERS: tuple[bytes, ...] = tuple(bytes((MORE, n)) for n in range(256))
"""``SHORT_MORE_HEADERS[n]`` is the header of a non-final short data frame of ``n`` octets."""
SHORT_COMMAND_HEADERS: tuple[bytes, ...] = tuple(bytes((COMMAND, n)) for n in range(256))
"""``SHORT_COMMAND_HEADERS[n]`` is the header of a short command frame of ``n`` octets."""


def command_frame(body: bytes) -> bytes:
    """Frame a command body (``name_len name data``) as one command frame.

    Args:
        body: The command body.

    Returns:
        Header plus body, ready for the wire.
    """
    n = len(body)
    if n <= MAX_SHORT_SIZE:
        return SHORT_COMMAND_HEADERS[n] + body
    return b"\x06" + n.to_bytes(8, "big") + body
