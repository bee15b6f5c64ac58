"""IdentityRouter, without an event loop: routing ids, duplicates, handover, mandatory."""

from __future__ import annotations

import pytest

from aiomq import EHOSTUNREACH, Again, ZMQError
from aiomq._pipe import MessageQueue, Pipe
from aiomq._routing import IdentityRouter


def make_pipe(identity: bytes = b"", *, hwm: int = 10, handshaken: bool = True) -> Pipe:
    """A pipe as a listener attaches it: after the handshake, with the peer's Identity."""
    return Pipe(
        MessageQueue(hwm),
        MessageQueue(hwm),
        peer_socket_type="DEALER" if handshaken else "",
        peer_identity=identity,
    )


class Recorder:
    def __init__(self) -> None:
        self.woken = 0
        self.evicted: list[Pipe] = []

    def wake(self) -> None:
        self.woken += 1

    def evict(self, pipe: Pipe) -> None:
        self.evicted.append(pipe)


def make_router(first_id: int = 0x10) -> tuple[IdentityRouter, Recorder]:
    recorder = Recorder()
    return IdentityRouter(recorder.wake, recorder.evict, first_id=first_id), recorder


def test_peer_supplied_identity_is_the_routing_id() -> None:
    router, _ = make_router()
    pipe = make_pipe(b"alice")
    assert router.attach(pipe)
    assert pipe.routing_id == b"alice"
    assert router.lookup(b"alice") is pipe
    router.send_nowait((b"alice", b"hello", b"world"))
    assert pipe.outbound.pop_all() == [(b"hello", b"world")]


def test_generated_ids_are_zero_byte_plus_big_endian_counter() -> None:
    router, _ = make_router(first_id=0xFFFFFFFE)
    pipes = [make_pipe() for _ in range(3)]
    for pipe in pipes:
        assert router.attach(pipe)
    assert [pipe.routing_id for pipe in pipes] == [
        b"\x00\xff\xff\xff\xfe",
        b"\x00\xff\xff\xff\xff",
        b"\x00\x00\x00\x00\x00",  # the counter wraps around
    ]
    assert sorted(router.routing_ids) == sorted(pipe.routing_id for pipe in pipes)


def test_generated_ids_start_at_a_random_value() -> None:
    firsts = set()
    for _ in range(8):
        router = IdentityRouter(lambda: None, lambda pipe: None)
        pipe = make_pipe()
        router.attach(pipe)
        assert len(pipe.routing_id) == 5
        assert pipe.routing_id[0] == 0
        firsts.add(pipe.routing_id)
    assert len(firsts) > 1


def test_connect_routing_id_wins_over_the_peer_identity() -> None:
    router, _ = make_router()
    pipe = make_pipe(b"peer-says", handshaken=False)
    pipe.routing_id = b"we-say"  # CONNECT_ROUTING_ID, preset by the link
    assert router.attach(pipe)
    assert router.lookup(b"we-say") is pipe
    assert router.lookup(b"peer-says") is None


def test_duplicate_identity_is_refused_without_handover() -> None:
    router, recorder = make_router()
    first, second = make_pipe(b"same"), make_pipe(b"same")
    assert router.attach(first)
    assert not router.attach(second)
    assert router.lookup(b"same") is first
    assert second.routing_id == b""
    assert recorder.evicted == []


def test_handover_gives_the_id_to_the_new_peer_and_evicts_the_old() -> None:
    router, recorder = make_router(first_id=7)
    router.handover = True
    old, new = make_pipe(b"same"), make_pipe(b"same")
    router.attach(old)
    assert router.attach(new)
    assert router.lookup(b"same") is new
    assert recorder.evicted == [old]
    # The old pipe is renamed (what it still holds is delivered under the new name).
    assert old.routing_id == b"\x00\x00\x00\x00\x07"
    router.detach(old)  # the socket detaches it; the new peer keeps the id
    assert router.lookup(b"same") is new


def test_anonymous_pipe_is_identified_after_its_handshake() -> None:
    router, _ = make_router(first_id=1)
    pipe = make_pipe(handshaken=False)
    assert router.attach(pipe)
    assert pipe.routing_id == b""
    assert not router.identify(pipe)  # still no handshake
    pipe.peer_socket_type = "ROUTER"
    pipe.peer_identity = b"server"
    assert router.identify(pipe)
    assert router.lookup(b"server") is pipe
    assert router.identify(pipe)  # idempotent


def test_lookup_identifies_pending_pipes() -> None:
    router, _ = make_router()
    pipe = make_pipe(handshaken=False)
    router.attach(pipe)
    pipe.peer_socket_type = "DEALER"
    pipe.peer_identity = b"late"
    router.send_nowait((b"late", b"x"))
    assert pipe.outbound.pop_all() == [(b"x",)]


def test_anonymous_pipe_with_a_taken_id_stays_anonymous() -> None:
    router, _ = make_router()
    router.attach(make_pipe(b"taken"))
    pipe = make_pipe(handshaken=False)
    router.attach(pipe)
    pipe.peer_socket_type, pipe.peer_identity = "DEALER", b"taken"
    assert not router.identify(pipe)
    assert router.lookup(b"taken") is not pipe


def test_unknown_id_is_dropped_or_unreachable_with_mandatory() -> None:
    router, _ = make_router()
    router.send_nowait((b"nobody", b"x"))  # dropped silently
    router.mandatory = True
    with pytest.raises(ZMQError) as info:
        router.send_nowait((b"nobody", b"x"))
    assert info.value.errno == EHOSTUNREACH
    with pytest.raises(ZMQError):
        router.require(b"nobody")


def test_full_pipe_drops_or_raises_again_with_mandatory() -> None:
    router, _ = make_router()
    pipe = make_pipe(b"slow", hwm=1)
    router.attach(pipe)
    router.send_nowait((b"slow", b"1"))
    router.send_nowait((b"slow", b"2"))  # dropped
    assert len(pipe.outbound) == 1
    router.mandatory = True
    with pytest.raises(Again):
        router.send_nowait((b"slow", b"3"))
    assert pipe.outbound.pop_all() == [(b"1",)]
    router.send_nowait((b"slow", b"4"))
    assert pipe.outbound.pop_all() == [(b"4",)]


def test_a_lone_routing_id_frame_is_dropped_even_with_mandatory() -> None:
    router, _ = make_router()
    router.mandatory = True
    pipe = make_pipe(b"p")
    router.attach(pipe)
    router.send_nowait((b"p",))
    router.send_nowait((b"nobody",))
    assert len(pipe.outbound) == 0


def test_terminate_frees_the_id_at_once_and_wakes_senders() -> None:
    router, recorder = make_router()
    old = make_pipe(b"back")
    router.attach(old)
    before = recorder.woken
    router.terminate(old)
    assert recorder.woken == before + 1
    assert router.lookup(b"back") is None
    assert old.routing_id == b"back"  # its remaining messages still carry it
    again = make_pipe(b"back")
    assert router.attach(again)
    router.detach(old)  # draining finished later: must not drop the new peer
    assert router.lookup(b"back") is again


def test_pipe_drain_wakes_the_writer() -> None:
    router, recorder = make_router()
    pipe = make_pipe(b"p", hwm=1)
    router.attach(pipe)
    router.send_nowait((b"p", b"1"))
    before = recorder.woken
    pipe.outbound.pop()
    assert recorder.woken == before + 1
