"""aiomq vs zmq.asyncio vs blocking pyzmq: throughput and latency side by side, one run.

Usage::

    python benchmarks/compare.py [--size 16] [--count N] [--roundtrips N] [--runs 3]
        [--transport tcp|ipc] [--loop asyncio|uvloop] [--impl NAME ...] [--json]

Thin wrapper around ``aiomq-bench compare``; see benchmarks/README.md.
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
    raise SystemExit(main(["compare", *sys.argv[1:]]))
