"""The PGM sender (source) state machine, sans-I/O.

A ``Source`` is one transport session identifier (TSI) sending to one multicast group.
It does what an OpenPGM source does for a libzmq PUB (PGM notes §2, §4.1, §4.2, §5.2):

- three SPMs at start (SPM sqn 0, 1, 2; trail 0; lead 0xFFFFFFFF);
- ODATA with sqn = ++lead into a transmit window of ``txw_sqns`` packets; the advertised trail
  is the oldest sqn really held (0 until the window is full, then ``lead - txw_sqns + 1``);
- heartbeat SPMs 0.1, 0.2, 0.3, 0.4, 0.5, 1.8, 8.8 and 24.8 s after the last ODATA/RDATA,
  and an ambient SPM every 30 s regardless of data;
- validated NAKs (single or with OPT_NAK_LIST) answered at once by an NCF mirroring them,
  then RDATA for every requested sqn still held;
- an SPM at once for a valid SPMR;
- three SPMs with OPT_FIN on close;
- an ODATA token bucket (``Source.rate_delay``) as OpenPGM's ``rate_control.c``.

The class does no I/O and reads no clock: the caller passes ``now`` (seconds, any monotonic
origin), feeds upstream datagrams to ``Source.receive``, sends what
``Source.datagrams`` returns, and calls ``Source.on_timer`` at
``Source.next_timer``. Every downstream datagram goes to ``(group, port)``.

Layer 2: imports the standard library and ``aiomq.pgm`` only.
"""

from __future__ import annotations

import ipaddress
import math
from collections import deque
from dataclasses import dataclass

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
)

__all__ = [
    "AMBIENT_SPM_INTERVAL",
    "DATA_HEADER_SIZE",
    "HEARTBEAT_SPM_OFFSETS",
    "Source",
    "SourceStats",
]

HEARTBEAT_SPM_OFFSETS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 1.8, 8.8, 24.8)
"""Seconds after the last ODATA/RDATA at which heartbeat SPMs go out (as observed from libzmq)."""

AMBIENT_SPM_INTERVAL = 30.0
"""Seconds between ambient SPMs, which go out whether or not data flows."""

DATA_HEADER_SIZE = 24
"""PGM common header (16) + ODATA/RDATA header (8): the TPDU size of an empty payload."""

_START_SPMS = 3
_FIN_SPMS = 3
_MASK = 0xFFFFFFFF
_MAX_WINDOW = 1 << 31  # serial arithmetic cannot tell apart more sqns than this
_NO_OFFSET = 0xFFFF
_EPSILON = 1e-6  # bytes: float slack in the token bucket


@dataclass(slots=True)
class SourceStats:
    """Counters of a ``Source``.

    Attributes:
        odata: ODATA packets queued.
        rdata: RDATA packets queued.
        naks: Valid NAK packets received (a NAK list counts once).
        ncfs: NCF packets queued.
        spms: SPM packets queued (start, heartbeat, ambient, SPMR answers and FIN).
        spmrs: Valid SPMRs received.
        malformed: Upstream datagrams that failed to parse (bad length, checksum, options).
        ignored: Well-formed NAKs and SPMRs refused by validation (other TSI, ports or NLAs).
    """

    odata: int = 0
    rdata: int = 0
    naks: int = 0
    ncfs: int = 0
    spms: int = 0
    spmrs: int = 0
    malformed: int = 0
    ignored: int = 0


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
    return value


def _check_ipv4(name: str, value: object) -> ipaddress.IPv4Address:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a dotted-quad IPv4 address str, got {value!r}")
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{name} must be a dotted-quad IPv4 address, got {value!r}") from None


def _check_now(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"now must be a finite number of seconds, got {value!r}")
    return float(value)


class Source:
    """The sending side of one PGM transport session.

    Args:
        tsi: This source's TSI: a 6-byte GSI and the data-source port (PGM sport of every
            downstream packet, PGM dport of upstream NAKs/SPMRs). Must differ from ``port``.
        port: The endpoint port ``P``: PGM dport downstream, PGM sport upstream, and the UDP
            port every datagram is sent to. 1-65535.
        nla: This host's unicast IPv4 address ``A``, advertised in SPMs; receivers send NAKs
            there, and a NAK must name it as its source NLA.
        group: The IPv4 group every datagram is sent to; a NAK must name it as its group NLA.
        txw_sqns: Transmit window size in packets (libzmq: ``compute_sqns``, 80 by default),
            1 to 2**31 - 1.
        rate: ODATA rate limit in bytes per second (libzmq: ``ZMQ_RATE * 1000 // 8``). Must be
            at least ``max_tpdu``, as OpenPGM requires, so that a full packet fits the bucket.
        max_tpdu: Largest IP packet, headers included (``ZMQ_MULTICAST_MAXTPDU``, 1500).
        ip_overhead: IP (and UDP) header bytes added to each TPDU: 28 for epgm, 20 for raw pgm.
        now: The current time in seconds; the ambient SPM timer starts here.
        burst: The least time, in seconds, the token bucket holds (0: OpenPGM's rule
            alone). A caller woken later than it asked (an event loop's timers are coarse)
            loses the refill above the bucket's capacity; a bucket of a few milliseconds
            keeps such a caller at ``rate``.

    Raises:
        ValueError: An argument is out of range or of the wrong type; the message names it.
    """

    def __init__(
        self,
        *,
        tsi: Tsi,
        port: int,
        nla: str,
        group: str,
        txw_sqns: int,
        rate: int,
        max_tpdu: int,
        ip_overhead: int,
        now: float,
        burst: float = 0.0,
    ) -> None:
        if not isinstance(tsi, tuple) or len(tsi) != 2:
            raise ValueError(f"tsi must be a Tsi(gsi, sport), got {tsi!r}")
        gsi, sport = tsi
        if not isinstance(gsi, bytes) or len(gsi) != 6:
            raise ValueError(f"tsi.gsi must be 6 bytes, got {gsi!r}")
        _check_int("tsi.sport", sport, 0, 0xFFFF)
        self._port = _check_int("port", port, 1, 0xFFFF)
        if sport == port:
            raise ValueError(f"tsi.sport must differ from port, both are {port}")
        address = _check_ipv4("nla", nla)
        if address.is_multicast or address.is_unspecified:
            raise ValueError(f"nla must be a unicast IPv4 address, got {nla!r}")
        self._nla = str(address)
        self._group = str(_check_ipv4("group", group))
        self._txw_sqns = _check_int("txw_sqns", txw_sqns, 1, _MAX_WINDOW - 1)
        self._ip_overhead = _check_int("ip_overhead", ip_overhead, 0, 0xFFFF)
        low_tpdu = ip_overhead + DATA_HEADER_SIZE + 2
        self._max_tpdu = _check_int("max_tpdu", max_tpdu, low_tpdu, 0xFFFF + ip_overhead)
        self._rate = _check_int("rate", rate, max(1, max_tpdu), 1 << 62)
        start = _check_now(now)

        self._tsi = Tsi(gsi, sport)
        self._lead = _MASK  # last ODATA sqn sent; the first ODATA is 0
        self._window: deque[bytes] = deque()  # payloads of sqns trail..lead
        self._spm_sqn = 0
        self._queue: list[Datagram] = []
        self._repairs: set[int] = set()  # sqns with RDATA queued and not yet taken
        self._closed = False
        self.stats = SourceStats()

        # Token bucket (OpenPGM rate_control.c): one second's worth, or one millisecond's worth
        # when that already holds a full TPDU; at least ``burst`` seconds' worth; starts full.
        if not isinstance(burst, int | float) or not 0.0 <= burst <= 1.0:
            raise ValueError(f"burst must be 0.0 to 1.0 seconds, not {burst!r}")
        per_ms = rate // 1000
        self._capacity = max(float(per_ms if per_ms >= max_tpdu else rate), rate * burst)
        self._tokens = self._capacity
        self._bucket_time = start

        self._next_ambient = start + AMBIENT_SPM_INTERVAL
        self._last_data: float | None = None
        self._heartbeat = 0  # index into HEARTBEAT_SPM_OFFSETS of the next heartbeat

        for _ in range(_START_SPMS):
            self._queue_spm()

    # -- read-only state -------------------------------------------------------------------

    @property
    def tsi(self) -> Tsi:
        """This source's TSI."""
        return self._tsi

    @property
    def port(self) -> int:
        """The endpoint port ``P``."""
        return self._port

    @property
    def nla(self) -> str:
        """The unicast address advertised in SPMs."""
        return self._nla

    @property
    def group(self) -> str:
        """The multicast group datagrams go to."""
        return self._group

    @property
    def txw_sqns(self) -> int:
        """The transmit window size in packets."""
        return self._txw_sqns

    @property
    def max_tsdu(self) -> int:
        """Largest APDU ``send`` accepts: ``max_tpdu - ip_overhead - 24``."""
        return self._max_tpdu - self._ip_overhead - DATA_HEADER_SIZE

    @property
    def lead(self) -> int:
        """Sqn of the last ODATA sent (0xFFFFFFFF before any)."""
        return self._lead

    @property
    def trail(self) -> int:
        """Oldest sqn still held for repair (0 before any data, as OpenPGM)."""
        return (self._lead + 1 - len(self._window)) & _MASK

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._closed

    @property
    def malformed(self) -> int:
        """Upstream datagrams that failed to parse (same as ``stats.malformed``)."""
        return self.stats.malformed

    # -- sending ---------------------------------------------------------------------------

    def rate_delay(self, apdu_size: int, now: float) -> float:
        """Seconds to wait before an ODATA of ``apdu_size`` bytes may be sent.

        The bucket refills at ``rate`` bytes per second up to its capacity; one ODATA costs
        ``24 + apdu_size + ip_overhead`` bytes, taken by ``send``. Only ODATA is limited
        (SPM, NCF and RDATA are not, as in libzmq).

        Args:
            apdu_size: Size of the APDU about to be sent.
            now: The current time.

        Returns:
            0.0 if the bucket holds enough now, else the time until it will.

        Raises:
            ValueError: ``apdu_size`` is outside 2..``max_tsdu``.
        """
        _check_int("apdu_size", apdu_size, 2, self.max_tsdu)
        self._refill(now)
        deficit = DATA_HEADER_SIZE + apdu_size + self._ip_overhead - self._tokens
        if deficit <= _EPSILON:
            return 0.0
        return deficit / self._rate

    def send(self, apdu: bytes, now: float) -> None:
        """Queue one APDU as ODATA (one TPDU, no options).

        The APDU takes sqn ``lead + 1`` and enters the transmit window, evicting the oldest
        packet beyond ``txw_sqns`` (the trail advances). The bucket is charged whether or not
        ``rate_delay`` was asked first, and the heartbeat SPM schedule restarts.

        Args:
            apdu: libzmq's APDU: a 2-byte offset then stream data. Never shorter than 2 bytes
                nor longer than ``max_tsdu``; the offset is 0xFFFF or at most the data
                length (shapes that abort a libzmq 4.3.4 SUB are refused, notes §3.6).
            now: The current time.

        Raises:
            ValueError: The APDU has a forbidden size or offset.
            RuntimeError: The source is closed.
        """
        if self._closed:
            raise RuntimeError("PGM source is closed")
        payload = bytes(apdu)
        if not 2 <= len(payload) <= self.max_tsdu:
            raise ValueError(f"apdu must be 2 to {self.max_tsdu} bytes, got {len(payload)}")
        offset = int.from_bytes(payload[:2], "big")
        if offset != _NO_OFFSET and offset > len(payload) - 2:
            raise ValueError(f"apdu offset {offset} is beyond its {len(payload) - 2} data bytes")
        self._refill(now)
        self._tokens -= DATA_HEADER_SIZE + len(payload) + self._ip_overhead
        self._lead = (self._lead + 1) & _MASK
        self._window.append(payload)
        if len(self._window) > self._txw_sqns:
            self._window.popleft()
        packet = Data(
            tsi=self._tsi, dport=self._port, sqn=self._lead, trail=self.trail, payload=payload
        )
        self._emit(encode(packet))
        self.stats.odata += 1
        self._restart_heartbeat(now)

    def close(self, now: float) -> None:
        """Queue three SPMs with OPT_FIN and stop: no more timers, sends or repairs.

        Calling it again does nothing.

        Args:
            now: The current time.
        """
        _check_now(now)
        if self._closed:
            return
        self._closed = True
        for _ in range(_FIN_SPMS):
            self._queue_spm(fin=True)

    def datagrams(self) -> list[Datagram]:
        """Take every datagram queued so far, oldest first.

        Returns:
            SPMs, ODATA, NCFs and RDATA in the order they were produced, each to
            ``(group, port)``.
        """
        out = self._queue
        self._queue = []
        self._repairs.clear()
        return out

    # -- upstream --------------------------------------------------------------------------

    def receive(self, datagram: bytes | memoryview, now: float) -> None:
        """Handle one upstream datagram (the PGM bytes, after any UDP or IP header).

        A valid NAK queues an NCF mirroring it, then RDATA for each requested sqn still in the
        window and not already queued for repair. A valid SPMR queues an SPM. A NAK or SPMR
        for another TSI, from another port, or naming other NLAs is ignored (notes §2.7), as
        is every other packet. Malformed datagrams are counted in ``stats.malformed``.

        Args:
            datagram: The PGM packet.
            now: The current time.
        """
        _check_now(now)
        if self._closed:
            return
        try:
            packet = parse(datagram)
        except PacketError:
            self.stats.malformed += 1
            return
        if isinstance(packet, Nak):
            self._on_nak(packet, now)
        elif isinstance(packet, Spmr):
            if packet.tsi != self._tsi or packet.sport != self._port:
                self.stats.ignored += 1
                return
            self.stats.spmrs += 1
            self._queue_spm()

    def _on_nak(self, nak: Nak, now: float) -> None:
        if (
            nak.tsi != self._tsi
            or nak.sport != self._port
            or nak.source_nla != self._nla
            or nak.group_nla != self._group
            or not nak.sqns
        ):
            self.stats.ignored += 1
            return
        self.stats.naks += 1
        ncf = Ncf(
            tsi=self._tsi,
            dport=self._port,
            sqns=nak.sqns,
            source_nla=nak.source_nla,
            group_nla=nak.group_nla,
        )
        self._emit(encode(ncf))
        self.stats.ncfs += 1
        repaired = False
        for sqn in nak.sqns:
            if sqn in self._repairs:
                continue
            payload = self._held(sqn)
            if payload is None:
                continue
            self._repairs.add(sqn)
            rdata = Data(
                tsi=self._tsi,
                dport=self._port,
                sqn=sqn,
                trail=self.trail,
                payload=payload,
                repair=True,
            )
            self._emit(encode(rdata))
            self.stats.rdata += 1
            repaired = True
        if repaired:
            self._restart_heartbeat(now)

    def _held(self, sqn: int) -> bytes | None:
        index = (sqn - self.trail) & _MASK
        if index < len(self._window):
            return self._window[index]
        return None

    # -- timers ----------------------------------------------------------------------------

    def next_timer(self) -> float | None:
        """The absolute time ``on_timer`` should next run, or None once closed."""
        if self._closed:
            return None
        heartbeat = self._next_heartbeat()
        if heartbeat is None:
            return self._next_ambient
        return min(heartbeat, self._next_ambient)

    def on_timer(self, now: float) -> None:
        """Send the heartbeat and/or ambient SPM that are due (one SPM if both are).

        A late call sends one SPM and skips the heartbeats it missed. An early call does
        nothing.

        Args:
            now: The current time.
        """
        _check_now(now)
        if self._closed:
            return
        due = False
        if now >= self._next_ambient:
            due = True
            self._next_ambient = now + AMBIENT_SPM_INTERVAL
        heartbeat = self._next_heartbeat()
        while heartbeat is not None and heartbeat <= now:
            due = True
            self._heartbeat += 1  # a late call skips every heartbeat already missed
            heartbeat = self._next_heartbeat()
        if due:
            self._queue_spm()

    def _next_heartbeat(self) -> float | None:
        if self._last_data is None or self._heartbeat >= len(HEARTBEAT_SPM_OFFSETS):
            return None
        return self._last_data + HEARTBEAT_SPM_OFFSETS[self._heartbeat]

    def _restart_heartbeat(self, now: float) -> None:
        self._last_data = _check_now(now)
        self._heartbeat = 0

    # -- helpers ---------------------------------------------------------------------------

    def _refill(self, now: float) -> None:
        now = _check_now(now)
        elapsed = now - self._bucket_time
        if elapsed > 0:
            self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
            self._bucket_time = now

    def _queue_spm(self, *, fin: bool = False) -> None:
        spm = Spm(
            tsi=self._tsi,
            dport=self._port,
            sqn=self._spm_sqn,
            trail=self.trail,
            lead=self._lead,
            nla=self._nla,
            fin=fin,
        )
        self._spm_sqn = (self._spm_sqn + 1) & _MASK
        self._emit(encode(spm))
        self.stats.spms += 1

    def _emit(self, payload: bytes) -> None:
        self._queue.append(Datagram(payload=payload, address=self._group, port=self._port))
