"""REP side of the latency test, like libzmq's perf/local_lat: bind and echo.

Usage::

    python benchmarks/local_lat.py <bind-to> <message-size> <roundtrip-count>
        [--impl aiomq|zmq.asyncio|pyzmq|asyncio-raw] [--loop asyncio|uvloop]

Thin wrapper around ``aiomq-bench local-lat``; see benchmarks/README.md.
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
    raise SystemExit(main(["local-lat", *sys.argv[1:]]))
