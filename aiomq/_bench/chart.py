"""The ``compare`` chart: one PNG, one row of panels per case, one column per transport/loop.

Throughput and pubsub panels plot messages/s against the message size per implementation on
log-log axes; latency panels are grouped bars (one group per size, log scale). One legend,
above the panels and outside every one of them, gives each implementation's colour (the same
in every panel), so no legend ever hides a line or a bar. matplotlib is optional (it is in
the ``bench`` extra) and used without pyplot, so no GUI backend or global state is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiomq._bench.compare import CompareReport
from aiomq._bench.deps import BENCH_EXTRA_HINT, installed
from aiomq._bench.report import Group, groups
from aiomq._bench.results import format_size

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["chart_unavailable", "draw_chart", "write_chart"]

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
        axes.bar(xs, ys, width=width, color=_color(impl, impls))
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
        ImportError: matplotlib is not installed (check `chart_unavailable` first).
    """
    figure = draw_chart(report)
    if figure is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path


def draw_chart(report: CompareReport) -> Figure | None:
    """Draw the chart of *report* on a new matplotlib figure.

    Args:
        report: What ``compare`` measured.

    Returns:
        The figure, or ``None`` when there was nothing to draw.

    Raises:
        ImportError: matplotlib is not installed (check `chart_unavailable` first).
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    cfg = report.config
    all_groups = groups(report)
    if not all_groups:
        return None
    cases = [case for case in cfg.cases if any(g.case == case for g in all_groups)]
    columns = list(dict.fromkeys((g.transport, g.loop) for g in all_groups))
    # The legend, with the title, takes a band above the panels.
    figure = Figure(figsize=(4.2 * len(columns), 3.4 * len(cases) + 0.9), layout="constrained")
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
    shown = [
        impl for impl in cfg.impls if any(r.key.impl == impl for g in all_groups for r in g.rows)
    ]
    handles = [
        Line2D([], [], color=_color(impl, cfg.impls), marker="s", linewidth=2.5, label=impl)
        for impl in shown
    ]
    # The legend carries the title: a suptitle and an outside legend would share one place.
    figure.legend(
        handles=handles,
        loc="outside upper center",
        ncols=len(handles),
        frameon=False,
        fontsize=11,
        title="aiomq-bench compare (medians)",
        title_fontsize=13,
    )
    return figure
