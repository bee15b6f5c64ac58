"""Atheris (libFuzzer) harness for the sans-I/O ZMTP codec.

Each input is fed to a PULL :class:`~aiomq.zmtp.Connection` twice over: *raw* (the
input is the peer's whole byte stream, greeting included) and *after a valid handshake*
(a NULL greeting and READY come first, the input follows). Each is fed in one piece and
in small chunks, and both must give the same events (split invariance). The only
exception allowed is :class:`~aiomq.zmtp.ProtocolError`, after which the connection must
be closed and stay dead. Anything else is a crash.

Run (atheris needed, ``pip install atheris``)::

    tests/fuzz/run.sh 60                      # 60 s over a scratch copy of the corpus
    python tests/fuzz/fuzz_codec.py -max_total_time=60 WORKDIR tests/fuzz/corpus

Without atheris the module still imports; ``tests/fuzz/test_corpus.py`` replays the
seed corpus through :func:`one_input` as ordinary pytest tests.
"""

from __future__ import annotations

import sys

from aiomq.zmtp import Connection, Event, ProtocolError

__all__ = ["HANDSHAKE", "one_input"]

GREETING = b"\xff" + b"\x00" * 7 + b"\x01\x7f\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
READY_PUSH = b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"
HANDSHAKE = GREETING + READY_PUSH
"""A valid NULL handshake from a PUSH peer (the prefix of the after-handshake mode)."""

_MAX_MESSAGE_SIZE = 1 << 16


def _run(chunks: list[bytes]) -> tuple[list[Event], bool]:
    conn = Connection(socket_type="PULL", max_message_size=_MAX_MESSAGE_SIZE)
    conn.initiate()
    events: list[Event] = []
    for chunk in chunks:
        try:
            events += conn.receive_data(chunk)
        except ProtocolError as exc:
            events += exc.events
            if not conn.closed:
                raise AssertionError("ProtocolError left the connection open") from exc
            try:
                conn.receive_data(b"\x00")
            except ProtocolError:
                return events, True
            raise AssertionError("a dead connection accepted data") from exc
        conn.data_to_send()
    return events, False


def _check(stream: bytes, step: int) -> None:
    whole = _run([stream])
    split = _run([stream[i : i + step] for i in range(0, len(stream), step)])
    if whole != split:
        raise AssertionError(f"split invariance broken (step {step}): {whole!r} != {split!r}")


def one_input(data: bytes) -> None:
    """Feed one fuzz input to the codec in both modes; raise on anything but a clean
    ProtocolError or a split-dependent result."""
    step = (data[0] % 13) + 1 if data else 1
    _check(data, step)
    _check(HANDSHAKE + data, step)


def main(argv: list[str]) -> None:
    """Run libFuzzer over :func:`one_input` (arguments as for libFuzzer)."""
    import atheris  # optional: only fuzzing runs need it

    atheris.instrument_all()
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
