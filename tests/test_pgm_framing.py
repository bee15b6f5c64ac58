"""aiomq.pgm.framing: libzmq's APDU packing and the receiver's join/decode logic (notes §3)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiomq.pgm.framing import MAX_APDU_EPGM, ApduPacker, StreamDecoder, max_apdu

Message = tuple[bytes, ...]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def v1(message: Message) -> bytes:
    """Reference ZMTP/1.0 encoding, written out independently of the module under test."""
    out = b""
    for index, body in enumerate(message):
        flags = b"\x01" if index < len(message) - 1 else b"\x00"
        size = len(body) + 1
        out += (bytes([size]) if size < 255 else b"\xff" + size.to_bytes(8, "big")) + flags + body
    return out


def drain(packer: ApduPacker) -> list[bytes]:
    apdus = []
    while (apdu := packer.pop()) is not None:
        apdus.append(apdu)
    assert not packer.pending()
    return apdus


def pack(messages: list[Message], limit: int = MAX_APDU_EPGM) -> list[bytes]:
    packer = ApduPacker(limit)
    for message in messages:
        packer.push(message)
    return drain(packer)


def offset_of(apdu: bytes) -> int:
    return int.from_bytes(apdu[:2], "big")


# --------------------------------------------------------------------------- sizes


def test_max_apdu() -> None:
    assert max_apdu(1500, raw=False) == 1428 == MAX_APDU_EPGM
    assert max_apdu(1500, raw=True) == 1436
    assert max_apdu(9000, raw=False) == 8928


# --------------------------------------------------------------------------- notes' examples


@pytest.mark.parametrize(
    ("message", "apdu"),
    [
        ((b"hello",), h("0000 06 00 68656c6c6f")),
        ((b"topic", b"body"), h("0000 06 01 746f706963 05 00 626f6479")),
        ((b"y" * 253,), h("0000 fe 00") + b"y" * 253),
        ((b"y" * 254,), h("0000 ff 00000000000000ff 00") + b"y" * 254),
        ((b"",), h("0000 01 00")),
        ((b"", b""), h("0000 01 01 01 00")),
    ],
    ids=["hello", "topic-body", "253", "254", "empty", "two-empty-frames"],
)
def test_single_message_apdu(message: Message, apdu: bytes) -> None:
    assert pack([message]) == [apdu]
    decoder = StreamDecoder()
    assert decoder.feed(apdu) == [message]
    assert decoder.joined
    assert decoder.errors == 0


def test_3000_byte_message() -> None:
    """1428 / 1428 / 160 bytes with offsets 0x0000 / 0xFFFF / 0x009E (= data length)."""
    body = b"z" * 3000
    apdus = pack([(body,)])
    assert [len(a) for a in apdus] == [1428, 1428, 160]
    assert [a[:2] for a in apdus] == [h("0000"), h("ffff"), h("009e")]
    assert apdus[0][2:13] == h("ff 0000000000000bb9 00 7a")
    assert b"".join(a[2:] for a in apdus) == v1((body,))
    decoder = StreamDecoder()
    assert decoder.feed(apdus[0]) == []
    assert decoder.feed(apdus[1]) == []
    assert decoder.feed(apdus[2]) == [(body,)]


def test_pending_bytes_counts_the_encoded_stream() -> None:
    """3000-byte body: a 10-byte long header plus the body, popped 1426 + 1426 + 158."""
    packer = ApduPacker()
    packer.push([b"z" * 3000])
    assert packer.pending_bytes == 3010
    assert [len(packer.pop() or b"") - 2 for _ in range(3)] == [1426, 1426, 158]
    assert (packer.pending_bytes, packer.pending()) == (0, False)


def test_3000_byte_message_then_another_in_the_same_apdu() -> None:
    packer = ApduPacker()
    packer.push([b"z" * 3000])
    first, second = packer.pop(), packer.pop()
    assert first is not None
    assert second is not None
    packer.push([b"next"])
    third = packer.pop()
    assert third == h("009e") + b"z" * 158 + h("05 00") + b"next"
    assert packer.pop() is None


def test_five_back_to_back_messages() -> None:
    """libzmq sent the first at once, then batched the four queued meanwhile: 10 + 34 bytes."""
    names = [f"msg-0{i}".encode() for i in range(5)]
    packer = ApduPacker()
    packer.push([names[0]])
    first = packer.pop()
    for name in names[1:]:
        packer.push([name])
    second = packer.pop()
    assert packer.pop() is None
    assert first == h("0000 07 00") + names[0]
    assert second is not None
    assert len(first) == 10
    assert len(second) == 34
    assert second == h("0000") + b"".join(h("07 00") + name for name in names[1:])
    decoder = StreamDecoder()
    assert decoder.feed(first) + decoder.feed(second) == [(name,) for name in names]


def test_offset_skips_continuation_frames() -> None:
    packer = ApduPacker(12)  # 10 stream bytes per APDU
    packer.push([b"a" * 5, b"b" * 5])
    packer.push([b"c"])
    assert drain(packer) == [
        h("0000 06 01") + b"aaaaa" + h("06 00") + b"b",
        h("0004") + b"bbbb" + h("02 00") + b"c",
    ]


def test_offset_equals_length_after_a_continuation_frame() -> None:
    packer = ApduPacker(12)
    packer.push([b"a" * 12, b"b"])
    assert drain(packer) == [h("0000 0d 01") + b"a" * 8, h("0007") + b"aaaa" + h("02 00") + b"b"]


def test_message_ending_exactly_at_the_apdu_end() -> None:
    packer = ApduPacker(12)
    packer.push([b"x" * 8])
    assert packer.pop() == h("0000 09 00") + b"x" * 8
    assert packer.pop() is None
    packer.push([b"y"])
    assert packer.pop() == h("0000 02 00") + b"y"


def test_full_apdu_ending_at_message_end_then_no_offset() -> None:
    """A full APDU where a message ends exactly at the end but none starts: 0xFFFF."""
    packer = ApduPacker(12)
    packer.push([b"x" * 18])  # 20 stream bytes: 10 + 10
    assert drain(packer) == [h("0000 13 00") + b"x" * 8, h("ffff") + b"x" * 10]


def test_one_byte_tail_makes_a_three_byte_apdu() -> None:
    packer = ApduPacker(12)
    packer.push([b"x" * 9])  # 11 stream bytes
    apdus = drain(packer)
    assert apdus == [h("0000 0a 00") + b"x" * 8, h("0001") + b"x"]


def test_packer_edge_cases() -> None:
    packer = ApduPacker()
    assert not packer.pending()
    assert packer.pop() is None
    with pytest.raises(ValueError, match="frame"):
        packer.push([])
    packer.push([bytearray(b"ab"), memoryview(b"cd")])  # type: ignore[list-item]
    assert packer.pending()
    assert packer.pop() == h("0000 03 01") + b"ab" + h("03 00") + b"cd"
    for bad in (2, 0, 65538):
        with pytest.raises(ValueError, match="max_apdu"):
            ApduPacker(bad)


def test_packer_copies_frames() -> None:
    frame = bytearray(b"abc")
    packer = ApduPacker()
    packer.push([frame])  # type: ignore[list-item]
    frame[:] = b"xyz"
    assert packer.pop() == h("0000 04 00") + b"abc"


def test_minimum_apdu_size_packs_one_byte_each() -> None:
    apdus = pack([(b"ab",), (b"c",)], limit=3)
    assert apdus == [
        h("0000 03"),
        h("ffff 00"),
        h("ffff 61"),
        h("ffff 62"),
        h("0000 02"),
        h("ffff 00"),
        h("ffff 63"),
    ]
    decoder = StreamDecoder()
    assert [m for a in apdus for m in decoder.feed(a)] == [(b"ab",), (b"c",)]


# --------------------------------------------------------------------------- decoder


def test_join_skips_no_offset_apdus() -> None:
    body = b"z" * 3000
    apdus = pack([(body,), (b"after",)])
    assert [offset_of(a) for a in apdus] == [0, 0xFFFF, 0x9E]
    decoder = StreamDecoder()
    assert decoder.feed(apdus[1]) == []
    assert not decoder.joined
    assert decoder.feed(apdus[2]) == [(b"after",)]
    assert decoder.joined
    assert decoder.errors == 0


def test_join_at_offset_equal_to_length() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(h("0003") + b"abc") == []
    assert decoder.joined
    assert decoder.feed(h("0000 02 00 78")) == [(b"x",)]


def test_joined_decoder_ignores_offsets() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(h("0000 06 01") + b"to") == []
    assert decoder.feed(h("ffff") + b"pic" + h("02 00 21")) == [(b"topic", b"!")]
    assert decoder.feed(h("0005 02 00 61")) == [(b"a",)]  # offset beyond the data: ignored
    assert decoder.errors == 0


def test_long_form_for_a_short_body_is_accepted() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(h("0000 ff 0000000000000006 00") + b"hello") == [(b"hello",)]


def test_flag_bits_other_than_more_are_ignored() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(h("0000 02 fe 61 02 03 62 02 00 63")) == [(b"a",), (b"b", b"c")]


@pytest.mark.parametrize(
    "apdu",
    [
        b"",
        b"\x00",
        h("0004 02 00 61"),  # offset beyond the data while unjoined
        h("0000 00 00"),  # length byte 0
        h("0000 ff 0000000000000000 00"),  # long length 0
        h("0000 ff 8000000000000000 00"),  # long length beyond 2**63 - 1
    ],
)
def test_malformed_apdus(apdu: bytes) -> None:
    decoder = StreamDecoder()
    assert decoder.feed(apdu) == []
    assert decoder.errors == 1
    assert not decoder.joined


def test_error_returns_messages_before_it_and_drops_the_rest() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(h("0000 02 00 61 02 01 62 00 02 00 63")) == [(b"a",)]
    assert decoder.errors == 1
    assert not decoder.joined
    # The rest of the stream is ignored until the next offset.
    assert decoder.feed(h("ffff 02 00 64")) == []
    assert decoder.feed(h("0002 02 00 02 00 65")) == [(b"e",)]
    assert decoder.errors == 1


def test_max_msg_size_counts_the_body_per_frame() -> None:
    decoder = StreamDecoder(max_msg_size=5)
    assert decoder.feed(h("0000 06 01") + b"abcde" + h("06 00") + b"fghij") == [
        (b"abcde", b"fghij")
    ]
    assert decoder.feed(h("0000 07 00") + b"abcdef") == []
    assert decoder.errors == 1
    assert not decoder.joined
    long_form = h("0000 ff 0000000000000007 00") + b"abcdef"
    assert StreamDecoder(5).feed(long_form) == []
    assert StreamDecoder(6).feed(long_form) == [(b"abcdef",)]
    zero = StreamDecoder(0)
    assert zero.feed(h("0000 01 00 02 00 61")) == [(b"",)]
    assert zero.errors == 1


def test_reset_drops_the_partial_message() -> None:
    apdus = pack([(b"a" * 2000, b"b"), (b"c" * 2000,), (b"d",)])
    decoder = StreamDecoder()
    assert decoder.feed(apdus[0]) == []
    decoder.reset()
    assert not decoder.joined
    assert decoder.errors == 0
    out = [m for a in apdus[1:] for m in decoder.feed(a)]
    assert out == [(b"c" * 2000,), (b"d",)]


def test_decoder_accepts_bytes_like() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(bytearray(h("0000 02 00 61"))) == [(b"a",)]  # type: ignore[arg-type]
    frames = decoder.feed(memoryview(h("0000 02 00 62")))  # type: ignore[arg-type]
    assert frames == [(b"b",)]
    assert type(frames[0][0]) is bytes


# --------------------------------------------------------------------------- properties

frames = st.one_of(
    st.binary(max_size=8),
    st.binary(min_size=250, max_size=260),
    st.integers(0, 3000).map(lambda n: bytes(i & 0xFF for i in range(n))),
)
messages = st.lists(frames, min_size=1, max_size=4).map(tuple)
limits = st.one_of(st.integers(3, 40), st.sampled_from([300, MAX_APDU_EPGM]))


@dataclass
class Packed:
    """APDUs of a message list plus the model of where each message lies in the stream."""

    messages: list[Message]
    apdus: list[bytes]
    starts: list[int]  # stream position of each message
    ends: list[int]
    spans: list[tuple[int, int]]  # stream range of each APDU's data

    def delivered_from(self, first: int) -> list[Message]:
        """The messages an unjoined decoder delivers when fed APDUs first, first+1, ..."""
        for index in range(first, len(self.apdus)):
            offset = offset_of(self.apdus[index])
            if offset != 0xFFFF:
                position = self.spans[index][0] + offset
                return [m for m, s in zip(self.messages, self.starts, strict=True) if s >= position]
        return []

    def completed_by(self, count: int) -> list[Message]:
        """The messages whole within the first ``count`` APDUs."""
        end = self.spans[count - 1][1] if count else 0
        return [m for m, e in zip(self.messages, self.ends, strict=True) if e <= end]


@st.composite
def packed(draw: st.DrawFn) -> Packed:
    """Messages pushed in random interleavings with pops, as a live sender would."""
    msgs = draw(st.lists(messages, max_size=12))
    limit = draw(limits)
    packer = ApduPacker(limit)
    apdus: list[bytes] = []
    for message in msgs:
        packer.push(message)
        for _ in range(draw(st.integers(0, 3))):
            apdu = packer.pop()
            if apdu is not None:
                apdus.append(apdu)
    apdus += drain(packer)
    starts, ends, position = [], [], 0
    for message in msgs:
        starts.append(position)
        position += len(v1(message))
        ends.append(position)
    spans, position = [], 0
    for apdu in apdus:
        spans.append((position, position + len(apdu) - 2))
        position += len(apdu) - 2
    # Shape rules of notes §3.6 and the exact libzmq offset rule of §3.4.
    boundaries = set(starts) | set(ends)
    for apdu, (s, e) in zip(apdus, spans, strict=True):
        assert 3 <= len(apdu) <= limit
        inside = [p - s for p in starts if s <= p < e]
        if inside:
            expected = inside[0]
        elif e - s < limit - 2 and e in boundaries:
            expected = e - s
        else:
            expected = 0xFFFF
        assert offset_of(apdu) == expected
    assert b"".join(a[2:] for a in apdus) == b"".join(v1(m) for m in msgs)
    return Packed(list(msgs), apdus, starts, ends, spans)


@settings(max_examples=300)
@given(packed())
def test_round_trip(case: Packed) -> None:
    decoder = StreamDecoder()
    out = [m for a in case.apdus for m in decoder.feed(a)]
    assert out == case.messages
    assert decoder.errors == 0


@settings(max_examples=300)
@given(packed(), st.data())
def test_late_join_gets_a_suffix_of_whole_messages(case: Packed, data: st.DataObject) -> None:
    first = data.draw(st.integers(0, len(case.apdus)))
    decoder = StreamDecoder()
    out = [m for a in case.apdus[first:] for m in decoder.feed(a)]
    assert out == case.delivered_from(first)
    assert out == case.messages[len(case.messages) - len(out) :]
    assert decoder.errors == 0


@settings(max_examples=300)
@given(packed(), st.data())
def test_reset_after_loss_never_delivers_a_partial_message(
    case: Packed, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(case.apdus)))
    lost = data.draw(st.integers(0, len(case.apdus) - cut))
    decoder = StreamDecoder()
    before = [m for a in case.apdus[:cut] for m in decoder.feed(a)]
    decoder.reset()
    after = [m for a in case.apdus[cut + lost :] for m in decoder.feed(a)]
    assert before == case.completed_by(cut)
    assert after == case.delivered_from(cut + lost)
    assert decoder.errors == 0


@given(st.lists(st.binary(max_size=30), max_size=8), st.integers(-1, 20))
def test_decoder_never_crashes_on_garbage(apdus: list[bytes], limit: int) -> None:
    decoder = StreamDecoder(limit)
    for apdu in apdus:
        for message in decoder.feed(apdu):
            assert message
            assert all(type(frame) is bytes for frame in message)
            if limit >= 0:
                assert all(len(frame) <= limit for frame in message)
