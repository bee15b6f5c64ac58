"""PLAIN (RFC 24) and NULL-with-ZAP mechanisms, two sans-I/O Connections paired."""

from __future__ import annotations

import pytest
from zmtp_helpers import pump

from aiomq.zmtp import (
    Connection,
    HandshakeComplete,
    NullMechanism,
    NullZapMechanism,
    PeerError,
    PlainClient,
    PlainServer,
    ProtocolError,
    ZapVerdict,
)
from aiomq.zmtp.plain import encode_hello, parse_hello


def _pair(
    client: PlainClient | NullMechanism, server: PlainServer | NullZapMechanism
) -> tuple[Connection, Connection]:
    a = Connection(socket_type="DEALER", mechanism=client)
    b = Connection(socket_type="ROUTER", mechanism=server)
    a.initiate()
    b.initiate()
    return a, b


def test_hello_round_trip() -> None:
    body = encode_hello(b"admin", b"secret")
    assert body == b"\x05HELLO\x05admin\x06secret"
    assert parse_hello(body[6:]) == (b"admin", b"secret")
    assert parse_hello(b"\x00\x00") == (b"", b"")


@pytest.mark.parametrize("data", [b"", b"\x05ab", b"\x01a\x02b", b"\x01a\x01bc"])
def test_malformed_hello(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_hello(data)


def test_hello_too_long() -> None:
    with pytest.raises(ValueError, match="255"):
        encode_hello(b"x" * 256, b"")


def test_plain_accepted() -> None:
    server = PlainServer()
    a, b = _pair(PlainClient(b"admin", b"secret"), server)
    got_a, got_b = pump(a, b)
    assert got_a == got_b == []
    assert server.zap_request == (b"admin", b"secret")
    server.zap_decided(ZapVerdict(b"200", b"admin"))
    assert server.zap_request is None
    events = b.resume_handshake()
    got_a, got_b = pump(a, b)
    done_b = [e for e in events + got_b if isinstance(e, HandshakeComplete)]
    done_a = [e for e in got_a if isinstance(e, HandshakeComplete)]
    assert done_a[0].peer_socket_type == "ROUTER"
    assert done_b[0].peer_socket_type == "DEALER"
    a.send_message([b"hi"])
    assert pump(a, b)[1] == [(b"hi",)]


def test_plain_denied_sends_status() -> None:
    server = PlainServer()
    a, b = _pair(PlainClient(b"admin", b"wrong"), server)
    pump(a, b)
    server.zap_decided(ZapVerdict(b"400"))
    with pytest.raises(ProtocolError, match="400"):
        b.resume_handshake()
    got_a = a.receive_data(b.data_to_send())
    assert got_a == [PeerError(b"400")]
    assert not a.handshake_complete


def test_resume_without_verdict_does_nothing() -> None:
    server = PlainServer()
    a, b = _pair(PlainClient(b"u", b"p"), server)
    pump(a, b)
    assert b.resume_handshake() == []
    assert b.data_to_send() == b""


def test_two_clients_refuse() -> None:
    a, b = _pair(PlainClient(b"u", b"p"), PlainClient(b"u", b"p"))  # type: ignore[arg-type]
    with pytest.raises(ProtocolError, match="HELLO"):
        pump(a, b)


def test_two_servers_never_complete() -> None:
    a = Connection(socket_type="DEALER", mechanism=PlainServer())
    b = Connection(socket_type="ROUTER", mechanism=PlainServer())
    a.initiate()
    b.initiate()
    assert pump(a, b) == ([], [])  # both wait for HELLO: the handshake deadline ends it
    assert not a.handshake_complete


def test_out_of_order_command() -> None:
    client = PlainClient(b"u", b"p")
    client.start({"Socket-Type": b"DEALER"}, True)
    with pytest.raises(ProtocolError, match="READY"):
        client.handle_command(b"READY", b"")
    server = PlainServer()
    server.start({"Socket-Type": b"ROUTER"}, False)
    with pytest.raises(ProtocolError, match="INITIATE"):
        server.handle_command(b"INITIATE", b"")


def test_mechanism_mismatch_with_null() -> None:
    a, b = _pair(NullMechanism(), PlainServer())
    with pytest.raises(ProtocolError, match="mismatch"):
        pump(a, b)


def test_null_zap_accepted() -> None:
    server = NullZapMechanism()
    a, b = _pair(NullMechanism(), server)
    got_a, got_b = pump(a, b)
    assert server.zap_request == ()
    assert got_a == []  # our READY waits for the verdict; the peer's arrived already
    server.zap_decided(ZapVerdict())
    events = b.resume_handshake()
    got_a, got_b = pump(a, b)
    assert any(isinstance(e, HandshakeComplete) for e in events + got_b)
    assert any(isinstance(e, HandshakeComplete) for e in got_a)


def test_null_zap_denied() -> None:
    server = NullZapMechanism()
    a, b = _pair(NullMechanism(), server)
    pump(a, b)
    server.zap_decided(ZapVerdict(b"400"))
    with pytest.raises(ProtocolError):
        b.resume_handshake()
    assert a.receive_data(b.data_to_send()) == [PeerError(b"400")]


def test_libzmq_mangled_error_is_read_as_error() -> None:
    """libzmq 4.3.5 sends its ZAP-denial ERROR as ``^RROR\\x03400`` over ZMTP 3.1."""
    a = Connection(socket_type="DEALER", mechanism=PlainClient(b"u", b"p"))
    a.initiate()
    a.receive_data(b"\xff" + bytes(8) + b"\x7f\x03\x01PLAIN" + bytes(47))
    assert a.receive_data(b"\x04\x09^RROR\x03400") == [PeerError(b"400")]
    assert a.closed
