"""The 64-octet ZMTP greeting (RFC 37 §Formal Grammar, §Version Negotiation).

=======  ===============  ==========================================
octets   field            value sent by aiomq
=======  ===============  ==========================================
0        signature start  ``0xFF``
1-8      padding          ``00 .. 00 01`` (like libzmq; never validated)
9        signature end    ``0x7F`` (only bit 0 is checked on receipt)
10       version-major    ``3``
11       version-minor    ``1``
12-31    mechanism        ASCII name, NUL-padded to 20 octets
32       as-server        ``0`` or ``1``
33-63    filler           31 zero octets
=======  ===============  ==========================================

The greeting is sent in two stages to stay deadlock-free with libzmq, which
itself waits for our first octets before sending all of its own: octets 0-10
at once, octets 11-63 after the peer's octets 0-10 have arrived.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

import re

from .errors import ProtocolError

__all__ = [
    "GREETING_SIZE",
    "PREFIX_SIZE",
    "VERSION_MAJOR",
    "VERSION_MINOR",
    "check_prefix",
    "greeting_prefix",
    "greeting_tail",
    "pad_mechanism",
]

GREETING_SIZE = 64
"""Octets in a complete greeting."""
PREFIX_SIZE = 11
"""Octets in the first stage: signature (10) plus version-major (1)."""
VERSION_MAJOR = 3
"""The ZMTP major version we speak."""
VERSION_MINOR = 1
"""The ZMTP minor version we speak."""

_MECHANISM_NAME = re.compile(rb"[A-Z0-9_.+-]{1,20}")


def greeting_prefix() -> bytes:
    """Return the first stage of our greeting: octets 0-10.

    Returns:
        ``FF 00 00 00 00 00 00 00 01 7F 03``.
    """
    return b"\xff" + b"\x00" * 7 + b"\x01\x7f" + bytes((VERSION_MAJOR,))


def pad_mechanism(name: bytes) -> bytes:
    """NUL-pad a mechanism name to the 20 octets of the greeting field.

    Args:
        name: ``b"NULL"``, ``b"PLAIN"``, ``b"CURVE"`` ...

    Returns:
        The 20-octet field.

    Raises:
        ValueError: The name is empty, longer than 20 octets or uses
            characters outside ``A-Z 0-9 - _ . +``.
    """
    if not _MECHANISM_NAME.fullmatch(name):
        raise ValueError(f"invalid mechanism name: {name!r}")
    return name.ljust(20, b"\x00")


def greeting_tail(mechanism: bytes, as_server: bool) -> bytes:
    """Return the second stage of our greeting: octets 11-63.

    Args:
        mechanism: The mechanism name, e.g. ``b"NULL"``.
        as_server: Our as-server flag (always False for NULL).

    Returns:
        53 octets: minor version, padded mechanism, as-server and filler.
    """
    return (
        bytes((VERSION_MINOR,))
        + pad_mechanism(mechanism)
        + (b"\x01" if as_server else b"\x00")
        + b"\x00" * 31
    )


def check_prefix(received: bytes | bytearray) -> None:
    """Validate as much of the peer's octets 0-10 as has arrived.

    Call it with any prefix of the peer's greeting, so a non-ZMTP-3 peer is
    refused as early as possible. Padding octets 1-8 are never inspected.

    Args:
        received: The first 0 to 11 octets of the peer's greeting.

    Raises:
        ProtocolError: Octet 0 is not ``0xFF`` or bit 0 of octet 9 is clear
            (a ZMTP 1.0 peer), or the major version is below 3 (ZMTP 1.0/2.0;
            aiomq does not downgrade).
    """
    n = len(received)
    if n and received[0] != 0xFF:
        raise ProtocolError("bad greeting signature (ZMTP 1.0 peer?)")
    if n >= 10 and not received[9] & 1:
        raise ProtocolError("bad greeting signature end (ZMTP 1.0 peer?)")
    if n >= PREFIX_SIZE and received[10] < VERSION_MAJOR:
        raise ProtocolError(f"unsupported ZMTP version {received[10]}.x (need 3.0 or later)")
