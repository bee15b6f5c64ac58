"""The public socket API: types, flags, timeouts, HWM, closing, errors."""

from __future__ import annotations

import asyncio

import pytest

import aiomq

pytestmark = pytest.mark.timeout(20)


def pair_over_inproc(ctx: aiomq.Context, name: str) -> tuple[aiomq.Socket, aiomq.Socket]:
    a = ctx.socket(aiomq.PAIR)
    a.bind(f"inproc://{name}")
    b = ctx.socket(aiomq.PAIR)
    b.connect(f"inproc://{name}")
    return a, b


async def test_frames_accept_buffers_and_refuse_str(ctx: aiomq.Context) -> None:
    a, b = pair_over_inproc(ctx, "types")
    await a.send(bytearray(b"ba"))
    await a.send(memoryview(b"mv"))
    await a.send_multipart([b"1", bytearray(b"2"), memoryview(b"3")])
    assert await b.recv() == b"ba"
    assert await b.recv() == b"mv"
    assert await b.recv_multipart() == [b"1", b"2", b"3"]
    with pytest.raises(TypeError, match=r"^data must be bytes-like, not str"):
        await a.send("text")
    with pytest.raises(TypeError, match=r"^data must be bytes-like, not int"):
        await a.send(5)
    with pytest.raises(TypeError, match=r"^msg_parts must be a list of frames"):
        await a.send_multipart(b"abc")
    with pytest.raises(ValueError, match="at least one frame"):
        await a.send_multipart([])
    with pytest.raises(TypeError, match=r"^each of msg_parts must be bytes-like, not str"):
        await a.send_multipart([b"ok", "bad"])
    await a.send(b"after")
    assert await b.recv_multipart() == [b"after"]


async def test_sndmore_and_rcvmore(ctx: aiomq.Context) -> None:
    a, b = pair_over_inproc(ctx, "more")
    await a.send(b"1", aiomq.SNDMORE)
    await a.send(b"2", aiomq.SNDMORE)
    assert b.getsockopt(aiomq.RCVMORE) == 0
    await a.send(b"3")
    assert await b.recv() == b"1"
    assert b.getsockopt(aiomq.RCVMORE) == 1
    assert await b.recv_multipart() == [b"2", b"3"]
    assert b.getsockopt(aiomq.RCVMORE) == 0


async def test_dontwait_and_timeouts_raise_again(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    with pytest.raises(aiomq.Again):
        await push.send(b"x", aiomq.DONTWAIT)
    push.sndtimeo = 20
    with pytest.raises(TimeoutError):
        await push.send(b"x")
    pull = ctx.socket(aiomq.PULL)
    with pytest.raises(aiomq.Again) as info:
        await pull.recv(aiomq.DONTWAIT)
    assert info.value.errno == aiomq.EAGAIN
    pull.rcvtimeo = 20
    with pytest.raises(aiomq.Again):
        await pull.recv_multipart()


async def test_wrong_direction_is_enotsup(ctx: aiomq.Context) -> None:
    with pytest.raises(aiomq.ZMQError, match="PULL sockets cannot send") as info:
        await ctx.socket(aiomq.PULL).send(b"x")
    assert info.value.errno == aiomq.ENOTSUP
    with pytest.raises(aiomq.ZMQError, match="PUSH sockets cannot receive"):
        await ctx.socket(aiomq.PUSH).recv()


async def test_inproc_hwm_blocks_push_at_sndhwm_plus_rcvhwm(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 2
    pull.bind("inproc://hwm")
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 3
    push.connect("inproc://hwm")
    for i in range(5):
        await push.send(b"%d" % i, aiomq.DONTWAIT)
    with pytest.raises(aiomq.Again):
        await push.send(b"5", aiomq.DONTWAIT)
    blocked = asyncio.ensure_future(push.send(b"5"))
    await asyncio.sleep(0)
    assert not blocked.done()
    assert await pull.recv() == b"0"
    await asyncio.wait_for(blocked, 5)
    assert [await pull.recv() for _ in range(5)] == [b"1", b"2", b"3", b"4", b"5"]


async def test_push_round_robins_and_pull_fair_queues(ctx: aiomq.Context) -> None:
    pulls = [ctx.socket(aiomq.PULL) for _ in range(2)]
    push = ctx.socket(aiomq.PUSH)
    for i, pull in enumerate(pulls):
        pull.bind(f"inproc://rr{i}")
        push.connect(f"inproc://rr{i}")
    for i in range(6):
        await push.send(b"%d" % i)
    assert [await pulls[0].recv() for _ in range(3)] == [b"0", b"2", b"4"]
    assert [await pulls[1].recv() for _ in range(3)] == [b"1", b"3", b"5"]

    sink = ctx.socket(aiomq.PULL)
    sink.bind("inproc://fq")
    sources = [ctx.socket(aiomq.PUSH) for _ in range(2)]
    for source in sources:
        source.connect("inproc://fq")
    for i in range(3):
        await sources[0].send(b"a%d" % i)
    for i in range(3):
        await sources[1].send(b"b%d" % i)
    assert [await sink.recv() for _ in range(6)] == [b"a0", b"b0", b"a1", b"b1", b"a2", b"b2"]


async def test_pair_refuses_second_peer(ctx: aiomq.Context) -> None:
    a, b = pair_over_inproc(ctx, "exclusive")
    c = ctx.socket(aiomq.PAIR)
    c.connect("inproc://exclusive")
    await c.send(b"from c")
    await b.send(b"from b")
    assert await a.recv() == b"from b"
    with pytest.raises(aiomq.Again):
        await a.recv(aiomq.DONTWAIT)


async def test_closed_socket_and_pending_recv(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pending = pull.recv()
    pull.close()
    assert pending.cancelled()  # as zmq.asyncio: a pending receive is cancelled on close
    with pytest.raises(aiomq.ZMQError) as info:
        await pull.recv()
    assert info.value.errno == aiomq.ENOTSOCK
    with pytest.raises(aiomq.ZMQError):
        pull.bind("tcp://127.0.0.1:*")
    pull.close()
    assert pull.closed


async def test_term_wakes_blocked_calls_with_context_terminated() -> None:
    ctx = aiomq.Context()
    pull = ctx.socket(aiomq.PULL)
    pending = asyncio.ensure_future(pull.recv())
    await asyncio.sleep(0)
    await asyncio.wait_for(ctx.term(), 5)
    with pytest.raises(aiomq.ContextTerminated):
        await pending
    with pytest.raises(aiomq.ContextTerminated):
        ctx.socket(aiomq.PUSH)


async def test_context_and_socket_are_async_context_managers() -> None:
    async with aiomq.Context() as ctx:
        async with ctx.socket(aiomq.PULL) as pull:
            pull.bind("tcp://127.0.0.1:*")
            push = ctx.socket(aiomq.PUSH)
            push.connect(pull.last_endpoint.decode())
            await push.send(b"hi")
            assert await pull.recv() == b"hi"
        assert pull.closed
    assert push.closed
    assert ctx.closed


def test_context_instance_is_shared() -> None:
    assert aiomq.Context.instance() is aiomq.Context.instance()


def test_socket_type_errors() -> None:
    ctx = aiomq.Context()
    with pytest.raises(TypeError, match="socket_type must be an int"):
        ctx.socket("PUSH")  # type: ignore[arg-type]
    with pytest.raises(aiomq.ZMQError, match="unknown socket type 99"):
        ctx.socket(99)
    for kind in (aiomq.STREAM, aiomq.SERVER, aiomq.CHANNEL):
        with pytest.raises(aiomq.ZMQError) as info:
            ctx.socket(kind)
        assert (info.value.errno, str(info.value)) == (
            aiomq.EINVAL,
            f"socket type {kind.name} is not implemented by aiomq",
        )
    assert ctx.socket(aiomq.XREQ).type is aiomq.DEALER


def test_bind_and_connect_before_the_loop_runs() -> None:
    """As in pyzmq: the address is bound at once, the socket starts in the first loop."""
    ctx = aiomq.Context()
    pull = ctx.socket(aiomq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(aiomq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    assert pull.last_endpoint == f"tcp://127.0.0.1:{port}".encode()

    async def exchange() -> list[bytes]:
        await push.send_multipart([b"before", b"the loop"])
        async with asyncio.timeout(5):
            return await pull.recv_multipart()

    assert asyncio.run(exchange()) == [b"before", b"the loop"]
    ctx.term()


def test_a_socket_refuses_a_second_event_loop() -> None:
    ctx = aiomq.Context()
    pull = ctx.socket(aiomq.PULL)

    async def bind() -> None:
        pull.bind("tcp://127.0.0.1:*")

    asyncio.run(bind())
    with pytest.raises(RuntimeError, match="closed event loop: a socket cannot move"):
        asyncio.run(bind())

    async def receive() -> bytes:
        return await pull.recv()

    with pytest.raises(RuntimeError, match="a socket cannot move between event loops"):
        asyncio.run(receive())
    pull.close(0)


def test_unbound_socket_closes_without_a_loop() -> None:
    ctx = aiomq.Context()
    pull = ctx.socket(aiomq.PULL)
    endpoint = pull.bind("tcp://127.0.0.1:*").addr
    pull.close()
    other = ctx.socket(aiomq.PULL)
    other.bind(endpoint)  # the port was released at close
    other.close()
    ctx.term()


async def test_aclose_lingers_until_flushed(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    payload = b"x" * 100_000
    for i in range(50):
        await push.send_multipart([b"%d" % i, payload])
    await asyncio.wait_for(push.aclose(linger=5000), 5)
    received = [await pull.recv_multipart() for _ in range(50)]
    assert received == [[b"%d" % i, payload] for i in range(50)]


async def test_linger_zero_with_no_peer_returns_at_once(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.connect("tcp://127.0.0.1:9")
    await push.send(b"never delivered")
    await asyncio.wait_for(push.aclose(linger=0), 1)


async def test_immediate_does_not_queue_without_a_peer(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.immediate = 1
    push.connect("inproc://later")
    with pytest.raises(aiomq.Again):
        await push.send(b"x", aiomq.DONTWAIT)
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://later")
    await push.send(b"now", aiomq.DONTWAIT)
    assert await pull.recv() == b"now"


def test_public_surface() -> None:
    for name in aiomq.__all__:
        assert hasattr(aiomq, name), name
    assert aiomq.Again.__mro__[1:4] == (aiomq.ZMQError, aiomq.ZMQBaseError, TimeoutError)
    assert issubclass(aiomq.ContextTerminated, aiomq.ZMQError)
    assert aiomq.ContextTerminated().errno == aiomq.ETERM
