"""``aiomq``: command-line tools. For now, the classic devices::

    aiomq proxy queue     --frontend tcp://*:5561 --backend tcp://*:5562
    aiomq proxy forwarder --frontend tcp://*:5563 --backend tcp://*:5564 --capture ipc:///tmp/cap
    aiomq proxy streamer  --frontend tcp://*:5565 --backend tcp://*:5566

(the ports of the device examples in ``examples/devices/``). Each binds its sockets, logs
one line per connection event to stderr (``frontend ACCEPTED tcp://127.0.0.1:5561``) and
runs until SIGINT (Ctrl+C) or SIGTERM, then exits 0.

Layer 7.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._sockets import Socket
from .constants import Event
from .devices import _DEVICES, _run_device
from .errors import ZMQError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``aiomq`` argument parser."""
    parser = argparse.ArgumentParser(prog="aiomq", description="aiomq command-line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    proxy = commands.add_parser(
        "proxy",
        help="run a device: queue (ROUTER/DEALER), forwarder (XSUB/XPUB), streamer (PULL/PUSH)",
        description="Bind a device's sockets and forward between them until SIGINT/SIGTERM.",
    )
    proxy.add_argument("device", choices=sorted(_DEVICES), help="the device to run")
    proxy.add_argument(
        "--frontend", required=True, metavar="EP", help="endpoint to bind the frontend"
    )
    proxy.add_argument(
        "--backend", required=True, metavar="EP", help="endpoint to bind the backend"
    )
    proxy.add_argument(
        "--capture", metavar="EP", help="endpoint to bind a PUB that copies every message"
    )
    return parser


class _Log:
    """A monitor listener printing ``<side> <EVENT> <endpoint>`` lines to stderr."""

    def __init__(self, side: str) -> None:
        self.side = side

    def __call__(self, event: Event, endpoint: str, value: int | str) -> None:
        print(f"{self.side} {event.name} {endpoint}", file=sys.stderr, flush=True)


def _attach(frontend: Socket, backend: Socket) -> None:
    frontend.add_monitor_listener(_Log("frontend"))
    backend.add_monitor_listener(_Log("backend"))


async def _proxy(args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    stopping = False

    def stop() -> None:
        nonlocal stopping
        stopping = True
        task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        await _run_device(args.device, args.frontend, args.backend, args.capture, None, _attach)
    except asyncio.CancelledError:
        if not stopping:
            raise
        task.uncancel()
    except ZMQError as error:
        print(f"aiomq proxy: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``aiomq`` command line; returns the exit status.

    Raises:
        SystemExit: For bad arguments (status 2), as argparse does.
    """
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_proxy(args))
    return 0  # pragma: no cover - a Ctrl+C before the signal handlers were installed


if __name__ == "__main__":
    sys.exit(main())
