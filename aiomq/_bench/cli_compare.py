"""The ``compare`` sub-command: its options, and writing the report, JSON and chart.

List options take comma-separated values (``--sizes 16,4096``); the single-valued spellings
of earlier versions (``--size``, ``--transport``, ``--loop``, ``--impl``, ``--only``) are kept
as repeatable aliases. Without any of them the full sweep runs; ``--quick`` narrows the
default sizes to 16 B and 64 KiB and the default runs to 1.

An implementation or loop whose library is missing (pyzmq, uvloop) is left out of a default
sweep with one line on stderr per missing library; one asked for by name is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar, cast

from aiomq._bench.backends import IMPLS
from aiomq._bench.compare import (
    CASES,
    DEFAULT_SIZES,
    QUICK_SIZES,
    TRANSPORTS,
    Case,
    CompareConfig,
    CompareReport,
    Transport,
    run_compare,
)
from aiomq._bench.deps import BENCH_EXTRA_HINT, PEERS, installed
from aiomq._bench.errors import BenchError
from aiomq._bench.loops import LOOPS, LoopName

__all__ = [
    "DEFAULT_OUTPUT_DIR",
    "add_compare_parser",
    "config_from_args",
    "drop_missing_peers",
    "run_compare_command",
    "write_outputs",
]

T = TypeVar("T", bound=str)

DEFAULT_OUTPUT_DIR = Path("bench-results")
"""Where ``compare`` writes ``report.md``, ``results.json`` and ``chart.png`` by default."""

REPORT_NAME = "report.md"
JSON_NAME = "results.json"
CHART_NAME = "chart.png"


def _choices(allowed: Sequence[T]) -> Callable[[str], tuple[T, ...]]:
    def parse(text: str) -> tuple[T, ...]:
        values = tuple(v.strip() for v in text.split(",") if v.strip())
        unknown = [v for v in values if v not in allowed]
        if unknown or not values:
            raise argparse.ArgumentTypeError(
                f"invalid value(s) {', '.join(unknown) or repr(text)}; "
                f"choose from {', '.join(allowed)}"
            )
        return cast(tuple[T, ...], values)

    return parse


def _sizes(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be integers, got {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"sizes must be >= 0, got {text!r}")
    return values


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def add_compare_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` sub-command to *sub*."""
    cmp = sub.add_parser(
        "compare",
        help="sweep cases, sizes, transports, loops and implementations; "
        "write a markdown report, JSON and a chart",
        description="Run throughput (PUSH/PULL), latency (REQ/REP) and pubsub (PUB -> 2 SUB) "
        "cases for aiomq, zmq.asyncio, blocking pyzmq and a raw-asyncio baseline over every "
        "size, transport and loop, each case in separate processes, and report medians and "
        "speed-ups measured in the same invocation.",
        epilog="pyzmq (for zmq.asyncio and pyzmq), uvloop, rich (progress bar) and matplotlib "
        f"(chart) come with the bench extra: {BENCH_EXTRA_HINT}. Without pyzmq or uvloop, "
        "what needs it is left out, with one line saying so.",
    )
    what = cmp.add_argument_group("what to run (comma-separated lists)")
    what.add_argument(
        "--sizes",
        type=_sizes,
        help=f"message sizes in bytes (default: {','.join(map(str, DEFAULT_SIZES))})",
    )
    what.add_argument(
        "--transports",
        type=_choices(TRANSPORTS),
        help=f"transports (default: {','.join(TRANSPORTS)})",
    )
    what.add_argument("--loops", type=_choices(LOOPS), help=f"loops (default: {','.join(LOOPS)})")
    what.add_argument("--impls", type=_choices(IMPLS), help="implementations (default: all)")
    what.add_argument("--cases", type=_choices(CASES), help=f"cases (default: {','.join(CASES)})")
    what.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: sizes {','.join(map(str, QUICK_SIZES))} and 1 run unless given",
    )
    what.add_argument("--runs", type=_positive, help="runs per case; median reported (default 3)")
    what.add_argument(
        "--count",
        type=_positive,
        help="messages per throughput/pubsub run for every case (default: scaled with size)",
    )
    what.add_argument(
        "--roundtrips", type=_positive, help="round trips per latency run (default: scaled)"
    )
    what.add_argument(
        "--subscribers", type=_positive, default=2, help="SUB processes in pubsub (default: 2)"
    )
    what.add_argument(
        "--timeout", type=float, default=120.0, help="seconds allowed per run (default: 120)"
    )
    old = cmp.add_argument_group("single-value aliases (repeatable)")
    old.add_argument("--size", type=_non_negative, action="append", help="one message size")
    old.add_argument("--transport", choices=TRANSPORTS, action="append", help="one transport")
    old.add_argument("--loop", choices=LOOPS, action="append", help="one event loop")
    old.add_argument("--impl", choices=IMPLS, action="append", help="one implementation")
    old.add_argument("--only", choices=CASES, action="append", help="one case")
    out = cmp.add_argument_group("output")
    out.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help=f"where to write {REPORT_NAME}, {JSON_NAME} and {CHART_NAME} "
        f"(default: ./{DEFAULT_OUTPUT_DIR})",
    )
    out.add_argument("--output", type=Path, help="also write the JSON to this file")
    out.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    cmp.set_defaults(role="compare")


def _pick(
    listed: tuple[T, ...] | None, single: list[T] | None, default: tuple[T, ...]
) -> tuple[T, ...]:
    chosen: Sequence[T] = listed or single or default
    return tuple(dict.fromkeys(chosen))


def config_from_args(args: argparse.Namespace) -> CompareConfig:
    """Build the sweep configuration from parsed ``compare`` options."""
    sizes = tuple(dict.fromkeys(args.sizes or args.size or ()))
    if not sizes:
        sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    runs: int = args.runs if args.runs is not None else (1 if args.quick else 3)
    return CompareConfig(
        sizes=sizes,
        transports=cast(tuple[Transport, ...], _pick(args.transports, args.transport, TRANSPORTS)),
        loops=cast(tuple[LoopName, ...], _pick(args.loops, args.loop, LOOPS)),
        impls=_pick(args.impls, args.impl, IMPLS),
        cases=cast(tuple[Case, ...], _pick(args.cases, args.only, CASES)),
        runs=runs,
        count=args.count,
        roundtrips=args.roundtrips,
        subscribers=args.subscribers,
        timeout=args.timeout,
    )


def drop_missing_peers(
    config: CompareConfig, args: argparse.Namespace
) -> tuple[CompareConfig, list[str]]:
    """Leave out the implementations and loops whose library is not installed.

    Args:
        config: The sweep as configured.
        args: The parsed options, to tell what was asked for by name.

    Returns:
        The sweep without them, and one line per missing library that left something out.

    Raises:
        BenchError: An implementation or loop asked for by name (``--impls``, ``--loops``
            and their aliases) needs a library that is not installed.
    """
    named = {*(args.impls or args.impl or ()), *(args.loops or args.loop or ())}
    lines: list[str] = []
    for peer in PEERS:
        if installed(peer.module):
            continue
        asked = [f"--impl {impl}" for impl in peer.impls if impl in named]
        asked += [f"--loop {loop}" for loop in peer.loops if loop in named]
        if asked:
            raise BenchError(
                f"{', '.join(asked)}: needs {peer.dist}, which is not installed "
                f"(install the bench extra: {BENCH_EXTRA_HINT})"
            )
        impls = tuple(impl for impl in config.impls if impl in peer.impls)
        loops = tuple(loop for loop in config.loops if loop in peer.loops)
        if impls or loops:
            config = dataclasses.replace(
                config,
                impls=tuple(impl for impl in config.impls if impl not in impls),
                loops=tuple(loop for loop in config.loops if loop not in loops),
            )
            lines.append(peer.missing(impls, loops))
    return config, lines


def write_outputs(
    report: CompareReport, output_dir: Path, say: Callable[[str], None]
) -> dict[str, Path]:
    """Write the markdown report, the JSON and (with matplotlib) the chart into *output_dir*.

    Args:
        report: What ``compare`` measured.
        output_dir: Directory to write into (created if needed).
        say: Receives one line per file written, and the reason the chart was skipped.

    Returns:
        The files written, by kind (``markdown``, ``json``, ``chart``).
    """
    from aiomq._bench.chart import chart_unavailable, write_chart
    from aiomq._bench.report import render_markdown, to_json

    output_dir.mkdir(parents=True, exist_ok=True)
    written = {"markdown": output_dir / REPORT_NAME, "json": output_dir / JSON_NAME}
    written["markdown"].write_text(render_markdown(report))
    written["json"].write_text(json.dumps(to_json(report), indent=2) + "\n")
    reason = chart_unavailable()
    if reason is not None:
        say(reason)
    else:
        chart = write_chart(report, output_dir / CHART_NAME)
        if chart is not None:
            written["chart"] = chart
        else:
            say("chart skipped: no results to draw")
    for path in written.values():
        say(f"wrote {path}")
    return written


def run_compare_command(args: argparse.Namespace, emit: Callable[[str], None]) -> int:
    """Run ``compare`` with parsed options; print the report with *emit*.

    Returns:
        0 when every case ran, 1 when one failed.
    """
    from aiomq._bench.progress import make_progress
    from aiomq._bench.report import render_markdown, to_json

    def say(line: str) -> None:
        print(f"aiomq-bench: {line}", file=sys.stderr, flush=True)

    config, missing = drop_missing_peers(config_from_args(args), args)
    for line in missing:
        say(line)
    progress, note = make_progress()
    if note is not None:
        say(note)
    report = asyncio.run(run_compare(config, progress))
    write_outputs(report, args.output_dir, say)
    data = to_json(report)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(data, indent=2) + "\n")
    emit(json.dumps(data, indent=2) if args.json else render_markdown(report).rstrip("\n"))
    return 1 if report.errors else 0
