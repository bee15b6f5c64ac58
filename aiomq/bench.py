"""``aiomq-bench``: libzmq-style throughput and latency tools, and a side-by-side comparison.

The four perf commands mirror libzmq's ``perf/`` programs and print their result lines
exactly, so figures can be set beside the C tools'::

    aiomq-bench local-thr  tcp://127.0.0.1:5555 16 1000000        # PULL, binds, prints
    aiomq-bench remote-thr tcp://127.0.0.1:5555 16 1000000        # PUSH, connects
    aiomq-bench local-lat  tcp://127.0.0.1:5556 16 10000          # REP, binds
    aiomq-bench remote-lat tcp://127.0.0.1:5556 16 10000          # REQ, connects, prints

Each takes ``--impl aiomq|zmq.asyncio|pyzmq`` (default aiomq), ``--loop asyncio|uvloop``
(ignored by blocking pyzmq) and ``--json``. ``compare`` runs PUSH/PULL throughput and REQ/REP
latency for all three implementations in one go, every case in two processes, and prints
medians and speed-ups as markdown tables::

    aiomq-bench compare --size 16 --transport tcp --loop asyncio --runs 3

pyzmq and uvloop are optional: they are imported only when a command needs them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from aiomq._bench.backends import IMPLS, load_backend
from aiomq._bench.errors import BenchError
from aiomq._bench.loops import LOOPS, LoopName

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
    where: str,
    count_name: str,
    help_text: str,
) -> None:
    parser = sub.add_parser(name, help=help_text, description=help_text)
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


def build_parser() -> argparse.ArgumentParser:
    """Build the ``aiomq-bench`` argument parser (exposed for documentation and tests).

    Returns:
        The parser, with one sub-command per tool.
    """
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Throughput and latency benchmarks for aiomq, zmq.asyncio and pyzmq, "
        "modelled on libzmq's perf tools.",
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

    cmp = sub.add_parser(
        "compare",
        help="PUSH/PULL throughput and REQ/REP latency for every implementation, side by side",
        description="Run the same throughput and latency cases for aiomq, zmq.asyncio and "
        "blocking pyzmq (each case in two processes) and print medians and speed-ups as "
        "markdown tables.",
    )
    cmp.add_argument("--size", type=_non_negative, default=16, help="message size in bytes")
    cmp.add_argument(
        "--count",
        type=_positive,
        help="messages per throughput run for every implementation "
        "(default: 1000000 for aiomq and pyzmq, 200000 for zmq.asyncio)",
    )
    cmp.add_argument(
        "--roundtrips",
        type=_positive,
        help="round trips per latency run (default: 10000; 5000 for zmq.asyncio)",
    )
    cmp.add_argument("--transport", choices=("tcp", "ipc"), default="tcp")
    cmp.add_argument("--runs", type=_positive, default=3, help="runs per case; median reported")
    cmp.add_argument(
        "--impl",
        dest="impls",
        action="append",
        choices=IMPLS,
        help="implementation to include (repeatable; default: all)",
    )
    cmp.add_argument("--only", choices=("throughput", "latency"), help="run only one kind of case")
    cmp.add_argument(
        "--timeout", type=float, default=60.0, help="seconds allowed per case (default: 60)"
    )
    cmp.add_argument("--output", type=Path, help="also write the full results as JSON here")
    _add_common(cmp)
    cmp.set_defaults(role="compare")
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
    if role == "local-thr":
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


def _emit(payload: dict[str, object] | list[str], *, as_json: bool) -> None:
    if as_json:
        _print(json.dumps(payload))
    else:
        for line in payload:
            _print(str(line))


def _run_compare(args: argparse.Namespace) -> int:
    from aiomq._bench.compare import CompareConfig, run_compare
    from aiomq._bench.report import render_markdown, to_json

    config = CompareConfig(
        size=args.size,
        count=args.count,
        roundtrips=args.roundtrips,
        transport=args.transport,
        loop=cast(LoopName, args.loop),
        runs=args.runs,
        impls=tuple(dict.fromkeys(args.impls)) if args.impls else IMPLS,
        throughput=args.only in (None, "throughput"),
        latency=args.only in (None, "latency"),
        timeout=args.timeout,
    )

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    report = asyncio.run(run_compare(config, progress))
    data = to_json(report)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(data, indent=2) + "\n")
    if args.json:
        _print(json.dumps(data, indent=2))
    else:
        _print(render_markdown(report))
    return 1 if report.errors else 0


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
        return _run_role(args)
    except BenchError as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
