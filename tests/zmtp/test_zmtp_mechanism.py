"""The Mechanism plug-in interface, exercised by a toy PLAIN/CURVE-shaped mechanism."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from zmtp_helpers import command, greeting, pump

from aiomq.zmtp import (
    Connection,
    Event,
    HandshakeComplete,
    Mechanism,
    MechanismStep,
    PeerError,
    Ping,
    Pong,
    ProtocolError,
    Subscribe,
)
from aiomq.zmtp.commands import encode_command, encode_metadata, parse_metadata


def _xor(data: bytes) -> bytes:
    return bytes(b ^ 0x5A for b in data)


class ToyMechanism(Mechanism):
    """HELLO/WELCOME/INITIATE/READY like PLAIN, a ZAP-like pause, MESSAGE boxes like CURVE."""

    name = b"X-TOY"
    wraps_frames = True

    def __init__(self, *, as_server: bool, allow: bool = True) -> None:
        self.as_server = as_server
        self.allow = allow
        self.decided = False
        self.metadata: Mapping[str, bytes] = {}

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        if peer_as_server == self.as_server:
            raise ProtocolError("both peers have the same role")
        self.metadata = metadata
        if self.as_server:
            return MechanismStep()
        return MechanismStep(commands=(encode_command(b"HELLO", b"me"),))

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        if self.as_server and name == b"HELLO":
            return MechanismStep()  # wait for the external decision
        if self.as_server and name == b"INITIATE":
            ready = encode_command(b"READY", encode_metadata(self.metadata.items()))
            return MechanismStep(commands=(ready,), metadata=parse_metadata(data), complete=True)
        if not self.as_server and name == b"WELCOME":
            initiate = encode_command(b"INITIATE", encode_metadata(self.metadata.items()))
            return MechanismStep(commands=(initiate,))
        if not self.as_server and name == b"READY":
            return MechanismStep(metadata=parse_metadata(data), complete=True)
        raise ProtocolError(f"unexpected {name!r}")

    def resume(self) -> MechanismStep:
        self.decided = True
        if not self.allow:
            return MechanismStep(error=b"400")
        return MechanismStep(commands=(encode_command(b"WELCOME"),))

    def wrap_frame(self, flags: int, payload: bytes) -> bytes:
        return encode_command(b"MESSAGE", bytes((flags,)) + _xor(payload))

    def unwrap_command(self, name: bytes, data: bytes) -> tuple[int, bytes] | None:
        if name != b"MESSAGE":
            return None
        if not data:
            raise ProtocolError("empty MESSAGE")
        return data[0], _xor(data[1:])


def _toy_pair(allow: bool = True) -> tuple[Connection, Connection, list[Event]]:
    client = Connection(
        socket_type="DEALER", send_identity=True, mechanism=ToyMechanism(as_server=False)
    )
    server = Connection(
        socket_type="ROUTER",
        send_identity=True,
        mechanism=ToyMechanism(as_server=True, allow=allow),
    )
    client.initiate()
    server.initiate()
    ev_c, ev_s = pump(client, server)
    assert ev_c == []
    assert ev_s == []
    assert not server.handshake_complete
    events: list[Event] = []
    events += server.resume_handshake()  # the "ZAP reply" arrived
    return client, server, events


def test_greeting_carries_mechanism_and_as_server() -> None:
    conn = Connection(socket_type="ROUTER", mechanism=ToyMechanism(as_server=True))
    conn.initiate()
    conn.receive_data(greeting(mechanism=b"X-TOY", as_server=0)[:11])
    out = conn.data_to_send()
    assert out[12:32] == b"X-TOY".ljust(20, b"\x00")
    assert out[32] == 1


def test_toy_handshake_resume_and_wrapped_traffic() -> None:
    client, server, events = _toy_pair()
    assert events == []
    ev_c, ev_s = pump(client, server)
    assert ev_s == [
        HandshakeComplete("DEALER", b"", {"Socket-Type": b"DEALER", "Identity": b""}, (3, 1))
    ]
    assert ev_c == [
        HandshakeComplete("ROUTER", b"", {"Socket-Type": b"ROUTER", "Identity": b""}, (3, 1))
    ]

    client.send_messages([[b"a", b"b" * 300], [b"c"]])
    client.send_ping(7, b"ctx")
    client.send_subscribe(b"t")
    wire = client.data_to_send()
    assert b"b" * 300 not in wire  # every frame went through wrap_frame
    events = server.receive_data(wire)
    assert events == [(b"a", b"b" * 300), (b"c",), Ping(7, b"ctx"), Subscribe(b"t")]
    assert client.receive_data(server.data_to_send()) == [Pong(b"ctx")]


def test_toy_unwrapped_data_refused() -> None:
    client, server, _ = _toy_pair()
    pump(client, server)
    with pytest.raises(ProtocolError, match="unwrapped"):
        server.receive_data(b"\x00\x01x")


def test_toy_plain_commands_still_understood() -> None:
    client, server, _ = _toy_pair()
    pump(client, server)
    assert server.receive_data(command(b"PING", b"\x00\x01")) == [Ping(1, b"")]


def test_toy_refusal_sends_error() -> None:
    client = Connection(socket_type="DEALER", mechanism=ToyMechanism(as_server=False))
    server = Connection(socket_type="ROUTER", mechanism=ToyMechanism(as_server=True, allow=False))
    client.initiate()
    server.initiate()
    pump(client, server)
    with pytest.raises(ProtocolError, match="400"):
        server.resume_handshake()
    assert client.receive_data(server.data_to_send()) == [PeerError(b"400")]
    assert server.closed


def test_resume_outside_handshake_does_nothing() -> None:
    conn = Connection(socket_type="PAIR")
    assert conn.resume_handshake() == []
