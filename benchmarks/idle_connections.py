"""Memory per idle connection, binding and connecting side (target: <= 16 KiB each).

Usage::

    python benchmarks/idle_connections.py [--connections 10000] [--transport tcp|ipc]
        [--loop asyncio|uvloop] [--top 12] [--json]

Thin wrapper around :mod:`aiomq._bench.idle` (``aiomq-bench idle-conns``); see
benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from aiomq._bench.idle import main
except ImportError:  # running from a source checkout without installing aiomq
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from aiomq._bench.idle import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
