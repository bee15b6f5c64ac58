"""Sans-I/O PGM (RFC 3208) codec, as libzmq+OpenPGM speak it; layer 2.

``.packets`` parses and encodes PGM packets; ``.framing`` cuts libzmq's ZMTP/1.0
stream into APDUs and reassembles it; ``.source`` is a sender's state machine
(transmit window, SPMs, NAK repair, rate limit) and ``.receiver`` a receiver's (gap
detection, NAK back-off and retries, in-order delivery, loss). No I/O, no clock, no
randomness: time and random numbers come in as arguments. Imports only the standard
library and aiomq layer 0.
"""

from __future__ import annotations

from .framing import MAX_APDU_EPGM, ApduPacker, StreamDecoder, max_apdu
from .packets import (
    NAK,
    NCF,
    NNAK,
    ODATA,
    OPT_NETWORK,
    OPT_PARITY,
    OPT_PRESENT,
    OPT_VAR_PKTLEN,
    RDATA,
    SPM,
    SPMR,
    Data,
    Datagram,
    Nak,
    Ncf,
    Packet,
    PacketError,
    Spm,
    Spmr,
    Tsi,
    checksum,
    encode,
    parse,
    serial_diff,
    serial_lt,
    strip_ipv4_header,
)
from .receiver import Loss, Receiver
from .source import Source, SourceStats

__all__ = [
    "MAX_APDU_EPGM",
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
    "ApduPacker",
    "Data",
    "Datagram",
    "Loss",
    "Nak",
    "Ncf",
    "Packet",
    "PacketError",
    "Receiver",
    "Source",
    "SourceStats",
    "Spm",
    "Spmr",
    "StreamDecoder",
    "Tsi",
    "checksum",
    "encode",
    "max_apdu",
    "parse",
    "serial_diff",
    "serial_lt",
    "strip_ipv4_header",
]
