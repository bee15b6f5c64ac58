"""aiomq vs zmq.asyncio vs blocking pyzmq vs raw asyncio: a sweep, one run; report + chart.

Usage::

    python benchmarks/compare.py [--quick] [--sizes 16,256,4096,65536,1048576]
        [--transports tcp,ipc,inproc] [--loops asyncio,uvloop]
        [--impls aiomq,zmq.asyncio,pyzmq,asyncio-raw] [--cases throughput,latency,pubsub]
        [--runs 3] [--output-dir bench-results] [--json]

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
