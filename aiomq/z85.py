"""Z85, the ZeroMQ Base-85 encoding (ZeroMQ RFC 32), as used for CURVE keys.

Z85 maps every 4 octets (a big-endian 32-bit number) to 5 printable
characters, so a 32-octet CURVE key becomes 40 characters. Same behaviour as
``zmq.utils.z85``, except that every malformed input raises
``ValueError`` (pyzmq raises ``KeyError``/``struct.error`` for some).

Example::

    >>> from aiomq import z85
    >>> z85.encode(bytes.fromhex("864fd26fb559f75b"))
    b'HelloWorld'
    >>> z85.decode("HelloWorld").hex()
    '864fd26fb559f75b'

Layer 0: imports the standard library only.
"""

from __future__ import annotations

import base64

__all__ = ["Z85CHARS", "decode", "encode"]

Z85CHARS = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
"""The 85 Z85 symbols, in value order (RFC 32)."""

# Python's base85 (RFC 1924) uses the same arithmetic with another alphabet, so Z85 is
# base64.b85encode/b85decode plus a translation (fast: the work happens in C).
_B85CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_TO_B85 = bytearray(b'"' * 256)  # '"' is not a base85 symbol: unknown input fails to decode
for _z, _b in zip(Z85CHARS, _B85CHARS, strict=True):
    _TO_B85[_z] = _b
_TO_B85_TABLE = bytes(_TO_B85)
_TO_Z85_TABLE = bytes.maketrans(_B85CHARS, Z85CHARS)


def encode(data: bytes | bytearray | memoryview) -> bytes:
    """Encode raw octets as Z85.

    Args:
        data: Octets; the length must be a multiple of 4.

    Returns:
        ASCII Z85 text, 5 characters per 4 octets.

    Raises:
        ValueError: The length is not a multiple of 4.
    """
    raw = bytes(data)
    if len(raw) % 4:
        raise ValueError(f"Z85 encodes a multiple of 4 octets, not {len(raw)}")
    return base64.b85encode(raw).translate(_TO_Z85_TABLE)


def decode(text: str | bytes | bytearray | memoryview) -> bytes:
    """Decode Z85 text to raw octets.

    Args:
        text: Z85 characters (``str`` must be ASCII); the length must be a
            multiple of 5.

    Returns:
        The octets, 4 per 5 characters.

    Raises:
        ValueError: Bad length, a character outside the Z85 alphabet, or a
            5-character group worth 2**32 or more.
    """
    if isinstance(text, str):
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("Z85 text must be ASCII") from None
    else:
        raw = bytes(text)
    if len(raw) % 5:
        raise ValueError(f"Z85 text is a multiple of 5 characters long, not {len(raw)}")
    try:
        return base64.b85decode(raw.translate(_TO_B85_TABLE))
    except ValueError as exc:
        raise ValueError(f"invalid Z85 text: {exc}") from None
