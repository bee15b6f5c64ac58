"""The ``compare`` chart: one PNG, one row of panels per case, one column per transport/loop.

Throughput and pubsub panels plot messages/s against the message size per implementation on
log-log axes; latency panels are grouped bars (one group per size, log scale). matplotlib is
optional (it is in the ``bench`` extra) and used without pyplot, so no GUI backend or global
state is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiomq._bench.compare import CompareReport
from aiomq._bench.deps import BENCH_EXTRA_HINT, installed
from aiomq._bench.report import Group, groups
from aiomq._bench.results import format_size

__all__ = ["chart_unavailable", "write_chart"]

_YLABELS = {
    "throughput": "msg/s (median)",
    "pubsub": "msg/s per subscriber",
    "latency": "one-way latency µs (median)",
}
_TITLES = {"throughput": "PUSH → PULL", "pubsub": "PUB → SUBs", "latency": "REQ ⇄ REP"}


def chart_unavailable() -> str | None:
    """Return why the chart cannot be drawn (matplotlib missing), or ``None``."""
    if installed("matplotlib"):
        return None
    return (
        f"chart skipped: matplotlib is not installed (install the bench extra: {BENCH_EXTRA_HINT})"
    )


def _color(impl: str, impls: tuple[str, ...]) -> str:
    """The same colour for an implementation in every panel."""
    return f"C{impls.index(impl) % 10}"


def _plot_lines(axes: Any, group: Group, impls: tuple[str, ...], sizes: tuple[int, ...]) -> None:
    for impl in impls:
        rows = [row for row in group.rows if row.key.impl == impl]
        if rows:
            axes.plot(
                [max(1, row.key.size) for row in rows],
                [row.median for row in rows],
                marker="o",
                label=impl,
                color=_color(impl, impls),
            )
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    ticks = [max(1, s) for s in sizes]
    axes.set_xticks(ticks, [format_size(s) for s in sizes], fontsize=8)
    axes.minorticks_off()
    axes.set_xlabel("message size")


def _plot_bars(axes: Any, group: Group, impls: tuple[str, ...], sizes: tuple[int, ...]) -> None:
    present = [impl for impl in impls if any(r.key.impl == impl for r in group.rows)]
    width = 0.8 / max(1, len(present))
    for index, impl in enumerate(present):
        xs: list[float] = []
        ys: list[float] = []
        for position, size in enumerate(sizes):
            for row in group.rows:
                if row.key.impl == impl and row.key.size == size:
                    xs.append(position + (index - (len(present) - 1) / 2) * width)
                    ys.append(row.median)
        axes.bar(xs, ys, width=width, label=impl, color=_color(impl, impls))
    axes.set_xticks(range(len(sizes)), [format_size(s) for s in sizes])
    axes.set_yscale("log")
    axes.set_xlabel("message size")


def write_chart(report: CompareReport, path: Path) -> Path | None:
    """Draw the chart of *report* into *path* (PNG).

    Args:
        report: What ``compare`` measured.
        path: Output file.

    Returns:
        *path*, or ``None`` when there was nothing to draw.

    Raises:
        ImportError: matplotlib is not installed (check :func:`chart_unavailable` first).
    """
    from matplotlib.figure import Figure

    cfg = report.config
    all_groups = groups(report)
    if not all_groups:
        return None
    cases = [case for case in cfg.cases if any(g.case == case for g in all_groups)]
    columns = list(dict.fromkeys((g.transport, g.loop) for g in all_groups))
    figure = Figure(figsize=(4.2 * len(columns), 3.4 * len(cases)), layout="constrained")
    grid = figure.subplots(len(cases), len(columns), squeeze=False)
    for r, case in enumerate(cases):
        for c, (transport, loop) in enumerate(columns):
            axes = grid[r][c]
            group = next(
                (g for g in all_groups if (g.case, g.transport, g.loop) == (case, transport, loop)),
                None,
            )
            title = f"{_TITLES[case]} · {transport} · {loop}"
            if group is None:
                axes.set_title(f"{title}: not run", fontsize=10)
                axes.set_axis_off()
                continue
            axes.set_title(title, fontsize=10)
            if case == "latency":
                _plot_bars(axes, group, cfg.impls, cfg.sizes)
            else:
                _plot_lines(axes, group, cfg.impls, cfg.sizes)
            axes.set_ylabel(_YLABELS[case])
            axes.grid(True, which="major", alpha=0.3)
            axes.legend(fontsize=8)
    figure.suptitle("aiomq-bench compare (medians)")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path
