"""``aiomq-bench``: libzmq-style throughput and latency tools, and a side-by-side comparison.

The four perf commands mirror libzmq's ``perf/`` programs and print their result lines
exactly, so figures can be set beside the C tools'::

    aiomq-bench local-thr  tcp://127.0.0.1:5555 16 1000000        # PULL, binds, prints
    aiomq-bench remote-thr tcp://127.0.0.1:5555 16 1000000        # PUSH, connects
    aiomq-bench local-lat  tcp://127.0.0.1:5556 16 10000          # REP, binds
    aiomq-bench remote-lat tcp://127.0.0.1:5556 16 10000          # REQ, connects, prints

libzmq's in-process tools, both ends in one process (two tasks on one loop; a thread for
blocking pyzmq, as libzmq does)::

    aiomq-bench inproc-thr 16 1000000
    aiomq-bench inproc-lat 16 10000

and a PUB → N SUB throughput test, synchronised so that no subscriber joins late::

    aiomq-bench pub-thr tcp://127.0.0.1:5555 16 100000 --subscribers 2   # sync on :5556
    aiomq-bench sub-thr tcp://127.0.0.1:5555 16 100000                   # run it twice

Each takes ``--impl aiomq|zmq.asyncio|pyzmq|asyncio-raw`` (default aiomq; ``asyncio-raw`` is
a bare framed-transport baseline for tcp/ipc throughput and latency), ``--loop
asyncio|uvloop`` (ignored by blocking pyzmq) and ``--json``. ``compare`` sweeps message sizes,
transports, loops, implementations and cases, every case in separate processes, and writes a
markdown report, a JSON file and a chart::

    aiomq-bench compare                 # the full sweep (~15-20 min on 2 cores)
    aiomq-bench compare --quick         # 16 B and 64 KiB, one run

and what an idle connection costs (Python heap and RSS, 10,000 connections by default)::

    aiomq-bench idle-conns --connections 10000

pyzmq, uvloop, rich and matplotlib are optional: they are imported only when needed, and all
four come with the ``bench`` extra (``pip install -e ".[bench]"`` in the aiomq checkout).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import cast

from aiomq._bench import idle
from aiomq._bench.backends import IMPLS, Backend, load_backend
from aiomq._bench.cli_compare import add_compare_parser, run_compare_command
from aiomq._bench.errors import BenchError
from aiomq._bench.loops import LOOPS, LoopName
from aiomq._bench.pubsub import sync_endpoint_for

__all__ = ["build_parser", "main"]

_PROG = "aiomq-bench"


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--loop",
        choices=LOOPS,
        default="asyncio",
        help="event loop for asyncio implementations (default: asyncio; pyzmq ignores it)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of text lines"
    )


def _add_role(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    where: str | None,
    count_name: str,
    help_text: str,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    if where is not None:
        parser.add_argument(
            where,
            metavar=where.replace("_", "-"),
            help="endpoint, e.g. tcp://127.0.0.1:5555 or ipc:///tmp/bench",
        )
    parser.add_argument("message_size", metavar="message-size", type=_non_negative)
    parser.add_argument(count_name, metavar=count_name.replace("_", "-"), type=_positive)
    parser.add_argument(
        "--impl", choices=IMPLS, default="aiomq", help="implementation (default: aiomq)"
    )
    _add_common(parser)
    # Used by `compare`: print {"endpoint": ...} on stdout as soon as the socket is bound, and
    # (helper side) keep the connection open until stdin reaches EOF; see backends.Hold.
    parser.add_argument("--announce", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hold", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(role=name)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """Build the ``aiomq-bench`` argument parser (exposed for documentation and tests).

    Returns:
        The parser, with one sub-command per tool.
    """
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Throughput and latency benchmarks for aiomq, zmq.asyncio, pyzmq and a "
        "raw-asyncio baseline, modelled on libzmq's perf tools.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_role(
        sub,
        "local-thr",
        "bind_to",
        "message_count",
        "PULL side of the throughput test: bind, receive, print libzmq's throughput lines",
    )
    _add_role(
        sub,
        "remote-thr",
        "connect_to",
        "message_count",
        "PUSH side of the throughput test: connect, send, close with linger",
    )
    _add_role(
        sub,
        "local-lat",
        "bind_to",
        "roundtrip_count",
        "REP side of the latency test: bind and echo",
    )
    _add_role(
        sub,
        "remote-lat",
        "connect_to",
        "roundtrip_count",
        "REQ side of the latency test: connect, time round trips, print libzmq's latency lines",
    )
    _add_role(
        sub,
        "inproc-thr",
        None,
        "message_count",
        "PUSH -> PULL over inproc:// in one process (libzmq's inproc_thr); print throughput",
    )
    _add_role(
        sub,
        "inproc-lat",
        None,
        "roundtrip_count",
        "REQ <-> REP over inproc:// in one process (libzmq's inproc_lat); print latency",
    )
    sync_help = (
        "endpoint of the sync side channel (default: the data endpoint's port + 1 for tcp, "
        "PATH.sync for ipc)"
    )
    pub = _add_role(
        sub,
        "pub-thr",
        "bind_to",
        "message_count",
        "PUB side of the publish/subscribe test: bind, wait for the subscribers, publish",
    )
    pub.add_argument(
        "--subscribers", type=_positive, default=2, help="subscribers to wait for (default: 2)"
    )
    pub.add_argument("--sync", metavar="ENDPOINT", help=sync_help)
    sub_role = _add_role(
        sub,
        "sub-thr",
        "connect_to",
        "message_count",
        "SUB side of the publish/subscribe test: connect, receive, print throughput and loss",
    )
    sub_role.add_argument("--sync", metavar="ENDPOINT", help=sync_help)

    add_compare_parser(sub)
    idle.register(sub)
    return parser


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _run_role(args: argparse.Namespace) -> int:
    loop = cast(LoopName, args.loop)
    backend = load_backend(args.impl, loop)
    role: str = args.role
    size: int = args.message_size

    def on_bound(endpoint: str) -> None:
        if args.announce:
            _print(json.dumps({"endpoint": endpoint}))
        elif endpoint != args.bind_to:
            print(f"{_PROG}: {role} bound to {endpoint}", file=sys.stderr, flush=True)

    def hold() -> None:
        sys.stdin.buffer.read()

    held = hold if args.hold else None
    if role == "inproc-thr":
        thr = backend.inproc_thr(size, args.message_count)
        _emit(thr.to_json() if args.json else thr.lines(), as_json=args.json)
    elif role == "inproc-lat":
        lat = backend.inproc_lat(size, args.roundtrip_count)
        _emit(lat.to_json() if args.json else lat.lines(), as_json=args.json)
    elif role == "pub-thr":
        _run_pub(args, backend)
    elif role == "sub-thr":
        endpoint: str = args.connect_to
        sync = args.sync or sync_endpoint_for(endpoint)
        result = backend.sub_thr(endpoint, sync, size, args.message_count)
        _emit(result.to_json() if args.json else result.lines(), as_json=args.json)
    elif role == "local-thr":
        thr = backend.local_thr(args.bind_to, size, args.message_count, on_bound)
        _emit(thr.to_json() if args.json else thr.lines(), as_json=args.json)
    elif role == "remote-thr":
        backend.remote_thr(args.connect_to, size, args.message_count, held)
    elif role == "local-lat":
        backend.local_lat(args.bind_to, size, args.roundtrip_count, on_bound, held)
    else:
        lat = backend.remote_lat(args.connect_to, size, args.roundtrip_count)
        _emit(lat.to_json() if args.json else lat.lines(), as_json=args.json)
    return 0


def _run_pub(args: argparse.Namespace, backend: Backend) -> None:
    endpoint: str = args.bind_to
    sync: str = args.sync or sync_endpoint_for(endpoint)

    def on_bound(bound: str, bound_sync: str) -> None:
        if args.announce:
            _print(json.dumps({"endpoint": bound, "sync": bound_sync}))
        elif (bound, bound_sync) != (endpoint, sync):
            print(
                f"{_PROG}: pub-thr bound to {bound}, sync endpoint {bound_sync}",
                file=sys.stderr,
                flush=True,
            )

    backend.pub_thr(
        endpoint, sync, args.message_size, args.message_count, args.subscribers, on_bound
    )


def _emit(payload: dict[str, object] | list[str], *, as_json: bool) -> None:
    if as_json:
        _print(json.dumps(payload))
    else:
        for line in payload:
            _print(str(line))


def _run_compare(args: argparse.Namespace) -> int:
    return run_compare_command(args, _print)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``aiomq-bench`` with *argv* (default: ``sys.argv[1:]``).

    Args:
        argv: Command-line arguments, without the program name.

    Returns:
        The exit status: 0 on success, 1 when a benchmark failed, 2 for usage errors,
        130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    try:
        if args.role == "compare":
            return _run_compare(args)
        if args.role == "idle-conns":
            return idle.run(args)
        return _run_role(args)
    except BenchError as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
