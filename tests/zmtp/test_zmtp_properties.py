"""Hypothesis property tests of the codec: round trips, split invariance, garbage."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zmtp_helpers import command, connected_pair, frame, greeting, message_frames, ready

from aiomq.zmtp import Connection, Event, HandshakeComplete, Message, ProtocolError

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_sizes = st.one_of(
    st.integers(0, 20),
    st.sampled_from([254, 255, 256, 257, 300, 511]),
)
frames_st = _sizes.flatmap(lambda n: st.binary(min_size=n, max_size=n))
messages_st = st.lists(
    st.lists(frames_st, min_size=1, max_size=4).map(tuple), min_size=0, max_size=8
)


@FAST
@given(messages_st, st.booleans())
def test_round_trip(messages: list[Message], batch: bool) -> None:
    a, b = connected_pair("PUSH", "PULL")
    if batch:
        a.send_messages(messages)
    else:
        for message in messages:
            a.send_message(list(message))
    wire = a.data_to_send()
    assert wire == b"".join(message_frames(m) for m in messages)
    assert b.receive_data(wire) == messages


def _long_form_message(frames: list[bytes]) -> bytes:
    last = len(frames) - 1
    return b"".join(frame(1 if i < last else 0, f, long=True) for i, f in enumerate(frames))


# A full peer stream: greeting, READY, then a mix of messages and commands.
_command_st = st.one_of(
    st.binary(max_size=16).map(lambda c: command(b"PING", b"\x00\x0a" + c)),
    st.binary(max_size=8).map(lambda c: command(b"PONG", c)),
    st.binary(max_size=8).map(lambda t: command(b"SUBSCRIBE", t)),
    st.binary(max_size=8).map(lambda t: command(b"CANCEL", t)),
    st.binary(max_size=300).map(lambda d: command(b"UNKNOWN", d)),
)
_item_st = st.one_of(
    messages_st.map(lambda ms: b"".join(message_frames(m) for m in ms)),
    _command_st,
    st.lists(st.binary(max_size=300), min_size=1, max_size=3).map(_long_form_message),
)
stream_st = st.lists(_item_st, max_size=6).map(
    lambda items: (
        greeting(minor=1)
        + ready((b"Socket-Type", b"PUSH"), (b"X-Pad", b"p" * 40))
        + b"".join(items)
    )
)


def _feed(chunks: list[bytes]) -> tuple[list[Event], bytes]:
    conn = Connection(socket_type="PULL")
    conn.initiate()
    events: list[Event] = []
    out = []
    for chunk in chunks:
        events += conn.receive_data(chunk)
        out.append(conn.data_to_send())
    return events, b"".join(out)


@FAST
@given(stream_st, st.lists(st.integers(0, 10_000), max_size=20))
def test_split_invariance(stream: bytes, cuts: list[int]) -> None:
    whole = _feed([stream])
    bytewise = _feed([stream[i : i + 1] for i in range(len(stream))])
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    split = _feed([stream[i:j] for i, j in itertools.pairwise(points)])
    assert bytewise == whole
    assert split == whole
    assert isinstance(whole[0][0], HandshakeComplete)


def _garbage_ok(chunks: list[bytes]) -> None:
    conn = Connection(socket_type="PULL", max_message_size=4096)
    conn.initiate()
    try:
        for chunk in chunks:
            conn.receive_data(chunk)
            conn.data_to_send()
    except ProtocolError:
        assert conn.closed
        try:
            conn.receive_data(b"x")
        except ProtocolError:
            pass
        else:
            raise AssertionError("a dead connection accepted data") from None


@FAST
@given(st.binary(max_size=200), st.integers(1, 64))
def test_garbage_instead_of_greeting(junk: bytes, step: int) -> None:
    _garbage_ok([junk[i : i + step] for i in range(0, len(junk), step)])


@FAST
@given(st.integers(0, 64), st.binary(max_size=300), st.integers(1, 64))
def test_garbage_inside_or_after_greeting(keep: int, junk: bytes, step: int) -> None:
    data = greeting()[:keep] + junk
    _garbage_ok([data[i : i + step] for i in range(0, len(data), step)])


@FAST
@given(st.binary(max_size=400), st.integers(1, 64))
def test_garbage_after_handshake(junk: bytes, step: int) -> None:
    data = greeting() + ready((b"Socket-Type", b"PUSH")) + junk
    _garbage_ok([data[i : i + step] for i in range(0, len(data), step)])


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_garbage_frames_with_valid_headers(junk: bytes) -> None:
    # Bias toward plausible frames: random flags over random bodies.
    data = greeting() + ready((b"Socket-Type", b"PUSH"))
    for i in range(0, len(junk), 7):
        piece = junk[i : i + 7]
        data += bytes((piece[0] & 0x07, len(piece) - 1)) + piece[1:]
    _garbage_ok([data])
