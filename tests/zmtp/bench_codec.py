"""Microbenchmark of the ZMTP codec hot paths (not a test; run it directly).

Usage: ``python tests/zmtp/bench_codec.py [size] [count]``
"""

from __future__ import annotations

import sys
import time

from aiomq.zmtp import Connection


def _pair() -> tuple[Connection, Connection]:
    a = Connection(socket_type="PUSH")
    b = Connection(socket_type="PULL")
    a.initiate()
    b.initiate()
    for _ in range(4):
        b.receive_data(a.data_to_send())
        a.receive_data(b.data_to_send())
    assert a.handshake_complete
    assert b.handshake_complete
    return a, b


def main() -> None:
    """Measure encode and decode rates of single-frame messages."""
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    batch = 1000
    a, b = _pair()
    payload = b"x" * size
    messages = [(payload,)] * batch

    best_enc = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(count // batch):
            a.send_messages(messages)
            a.data_to_send()
        best_enc = max(best_enc, count / (time.perf_counter() - t0))

    a.send_messages(messages)
    wire = a.data_to_send()
    # Feed in 64 KiB reads, as a transport would.
    chunk = 65536
    stream = wire * (count // batch)
    reads = [stream[i : i + chunk] for i in range(0, len(stream), chunk)]
    best_dec = 0.0
    for _ in range(5):
        got = 0
        t0 = time.perf_counter()
        for r in reads:
            got += len(b.receive_data(r))
        best_dec = max(best_dec, got / (time.perf_counter() - t0))

    multi = [(b"", payload, payload)] * batch
    t0 = time.perf_counter()
    for _ in range(count // batch):
        a.send_messages(multi)
        a.data_to_send()
    enc3 = count / (time.perf_counter() - t0)

    print(
        f"{size}-byte single-frame: encode {best_enc / 1e6:.2f} M msg/s, "
        f"decode {best_dec / 1e6:.2f} M msg/s; 3-frame encode {enc3 / 1e6:.2f} M msg/s"
    )


if __name__ == "__main__":
    main()
