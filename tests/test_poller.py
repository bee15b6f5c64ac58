"""aiomq.Poller: pyzmq's Poller semantics, awaitable and consuming nothing."""

from __future__ import annotations

import asyncio

import pytest

import aiomq

pytestmark = pytest.mark.timeout(30)

IN, OUT = aiomq.POLLIN, aiomq.POLLOUT


def pair_of(ctx: aiomq.Context, name: str) -> tuple[aiomq.Socket, aiomq.Socket]:
    a = ctx.socket(aiomq.PAIR)
    a.bind(f"inproc://{name}")
    b = ctx.socket(aiomq.PAIR)
    b.connect(f"inproc://{name}")
    return a, b


async def test_timeouts(ctx: aiomq.Context) -> None:
    poller = aiomq.Poller()
    assert await poller.poll(0) == []
    loop = asyncio.get_running_loop()
    pull = ctx.socket(aiomq.PULL)
    poller.register(pull, IN)
    start = loop.time()
    assert await poller.poll(50) == []
    assert loop.time() - start >= 0.04
    assert await poller.poll(0) == []
    # None and negative wait for ever, i.e. until something happens.
    push = ctx.socket(aiomq.PUSH)
    pull.bind("inproc://timeouts")
    push.connect("inproc://timeouts")
    for forever in (None, -1):
        waiter = asyncio.ensure_future(poller.poll(forever))
        await asyncio.sleep(0)  # the poll starts and finds nothing ready
        assert not waiter.done()
        await push.send(b"x")
        async with asyncio.timeout(5):
            assert await waiter == [(pull, IN)]
        assert await pull.recv() == b"x"


async def test_many_sockets_in_registration_order(ctx: aiomq.Context) -> None:
    pulls = [ctx.socket(aiomq.PULL) for _ in range(3)]
    pushes = [ctx.socket(aiomq.PUSH) for _ in range(3)]
    poller = aiomq.Poller()
    for n, (pull, push) in enumerate(zip(pulls, pushes, strict=True)):
        pull.bind(f"inproc://many-{n}")
        push.connect(f"inproc://many-{n}")
        poller.register(pull, IN)
    waiter = asyncio.ensure_future(poller.poll(5000))
    await asyncio.sleep(0)
    await pushes[1].send(b"b")
    assert await waiter == [(pulls[1], IN)]
    await pushes[2].send(b"c")
    await pushes[0].send(b"a")
    assert await poller.poll(0) == [(pulls[0], IN), (pulls[1], IN), (pulls[2], IN)]
    assert [await p.recv() for p in pulls] == [b"a", b"b", b"c"]
    assert await poller.poll(0) == []


async def test_pollout_and_default_flags(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 1
    poller = aiomq.Poller()
    poller.register(push)  # POLLIN | POLLOUT by default; a PUSH never has POLLIN
    assert poller.sockets == [(push, IN | OUT)]
    assert await poller.poll(0) == []  # no peer yet
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 1
    waiter = asyncio.ensure_future(poller.poll())
    await asyncio.sleep(0)
    pull.bind("inproc://pollout")
    push.connect("inproc://pollout")
    async with asyncio.timeout(5):
        assert await waiter == [(push, OUT)]
    push.send_multipart_nowait([b"1"])
    push.send_multipart_nowait([b"2"])
    assert await poller.poll(20) == []  # both queues full
    poller.register(pull, IN)
    assert await poller.poll(0) == [(pull, IN)]
    assert await pull.recv() == b"1"
    async with asyncio.timeout(5):
        ready = dict(await poller.poll())
    assert ready[push] == OUT


async def test_register_modify_unregister(ctx: aiomq.Context) -> None:
    a, b = pair_of(ctx, "modify")
    poller = aiomq.Poller()
    poller.register(a, IN)
    assert await poller.poll(0) == []
    poller.register(a, IN | OUT)  # registering again modifies
    assert await poller.poll(0) == [(a, OUT)]
    poller.modify(a, IN)
    assert poller.sockets == [(a, IN)]
    await b.send(b"hi")
    assert await poller.poll(0) == [(a, IN)]
    assert a in poller
    assert len(poller) == 1
    poller.register(a, 0)  # flags 0 unregisters, as pyzmq
    assert a not in poller
    assert await poller.poll(0) == []
    poller.register(a, 0)  # and is quiet about an absent socket
    with pytest.raises(KeyError):
        poller.unregister(a)
    poller.register(b)
    poller.unregister(b)
    assert poller.sockets == []
    with pytest.raises(TypeError):
        poller.register(object())
    assert await a.recv() == b"hi"


async def test_cancelled_poll_consumes_nothing(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://cancel")
    push = ctx.socket(aiomq.PUSH)
    push.connect("inproc://cancel")
    poller = aiomq.Poller()
    poller.register(pull, IN)
    waiter = asyncio.ensure_future(poller.poll())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert pull._readable._waiters == []  # the future was unregistered
    for n in range(3):
        await push.send(b"%d" % n)
    # A ready poll looks ahead at a message but leaves it first in line.
    assert await poller.poll(0) == [(pull, IN)]
    assert await poller.poll(0) == [(pull, IN)]
    assert [await pull.recv() for _ in range(3)] == [b"0", b"1", b"2"]
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await poller.poll()
    assert pull._readable._waiters == []


async def test_req_rep_turns(ctx: aiomq.Context) -> None:
    rep = ctx.socket(aiomq.REP)
    rep.bind("inproc://turns")
    req = ctx.socket(aiomq.REQ)
    req.connect("inproc://turns")
    poller = aiomq.Poller()
    poller.register(req, IN | OUT)
    poller.register(rep, IN | OUT)
    assert await poller.poll(0) == [(req, OUT)]
    await req.send(b"question")
    async with asyncio.timeout(5):
        assert await poller.poll() == [(rep, IN)]
    assert await rep.recv() == b"question"
    assert await poller.poll(0) == [(rep, OUT)]
    await rep.send(b"answer")
    async with asyncio.timeout(5):
        assert await poller.poll() == [(req, IN)]
    assert await req.recv() == b"answer"
    assert await poller.poll(0) == [(req, OUT)]


async def test_closed_socket_cancels_a_poll_and_fails_the_next(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    poller = aiomq.Poller()
    poller.register(pull, IN)
    waiter = asyncio.ensure_future(poller.poll())
    await asyncio.sleep(0)
    pull.close()  # cancels the waiting poll, as zmq.asyncio does
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await waiter
    assert waiter.cancelled()
    with pytest.raises(aiomq.ZMQError) as info:
        await poller.poll(0)
    assert info.value.errno == aiomq.ENOTSOCK
    poller.unregister(pull)
    assert await poller.poll(0) == []
