"""Turning a ``CompareReport`` into tables and JSON.

Ratios are *speed-ups* in every table, so bigger is better everywhere: throughput divides this
row's messages/s by the reference's, latency divides the reference's latency by this row's.
A ratio compares two rows of the same invocation, case, transport, loop and size only.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence

from aiomq._bench.compare import BLOCKING_IMPLS, Case, CaseKey, CompareReport, Result
from aiomq._bench.loops import LoopName
from aiomq._bench.results import LatencyResult, PubSubResult, format_size

__all__ = [
    "REFERENCES",
    "Group",
    "Row",
    "groups",
    "render_markdown",
    "speedup",
    "to_json",
]

REFERENCES: tuple[str, ...] = ("zmq.asyncio", "pyzmq")
"""Implementations every row is compared against."""

_TITLES: dict[Case, str] = {
    "throughput": "PUSH → PULL throughput",
    "latency": "REQ ⇄ REP one-way latency",
    "pubsub": "PUB → {n} SUB throughput, per subscriber",
}


def speedup(value: float, reference: float, *, lower_is_better: bool = False) -> float:
    """Return how many times better *value* is than *reference*.

    Args:
        value: This implementation's figure.
        reference: The reference implementation's figure.
        lower_is_better: True for latencies.

    Returns:
        ``value / reference``, or ``reference / value`` when lower is better.
    """
    return reference / value if lower_is_better else value / reference


def _figure(result: Result) -> float:
    if isinstance(result, LatencyResult):
        return result.latency_us
    return float(result.msg_per_s)


def _count(result: Result) -> int:
    if isinstance(result, LatencyResult):
        return result.roundtrip_count
    return result.message_count


def _lost(result: Result) -> int:
    return result.lost if isinstance(result, PubSubResult) else 0


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One implementation at one size in one table.

    Attributes:
        key: The case key of the results (``loop`` is ``None`` for blocking pyzmq).
        runs: Every successful run.
        median: Median msg/s (throughput, pubsub) or µs (latency) over the runs.
        low: Lowest figure of the runs.
        high: Highest figure of the runs.
        count: Messages or round trips per run.
        lost: Messages lost over all runs (pubsub only; 0 otherwise).
        speedups: Speed-up against each reference present in the same table and size.
    """

    key: CaseKey
    runs: tuple[Result, ...]
    median: float
    low: float
    high: float
    count: int
    lost: int
    speedups: dict[str, float]

    @property
    def mb_per_s(self) -> float:
        """Median megabytes (10^6 B) per second: msg/s times size (throughput, pubsub)."""
        return self.median * self.key.size / 1_000_000


@dataclasses.dataclass(frozen=True, slots=True)
class Group:
    """One table: a case over one transport on one loop, every size and implementation.

    Attributes:
        case: The case.
        transport: The transport.
        loop: The event loop of the asyncio implementations in this table.
        rows: Rows ordered by size, then by the configured implementation order.
    """

    case: Case
    transport: str
    loop: LoopName
    rows: tuple[Row, ...]


def _row(key: CaseKey, runs: Sequence[Result], medians: dict[str, float]) -> Row:
    figures = [_figure(r) for r in runs]
    median = statistics.median(figures)
    lower = key.case == "latency"
    return Row(
        key=key,
        runs=tuple(runs),
        median=median,
        low=min(figures),
        high=max(figures),
        count=_count(runs[0]),
        lost=sum(_lost(r) for r in runs),
        speedups={
            ref: speedup(median, medians[ref], lower_is_better=lower)
            for ref in REFERENCES
            if ref in medians
        },
    )


def groups(report: CompareReport) -> list[Group]:
    """Arrange the results into tables: case → transport → loop, rows by size and impl.

    Blocking implementations (pyzmq) appear in the table of every loop.
    """
    cfg = report.config
    out: list[Group] = []
    for case in cfg.cases:
        for transport in cfg.transports:
            for loop in cfg.loops:
                rows: list[Row] = []
                for size in cfg.sizes:
                    found: dict[str, tuple[CaseKey, list[Result]]] = {}
                    for impl in cfg.impls:
                        row_loop = None if impl in BLOCKING_IMPLS else loop
                        key = CaseKey(case, transport, row_loop, size, impl)
                        runs = report.results.get(key)
                        if runs:
                            found[impl] = (key, runs)
                    medians = {
                        impl: statistics.median(_figure(r) for r in runs)
                        for impl, (_key, runs) in found.items()
                    }
                    rows += [_row(key, runs, medians) for key, runs in found.values()]
                if rows:
                    out.append(Group(case, transport, loop, tuple(rows)))
    return out


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    align = ["---" if i < 3 else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _ratio_cells(row: Row) -> list[str]:
    return [f"{row.speedups[ref]:.2f}x" if ref in row.speedups else "-" for ref in REFERENCES]


def _loop_cell(loop: str | None) -> str:
    return loop if loop is not None else "— (blocking)"


def _group_table(group: Group) -> list[str]:
    refs = [f"vs {ref}" for ref in REFERENCES]
    body: list[list[str]] = []
    for row in group.rows:
        lead = [format_size(row.key.size), row.key.impl, _loop_cell(row.key.loop), f"{row.count:,}"]
        if group.case == "latency":
            spread = f"{row.low:.3f} - {row.high:.3f}"
            body.append([*lead, f"{row.median:.3f}", spread, *_ratio_cells(row)])
        else:
            spread = f"{row.low:,.0f} - {row.high:,.0f}"
            cells = [*lead, f"{row.median:,.0f}", f"{row.mb_per_s:,.1f}", spread]
            if group.case == "pubsub":
                cells.append(f"{row.lost:,}")
            body.append([*cells, *_ratio_cells(row)])
    if group.case == "latency":
        header = ["size", "impl", "loop", "round trips", "latency µs (median)", "min-max µs"]
    elif group.case == "pubsub":
        header = ["size", "impl", "loop", "messages", "msg/s per sub (median)", "MB/s per sub"]
        header += ["min-max msg/s", "lost (all runs)"]
    else:
        header = ["size", "impl", "loop", "messages", "msg/s (median)", "MB/s", "min-max msg/s"]
    return _table([*header, *refs], body)


def render_markdown(report: CompareReport) -> str:
    """Render the sweep as markdown: settings, then one section per case and one table per
    transport and loop, then notes and failures.

    Args:
        report: What ``run_compare`` collected.

    Returns:
        Markdown text ending with a newline.
    """
    cfg = report.config
    runs = f"median of {cfg.runs} run{'s' if cfg.runs != 1 else ''}"
    out = [
        "# aiomq-bench compare",
        "",
        f"sizes {', '.join(format_size(s) for s in cfg.sizes)} · "
        f"transports {', '.join(cfg.transports)} · loops {', '.join(cfg.loops)} · "
        f"implementations {', '.join(cfg.impls)} · {runs} · wall time {report.elapsed_s:.0f} s",
        "",
    ]
    if report.environment:
        out += [" · ".join(f"{key} {value}" for key, value in report.environment.items()), ""]
    out += [
        "Ratios are speed-ups against the reference measured in the same invocation, at the "
        "same size, transport and loop (higher is better; for latency: the reference's "
        "latency divided by this row's). Blocking pyzmq has no event loop: it runs once per "
        "case, transport and size and appears under every loop.",
        "",
    ]
    all_groups = groups(report)
    for case in cfg.cases:
        case_groups = [g for g in all_groups if g.case == case]
        if not case_groups:
            continue
        out += [f"## {_TITLES[case].format(n=cfg.subscribers)}", ""]
        for group in case_groups:
            out += [f"### {group.transport} · {group.loop}", ""]
            out += _group_table(group)
            out.append("")
    if report.notes:
        out += ["## Not run", ""]
        out += [f"- {note}" for note in report.notes]
        out.append("")
    if report.errors:
        out += ["## Failures", ""]
        for key, message in report.errors.items():
            loop = key.loop or "blocking"
            label = f"{key.case} {key.transport} {loop} {format_size(key.size)} {key.impl}"
            out.append(f"- **{label} failed:** {message}")
        out.append("")
    return "\n".join(out)


def _run_json(result: Result) -> dict[str, object]:
    return result.to_json()


def to_json(report: CompareReport) -> dict[str, object]:
    """Return the sweep as a JSON-ready mapping: every run, medians and ratios per table."""
    cfg = report.config
    return {
        "config": {
            "sizes": list(cfg.sizes),
            "transports": list(cfg.transports),
            "loops": list(cfg.loops),
            "impls": list(cfg.impls),
            "cases": list(cfg.cases),
            "runs": cfg.runs,
            "subscribers": cfg.subscribers,
        },
        "environment": dict(report.environment),
        "elapsed_s": report.elapsed_s,
        "groups": [
            {
                "case": group.case,
                "transport": group.transport,
                "loop": group.loop,
                "unit": "us" if group.case == "latency" else "msg/s",
                "rows": [
                    {
                        "size": row.key.size,
                        "impl": row.key.impl,
                        "loop": row.key.loop,
                        "count": row.count,
                        "median": row.median,
                        "min": row.low,
                        "max": row.high,
                        "lost": row.lost,
                        "speedup": row.speedups,
                        "runs": [_run_json(r) for r in row.runs],
                    }
                    for row in group.rows
                ],
            }
            for group in groups(report)
        ],
        "notes": list(report.notes),
        "errors": [
            {
                "case": key.case,
                "transport": key.transport,
                "loop": key.loop,
                "size": key.size,
                "impl": key.impl,
                "message": message,
            }
            for key, message in report.errors.items()
        ],
    }
