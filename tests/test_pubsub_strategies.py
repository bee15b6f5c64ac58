"""Publish-subscribe strategies without an event loop: Distributor, Publisher, Subscriber,
and the conflating queue."""

from __future__ import annotations

import pytest
from _pipe_helpers import Counter, make_pipe

from aiomq import Again
from aiomq._pipe import ConflatingQueue, Message, MessageQueue, Subscription
from aiomq._routing import Distributor, Publisher, Subscriber


def sub(topic: bytes) -> Subscription:
    return Subscription.make(topic, subscribe=True)


def cancel(topic: bytes) -> Subscription:
    return Subscription.make(topic, subscribe=False)


def drain(queue: MessageQueue) -> list[Message]:
    return queue.pop_all()


# -- Distributor -----------------------------------------------------------------------


def test_distributor_fans_out_to_the_given_pipes_only() -> None:
    dist = Distributor(Counter())
    a, b, c = make_pipe(name="a"), make_pipe(name="b"), make_pipe(name="c")
    for pipe in (a, b, c):
        dist.attach(pipe)
    assert dist.send_nowait((b"m", b"2"), [a, c]) == 2
    assert drain(a.outbound) == [(b"m", b"2")]
    assert drain(b.outbound) == []
    assert drain(c.outbound) == [(b"m", b"2")]
    assert dist.send_to_all((b"all",)) == 3
    assert [len(pipe.outbound) for pipe in (a, b, c)] == [1, 1, 1]


def test_distributor_drops_for_a_full_pipe_and_never_raises() -> None:
    dist = Distributor(Counter())
    slow, fast = make_pipe(hwm=2), make_pipe(hwm=100)
    dist.attach(slow)
    dist.attach(fast)
    for n in range(10):
        dist.send_to_all((b"%d" % n,))
    assert drain(slow.outbound) == [(b"0",), (b"1",)]
    assert drain(fast.outbound) == [(b"%d" % n,) for n in range(10)]
    assert dist.writable


def test_distributor_nodrop_refuses_the_whole_message_when_one_pipe_is_full() -> None:
    woken = Counter()
    dist = Distributor(woken)
    full, roomy = make_pipe(hwm=1), make_pipe(hwm=10)
    dist.attach(full)
    dist.attach(roomy)
    dist.send_nowait((b"1",), [full, roomy], lossy=False)
    with pytest.raises(Again):
        dist.send_nowait((b"2",), [full, roomy], lossy=False)
    assert len(roomy.outbound) == 1  # nothing queued anywhere by the refused send
    dist.send_nowait((b"3",), [roomy], lossy=False)  # the full pipe does not match
    full.outbound.pop()
    assert woken.calls == 1  # the drained pipe woke the writer
    dist.send_nowait((b"2",), [full, roomy], lossy=False)
    assert drain(roomy.outbound) == [(b"1",), (b"3",), (b"2",)]


def test_distributor_forgets_detached_pipes() -> None:
    dist = Distributor(Counter())
    pipe = make_pipe()
    dist.attach(pipe)
    assert pipe in dist
    dist.terminate(pipe)
    dist.detach(pipe)
    assert pipe not in dist
    assert dist.send_to_all((b"x",)) == 0


# -- Publisher --------------------------------------------------------------------------


def xpub(**flags: object) -> tuple[Publisher, Counter]:
    readable = Counter()
    publisher = Publisher(readable, Counter(), deliver=True)
    for name, value in flags.items():
        setattr(publisher, name, value)
    return publisher, readable


def received(publisher: Publisher) -> list[Message]:
    out: list[Message] = []
    while True:
        try:
            out.append(publisher.recv_nowait())
        except Again:
            return out


def test_publisher_reads_subscriptions_as_they_arrive_and_filters() -> None:
    publisher, _ = xpub()
    a, b = make_pipe(), make_pipe()
    a.inbound.push(sub(b"A"))  # queued before the pipe is attached
    publisher.attach(a)
    publisher.attach(b)
    b.inbound.push(sub(b""))
    assert len(a.inbound) == len(b.inbound) == 0
    publisher.send_nowait((b"A1",))
    publisher.send_nowait((b"B1", b"more"))
    assert drain(a.outbound) == [(b"A1",)]
    assert drain(b.outbound) == [(b"A1",), (b"B1", b"more")]
    assert received(publisher) == [(b"\x01A",), (b"\x01",)]


def test_publisher_accepts_the_30_data_frame_form_too() -> None:
    publisher, _ = xpub()
    pipe = make_pipe()
    publisher.attach(pipe)
    pipe.inbound.push((b"\x01T",))  # a plain data message, as a ZMTP 3.0 SUB sends it
    publisher.send_nowait((b"T!",))
    pipe.inbound.push((b"\x00T",))
    publisher.send_nowait((b"T?",))
    assert drain(pipe.outbound) == [(b"T!",)]
    assert received(publisher) == [(b"\x01T",), (b"\x00T",)]


def test_pub_processes_subscriptions_but_delivers_nothing() -> None:
    readable = Counter()
    publisher = Publisher(readable, Counter(), deliver=False)
    pipe = make_pipe()
    publisher.attach(pipe)
    pipe.inbound.push(sub(b"x"))
    pipe.inbound.push((b"an upstream message",))
    assert len(pipe.inbound) == 0
    with pytest.raises(Again):
        publisher.recv_nowait()
    assert readable.calls == 0
    publisher.send_nowait((b"xy",))
    assert drain(pipe.outbound) == [(b"xy",)]


def test_per_pipe_subscriptions_are_a_set_as_in_libzmq() -> None:
    publisher, _ = xpub()
    pipe = make_pipe()
    publisher.attach(pipe)
    pipe.inbound.push_many([sub(b"A"), sub(b"A"), cancel(b"A")])
    publisher.send_nowait((b"A1",))
    assert drain(pipe.outbound) == []
    assert received(publisher) == [(b"\x01A",), (b"\x00A",)]


def test_unique_notifications_across_pipes() -> None:
    publisher, _ = xpub()
    a, b = make_pipe(), make_pipe()
    publisher.attach(a)
    publisher.attach(b)
    a.inbound.push(sub(b"T"))
    b.inbound.push(sub(b"T"))
    a.inbound.push(cancel(b"T"))
    b.inbound.push(cancel(b"T"))
    b.inbound.push(cancel(b"never"))  # libzmq reports an unknown cancel too
    assert received(publisher) == [(b"\x01T",), (b"\x00T",), (b"\x00never",)]


def test_verbose_and_verboser() -> None:
    publisher, _ = xpub(verbose_subs=True)
    a, b = make_pipe(), make_pipe()
    publisher.attach(a)
    publisher.attach(b)
    for pipe in (a, b):
        pipe.inbound.push(sub(b"T"))
    for pipe in (a, b):
        pipe.inbound.push(cancel(b"T"))
    assert received(publisher) == [(b"\x01T",), (b"\x01T",), (b"\x00T",)]
    publisher.verbose_unsubs = True
    for pipe in (a, b):
        pipe.inbound.push(sub(b"T"))
    for pipe in (a, b):
        pipe.inbound.push(cancel(b"T"))
    assert received(publisher) == [(b"\x01T",), (b"\x01T",), (b"\x00T",), (b"\x00T",)]


def test_detach_reports_unsubscriptions_for_topics_nobody_holds_any_more() -> None:
    publisher, _ = xpub()
    a, b = make_pipe(), make_pipe()
    publisher.attach(a)
    publisher.attach(b)
    a.inbound.push_many([sub(b"shared"), sub(b"z"), sub(b"")])
    b.inbound.push(sub(b"shared"))
    received(publisher)
    publisher.terminate(a)
    publisher.detach(a)
    assert received(publisher) == [(b"\x00",), (b"\x00z",)]
    publisher.send_nowait((b"shared!",))
    assert drain(a.outbound) == []
    assert drain(b.outbound) == [(b"shared!",)]
    a.inbound.push(sub(b""))  # a detached pipe is not read any more
    assert received(publisher) == []


def test_detach_with_verbose_unsubs_reports_every_topic_of_the_pipe() -> None:
    publisher, _ = xpub(verbose_unsubs=True)
    a, b = make_pipe(), make_pipe()
    publisher.attach(a)
    publisher.attach(b)
    a.inbound.push(sub(b"shared"))
    b.inbound.push(sub(b"shared"))
    received(publisher)
    publisher.detach(a)
    assert received(publisher) == [(b"\x00shared",)]


def test_upstream_messages_are_delivered_in_order_with_notifications() -> None:
    publisher, readable = xpub()
    pipe = make_pipe()
    publisher.attach(pipe)
    pipe.inbound.push_many([(b"hello", b"world"), sub(b"A"), (b"",), (b"bye",)])
    assert readable.calls == 1
    assert received(publisher) == [(b"hello", b"world"), (b"\x01A",), (b"",), (b"bye",)]


def test_multiframe_subscription_message_is_one_subscription_per_frame() -> None:
    publisher, _ = xpub()
    pipe = make_pipe()
    publisher.attach(pipe)
    pipe.inbound.push((b"\x01a", b"\x01b", b"ignored"))
    assert received(publisher) == [(b"\x01a",), (b"\x01b",)]


def test_manual_mode_applies_nothing_until_told() -> None:
    publisher, _ = xpub(manual=True)
    a, b = make_pipe(), make_pipe()
    publisher.attach(a)
    publisher.attach(b)
    a.inbound.push(sub(b"A"))
    b.inbound.push(sub(b"A"))
    publisher.send_nowait((b"A0",))
    assert drain(a.outbound) == drain(b.outbound) == []
    assert publisher.recv_nowait() == (b"\x01A",)
    assert publisher.last_pipe is a
    publisher.subscribe(b"A")
    assert publisher.recv_nowait() == (b"\x01A",)
    assert publisher.last_pipe is b
    publisher.subscribe(b"B")  # the application may rewrite the topic
    publisher.send_nowait((b"A1",))
    publisher.send_nowait((b"B1",))
    assert drain(a.outbound) == [(b"A1",)]
    assert drain(b.outbound) == [(b"B1",)]
    publisher.detach(a)
    assert received(publisher) == [(b"\x00A",)]
    assert publisher.last_pipe is None
    publisher.subscribe(b"C")  # no last pipe: ignored
    publisher.send_nowait((b"C1",))
    assert drain(b.outbound) == []


def test_welcome_message_goes_first_to_each_new_pipe() -> None:
    publisher, _ = xpub(welcome=b"hi")
    pipe = make_pipe(hwm=1)
    publisher.attach(pipe)
    assert drain(pipe.outbound) == [(b"hi",)]


def test_reconnected_pipe_starts_afresh_after_its_first_connection() -> None:
    publisher, _ = xpub(welcome=b"W")
    pipe = make_pipe()
    publisher.attach(pipe)
    publisher.reconnected(pipe)  # the first connection of a connecting pipe
    pipe.inbound.push(sub(b"old"))
    assert drain(pipe.outbound) == [(b"W",)]
    publisher.reconnected(pipe)  # a new peer behind the same pipe
    assert received(publisher) == [(b"\x01old",), (b"\x00old",)]
    assert drain(pipe.outbound) == [(b"W",)]
    publisher.send_nowait((b"old news",))
    assert drain(pipe.outbound) == []


def test_nodrop_publisher_raises_again_when_a_subscriber_is_full() -> None:
    publisher, _ = xpub(lossy=False)
    pipe = make_pipe(hwm=1)
    publisher.attach(pipe)
    pipe.inbound.push(sub(b""))
    publisher.send_nowait((b"1",))
    with pytest.raises(Again):
        publisher.send_nowait((b"2",))


# -- Subscriber -------------------------------------------------------------------------


def test_subscriber_sends_every_subscribe_and_only_the_last_cancel() -> None:
    subscriber = Subscriber(Counter(), Counter(), filtering=True)
    pipe = make_pipe(hwm=1)
    subscriber.attach(pipe)
    subscriber.subscribe(b"A")
    subscriber.subscribe(b"A")
    subscriber.unsubscribe(b"A")
    subscriber.unsubscribe(b"nothing")
    subscriber.unsubscribe(b"A")
    # Queued above the high-water mark of 1: subscriptions are never dropped.
    items = drain(pipe.outbound)
    assert items == [sub(b"A"), sub(b"A"), cancel(b"A")]
    assert all(type(item) is Subscription for item in items)


def test_subscriber_sends_each_topic_once_to_new_and_reconnected_pipes() -> None:
    subscriber = Subscriber(Counter(), Counter(), filtering=True)
    for topic in (b"b", b"a", b"a"):
        subscriber.subscribe(topic)
    pipe = make_pipe()
    subscriber.attach(pipe)
    assert drain(pipe.outbound) == [sub(b"a"), sub(b"b")]
    subscriber.unsubscribe(b"b")
    subscriber.resend(pipe)  # the first connection: the queue goes out as it is
    assert drain(pipe.outbound) == [cancel(b"b")]
    subscriber.subscribe(b"c")
    pipe.outbound.push((b"kept",))
    subscriber.unsubscribe(b"c")
    subscriber.resend(pipe)  # a reconnect: the new peer gets each topic once
    items = drain(pipe.outbound)
    assert items == [(b"kept",), sub(b"a")]
    assert [type(item) for item in items] == [tuple, Subscription]


def test_sub_filters_locally_and_xsub_does_not() -> None:
    for filtering, expected in ((True, [(b"A1",), (b"A2", b"x")]), (False, None)):
        subscriber = Subscriber(Counter(), Counter(), filtering=filtering)
        pipe = make_pipe()
        subscriber.attach(pipe)
        subscriber.subscribe(b"A")
        messages: list[Message] = [(b"A1",), (b"B1",), (b"A2", b"x"), (b"",)]
        pipe.inbound.push_many(messages)
        got: list[Message] = []
        while True:
            try:
                got.append(subscriber.recv_nowait())
            except Again:
                break
        assert got == (expected if expected is not None else messages)


def test_xsub_send_subscribes_or_forwards() -> None:
    subscriber = Subscriber(Counter(), Counter(), filtering=False)
    a, b = make_pipe(hwm=2), make_pipe(hwm=5)
    subscriber.attach(a)
    subscriber.attach(b)
    subscriber.send_nowait((b"\x01T",))
    subscriber.send_nowait((b"up", b"stream"))
    subscriber.send_nowait((b"dropped for a",))
    subscriber.send_nowait((b"\x00T",))
    assert drain(a.outbound) == [sub(b"T"), (b"up", b"stream"), cancel(b"T")]
    assert drain(b.outbound) == [
        sub(b"T"),
        (b"up", b"stream"),
        (b"dropped for a",),
        cancel(b"T"),
    ]
    assert list(subscriber.subscriptions) == []


# -- ConflatingQueue --------------------------------------------------------------------


def test_conflating_queue_keeps_the_newest_message_and_every_subscription() -> None:
    queue = ConflatingQueue()
    woken = Counter()
    queue.on_readable = woken
    queue.push((b"1",))
    queue.push(sub(b"A"))
    queue.push((b"2", b"whole"))
    queue.push_many([(b"3",), cancel(b"A"), (b"4",)])
    assert not queue.full
    queue.set_hwm(1)
    assert not queue.full
    assert woken.calls == 1
    assert queue.pop_all() == [sub(b"A"), cancel(b"A"), (b"4",)]
    queue.push((b"5",))
    assert woken.calls == 2
    assert queue.pop_all() == [(b"5",)]
