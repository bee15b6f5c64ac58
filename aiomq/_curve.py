"""CURVE key helpers with pyzmq's names: ``curve_keypair``, ``curve_public``.

Keys travel as 40-character Z85 text (ZeroMQ RFC 32), exactly as
``zmq.curve_keypair()`` returns them, so keys are interchangeable with libzmq
tools. Needs PyNaCl, from the ``curve`` extra (``pip install -e ".[curve]"`` in the
aiomq checkout).

Layer 7.
"""

from __future__ import annotations

from . import z85
from .zmtp.curve import derive_public_key, generate_keypair

__all__ = ["curve_keypair", "curve_public"]


def curve_keypair() -> tuple[bytes, bytes]:
    """Generate a new CURVE key pair (as ``zmq.curve_keypair``).

    Returns:
        ``(public, secret)``, each 40 Z85 characters as bytes.

    Raises:
        ImportError: PyNaCl is not installed (install the ``curve`` extra).
    """
    public, secret = generate_keypair()
    return z85.encode(public), z85.encode(secret)


def curve_public(secret_key: bytes | str) -> bytes:
    """The public key of a secret key (as ``zmq.curve_public``).

    Args:
        secret_key: The secret key as 40 Z85 characters (bytes or str), or 32
            raw octets.

    Returns:
        The public key, 40 Z85 characters as bytes.

    Raises:
        ImportError: PyNaCl is not installed (install the ``curve`` extra).
        ValueError: ``secret_key`` is neither Z85 nor 32 octets.
    """
    raw = z85.decode(secret_key) if len(secret_key) == 40 else secret_key
    if isinstance(raw, str) or len(raw) != 32:
        raise ValueError("a CURVE secret key is 40 Z85 characters or 32 raw octets")
    return z85.encode(derive_public_key(raw))
