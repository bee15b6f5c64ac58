"""Socket.poll and the non-blocking twins: readiness without consuming anything."""

from __future__ import annotations

import asyncio

import pytest

import aiomq

pytestmark = pytest.mark.timeout(20)


async def test_poll_in_looks_ahead_without_losing_order(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://poll-in")
    push = ctx.socket(aiomq.PUSH)
    push.connect("inproc://poll-in")
    assert await pull.poll(0) == 0
    waiter = asyncio.ensure_future(pull.poll(5000))
    await asyncio.sleep(0)
    assert not waiter.done()
    for n in range(3):
        await push.send(b"%d" % n)
    assert await waiter == aiomq.POLLIN
    assert await pull.poll(0, aiomq.POLLIN | aiomq.POLLOUT) == aiomq.POLLIN
    assert pull.recv_multipart_nowait() == [b"0"]
    assert [await pull.recv() for _ in range(2)] == [b"1", b"2"]
    with pytest.raises(aiomq.Again):
        pull.recv_multipart_nowait()


async def test_poll_out_follows_the_high_water_mark(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 1
    assert await push.poll(0, aiomq.POLLOUT) == 0
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 1
    pull.bind("inproc://poll-out")
    push.connect("inproc://poll-out")
    assert await push.poll(1000, aiomq.POLLOUT) == aiomq.POLLOUT
    push.send_multipart_nowait([b"a"])
    push.send_multipart_nowait([b"b"])
    assert await push.poll(20, aiomq.POLLOUT) == 0
    with pytest.raises(aiomq.Again):
        push.send_multipart_nowait([b"c"])
    assert await pull.recv() == b"a"
    assert await push.poll(1000, aiomq.POLLOUT) == aiomq.POLLOUT


async def test_poll_follows_req_and_rep_turns(ctx: aiomq.Context) -> None:
    rep = ctx.socket(aiomq.REP)
    rep.bind("inproc://poll-reqrep")
    req = ctx.socket(aiomq.REQ)
    req.connect("inproc://poll-reqrep")
    both = aiomq.POLLIN | aiomq.POLLOUT
    assert await req.poll(0, both) == aiomq.POLLOUT
    assert await rep.poll(0, both) == 0
    await req.send(b"ping")
    assert await req.poll(0, both) == 0
    assert await rep.poll(1000, both) == aiomq.POLLIN
    assert await rep.recv() == b"ping"
    assert await rep.poll(0, both) == aiomq.POLLOUT
    await rep.send(b"pong")
    assert await req.poll(1000, both) == aiomq.POLLIN
    assert await req.recv() == b"pong"


async def test_sub_poll_sees_only_matching_messages(ctx: aiomq.Context) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind("inproc://poll-sub")
    sub = ctx.socket(aiomq.SUB)
    sub.subscribe(b"yes")
    sub.connect("inproc://poll-sub")
    await pub.send(b"no thanks")
    assert await sub.poll(0) == 0
    await pub.send(b"yes please")
    assert await sub.poll(1000) == aiomq.POLLIN
    assert await sub.recv() == b"yes please"


async def test_poll_is_cancelled_when_the_socket_closes(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    waiter = pull.poll()
    await asyncio.sleep(0)
    pull.close()  # as zmq.asyncio: a pending poll is cancelled
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await waiter
    assert waiter.cancelled()
    with pytest.raises(aiomq.ZMQError) as info:
        pull.poll()
    assert info.value.errno == aiomq.ENOTSOCK
