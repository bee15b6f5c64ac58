"""The sockets' fast lanes: a send pushes onto, a receive pops from, the one peer's queue.

Strategies hand their socket a lane only while they have nothing to decide per message;
these tests pin the moments a lane must be dropped (a second peer, a terminating peer, a
closed socket, a poll look-ahead, a conflating queue) and the yield that keeps a busy
sender or receiver from starving other tasks.
"""

from __future__ import annotations

import asyncio

import pytest
from _helpers import recv_within
from _pipe_helpers import Counter, make_pipe

import aiomq
from aiomq import Again
from aiomq._pipe import ConflatingQueue, MessageQueue, Pipe
from aiomq._routing import ExclusivePair, FairQueue, LoadBalancer
from aiomq._sockets import base


class Lanes:
    """Records what a strategy hands its socket."""

    def __init__(self) -> None:
        self.lanes: list[MessageQueue | None] = []

    def __call__(self, queue: MessageQueue | None) -> None:
        self.lanes.append(queue)


def test_load_balancer_has_a_lane_only_with_exactly_one_pipe() -> None:
    lanes = Lanes()
    balancer = LoadBalancer(Counter(), lanes)
    first, second = make_pipe(name="1"), make_pipe(name="2")
    balancer.attach(first)
    assert lanes.lanes == [first.outbound]
    assert balancer.last_target is first
    balancer.attach(second)
    balancer.detach(first)
    assert lanes.lanes == [first.outbound, None, second.outbound]
    assert balancer.last_target is second
    balancer.terminate(second)
    assert lanes.lanes[-1] is None


def test_fair_queue_lane_ends_when_the_pipe_terminates() -> None:
    lanes = Lanes()
    queue = FairQueue(Counter(), lanes)
    pipe = make_pipe()
    queue.attach(pipe)
    assert lanes.lanes == [pipe.inbound]
    pipe.terminating = True
    queue.terminate(pipe)
    assert lanes.lanes == [pipe.inbound, None]


def test_fair_queue_lists_a_lane_pipe_once_and_drops_stale_entries() -> None:
    """Pops through the lane leave the pipe listed; refills must not list it twice."""
    queue = FairQueue(Counter(), Lanes())
    first, second = make_pipe(name="1"), make_pipe(name="2")
    queue.attach(first)
    for round_ in range(100):  # what a socket's lane does: push, pop behind the strategy
        first.inbound.push((b"%d" % round_,))
        first.inbound.items.popleft()
    assert list(queue._ready) == [first]  # listed once, however often it refilled
    first.inbound.push((b"a1",))
    first.inbound.push((b"a2",))
    queue.attach(second)
    second.inbound.push((b"b1",))
    second.inbound.push((b"b2",))
    got = [queue.recv_nowait()[0] for _ in range(4)]
    assert got == [b"a1", b"b1", b"a2", b"b2"]
    with pytest.raises(Again):
        queue.recv_nowait()


def test_exclusive_pair_lanes_follow_the_peer() -> None:
    ins, outs = Lanes(), Lanes()
    pair = ExclusivePair(Counter(), Counter(), ins, outs)
    pipe = make_pipe()
    pair.attach(pipe)
    pipe.terminating = True
    pair.terminate(pipe)
    pair.detach(pipe)
    assert ins.lanes == [pipe.inbound, None, None]
    assert outs.lanes == [pipe.outbound, None, None]


def test_a_conflating_queue_is_never_a_lane() -> None:
    lanes = Lanes()
    balancer = LoadBalancer(Counter(), lanes)
    pipe = Pipe(MessageQueue(10), ConflatingQueue())
    balancer.attach(pipe)
    assert lanes.lanes == [None]


async def test_push_round_robins_again_once_a_second_peer_attaches() -> None:
    ctx = aiomq.Context()
    push = ctx.socket(aiomq.PUSH)
    pulls = [ctx.socket(aiomq.PULL) for _ in range(2)]
    try:
        pulls[0].bind("inproc://lanes-a")
        pulls[1].bind("inproc://lanes-b")
        push.connect("inproc://lanes-a")
        for i in range(3):
            await push.send(b"solo-%d" % i)
        push.connect("inproc://lanes-b")
        for i in range(4):
            await push.send(b"rr-%d" % i)
        first = [(await recv_within(pulls[0]))[0] for _ in range(5)]
        second = [(await recv_within(pulls[1]))[0] for _ in range(2)]
        assert first == [b"solo-0", b"solo-1", b"solo-2", b"rr-0", b"rr-2"]
        assert second == [b"rr-1", b"rr-3"]
        push.disconnect("inproc://lanes-b")
        await push.send(b"solo-again")
        assert await recv_within(pulls[0]) == [b"solo-again"]
    finally:
        await ctx.term()


async def test_lane_send_respects_sndhwm() -> None:
    ctx = aiomq.Context()
    push = ctx.socket(aiomq.PUSH)
    pull = ctx.socket(aiomq.PULL)
    try:
        push.sndhwm = 3
        pull.rcvhwm = 3
        pull.bind("inproc://lanes-hwm")
        push.connect("inproc://lanes-hwm")
        sent = 0
        refused = False
        while sent < 100 and not refused:
            try:
                await push.send(b"%d" % sent, aiomq.DONTWAIT)
                sent += 1
            except Again:
                refused = True
        assert refused
        assert 3 <= sent < 100
        got = [(await recv_within(pull))[0] for _ in range(sent)]
        assert got == [b"%d" % i for i in range(sent)]
    finally:
        await ctx.term()


async def test_poll_look_ahead_comes_before_the_lane() -> None:
    ctx = aiomq.Context()
    push = ctx.socket(aiomq.PUSH)
    pull = ctx.socket(aiomq.PULL)
    try:
        pull.bind("inproc://lanes-poll")
        push.connect("inproc://lanes-poll")
        for i in range(3):
            await push.send(b"m%d" % i)
        assert await pull.poll(1000) == aiomq.POLLIN
        assert [await pull.recv() for _ in range(3)] == [b"m0", b"m1", b"m2"]
    finally:
        await ctx.term()


async def test_closed_socket_refuses_even_with_a_lane() -> None:
    ctx = aiomq.Context()
    pair_a = ctx.socket(aiomq.PAIR)
    pair_b = ctx.socket(aiomq.PAIR)
    try:
        pair_a.bind("inproc://lanes-closed")
        pair_b.connect("inproc://lanes-closed")
        await pair_b.send(b"queued")
        pair_a.close(0)
        with pytest.raises(aiomq.ZMQError) as sent:
            await pair_a.send(b"late")
        with pytest.raises(aiomq.ZMQError) as received:
            await pair_a.recv()
        assert sent.value.errno == received.value.errno == aiomq.ENOTSOCK
    finally:
        await ctx.term()


async def test_departed_pair_peer_is_drained_before_it_goes() -> None:
    ctx = aiomq.Context()
    server = ctx.socket(aiomq.PAIR)
    server.bind("tcp://127.0.0.1:*")
    client = ctx.socket(aiomq.PAIR)
    try:
        client.connect(server.last_endpoint.decode())
        for i in range(50):
            await client.send(b"%d" % i)
        assert await recv_within(server) == [b"0"]
        await client.aclose(linger=-1)
        got = [(await recv_within(server))[0] for _ in range(49)]
        assert got == [b"%d" % i for i in range(1, 50)]
    finally:
        await ctx.term()


@pytest.mark.parametrize("direction", ["send", "recv"])
async def test_a_busy_socket_yields_to_other_tasks(direction: str) -> None:
    """Calls that never need to wait still let the loop run every _YIELD_EVERY calls."""
    ctx = aiomq.Context()
    push = ctx.socket(aiomq.PUSH)
    pull = ctx.socket(aiomq.PULL)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    calls = 4 * base._YIELD_EVERY
    try:
        push.sndhwm = pull.rcvhwm = 0
        pull.bind("inproc://lanes-yield")
        push.connect("inproc://lanes-yield")
        if direction == "recv":
            for i in range(calls):
                await push.send(b"%d" % i)
        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)  # the ticker's first step
        before = ticks
        for i in range(calls):
            if direction == "send":
                await push.send(b"%d" % i)
            else:
                assert await pull.recv() == b"%d" % i
        ran = ticks - before
        stop.set()
        await task
        assert ran >= 3, f"the other task ran {ran} times during {calls} {direction} calls"
    finally:
        await ctx.term()
