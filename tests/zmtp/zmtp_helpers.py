"""Shared helpers for the ZMTP codec tests (imported by the test_zmtp_* modules).

The byte builders here are written independently of the codec's encoders, so
tests check the codec against the RFC layout rather than against itself.
"""

from __future__ import annotations

from aiomq.zmtp import Connection, Event


def frame(flags: int, body: bytes, *, long: bool | None = None) -> bytes:
    """Encode one frame by hand (long form when ``long`` or the body exceeds 255)."""
    if long is None:
        long = len(body) > 255
    if long:
        return bytes((flags | 0x02,)) + len(body).to_bytes(8, "big") + body
    return bytes((flags, len(body))) + body


def command(name: bytes, data: bytes = b"") -> bytes:
    """Encode a command frame by hand."""
    return frame(0x04, bytes((len(name),)) + name + data)


def prop(name: bytes, value: bytes) -> bytes:
    """Encode one metadata property by hand."""
    return bytes((len(name),)) + name + len(value).to_bytes(4, "big") + value


def ready(*props: tuple[bytes, bytes]) -> bytes:
    """A READY command frame with the given properties."""
    return command(b"READY", b"".join(prop(n, v) for n, v in props))


def greeting(
    *,
    major: int = 3,
    minor: int = 1,
    mechanism: bytes = b"NULL",
    as_server: int = 0,
    padding: bytes = b"\x00" * 7 + b"\x01",
    sig_end: int = 0x7F,
) -> bytes:
    """A full 64-octet greeting as a peer would send it."""
    return (
        b"\xff"
        + padding
        + bytes((sig_end, major, minor))
        + mechanism.ljust(20, b"\x00")
        + bytes((as_server,))
        + b"\x00" * 31
    )


def message_frames(message: tuple[bytes, ...]) -> bytes:
    """Encode a multipart message by hand."""
    out = []
    for i, part in enumerate(message):
        out.append(frame(0x01 if i < len(message) - 1 else 0x00, part))
    return b"".join(out)


def pump(a: Connection, b: Connection, *, limit: int = 100) -> tuple[list[Event], list[Event]]:
    """Shuttle queued bytes between two connections until both are quiet.

    Returns:
        The events received by ``a`` and by ``b``.
    """
    got_a: list[Event] = []
    got_b: list[Event] = []
    for _ in range(limit):
        ab = a.data_to_send()
        ba = b.data_to_send()
        if not ab and not ba:
            return got_a, got_b
        if ab:
            got_b += b.receive_data(ab)
        if ba:
            got_a += a.receive_data(ba)
    raise AssertionError("connections kept talking")


def connected_pair(a_type: str = "DEALER", b_type: str = "ROUTER") -> tuple[Connection, Connection]:
    """Two connections with a completed NULL handshake (events discarded)."""
    a = Connection(socket_type=a_type)
    b = Connection(socket_type=b_type)
    a.initiate()
    b.initiate()
    pump(a, b)
    assert a.handshake_complete
    assert b.handshake_complete
    return a, b


def peer_after_handshake(
    conn: Connection,
    *,
    minor: int = 1,
    peer_type: bytes = b"ROUTER",
) -> list[Event]:
    """Drive ``conn`` through a handshake with a hand-written peer; return its events."""
    conn.initiate()
    events = conn.receive_data(greeting(minor=minor) + ready((b"Socket-Type", peer_type)))
    conn.data_to_send()
    assert conn.handshake_complete
    return events
