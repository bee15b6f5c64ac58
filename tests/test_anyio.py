"""aiomq inside ``anyio.run(..., backend="asyncio")`` and ``aiomq.anyio.as_object_stream``.

Each test runs ``anyio.run`` in a plain test function, once per event loop (asyncio's
default loop and uvloop, through anyio's ``loop_factory`` backend option).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc
import pytest

import aiomq
import aiomq.anyio
from aiomq.anyio import SocketStream, as_object_stream

pytestmark = pytest.mark.timeout(30)

DEADLINE = 20.0

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {"asyncio": asyncio.new_event_loop}
if importlib.util.find_spec("uvloop") is not None:  # a dev dependency
    import uvloop

    LOOPS["uvloop"] = uvloop.new_event_loop


@pytest.fixture(params=sorted(LOOPS))
def run(request: pytest.FixtureRequest) -> Callable[[Callable[[], Awaitable[Any]]], Any]:
    """Run an async function under anyio's asyncio backend on one event loop, with a deadline."""
    factory = LOOPS[request.param]

    def runner(func: Callable[[], Awaitable[Any]]) -> Any:
        async def bounded() -> Any:
            with anyio.fail_after(DEADLINE):
                return await func()

        return anyio.run(bounded, backend="asyncio", backend_options={"loop_factory": factory})

    return runner


def tcp_pair(ctx: aiomq.Context, hwm: int = 1000) -> tuple[aiomq.Socket, aiomq.Socket]:
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = hwm
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = hwm
    push.connect(pull.last_endpoint.decode())
    return push, pull


N = 2000
CANCEL_ATTEMPTS = 1000
BURST = 8


def test_cancel_scopes_around_recv_lose_no_message(
    run: Callable[[Callable[[], Awaitable[Any]]], Any],
) -> None:
    async def main() -> tuple[list[int], int, int]:
        async with aiomq.Context() as ctx:
            push, pull = tcp_pair(ctx, hwm=10)
            got: list[int] = []
            cancelled = 0  # scopes that caught a cancellation
            interrupted = 0  # ... while recv was waiting (nothing received in the scope)

            caught_up: list[anyio.Event] = []

            def take(data: bytes) -> None:
                got.append(int(data))
                for event in caught_up:
                    event.set()
                caught_up.clear()

            async def sender() -> None:
                # Bursts of BURST: after each, wait until the receiver has them all, so
                # that its next recv waits on an empty socket while scopes cancel it.
                for i in range(N):
                    await push.send(str(i).encode())
                    if i % BURST == BURST - 1:
                        while len(got) <= i:
                            event = anyio.Event()
                            caught_up.append(event)
                            await event.wait()

            async def cancel_soon(scope: anyio.CancelScope) -> None:
                await anyio.lowlevel.checkpoint()
                scope.cancel()

            async with anyio.create_task_group() as tg:
                tg.start_soon(sender)
                for attempt in range(CANCEL_ATTEMPTS):
                    kind = attempt % 4
                    before = len(got)
                    if kind == 0:  # cancelled from another task while (maybe) waiting
                        with anyio.CancelScope() as scope:
                            tg.start_soon(cancel_soon, scope)
                            take(await pull.recv())
                            await anyio.sleep_forever()  # the message was taken: wait
                    elif kind == 1:  # a deadline that has already passed
                        with anyio.move_on_after(0) as scope:
                            take(await pull.recv())
                    elif kind == 2:  # fail_after with a tiny timeout
                        try:
                            with anyio.fail_after(0.0001) as scope:
                                take(await pull.recv())
                        except TimeoutError:
                            pass
                    else:  # a scope cancelled before recv starts
                        with anyio.CancelScope() as scope:
                            scope.cancel()
                            take(await pull.recv())
                    cancelled += scope.cancelled_caught
                    interrupted += scope.cancelled_caught and len(got) == before
                while len(got) < N:
                    take(await pull.recv())
            push.close(linger=0)
            pull.close(linger=0)
        return got, cancelled, interrupted

    got, cancelled, interrupted = run(main)
    assert got == list(range(N))
    assert cancelled > 0
    assert interrupted > 0


def test_task_group_and_fail_after(run: Callable[[Callable[[], Awaitable[Any]]], Any]) -> None:
    async def main() -> list[bytes]:
        async with aiomq.Context() as ctx:
            push, pull = tcp_pair(ctx)
            with pytest.raises(TimeoutError):
                with anyio.fail_after(0.01):
                    await pull.recv()
            received: list[bytes] = []

            async def consume() -> None:
                async for parts in pull:
                    received.extend(parts)
                    if len(received) == 3:
                        pull.close(linger=0)

            async with anyio.create_task_group() as tg:
                tg.start_soon(consume)
                for word in (b"a", b"b", b"c"):
                    await push.send(word)
            push.close(linger=0)
        return received

    assert run(main) == [b"a", b"b", b"c"]


def test_object_stream_round_trip(run: Callable[[Callable[[], Awaitable[Any]]], Any]) -> None:
    async def echo(stream: anyio.abc.ObjectStream[list[bytes]]) -> None:
        async for parts in stream:
            await stream.send([b"echo", *parts])

    async def main() -> list[list[bytes]]:
        async with aiomq.Context() as ctx:
            server = ctx.socket(aiomq.PAIR)
            server.bind("tcp://127.0.0.1:*")
            client = ctx.socket(aiomq.PAIR)
            client.connect(server.last_endpoint.decode())
            server_stream = as_object_stream(server)
            client_stream: anyio.abc.ObjectStream[list[bytes]] = as_object_stream(client)
            replies: list[list[bytes]] = []
            async with anyio.create_task_group() as tg:
                tg.start_soon(echo, server_stream)
                for i in range(3):
                    await client_stream.send([b"n", str(i).encode()])
                    replies.append(await client_stream.receive())
                tg.cancel_scope.cancel()
            await server_stream.aclose()
            await client_stream.aclose()
            assert server.closed
            assert client.closed
        return replies

    assert run(main) == [[b"echo", b"n", str(i).encode()] for i in range(3)]


def test_object_stream_end_and_closed_errors(
    run: Callable[[Callable[[], Awaitable[Any]]], Any],
) -> None:
    async def main() -> None:
        async with aiomq.Context() as ctx:
            pull = ctx.socket(aiomq.PULL)
            pull.bind("inproc://stream-errors")
            push = ctx.socket(aiomq.PUSH)
            push.connect("inproc://stream-errors")
            in_stream, out_stream = as_object_stream(pull), as_object_stream(push)

            # send_eof closes only the local sending half; nothing reaches the wire.
            await out_stream.send([b"before eof"])
            await out_stream.send_eof()
            with pytest.raises(anyio.ClosedResourceError):
                await out_stream.send([b"after eof"])
            assert await in_stream.receive() == [b"before eof"]

            # The socket closed behind the stream's back while receiving: end of stream.
            async with anyio.create_task_group() as tg:

                async def close_soon() -> None:
                    await anyio.lowlevel.checkpoint()
                    pull.close()

                tg.start_soon(close_soon)
                with pytest.raises(anyio.EndOfStream):
                    await in_stream.receive()
            # ... and for sending, a broken resource.
            push.close()
            with pytest.raises(anyio.BrokenResourceError):
                await as_object_stream(push).send([b"x"])

            # After aclose the stream itself is closed.
            await in_stream.aclose()
            await in_stream.aclose()  # idempotent
            with pytest.raises(anyio.ClosedResourceError):
                await in_stream.receive()
            with pytest.raises(anyio.ClosedResourceError):
                await in_stream.send([b"x"])

    run(main)


def test_context_termination_ends_the_stream(
    run: Callable[[Callable[[], Awaitable[Any]]], Any],
) -> None:
    async def main() -> None:
        ctx = aiomq.Context()
        stream = as_object_stream(ctx.socket(aiomq.PULL))
        stream.socket.bind("inproc://stream-term")
        async with anyio.create_task_group() as tg:

            async def destroy_soon() -> None:
                await anyio.lowlevel.checkpoint()
                ctx.destroy(linger=0)

            tg.start_soon(destroy_soon)
            with pytest.raises(anyio.EndOfStream):
                await stream.receive()
        await ctx.term()

    run(main)


def test_as_object_stream_checks_its_argument() -> None:
    with pytest.raises(TypeError, match="socket must be an aiomq Socket"):
        as_object_stream(object())  # type: ignore[arg-type]
    assert issubclass(SocketStream, anyio.abc.ObjectStream)
    assert aiomq.anyio.as_object_stream is as_object_stream
