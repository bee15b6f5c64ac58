"""Turning a :class:`~aiomq._bench.compare.CompareReport` into tables and JSON.

Ratios are *speed-ups* in both tables, so bigger is better everywhere: throughput divides this
row's messages/s by the reference's, latency divides the reference's latency by this row's.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from aiomq._bench.compare import CompareReport
from aiomq._bench.results import LatencyResult, ThroughputResult

__all__ = [
    "REFERENCES",
    "latency_medians",
    "render_markdown",
    "speedup",
    "throughput_medians",
    "to_json",
]

REFERENCES: tuple[str, ...] = ("zmq.asyncio", "pyzmq")
"""Implementations every row is compared against."""


def throughput_medians(report: CompareReport) -> dict[str, float]:
    """Return the median messages/s of every implementation that has results."""
    return {
        impl: statistics.median(r.msg_per_s for r in results)
        for impl, results in report.throughput.items()
        if results
    }


def latency_medians(report: CompareReport) -> dict[str, float]:
    """Return the median one-way latency (µs) of every implementation that has results."""
    return {
        impl: statistics.median(r.latency_us for r in results)
        for impl, results in report.latency.items()
        if results
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


def _ratio_cells(impl: str, medians: dict[str, float], *, lower_is_better: bool) -> list[str]:
    cells = []
    for ref in REFERENCES:
        if impl in medians and ref in medians:
            ratio = speedup(medians[impl], medians[ref], lower_is_better=lower_is_better)
            cells.append(f"{ratio:.2f}x")
        else:
            cells.append("-")
    return cells


def _loop_cell(loop: str | None) -> str:
    return loop if loop is not None else "— (blocking)"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    align = ["---" if i < 2 else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _throughput_table(report: CompareReport) -> list[str]:
    medians = throughput_medians(report)
    rows = []
    for impl in report.config.impls:
        results: list[ThroughputResult] = report.throughput.get(impl, [])
        if not results:
            continue
        rates = [r.msg_per_s for r in results]
        median = medians[impl]
        mbit = median * report.config.size * 8 / 1_000_000
        rows.append(
            [
                impl,
                _loop_cell(results[0].loop),
                f"{results[0].message_count:,}",
                f"{median:,.0f}",
                f"{mbit:,.3f}",
                f"{min(rates):,} - {max(rates):,}",
                *_ratio_cells(impl, medians, lower_is_better=False),
            ]
        )
    header = ["impl", "loop", "messages", "msg/s (median)", "Mb/s", "min-max msg/s"]
    header += [f"vs {ref}" for ref in REFERENCES]
    return _table(header, rows)


def _latency_table(report: CompareReport) -> list[str]:
    medians = latency_medians(report)
    rows = []
    for impl in report.config.impls:
        results: list[LatencyResult] = report.latency.get(impl, [])
        if not results:
            continue
        lats = [r.latency_us for r in results]
        rows.append(
            [
                impl,
                _loop_cell(results[0].loop),
                f"{results[0].roundtrip_count:,}",
                f"{medians[impl]:.3f}",
                f"{min(lats):.3f} - {max(lats):.3f}",
                *_ratio_cells(impl, medians, lower_is_better=True),
            ]
        )
    header = ["impl", "loop", "round trips", "latency µs (median)", "min-max µs"]
    header += [f"vs {ref}" for ref in REFERENCES]
    return _table(header, rows)


def render_markdown(report: CompareReport) -> str:
    """Render the comparison as markdown: a settings line, then one table per kind.

    Args:
        report: What :func:`~aiomq._bench.compare.run_compare` collected.

    Returns:
        Markdown text ending with a newline.
    """
    cfg = report.config
    env = report.environment
    out = [
        f"message size {cfg.size} B · transport {cfg.transport} · loop {cfg.loop} · "
        f"median of {cfg.runs} run{'s' if cfg.runs != 1 else ''}",
        "",
        " · ".join(f"{key} {value}" for key, value in env.items()),
        "",
    ]
    if cfg.throughput:
        out += ["PUSH → PULL throughput (ratios: msg/s speed-up, higher is better)", ""]
        out += _throughput_table(report)
        out.append("")
    if cfg.latency:
        out += ["REQ ⇄ REP one-way latency (ratios: speed-up, higher is better)", ""]
        out += _latency_table(report)
        out.append("")
    for (kind, impl), message in sorted(report.errors.items()):
        out.append(f"- **{impl} {kind} failed:** {message}")
    if report.errors:
        out.append("")
    return "\n".join(out)


def to_json(report: CompareReport) -> dict[str, object]:
    """Return the comparison as a JSON-ready mapping (every run, medians and ratios)."""
    cfg = report.config
    thr = throughput_medians(report)
    lat = latency_medians(report)
    return {
        "config": {
            "size": cfg.size,
            "transport": cfg.transport,
            "loop": cfg.loop,
            "runs": cfg.runs,
            "impls": list(cfg.impls),
        },
        "environment": dict(report.environment),
        "throughput": {
            impl: {
                "runs": [r.to_json() for r in results],
                "median_msg_per_s": thr[impl],
                "speedup": {ref: speedup(thr[impl], thr[ref]) for ref in REFERENCES if ref in thr},
            }
            for impl, results in report.throughput.items()
            if results
        },
        "latency": {
            impl: {
                "runs": [r.to_json() for r in results],
                "median_latency_us": lat[impl],
                "speedup": {
                    ref: speedup(lat[impl], lat[ref], lower_is_better=True)
                    for ref in REFERENCES
                    if ref in lat
                },
            }
            for impl, results in report.latency.items()
            if results
        },
        "errors": [
            {"kind": kind, "impl": impl, "message": message}
            for (kind, impl), message in sorted(report.errors.items())
        ],
    }
