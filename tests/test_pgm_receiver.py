"""The PGM receiver state machine: window, NAK back-off/repeat, NCF, loss, SPMR, expiry.

Times and intervals are chosen to be exact in binary floating point: back-off
``rand() * nak_bo_ivl`` = 0.5 * 1.0, NCF wait 2.0, RDATA wait 4.0, SPMR delay 0.25.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiomq.pgm.packets import Data, Datagram, Nak, Ncf, Spm, Spmr, Tsi, encode, parse
from aiomq.pgm.receiver import MAX_NAK_SQNS, Loss, Receiver

PORT = 5555
GROUP = "239.192.1.1"
NLA = "10.0.0.1"
SRC = "10.0.0.7"  # IP source of the source's datagrams (may differ from its NLA)
GSI = bytes.fromhex("b7c6d1bc038a")
TSI = Tsi(GSI, 0x8528)
NO_LEAD = 0xFFFFFFFF


# -- packet builders ---------------------------------------------------------------------


def frames(*parts: bytes) -> bytes:
    """ZMTP/1.0 frames of one message (the stream inside APDUs)."""
    out = bytearray()
    for i, body in enumerate(parts):
        more = 1 if i < len(parts) - 1 else 0
        if len(body) + 1 <= 254:
            out += bytes([len(body) + 1, more])
        else:
            out += b"\xff" + struct.pack(">Q", len(body) + 1) + bytes([more])
        out += body
    return bytes(out)


def apdu(data: bytes, offset: int = 0) -> bytes:
    return struct.pack(">H", offset) + data


def whole(text: bytes) -> bytes:
    """An APDU holding exactly one single-frame message."""
    return apdu(frames(text))


def odata(
    sqn: int,
    payload: bytes,
    *,
    trail: int = 0,
    tsi: Tsi = TSI,
    dport: int = PORT,
    repair: bool = False,
) -> bytes:
    return encode(Data(tsi=tsi, dport=dport, sqn=sqn, trail=trail, payload=payload, repair=repair))


def rdata(sqn: int, payload: bytes, *, trail: int = 0, tsi: Tsi = TSI) -> bytes:
    return odata(sqn, payload, trail=trail, tsi=tsi, repair=True)


def spm(
    sqn: int, *, lead: int, trail: int = 0, nla: str = NLA, tsi: Tsi = TSI, dport: int = PORT
) -> bytes:
    return encode(Spm(tsi=tsi, dport=dport, sqn=sqn, trail=trail, lead=lead, nla=nla))


def ncf(*sqns: int, tsi: Tsi = TSI, group: str = GROUP) -> bytes:
    return encode(Ncf(tsi=tsi, dport=PORT, sqns=sqns, source_nla=NLA, group_nla=group))


def nak(*sqns: int, tsi: Tsi = TSI, nla: str = NLA) -> Datagram:
    packet = Nak(tsi=tsi, sport=PORT, sqns=sqns, source_nla=nla, group_nla=GROUP)
    return Datagram(payload=encode(packet), address=nla, port=PORT)


def make(**overrides: object) -> Receiver:
    kwargs: dict[str, object] = {
        "port": PORT,
        "group": GROUP,
        "rxw_sqns": 80,
        "rand": lambda: 0.5,
        "nak_bo_ivl": 1.0,
        "nak_rpt_ivl": 2.0,
        "nak_rdata_ivl": 4.0,
        "spmr_expiry": 0.25,
    }
    kwargs.update(overrides)
    return Receiver(**kwargs)  # type: ignore[arg-type]


def joined(**overrides: object) -> Receiver:
    """A receiver that has seen the source's first SPM at t=0 (window next = 0, NLA known)."""
    rx = make(**overrides)
    rx.receive(spm(0, lead=NO_LEAD), SRC, 0.0)
    return rx


def texts(rx: Receiver, tsi: Tsi = TSI) -> list[tuple[bytes, ...]]:
    taken = rx.messages()
    assert all(t == tsi for t, _ in taken)
    return [m for _, m in taken]


def with_gap_at_1(**overrides: object) -> Receiver:
    """Joined receiver; sqn 0 and 2 arrive at t=10, sqn 1 is missing (back-off until 10.5)."""
    rx = joined(**overrides)
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, whole(b"m2")), SRC, 10.0)
    assert texts(rx) == [(b"m0",)]
    return rx


# -- window and delivery -------------------------------------------------------------------


def test_first_data_defines_window_without_history() -> None:
    rx = make()
    rx.receive(odata(1000, whole(b"late"), trail=900), SRC, 5.0)
    rx.receive(odata(1001, whole(b"next"), trail=900), SRC, 5.0)
    assert rx.messages() == [(TSI, (b"late",)), (TSI, (b"next",))]
    rx.receive(odata(999, whole(b"old"), trail=900), SRC, 5.0)  # before the window: not wanted
    assert rx.messages() == []
    assert rx.duplicates == 1
    assert rx.peers() == [TSI]
    # Nothing is NAKed: the only timers are the SPMR and the peer expiry.
    assert rx.next_timer() == 5.25
    rx.on_timer(5.25)
    assert all(parse(d.payload) == Spmr(TSI, PORT) for d in rx.datagrams())
    assert rx.next_timer() == 305.0
    assert rx.losses() == []


def test_first_spm_defines_window_at_lead_plus_one() -> None:
    rx = make()
    rx.receive(spm(3, trail=74, lead=153), SRC, 0.0)
    rx.receive(odata(153, whole(b"history"), trail=74), SRC, 0.1)
    rx.receive(odata(154, whole(b"first"), trail=75), SRC, 0.1)
    assert texts(rx) == [(b"first",)]
    assert rx.next_timer() == 300.0  # no NAKs, no SPMR
    assert rx.datagrams() == []


def test_in_order_delivery_and_multipart() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"a")), SRC, 1.0)
    rx.receive(odata(1, apdu(frames(b"topic", b"body") + frames(b""))), SRC, 1.0)
    rx.receive(odata(2, whole(b"c")), SRC, 1.0)
    assert texts(rx) == [(b"a",), (b"topic", b"body"), (b"",), (b"c",)]
    assert rx.datagrams() == []
    assert rx.losses() == []
    assert rx.next_timer() == 300.0


def test_duplicates_are_counted_and_dropped() -> None:
    rx = with_gap_at_1()
    rx.receive(odata(2, whole(b"m2")), SRC, 10.1)  # held twice
    rx.receive(odata(0, whole(b"m0")), SRC, 10.1)  # already delivered
    assert rx.duplicates == 2
    rx.receive(rdata(1, whole(b"m1")), SRC, 10.2)
    assert texts(rx) == [(b"m1",), (b"m2",)]


# -- NAK state machine ---------------------------------------------------------------------


def test_gap_naks_after_random_back_off() -> None:
    draws: list[float] = []

    def rand() -> float:
        draws.append(0.25)
        return 0.25

    rx = joined(rand=rand)
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, whole(b"m2")), SRC, 10.0)
    assert draws == [0.25]
    assert rx.next_timer() == 10.25
    rx.on_timer(10.24)
    assert rx.datagrams() == []
    rx.on_timer(10.25)
    assert rx.datagrams() == [nak(1)]
    assert rx.naks_sent == 1
    assert rx.next_timer() == 12.25  # WAIT_NCF
    assert texts(rx) == [(b"m0",)]


def test_nak_bytes_match_libzmq_capture() -> None:
    # Notes appendix: NAK for sqn 18 from a libzmq SUB, source 127.0.0.1, group 239.192.1.1.
    tsi = Tsi(GSI, 0x6E4A)
    rx = make(rand=lambda: 0.0)
    rx.receive(spm(0, lead=16, nla="127.0.0.1", tsi=tsi), "127.0.0.1", 0.0)
    rx.receive(odata(17, whole(b"x"), tsi=tsi), "127.0.0.1", 0.0)
    rx.receive(odata(19, whole(b"y"), tsi=tsi), "127.0.0.1", 0.0)
    rx.on_timer(0.0)
    expected = bytes.fromhex(
        "15b36e4a0800771db7c6d1bc038a0000 00000012000100007f000001 00010000efc00101".replace(
            " ", ""
        )
    )
    assert rx.datagrams() == [Datagram(payload=expected, address="127.0.0.1", port=PORT)]


def test_nak_list_bytes_match_libzmq_capture() -> None:
    # Notes appendix: NAK with OPT_NAK_LIST for {60, 61}.
    tsi = Tsi(GSI, 0x6E4A)
    rx = make(rand=lambda: 0.0)
    rx.receive(spm(0, lead=59, nla="127.0.0.1", tsi=tsi), "127.0.0.1", 0.0)
    rx.receive(odata(62, whole(b"x"), tsi=tsi), "127.0.0.1", 0.0)
    rx.on_timer(0.0)
    expected = bytes.fromhex(
        "15b36e4a0803f49ab7c6d1bc038a0000"
        "0000003c000100007f00000100010000efc00101"
        "0004000c820800000000003d"
    )
    assert rx.datagrams() == [Datagram(payload=expected, address="127.0.0.1", port=PORT)]


def test_nak_fields() -> None:
    rx = with_gap_at_1()
    rx.on_timer(10.5)
    [datagram] = rx.datagrams()
    assert (datagram.address, datagram.port) == (NLA, PORT)
    sport, dport, ptype = struct.unpack_from(">HHB", datagram.payload)
    assert (sport, dport, ptype) == (PORT, TSI.sport, 0x08)
    assert datagram.payload[8:14] == GSI
    assert parse(datagram.payload) == Nak(
        tsi=TSI, sport=PORT, sqns=(1,), source_nla=NLA, group_nla=GROUP
    )


def test_no_ncf_backs_off_and_renaks() -> None:
    rx = with_gap_at_1()
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1)]
    rx.on_timer(12.49)
    assert rx.datagrams() == []
    rx.on_timer(12.5)  # WAIT_NCF timed out: new back-off, no NAK yet
    assert rx.datagrams() == []
    assert rx.next_timer() == 13.0
    rx.on_timer(13.0)
    assert rx.datagrams() == [nak(1)]
    assert rx.next_timer() == 15.0
    assert rx.naks_sent == 2


def test_ncf_moves_to_wait_data() -> None:
    rx = with_gap_at_1()
    rx.on_timer(10.5)
    rx.datagrams()
    rx.receive(ncf(1), SRC, 11.0)
    assert rx.next_timer() == 15.0  # 11.0 + nak_rdata_ivl
    rx.on_timer(12.5)  # the WAIT_NCF deadline no longer applies
    assert rx.datagrams() == []
    rx.on_timer(15.0)  # RDATA did not come: back off again
    assert rx.datagrams() == []
    rx.on_timer(15.5)
    assert rx.datagrams() == [nak(1)]


def test_ncf_in_back_off_suppresses_nak() -> None:
    rx = with_gap_at_1()
    rx.receive(ncf(1), SRC, 10.1)  # another receiver's NAK was confirmed
    rx.on_timer(10.5)
    assert rx.datagrams() == []
    assert rx.next_timer() == 14.1


def test_ncf_for_another_group_or_unknown_tsi_is_ignored() -> None:
    rx = with_gap_at_1()
    rx.receive(ncf(1, group="239.192.9.9"), SRC, 10.1)
    rx.receive(ncf(1, tsi=Tsi(GSI, 1)), SRC, 10.1)
    assert rx.ignored == 2
    assert rx.peers() == [TSI]
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1)]


def test_ncf_beyond_lead_creates_placeholders() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(ncf(3), SRC, 10.0)  # 1, 2 back off; 3 waits for data
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1, 2)]
    rx.receive(rdata(1, whole(b"m1")), SRC, 10.6)
    rx.receive(rdata(3, whole(b"m3")), SRC, 10.6)
    rx.receive(rdata(2, whole(b"m2")), SRC, 10.7)
    assert texts(rx) == [(b"m0",), (b"m1",), (b"m2",), (b"m3",)]
    assert rx.next_timer() == 300.0


def test_rdata_fills_gap_and_releases_held_messages() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, apdu(frames(b"m2") + frames(b"m2b"))), SRC, 10.0)
    rx.receive(odata(3, whole(b"m3")), SRC, 10.0)
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1)]
    rx.receive(ncf(1), SRC, 10.6)
    assert texts(rx) == [(b"m0",)]
    rx.receive(rdata(1, whole(b"m1"), trail=0), SRC, 10.7)
    assert texts(rx) == [(b"m1",), (b"m2",), (b"m2b",), (b"m3",)]
    assert rx.losses() == []
    assert rx.next_timer() == 300.0


def lossy_stream(rx: Receiver) -> None:
    """Message A over sqns 0-2 (its tail shares sqn 2 with message B), C at sqn 3; 1 missing."""
    body = bytes(range(256)) * 2  # 512 bytes: long frame form
    stream_a = frames(b"A", body)
    rx.receive(odata(0, apdu(stream_a[:200])), SRC, 10.0)
    rx.receive(odata(2, apdu(stream_a[400:] + frames(b"B"), len(stream_a) - 400)), SRC, 10.0)
    rx.receive(odata(3, whole(b"C")), SRC, 10.0)
    assert rx.messages() == []


def test_ncf_retries_exhausted_is_loss_and_resumes_at_next_message() -> None:
    rx = joined(nak_ncf_retries=3)
    lossy_stream(rx)
    naks = []
    for now in (10.5, 12.5, 13.0, 15.0, 15.5):
        rx.on_timer(now)
        naks += [(now, d) for d in rx.datagrams()]
    assert naks == [(10.5, nak(1)), (13.0, nak(1)), (15.5, nak(1))]
    assert rx.losses() == []
    rx.on_timer(17.49)
    assert rx.losses() == []
    rx.on_timer(17.5)  # third WAIT_NCF timeout
    assert rx.losses() == [Loss(TSI, 1)]
    assert texts(rx) == [(b"B",), (b"C",)]  # never the partial A
    assert rx.lost == 1
    assert rx.datagrams() == []
    assert rx.next_timer() == 300.0
    rx.receive(rdata(1, apdu(b"\x00" * 10, 0xFFFF)), SRC, 18.0)  # too late
    assert rx.messages() == []
    assert rx.duplicates == 1


def test_data_retries_exhausted_is_loss() -> None:
    rx = joined(nak_data_retries=2)
    lossy_stream(rx)
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1)]
    rx.receive(ncf(1), SRC, 11.0)
    rx.on_timer(15.0)  # data retry 1 → back off
    rx.on_timer(15.5)
    assert rx.datagrams() == [nak(1)]
    rx.receive(ncf(1), SRC, 16.0)
    rx.on_timer(19.99)
    assert rx.losses() == []
    rx.on_timer(20.0)  # data retry 2 → lost
    assert rx.losses() == [Loss(TSI, 1)]
    assert texts(rx) == [(b"B",), (b"C",)]


def test_several_expiring_at_once_go_in_one_nak_list() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(4, whole(b"m4")), SRC, 10.0)  # 1, 2, 3 share a back-off
    rx.receive(odata(6, whole(b"m6")), SRC, 10.25)  # 5 backs off until 10.75
    rx.on_timer(11.0)
    assert rx.datagrams() == [nak(1, 2, 3, 5)]
    assert rx.naks_sent == 1


def test_nak_lists_hold_at_most_63_sqns() -> None:
    rx = joined(rxw_sqns=1000)
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(101, whole(b"m101")), SRC, 10.0)
    rx.on_timer(10.5)
    assert MAX_NAK_SQNS == 63
    assert rx.datagrams() == [nak(*range(1, 64)), nak(*range(64, 101))]
    assert rx.naks_sent == 2


# -- SPM, SPMR, NLA ------------------------------------------------------------------------


def test_spmr_after_expiry_for_new_tsi_without_spm() -> None:
    tsi = Tsi(GSI, 0x3DE4)
    rx = make()
    rx.receive(odata(7, whole(b"x"), tsi=tsi), "127.0.0.1", 1.0)
    assert rx.next_timer() == 1.25
    rx.on_timer(1.24)
    assert rx.datagrams() == []
    rx.on_timer(1.25)
    # Notes appendix: the SPMR of a late-joining libzmq SUB, to the group and to the source.
    expected = bytes.fromhex("15b33de40c00135bb7c6d1bc038a0000")
    assert rx.datagrams() == [
        Datagram(payload=expected, address=GROUP, port=PORT),
        Datagram(payload=expected, address="127.0.0.1", port=PORT),
    ]
    assert rx.spmrs_sent == 1
    rx.on_timer(2.0)
    assert rx.datagrams() == []  # once


def test_spm_cancels_pending_spmr() -> None:
    rx = make()
    rx.receive(odata(7, whole(b"x")), SRC, 1.0)
    rx.receive(spm(4, trail=0, lead=7), SRC, 1.1)
    assert rx.next_timer() == 301.1
    rx.on_timer(1.25)
    assert rx.datagrams() == []
    assert rx.spmrs_sent == 0


def test_no_nla_keeps_nak_in_back_off_until_spm() -> None:
    rx = make()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, whole(b"m2")), SRC, 10.0)
    assert rx.next_timer() == 10.25  # the SPMR; the back-off due at 10.5 cannot fire yet
    rx.on_timer(10.25)
    assert len(rx.datagrams()) == 2  # SPMR twice
    assert rx.next_timer() == 310.0
    rx.on_timer(11.0)
    assert rx.datagrams() == []
    assert rx.losses() == []
    rx.receive(spm(9, trail=0, lead=2), SRC, 12.0)
    assert rx.next_timer() == 10.5  # overdue: on_timer at once
    rx.on_timer(12.0)
    assert rx.datagrams() == [nak(1)]
    rx.receive(rdata(1, whole(b"m1")), SRC, 12.1)
    assert texts(rx) == [(b"m0",), (b"m1",), (b"m2",)]


def test_spm_lead_beyond_window_naks_tail_loss() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(spm(1, trail=0, lead=3), SRC, 10.0)
    assert rx.next_timer() == 10.5
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1, 2, 3)]


def test_lower_spm_sqn_is_ignored() -> None:
    rx = make()
    rx.receive(spm(5, lead=NO_LEAD, nla="10.0.0.5"), SRC, 0.0)
    rx.receive(spm(4, lead=NO_LEAD, nla="10.0.0.4"), SRC, 0.1)
    assert rx.ignored == 1
    rx.receive(spm(5, lead=NO_LEAD, nla="10.0.0.6"), SRC, 0.2)  # equal sqn: accepted
    rx.receive(odata(0, whole(b"m0")), SRC, 1.0)
    rx.receive(odata(2, whole(b"m2")), SRC, 1.0)
    rx.receive(spm(3, lead=9), SRC, 1.0)  # stale: neither the lead nor the NLA is used
    rx.on_timer(1.5)
    assert rx.datagrams() == [nak(1, nla="10.0.0.6")]
    assert rx.next_timer() == 3.5  # expiry still 300.2: the stale SPM did not refresh it


def test_spm_sqn_wraps() -> None:
    rx = make()
    rx.receive(spm(0xFFFFFFFF, lead=NO_LEAD), SRC, 0.0)
    rx.receive(spm(0, lead=NO_LEAD, nla="10.0.0.9"), SRC, 1.0)  # newer despite the wrap
    assert rx.ignored == 0
    assert rx.next_timer() == 301.0


# -- window limits and trail -------------------------------------------------------------------


def test_window_cap_loses_oldest() -> None:
    rx = joined(rxw_sqns=4)
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(10, whole(b"m10")), SRC, 10.0)  # window 7..10: 1..6 pushed out
    assert rx.losses() == [Loss(TSI, 6)]
    assert texts(rx) == [(b"m0",)]
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(7, 8, 9)]
    rx.receive(odata(12, whole(b"m12")), SRC, 11.0)  # window 9..12: 7, 8 pushed out
    assert rx.losses() == [Loss(TSI, 2)]
    rx.receive(rdata(9, whole(b"m9")), SRC, 11.0)
    assert texts(rx) == [(b"m9",), (b"m10",)]
    assert rx.lost == 8


def test_window_cap_delivers_held_data_pushed_out() -> None:
    rx = joined(rxw_sqns=3)
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, whole(b"m2")), SRC, 10.0)  # 1 missing, 2 held
    rx.receive(odata(4, whole(b"m4")), SRC, 10.0)  # window 2..4: 1 lost, 2 delivered
    assert rx.losses() == [Loss(TSI, 1)]
    assert texts(rx) == [(b"m0",), (b"m2",)]
    rx.receive(rdata(3, whole(b"m3")), SRC, 10.1)
    assert texts(rx) == [(b"m3",), (b"m4",)]


def test_trail_passing_undelivered_sqns_is_loss() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(3, whole(b"m3")), SRC, 10.0)  # 1, 2 missing
    rx.receive(spm(1, trail=2, lead=3), SRC, 10.1)  # the source no longer holds 1
    assert rx.losses() == [Loss(TSI, 1)]
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(2)]
    rx.receive(odata(4, whole(b"m4"), trail=3), SRC, 10.6)  # data trail passes 2
    assert rx.losses() == [Loss(TSI, 1)]
    assert texts(rx) == [(b"m0",), (b"m3",), (b"m4",)]
    assert rx.next_timer() == 310.1  # only the peer expiry: 300 s after the last SPM


def test_trail_far_ahead_counts_unseen_sqns() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, whole(b"m2")), SRC, 10.0)
    rx.receive(spm(1, trail=100, lead=105), SRC, 10.1)  # 1 and 3..99 gone; 100..105 wanted
    assert rx.losses() == [Loss(TSI, 1), Loss(TSI, 97)]
    assert texts(rx) == [(b"m0",), (b"m2",)]
    rx.on_timer(11.0)
    assert rx.datagrams() == [nak(*range(100, 106))]


def test_inconsistent_trails_are_ignored() -> None:
    rx = joined()
    rx.receive(odata(0, whole(b"m0")), SRC, 10.0)
    rx.receive(odata(2, whole(b"m2"), trail=3), SRC, 10.0)  # trail beyond its own sqn
    rx.receive(spm(2, trail=9, lead=2), SRC, 10.0)  # trail beyond lead + 1
    assert rx.losses() == []
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1)]


def test_decoder_limits_and_errors_are_per_tsi() -> None:
    rx = joined(max_msg_size=4)
    rx.receive(odata(0, whole(b"12345")), SRC, 1.0)  # over ZMQ_MAXMSGSIZE: dropped
    rx.receive(odata(1, whole(b"1234")), SRC, 1.0)
    rx.receive(odata(2, apdu(b"\x00\x00")), SRC, 1.0)  # length 0: protocol error
    rx.receive(odata(3, whole(b"ok")), SRC, 1.0)
    assert texts(rx) == [(b"1234",), (b"ok",)]
    assert rx.losses() == []


def test_sqn_wraps_around() -> None:
    rx = make()
    rx.receive(spm(0, lead=0xFFFFFFFC, trail=0xFFFFFF00), SRC, 0.0)
    rx.receive(odata(0xFFFFFFFD, whole(b"a"), trail=0xFFFFFF00), SRC, 10.0)
    rx.receive(odata(0xFFFFFFFE, whole(b"b"), trail=0xFFFFFF00), SRC, 10.0)
    rx.receive(odata(1, whole(b"e"), trail=0xFFFFFF00), SRC, 10.0)
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(0xFFFFFFFF, 0)]
    rx.receive(rdata(0, whole(b"d"), trail=0xFFFFFF00), SRC, 10.6)
    rx.receive(rdata(0xFFFFFFFF, whole(b"c"), trail=0xFFFFFF00), SRC, 10.6)
    assert texts(rx) == [(b"a",), (b"b",), (b"c",), (b"d",), (b"e",)]
    rx.receive(spm(1, lead=1, trail=0xFFFFFFF0), SRC, 11.0)
    assert rx.losses() == []


# -- sources, expiry, robustness ---------------------------------------------------------------


def test_two_tsis_with_same_gsi_are_kept_apart() -> None:
    other = Tsi(GSI, 0x1234)
    rx = make()
    rx.receive(spm(0, lead=NO_LEAD), SRC, 0.0)
    rx.receive(spm(0, lead=99, nla="10.0.0.2", tsi=other), "10.0.0.2", 0.0)
    rx.receive(odata(0, whole(b"a0")), SRC, 10.0)
    rx.receive(odata(100, whole(b"b100"), tsi=other), "10.0.0.2", 10.0)
    rx.receive(odata(2, whole(b"a2")), SRC, 10.0)
    rx.receive(odata(101, whole(b"b101"), tsi=other), "10.0.0.2", 10.0)
    assert rx.messages() == [(TSI, (b"a0",)), (other, (b"b100",)), (other, (b"b101",))]
    rx.on_timer(10.5)
    assert rx.datagrams() == [nak(1)]
    rx.receive(rdata(1, whole(b"a1")), SRC, 10.6)
    assert rx.messages() == [(TSI, (b"a1",)), (TSI, (b"a2",))]
    assert rx.peers() == [TSI, other]


def test_peer_expires_300_s_after_last_spm() -> None:
    rx = make()
    rx.receive(spm(0, lead=NO_LEAD), SRC, 0.0)
    rx.receive(odata(0, whole(b"m0")), SRC, 100.0)
    rx.receive(spm(1, lead=0), SRC, 250.0)
    rx.receive(odata(1, whole(b"m1")), SRC, 500.0)  # data does not refresh expiry
    assert rx.next_timer() == 550.0
    rx.on_timer(549.0)
    assert rx.peers() == [TSI]
    rx.on_timer(550.0)
    assert rx.peers() == []
    assert rx.next_timer() is None
    assert texts(rx) == [(b"m0",), (b"m1",)]
    # The source comes back: a new peer, a new window at its first data, an SPMR.
    rx.receive(odata(5, whole(b"m5")), SRC, 600.0)
    assert texts(rx) == [(b"m5",)]
    assert rx.next_timer() == 600.25


def test_peer_expiry_flushes_window() -> None:
    rx = with_gap_at_1()
    rx.on_timer(300.0)
    assert rx.peers() == []
    assert rx.losses() == [Loss(TSI, 1)]
    assert texts(rx) == [(b"m2",)]


def test_malformed_datagrams_are_counted_not_raised() -> None:
    rx = joined()
    good = odata(0, whole(b"m0"))
    bad_checksum = good[:-1] + bytes([good[-1] ^ 0xFF])
    for datagram in (b"", b"\x00" * 10, bad_checksum, good[:-1]):
        rx.receive(datagram, SRC, 1.0)
    assert rx.malformed == 4
    assert rx.messages() == []
    rx.receive(good, SRC, 1.0)
    assert texts(rx) == [(b"m0",)]


def test_other_dport_and_upstream_packets_are_ignored() -> None:
    rx = make()
    rx.receive(odata(0, whole(b"x"), dport=PORT + 1), SRC, 1.0)
    rx.receive(spm(0, lead=NO_LEAD, dport=PORT + 1), SRC, 1.0)
    rx.receive(nak(3).payload, SRC, 1.0)
    rx.receive(encode(Spmr(TSI, PORT)), SRC, 1.0)
    assert rx.ignored == 4
    assert rx.peers() == []
    assert rx.next_timer() is None


def test_rejects_bad_window_size() -> None:
    with pytest.raises(ValueError, match="rxw_sqns"):
        make(rxw_sqns=0)


# -- property: any arrival order, with duplicates, delivers everything in order -------------------


def packed(messages: list[bytes], cut: int) -> list[bytes]:
    """Cut the stream of single-frame messages into APDUs of ``cut`` stream bytes."""
    out: list[bytes] = []
    stream = b""
    starts: list[int] = []
    for body in messages:
        starts.append(len(stream))
        stream += frames(body)
    for pos in range(0, len(stream), cut):
        inside = [s - pos for s in starts if pos <= s < pos + cut]
        out.append(apdu(stream[pos : pos + cut], inside[0] if inside else 0xFFFF))
    return out


@settings(max_examples=60, deadline=None)
@given(
    messages=st.lists(st.binary(max_size=40), min_size=1, max_size=12),
    cut=st.integers(min_value=3, max_value=30),
    data=st.data(),
)
def test_any_order_with_duplicates_delivers_in_order(
    messages: list[bytes], cut: int, data: st.DataObject
) -> None:
    apdus = packed(messages, cut)
    base = data.draw(st.sampled_from([0, 0xFFFFFFF0]))
    order = data.draw(st.permutations(list(range(len(apdus)))))
    extra = data.draw(st.lists(st.sampled_from(list(range(len(apdus)))), max_size=5))
    rx = make(rxw_sqns=1000)
    rx.receive(spm(0, lead=(base - 1) & 0xFFFFFFFF, trail=base), SRC, 0.0)
    now = 1.0
    for i in [*order, *extra]:
        rx.receive(odata((base + i) & 0xFFFFFFFF, apdus[i], trail=base), SRC, now)
        now += 0.01
    assert [m for _, m in rx.messages()] == [(body,) for body in messages]
    assert rx.losses() == []
    assert rx.duplicates == len(extra)
