"""aiomq connects to libzmq from a named source address (``tcp://source;destination``).

libzmq reports the file descriptor of each accepted connection in its ``ACCEPTED``
monitor event; the test asks the kernel for that socket's peer address, which must be
the source address aiomq was told to connect from.
"""

from __future__ import annotations

import asyncio
import os
import socket

import pytest
import zmq
import zmq.asyncio
from zmq.utils.monitor import parse_monitor_message

import aiomq

from .libzmq_helpers import DEADLINE, Libzmq

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]


def free_port() -> int:
    """A loopback port the kernel just handed out and released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def accepted_peer(monitor: zmq.asyncio.Socket) -> tuple[str, int]:
    """The peer address of the connection libzmq's next ``ACCEPTED`` event reports."""
    async with asyncio.timeout(DEADLINE):
        while True:
            event = parse_monitor_message(await monitor.recv_multipart())
            if event["event"] == zmq.EVENT_ACCEPTED:
                break
    with socket.socket(fileno=os.dup(int(event["value"]))) as accepted:
        host, port = accepted.getpeername()[:2]
    return str(host), int(port)


@pytest.mark.parametrize(
    ("ours", "theirs"), [(aiomq.PUSH, zmq.PULL), (aiomq.DEALER, zmq.ROUTER)], ids=["push", "dealer"]
)
async def test_libzmq_sees_the_source_address(
    ctx: aiomq.Context, libzmq: Libzmq, ours: aiomq.SocketType, theirs: int
) -> None:
    server = libzmq.socket(theirs)
    monitor = server.get_monitor_socket(zmq.EVENT_ACCEPTED)
    try:
        port = server.bind_to_random_port("tcp://127.0.0.1")
        source_port = free_port()
        client = ctx.socket(ours)
        client.connect(f"tcp://127.0.0.1:{source_port};127.0.0.1:{port}")
        await client.send(b"hello")
        assert await accepted_peer(monitor) == ("127.0.0.1", source_port)
        async with asyncio.timeout(DEADLINE):
            received = await server.recv_multipart()
        assert received[-1:] == [b"hello"]
        if theirs == zmq.ROUTER:
            assert len(received) == 2
            await server.send_multipart([received[0], b"back"])
            async with asyncio.timeout(DEADLINE):
                assert await client.recv_multipart() == [b"back"]
    finally:
        server.disable_monitor()
        monitor.close(linger=0)
