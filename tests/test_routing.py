"""Routing strategies, without an event loop."""

from __future__ import annotations

import pytest
from _pipe_helpers import Counter, make_pipe

from aiomq import Again
from aiomq._pipe import MessageQueue, Pipe
from aiomq._routing import ExclusivePair, FairQueue, LoadBalancer


def test_load_balancer_round_robins_and_skips_full_pipes() -> None:
    woken = Counter()
    balancer = LoadBalancer(woken)
    pipes = [make_pipe(hwm=2, name=str(i)) for i in range(3)]
    for pipe in pipes:
        assert balancer.attach(pipe)
    assert woken.calls == 3
    for i in range(5):
        balancer.send_nowait((b"%d" % i,))
    assert [pipe.outbound.pop_all() for pipe in pipes] == [
        [(b"0",), (b"3",)],
        [(b"1",), (b"4",)],
        [(b"2",)],
    ]
    pipes[0].outbound.push((b"x",))
    pipes[0].outbound.push((b"y",))
    balancer.send_nowait((b"a",))
    balancer.send_nowait((b"b",))
    assert len(pipes[0].outbound) == 2
    assert len(pipes[1].outbound) + len(pipes[2].outbound) == 2


def test_load_balancer_raises_again_when_all_full_or_none() -> None:
    balancer = LoadBalancer(Counter())
    with pytest.raises(Again):
        balancer.send_nowait((b"x",))
    pipe = make_pipe(hwm=1)
    balancer.attach(pipe)
    balancer.send_nowait((b"x",))
    assert not balancer.writable
    with pytest.raises(Again):
        balancer.send_nowait((b"y",))
    pipe.outbound.pop()
    assert balancer.writable


def test_load_balancer_wakes_writer_when_a_full_pipe_drains() -> None:
    woken = Counter()
    balancer = LoadBalancer(woken)
    pipe = make_pipe(hwm=2)
    balancer.attach(pipe)
    balancer.send_nowait((b"1",))
    balancer.send_nowait((b"2",))
    before = woken.calls
    pipe.outbound.pop()
    assert woken.calls == before + 1
    pipe.outbound.pop()
    assert woken.calls == before + 1


def test_load_balancer_detach_keeps_rotation() -> None:
    balancer = LoadBalancer(Counter())
    a, b, c = make_pipe(), make_pipe(), make_pipe()
    for pipe in (a, b, c):
        balancer.attach(pipe)
    balancer.send_nowait((b"1",))
    balancer.detach(a)
    balancer.send_nowait((b"2",))
    balancer.send_nowait((b"3",))
    assert b.outbound.pop_all() == [(b"2",)]
    assert c.outbound.pop_all() == [(b"3",)]
    balancer.detach(a)


def test_fair_queue_takes_whole_messages_in_turn() -> None:
    woken = Counter()
    queue = FairQueue(woken)
    a, b = make_pipe(), make_pipe()
    queue.attach(a)
    queue.attach(b)
    a.inbound.push_many([(b"a1", b"more"), (b"a2",), (b"a3",)])
    b.inbound.push_many([(b"b1",)])
    assert woken.calls == 2
    received = [queue.recv_nowait() for _ in range(4)]
    assert received == [(b"a1", b"more"), (b"b1",), (b"a2",), (b"a3",)]
    with pytest.raises(Again):
        queue.recv_nowait()
    assert not queue.readable


def test_fair_queue_sees_backlog_of_a_pipe_attached_late() -> None:
    queue = FairQueue(Counter())
    pipe = make_pipe()
    pipe.inbound.push((b"early",))
    queue.attach(pipe)
    assert queue.readable
    assert queue.recv_nowait() == (b"early",)


def test_fair_queue_drains_then_releases_a_terminated_pipe() -> None:
    queue = FairQueue(Counter())
    pipe = make_pipe()
    released: list[Pipe] = []
    pipe.on_drained = released.append
    queue.attach(pipe)
    pipe.inbound.push_many([(b"1",), (b"2",)])
    pipe.terminating = True
    queue.terminate(pipe)
    assert queue.recv_nowait() == (b"1",)
    assert released == []
    assert queue.recv_nowait() == (b"2",)
    assert released == [pipe]


def test_exclusive_pair_refuses_second_peer() -> None:
    pair = ExclusivePair(Counter(), Counter())
    first, second = make_pipe(hwm=1), make_pipe()
    assert pair.attach(first)
    assert not pair.attach(second)
    pair.send_nowait((b"x",))
    with pytest.raises(Again):
        pair.send_nowait((b"y",))
    first.inbound.push((b"in",))
    assert pair.recv_nowait() == (b"in",)
    with pytest.raises(Again):
        pair.recv_nowait()
    pair.detach(first)
    assert pair.attach(second)


def test_message_queue_hwm_and_wakeups() -> None:
    queue = MessageQueue(2)
    readable, writable = Counter(), Counter()
    queue.on_readable = readable
    queue.on_writable = writable
    queue.push((b"1",))
    queue.push((b"2",))
    assert queue.full
    assert readable.calls == 1
    assert queue.pop() == (b"1",)
    assert writable.calls == 1
    queue.set_hwm(0)
    assert not queue.full
    queue.push_many([(b"3",), (b"4",)])
    assert [queue.pop() for _ in range(3)] == [(b"2",), (b"3",), (b"4",)]
    assert readable.calls == 1
