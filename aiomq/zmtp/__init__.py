"""Sans-I/O ZMTP 3.1 codec (RFC 37, compatible with RFC 23's ZMTP 3.0).

The ``Connection`` state machine parses bytes into events and encodes
messages and commands into bytes; it performs no I/O and reads no clock.
Security mechanisms plug in through ``Mechanism``; ``NullMechanism``
is the default.

Layer 2: imports only the standard library (and aiomq layer 0).
"""

from .connection import Connection
from .errors import ProtocolError
from .events import (
    Cancel,
    Event,
    HandshakeComplete,
    Message,
    PeerError,
    Ping,
    Pong,
    Subscribe,
)
from .mechanism import Mechanism, MechanismStep, NullMechanism, ZapVerdict
from .plain import NullZapMechanism, PlainClient, PlainServer

__all__ = [
    "Cancel",
    "Connection",
    "Event",
    "HandshakeComplete",
    "Mechanism",
    "MechanismStep",
    "Message",
    "NullMechanism",
    "NullZapMechanism",
    "PeerError",
    "Ping",
    "PlainClient",
    "PlainServer",
    "Pong",
    "ProtocolError",
    "Subscribe",
    "ZapVerdict",
]
