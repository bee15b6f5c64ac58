"""Greeting staging and version negotiation (RFC 37 §Formal Grammar, §Version Negotiation)."""

from __future__ import annotations

import pytest
from zmtp_helpers import greeting, pump, ready

from aiomq.zmtp import Connection, HandshakeComplete, NullMechanism, ProtocolError

PREFIX = b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\x03"


def test_initiate_queues_exactly_11_octets() -> None:
    conn = Connection(socket_type="PUSH")
    assert conn.data_to_send() == b""
    conn.initiate()
    assert conn.data_to_send() == PREFIX
    conn.initiate()  # idempotent
    assert conn.data_to_send() == b""


def test_rest_of_greeting_waits_for_peer_prefix() -> None:
    conn = Connection(socket_type="PUSH")
    conn.initiate()
    conn.data_to_send()
    peer = greeting()
    for i in range(10):
        assert conn.receive_data(peer[i : i + 1]) == []
        assert conn.data_to_send() == b""
    conn.receive_data(peer[10:11])
    tail = conn.data_to_send()
    assert len(tail) == 53
    assert tail[0] == 1  # minor
    assert tail[1:21] == b"NULL".ljust(20, b"\x00")
    assert tail[21] == 0  # as-server
    assert tail[22:] == b"\x00" * 31
    # READY only after the peer's complete greeting.
    conn.receive_data(peer[11:63])
    assert conn.data_to_send() == b""
    conn.receive_data(peer[63:])
    assert conn.data_to_send()[2:8] == b"\x05READY"


def test_receive_before_initiate_initiates_implicitly() -> None:
    conn = Connection(socket_type="PUSH")
    conn.receive_data(greeting()[:11])
    out = conn.data_to_send()
    assert out[:11] == PREFIX
    assert len(out) == 64


def test_two_connections_handshake() -> None:
    a = Connection(socket_type="DEALER", identity=b"abc", send_identity=True)
    b = Connection(socket_type="ROUTER", send_identity=True)
    a.initiate()
    b.initiate()
    ev_a, ev_b = pump(a, b)
    # libzmq's ROUTER sends an (empty) Identity too.
    assert ev_a == [
        HandshakeComplete("ROUTER", b"", {"Socket-Type": b"ROUTER", "Identity": b""}, (3, 1))
    ]
    assert ev_b == [
        HandshakeComplete("DEALER", b"abc", {"Socket-Type": b"DEALER", "Identity": b"abc"}, (3, 1))
    ]
    assert a.peer_version == (3, 1)
    assert b.peer_identity == b"abc"
    assert a.peer_socket_type == "ROUTER"


@pytest.mark.parametrize(
    ("major", "minor", "v31"),
    [(3, 0, False), (3, 1, True), (3, 7, True), (4, 0, True), (255, 255, True)],
)
def test_version_negotiation(major: int, minor: int, v31: bool) -> None:
    conn = Connection(socket_type="SUB")
    conn.initiate()
    events = conn.receive_data(greeting(major=major, minor=minor) + ready((b"Socket-Type", b"PUB")))
    assert events == [HandshakeComplete("PUB", b"", {"Socket-Type": b"PUB"}, (major, minor))]
    conn.data_to_send()
    conn.send_subscribe(b"t")
    expected = b"\x04\x0b\x09SUBSCRIBEt" if v31 else b"\x00\x02\x01t"
    assert conn.data_to_send() == expected


@pytest.mark.parametrize("major", [0, 1, 2])
def test_old_major_refused_after_11_octets(major: int) -> None:
    conn = Connection(socket_type="PUSH")
    conn.initiate()
    conn.data_to_send()
    assert conn.receive_data(greeting(major=major)[:10]) == []
    with pytest.raises(ProtocolError, match="version"):
        conn.receive_data(bytes((major,)))
    assert conn.data_to_send() == b""  # never sent the rest of the greeting
    assert conn.closed
    with pytest.raises(ProtocolError):  # stays dead
        conn.receive_data(b"\x00")


def test_zmtp10_signature_refused_on_first_octet() -> None:
    conn = Connection(socket_type="PUSH")
    with pytest.raises(ProtocolError):
        conn.receive_data(b"\x01")


def test_signature_end_checks_bit0_only() -> None:
    conn = Connection(socket_type="PULL")
    conn.initiate()
    events = conn.receive_data(greeting(sig_end=0x01) + ready((b"Socket-Type", b"PUSH")))
    assert conn.handshake_complete
    assert len(events) == 1
    bad = Connection(socket_type="PULL")
    with pytest.raises(ProtocolError):
        bad.receive_data(greeting(sig_end=0x7E))


@pytest.mark.parametrize("padding", [b"\x00" * 8, b"\xff" * 8, bytes(range(8))])
def test_padding_not_validated(padding: bytes) -> None:
    conn = Connection(socket_type="PULL")
    conn.receive_data(greeting(padding=padding) + ready((b"Socket-Type", b"PUSH")))
    assert conn.handshake_complete


@pytest.mark.parametrize("mechanism", [b"PLAIN", b"CURVE", b"NUL", b"NULLX", b"null"])
def test_mechanism_mismatch(mechanism: bytes) -> None:
    conn = Connection(socket_type="PULL")
    with pytest.raises(ProtocolError, match="mechanism"):
        conn.receive_data(greeting(mechanism=mechanism))


def test_mechanism_compared_on_all_20_octets() -> None:
    peer = bytearray(greeting())
    peer[31] = ord("X")  # garbage after the NUL padding
    conn = Connection(socket_type="PULL")
    with pytest.raises(ProtocolError, match="mechanism"):
        conn.receive_data(bytes(peer))


def test_null_accepts_any_as_server() -> None:
    conn = Connection(socket_type="PULL")
    conn.receive_data(greeting(as_server=1) + ready((b"Socket-Type", b"PUSH")))
    assert conn.handshake_complete


def test_filler_not_validated() -> None:
    peer = greeting()[:33] + b"\xaa" * 31
    conn = Connection(socket_type="PULL")
    conn.receive_data(peer + ready((b"Socket-Type", b"PUSH")))
    assert conn.handshake_complete


def test_mechanism_name_validated() -> None:
    class Bad(NullMechanism):
        name = b"lower"

    with pytest.raises(ValueError, match="mechanism"):
        Connection(socket_type="PAIR", mechanism=Bad())
