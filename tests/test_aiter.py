"""``async for parts in sock``: whole messages, cancel-safe, ends when the socket closes."""

from __future__ import annotations

import asyncio

import pytest

import aiomq

pytestmark = pytest.mark.timeout(30)


async def test_iteration_yields_whole_messages_and_ends_on_close(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    for i in range(5):
        await push.send_multipart([b"n", str(i).encode()])

    got: list[list[bytes]] = []
    async for parts in pull:
        got.append(parts)
        if len(got) == 5:
            pull.close()
    assert got == [[b"n", str(i).encode()] for i in range(5)]


async def test_close_while_waiting_ends_iteration(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://aiter-close")

    async def consume() -> list[list[bytes]]:
        return [parts async for parts in pull]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    assert not task.done()
    pull.close()
    assert await asyncio.wait_for(task, 5) == []


async def test_context_termination_ends_iteration() -> None:
    context = aiomq.Context()
    pull = context.socket(aiomq.PULL)
    pull.bind("inproc://aiter-term")

    async def consume() -> list[list[bytes]]:
        return [parts async for parts in pull]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    context.destroy(linger=0)
    assert await asyncio.wait_for(task, 5) == []
    await asyncio.wait_for(context.term(), 5)


async def test_closed_socket_iterates_nothing(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.close()
    assert [parts async for parts in pull] == []
    assert aiter(pull) is pull


async def test_cancelled_step_consumes_nothing(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://aiter-cancel")
    push = ctx.socket(aiomq.PUSH)
    push.connect("inproc://aiter-cancel")
    it = aiter(pull)
    for i in range(50):
        step = asyncio.ensure_future(anext(it))
        await asyncio.sleep(0)
        step.cancel()
        with pytest.raises(asyncio.CancelledError):
            await step
        await push.send(str(i).encode())
        assert await asyncio.wait_for(anext(it), 5) == [str(i).encode()]


async def test_rcvtimeo_raises_again_and_iteration_can_resume(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://aiter-timeout")
    pull.rcvtimeo = 0
    it = aiter(pull)
    with pytest.raises(aiomq.Again):
        await anext(it)
    push = ctx.socket(aiomq.PUSH)
    push.connect("inproc://aiter-timeout")
    await push.send(b"late")
    pull.rcvtimeo = -1
    assert await anext(it) == [b"late"]


async def test_send_only_socket_raises_enotsup(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    with pytest.raises(aiomq.ZMQError) as info:
        await anext(aiter(push))
    assert info.value.errno == aiomq.ENOTSUP
