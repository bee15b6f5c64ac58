"""Framing and commands after the handshake.

RFC 37 §Framing, §Commands, §Connection Heartbeating, §The Publish-Subscribe Pattern.
"""

from __future__ import annotations

import pytest
from zmtp_helpers import command, connected_pair, frame, greeting, peer_after_handshake, ready

from aiomq.zmtp import (
    Cancel,
    Connection,
    PeerError,
    Ping,
    Pong,
    ProtocolError,
    Subscribe,
)


def _ready_conn(max_message_size: int = -1) -> Connection:
    conn = Connection(socket_type="DEALER", max_message_size=max_message_size)
    peer_after_handshake(conn)
    return conn


def test_encoder_short_and_long_boundaries() -> None:
    conn = _ready_conn()
    for size in (0, 1, 255):
        conn.send_message([b"x" * size])
        assert conn.data_to_send() == bytes((0, size)) + b"x" * size
    for size in (256, 70000):
        conn.send_message([b"y" * size])
        assert conn.data_to_send() == b"\x02" + size.to_bytes(8, "big") + b"y" * size


def test_encoder_multipart_flags() -> None:
    conn = _ready_conn()
    big = b"b" * 300
    conn.send_messages([[b"", b"a", big], (b"z",)])
    assert conn.data_to_send() == (
        b"\x01\x00" + b"\x01\x01a" + b"\x02" + (300).to_bytes(8, "big") + big + b"\x00\x01z"
    )
    huge = b"h" * 100_000
    conn.send_messages([[huge, b"t"], [bytearray(b"q")], [memoryview(b"mv")]])  # type: ignore[list-item]
    assert conn.data_to_send() == (
        b"\x03" + (100_000).to_bytes(8, "big") + huge + b"\x00\x01t\x00\x01q\x00\x02mv"
    )


def test_empty_message_rejected() -> None:
    conn = _ready_conn()
    with pytest.raises(ValueError, match="at least one frame"):
        conn.send_messages([[b"ok"], []])
    assert conn.data_to_send() == b"\x00\x02ok"  # the message before it was queued whole


def test_decoder_accepts_long_form_for_small_frames_and_ignores_reserved_bits() -> None:
    conn = _ready_conn()
    data = frame(0x01, b"ab", long=True) + frame(0xF8, b"cd") + frame(0x02 | 0x08, b"", long=True)
    assert conn.receive_data(data) == [(b"ab", b"cd"), (b"",)]


def test_messages_are_atomic() -> None:
    conn = _ready_conn()
    assert conn.receive_data(frame(1, b"a") + frame(1, b"b")) == []
    assert conn.receive_data(frame(0, b"c")[:2]) == []
    assert conn.receive_data(b"c" + frame(0, b"d")) == [(b"a", b"b", b"c"), (b"d",)]


def test_max_message_size_counts_all_frames() -> None:
    conn = _ready_conn(max_message_size=10)
    assert conn.receive_data(frame(0, b"x" * 10)) == [(b"x" * 10,)]
    assert conn.receive_data(frame(1, b"x" * 5) + frame(0, b"y" * 5)) == [(b"x" * 5, b"y" * 5)]
    with pytest.raises(ProtocolError, match="maximum message size"):
        conn.receive_data(frame(1, b"x" * 6) + frame(0, b"y" * 5))


def test_max_message_size_checked_from_declared_size() -> None:
    conn = _ready_conn(max_message_size=1000)
    with pytest.raises(ProtocolError, match="maximum message size"):
        conn.receive_data(b"\x02" + (1001).to_bytes(8, "big"))  # no body needed
    conn = _ready_conn(max_message_size=100)
    with pytest.raises(ProtocolError):
        conn.receive_data(b"\x00\x65")  # short frame of 101


def test_huge_declared_size_allocates_nothing() -> None:
    conn = _ready_conn()
    assert conn.receive_data(b"\x02" + ((1 << 63) - 1).to_bytes(8, "big") + b"abc") == []


def test_long_size_2_pow_63_refused() -> None:
    conn = _ready_conn()
    with pytest.raises(ProtocolError, match="2\\*\\*63"):
        conn.receive_data(b"\x02" + (1 << 63).to_bytes(8, "big"))
    conn = _ready_conn()
    with pytest.raises(ProtocolError):
        conn.receive_data(b"\x06" + b"\xff" * 8)


def test_command_with_more_flag() -> None:
    conn = _ready_conn()
    with pytest.raises(ProtocolError, match="MORE"):
        conn.receive_data(b"\x05\x06\x04PING\x00\x00")


@pytest.mark.parametrize("minor", [0, 1])
def test_ping_answered_with_pong(minor: int) -> None:
    conn = Connection(socket_type="DEALER")
    peer_after_handshake(conn, minor=minor)
    events = conn.receive_data(command(b"PING", b"\x01\x2cctx"))
    assert events == [Ping(300, b"ctx")]
    assert conn.data_to_send() == command(b"PONG", b"ctx")


def test_pong_truncates_context_to_16() -> None:
    conn = _ready_conn()
    ctx = bytes(range(20))
    assert conn.receive_data(command(b"PING", b"\x00\x00" + ctx)) == [Ping(0, ctx)]
    assert conn.data_to_send() == command(b"PONG", ctx[:16])


def test_ping_without_ttl() -> None:
    conn = _ready_conn()
    with pytest.raises(ProtocolError, match="ttl"):
        conn.receive_data(command(b"PING", b"\x00"))


def test_ping_pong_between_connections() -> None:
    a, b = connected_pair()
    a.send_ping(ttl=50, context=b"hb")
    assert a.data_to_send() == command(b"PING", b"\x00\x32hb")
    a.send_ping(ttl=50, context=b"hb")
    assert b.receive_data(a.data_to_send()) == [Ping(50, b"hb")]
    assert a.receive_data(b.data_to_send()) == [Pong(b"hb")]
    with pytest.raises(ValueError, match="context"):
        a.send_ping(context=b"x" * 17)
    with pytest.raises(ValueError, match="ttl"):
        a.send_ping(ttl=65536)


def test_subscriptions_31() -> None:
    pub, sub = connected_pair("PUB", "SUB")
    sub.send_subscribe(b"topic")
    sub.send_cancel(b"")
    out = sub.data_to_send()
    assert out == command(b"SUBSCRIBE", b"topic") + command(b"CANCEL")
    assert pub.receive_data(out) == [Subscribe(b"topic"), Cancel(b"")]


def test_subscriptions_30_use_data_frames() -> None:
    sub = Connection(socket_type="SUB")
    peer_after_handshake(sub, minor=0, peer_type=b"PUB")
    sub.send_subscribe(b"A")
    sub.send_cancel(b"B")
    assert sub.data_to_send() == b"\x00\x02\x01A\x00\x02\x00B"


def test_subscribe_commands_accepted_from_any_version() -> None:
    pub = Connection(socket_type="PUB")
    peer_after_handshake(pub, minor=0, peer_type=b"SUB")
    data = command(b"SUBSCRIBE", b"x") + frame(0, b"\x01y") + command(b"CANCEL", b"x")
    assert pub.receive_data(data) == [Subscribe(b"x"), (b"\x01y",), Cancel(b"x")]


def test_unknown_commands_and_ready_ignored() -> None:
    conn = _ready_conn()
    data = (
        command(b"JOIN", b"group")
        + command(b"X" * 255, b"data")
        + ready((b"Socket-Type", b"PAIR"))
        + frame(0, b"after")
    )
    assert conn.receive_data(data) == [(b"after",)]
    assert conn.data_to_send() == b""


def test_command_between_frames_of_a_message() -> None:
    conn = _ready_conn()
    data = frame(1, b"a") + command(b"PING", b"\x00\x00") + frame(0, b"b")
    assert conn.receive_data(data) == [Ping(0, b""), (b"a", b"b")]


def test_peer_error_after_handshake_stops_parsing() -> None:
    conn = _ready_conn()
    data = frame(0, b"m") + frame(1, b"partial") + command(b"ERROR", b"\x02no") + frame(0, b"x")
    assert conn.receive_data(data) == [(b"m",), PeerError(b"no")]
    assert conn.closed
    assert conn.handshake_complete
    assert conn.receive_data(frame(0, b"more")) == []
    with pytest.raises(RuntimeError, match="closed"):
        conn.send_message([b"x"])


def test_send_error_after_handshake() -> None:
    a, b = connected_pair()
    a.send_error(b"bye")
    assert b.receive_data(a.data_to_send()) == [PeerError(b"bye")]
    c, _ = connected_pair()
    with pytest.raises(ValueError, match="255"):
        c.send_error(b"x" * 256)


def test_protocol_error_carries_prior_events() -> None:
    conn = _ready_conn()
    with pytest.raises(ProtocolError) as info:
        conn.receive_data(frame(0, b"ok") + b"\x05\x00")
    assert info.value.events == [(b"ok",)]
    with pytest.raises(ProtocolError) as again:
        conn.receive_data(b"")
    assert again.value is info.value


def test_command_limited_by_max_message_size_after_handshake() -> None:
    conn = _ready_conn(max_message_size=8)
    assert conn.receive_data(command(b"PING", b"\x00\x00")) == [Ping(0, b"")]
    with pytest.raises(ProtocolError, match="exceeds"):
        conn.receive_data(command(b"SUBSCRIBE", b"too long"))


def test_large_frame_split_over_many_reads() -> None:
    conn = _ready_conn()
    body = bytes(range(256)) * 1000
    data = frame(1, b"head") + frame(0, body)
    got = []
    for i in range(0, len(data), 1000):
        got += conn.receive_data(memoryview(data)[i : i + 1000])
    assert got == [(b"head", body)]


def test_greeting_then_traffic_bytewise() -> None:
    conn = Connection(socket_type="PULL")
    data = greeting() + ready((b"Socket-Type", b"PUSH")) + frame(0, b"x" * 300) + frame(0, b"")
    got = []
    for i in range(len(data)):
        got += conn.receive_data(bytearray(data[i : i + 1]))
    assert got[1:] == [(b"x" * 300,), (b"",)]


def _long_frame(flags: int, body: bytes) -> bytes:
    return bytes((flags,)) + len(body).to_bytes(8, "big") + body


def test_large_body_received_in_place() -> None:
    conn = _ready_conn()
    first, second = b"a" * 70000, b"b" * 40000
    wire = _long_frame(0x03, first) + _long_frame(0x02, second) + b"\x00\x01z"
    assert conn.body_buffer() is None
    assert conn.receive_data(wire[:1000]) == []
    view = conn.body_buffer()
    assert view is not None
    assert len(view) == len(first) - (1000 - 9)  # exactly what the frame still lacks
    view[:] = wire[1000 : 9 + len(first)]
    assert conn.body_received(len(view)) == []  # first frame of a multipart message
    assert conn.body_buffer() is None
    rest = wire[9 + len(first) :]
    assert conn.receive_data(rest[:20]) == []
    view = conn.body_buffer()
    assert view is not None
    view[:100] = rest[20:120]  # a partial read into the body
    assert conn.body_received(100) == []
    view = conn.body_buffer()
    assert view is not None
    assert len(view) == len(second) - 111
    # the rest arrives through receive_data, with the next message behind it
    events = conn.receive_data(rest[120:])
    assert events == [(first, second), (b"z",)]
    message = events[0]
    assert isinstance(message, tuple)
    assert all(type(frame) is bytes for frame in message)
    assert conn.body_buffer() is None


def test_large_body_buffer_is_bounded_by_arrival() -> None:
    conn = _ready_conn()
    size = (1 << 63) - 1
    assert conn.receive_data(b"\x02" + size.to_bytes(8, "big") + b"abc") == []
    view = conn.body_buffer()
    assert view is not None
    assert len(view) <= 4 << 20  # a declared size alone allocates at most 4 MiB
    total = 3
    for _ in range(3):
        view = conn.body_buffer()
        assert view is not None
        total += len(view)
        assert conn.body_received(len(view)) == []
    view = conn.body_buffer()
    assert view is not None
    assert total + len(view) <= 2 * total  # growth stays within what arrived


def test_large_body_dropped_on_error() -> None:
    conn = _ready_conn(max_message_size=1 << 20)
    assert conn.receive_data(_long_frame(0x02, b"x" * 50000)[:100]) == []
    assert conn.body_buffer() is not None
    conn.send_error(b"bye")
    assert conn.body_buffer() is None
    assert conn.body_received(10) == []
