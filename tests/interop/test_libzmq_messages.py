"""Messages between aiomq and libzmq arrive exact and in order.

PAIR (both directions at once) and PUSH/PULL (each direction), over tcp and ipc, with
aiomq on the bind side and on the connect side. Frames of 0, 1, 255, 256 and 1 MiB bytes
cover empty, short and long ZMTP frames.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import zmq
import zmq.asyncio
from libzmq_helpers import (
    MESSAGES,
    Libzmq,
    assert_aiomq_empty,
    assert_libzmq_empty,
    ipc_endpoint,
    recv_n,
    send_all,
    short_dir,
)

import aiomq

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]


@pytest.fixture
async def libzmq() -> AsyncIterator[Libzmq]:
    peers = Libzmq()
    try:
        yield peers
    finally:
        await peers.close()


@pytest.fixture
def ipc_dir(tmp_path: Path) -> Iterator[Path]:
    with short_dir(tmp_path) as directory:
        yield directory


def _connect(
    ctx: aiomq.Context,
    libzmq: Libzmq,
    aiomq_type: aiomq.SocketType,
    zmq_type: int,
    transport: str,
    aiomq_side: str,
    ipc_dir: Path,
) -> tuple[aiomq.Socket, zmq.asyncio.Socket]:
    """An aiomq socket and a libzmq socket, one bound and the other connected to it."""
    url = "tcp://127.0.0.1:*" if transport == "tcp" else ipc_endpoint(ipc_dir)
    asock = ctx.socket(aiomq_type)
    zsock = libzmq.socket(zmq_type)
    if aiomq_side == "bind":
        asock.bind(url)
        zsock.connect(asock.last_endpoint)
    else:
        asock.connect(Libzmq.bind(zsock, url))
    return asock, zsock


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_pair_both_directions(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    asock, zsock = _connect(ctx, libzmq, aiomq.PAIR, zmq.PAIR, transport, aiomq_side, ipc_dir)
    # Both sides send and receive at the same time, so large frames cross on the wire.
    _, _, at_libzmq, at_aiomq = await asyncio.gather(
        send_all(asock, MESSAGES),
        send_all(zsock, MESSAGES),
        recv_n(zsock, len(MESSAGES)),
        recv_n(asock, len(MESSAGES)),
    )
    assert at_libzmq == MESSAGES
    assert at_aiomq == MESSAGES
    await assert_aiomq_empty(asock)
    await assert_libzmq_empty(zsock)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_aiomq_push_to_libzmq_pull(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    push, pull = _connect(ctx, libzmq, aiomq.PUSH, zmq.PULL, transport, aiomq_side, ipc_dir)
    received, _ = await asyncio.gather(recv_n(pull, len(MESSAGES)), send_all(push, MESSAGES))
    assert received == MESSAGES
    await assert_libzmq_empty(pull)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_libzmq_push_to_aiomq_pull(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    pull, push = _connect(ctx, libzmq, aiomq.PULL, zmq.PUSH, transport, aiomq_side, ipc_dir)
    received, _ = await asyncio.gather(recv_n(pull, len(MESSAGES)), send_all(push, MESSAGES))
    assert received == MESSAGES
    await assert_aiomq_empty(pull)
