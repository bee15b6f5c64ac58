"""NULL handshake: READY, metadata, socket-type check, ERROR.

RFC 37 §The NULL Security Mechanism, §Connection Metadata, §Error Handling.
"""

from __future__ import annotations

import pytest
from zmtp_helpers import command, frame, greeting, prop, ready

from aiomq.zmtp import Connection, HandshakeComplete, PeerError, ProtocolError

DEALER_READY = bytes.fromhex("0429") + (
    b"\x05READY"
    + b"\x0bSocket-Type"
    + bytes.fromhex("00000006")
    + b"DEALER"
    + b"\x08Identity"
    + bytes.fromhex("00000000")
)


def _after_greeting(conn: Connection) -> bytes:
    conn.initiate()
    conn.receive_data(greeting())
    return conn.data_to_send()


def test_dealer_ready_worked_example() -> None:
    out = _after_greeting(Connection(socket_type="DEALER", send_identity=True))
    assert out[64:] == DEALER_READY
    assert len(DEALER_READY) == 2 + 41


def test_router_reply_without_identity_is_28_octets() -> None:
    out = _after_greeting(Connection(socket_type="ROUTER", send_identity=False))
    assert out[64:] == b"\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER"


def test_identity_only_when_asked() -> None:
    # Which types send it is the socket's trait (libzmq: REQ, DEALER, ROUTER); the codec
    # names no socket type.
    for stype in ("REQ", "DEALER", "ROUTER", "PUSH"):
        out = _after_greeting(Connection(socket_type=stype, identity=b"id"))
        assert b"Identity" not in out
        out = _after_greeting(Connection(socket_type=stype, identity=b"id", send_identity=True))
        assert out.endswith(b"\x08Identity\x00\x00\x00\x02id")


def test_socket_type_sent_uppercase_and_extra_metadata() -> None:
    conn = Connection(socket_type="pull", metadata={"X-Hello": b"world"})
    out = _after_greeting(conn)
    assert out[64:] == command(b"READY", prop(b"Socket-Type", b"PULL") + prop(b"X-Hello", b"world"))
    with pytest.raises(ValueError, match="reserved"):
        Connection(socket_type="PULL", metadata={"identity": b"x"})


def test_property_names_case_insensitive() -> None:
    conn = Connection(socket_type="ROUTER", peer_types=frozenset({"DEALER"}))
    _after_greeting(conn)
    events = conn.receive_data(
        ready((b"sOCKET-tYPE", b"DEALER"), (b"IDENTITY", b"peer"), (b"X-Extra", b""))
    )
    assert events == [
        HandshakeComplete(
            "DEALER",
            b"peer",
            {"sOCKET-tYPE": b"DEALER", "IDENTITY": b"peer", "X-Extra": b""},
            (3, 1),
        )
    ]


def test_ready_without_socket_type() -> None:
    conn = Connection(socket_type="PULL")
    _after_greeting(conn)
    with pytest.raises(ProtocolError, match="Socket-Type"):
        conn.receive_data(ready((b"Identity", b"")))


@pytest.mark.parametrize(
    "data",
    [
        b"\x0bSocket-Type\x00\x00\x00\x07PUSH",  # value runs past the command
        b"\x0bSocket-Type\x00\x00",  # value length truncated
        b"\x0cSocket-Type",  # name runs past the command
        b"\x00\x00\x00\x00\x00",  # empty name
        b"\x0bSocket-Type\xff\xff\xff\xffPUSH",
    ],
)
def test_ready_property_overrun(data: bytes) -> None:
    conn = Connection(socket_type="PULL")
    _after_greeting(conn)
    with pytest.raises(ProtocolError):
        conn.receive_data(command(b"READY", data))


def test_socket_type_mismatch_queues_error() -> None:
    conn = Connection(socket_type="PUSH", peer_types=frozenset({"PULL"}))
    _after_greeting(conn)
    with pytest.raises(ProtocolError, match="incompatible") as info:
        conn.receive_data(ready((b"Socket-Type", b"PUB")) + frame(0, b"data"))
    assert info.value.reason.startswith("peer socket type")
    assert conn.data_to_send() == command(b"ERROR", b"\x13Invalid socket type")
    assert not conn.handshake_complete
    assert conn.closed
    with pytest.raises(RuntimeError):
        conn.send_message([b"x"])


def test_peer_error_during_handshake() -> None:
    conn = Connection(socket_type="PUSH")
    _after_greeting(conn)
    events = conn.receive_data(command(b"ERROR", b"\x03400") + ready((b"Socket-Type", b"PULL")))
    assert events == [PeerError(b"400")]
    assert conn.closed
    assert not conn.handshake_complete
    assert conn.receive_data(b"anything") == []


def test_malformed_error_command() -> None:
    conn = Connection(socket_type="PUSH")
    _after_greeting(conn)
    with pytest.raises(ProtocolError):
        conn.receive_data(command(b"ERROR", b"\x05abc"))


@pytest.mark.parametrize("body", [b"RRROR", b"xRROR", b"xRROR\x05"])
def test_short_commands_that_look_like_libzmqs_mangled_error(body: bytes) -> None:
    """libzmq's mangled ERROR is ``?RROR`` + a length + a reason; anything shorter, or with
    a wrong length, is an ordinary (unknown, so refused) command, never a crash."""
    conn = Connection(socket_type="PUSH")
    _after_greeting(conn)
    with pytest.raises(ProtocolError):
        conn.receive_data(bytes((0x04, len(body))) + body)


def test_unexpected_command_during_handshake() -> None:
    conn = Connection(socket_type="PUSH")
    _after_greeting(conn)
    with pytest.raises(ProtocolError, match="PING"):
        conn.receive_data(command(b"PING", b"\x00\x00"))


def test_data_frame_before_handshake() -> None:
    conn = Connection(socket_type="PULL")
    _after_greeting(conn)
    with pytest.raises(ProtocolError, match="before the handshake"):
        conn.receive_data(frame(0, b"hello"))


def test_oversized_handshake_command_refused_from_header() -> None:
    conn = Connection(socket_type="PULL", max_handshake_command=100)
    _after_greeting(conn)
    conn.receive_data(frame(0x04, b"\x05READY" + b"x" * 94)[:10])  # exactly 100: waits
    conn2 = Connection(socket_type="PULL", max_handshake_command=100)
    _after_greeting(conn2)
    with pytest.raises(ProtocolError, match="too large"):
        conn2.receive_data(b"\x06" + (101).to_bytes(8, "big"))  # header alone suffices


def test_command_with_more_flag_in_handshake() -> None:
    conn = Connection(socket_type="PULL")
    _after_greeting(conn)
    with pytest.raises(ProtocolError, match="MORE"):
        conn.receive_data(b"\x05" + ready((b"Socket-Type", b"PUSH"))[1:])


@pytest.mark.parametrize("body", [b"", b"\x00READY", b"\x09READY"])
def test_malformed_command_name(body: bytes) -> None:
    conn = Connection(socket_type="PULL")
    _after_greeting(conn)
    with pytest.raises(ProtocolError):
        conn.receive_data(frame(0x04, body))


def test_send_before_handshake_is_runtime_error() -> None:
    conn = Connection(socket_type="PUSH")
    conn.initiate()
    with pytest.raises(RuntimeError):
        conn.send_message([b"x"])
    with pytest.raises(RuntimeError):
        conn.send_messages([[b"x"]])
    with pytest.raises(RuntimeError):
        conn.send_ping()
    with pytest.raises(RuntimeError):
        conn.send_subscribe(b"")
    with pytest.raises(RuntimeError):
        conn.send_error(b"too early")


def test_send_error_during_handshake() -> None:
    conn = Connection(socket_type="PUSH")
    conn.initiate()
    conn.receive_data(greeting()[:11])
    conn.data_to_send()
    conn.send_error(b"500")
    assert conn.data_to_send() == command(b"ERROR", b"\x03500")
    assert conn.closed
    assert conn.receive_data(greeting()[11:]) == []
    conn.send_error(b"again")  # no-op once closed
    assert conn.data_to_send() == b""


def test_ready_and_data_in_one_read() -> None:
    conn = Connection(socket_type="PULL")
    conn.initiate()
    events = conn.receive_data(
        greeting() + ready((b"Socket-Type", b"PUSH")) + frame(1, b"a") + frame(0, b"b")
    )
    assert events == [
        HandshakeComplete("PUSH", b"", {"Socket-Type": b"PUSH"}, (3, 1)),
        (b"a", b"b"),
    ]


def test_invalid_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="socket type"):
        Connection(socket_type="")
    with pytest.raises(ValueError, match="identity"):
        Connection(socket_type="DEALER", identity=b"x" * 256)
