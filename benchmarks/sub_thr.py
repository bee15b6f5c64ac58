"""SUB side of the publish/subscribe throughput test: connect, receive, print throughput and loss.

Usage::

    python benchmarks/sub_thr.py <connect-to> <message-size> <message-count>
        [--sync ENDPOINT] [--impl aiomq|zmq.asyncio|pyzmq] [--loop asyncio|uvloop] [--json]

Thin wrapper around ``aiomq-bench sub-thr``; see benchmarks/README.md.
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
    raise SystemExit(main(["sub-thr", *sys.argv[1:]]))
