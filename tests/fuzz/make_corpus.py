"""Regenerate the hand-made seed corpus in tests/fuzz/corpus/ (``python make_corpus.py``).

Each file is one fuzz input: see fuzz_codec.py for the two ways it is fed to the codec
(raw, and after a valid handshake). Names say what the bytes are.
"""

from __future__ import annotations

import pathlib

from fuzz_codec import GREETING, HANDSHAKE


def _frame(flags: int, body: bytes) -> bytes:
    if len(body) > 255:
        return bytes((flags | 0x02,)) + len(body).to_bytes(8, "big") + body
    return bytes((flags, len(body))) + body


def _command(name: bytes, data: bytes = b"") -> bytes:
    return _frame(0x04, bytes((len(name),)) + name + data)


def _prop(name: bytes, value: bytes, declared: int | None = None) -> bytes:
    size = len(value) if declared is None else declared
    return bytes((len(name),)) + name + size.to_bytes(4, "big") + value


def _long(flags: int, size: int) -> bytes:
    return bytes((flags,)) + size.to_bytes(8, "big")


TRAFFIC = (
    _frame(0x01, b"part-1")
    + _frame(0x00, b"part-2")
    + _frame(0x00, b"x" * 300)
    + _command(b"PING", b"\x00\x0actx")
    + _command(b"SUBSCRIBE", b"topic")
    + _command(b"CANCEL", b"topic")
    + _command(b"PONG", b"ctx")
    + _command(b"UNKNOWN", b"ignored")
    + _frame(0x00, b"")
)

CORPUS: dict[str, bytes] = {
    "valid-handshake-and-traffic": HANDSHAKE + TRAFFIC,
    "valid-traffic": TRAFFIC,
    "valid-ready-with-metadata": GREETING
    + _command(b"READY", _prop(b"Socket-Type", b"PUSH") + _prop(b"X-App", b"v" * 40)),
    "greeting-3.0": GREETING[:11] + b"\x00" + GREETING[12:],
    "greeting-zmtp1.0": b"\x01\x00hello",
    "greeting-zmtp2.0": b"\xff" + b"\x00" * 8 + b"\x7f\x01\x08\x00\x00",
    "greeting-plain-mechanism": GREETING[:12] + b"PLAIN".ljust(20, b"\x00") + GREETING[32:],
    "peer-error": _command(b"ERROR", b"\x03400"),
    "command-with-more": b"\x05\x05\x04PING",
    "handshake-command-rrror-too-short": GREETING + b"\x04\x05RRROR",
    "http-request": b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "cve-2019-6250-long-2^64-1": _long(0x02, 2**64 - 1) + b"x" * 16,
    "cve-2019-6250-long-2^64-9-wraps": _long(0x03, 2**64 - 9) + b"x" * 16,
    "cve-2019-6250-long-2^63": _long(0x02, 2**63),
    "cve-2019-6250-long-2^63-1": _long(0x02, 2**63 - 1) + b"x" * 16,
    "cve-2019-6250-long-command-2^63": _long(0x06, 2**63) + b"\x05READY",
    "cve-2019-13132-value-len-2^32-1": GREETING
    + _command(b"READY", _prop(b"Socket-Type", b"PUSH", declared=2**32 - 1)),
    "cve-2019-13132-value-len-2^31": GREETING
    + _command(b"READY", _prop(b"Socket-Type", b"PUSH", declared=2**31)),
    "cve-2019-13132-name-len-255": GREETING + _command(b"READY", b"\xff" + b"N" * 20),
    "cve-2019-13132-ready-over-64KiB": GREETING + _long(0x06, 65537) + b"\x05READY",
    "cve-2020-15166-partial-greeting": GREETING[:11],
    "cve-2020-15166-partial-ready": GREETING + HANDSHAKE[64:71],
}


def main() -> None:
    """Write every corpus file (overwriting)."""
    target = pathlib.Path(__file__).parent / "corpus"
    target.mkdir(exist_ok=True)
    for name, data in CORPUS.items():
        (target / name).write_bytes(data)


if __name__ == "__main__":
    main()
