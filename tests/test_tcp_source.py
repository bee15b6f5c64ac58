"""libzmq's tcp source-address form: ``connect("tcp://source-host:port;host:port")``."""

from __future__ import annotations

import asyncio
import errno
import socket

import pytest

import aiomq
from aiomq._transports import tcp
from aiomq.endpoint import parse_endpoint

pytestmark = pytest.mark.timeout(20)


def free_port() -> int:
    """A loopback port the kernel just handed out and released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_the_connection_comes_from_the_source_address(ctx: aiomq.Context) -> None:
    """A plain TCP server sees the source port the endpoint names."""
    peers: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    writers: list[asyncio.StreamWriter] = []

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await peers.put(writer.get_extra_info("peername")[:2])

    server = await asyncio.start_server(accepted, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    source_port = free_port()
    endpoint = f"tcp://127.0.0.1:{source_port};127.0.0.1:{port}"
    push = ctx.socket(aiomq.PUSH)
    push.connect(endpoint)
    assert push.last_endpoint == endpoint.encode()
    try:
        async with asyncio.timeout(5):
            assert await peers.get() == ("127.0.0.1", source_port)
    finally:
        push.close(0)
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
    assert peers.empty()


@pytest.mark.parametrize("source", ["*:*", "127.0.0.1:0", "*:0"])
async def test_messages_flow_from_a_source_address(ctx: aiomq.Context, source: str) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.connect(f"tcp://{source};{pull.last_endpoint.decode().removeprefix('tcp://')}")
    await push.send_multipart([b"from", b"the source"])
    async with asyncio.timeout(5):
        assert await pull.recv_multipart() == [b"from", b"the source"]


async def test_a_source_of_another_family_is_refused_by_the_transport() -> None:
    endpoint = parse_endpoint("tcp://[::1]:0;127.0.0.1:9", bind=False)
    loop = asyncio.get_running_loop()
    with pytest.raises(OSError, match="source address ::1 is not an IPv4 address") as info:
        await tcp.connect(loop, endpoint, asyncio.Protocol)
    assert info.value.errno == errno.EAFNOSUPPORT


async def test_bind_refuses_a_source_address(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.PULL)
    with pytest.raises(aiomq.ZMQError) as info:
        sock.bind("tcp://127.0.0.1:0;127.0.0.1:5555")
    assert (info.value.errno, str(info.value)) == (
        aiomq.EINVAL,
        "invalid endpoint 'tcp://127.0.0.1:0;127.0.0.1:5555': a source address "
        "(tcp://source;destination) is for connect only",
    )
