"""PUB side of the publish/subscribe throughput test: bind, sync with the subscribers, publish.

Usage::

    python benchmarks/pub_thr.py <bind-to> <message-size> <message-count>
        [--subscribers 2] [--sync ENDPOINT] [--impl aiomq|zmq.asyncio|pyzmq] [--loop asyncio|uvloop]

Thin wrapper around ``aiomq-bench pub-thr``; see benchmarks/README.md.
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
    raise SystemExit(main(["pub-thr", *sys.argv[1:]]))
