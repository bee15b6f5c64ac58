"""PGM receiver state machine (RFC 3208 §6.3), sans-I/O.

One ``Receiver`` serves one endpoint (group ``G``, port ``P``). It takes the
downstream datagrams (SPM, ODATA, RDATA, NCF) addressed to PGM port ``P``, keeps one
peer per source (TSI), puts each source's data back in sequence order, asks for
missing sequence numbers with NAKs, and feeds the ordered APDUs into a per-TSI
``StreamDecoder``, which yields whole messages.

Nothing here does I/O, reads a clock or draws random numbers: the caller passes
``now`` (seconds, any monotonic origin) and a ``rand`` callable returning
floats in [0, 1). The caller then collects what the receiver produced:

- ``Receiver.messages``: delivered whole messages, in order per TSI;
- ``Receiver.losses``: ``Loss`` events for sequence numbers that can no
  longer be repaired;
- ``Receiver.datagrams``: NAKs (unicast to the source's NLA at ``P``) and
  SPMRs (to the group and to the source's IP address, both at ``P``);

and calls ``Receiver.on_timer`` at ``Receiver.next_timer``.

Receive window, per TSI (sequence numbers are 32-bit serial numbers):

- the first ODATA/RDATA defines it at its own sequence number, a first SPM at
  ``lead + 1``; nothing older is ever requested (no history on a late join);
- it spans ``next`` (the oldest sequence number not yet delivered) to ``lead``
  (the newest one known), at most ``rxw_sqns`` sequence numbers; every number in it
  is either held data or a placeholder for missing data;
- a data packet beyond the lead, an SPM lead beyond it, or an NCF beyond it creates
  placeholders; when the window would exceed ``rxw_sqns``, its oldest sequence
  numbers are pushed out, and the missing ones among them are lost;
- a trail (from an SPM or a data packet) that passes undelivered sequence numbers
  makes the missing ones lost.

Each placeholder runs the NAK state machine of RFC 3208 §6.3 with OpenPGM's
rules: BACK_OFF (random ``rand() * nak_bo_ivl``) → NAK → WAIT_NCF
(``nak_rpt_ivl``); an NCF moves it to WAIT_DATA (``nak_rdata_ivl``); a timeout in
either wait state counts a retry and backs off again, and after
``nak_ncf_retries`` / ``nak_data_retries`` timeouts the sequence number is lost.
Placeholders whose back-off expires in the same ``Receiver.on_timer`` pass go
out as one NAK with OPT_NAK_LIST (at most 63 sequence numbers per NAK). While no
SPM has given the source's NLA, due NAKs stay in back-off and go out as soon as an
SPM arrives (OpenPGM would declare them lost at once).

Loss is processed in sequence order: when delivery reaches a lost sequence number,
the TSI's decoder is reset (dropping any partial message), one ``Loss`` is
reported for the run of consecutive lost numbers, and delivery resumes at the next
message start, so a partial message is never delivered.

Layer 2: imports the standard library and ``aiomq.pgm`` only.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from .framing import StreamDecoder
from .packets import (
    Data,
    Datagram,
    Nak,
    Ncf,
    PacketError,
    Spm,
    Spmr,
    Tsi,
    encode,
    parse,
    serial_diff,
)

__all__ = ["MAX_NAK_SQNS", "Loss", "Receiver"]

MAX_NAK_SQNS = 63
"""Most sequence numbers in one NAK: the header's plus 62 in OPT_NAK_LIST."""

_MASK = 0xFFFFFFFF
_HALF = 1 << 31


@dataclass(frozen=True, slots=True)
class Loss:
    """Unrecoverable loss of consecutive sequence numbers from one source.

    Attributes:
        tsi: The source.
        sqns: How many consecutive sequence numbers were lost. Any message that
            was being received when the loss was reached has been dropped too.
    """

    tsi: Tsi
    sqns: int


class _State(enum.Enum):
    BACK_OFF = enum.auto()
    WAIT_NCF = enum.auto()
    WAIT_DATA = enum.auto()
    LOST = enum.auto()


@dataclass(slots=True)
class _Missing:
    """A placeholder for a missing sequence number and its NAK state."""

    state: _State
    expiry: float
    ncf_retries: int = 0
    data_retries: int = 0


class _Peer:
    """Receive state of one source (TSI)."""

    __slots__ = (
        "decoder",
        "expiry",
        "held",
        "lead",
        "lost_run",
        "missing",
        "next",
        "nla",
        "source_address",
        "spm_sqn",
        "spmr_due",
        "tsi",
    )

    def __init__(
        self, tsi: Tsi, source_address: str, decoder: StreamDecoder, expiry: float, first: int
    ) -> None:
        self.tsi = tsi
        self.source_address = source_address
        self.decoder = decoder
        self.expiry = expiry
        self.nla: str | None = None
        self.spm_sqn: int | None = None
        self.spmr_due: float | None = None
        self.next = first
        self.lead = (first - 1) & _MASK
        self.held: dict[int, bytes] = {}
        self.missing: dict[int, _Missing] = {}
        self.lost_run = 0


class Receiver:
    """Receive side of PGM for one endpoint: gap detection, NAKs, ordering, framing.

    Args:
        port: The endpoint port ``P``: the PGM destination port of downstream
            packets, the PGM source port of NAKs/SPMRs and the UDP port they go to.
        group: The multicast group ``G`` (dotted quad): the group NLA of NAKs, the
            group NLA that NCFs must carry, and the multicast destination of SPMRs.
        rxw_sqns: Receive window capacity in sequence numbers (libzmq: 80).
        rand: Returns a float in [0, 1); each NAK back-off is ``rand() * nak_bo_ivl``.
        max_msg_size: Largest message body accepted by the decoders (-1: no limit).
        nak_bo_ivl: Upper bound of the random NAK back-off, seconds.
        nak_rpt_ivl: How long to wait for an NCF after a NAK, seconds.
        nak_rdata_ivl: How long to wait for RDATA after an NCF, seconds.
        nak_ncf_retries: WAIT_NCF timeouts after which a sequence number is lost.
        nak_data_retries: WAIT_DATA timeouts after which a sequence number is lost.
        spmr_expiry: Delay before an SPMR for a new source that sent no SPM, seconds.
        peer_expiry: A source is forgotten this long after its last SPM, seconds.

    Raises:
        ValueError: ``rxw_sqns`` is not in 1..2**31-1.
    """

    def __init__(
        self,
        *,
        port: int,
        group: str,
        rxw_sqns: int,
        rand: Callable[[], float],
        max_msg_size: int = -1,
        nak_bo_ivl: float = 0.05,
        nak_rpt_ivl: float = 0.2,
        nak_rdata_ivl: float = 0.2,
        nak_ncf_retries: int = 50,
        nak_data_retries: int = 50,
        spmr_expiry: float = 0.025,
        peer_expiry: float = 300.0,
    ) -> None:
        if not 1 <= rxw_sqns < _HALF:
            raise ValueError(f"rxw_sqns must be in 1..2**31-1, not {rxw_sqns}")
        self._port = port
        self._group = group
        self._rxw_sqns = rxw_sqns
        self._rand = rand
        self._max_msg_size = max_msg_size
        self._nak_bo_ivl = nak_bo_ivl
        self._nak_rpt_ivl = nak_rpt_ivl
        self._nak_rdata_ivl = nak_rdata_ivl
        self._nak_ncf_retries = nak_ncf_retries
        self._nak_data_retries = nak_data_retries
        self._spmr_expiry = spmr_expiry
        self._peer_expiry = peer_expiry
        self._peers: dict[Tsi, _Peer] = {}
        self._messages: list[tuple[Tsi, tuple[bytes, ...]]] = []
        self._losses: list[Loss] = []
        self._datagrams: list[Datagram] = []
        self.malformed = 0
        """Datagrams that failed to parse (bad length, checksum, options)."""
        self.ignored = 0
        """Well-formed datagrams not used: other port, upstream, stale SPMs, foreign NCFs."""
        self.duplicates = 0
        """Data packets for sequence numbers already held, delivered or given up."""
        self.naks_sent = 0
        """NAK packets queued (a NAK with a list counts once)."""
        self.spmrs_sent = 0
        """SPMRs sent (each goes out as two datagrams)."""
        self.lost = 0
        """Sequence numbers reported lost, in total."""

    # -- caller interface ---------------------------------------------------------------

    def peers(self) -> list[Tsi]:
        """Return the sources currently known, in the order they were first seen."""
        return list(self._peers)

    def receive(self, datagram: bytes | memoryview, source_address: str, now: float) -> None:
        """Process one datagram carrying a PGM packet.

        Only SPM, ODATA, RDATA and NCF whose PGM destination port is ``port`` are
        used; everything else is counted in ``ignored``, and malformed packets
        in ``malformed``. Never raises for bad input.

        Args:
            datagram: The PGM packet (the UDP payload, or the IP payload for raw PGM).
            source_address: The IP source address of the datagram (dotted quad);
                SPMRs for a new source are also sent there.
            now: The current time, seconds.
        """
        try:
            packet = parse(datagram)
        except PacketError:
            self.malformed += 1
            return
        if isinstance(packet, Data):
            if packet.dport == self._port:
                self._on_data(packet, source_address, now)
                return
        elif isinstance(packet, Spm):
            if packet.dport == self._port:
                self._on_spm(packet, source_address, now)
                return
        elif isinstance(packet, Ncf) and packet.dport == self._port:
            self._on_ncf(packet, now)
            return
        self.ignored += 1

    def messages(self) -> list[tuple[Tsi, tuple[bytes, ...]]]:
        """Take the whole messages delivered so far, in order per source."""
        taken, self._messages = self._messages, []
        return taken

    def losses(self) -> list[Loss]:
        """Take the loss events reported so far, in order per source."""
        taken, self._losses = self._losses, []
        return taken

    def datagrams(self) -> list[Datagram]:
        """Take the datagrams to send now (NAKs and SPMRs), in order."""
        taken, self._datagrams = self._datagrams, []
        return taken

    def next_timer(self) -> float | None:
        """Return the absolute time at which ``on_timer`` is next needed, or None.

        The time may already have passed (e.g. NAKs that became sendable when an
        SPM brought the source's NLA): call ``on_timer`` at once then.
        """
        best: float | None = None
        for peer in self._peers.values():
            times = [peer.expiry]
            if peer.spmr_due is not None:
                times.append(peer.spmr_due)
            for missing in peer.missing.values():
                if missing.state is _State.LOST:
                    continue
                if missing.state is _State.BACK_OFF and peer.nla is None:
                    continue
                times.append(missing.expiry)
            earliest = min(times)
            if best is None or earliest < best:
                best = earliest
        return best

    def on_timer(self, now: float) -> None:
        """Run everything due at ``now``: peer expiry, SPMRs, NAKs, NAK timeouts.

        Args:
            now: The current time, seconds.
        """
        for peer in list(self._peers.values()):
            if now >= peer.expiry:
                self._expire(peer)
                continue
            if peer.spmr_due is not None and now >= peer.spmr_due:
                peer.spmr_due = None
                self._send_spmr(peer)
            if not peer.missing:
                continue
            self._send_naks(peer, now)
            self._check_timeouts(peer, now)
            self._deliver(peer)

    # -- packet handlers ----------------------------------------------------------------

    def _new_peer(self, tsi: Tsi, source_address: str, now: float, first: int) -> _Peer:
        """Create a peer whose receive window starts at sequence number ``first``."""
        decoder = StreamDecoder(self._max_msg_size)
        peer = _Peer(tsi, source_address, decoder, now + self._peer_expiry, first)
        self._peers[tsi] = peer
        return peer

    def _on_spm(self, spm: Spm, source_address: str, now: float) -> None:
        peer = self._peers.get(spm.tsi)
        if peer is None:
            peer = self._new_peer(spm.tsi, source_address, now, (spm.lead + 1) & _MASK)
        elif peer.spm_sqn is not None and serial_diff(spm.sqn, peer.spm_sqn) < 0:
            self.ignored += 1
            return
        peer.spm_sqn = spm.sqn
        peer.nla = spm.nla
        peer.expiry = now + self._peer_expiry
        peer.spmr_due = None
        self._update_trail(peer, spm.trail, (spm.lead + 1) & _MASK)
        if serial_diff(spm.lead, peer.lead) > 0:
            self._extend(peer, spm.lead, now, last_is_data=False)
        self._deliver(peer)

    def _on_data(self, data: Data, source_address: str, now: float) -> None:
        sqn = data.sqn
        peer = self._peers.get(data.tsi)
        if peer is None:
            peer = self._new_peer(data.tsi, source_address, now, sqn)
            peer.spmr_due = now + self._spmr_expiry
        if serial_diff(sqn, peer.lead) > 0:
            self._extend(peer, sqn, now, last_is_data=True)
            peer.held[sqn] = data.payload
        elif serial_diff(sqn, peer.next) >= 0 and peer.missing.pop(sqn, None) is not None:
            peer.held[sqn] = data.payload
        else:
            self.duplicates += 1
        self._update_trail(peer, data.trail, sqn)
        self._deliver(peer)

    def _on_ncf(self, ncf: Ncf, now: float) -> None:
        peer = self._peers.get(ncf.tsi)
        if peer is None or ncf.group_nla != self._group:
            self.ignored += 1
            return
        for sqn in ncf.sqns:
            if serial_diff(sqn, peer.next) < 0:
                continue
            if serial_diff(sqn, peer.lead) > 0:
                self._extend(peer, sqn, now, last_is_data=False)
            missing = peer.missing.get(sqn)
            if missing is None or missing.state is _State.LOST:
                continue
            missing.state = _State.WAIT_DATA
            missing.expiry = now + self._nak_rdata_ivl
        self._deliver(peer)

    # -- window ---------------------------------------------------------------------------

    def _extend(self, peer: _Peer, new_lead: int, now: float, *, last_is_data: bool) -> None:
        """Move the lead forward to ``new_lead``, with placeholders for the gap.

        The placeholders created together share one back-off, so that they expire
        together and go out in one NAK. With ``last_is_data``, ``new_lead`` itself
        gets no placeholder: the caller stores its data.
        """
        if serial_diff(new_lead, peer.next) >= self._rxw_sqns:
            self._skip_to(peer, (new_lead - self._rxw_sqns + 1) & _MASK)
        start = (peer.lead + 1) & _MASK
        count = serial_diff(new_lead, start) + (0 if last_is_data else 1)
        if count > 0:
            expiry = now + self._rand() * self._nak_bo_ivl
            for i in range(count):
                peer.missing[(start + i) & _MASK] = _Missing(_State.BACK_OFF, expiry)
        peer.lead = new_lead

    def _update_trail(self, peer: _Peer, trail: int, limit: int) -> None:
        """Apply the source's trail: sequence numbers before it can no longer be repaired.

        A trail beyond ``limit`` (the packet's own sqn, or an SPM's lead + 1) is
        inconsistent and ignored.
        """
        if serial_diff(trail, peer.next) > 0 and serial_diff(trail, limit) <= 0:
            self._skip_to(peer, trail)

    def _skip_to(self, peer: _Peer, new_next: int) -> None:
        """Move ``next`` forward to ``new_next``: deliver held data, lose the rest."""
        sqn = peer.next
        while serial_diff(new_next, sqn) > 0 and serial_diff(peer.lead, sqn) >= 0:
            payload = peer.held.pop(sqn, None)
            if payload is None:
                del peer.missing[sqn]
                self._lose(peer, 1)
            else:
                self._feed(peer, payload)
            sqn = (sqn + 1) & _MASK
        beyond = serial_diff(new_next, sqn)
        if beyond > 0:
            self._lose(peer, beyond)
        peer.next = new_next
        if serial_diff(peer.lead, new_next) < 0:
            peer.lead = (new_next - 1) & _MASK
        self._flush_loss(peer)

    def _deliver(self, peer: _Peer) -> None:
        """Deliver held data and process lost sequence numbers from ``next`` on, in order."""
        while serial_diff(peer.lead, peer.next) >= 0:
            sqn = peer.next
            payload = peer.held.pop(sqn, None)
            if payload is None:
                if peer.missing[sqn].state is not _State.LOST:
                    break
                del peer.missing[sqn]
                self._lose(peer, 1)
            else:
                self._feed(peer, payload)
            peer.next = (sqn + 1) & _MASK
        self._flush_loss(peer)

    def _feed(self, peer: _Peer, payload: bytes) -> None:
        self._flush_loss(peer)
        for message in peer.decoder.feed(payload):
            self._messages.append((peer.tsi, message))

    def _lose(self, peer: _Peer, count: int) -> None:
        if not peer.lost_run:
            peer.decoder.reset()
        peer.lost_run += count
        self.lost += count

    def _flush_loss(self, peer: _Peer) -> None:
        if peer.lost_run:
            self._losses.append(Loss(peer.tsi, peer.lost_run))
            peer.lost_run = 0

    def _expire(self, peer: _Peer) -> None:
        """Forget a source: whatever is still missing is lost, held data is delivered."""
        for missing in peer.missing.values():
            missing.state = _State.LOST
        self._deliver(peer)
        del self._peers[peer.tsi]

    # -- timers -----------------------------------------------------------------------------

    def _send_spmr(self, peer: _Peer) -> None:
        payload = encode(Spmr(tsi=peer.tsi, sport=self._port))
        self._datagrams.append(Datagram(payload=payload, address=self._group, port=self._port))
        self._datagrams.append(
            Datagram(payload=payload, address=peer.source_address, port=self._port)
        )
        self.spmrs_sent += 1

    def _send_naks(self, peer: _Peer, now: float) -> None:
        """Send one NAK (with a list) per 63 placeholders whose back-off has expired."""
        nla = peer.nla
        if nla is None:
            return
        due = sorted(
            (
                sqn
                for sqn, missing in peer.missing.items()
                if missing.state is _State.BACK_OFF and missing.expiry <= now
            ),
            key=lambda sqn: serial_diff(sqn, peer.next),
        )
        for start in range(0, len(due), MAX_NAK_SQNS):
            sqns = tuple(due[start : start + MAX_NAK_SQNS])
            nak = Nak(
                tsi=peer.tsi, sport=self._port, sqns=sqns, source_nla=nla, group_nla=self._group
            )
            self._datagrams.append(Datagram(payload=encode(nak), address=nla, port=self._port))
            self.naks_sent += 1
        expiry = now + self._nak_rpt_ivl
        for sqn in due:
            missing = peer.missing[sqn]
            missing.state = _State.WAIT_NCF
            missing.expiry = expiry

    def _check_timeouts(self, peer: _Peer, now: float) -> None:
        """Time out WAIT_NCF / WAIT_DATA placeholders: back off again, or give up."""
        back_off: float | None = None
        for missing in peer.missing.values():
            if missing.expiry > now:
                continue
            if missing.state is _State.WAIT_NCF:
                missing.ncf_retries += 1
                gave_up = missing.ncf_retries >= self._nak_ncf_retries
            elif missing.state is _State.WAIT_DATA:
                missing.data_retries += 1
                gave_up = missing.data_retries >= self._nak_data_retries
            else:
                continue
            if gave_up:
                missing.state = _State.LOST
                continue
            if back_off is None:
                back_off = now + self._rand() * self._nak_bo_ivl
            missing.state = _State.BACK_OFF
            missing.expiry = back_off
