"""Messages between aiomq and libzmq arrive exact and in order.

PAIR (both directions at once) and PUSH/PULL (each direction), over tcp and ipc, with
aiomq on the bind side and on the connect side. Frames of 0, 1, 255, 256 and 1 MiB bytes
cover empty, short and long ZMTP frames.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import zmq

import aiomq

from .libzmq_helpers import MESSAGES, AnySocket, Libzmq, assert_empty, linked, recv_n, send_all

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_pair_both_directions(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    asock, zsock = linked(ctx, libzmq, aiomq.PAIR, zmq.PAIR, aiomq_side, transport, ipc_dir)
    # Both sides send and receive at the same time, so large frames cross on the wire.
    _, _, at_libzmq, at_aiomq = await asyncio.gather(
        send_all(asock, MESSAGES),
        send_all(zsock, MESSAGES),
        recv_n(zsock, len(MESSAGES)),
        recv_n(asock, len(MESSAGES)),
    )
    assert at_libzmq == MESSAGES
    assert at_aiomq == MESSAGES
    await assert_empty(asock)
    await assert_empty(zsock)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("pusher", ["aiomq", "libzmq"])
async def test_push_to_pull(
    ctx: aiomq.Context,
    libzmq: Libzmq,
    pusher: str,
    transport: str,
    aiomq_side: str,
    ipc_dir: Path,
) -> None:
    """aiomq PUSH -> libzmq PULL, and libzmq PUSH -> aiomq PULL."""
    aiomq_type, zmq_type = (aiomq.PUSH, zmq.PULL) if pusher == "aiomq" else (aiomq.PULL, zmq.PUSH)
    asock, zsock = linked(ctx, libzmq, aiomq_type, zmq_type, aiomq_side, transport, ipc_dir)
    push: AnySocket
    pull: AnySocket
    push, pull = (asock, zsock) if pusher == "aiomq" else (zsock, asock)
    received, _ = await asyncio.gather(recv_n(pull, len(MESSAGES)), send_all(push, MESSAGES))
    assert received == MESSAGES
    await assert_empty(pull)
