"""ZMTP command bodies and connection metadata (RFC 37 §Commands, §Connection Metadata).

A command body is ``name_len(1) name(1-255) data``; ``aiomq.zmtp.frames.command_frame``
puts it into a command frame. The helpers here build and parse the bodies of
READY, ERROR, PING, PONG, SUBSCRIBE and CANCEL, and the metadata properties
carried by READY (and by PLAIN/CURVE INITIATE)::

    property = name_len(1) name(1-255) value_len(4, network order) value

Layer 2: imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .errors import ProtocolError

__all__ = [
    "CANCEL",
    "ERROR",
    "MAX_PING_CONTEXT",
    "PING",
    "PONG",
    "READY",
    "SUBSCRIBE",
    "encode_cancel",
    "encode_command",
    "encode_error",
    "encode_metadata",
    "encode_ping",
    "encode_pong",
    "encode_ready",
    "encode_subscribe",
    "find_property",
    "parse_command",
    "parse_error",
    "parse_metadata",
    "parse_ping",
]

READY = b"READY"
ERROR = b"ERROR"
PING = b"PING"
PONG = b"PONG"
SUBSCRIBE = b"SUBSCRIBE"
CANCEL = b"CANCEL"

MAX_PING_CONTEXT = 16
"""PING contexts (and the PONG echo) are at most 16 octets (RFC 37 §Connection Heartbeating)."""

_MAX_VALUE = (1 << 31) - 1


def encode_command(name: bytes, data: bytes = b"") -> bytes:
    """Build a command body.

    Args:
        name: The command name, 1-255 octets.
        data: The command data.

    Returns:
        ``name_len name data``.

    Raises:
        ValueError: The name is empty or longer than 255 octets.
    """
    if not 0 < len(name) <= 255:
        raise ValueError(f"invalid command name: {name!r}")
    return bytes((len(name),)) + name + data


def parse_command(body: bytes) -> tuple[bytes, bytes]:
    """Split a command body into name and data.

    Args:
        body: The body of a command frame.

    Returns:
        ``(name, data)``.

    Raises:
        ProtocolError: The body is empty, the name length is 0 or the name
            runs past the end of the frame.
    """
    if not body:
        raise ProtocolError("empty command frame")
    end = body[0] + 1
    if end == 1 or end > len(body):
        raise ProtocolError("malformed command name")
    return body[1:end], body[end:]


def encode_metadata(properties: Iterable[tuple[str, bytes]]) -> bytes:
    """Encode connection metadata properties.

    Args:
        properties: ``(name, value)`` pairs in the order to send them. Names are
            sent exactly as given (aiomq uses ``Socket-Type`` and ``Identity``,
            the casing libzmq compares byte-exactly).

    Returns:
        The concatenated properties.

    Raises:
        ValueError: A name is empty, over 255 octets or not ASCII, or a
            value is over 2**31 - 1 octets.
    """
    parts: list[bytes] = []
    for name, value in properties:
        raw = name.encode("ascii")
        if not 0 < len(raw) <= 255:
            raise ValueError(f"invalid property name: {name!r}")
        if len(value) > _MAX_VALUE:
            raise ValueError(f"property {name!r} value too long")
        parts.append(bytes((len(raw),)))
        parts.append(raw)
        parts.append(len(value).to_bytes(4, "big"))
        parts.append(bytes(value))
    return b"".join(parts)


def parse_metadata(data: bytes) -> dict[str, bytes]:
    """Parse connection metadata properties.

    Args:
        data: The properties, e.g. the data of a READY command.

    Returns:
        The properties, names as received (look them up with
        ``find_property``, which ignores case). A repeated name keeps the
        last value.

    Raises:
        ProtocolError: A name is empty or not ASCII, or a name or value runs
            past the end of ``data``.
    """
    props: dict[str, bytes] = {}
    pos = 0
    end = len(data)
    while pos < end:
        name_end = pos + 1 + data[pos]
        if name_end == pos + 1:
            raise ProtocolError("empty metadata property name")
        if name_end + 4 > end:
            raise ProtocolError("metadata property runs past the command")
        try:
            name = data[pos + 1 : name_end].decode("ascii")
        except UnicodeDecodeError:
            raise ProtocolError("metadata property name is not ASCII") from None
        value_end = name_end + 4 + int.from_bytes(data[name_end : name_end + 4], "big")
        if value_end > end:
            raise ProtocolError(f"metadata property {name!r} runs past the command")
        props[name] = data[name_end + 4 : value_end]
        pos = value_end
    return props


def find_property(metadata: Mapping[str, bytes], name: str) -> bytes | None:
    """Look a property up by name, ignoring ASCII case (RFC 37 §Connection Metadata).

    Args:
        metadata: Parsed properties.
        name: The property name, any casing.

    Returns:
        The value, or None when absent.
    """
    value = metadata.get(name)
    if value is not None:
        return value
    folded = name.lower()
    for key, value in metadata.items():
        if key.lower() == folded:
            return value
    return None


def encode_ready(properties: Iterable[tuple[str, bytes]]) -> bytes:
    """Build a READY command body.

    Args:
        properties: Metadata, see ``encode_metadata``.

    Returns:
        ``05 "READY" properties``.
    """
    return b"\x05READY" + encode_metadata(properties)


def encode_error(reason: bytes) -> bytes:
    """Build an ERROR command body.

    Args:
        reason: At most 255 octets.

    Returns:
        ``05 "ERROR" reason_len reason``.

    Raises:
        ValueError: ``reason`` is longer than 255 octets.
    """
    if len(reason) > 255:
        raise ValueError("ERROR reason longer than 255 octets")
    return b"\x05ERROR" + bytes((len(reason),)) + reason


def parse_error(data: bytes) -> bytes:
    """Parse the data of an ERROR command.

    Args:
        data: The command data (after the name).

    Returns:
        The reason.

    Raises:
        ProtocolError: The reason length is missing or runs past the command.
    """
    if not data or 1 + data[0] > len(data):
        raise ProtocolError("malformed ERROR command")
    return data[1 : 1 + data[0]]


def encode_ping(ttl: int, context: bytes) -> bytes:
    """Build a PING command body.

    Args:
        ttl: Time-to-live in deciseconds, 0-65535 (0 = none).
        context: At most 16 octets.

    Returns:
        ``04 "PING" ttl(2) context``.

    Raises:
        ValueError: ``ttl`` or ``context`` out of range.
    """
    if not 0 <= ttl <= 0xFFFF:
        raise ValueError(f"PING ttl out of range: {ttl}")
    if len(context) > MAX_PING_CONTEXT:
        raise ValueError("PING context longer than 16 octets")
    return b"\x04PING" + ttl.to_bytes(2, "big") + context


def parse_ping(data: bytes) -> tuple[int, bytes]:
    """Parse the data of a PING command.

    Args:
        data: The command data (after the name).

    Returns:
        ``(ttl, context)``; the context is returned whole, even if longer than
        16 octets.

    Raises:
        ProtocolError: Fewer than 2 octets (no ttl).
    """
    if len(data) < 2:
        raise ProtocolError("PING without ttl")
    return int.from_bytes(data[:2], "big"), data[2:]


def encode_pong(context: bytes) -> bytes:
    """Build a PONG command body.

    Args:
        context: The PING's context; truncated to 16 octets.

    Returns:
        ``04 "PONG" context``.
    """
    return b"\x04PONG" + context[:MAX_PING_CONTEXT]


def encode_subscribe(topic: bytes) -> bytes:
    """Build a SUBSCRIBE command body (ZMTP 3.1).

    Args:
        topic: The subscription prefix.

    Returns:
        ``09 "SUBSCRIBE" topic``.
    """
    return b"\x09SUBSCRIBE" + topic


def encode_cancel(topic: bytes) -> bytes:
    """Build a CANCEL command body (ZMTP 3.1).

    Args:
        topic: The subscription prefix.

    Returns:
        ``06 "CANCEL" topic``.
    """
    return b"\x06CANCEL" + topic
