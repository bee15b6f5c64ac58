"""PUSH side of the throughput test, like libzmq's perf/remote_thr: connect, send, close.

Usage::

    python benchmarks/remote_thr.py <connect-to> <message-size> <message-count>
        [--impl aiomq|zmq.asyncio|pyzmq|asyncio-raw] [--loop asyncio|uvloop]

Thin wrapper around ``aiomq-bench remote-thr``; see benchmarks/README.md.
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
    raise SystemExit(main(["remote-thr", *sys.argv[1:]]))
