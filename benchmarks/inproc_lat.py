"""REQ ⇄ REP over inproc:// in one process, like libzmq's perf/inproc_lat.

Usage::

    python benchmarks/inproc_lat.py <message-size> <roundtrip-count>
        [--impl aiomq|zmq.asyncio|pyzmq] [--loop asyncio|uvloop] [--json]

Thin wrapper around ``aiomq-bench inproc-lat``; see benchmarks/README.md.
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
    raise SystemExit(main(["inproc-lat", *sys.argv[1:]]))
