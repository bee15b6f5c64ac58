"""zmq.asyncio idioms that must work unchanged on aiomq (regressions and API parity).

Each test names the pyzmq behaviour it pins. The ones about the wire against libzmq are in
``tests/interop/test_libzmq_idioms.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Iterator

import pytest
from _helpers import recv_within, unused_tcp_endpoint

import aiomq
from aiomq.utils.monitor import recv_monitor_message

pytestmark = pytest.mark.timeout(20)


_PUSH_PULL = (aiomq.PUSH, aiomq.PULL)


def pair(
    ctx: aiomq.Context, kind: tuple[int, int] = _PUSH_PULL
) -> tuple[aiomq.Socket, aiomq.Socket]:
    """A connected (sender, receiver) over inproc."""
    endpoint = f"inproc://idioms-{id(ctx)}-{kind[0]}"
    receiver = ctx.socket(kind[1])
    receiver.bind(endpoint)
    sender = ctx.socket(kind[0])
    sender.connect(endpoint)
    return sender, receiver


# -- frames held by SNDMORE --------------------------------------------------------------


async def test_sndmore_frames_lead_the_next_send_multipart(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    assert push.send(b"head", aiomq.SNDMORE).done()
    await push.send_multipart([b"a", b"b"])
    await push.send(b"next")
    assert await recv_within(pull) == [b"head", b"a", b"b"]
    assert await recv_within(pull) == [b"next"]


async def test_send_multipart_with_sndmore_holds_every_frame(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    await push.send_multipart([b"a", b"b"], aiomq.SNDMORE)
    await push.send_multipart([b"c"], aiomq.SNDMORE)
    await push.send(b"d")
    assert await recv_within(pull) == [b"a", b"b", b"c", b"d"]


async def test_router_reply_idiom(ctx: aiomq.Context) -> None:
    """``send(ident, SNDMORE); send_multipart([reply])``: the reply reaches the peer."""
    dealer, router = pair(ctx, (aiomq.DEALER, aiomq.ROUTER))
    await dealer.send(b"request")
    ident, request = await recv_within(router)
    assert request == b"request"
    await router.send(ident, aiomq.SNDMORE)
    await router.send_multipart([b"reply"])
    assert await recv_within(dealer) == [b"reply"]


# -- options as attributes ---------------------------------------------------------------


async def test_option_attributes_take_effect(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.XPUB)
    sock.xpub_verbose = 1
    sock.backlog = 7
    sock.hwm = 10
    sock.linger = 0
    assert sock.getsockopt(aiomq.XPUB_VERBOSE) == 1
    assert sock.getsockopt(aiomq.BACKLOG) == 7
    assert (sock.getsockopt(aiomq.SNDHWM), sock.getsockopt(aiomq.RCVHWM)) == (10, 10)
    assert (sock.hwm, sock.get_hwm(), sock.linger) == (10, 10, 0)
    sock.set_hwm(3)
    assert (sock.sndhwm, sock.rcvhwm) == (3, 3)


async def test_xpub_verbose_attribute_reports_every_subscription(ctx: aiomq.Context) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.xpub_verbose = 1
    xpub.bind("inproc://idioms-verbose")
    subs = [ctx.socket(aiomq.SUB) for _ in range(2)]
    for sub in subs:
        sub.connect("inproc://idioms-verbose")
        sub.subscribe = b"topic"  # pyzmq: assigning sets the option
    assert [await recv_within(xpub) for _ in range(2)] == [[b"\x01topic"], [b"\x01topic"]]


async def test_conflate_attribute_keeps_the_newest_message(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.bind("inproc://idioms-conflate")
    pull = ctx.socket(aiomq.PULL)
    pull.conflate = 1  # over inproc the connecting side's CONFLATE counts, as in libzmq
    assert pull.getsockopt(aiomq.CONFLATE) == 1
    pull.connect("inproc://idioms-conflate")
    for n in range(5):
        await push.send(b"%d" % n)
    assert await recv_within(pull) == [b"4"]
    with pytest.raises(aiomq.Again):
        await pull.recv(aiomq.DONTWAIT)


def test_unknown_attributes_raise() -> None:
    sock = aiomq.Context().socket(aiomq.PUSH)
    with pytest.raises(AttributeError, match="lingr"):
        sock.lingr = 0  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="lingr"):
        sock.lingr  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="TCP_KEEPALIVE is not supported by aiomq"):
        sock.tcp_keepalive  # noqa: B018
    with pytest.raises(aiomq.ZMQError, match="TCP_KEEPALIVE is not supported by aiomq"):
        sock.tcp_keepalive = 1
    sock.close()


def test_every_libzmq_option_is_an_attribute() -> None:
    sock = aiomq.Context().socket(aiomq.DEALER)
    special = {"type", "hwm", "subscribe", "unsubscribe"}  # properties / methods of their own
    for name in aiomq.SocketOption.__members__:
        attribute = name.lower()
        assert hasattr(type(sock), attribute), attribute
        if attribute in special:
            continue
        descriptor = getattr(type(sock), attribute)
        assert int(descriptor.option) == int(aiomq.SocketOption[name]), attribute
    sock.close()


def test_subscribe_is_a_method_and_an_option() -> None:
    sub = aiomq.Context().socket(aiomq.SUB)
    sub.subscribe(b"a")
    sub.subscribe = "b"
    sub.unsubscribe = b"a"
    with pytest.raises(aiomq.ZMQError, match="write-only"):
        sub.getsockopt(aiomq.SUBSCRIBE)
    sub.close()


# -- context options ---------------------------------------------------------------------


def test_context_options_are_defaults_of_new_sockets() -> None:
    ctx = aiomq.Context()
    before = ctx.socket(aiomq.PUSH)
    ctx.linger = 0
    ctx.setsockopt(aiomq.SNDHWM, 5)
    ctx.subscribe = b"news"  # applies to SUB sockets only, as in pyzmq
    push, sub = ctx.socket(aiomq.PUSH), ctx.socket(aiomq.SUB)
    assert (push.linger, push.sndhwm, sub.linger) == (0, 5, 0)
    assert before.linger == -1  # sockets made before keep their options
    assert (ctx.linger, ctx.getsockopt(aiomq.SNDHWM), ctx.sockopts[aiomq.SUBSCRIBE]) == (
        0,
        5,
        b"news",
    )
    del ctx.linger
    assert ctx.socket(aiomq.PUSH).linger == -1
    with pytest.raises(AttributeError):
        ctx.linger  # noqa: B018
    with pytest.raises(AttributeError, match="LINGR"):
        ctx.lingr = 0
    with pytest.raises(TypeError):
        ctx.setsockopt(aiomq.LINGER, "zero")
    with pytest.raises(aiomq.ZMQError):
        ctx.setsockopt(aiomq.LINGER, -2)
    ctx.destroy()


def test_context_options() -> None:
    ctx = aiomq.Context()
    assert ctx.get(aiomq.ContextOption.IO_THREADS) == 1
    assert ctx.get(aiomq.ContextOption.MAX_SOCKETS) == 1023
    with pytest.raises(aiomq.ZMQError, match="no I/O threads"):
        ctx.io_threads = 2
    ctx.max_sockets = 2
    ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PUSH)
    with pytest.raises(aiomq.ZMQError) as info:
        ctx.socket(aiomq.PUSH)
    assert info.value.errno == aiomq.EMFILE
    ctx.blocky = 0
    assert ctx.get(aiomq.ContextOption.BLOCKY) == 0
    ctx.max_sockets = 10
    assert ctx.socket(aiomq.PUSH).linger == 0  # BLOCKY 0: LINGER 0 by default (libzmq)
    with pytest.raises(aiomq.ZMQError, match="not supported"):
        ctx.set(aiomq.ContextOption.THREAD_NAME_PREFIX, 1)
    ctx.destroy()


async def test_context_linger_zero_lets_a_timed_out_req_exit(ctx: aiomq.Context) -> None:
    ctx.linger = 0
    async with ctx.socket(aiomq.REQ) as req:
        req.connect(unused_tcp_endpoint())
        await req.send(b"nobody answers")
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await req.recv()
    # Leaving the block returned: LINGER 0 dropped the request instead of waiting.


# -- futures, as zmq.asyncio -------------------------------------------------------------


async def test_an_unawaited_send_sends(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint)
    push.send(b"fire")
    push.send_multipart([b"and", b"forget"])
    assert await recv_within(pull) == [b"fire"]
    assert await recv_within(pull) == [b"and", b"forget"]


async def test_futures_work_with_wait_gather_and_callbacks(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    received = pull.recv()
    assert isinstance(received, asyncio.Future)
    assert not received.done()
    got: list[bytes] = []
    received.add_done_callback(lambda fut: got.append(fut.result()))
    push.send(b"1")
    done, pending = await asyncio.wait([received], timeout=5)
    assert (done, pending) == ({received}, set())
    await asyncio.sleep(0)  # the done callback runs in the next loop iteration
    assert got == [b"1"]
    results = await asyncio.gather(
        pull.recv(), pull.recv_multipart(), push.send(b"2"), push.send(b"3")
    )
    assert list(results) == [b"2", [b"3"], None, None]


async def test_a_completed_call_returns_a_done_future(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    assert push.send(b"x").done()
    immediate = pull.recv()
    assert immediate.done()
    assert immediate.result() == b"x"
    push.send(b"y")
    push.send(b"z")
    first, second = pull.recv(), pull.recv()  # both done at once, and distinct
    assert (first.result(), second.result()) == (b"y", b"z")
    assert (await first, await second) == (b"y", b"z")


@pytest.mark.parametrize("kind", [(aiomq.PUSH, aiomq.PULL), (aiomq.DEALER, aiomq.ROUTER)])
async def test_done_futures_keep_their_values_while_referenced(
    ctx: aiomq.Context, kind: tuple[int, int]
) -> None:
    """Immediate receives share one reused future only while nobody else holds it (the
    PULL takes the fast lane, the ROUTER the general path)."""
    sender, receiver = pair(ctx, kind)
    for n in range(6):
        sender.send(b"%d" % n)
    await asyncio.wait_for(receiver.poll(), 5)
    seen: list[list[bytes]] = []
    kept = receiver.recv_multipart()
    kept.add_done_callback(lambda fut: seen.append(fut.result()[-1:]))
    others = [receiver.recv_multipart() for _ in range(3)]
    assert [fut.result()[-1] for fut in [kept, *others]] == [b"0", b"1", b"2", b"3"]
    await asyncio.sleep(0)
    assert seen == [[b"0"]]
    assert (await receiver.recv_multipart())[-1] == b"4"
    assert kept.result()[-1] == b"0"


async def test_a_cancelled_receive_consumes_nothing(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    first = pull.recv()
    assert first.cancel()
    await push.send(b"kept")
    assert await recv_within(pull) == [b"kept"]


async def test_a_task_cancelled_as_its_message_arrives_loses_nothing(ctx: aiomq.Context) -> None:
    """zmq.asyncio loses this message: its future holds it when the task is cancelled."""
    push, pull = pair(ctx)

    async def receive() -> bytes:
        return await pull.recv()

    waiting = asyncio.ensure_future(receive())
    for _ in range(3):
        await asyncio.sleep(0)  # the task now awaits the pending receive
    push.send(b"precious")  # the receive can complete now, in the task's next step
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await recv_within(pull) == [b"precious"]


async def test_wait_for_timeouts_lose_nothing(ctx: aiomq.Context) -> None:
    """Receives that keep timing out as messages arrive: each message exactly once."""
    push, pull = pair(ctx)
    count = 300
    received: list[bytes] = []

    async def send_slowly() -> None:
        for n in range(count):
            await push.send(b"%d" % n)
            if n % 7 == 0:
                await asyncio.sleep(0)

    sender = asyncio.ensure_future(send_slowly())
    async with asyncio.timeout(15):
        while len(received) < count:
            with contextlib.suppress(TimeoutError):
                received.append(await asyncio.wait_for(pull.recv(), 0.0005))
    await sender
    assert received == [b"%d" % n for n in range(count)]


async def test_a_cancelled_send_queues_nothing(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 1
    pull.bind("inproc://idioms-cancelled-send")
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 1
    push.connect("inproc://idioms-cancelled-send")  # room for 2 (inproc adds the marks)
    assert push.send(b"1").done()
    assert push.send(b"2").done()
    blocked = push.send(b"blocked")
    assert not blocked.done()
    assert blocked.cancel()
    later = push.send(b"3")
    assert not later.done()  # waits for room, in line
    assert [await recv_within(pull) for _ in range(3)] == [[b"1"], [b"2"], [b"3"]]
    assert later.done()


async def test_unawaited_term_closes_every_socket() -> None:
    ctx = aiomq.Context()
    push, pull = pair(ctx)
    pending = pull.recv()
    ctx.term()
    assert (push.closed, pull.closed, ctx.closed) == (True, True, True)
    with pytest.raises(aiomq.ContextTerminated):
        await pending


async def test_destroy_waits_for_linger() -> None:
    ctx = aiomq.Context()
    push = ctx.socket(aiomq.PUSH)
    push.connect(unused_tcp_endpoint())
    await push.send(b"undeliverable")
    destroyed = ctx.destroy(linger=200)
    assert push.closed
    assert isinstance(destroyed, asyncio.Future)
    assert not destroyed.done()  # lingering: nobody takes the message
    async with asyncio.timeout(5):
        await destroyed


# -- error messages ----------------------------------------------------------------------


def test_error_messages_name_the_problem() -> None:
    ctx = aiomq.Context()
    router = ctx.socket(aiomq.ROUTER)
    with pytest.raises(TypeError, match="setsockopt_string"):
        router.setsockopt(aiomq.ROUTING_ID, "abc")
    router.setsockopt_string(aiomq.ROUTING_ID, "abc")
    assert router.getsockopt_string(aiomq.ROUTING_ID) == "abc"
    push = ctx.socket(aiomq.PUSH)
    with pytest.raises(aiomq.ZMQError, match="does not apply to PUSH sockets") as info:
        push.setsockopt(aiomq.SUBSCRIBE, b"")
    assert info.value.errno == aiomq.EINVAL
    with pytest.raises(aiomq.ZMQError, match="STREAM is not implemented by aiomq"):
        ctx.socket(aiomq.STREAM)
    with pytest.raises(aiomq.ZMQError, match="TCP_KEEPALIVE is not supported by aiomq"):
        push.setsockopt(aiomq.TCP_KEEPALIVE, 1)
    ctx.destroy()


def test_string_options() -> None:
    sub = aiomq.Context().socket(aiomq.SUB)
    sub.setsockopt_string(aiomq.SUBSCRIBE, "ünïcode")
    sub.set_string(aiomq.SUBSCRIBE, "x")
    sub.setsockopt_unicode(aiomq.UNSUBSCRIBE, "x")
    sub.set_string(aiomq.ROUTING_ID, "id")
    assert sub.get_string(aiomq.ROUTING_ID) == "id"
    assert sub.getsockopt_unicode(aiomq.ROUTING_ID) == "id"
    with pytest.raises(TypeError, match="str"):
        sub.set_string(aiomq.SUBSCRIBE, b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        sub.get_string(aiomq.LINGER)
    sub.close()


# -- receivers waiting together ----------------------------------------------------------


async def test_waiting_receivers_get_frames_in_call_order(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    first, second = pull.recv(), pull.recv()
    await push.send_multipart([b"hi", b"there"])
    await push.send_multipart([b"next"])
    assert (await first, await second) == (b"hi", b"there")
    assert await pull.recv() == b"next"


async def test_a_waiting_recv_multipart_gets_the_rest_of_a_message(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    frame, rest = pull.recv(), pull.recv_multipart()
    await push.send_multipart([b"hi", b"there", b"you"])
    await push.send_multipart([b"next"])
    assert await frame == b"hi"
    assert await rest == [b"there", b"you"]
    assert await recv_within(pull) == [b"next"]


async def test_recv_reads_a_waiting_message_frame_by_frame(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    await push.send_multipart([b"a", b"b", b"c"])
    await push.send_multipart([b"d"])
    await push.send_multipart([b"e", b"f"])
    frames = []
    for _ in range(4):
        frames.append((await pull.recv(), pull.rcvmore))
    assert frames == [(b"a", 1), (b"b", 1), (b"c", 0), (b"d", 0)]
    assert await pull.recv() == b"e"
    assert await pull.recv_multipart() == [b"f"]  # the rest of a partly read message
    push.send(b"g")
    assert (await pull.recv(copy=False)).more is False


async def test_receivers_in_tasks_take_turns_in_call_order(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)

    async def receive(multipart: bool) -> list[bytes]:
        if multipart:
            return await pull.recv_multipart()
        return [await pull.recv()]

    tasks = [asyncio.ensure_future(receive(n % 2 == 1)) for n in range(4)]
    await asyncio.sleep(0)
    await push.send_multipart([b"a1", b"a2"])
    await push.send_multipart([b"b1", b"b2"])
    await push.send_multipart([b"c1"])
    async with asyncio.timeout(5):
        results = await asyncio.gather(*tasks)
    assert results == [[b"a1"], [b"a2"], [b"b1"], [b"b2"]]
    assert await recv_within(pull) == [b"c1"]


# -- closing -----------------------------------------------------------------------------


def test_a_closed_socket_refuses_options() -> None:
    sock = aiomq.Context().socket(aiomq.PUSH)
    sock.close()
    for call in (
        lambda: sock.setsockopt(aiomq.LINGER, 0),
        lambda: sock.getsockopt(aiomq.LINGER),
        lambda: sock.linger,
    ):
        with pytest.raises(aiomq.ZMQError) as info:
            call()
        assert info.value.errno == aiomq.ENOTSOCK


async def test_close_cancels_pending_calls(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    received, polled = pull.recv(), pull.poll()
    pull.close()
    await asyncio.sleep(0)
    assert (received.cancelled(), polled.cancelled()) == (True, True)


# -- smaller behaviours ------------------------------------------------------------------


async def test_bind_and_connect_are_context_managers(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    with pull.bind("tcp://127.0.0.1:*") as bound:
        assert bound is pull
        endpoint = pull.last_endpoint.decode()
    with pytest.raises(aiomq.ZMQError):
        pull.unbind(endpoint)  # already unbound on exit
    other = ctx.socket(aiomq.PULL)
    other.bind(endpoint)  # the port is free again
    push = ctx.socket(aiomq.PUSH)
    with push.connect(endpoint):
        pass
    with pytest.raises(aiomq.ZMQError):
        push.disconnect(endpoint)


async def test_bind_to_random_port(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    assert pull.last_endpoint == f"tcp://127.0.0.1:{port}".encode()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with pytest.raises(aiomq.ZMQBindError):
            ctx.socket(aiomq.PULL).bind_to_random_port(
                "tcp://127.0.0.1", min_port=taken, max_port=taken + 1, max_tries=3
            )
    ranged = ctx.socket(aiomq.PULL)
    chosen = ranged.bind_to_random_port("tcp://127.0.0.1", min_port=40000, max_port=60000)
    assert 40000 <= chosen < 60000


async def test_events_option(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    assert pull.getsockopt(aiomq.EVENTS) == 0
    assert push.events == aiomq.POLLOUT
    await push.send(b"x")
    assert pull.events == aiomq.POLLIN
    assert await pull.recv() == b"x"  # looking did not consume


@pytest.fixture
def pipe_files() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    yield read, write
    os.close(read)
    os.close(write)


async def test_poller_takes_file_descriptors(
    ctx: aiomq.Context, pipe_files: tuple[int, int]
) -> None:
    read, write = pipe_files
    push, pull = pair(ctx)
    with os.fdopen(os.dup(write), "wb") as writer:
        poller = aiomq.Poller()
        poller.register(read, aiomq.POLLIN)
        poller.register(writer, aiomq.POLLOUT)  # an object with fileno()
        poller.register(pull, aiomq.POLLIN)
        assert await poller.poll(1000) == [(writer.fileno(), aiomq.POLLOUT)]
        poller.unregister(writer)
        waiting = poller.poll(5000)
        assert not waiting.done()
        os.write(write, b"!")
        assert await waiting == [(read, aiomq.POLLIN)]
        os.read(read, 1)
        await push.send(b"x")
        assert await poller.poll(1000) == [(pull, aiomq.POLLIN)]
        with pytest.raises(TypeError, match="fileno"):
            poller.register(object())


async def test_recv_into(ctx: aiomq.Context) -> None:
    push, pull = pair(ctx)
    await push.send_multipart([b"hello", b"there world", b"rest"])
    buffer = bytearray(10)
    assert await pull.recv_into(buffer) == 5
    assert buffer[:5] == b"hello"
    small = bytearray(4)
    assert await pull.recv_into(small, nbytes=3) == 11
    assert small == b"the\0"
    assert await pull.recv_into(memoryview(bytearray(10))[:0]) == 4
    with pytest.raises(ValueError, match="nbytes"):
        pull.recv_into(buffer, nbytes=-1)
    with pytest.raises(TypeError, match="writable"):
        pull.recv_into(b"read-only")
    with pytest.raises(aiomq.Again):
        await pull.recv_into(buffer, flags=aiomq.DONTWAIT)


async def test_frames_and_trackers(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint)
    tracker = await push.send(aiomq.Frame(b"frame"), copy=False)
    assert isinstance(tracker, aiomq.MessageTracker)
    assert tracker.done
    await tracker
    await push.send_multipart([b"a", aiomq.Frame(bytearray(b"b"))])
    frame = await asyncio.wait_for(pull.recv(copy=False), 5)
    assert isinstance(frame, aiomq.Frame)
    assert (frame.bytes, bytes(frame.buffer), len(frame)) == (b"frame", b"frame", 5)
    assert not frame.more
    assert frame.get(aiomq.MORE) == 0
    assert frame.get("Socket-Type") == "PUSH"
    assert frame["Peer-Address"] == "127.0.0.1"
    with pytest.raises(aiomq.ZMQError):
        frame.get("User-Id")
    frames = await asyncio.wait_for(pull.recv_multipart(copy=False), 5)
    assert [(f.bytes, f.more) for f in frames] == [(b"a", True), (b"b", False)]


def test_sync_with_closes_and_terminates() -> None:
    with aiomq.Context() as ctx:
        with ctx.socket(aiomq.PUSH) as push:
            assert not push.closed
        assert push.closed
    assert ctx.closed


async def test_pyzmq_monitor_form(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.monitor("inproc://idioms-monitor", aiomq.EVENT_LISTENING | aiomq.EVENT_MONITOR_STOPPED)
    watcher = ctx.socket(aiomq.PAIR)
    watcher.connect("inproc://idioms-monitor")
    pull.bind("tcp://127.0.0.1:*")
    event = await asyncio.wait_for(recv_monitor_message(watcher), 5)
    assert event["event"] == aiomq.EVENT_LISTENING
    assert event["endpoint"] == pull.last_endpoint
    pull.monitor(None)
    assert await asyncio.wait_for(recv_monitor_message(watcher), 5) == {
        "event": aiomq.EVENT_MONITOR_STOPPED,
        "value": 0,
        "endpoint": b"",
    }
