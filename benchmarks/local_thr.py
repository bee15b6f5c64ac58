"""PULL side of the throughput test, like libzmq's perf/local_thr: bind, receive, print.

Usage::

    python benchmarks/local_thr.py <bind-to> <message-size> <message-count>
        [--impl aiomq|zmq.asyncio|pyzmq|asyncio-raw] [--loop asyncio|uvloop] [--json]

Thin wrapper around ``aiomq-bench local-thr``; see benchmarks/README.md.
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
    raise SystemExit(main(["local-thr", *sys.argv[1:]]))
