"""PGM packets (RFC 3208 §8/§9) as libzmq 4.3 + OpenPGM 5.3 put them on the wire.

``parse`` turns one PGM packet (the UDP payload for ``epgm://``, the IP payload for
``pgm://``) into a frozen dataclass; ``encode`` is its inverse. Only what libzmq
interop needs is modelled: SPM, ODATA/RDATA, NAK, NCF and SPMR over IPv4. POLL, POLR,
NNAK, ACK, parity (FEC) packets, fragmented data (OPT_FRAGMENT) and IPv6 NLAs are
recognised and ignored (``parse`` returns ``None``).

Field conventions (see ``/work/shared/PGM-NOTES.md`` §1.2, §2):

* Downstream packets (``Spm``, ``Data``, ``Ncf``) travel with PGM source
  port = ``tsi.sport`` and destination port = ``dport`` (the endpoint port).
* Upstream packets (``Nak``, ``Spmr``) swap them: PGM source port = ``sport``
  (the endpoint port), destination port = ``tsi.sport``; the GSI is the *source's*.

Parsing is lenient where OpenPGM is (option F/OPX/U bits and unknown options are
skipped, reserved fields ignored) and strict where OpenPGM is (exact checksum, non-zero
checksum on data, OPT_LENGTH first, TSDU length equal to the payload).

Layer 2: imports the standard library only.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "NAK",
    "NCF",
    "NNAK",
    "ODATA",
    "OPT_NETWORK",
    "OPT_PARITY",
    "OPT_PRESENT",
    "OPT_VAR_PKTLEN",
    "RDATA",
    "SPM",
    "SPMR",
    "Data",
    "Datagram",
    "Nak",
    "Ncf",
    "Packet",
    "PacketError",
    "Spm",
    "Spmr",
    "Tsi",
    "checksum",
    "encode",
    "parse",
    "serial_diff",
    "serial_lt",
    "strip_ipv4_header",
]

# Packet types (common header byte 4).
SPM, ODATA, RDATA, NAK, NNAK, NCF, SPMR = 0x00, 0x04, 0x05, 0x08, 0x09, 0x0A, 0x0C
_POLL, _POLR, _ACK = 0x01, 0x02, 0x0D

# Header options bits (common header byte 5), OpenPGM's / Wireshark's bit order.
OPT_PRESENT, OPT_NETWORK, OPT_VAR_PKTLEN, OPT_PARITY = 0x01, 0x02, 0x40, 0x80

# Option types (low 7 bits of an option's first byte); 0x80 marks the last option.
_OPT_LENGTH = 0x00
_OPT_FRAGMENT = 0x01
_OPT_NAK_LIST = 0x02
_OPT_FIN = 0x0E
_OPT_END = 0x80
_OPT_TYPE_MASK = 0x7F

_AFI_IP = 1
_AFI_IP6 = 2

_HEADER = struct.Struct(">HHBBH6sH")  # sport dport type options checksum gsi tsdu_length
_SPM_BODY = struct.Struct(">IIIHH4s")  # sqn trail lead afi reserved nla
_DATA_BODY = struct.Struct(">II")  # sqn trail
_NAK_BODY = struct.Struct(">IHH4sHH4s")  # sqn afi reserved source_nla afi reserved group_nla
_OPT_HEADER = struct.Struct(">BBH")  # OPT_LENGTH: type length total
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")

_HEADER_SIZE = _HEADER.size  # 16
_SPM_SIZE = _HEADER_SIZE + _SPM_BODY.size  # 36
_DATA_SIZE = _HEADER_SIZE + _DATA_BODY.size  # 24
_NAK_SIZE = _HEADER_SIZE + _NAK_BODY.size  # 36
_MIN_OPTION_LENGTH = 4  # every RFC 3208 option has at least type, length and 2 flag bytes
_MAX_NAK_SQNS = 63  # header sqn + 62 in OPT_NAK_LIST (option length is one byte)
_IPPROTO_PGM = 113

_SERIAL_MASK = 0xFFFFFFFF
_SERIAL_HALF = 0x80000000


class PacketError(Exception):
    """Malformed PGM packet (bad length, checksum, option list).

    Attributes:
        reason: What was wrong, for logs and counters.
    """

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Tsi(NamedTuple):
    """Transport session identifier: the key of all per-source state.

    Attributes:
        gsi: The 6-byte global source identifier.
        sport: The source's data-source port (PGM source port of its downstream packets).
    """

    gsi: bytes
    sport: int


@dataclass(frozen=True, slots=True)
class Spm:
    """Source path message (downstream; PGM sport = ``tsi.sport``).

    Attributes:
        tsi: The source.
        dport: PGM destination port (the endpoint port).
        sqn: The SPM's own sequence number.
        trail: Trailing edge of the transmit window.
        lead: Leading edge (last ODATA sqn sent; 0xFFFFFFFF before any data).
        nla: The source's unicast IPv4 address, where NAKs go.
        fin: Whether the SPM carries OPT_FIN (sent three times on close).
    """

    tsi: Tsi
    dport: int
    sqn: int
    trail: int
    lead: int
    nla: str
    fin: bool = False


@dataclass(frozen=True, slots=True)
class Data:
    """ODATA (``repair`` False) or RDATA (``repair`` True), downstream.

    Attributes:
        tsi: The source.
        dport: PGM destination port (the endpoint port).
        sqn: Data sequence number.
        trail: Trailing edge of the transmit window at send time.
        payload: The TSDU: one libzmq APDU (2-byte offset, then stream bytes).
        repair: True for RDATA.
    """

    tsi: Tsi
    dport: int
    sqn: int
    trail: int
    payload: bytes
    repair: bool = False


@dataclass(frozen=True, slots=True)
class Nak:
    """Negative acknowledgement, upstream (receiver → source, unicast to the source NLA).

    On the wire: PGM sport = ``sport`` (the endpoint port), dport = ``tsi.sport``.

    Attributes:
        tsi: The source being asked (its GSI and data-source port).
        sport: PGM source port (the endpoint port).
        sqns: Requested sequence numbers; ``sqns[0]`` is the header's, the rest go in
            OPT_NAK_LIST (at most 62 more).
        source_nla: The source's address, as advertised in its SPM.
        group_nla: The multicast group.
    """

    tsi: Tsi
    sport: int
    sqns: tuple[int, ...]
    source_nla: str
    group_nla: str


@dataclass(frozen=True, slots=True)
class Ncf:
    """NAK confirmation, downstream (source → group), mirroring a NAK.

    Attributes:
        tsi: The source.
        dport: PGM destination port (the endpoint port).
        sqns: Confirmed sequence numbers, as in ``Nak``.
        source_nla: The source's address.
        group_nla: The multicast group.
    """

    tsi: Tsi
    dport: int
    sqns: tuple[int, ...]
    source_nla: str
    group_nla: str


@dataclass(frozen=True, slots=True)
class Spmr:
    """SPM request, upstream (receiver → group and source); header only.

    On the wire: PGM sport = ``sport`` (the endpoint port), dport = ``tsi.sport``.

    Attributes:
        tsi: The source whose SPM is wanted.
        sport: PGM source port (the endpoint port).
    """

    tsi: Tsi
    sport: int


Packet = Spm | Data | Nak | Ncf | Spmr
"""Every packet ``parse`` returns and ``encode`` accepts."""


@dataclass(frozen=True, slots=True)
class Datagram:
    """A datagram to send and where to (multicast group or unicast address).

    Attributes:
        payload: The PGM packet bytes.
        address: Destination IPv4 address, dotted quad.
        port: Destination port (UDP port for ``epgm://``; 0 for raw ``pgm://``).
    """

    payload: bytes
    address: str
    port: int


# --------------------------------------------------------------------------- arithmetic


def serial_diff(a: int, b: int) -> int:
    """Signed 32-bit serial difference ``a - b``.

    Args:
        a: A 32-bit sequence number.
        b: Another 32-bit sequence number.

    Returns:
        ``a - b`` reduced into ``[-2**31, 2**31)``, as OpenPGM's ``pgm_uint32_lt`` sees it.
    """
    return ((a - b + _SERIAL_HALF) & _SERIAL_MASK) - _SERIAL_HALF


def serial_lt(a: int, b: int) -> bool:
    """Whether sequence number ``a`` comes before ``b`` in 32-bit serial arithmetic.

    Args:
        a: A 32-bit sequence number.
        b: Another 32-bit sequence number.

    Returns:
        True if ``serial_diff(a, b) < 0``.
    """
    return serial_diff(a, b) < 0


def checksum(data: bytes | bytearray | memoryview) -> int:
    """RFC 1071 Internet checksum, with PGM's 0 → 0xFFFF rule.

    The caller zeroes the checksum field first; there is no pseudo-header.

    Args:
        data: The whole PGM packet (header, options and payload).

    Returns:
        The value for the checksum field, never 0.
    """
    return 0xFFFF - _residue(data)


def _residue(data: bytes | bytearray | memoryview) -> int:
    """The one's-complement sum of ``data``'s 16-bit words, reduced modulo 0xFFFF.

    As 2**16 ≡ 1 (mod 0xFFFF), the big-endian integer of the bytes is congruent to the
    sum of its 16-bit words; an odd length is padded with a zero byte. The folded
    one's-complement sum differs from this residue only by 0 vs 0xFFFF, which the PGM
    rule "transmit 0xFFFF for 0" makes irrelevant.
    """
    value = int.from_bytes(data, "big")
    if len(data) & 1:
        value <<= 8
    return value % 0xFFFF


# --------------------------------------------------------------------------- parsing


def parse(datagram: bytes | memoryview) -> Packet | None:
    """Parse one PGM packet.

    Args:
        datagram: The PGM bytes (UDP payload, or IP payload after
            ``strip_ipv4_header``).

    Returns:
        The packet, or ``None`` for packets aiomq ignores: POLL, POLR, NNAK, ACK, unknown
        types (including non-zero version bits), parity packets, data carrying
        OPT_FRAGMENT, and IPv6 NLAs.

    Raises:
        PacketError: Short packet, checksum mismatch, zero checksum on ODATA/RDATA, bad
            option list, TSDU length not matching the payload, bad NLA AFI.
    """
    view = memoryview(datagram).cast("B") if isinstance(datagram, memoryview) else datagram
    size = len(view)
    if size < _HEADER_SIZE:
        raise PacketError(f"packet of {size} bytes is shorter than the PGM header")
    sport, dport, ptype, options, csum, gsi, tsdu_length = _HEADER.unpack_from(view)
    if csum:
        # The checksum of the packet with the field zeroed: the field is an aligned word.
        expected = 0xFFFF - (_residue(view) - csum) % 0xFFFF
        if expected != csum:
            raise PacketError(f"checksum 0x{csum:04x} != computed 0x{expected:04x}")
    elif ptype in (ODATA, RDATA):
        raise PacketError("zero checksum on a data packet")
    if ptype not in (SPM, ODATA, RDATA, NAK, NCF, SPMR):
        return None
    if options & OPT_PARITY:
        return None
    if ptype == SPMR:
        return Spmr(Tsi(gsi, dport), sport)
    if ptype == SPM:
        return _parse_spm(view, sport, dport, options, gsi)
    if ptype in (ODATA, RDATA):
        return _parse_data(view, sport, dport, ptype, options, gsi, tsdu_length)
    return _parse_nak(view, sport, dport, ptype, options, gsi)


def _parse_spm(
    view: bytes | memoryview, sport: int, dport: int, options: int, gsi: bytes
) -> Spm | None:
    if len(view) < _SPM_SIZE:
        raise PacketError(f"SPM of {len(view)} bytes is shorter than {_SPM_SIZE}")
    sqn, trail, lead, afi, _, nla = _SPM_BODY.unpack_from(view, _HEADER_SIZE)
    if afi == _AFI_IP6:
        return None
    if afi != _AFI_IP:
        raise PacketError(f"SPM NLA AFI {afi} is neither IPv4 nor IPv6")
    fin = False
    if options & OPT_PRESENT:
        fin = any(opt[0] == _OPT_FIN for opt in _walk_options(view, _SPM_SIZE))
    return Spm(Tsi(gsi, sport), dport, sqn, trail, lead, _ntoa(nla), fin)


def _parse_data(
    view: bytes | memoryview,
    sport: int,
    dport: int,
    ptype: int,
    options: int,
    gsi: bytes,
    tsdu_length: int,
) -> Data | None:
    size = len(view)
    if size < _DATA_SIZE:
        raise PacketError(f"data packet of {size} bytes is shorter than {_DATA_SIZE}")
    sqn, trail = _DATA_BODY.unpack_from(view, _HEADER_SIZE)
    start = _DATA_SIZE
    if options & OPT_PRESENT:
        for opt_type, _, _ in _walk_options(view, _DATA_SIZE):
            if opt_type == _OPT_FRAGMENT:
                return None  # part of a fragmented APDU: libzmq never sends these
        start += _U16.unpack_from(view, _DATA_SIZE + 2)[0]
    if size - start != tsdu_length:
        raise PacketError(f"TSDU length {tsdu_length} != {size - start} payload bytes")
    return Data(Tsi(gsi, sport), dport, sqn, trail, bytes(view[start:]), ptype == RDATA)


def _parse_nak(
    view: bytes | memoryview, sport: int, dport: int, ptype: int, options: int, gsi: bytes
) -> Nak | Ncf | None:
    name = "NAK" if ptype == NAK else "NCF"
    if len(view) < _NAK_SIZE:
        raise PacketError(f"{name} of {len(view)} bytes is shorter than {_NAK_SIZE}")
    sqn, src_afi, _, src_nla, grp_afi, _, grp_nla = _NAK_BODY.unpack_from(view, _HEADER_SIZE)
    if _AFI_IP6 in (src_afi, grp_afi):
        return None
    if src_afi != _AFI_IP or grp_afi != _AFI_IP:
        raise PacketError(f"{name} NLA AFIs {src_afi}/{grp_afi} are not IPv4")
    sqns = [sqn]
    if options & OPT_PRESENT:
        for opt_type, start, length in _walk_options(view, _NAK_SIZE):
            if opt_type == _OPT_NAK_LIST:
                if (length - 4) % 4:
                    raise PacketError(f"OPT_NAK_LIST length {length} is not 4 + 4n")
                count = (length - 4) // 4
                sqns.extend(struct.unpack_from(f">{count}I", view, start + 4))
    if ptype == NAK:
        return Nak(Tsi(gsi, dport), sport, tuple(sqns), _ntoa(src_nla), _ntoa(grp_nla))
    return Ncf(Tsi(gsi, sport), dport, tuple(sqns), _ntoa(src_nla), _ntoa(grp_nla))


def _walk_options(view: bytes | memoryview, offset: int) -> list[tuple[int, int, int]]:
    """Validate the option list at ``offset`` and list its options after OPT_LENGTH.

    Returns:
        ``(type without the END bit, start offset, length)`` for each option up to the one
        carrying OPT_END (or up to the OPT_LENGTH total). F/OPX/U bits are ignored.

    Raises:
        PacketError: No OPT_LENGTH first, total beyond the packet, an option overrunning
            the total or shorter than 4 bytes.
    """
    size = len(view)
    if size < offset + _OPT_HEADER.size:
        raise PacketError("options flagged but the packet ends before OPT_LENGTH")
    opt_type, opt_length, total = _OPT_HEADER.unpack_from(view, offset)
    if opt_type != _OPT_LENGTH or opt_length != 4:
        raise PacketError(f"first option is 0x{opt_type:02x}/{opt_length}, not OPT_LENGTH/4")
    end = offset + total
    if total < 4 or end > size:
        raise PacketError(f"OPT_LENGTH total {total} does not fit the packet")
    found: list[tuple[int, int, int]] = []
    pos = offset + 4
    while pos < end:
        if pos + 2 > end:
            raise PacketError("option header overruns the OPT_LENGTH total")
        opt_type, opt_length = view[pos], view[pos + 1]
        if opt_length < _MIN_OPTION_LENGTH or pos + opt_length > end:
            raise PacketError(f"option 0x{opt_type:02x} has bad length {opt_length}")
        found.append((opt_type & _OPT_TYPE_MASK, pos, opt_length))
        pos += opt_length
        if opt_type & _OPT_END:
            break
    return found


def _ntoa(packed: bytes) -> str:
    return str(ipaddress.IPv4Address(packed))


def _aton(address: str) -> bytes:
    try:
        return ipaddress.IPv4Address(address).packed
    except ValueError as exc:
        raise ValueError(f"not an IPv4 address: {address!r}") from exc


# --------------------------------------------------------------------------- encoding


def encode(packet: Packet) -> bytes:
    """Encode a packet, checksum included, exactly as OpenPGM would send it.

    An ``Spm`` with ``fin`` carries OPT_LENGTH + OPT_FIN (options byte 0x01). A
    ``Nak`` or ``Ncf`` with more than one sqn carries OPT_LENGTH + OPT_NAK_LIST
    (options byte 0x03). ODATA/RDATA never carry options.

    Args:
        packet: The packet.

    Returns:
        The PGM bytes.

    Raises:
        ValueError: A field out of range (ports, sqns, a GSI not of 6 bytes, a payload
            over 65535 bytes, 0 or more than 63 NAK sqns, a non-IPv4 address).
    """
    gsi = packet.tsi.gsi
    if len(gsi) != 6:
        raise ValueError(f"GSI must be 6 bytes, not {len(gsi)}")
    try:
        if isinstance(packet, Data):
            header = _header(
                packet.tsi.sport,
                packet.dport,
                RDATA if packet.repair else ODATA,
                0,
                gsi,
                len(packet.payload),
            )
            body = _DATA_BODY.pack(packet.sqn, packet.trail) + packet.payload
        elif isinstance(packet, Spm):
            options = OPT_PRESENT if packet.fin else 0
            header = _header(packet.tsi.sport, packet.dport, SPM, options, gsi, 0)
            body = _SPM_BODY.pack(
                packet.sqn, packet.trail, packet.lead, _AFI_IP, 0, _aton(packet.nla)
            )
            if packet.fin:
                body += _OPT_HEADER.pack(_OPT_LENGTH, 4, 8) + bytes((_OPT_FIN | _OPT_END, 4, 0, 0))
        elif isinstance(packet, Nak | Ncf):
            if isinstance(packet, Nak):
                sport, dport, ptype = packet.sport, packet.tsi.sport, NAK
            else:
                sport, dport, ptype = packet.tsi.sport, packet.dport, NCF
            sqns = packet.sqns
            if not 1 <= len(sqns) <= _MAX_NAK_SQNS:
                raise ValueError(f"a NAK/NCF carries 1..63 sqns, not {len(sqns)}")
            options = OPT_PRESENT | OPT_NETWORK if len(sqns) > 1 else 0
            header = _header(sport, dport, ptype, options, gsi, 0)
            body = _NAK_BODY.pack(
                sqns[0], _AFI_IP, 0, _aton(packet.source_nla), _AFI_IP, 0, _aton(packet.group_nla)
            )
            if len(sqns) > 1:
                list_length = 4 + 4 * (len(sqns) - 1)
                body += (
                    _OPT_HEADER.pack(_OPT_LENGTH, 4, 4 + list_length)
                    + bytes((_OPT_NAK_LIST | _OPT_END, list_length, 0, 0))
                    + struct.pack(f">{len(sqns) - 1}I", *sqns[1:])
                )
        else:
            header = _header(packet.sport, packet.tsi.sport, SPMR, 0, gsi, 0)
            body = b""
    except struct.error as exc:
        raise ValueError(f"field out of range in {packet!r}: {exc}") from exc
    raw = bytearray(header + body)
    _U16.pack_into(raw, 6, checksum(raw))
    return bytes(raw)


def _header(sport: int, dport: int, ptype: int, options: int, gsi: bytes, tsdu: int) -> bytes:
    return _HEADER.pack(sport, dport, ptype, options, 0, gsi, tsdu)


# --------------------------------------------------------------------------- raw sockets


def strip_ipv4_header(raw: bytes | memoryview) -> memoryview:
    """Strip the IPv4 header a raw ``pgm://`` socket delivers with each packet.

    Args:
        raw: The received IPv4 packet.

    Returns:
        A view of the PGM bytes (the IP payload, trimmed to the IP total length).

    Raises:
        PacketError: Shorter than its headers, not IPv4, not protocol 113 (PGM), or a
            fragment (MF set or non-zero fragment offset).
    """
    view = memoryview(raw).cast("B")
    if len(view) < 20:
        raise PacketError(f"{len(view)} bytes is shorter than an IPv4 header")
    version, ihl = view[0] >> 4, (view[0] & 0x0F) * 4
    if version != 4:
        raise PacketError(f"IP version {version} is not 4")
    if ihl < 20 or len(view) < ihl:
        raise PacketError(f"bad IPv4 header length {ihl}")
    total = _U16.unpack_from(view, 2)[0]
    if total < ihl or total > len(view):
        raise PacketError(f"IPv4 total length {total} does not fit {len(view)} bytes")
    if _U16.unpack_from(view, 6)[0] & 0x3FFF:
        raise PacketError("IPv4 fragment")
    if view[9] != _IPPROTO_PGM:
        raise PacketError(f"IP protocol {view[9]} is not PGM (113)")
    return view[ihl:total]
