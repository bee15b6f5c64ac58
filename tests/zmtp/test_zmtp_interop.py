"""The codec against libzmq (through pyzmq) over a blocking TCP socket."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
import zmq

from aiomq.zmtp import Connection, Event, HandshakeComplete, Ping, Pong, ProtocolError

pytestmark = pytest.mark.interop


class _Peer:
    """Our codec on one end of a TCP connection to a libzmq socket."""

    def __init__(self, zsock: zmq.Socket[bytes], conn: Connection) -> None:
        port = zsock.bind_to_random_port("tcp://127.0.0.1")
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.conn = conn
        self.events: list[Event] = []
        conn.initiate()
        self.flush()

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def wait_for(self, predicate: Callable[[Event], bool]) -> Event:
        while True:
            for event in self.events:
                if predicate(event):
                    self.events.remove(event)
                    return event
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("libzmq closed the connection")
            self.events += self.conn.receive_data(data)
            self.flush()


@pytest.fixture
def zctx() -> Iterator[zmq.Context[zmq.Socket[bytes]]]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def _message(event: Event) -> bool:
    return isinstance(event, tuple)


def test_dealer_to_libzmq_router(zctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    router = zctx.socket(zmq.ROUTER)
    router.rcvtimeo = 5000
    peer = _Peer(router, Connection(socket_type="DEALER", identity=b"me", send_identity=True))
    done = peer.wait_for(lambda e: isinstance(e, HandshakeComplete))
    assert done == HandshakeComplete(
        "ROUTER", b"", {"Socket-Type": b"ROUTER", "Identity": b""}, (3, 1)
    )
    big = b"x" * 70_000
    peer.conn.send_messages([[b"hello", big], [b""]])
    peer.flush()
    assert router.recv_multipart() == [b"me", b"hello", big]
    assert router.recv_multipart() == [b"me", b""]
    router.send_multipart([b"me", b"a" * 255, b"b" * 256])
    assert peer.wait_for(_message) == (b"a" * 255, b"b" * 256)


def test_sub_to_libzmq_xpub(zctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    xpub = zctx.socket(zmq.XPUB)
    xpub.rcvtimeo = 5000
    peer = _Peer(xpub, Connection(socket_type="SUB"))
    peer.wait_for(lambda e: isinstance(e, HandshakeComplete))
    peer.conn.send_subscribe(b"A")
    peer.flush()
    assert xpub.recv() == b"\x01A"
    xpub.send(b"B-filtered")
    xpub.send_multipart([b"A1", b"two"])
    assert peer.wait_for(_message) == (b"A1", b"two")


def test_heartbeats_with_libzmq(zctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    push = zctx.socket(zmq.PUSH)
    push.setsockopt(zmq.HEARTBEAT_IVL, 50)
    peer = _Peer(push, Connection(socket_type="PULL"))
    peer.wait_for(lambda e: isinstance(e, HandshakeComplete))
    assert peer.wait_for(lambda e: isinstance(e, Ping)) == Ping(0, b"")
    peer.conn.send_ping(10, b"ctx")
    peer.flush()
    assert peer.wait_for(lambda e: isinstance(e, Pong)) == Pong(b"ctx")
    push.send(b"msg")
    assert peer.wait_for(_message) == (b"msg",)


def test_libzmq_refuses_incompatible_type(zctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    pub = zctx.socket(zmq.PUB)
    peer = _Peer(pub, Connection(socket_type="PUSH", peer_types=frozenset({"PULL"})))
    with pytest.raises((ConnectionError, ProtocolError)):
        peer.wait_for(lambda e: isinstance(e, HandshakeComplete))
