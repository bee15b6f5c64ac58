"""REQ side of the latency test, like libzmq's perf/remote_lat: time round trips, print.

Usage::

    python benchmarks/remote_lat.py <connect-to> <message-size> <roundtrip-count>
        [--impl aiomq|zmq.asyncio|pyzmq|asyncio-raw] [--loop asyncio|uvloop] [--json]

Thin wrapper around ``aiomq-bench remote-lat``; see benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from aiomq.bench import main
except ImportError:  # running from a source checkout without installing aiomq
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from aiomq.bench import main

if __name__ == "__main__":
    raise SystemExit(main(["remote-lat", *sys.argv[1:]]))
