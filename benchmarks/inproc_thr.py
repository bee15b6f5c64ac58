"""PUSH → PULL over inproc:// in one process, like libzmq's perf/inproc_thr.

Usage::

    python benchmarks/inproc_thr.py <message-size> <message-count>
        [--impl aiomq|zmq.asyncio|pyzmq] [--loop asyncio|uvloop] [--json]

Thin wrapper around ``aiomq-bench inproc-thr``; see benchmarks/README.md.
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
    raise SystemExit(main(["inproc-thr", *sys.argv[1:]]))
