"""ZMTP heartbeats (RFC 37 "Connection Heartbeating") against a scripted raw peer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from _helpers import EventRecorder

import aiomq
from aiomq.zmtp import Connection, Event, Ping, Pong

pytestmark = pytest.mark.timeout(20)


class RawPeer:
    """A ZMTP peer driven by the test: the codec over plain asyncio streams."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, socket_type: str
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.codec = Connection(socket_type=socket_type)
        self.codec.initiate()
        self.flush()
        self.silent = False  # once True, what the codec answers is never sent
        self.pending: list[Event] = []

    def flush(self) -> None:
        self.writer.write(self.codec.data_to_send())

    async def next_event(self) -> Event:
        """Read until the codec yields an event, sending its answers unless silent."""
        while not self.pending:
            data = await self.reader.read(65536)
            if not data:
                raise EOFError
            events = self.codec.receive_data(data)
            answers = self.codec.data_to_send()
            if not self.silent:
                self.writer.write(answers)
            self.pending.extend(events)
        return self.pending.pop(0)

    async def read_until_eof(self) -> None:
        """Consume events until the connection closes (then EOFError)."""
        while True:
            await self.next_event()


@asynccontextmanager
async def raw_server() -> AsyncIterator[tuple[str, asyncio.Queue[RawPeer]]]:
    peers: asyncio.Queue[RawPeer] = asyncio.Queue()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await peers.put(RawPeer(reader, writer, "PULL"))

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"tcp://127.0.0.1:{port}", peers
    finally:
        server.close()


async def test_pings_then_drops_a_silent_peer(ctx: aiomq.Context) -> None:
    async with raw_server() as (endpoint, peers):
        push = ctx.socket(aiomq.PUSH)
        push.heartbeat_ivl = 50
        push.heartbeat_timeout = 150
        push.heartbeat_ttl = 1000
        push.reconnect_ivl = -1
        events = EventRecorder(push)
        push.connect(endpoint)
        peer = await peers.get()
        handshake = await peer.next_event()
        assert not isinstance(handshake, Ping)
        peer.silent = True
        ping = await peer.next_event()
        assert ping == Ping(ttl=10, context=b"")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await events.wait_for(aiomq.Event.DISCONNECTED, timeout=2)
        assert 0.1 <= loop.time() - started < 1.0
        with pytest.raises(EOFError):
            await peer.read_until_eof()


async def test_answers_ping_and_honours_ttl(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    events = EventRecorder(pull)
    host, port = pull.last_endpoint.decode().removeprefix("tcp://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    peer = RawPeer(reader, writer, "PUSH")
    await peer.next_event()  # the handshake
    peer.codec.send_message([b"before"])
    peer.codec.send_ping(ttl=3, context=b"ctx-0123456789ab")
    peer.flush()
    assert await pull.recv() == b"before"
    assert await peer.next_event() == Pong(context=b"ctx-0123456789ab")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await events.wait_for(aiomq.Event.DISCONNECTED, timeout=3)
    assert 0.25 <= loop.time() - started < 1.5
    writer.close()


async def test_heartbeats_keep_an_idle_aiomq_link_alive(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.heartbeat_ivl = 20
    pull.heartbeat_timeout = 60
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.heartbeat_ivl = 20
    push.heartbeat_timeout = 60
    events = EventRecorder(push)
    push.connect(pull.last_endpoint.decode())
    await push.send(b"first")
    assert await pull.recv() == b"first"
    await asyncio.sleep(0.5)  # idle on purpose: 25 heartbeat intervals
    await push.send(b"second")
    assert await pull.recv() == b"second"
    assert events.count(aiomq.Event.DISCONNECTED) == 0
