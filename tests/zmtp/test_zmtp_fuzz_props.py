"""Hypothesis fuzzing of the codec beyond test_zmtp_properties.py: a stateful machine
feeding valid and invalid chunks to a Connection, and properties of the greeting,
frame-header, command and metadata parsers on arbitrary input."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from zmtp_helpers import command, frame, greeting, message_frames, prop, ready

from aiomq.zmtp import (
    Cancel,
    Connection,
    Event,
    HandshakeComplete,
    Message,
    PeerError,
    Ping,
    Pong,
    ProtocolError,
    Subscribe,
)
from aiomq.zmtp.commands import encode_metadata, parse_command, parse_metadata
from aiomq.zmtp.greeting import check_prefix

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_LIMIT = 4096

_frame_st = st.one_of(st.binary(max_size=16), st.sampled_from([b"x" * 255, b"y" * 256, b"z" * 700]))
_message_st = st.lists(_frame_st, min_size=1, max_size=4).map(tuple)


class CodecMachine(RuleBasedStateMachine):
    """A peer writes messages, commands, garbage and ERROR onto a wire; the wire reaches
    a PULL Connection in random chunks. Invariants: only ProtocolError is raised, and
    only after garbage; a dead connection stays dead; HandshakeComplete comes first and
    once; nothing follows PeerError; the clean messages arrive exactly as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.conn = Connection(socket_type="PULL", max_message_size=_LIMIT)
        self.conn.initiate()
        self.wire = bytearray()
        self.sent: list[Message] = []  # messages written before any garbage or ERROR
        self.pings = 0
        self.got: list[Message] = []
        self.got_pings = 0
        self.events: list[Event] = []
        self.tainted = False  # garbage or an oversized frame is on the wire
        self.ended = False  # an ERROR is on the wire (before any garbage)
        self.failed = False

    @initialize(
        minor=st.sampled_from([0, 1]),
        major=st.sampled_from([3, 4]),
        pad=st.binary(max_size=60),
    )
    def handshake(self, minor: int, major: int, pad: bytes) -> None:
        self.wire += greeting(major=major, minor=minor, padding=b"\x07" * 8)
        self.wire += ready((b"Socket-Type", b"PUSH"), (b"X-Pad", pad))

    def _clean(self) -> bool:
        return not self.tainted and not self.ended

    @rule(message=_message_st)
    def peer_sends_message(self, message: Message) -> None:
        self.wire += message_frames(message)
        if self._clean():
            self.sent.append(message)

    @rule(context=st.binary(max_size=20), ttl=st.integers(0, 0xFFFF))
    def peer_sends_ping(self, context: bytes, ttl: int) -> None:
        self.wire += command(b"PING", ttl.to_bytes(2, "big") + context)
        if self._clean():
            self.pings += 1

    @rule(
        name=st.sampled_from([b"PONG", b"SUBSCRIBE", b"CANCEL", b"READY", b"X-UNKNOWN"]),
        data=st.binary(max_size=300),
    )
    def peer_sends_command(self, name: bytes, data: bytes) -> None:
        self.wire += command(name, data)

    @rule(reason=st.binary(max_size=40))
    def peer_sends_error(self, reason: bytes) -> None:
        self.wire += command(b"ERROR", bytes((len(reason),)) + reason)
        self.ended = True

    @rule(junk=st.binary(min_size=1, max_size=40))
    def peer_sends_garbage(self, junk: bytes) -> None:
        self.wire += junk
        self.tainted = True

    @rule(flags=st.sampled_from([0x00, 0x01, 0x02, 0x03]))
    def peer_sends_oversized(self, flags: int) -> None:
        self.wire += frame(flags, b"o" * (_LIMIT + 1))
        self.tainted = True

    @rule(size=st.integers(1, 2000))
    def deliver(self, size: int) -> None:
        chunk = bytes(self.wire[:size])
        del self.wire[:size]
        self._feed(chunk)

    @precondition(lambda self: len(self.wire) > 0)
    @rule()
    def deliver_bytewise(self) -> None:
        data = bytes(self.wire[:80])
        del self.wire[:80]
        for i in range(len(data)):
            self._feed(data[i : i + 1])

    def _feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self.failed:
            try:
                self.conn.receive_data(chunk)
            except ProtocolError:
                return
            raise AssertionError("a dead connection accepted data")
        try:
            events = self.conn.receive_data(chunk)
        except ProtocolError as exc:
            if not self.tainted:
                raise AssertionError("ProtocolError on valid input") from exc
            if not self.conn.closed:
                raise AssertionError("ProtocolError left the connection open") from exc
            self.failed = True
            events = exc.events
        self.conn.data_to_send()
        for event in events:
            self._record(event)

    def _record(self, event: Event) -> None:
        if not self.events:
            assert isinstance(event, HandshakeComplete)
            assert event.peer_socket_type == "PUSH"
        else:
            assert not isinstance(event, HandshakeComplete), "second HandshakeComplete"
            assert not isinstance(self.events[-1], PeerError), "event after PeerError"
        self.events.append(event)
        if type(event) is tuple:
            self.got.append(event)
        elif isinstance(event, Ping):
            self.got_pings += 1
        else:
            assert isinstance(event, HandshakeComplete | PeerError | Pong | Subscribe | Cancel)

    @invariant()
    def clean_messages_arrive_exactly(self) -> None:
        shared = min(len(self.got), len(self.sent))
        assert self.got[:shared] == self.sent[:shared]
        if self._clean() and not self.wire:
            assert self.got == self.sent
            assert self.got_pings == self.pings
            assert self.conn.handshake_complete
            assert not self.conn.closed

    @invariant()
    def peer_error_closes(self) -> None:
        if self.events and isinstance(self.events[-1], PeerError):
            assert self.conn.closed


TestCodecMachine = CodecMachine.TestCase
TestCodecMachine.settings = settings(
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# -- parsers on arbitrary input -----------------------------------------------------------


@FAST
@given(st.binary(max_size=11))
def test_greeting_prefix_check(prefix: bytes) -> None:
    ok = (
        (not prefix or prefix[0] == 0xFF)
        and (len(prefix) < 10 or prefix[9] & 1 == 1)
        and (len(prefix) < 11 or prefix[10] >= 3)
    )
    try:
        check_prefix(prefix)
    except ProtocolError:
        assert not ok
    else:
        assert ok


@FAST
@given(st.binary(max_size=64), st.binary(max_size=64))
def test_any_greeting_raises_only_protocol_error(head: bytes, tail: bytes) -> None:
    conn = Connection(socket_type="PULL")
    try:
        events = conn.receive_data(b"\xff" + head[:8] + b"\x7f" + tail)
    except ProtocolError:
        assert conn.closed
        return
    assert events == []


@FAST
@given(st.binary(max_size=300))
def test_parse_command_only_protocol_error(body: bytes) -> None:
    try:
        name, data = parse_command(body)
    except ProtocolError:
        assert not body or body[0] == 0 or body[0] + 1 > len(body)
        return
    assert bytes((len(name),)) + name + data == body


_name_st = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+",
    min_size=1,
    max_size=40,
)


@FAST
@given(st.dictionaries(_name_st, st.binary(max_size=300), max_size=6))
def test_metadata_round_trip(props: dict[str, bytes]) -> None:
    assert parse_metadata(encode_metadata(props.items())) == props


@FAST
@given(st.binary(max_size=300))
def test_parse_metadata_only_protocol_error(data: bytes) -> None:
    try:
        props = parse_metadata(data)
    except ProtocolError:
        return
    assert sum(1 + len(n) + 4 + len(v) for n, v in props.items()) <= len(data)


@FAST
@given(
    st.integers(0, 2**32 - 1),
    st.binary(max_size=50),
    st.sampled_from([b"Socket-Type", b"X-A", b"Identity"]),
)
def test_declared_property_length_never_trusted(declared: int, value: bytes, name: bytes) -> None:
    data = bytes((len(name),)) + name + declared.to_bytes(4, "big") + value
    try:
        props = parse_metadata(data)
    except ProtocolError:
        # Overrun, or the octets after a short value are no valid property.
        assert declared != len(value)
        return
    assert declared <= len(value)
    assert props[name.decode()] == value[:declared]


@FAST
@given(
    st.integers(0, 2**64 - 1),
    st.sampled_from([0x02, 0x03, 0x06, 0x07, 0x0A, 0xFA]),
    st.integers(-1, 2**20),
)
def test_long_frame_header_any_size(size: int, flags: int, limit: int) -> None:
    conn = Connection(socket_type="PULL", max_message_size=limit)
    conn.receive_data(greeting() + ready((b"Socket-Type", b"PUSH")))
    header = bytes((flags,)) + size.to_bytes(8, "big")
    is_command = bool(flags & 0x04)
    bounded = limit >= 0 and size > limit
    should_fail = size >= 2**63 or bounded or (is_command and (flags & 0x01 or size == 0))
    try:
        events = conn.receive_data(header)
    except ProtocolError:
        assert should_fail
        assert conn.closed
        return
    assert not should_fail
    if size == 0 and not is_command and not flags & 0x01:
        assert events == [(b"",)]
    else:
        assert events == []


@FAST
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=12), st.binary(max_size=30)), max_size=5))
def test_ready_with_arbitrary_properties(props: list[tuple[bytes, bytes]]) -> None:
    assume(all(n != b"Socket-Type" for n, _ in props))
    conn = Connection(socket_type="PULL", peer_types=frozenset({"PUSH"}))
    body = prop(b"Socket-Type", b"PUSH") + b"".join(prop(n, v) for n, v in props)
    try:
        events = conn.receive_data(greeting() + command(b"READY", body))
    except ProtocolError:
        # Only a non-ASCII name can spoil it (Socket-Type is found by its exact name).
        assert any(not n.isascii() for n, _ in props)
        return
    assert isinstance(events[0], HandshakeComplete)
