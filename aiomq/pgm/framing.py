"""libzmq's framing of messages inside PGM APDUs (PGM-NOTES.md §3).

Each ODATA carries one APDU: a 2-byte big-endian *offset*, then a slice of one
continuous per-source byte stream of ZMTP/1.0 frames. The offset counts from byte 2 to
the first frame in the APDU that starts a new message, or is 0xFFFF if none does; it may
equal the data length when a message ends exactly at the end of the APDU.

A ZMTP/1.0 frame is ``length flags body`` where ``length`` = body length + 1 (it counts
the flags byte), one byte if at most 254, else 0xFF and a 64-bit big-endian value;
``flags`` bit 0 is MORE.

``ApduPacker`` cuts the stream like libzmq's ``pgm_sender_t::out_event``;
``StreamDecoder`` reassembles it like ``pgm_receiver_t::in_event`` with a
``v1_decoder_t``, including the join-at-offset logic for late joins and after loss.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

__all__ = [
    "MAX_APDU_EPGM",
    "ApduPacker",
    "StreamDecoder",
    "max_apdu",
]

MAX_APDU_EPGM = 1428
"""APDU limit for MULTICAST_MAXTPDU 1500 over epgm/IPv4: 2-byte offset + 1426 stream bytes."""

_PGM_OVERHEAD = 44  # PGM header 16 + data header 8 + OPT_LENGTH/OPT_FRAGMENT room 20
_NO_OFFSET = 0xFFFF
_MORE = 0x01
_SHORT_MAX = 254  # largest length byte (body + 1) of the short form
_LONG_MARK = 0xFF
_MAX_LONG = (1 << 63) - 1


def max_apdu(max_tpdu: int, raw: bool) -> int:
    """The largest APDU libzmq sends for a given ``ZMQ_MULTICAST_MAXTPDU`` (IPv4).

    Args:
        max_tpdu: The maximum TPDU, IP and UDP headers included (1500 by default).
        raw: True for ``pgm://`` (IP header only), False for ``epgm://`` (IP + UDP).

    Returns:
        ``max_tpdu - (20 if raw else 28) - 44``: 1428 for epgm, 1436 for pgm at 1500.
    """
    return max_tpdu - (20 if raw else 28) - _PGM_OVERHEAD


def _frame_header(body_length: int, more: bool) -> bytes:
    length = body_length + 1
    flags = _MORE if more else 0
    if length <= _SHORT_MAX:
        return bytes((length, flags))
    return bytes((_LONG_MARK,)) + length.to_bytes(8, "big") + bytes((flags,))


class ApduPacker:
    """Cut whole messages into APDUs exactly as a libzmq PUB does.

    Messages are ZMTP/1.0-encoded into one stream. ``pop`` fills an APDU first with
    the unfinished rest of the current frame, then with further frames while there is
    room, and records the offset of the first message that starts in it. It never waits
    to fill an APDU. Every APDU is 3 to ``max_apdu`` bytes long (never empty, never a
    lone offset), and its offset is at most the data length or 0xFFFF: the shapes a
    libzmq 4.3.4 SUB survives.
    """

    __slots__ = ("_frames", "_max_data", "_more", "_pieces", "pending_bytes")

    def __init__(self, max_apdu: int = MAX_APDU_EPGM) -> None:
        """Create an empty packer.

        Args:
            max_apdu: The largest APDU to produce, offset included (at least 3);
                see ``max_apdu``.

        Raises:
            ValueError: ``max_apdu`` below 3 or above 65537 (the offset is 16 bits).
        """
        if not 3 <= max_apdu <= _NO_OFFSET + 2:
            raise ValueError(f"max_apdu must be in 3..65537, not {max_apdu}")
        self._max_data = max_apdu - 2
        # Frames not yet started: (header, body, more).
        self._frames: deque[tuple[bytes, bytes, bool]] = deque()
        # Unsent rest of the frame being encoded, as pieces.
        self._pieces: deque[memoryview] = deque()
        # MORE flag of the last frame taken from the queue (libzmq's more_flag).
        self._more = False
        self.pending_bytes = 0
        """Encoded stream bytes waiting to be popped."""

    def push(self, message: Sequence[bytes]) -> None:
        """Queue one whole message.

        Args:
            message: Its frames (at least one); each is copied.

        Raises:
            ValueError: The message has no frame.
        """
        if not message:
            raise ValueError("a message has at least one frame")
        last = len(message) - 1
        for index, frame in enumerate(message):
            body = bytes(frame)
            header = _frame_header(len(body), index < last)
            self._frames.append((header, body, index < last))
            self.pending_bytes += len(header) + len(body)

    def pending(self) -> bool:
        """Whether stream bytes are waiting to be popped."""
        return bool(self._pieces or self._frames)

    def pop(self) -> bytes | None:
        """Take the next APDU.

        Returns:
            Offset (2 bytes) plus at most ``max_apdu - 2`` stream bytes, or ``None`` if
            nothing is pending.
        """
        room = self._max_data
        out = bytearray(2)
        offset = _NO_OFFSET
        self._drain(out, room)
        while len(out) - 2 < room:
            if not self._more and offset == _NO_OFFSET:
                offset = len(out) - 2
            if not self._frames:
                break
            header, body, more = self._frames.popleft()
            self._more = more
            self._pieces.append(memoryview(header))
            if body:
                self._pieces.append(memoryview(body))
            self._drain(out, room)
        if len(out) == 2:
            return None
        self.pending_bytes -= len(out) - 2
        out[0] = offset >> 8
        out[1] = offset & 0xFF
        return bytes(out)

    def _drain(self, out: bytearray, room: int) -> None:
        pieces = self._pieces
        while pieces:
            space = room - (len(out) - 2)
            if space <= 0:
                return
            piece = pieces[0]
            if len(piece) <= space:
                out += piece
                pieces.popleft()
            else:
                out += piece[:space]
                pieces[0] = piece[space:]
                return


class StreamDecoder:
    """Reassemble one source's (TSI's) messages from its APDUs, in sqn order.

    Unjoined, it skips APDUs whose offset is 0xFFFF and joins at the first other one,
    decoding from that offset; joined, it decodes every byte and ignores offsets. A
    malformed APDU (shorter than 2 bytes, offset beyond the data while unjoined, a bad
    ZMTP/1.0 frame, a frame over ``max_msg_size``) discards the partial message, counts
    an error and unjoins; so does ``reset`` on unrecoverable loss. A partial message
    is never delivered.

    Attributes:
        joined: Whether decoding is synchronised with the stream.
        errors: How many malformed APDUs were seen.
    """

    __slots__ = (
        "_body",
        "_flags",
        "_frames",
        "_header",
        "_max_msg_size",
        "_need",
        "_state",
        "errors",
        "joined",
    )

    # Decoder states: what the bytes being collected are.
    _LENGTH, _LONG, _FLAGS, _BODY = range(4)

    def __init__(self, max_msg_size: int = -1) -> None:
        """Create an unjoined decoder.

        Args:
            max_msg_size: Largest frame body accepted (``ZMQ_MAXMSGSIZE``, enforced per
                frame as libzmq's v1 decoder does); negative for no limit.
        """
        self._max_msg_size = max_msg_size
        self.joined = False
        self.errors = 0
        self._frames: list[bytes] = []
        self._state = self._LENGTH
        self._header = bytearray()
        self._body = bytearray()
        self._need = 0
        self._flags = 0

    def reset(self) -> None:
        """Forget the partial message and unjoin (after unrecoverable loss).

        Decoding resumes at the next APDU whose offset is not 0xFFFF.
        """
        self.joined = False
        self._frames = []
        self._state = self._LENGTH
        self._header = bytearray()
        self._body = bytearray()
        self._need = 0
        self._flags = 0

    def feed(self, apdu: bytes) -> list[tuple[bytes, ...]]:
        """Take the next APDU of the stream (in sqn order).

        Args:
            apdu: The ODATA/RDATA payload.

        Returns:
            The messages this APDU completed, in order (also those completed before an
            error in it).
        """
        done: list[tuple[bytes, ...]] = []
        if len(apdu) < 2:
            self._fail()
            return done
        view = memoryview(apdu)[2:]
        if not self.joined:
            offset = (apdu[0] << 8) | apdu[1]
            if offset == _NO_OFFSET:
                return done
            if offset > len(view):
                self._fail()
                return done
            view = view[offset:]
            self.joined = True
        if not self._decode(view, done):
            self._fail()
        return done

    def _fail(self) -> None:
        self.reset()
        self.errors += 1

    def _decode(self, view: memoryview, done: list[tuple[bytes, ...]]) -> bool:
        """Run the ZMTP/1.0 decoder over ``view``; False on a protocol error."""
        pos, end = 0, len(view)
        while pos < end:
            state = self._state
            if state == self._BODY:
                take = min(self._need - len(self._body), end - pos)
                self._body += view[pos : pos + take]
                pos += take
                if len(self._body) == self._need:
                    self._end_frame(done)
            elif state == self._LENGTH:
                length = view[pos]
                pos += 1
                if length == _LONG_MARK:
                    self._state = self._LONG
                elif not self._start_frame(length):
                    return False
            elif state == self._LONG:
                take = min(8 - len(self._header), end - pos)
                self._header += view[pos : pos + take]
                pos += take
                if len(self._header) == 8:
                    length = int.from_bytes(self._header, "big")
                    self._header = bytearray()
                    if length > _MAX_LONG or not self._start_frame(length):
                        return False
            else:  # _FLAGS
                self._flags = view[pos]
                pos += 1
                if self._need:
                    self._state = self._BODY
                else:
                    self._end_frame(done)
        return True

    def _start_frame(self, length: int) -> bool:
        """Check a frame length (body + 1); then expect the flags byte."""
        if length == 0:
            return False
        if 0 <= self._max_msg_size < length - 1:
            return False
        self._need = length - 1
        self._state = self._FLAGS
        return True

    def _end_frame(self, done: list[tuple[bytes, ...]]) -> None:
        self._frames.append(bytes(self._body))
        self._body = bytearray()
        self._state = self._LENGTH
        if not self._flags & _MORE:
            done.append(tuple(self._frames))
            self._frames = []
