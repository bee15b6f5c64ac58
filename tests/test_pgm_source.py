"""The PGM source state machine (aiomq.pgm.source): SPMs, ODATA, NAK repair, timers, rate."""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aiomq.pgm.source as source_module
from aiomq.pgm import packets
from aiomq.pgm.packets import Data, Nak, Ncf, Spm, Spmr, Tsi
from aiomq.pgm.source import AMBIENT_SPM_INTERVAL, HEARTBEAT_SPM_OFFSETS, Source

GSI = bytes.fromhex("b7c6d1bc038a")
TSI = Tsi(GSI, 0x8528)
PORT = 5555
NLA = "127.0.0.1"
GROUP = "239.192.1.1"

# Captured from libzmq 4.3.4 + OpenPGM 5.3.128 (PGM-NOTES appendix).
SPM_START = bytes.fromhex(
    "852815b300005914b7c6d1bc038a0000 00000000 00000000 ffffffff 00010000 7f000001"
)
SPM_FIN = bytes.fromhex(
    "852815b30001cadcb7c6d1bc038a0000 0000001b 00000000 0000000b 00010000 7f000001"
    " 00040008 8e040000"
)
ODATA_HELLO = bytes.fromhex("852815b304008a3bb7c6d1bc038a0009 00000000 00000000 0000060068656c6c6f")
NAK_18 = bytes.fromhex(
    "15b36e4a0800771db7c6d1bc038a0000 00000012 00010000 7f000001 00010000 efc00101"
)
NCF_18 = bytes.fromhex(
    "6e4a15b30a00751db7c6d1bc038a0000 00000012 00010000 7f000001 00010000 efc00101"
)
NAK_LIST_60_61 = bytes.fromhex(
    "15b36e4a0803f49ab7c6d1bc038a0000 0000003c 00010000 7f000001 00010000 efc00101"
    " 0004000c 82080000 0000003d"
)
SPMR = bytes.fromhex("15b33de40c00135bb7c6d1bc038a0000")
SPM_ANSWER = bytes.fromhex(
    "3de415b300009f72b7c6d1bc038a0000 00000003 0000004a 00000099 00010000 7f000001"
)

MASK = 0xFFFFFFFF
SPMR_OWN = packets.encode(Spmr(tsi=TSI, sport=PORT))


def make(**overrides: Any) -> Source:
    """A source with libzmq's defaults (txw 80, 100 kbit/s, maxtpdu 1500, epgm) at t=0."""
    args: dict[str, Any] = {
        "tsi": TSI,
        "port": PORT,
        "nla": NLA,
        "group": GROUP,
        "txw_sqns": 80,
        "rate": 12_500,
        "max_tpdu": 1500,
        "ip_overhead": 28,
        "now": 0.0,
    }
    args.update(overrides)
    return Source(**args)


def take(src: Source) -> list[packets.Packet]:
    """Drain the source; every datagram must go to (group, port) and parse."""
    out: list[packets.Packet] = []
    for datagram in src.datagrams():
        assert (datagram.address, datagram.port) == (GROUP, PORT)
        packet = packets.parse(datagram.payload)
        assert packet is not None
        out.append(packet)
    return out


def apdu(i: int) -> bytes:
    """A libzmq-style APDU: offset 0, then one ZMTP/1.0 frame holding ``m<i>``."""
    body = f"m{i}".encode()
    return b"\x00\x00" + bytes((len(body) + 1, 0)) + body


def nak(
    sqns: tuple[int, ...],
    *,
    tsi: Tsi = TSI,
    sport: int = PORT,
    source_nla: str = NLA,
    group_nla: str = GROUP,
) -> bytes:
    return packets.encode(
        Nak(tsi=tsi, sport=sport, sqns=sqns, source_nla=source_nla, group_nla=group_nla)
    )


def with_parity(datagram: bytes) -> bytes:
    """Set the options PARITY bit and fix the checksum."""
    raw = bytearray(datagram)
    raw[5] |= packets.OPT_PARITY
    raw[6:8] = b"\x00\x00"
    raw[6:8] = packets.checksum(raw).to_bytes(2, "big")
    return bytes(raw)


def sent(src: Source, count: int, now: float = 0.0) -> list[Data]:
    """Send ``count`` APDUs (numbered from the current lead + 1); return the ODATA."""
    first = (src.lead + 1) & MASK
    for i in range(count):
        src.send(apdu((first + i) & MASK), now)
    out = take(src)
    assert all(isinstance(p, Data) for p in out)
    return [p for p in out if isinstance(p, Data)]


def fire_until(src: Source, end: float) -> list[tuple[float, packets.Packet]]:
    """Run the timers up to ``end``; return (time, packet) for everything they queued."""
    out: list[tuple[float, packets.Packet]] = []
    while (when := src.next_timer()) is not None and when <= end:
        src.on_timer(when)
        out.extend((when, p) for p in take(src))
    return out


# -- start, ODATA, trail/lead ----------------------------------------------------------------


def test_start_spms_match_capture() -> None:
    src = make()
    datagrams = src.datagrams()
    assert len(datagrams) == 3
    assert datagrams[0].payload == SPM_START
    spms = [packets.parse(d.payload) for d in datagrams]
    assert spms == [
        Spm(tsi=TSI, dport=PORT, sqn=sqn, trail=0, lead=0xFFFFFFFF, nla=NLA) for sqn in (0, 1, 2)
    ]
    assert all((d.address, d.port) == (GROUP, PORT) for d in datagrams)
    assert src.stats.spms == 3
    assert src.datagrams() == []
    assert (src.trail, src.lead) == (0, 0xFFFFFFFF)


def test_odata_matches_capture() -> None:
    src = make()
    src.datagrams()
    src.send(b"\x00\x00\x06\x00hello", 0.0)
    datagrams = src.datagrams()
    assert [d.payload for d in datagrams] == [ODATA_HELLO]
    assert src.stats.odata == 1


def test_odata_sqn_and_honest_trail() -> None:
    src = make(tsi=Tsi(GSI, 0x3DE4))
    src.datagrams()
    data = []
    for i in range(154):
        src.send(apdu(i), 0.0)
        (packet,) = src.datagrams()
        parsed = packets.parse(packet.payload)
        assert isinstance(parsed, Data)
        data.append(parsed)
    assert [d.sqn for d in data] == list(range(154))
    assert [d.trail for d in data] == [max(0, i - 79) for i in range(154)]
    assert all(not d.repair and d.dport == PORT for d in data)
    assert [d.payload for d in data] == [apdu(i) for i in range(154)]
    assert (src.trail, src.lead) == (74, 153)
    # The SPM answering the captured SPMR is byte for byte the captured one (sqn 3, 74/153).
    src.receive(SPMR, 0.0)
    assert [d.payload for d in src.datagrams()] == [SPM_ANSWER]


def test_trail_before_and_at_full_window() -> None:
    src = make(txw_sqns=3)
    src.datagrams()
    assert [d.trail for d in sent(src, 6)] == [0, 0, 0, 1, 2, 3]
    assert (src.trail, src.lead) == (3, 5)


def test_window_of_one() -> None:
    src = make(txw_sqns=1)
    src.datagrams()
    assert [(d.sqn, d.trail) for d in sent(src, 3)] == [(0, 0), (1, 1), (2, 2)]
    src.receive(nak((1, 2)), 0.0)
    ncf, rdata = take(src)
    assert isinstance(ncf, Ncf)
    assert isinstance(rdata, Data)
    assert (rdata.sqn, rdata.trail, rdata.repair) == (2, 2, True)


def test_sequence_numbers_wrap() -> None:
    src = make(txw_sqns=4)
    src.datagrams()
    src._lead = 0xFFFFFFFD  # white-box: start near the wrap
    data = sent(src, 5)
    assert [d.sqn for d in data] == [0xFFFFFFFE, 0xFFFFFFFF, 0, 1, 2]
    assert (src.trail, src.lead) == (0xFFFFFFFF, 2)
    src.receive(nak((0xFFFFFFFE, 0xFFFFFFFF, 2, 3)), 0.0)
    ncf, *rdata = take(src)
    assert isinstance(ncf, Ncf)
    assert ncf.sqns == (0xFFFFFFFE, 0xFFFFFFFF, 2, 3)
    assert [(r.sqn, r.trail) for r in rdata if isinstance(r, Data)] == [
        (0xFFFFFFFF, 0xFFFFFFFF),
        (2, 0xFFFFFFFF),
    ]
    assert [r.payload for r in rdata if isinstance(r, Data)] == [apdu(0xFFFFFFFF), apdu(2)]


def test_spm_sequence_is_its_own_counter() -> None:
    src = make()
    src.datagrams()
    sent(src, 10)
    src.receive(SPMR_OWN, 0.0)
    src.receive(SPMR_OWN, 0.0)
    spms = take(src)
    assert [(s.sqn, s.trail, s.lead) for s in spms if isinstance(s, Spm)] == [(3, 0, 9), (4, 0, 9)]


# -- heartbeat and ambient SPMs ---------------------------------------------------------------


def test_heartbeat_schedule_after_data() -> None:
    src = make()
    src.datagrams()
    sent(src, 1, now=2.0)
    assert src.next_timer() == 2.0 + 0.1
    fired = fire_until(src, 29.0)
    assert [when for when, _ in fired] == [2.0 + offset for offset in HEARTBEAT_SPM_OFFSETS]
    assert [round(when - 2.0, 6) for when, _ in fired] == [
        0.1, 0.2, 0.3, 0.4, 0.5, 1.8, 8.8, 24.8,
    ]  # fmt: skip
    assert [p for _, p in fired] == [
        Spm(tsi=TSI, dport=PORT, sqn=sqn, trail=0, lead=0, nla=NLA) for sqn in range(3, 11)
    ]
    # No more heartbeats: the next timer is the ambient one.
    assert src.next_timer() == AMBIENT_SPM_INTERVAL == 30.0


def test_early_timer_does_nothing() -> None:
    src = make()
    src.datagrams()
    sent(src, 1, now=1.0)
    src.on_timer(1.05)
    assert src.datagrams() == []
    assert src.next_timer() == 1.0 + 0.1


def test_no_heartbeat_while_data_flows_every_50ms() -> None:
    src = make()
    src.datagrams()
    for step in range(40):
        now = step * 0.05
        when = src.next_timer()
        assert when is not None
        if when <= now:
            src.on_timer(now)
        src.send(apdu(step), now)
    assert all(isinstance(p, Data) for p in take(src))
    assert src.stats.spms == 3
    last = 39 * 0.05
    assert src.next_timer() == last + 0.1


def test_data_restarts_the_schedule() -> None:
    src = make()
    src.datagrams()
    sent(src, 1, now=0.0)
    fired = fire_until(src, 0.45)
    assert len(fired) == 4
    sent(src, 1, now=0.45)
    fired = fire_until(src, 0.45 + 1.8)
    assert [when for when, _ in fired] == [0.45 + o for o in HEARTBEAT_SPM_OFFSETS[:6]]
    assert all(isinstance(p, Spm) and p.lead == 1 for _, p in fired)


def test_late_timer_sends_one_spm_and_skips_missed_heartbeats() -> None:
    src = make()
    src.datagrams()
    sent(src, 1, now=0.0)
    src.on_timer(2.0)
    assert len(take(src)) == 1
    assert src.next_timer() == 8.8


def test_ambient_spm_every_30s_without_data() -> None:
    src = make(now=100.0)
    src.datagrams()
    fired = fire_until(src, 100.0 + 95.0)
    assert [when for when, _ in fired] == [130.0, 160.0, 190.0]
    assert [p for _, p in fired] == [
        Spm(tsi=TSI, dport=PORT, sqn=sqn, trail=0, lead=0xFFFFFFFF, nla=NLA) for sqn in (3, 4, 5)
    ]


def test_ambient_runs_independently_of_data() -> None:
    src = make()
    src.datagrams()
    sent(src, 1, now=10.0)
    fired = fire_until(src, 61.0)
    expected = [10.0 + o for o in HEARTBEAT_SPM_OFFSETS]
    expected = sorted([*expected, 30.0, 60.0])
    assert [when for when, _ in fired] == expected
    assert [p.sqn for _, p in fired if isinstance(p, Spm)] == list(range(3, 3 + len(expected)))


def test_heartbeat_and_ambient_due_together_send_one_spm() -> None:
    src = make()
    src.datagrams()
    sent(src, 1, now=29.5)
    fired = fire_until(src, 30.0)
    # The fifth heartbeat (29.5 + 0.5) and the first ambient SPM are both due at 30.0: one SPM.
    assert [when for when, _ in fired] == [29.5 + o for o in HEARTBEAT_SPM_OFFSETS[:5]]
    assert fired[-1][0] == 30.0
    assert [p.sqn for _, p in fired if isinstance(p, Spm)] == [3, 4, 5, 6, 7]
    assert src.next_timer() == 29.5 + 1.8
    fired = fire_until(src, 60.0)
    assert [when for when, _ in fired] == [29.5 + 1.8, 29.5 + 8.8, 29.5 + 24.8, 60.0]


# -- NAK → NCF + RDATA --------------------------------------------------------------------------


def test_nak_gets_ncf_then_rdata_matching_capture() -> None:
    tsi = Tsi(GSI, 0x6E4A)
    src = make(tsi=tsi)
    src.datagrams()
    sent(src, 19)
    src.receive(NAK_18, 1.0)
    ncf, rdata = src.datagrams()
    assert ncf.payload == NCF_18
    assert (ncf.address, ncf.port, rdata.address, rdata.port) == (GROUP, PORT, GROUP, PORT)
    assert packets.parse(rdata.payload) == Data(
        tsi=tsi, dport=PORT, sqn=18, trail=0, payload=apdu(18), repair=True
    )
    assert rdata.payload[4] == packets.RDATA
    assert (src.stats.naks, src.stats.ncfs, src.stats.rdata) == (1, 1, 1)


def test_nak_list_gets_ncf_list_then_rdata_each() -> None:
    tsi = Tsi(GSI, 0x6E4A)
    src = make(tsi=tsi)
    src.datagrams()
    sent(src, 62)
    src.receive(NAK_LIST_60_61, 1.0)
    datagrams = src.datagrams()
    assert datagrams[0].payload[4:6] == bytes((packets.NCF, 0x03))
    assert [packets.parse(d.payload) for d in datagrams] == [
        Ncf(tsi=tsi, dport=PORT, sqns=(60, 61), source_nla=NLA, group_nla=GROUP),
        Data(tsi=tsi, dport=PORT, sqn=60, trail=0, payload=apdu(60), repair=True),
        Data(tsi=tsi, dport=PORT, sqn=61, trail=0, payload=apdu(61), repair=True),
    ]


def test_long_nak_list_is_mirrored() -> None:
    src = make(txw_sqns=100)
    src.datagrams()
    sent(src, 100)
    sqns = tuple(range(10, 73))  # 63 sqns: header + 62 in OPT_NAK_LIST
    src.receive(nak(sqns), 0.0)
    ncf, *rdata = take(src)
    assert ncf == Ncf(tsi=TSI, dport=PORT, sqns=sqns, source_nla=NLA, group_nla=GROUP)
    assert [r.sqn for r in rdata if isinstance(r, Data)] == list(sqns)


def test_rdata_carries_the_current_trail() -> None:
    src = make(txw_sqns=4)
    src.datagrams()
    data = sent(src, 6)
    assert (data[3].sqn, data[3].trail) == (3, 0)
    src.receive(nak((3,)), 0.0)
    _, rdata = take(src)
    assert rdata == Data(tsi=TSI, dport=PORT, sqn=3, trail=2, payload=apdu(3), repair=True)


def test_nak_outside_window_gets_ncf_only() -> None:
    src = make(txw_sqns=10)
    src.datagrams()
    sent(src, 20)  # holds 10..19
    for sqns in ((9,), (20,), (0,), (0x80000000,)):
        src.receive(nak(sqns), 0.0)
        assert take(src) == [Ncf(tsi=TSI, dport=PORT, sqns=sqns, source_nla=NLA, group_nla=GROUP)]
    src.receive(nak((9, 10, 19, 20)), 0.0)
    ncf, *rdata = take(src)
    assert isinstance(ncf, Ncf)
    assert ncf.sqns == (9, 10, 19, 20)
    assert [(r.sqn, r.payload) for r in rdata if isinstance(r, Data)] == [
        (10, apdu(10)),
        (19, apdu(19)),
    ]
    assert src.stats.rdata == 2


def test_nak_before_any_data_gets_ncf_only() -> None:
    src = make()
    src.datagrams()
    src.receive(nak((0,)), 0.0)
    assert take(src) == [Ncf(tsi=TSI, dport=PORT, sqns=(0,), source_nla=NLA, group_nla=GROUP)]


def test_duplicate_nak_while_repair_queued() -> None:
    src = make()
    src.datagrams()
    sent(src, 10)
    src.receive(nak((5,)), 0.0)
    src.receive(nak((5,)), 0.0)
    out = take(src)
    assert [type(p).__name__ for p in out] == ["Ncf", "Data", "Ncf"]
    assert src.stats.rdata == 1
    # Once the repair has been taken for sending, a new NAK gets a new RDATA.
    src.receive(nak((5,)), 0.0)
    out = take(src)
    assert [type(p).__name__ for p in out] == ["Ncf", "Data"]
    assert src.stats.rdata == 2


def test_nak_list_quirk_duplicate_single_nak() -> None:
    """OpenPGM follows a NAK list with a single NAK for its first sqn (notes §2.7)."""
    src = make()
    src.datagrams()
    sent(src, 10)
    src.receive(nak((5, 6)), 0.0)
    src.receive(nak((5,)), 0.0)
    src.receive(nak((6, 7)), 0.0)
    out = take(src)
    assert [summary(p) for p in out] == [
        ("Ncf", (5, 6)),
        ("Data", 5),
        ("Data", 6),
        ("Ncf", (5,)),
        ("Ncf", (6, 7)),
        ("Data", 7),
    ]


def summary(packet: packets.Packet) -> tuple[str, object]:
    if isinstance(packet, Ncf):
        return ("Ncf", packet.sqns)
    assert isinstance(packet, Data)
    return ("Data", packet.sqn)


def test_repeated_sqn_inside_one_nak_list() -> None:
    src = make()
    src.datagrams()
    sent(src, 10)
    src.receive(nak((4, 4, 3)), 0.0)
    ncf, *rdata = take(src)
    assert isinstance(ncf, Ncf)
    assert ncf.sqns == (4, 4, 3)
    assert [r.sqn for r in rdata if isinstance(r, Data)] == [4, 3]


def test_rdata_restarts_heartbeat_but_ncf_alone_does_not() -> None:
    src = make(txw_sqns=1)
    src.datagrams()
    sent(src, 2, now=0.0)  # holds 1 only
    src.receive(nak((0,)), 5.0)  # NCF only
    take(src)
    assert src.next_timer() == 0.1  # still the schedule of the ODATA at 0.0
    src.receive(nak((1,)), 5.0)
    take(src)
    assert src.next_timer() == 5.0 + 0.1


@pytest.mark.parametrize(
    "datagram",
    [
        pytest.param(nak((5,), tsi=Tsi(b"\x01" * 6, TSI.sport)), id="wrong-gsi"),
        pytest.param(nak((5,), tsi=Tsi(GSI, TSI.sport + 1)), id="wrong-dport"),
        pytest.param(nak((5,), sport=PORT + 1), id="wrong-sport"),
        pytest.param(nak((5,), source_nla="127.0.0.2"), id="wrong-source-nla"),
        pytest.param(nak((5,), group_nla="239.192.1.2"), id="wrong-group"),
        pytest.param(nak((5, 6), source_nla="10.0.0.1"), id="wrong-source-nla-list"),
    ],
)
def test_invalid_nak_is_ignored(datagram: bytes) -> None:
    src = make()
    src.datagrams()
    sent(src, 10)
    src.receive(datagram, 0.0)
    assert src.datagrams() == []
    assert (src.stats.naks, src.stats.ncfs, src.stats.rdata) == (0, 0, 0)
    assert src.stats.ignored == 1
    assert src.stats.malformed == 0


def test_parity_nak_is_ignored() -> None:
    src = make()
    src.datagrams()
    sent(src, 10)
    src.receive(with_parity(nak((5,))), 0.0)
    src.receive(with_parity(nak((5, 6))), 0.0)
    assert src.datagrams() == []
    assert (src.stats.naks, src.stats.ncfs, src.stats.rdata) == (0, 0, 0)


# -- SPMR ---------------------------------------------------------------------------------------


def test_spmr_gets_an_immediate_spm() -> None:
    src = make()
    src.datagrams()
    sent(src, 3)
    src.receive(SPMR_OWN, 0.0)
    assert take(src) == [Spm(tsi=TSI, dport=PORT, sqn=3, trail=0, lead=2, nla=NLA)]
    assert src.stats.spmrs == 1


@pytest.mark.parametrize(
    "spmr",
    [
        Spmr(tsi=Tsi(b"\x02" * 6, TSI.sport), sport=PORT),
        Spmr(tsi=Tsi(GSI, TSI.sport ^ 1), sport=PORT),
        Spmr(tsi=TSI, sport=PORT + 1),
    ],
    ids=["wrong-gsi", "wrong-dport", "wrong-sport"],
)
def test_invalid_spmr_is_ignored(spmr: Spmr) -> None:
    src = make()
    src.datagrams()
    src.receive(packets.encode(spmr), 0.0)
    assert src.datagrams() == []
    assert src.stats.ignored == 1


def test_downstream_packets_are_ignored() -> None:
    """The source may hear its own multicast (or another source's): none of it is answered."""
    src = make()
    own = [d.payload for d in src.datagrams()]
    src.send(apdu(0), 0.0)
    src.receive(nak((0,)), 0.0)
    own += [d.payload for d in src.datagrams()]
    for payload in own:
        src.receive(payload, 0.0)
    assert src.datagrams() == []
    assert (src.stats.malformed, src.stats.ignored) == (0, 0)


# -- malformed upstream -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "datagram",
    [
        b"",
        b"\x15",
        SPMR[:15],
        NAK_18[:-1],
        NAK_18[:6] + b"\x00\x01" + NAK_18[8:],  # bad checksum
        NAK_LIST_60_61[:-4],  # option list shorter than OPT_LENGTH says
    ],
    ids=["empty", "one-byte", "short-header", "short-nak", "bad-checksum", "short-options"],
)
def test_malformed_upstream_is_counted_never_raised(datagram: bytes) -> None:
    src = make(tsi=Tsi(GSI, 0x6E4A))
    src.datagrams()
    sent(src, 20)
    src.receive(datagram, 0.0)
    src.receive(memoryview(datagram), 0.0)
    assert src.datagrams() == []
    assert src.stats.malformed == 2
    assert src.malformed == 2


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_arbitrary_bytes_never_raise(datagram: bytes) -> None:
    src = make()
    src.datagrams()
    src.receive(datagram, 0.0)
    before = src.stats.malformed + src.stats.ignored
    assert before <= 1


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=36), st.integers(min_value=0, max_value=35))
def test_corrupted_nak_never_raises(noise: bytes, where: int) -> None:
    src = make()
    src.datagrams()
    sent(src, 3)
    raw = bytearray(nak((1, 2)))
    raw[where : where + len(noise)] = noise
    src.receive(bytes(raw), 0.0)
    for packet in take(src):
        assert isinstance(packet, Ncf | Data | Spm)


# -- close ----------------------------------------------------------------------------------


def test_close_sends_three_fin_spms_matching_capture() -> None:
    src = make()
    src.datagrams()
    sent(src, 12)
    for _ in range(24):
        src.receive(SPMR_OWN, 0.0)
    assert len(src.datagrams()) == 24
    src.close(1.0)
    datagrams = src.datagrams()
    assert datagrams[0].payload == SPM_FIN
    assert [packets.parse(d.payload) for d in datagrams] == [
        Spm(tsi=TSI, dport=PORT, sqn=sqn, trail=0, lead=11, nla=NLA, fin=True)
        for sqn in (27, 28, 29)
    ]
    assert src.closed
    assert src.next_timer() is None
    src.on_timer(100.0)
    src.receive(nak((3,)), 2.0)
    src.receive(SPMR_OWN, 2.0)
    src.close(3.0)
    assert src.datagrams() == []
    with pytest.raises(RuntimeError, match="closed"):
        src.send(apdu(12), 4.0)


def test_close_keeps_already_queued_datagrams_first() -> None:
    src = make()
    src.close(0.0)
    out = take(src)
    assert [(p.sqn, p.fin) for p in out if isinstance(p, Spm)] == [
        (0, False),
        (1, False),
        (2, False),
        (3, True),
        (4, True),
        (5, True),
    ]


# -- rate ---------------------------------------------------------------------------------------


def test_rate_bucket_burst_of_8_then_one_per_118ms() -> None:
    src = make(rate=12_500, max_tpdu=1500, ip_overhead=28)
    assert src.max_tsdu == 1448
    size = 1428  # libzmq's epgm APDU: TPDU 1452, IP packet 1480
    src.datagrams()
    now = 5.0
    for _ in range(8):
        assert src.rate_delay(size, now) == 0.0
        src.send(b"\x00\x00" + b"x" * (size - 2), now)
    # 12 500 - 8 * 1480 = 660 bytes left: the 9th waits for the missing 820.
    delay = src.rate_delay(size, now)
    assert delay == pytest.approx(820 / 12_500)
    assert src.rate_delay(size, now) == delay  # asking does not consume
    assert src.rate_delay(size, now + delay / 2) == pytest.approx(delay / 2)
    now += delay
    gaps = []
    for _ in range(10):
        assert src.rate_delay(size, now) == 0.0
        src.send(b"\x00\x00" + b"x" * (size - 2), now)
        gap = src.rate_delay(size, now)
        gaps.append(gap)
        now += gap
    assert gaps == pytest.approx([0.1184] * 10)
    assert [len(d.payload) for d in src.datagrams()] == [1452] * 18


def test_rate_bucket_refills_only_to_one_second() -> None:
    src = make()
    size = 1428
    for _ in range(8):
        src.send(b"\x00\x00" + b"y" * (size - 2), 0.0)
    assert src.rate_delay(size, 1000.0) == 0.0
    for _ in range(8):
        assert src.rate_delay(size, 1000.0) == 0.0
        src.send(b"\x00\x00" + b"y" * (size - 2), 1000.0)
    assert src.rate_delay(size, 1000.0) > 0.0


def test_rate_small_packets_cost_header_and_ip_overhead() -> None:
    src = make(rate=12_500, ip_overhead=20)
    # Each 2-byte APDU costs 24 + 2 + 20 = 46 bytes: 271 fit in 12 500.
    count = 0
    while src.rate_delay(2, 0.0) == 0.0:
        src.send(b"\xff\xff", 0.0)
        count += 1
    assert count == 12_500 // 46
    assert src.rate_delay(2, 0.0) == pytest.approx((46 - 12_500 % 46) / 12_500)


def test_rate_millisecond_bucket_for_high_rates() -> None:
    src = make(rate=10_000_000)  # 10 000 bytes per ms ≥ max_tpdu: a 1 ms bucket
    size = 1428
    count = 0
    while src.rate_delay(size, 0.0) == 0.0:
        src.send(b"\x00\x00" + b"z" * (size - 2), 0.0)
        count += 1
    assert count == 6  # 10 000 // 1480
    assert src.rate_delay(size, 0.0) == pytest.approx((1480 - 10_000 % 1480) / 10_000_000)


def test_burst_sets_the_least_bucket() -> None:
    """burst=0.004 at 10 MB/s: a 40 000-byte bucket (27 packets of 1480), and a caller
    woken 3 ms late refills 30 000 bytes, not just the 1 ms bucket's 10 000."""
    src = make(rate=10_000_000, burst=0.004)
    size = 1428
    sent = 0
    while src.rate_delay(size, 0.0) == 0.0:
        src.send(b"\x00\x00" + b"z" * (size - 2), 0.0)
        sent += 1
    assert sent == 27  # 40 000 // 1480
    again = 0
    while src.rate_delay(size, 0.003) == 0.0:
        src.send(b"\x00\x00" + b"z" * (size - 2), 0.003)
        again += 1
    assert again == 20  # (40 000 % 1480 + 30 000) // 1480


@pytest.mark.parametrize("burst", [-0.1, 1.5, "0.1"])
def test_burst_out_of_range_is_refused(burst: object) -> None:
    with pytest.raises(ValueError, match=r"burst must be 0\.0 to 1\.0 seconds"):
        make(burst=burst)


def test_send_without_asking_still_charges_the_bucket() -> None:
    src = make()
    for _ in range(10):
        src.send(b"\x00\x00" + b"q" * 1426, 0.0)
    # 10 * 1480 = 14 800 taken from 12 500: the bucket is 2 300 in debt, the next needs 3 780.
    assert src.rate_delay(1428, 0.0) == pytest.approx((11 * 1480 - 12_500) / 12_500)


def test_rdata_and_spm_are_not_rate_limited() -> None:
    src = make()
    for _ in range(8):
        src.send(b"\x00\x00" + b"r" * 1426, 0.0)
    before = src.rate_delay(1428, 0.0)
    src.receive(nak(tuple(range(8))), 0.0)
    src.receive(SPMR_OWN, 0.0)
    assert src.rate_delay(1428, 0.0) == before
    assert src.stats.rdata == 8


# -- argument validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("tsi", (GSI,), "tsi"),
        ("tsi", Tsi(b"\x00" * 5, 1000), "tsi.gsi"),
        ("tsi", Tsi(GSI, 70_000), "tsi.sport"),
        ("tsi", Tsi(GSI, PORT), "tsi.sport"),
        ("port", 0, "port"),
        ("port", 65_536, "port"),
        ("port", "5555", "port"),
        ("nla", "127.0.0", "nla"),
        ("nla", "239.1.1.1", "nla"),
        ("nla", "0.0.0.0", "nla"),
        ("nla", "::1", "nla"),
        ("group", "239.192.1", "group"),
        ("group", b"239.192.1.1", "group"),
        ("txw_sqns", 0, "txw_sqns"),
        ("txw_sqns", 1 << 31, "txw_sqns"),
        ("txw_sqns", True, "txw_sqns"),
        ("rate", 0, "rate"),
        ("rate", -12_500, "rate"),
        ("rate", 1499, "rate"),  # below max_tpdu: a full packet would never fit the bucket
        ("rate", 12_500.0, "rate"),
        ("max_tpdu", 53, "max_tpdu"),
        ("max_tpdu", 70_000, "max_tpdu"),
        ("ip_overhead", -1, "ip_overhead"),
        ("now", math.nan, "now"),
        ("now", math.inf, "now"),
        ("now", "0", "now"),
    ],
)
def test_constructor_validates(name: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=rf"^{message.replace('.', '[.]')}\b"):
        make(**{name: value})


def test_constructor_accepts_edges() -> None:
    src = make(txw_sqns=1, rate=54, max_tpdu=54, ip_overhead=28, port=1, tsi=Tsi(GSI, 0))
    assert src.max_tsdu == 2
    src = make(txw_sqns=(1 << 31) - 1, rate=1 << 40, port=65_535)
    assert src.txw_sqns == (1 << 31) - 1
    assert (src.tsi, src.port, src.nla, src.group) == (TSI, 65_535, NLA, GROUP)


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00", b"\x00\x05abc", b"\xff\xfeab", b"\x00\x00" + b"a" * 1447],
    ids=["empty", "one-byte", "offset-beyond", "offset-fffe", "too-long"],
)
def test_send_refuses_apdus_that_crash_libzmq(payload: bytes) -> None:
    src = make()
    src.datagrams()
    with pytest.raises(ValueError, match="apdu"):
        src.send(payload, 0.0)
    assert src.datagrams() == []
    assert src.lead == 0xFFFFFFFF


@pytest.mark.parametrize(
    "payload",
    [b"\x00\x00", b"\xff\xff", b"\x00\x03abc", b"\xff\xff" + b"a" * 1446],
    ids=["offset-only", "no-offset", "offset-at-end", "max-size"],
)
def test_send_accepts_edge_apdus(payload: bytes) -> None:
    src = make()
    src.datagrams()
    src.send(payload, 0.0)
    (data,) = take(src)
    assert isinstance(data, Data)
    assert data.payload == payload


@pytest.mark.parametrize("size", [0, 1, 1449, True])
def test_rate_delay_validates_size(size: int) -> None:
    with pytest.raises(ValueError, match="apdu_size"):
        make().rate_delay(size, 0.0)


def test_time_arguments_are_validated() -> None:
    src = make()
    with pytest.raises(ValueError, match="now"):
        src.send(apdu(0), math.nan)
    with pytest.raises(ValueError, match="now"):
        src.on_timer(math.inf)
    with pytest.raises(ValueError, match="now"):
        src.close(math.nan)
    with pytest.raises(ValueError, match="now"):
        src.receive(SPMR_OWN, math.nan)


# -- properties ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    txw=st.integers(min_value=1, max_value=20),
    count=st.integers(min_value=0, max_value=60),
    requests=st.lists(
        st.lists(st.integers(min_value=0, max_value=70), min_size=1, max_size=63),
        max_size=5,
    ),
)
def test_repairs_match_the_window(txw: int, count: int, requests: list[list[int]]) -> None:
    src = make(txw_sqns=txw)
    src.datagrams()
    data = sent(src, count)
    held = set(range(max(0, count - txw), count))
    trail = max(0, count - txw)
    assert all(d.trail == max(0, d.sqn - txw + 1) for d in data)
    for request in requests:
        sqns = tuple(request)
        src.receive(nak(sqns), 0.0)
        ncf, *rdata = take(src)
        assert ncf == Ncf(tsi=TSI, dport=PORT, sqns=sqns, source_nla=NLA, group_nla=GROUP)
        expected = list(dict.fromkeys(s for s in sqns if s in held))
        assert rdata == [
            Data(tsi=TSI, dport=PORT, sqn=s, trail=trail, payload=apdu(s), repair=True)
            for s in expected
        ]
    src.receive(SPMR_OWN, 0.0)
    (spm,) = take(src)
    assert isinstance(spm, Spm)
    assert (spm.trail, spm.lead) == (trail, (count - 1) & MASK)


def test_imports_are_layer_2() -> None:
    path = Path(source_module.__file__)
    forbidden = {"asyncio", "socket", "time", "threading", "select", "selectors", "random"}
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.module == "packets"
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top not in forbidden, name
            assert top in sys.stdlib_module_names, name
