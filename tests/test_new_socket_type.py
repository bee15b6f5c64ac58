"""A new socket type is one module and one registry row: nothing else changes.

The toy type in tests/_toy_socket.py is registered for each test (one row in
``SOCKET_CLASSES``) and then works like a shipped one, on every transport, with its
handshake checks, options and multicast refusal coming from its traits alone.
"""

from __future__ import annotations

import pytest
from _helpers import EventRecorder
from _reqrep_helpers import TRANSPORTS, bind
from _toy_socket import ToyChannelSocket

import aiomq
from aiomq._sockets import SOCKET_CLASSES
from aiomq.constants import SocketType

pytestmark = pytest.mark.timeout(20)


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SOCKET_CLASSES, SocketType.CHANNEL, ToyChannelSocket)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_it_exchanges_messages_on_every_transport(ctx: aiomq.Context, transport: str) -> None:
    server = ctx.socket(aiomq.CHANNEL)
    client = ctx.socket(aiomq.CHANNEL)
    client.connect(bind(server, transport))
    await client.send_multipart([b"ping", b"1"])
    assert await server.recv_multipart() == [b"ping", b"1"]
    await server.send(b"pong")
    assert await client.recv() == b"pong"
    assert isinstance(server, ToyChannelSocket)
    assert server.type is SocketType.CHANNEL


@pytest.mark.parametrize("transport", ["tcp", "inproc"])
async def test_its_traits_refuse_other_peers(ctx: aiomq.Context, transport: str) -> None:
    server = ctx.socket(aiomq.CHANNEL)
    recorder = EventRecorder(server)
    url = bind(server, transport)
    ctx.socket(aiomq.PAIR).connect(url)
    await recorder.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


def test_its_options_and_multicast_role_come_from_its_traits(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.CHANNEL)
    sock.conflate = 1
    assert sock.conflate == 1
    with pytest.raises(aiomq.ZMQError, match="does not apply to CHANNEL sockets") as info:
        sock.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    assert info.value.errno == aiomq.EINVAL
    with pytest.raises(aiomq.ZMQError, match="CHANNEL sockets cannot use it") as info:
        sock.connect("epgm://127.0.0.1;239.192.0.1:5555")
    assert info.value.errno == aiomq.ENOCOMPATPROTO
    sock.close(linger=0)
