"""``aiomq-bench compare``: the sweep plan, the markdown/JSON report, the chart, the options.

Everything here runs on synthetic results, so the exact table rows can be asserted; the
processes themselves are exercised in ``test_bench_cli.py`` and ``test_bench_roles.py``.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from aiomq._bench import cli_compare, progress
from aiomq._bench.backends import IMPLS
from aiomq._bench.chart import chart_unavailable, draw_chart, write_chart
from aiomq._bench.compare import (
    DEFAULT_SIZES,
    QUICK_SIZES,
    CaseKey,
    CompareConfig,
    CompareReport,
    Transport,
    lat_count,
    plan,
    thr_count,
)
from aiomq._bench.deps import installed
from aiomq._bench.loops import LoopName
from aiomq._bench.report import render_markdown, to_json
from aiomq._bench.results import (
    LatencyResult,
    PubSubResult,
    SubscriberResult,
    ThroughputResult,
    format_size,
)
from aiomq.bench import build_parser

pytestmark = pytest.mark.timeout(30)


def synthetic_report() -> CompareReport:
    config = CompareConfig(
        sizes=(16,), transports=("tcp", "inproc"), loops=("asyncio", "uvloop"), runs=2
    )
    report = CompareReport(config=config, notes=plan(config)[1], elapsed_s=12.3)
    report.environment = {"python": "CPython 3.11.7", "cpus": "2"}

    def thr(impl: str, loop: LoopName | None, *elapsed: float, where: Transport = "tcp") -> None:
        key = CaseKey("throughput", where, loop, 16, impl)
        report.results[key] = [ThroughputResult(impl, loop, 16, 1000, e) for e in elapsed]

    def lat(impl: str, loop: LoopName | None, elapsed: float) -> None:
        key = CaseKey("latency", "tcp", loop, 16, impl)
        report.results[key] = [LatencyResult(impl, loop, 16, 1000, elapsed)] * 2

    def pubsub(impl: str, loop: LoopName | None, received: int) -> None:
        subs = (
            SubscriberResult(impl, loop, 16, 1000, 1000, 0.001),
            SubscriberResult(impl, loop, 16, 1000, received, 0.001),
        )
        report.results[CaseKey("pubsub", "tcp", loop, 16, impl)] = [PubSubResult(subs)] * 2

    thr("aiomq", "asyncio", 0.001, 0.00125)
    thr("zmq.asyncio", "asyncio", 0.01, 0.01)
    thr("pyzmq", None, 0.0005, 0.0005)
    thr("asyncio-raw", "asyncio", 0.0004, 0.0004)
    thr("aiomq", "uvloop", 0.0008, 0.0008)
    thr("aiomq", "asyncio", 0.002, 0.002, where="inproc")
    lat("aiomq", "asyncio", 0.08)
    lat("zmq.asyncio", "asyncio", 0.12)
    lat("pyzmq", None, 0.08)
    lat("asyncio-raw", "asyncio", 0.06)
    pubsub("aiomq", "asyncio", 990)
    pubsub("pyzmq", None, 1000)
    failed = CaseKey("pubsub", "tcp", "uvloop", 16, "zmq.asyncio")
    report.errors[failed] = "sub-thr exited with status 1: boom"
    return report


def table(markdown: str, heading: str) -> list[str]:
    """The first table after (the first) *heading*: its header, alignment and rows."""
    lines = markdown.splitlines()
    start = next(i for i in range(lines.index(heading), len(lines)) if lines[i].startswith("|"))
    end = next(i for i in range(start, len(lines) + 1) if i == len(lines) or not lines[i])
    return lines[start:end]


def test_markdown_throughput_tables() -> None:
    markdown = render_markdown(synthetic_report())
    assert markdown.splitlines()[:5] == [
        "# aiomq-bench compare",
        "",
        "sizes 16 B · transports tcp, inproc · loops asyncio, uvloop · "
        "implementations aiomq, zmq.asyncio, pyzmq, asyncio-raw · median of 2 runs · "
        "wall time 12 s",
        "",
        "python CPython 3.11.7 · cpus 2",
    ]
    header = (
        "| size | impl | loop | messages | msg/s (median) | MB/s | min-max msg/s "
        "| vs zmq.asyncio | vs pyzmq |"
    )
    assert table(markdown, "## PUSH → PULL throughput") == [
        header,
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
        "| 16 B | aiomq | asyncio | 1,000 | 900,000 | 14.4 | 800,000 - 1,000,000 | 9.00x | 0.45x |",
        "| 16 B | zmq.asyncio | asyncio | 1,000 | 100,000 | 1.6 | 100,000 - 100,000 "
        "| 1.00x | 0.05x |",
        "| 16 B | pyzmq | — (blocking) | 1,000 | 2,000,000 | 32.0 | 2,000,000 - 2,000,000 "
        "| 20.00x | 1.00x |",
        "| 16 B | asyncio-raw | asyncio | 1,000 | 2,500,000 | 40.0 | 2,500,000 - 2,500,000 "
        "| 25.00x | 1.25x |",
    ]
    # pyzmq (blocking) appears under every loop; the ratios compare rows of one table only.
    assert table(markdown, "### tcp · uvloop")[2:] == [
        "| 16 B | aiomq | uvloop | 1,000 | 1,250,000 | 20.0 | 1,250,000 - 1,250,000 | - | 0.62x |",
        "| 16 B | pyzmq | — (blocking) | 1,000 | 2,000,000 | 32.0 | 2,000,000 - 2,000,000 "
        "| - | 1.00x |",
    ]
    assert table(markdown, "### inproc · asyncio")[2:] == [
        "| 16 B | aiomq | asyncio | 1,000 | 500,000 | 8.0 | 500,000 - 500,000 | - | - |",
    ]
    assert "### inproc · uvloop" not in markdown


def test_markdown_latency_pubsub_notes_and_failures() -> None:
    markdown = render_markdown(synthetic_report())
    assert table(markdown, "## REQ ⇄ REP one-way latency") == [
        "| size | impl | loop | round trips | latency µs (median) | min-max µs "
        "| vs zmq.asyncio | vs pyzmq |",
        "|---|---|---|---:|---:|---:|---:|---:|",
        "| 16 B | aiomq | asyncio | 1,000 | 40.000 | 40.000 - 40.000 | 1.50x | 1.00x |",
        "| 16 B | zmq.asyncio | asyncio | 1,000 | 60.000 | 60.000 - 60.000 | 1.00x | 0.67x |",
        "| 16 B | pyzmq | — (blocking) | 1,000 | 40.000 | 40.000 - 40.000 | 1.50x | 1.00x |",
        "| 16 B | asyncio-raw | asyncio | 1,000 | 30.000 | 30.000 - 30.000 | 2.00x | 1.33x |",
    ]
    assert table(markdown, "## PUB → 2 SUB throughput, per subscriber") == [
        "| size | impl | loop | messages | msg/s per sub (median) | MB/s per sub "
        "| min-max msg/s | lost (all runs) | vs zmq.asyncio | vs pyzmq |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
        "| 16 B | aiomq | asyncio | 1,000 | 995,000 | 15.9 | 995,000 - 995,000 | 20 | - | 0.99x |",
        "| 16 B | pyzmq | — (blocking) | 1,000 | 1,000,000 | 16.0 | 1,000,000 - 1,000,000 "
        "| 0 | - | 1.00x |",
    ]
    assert markdown.endswith(
        "## Not run\n"
        "\n"
        "- asyncio-raw: not applicable to inproc (no in-process transport)\n"
        "- asyncio-raw: no pubsub case (it models one connection only)\n"
        "- pubsub: not run over inproc (the publisher and subscribers are processes)\n"
        "\n"
        "## Failures\n"
        "\n"
        "- **pubsub tcp uvloop 16 B zmq.asyncio failed:** sub-thr exited with status 1: boom\n"
    )


def test_json_report() -> None:
    data = to_json(synthetic_report())
    json.dumps(data)  # serialisable
    assert data["config"] == {
        "sizes": [16],
        "transports": ["tcp", "inproc"],
        "loops": ["asyncio", "uvloop"],
        "impls": ["aiomq", "zmq.asyncio", "pyzmq", "asyncio-raw"],
        "cases": ["throughput", "latency", "pubsub"],
        "runs": 2,
        "subscribers": 2,
    }
    groups = data["groups"]
    assert isinstance(groups, list)
    assert [(g["case"], g["transport"], g["loop"], len(g["rows"])) for g in groups] == [
        ("throughput", "tcp", "asyncio", 4),
        ("throughput", "tcp", "uvloop", 2),
        ("throughput", "inproc", "asyncio", 1),
        ("latency", "tcp", "asyncio", 4),
        ("latency", "tcp", "uvloop", 1),
        ("pubsub", "tcp", "asyncio", 2),
        ("pubsub", "tcp", "uvloop", 1),
    ]
    aiomq = groups[0]["rows"][0]
    assert {k: v for k, v in aiomq.items() if k != "runs"} == {
        "size": 16,
        "impl": "aiomq",
        "loop": "asyncio",
        "count": 1000,
        "median": 900000.0,
        "min": 800000.0,
        "max": 1000000.0,
        "lost": 0,
        "speedup": {"zmq.asyncio": 9.0, "pyzmq": 0.45},
    }
    assert [run["msg_per_s"] for run in aiomq["runs"]] == [1000000, 800000]
    pubsub_run = groups[5]["rows"][0]["runs"][0]
    assert (pubsub_run["kind"], pubsub_run["msg_per_s"], pubsub_run["lost"]) == (
        "pubsub",
        995000.0,
        10,
    )
    assert data["errors"] == [
        {
            "case": "pubsub",
            "transport": "tcp",
            "loop": "uvloop",
            "size": 16,
            "impl": "zmq.asyncio",
            "message": "sub-thr exited with status 1: boom",
        }
    ]


def test_plan_interleaves_runs_and_runs_pyzmq_once_per_loop_pair() -> None:
    config = CompareConfig(
        sizes=(16, 65536),
        transports=("tcp", "inproc"),
        loops=("asyncio", "uvloop"),
        cases=("throughput", "pubsub"),
        runs=2,
    )
    jobs, notes = plan(config)
    first = [(j.key.loop, j.key.impl, j.run) for j in jobs[:14]]
    assert first == [
        *[
            (loop, impl, run)
            for run in (1, 2)
            for loop, impl in [
                ("asyncio", "aiomq"),
                ("asyncio", "zmq.asyncio"),
                (None, "pyzmq"),
                ("asyncio", "asyncio-raw"),
                ("uvloop", "aiomq"),
                ("uvloop", "zmq.asyncio"),
                ("uvloop", "asyncio-raw"),
            ]
        ]
    ]
    assert {(j.key.transport, j.key.size) for j in jobs[:14]} == {("tcp", 16)}
    assert not any(j.key.impl == "asyncio-raw" and j.key.transport == "inproc" for j in jobs)
    assert not any(j.key.case == "pubsub" and j.key.transport == "inproc" for j in jobs)
    assert len(notes) == 3
    # 2 sizes x 2 runs: tcp 7 per round, inproc 5; pubsub over tcp: 5 (no raw)
    assert len(jobs) == 2 * 2 * (7 + 5 + 5)


def test_counts_scale_with_size() -> None:
    assert thr_count("aiomq", 16) == 1_000_000
    assert thr_count("zmq.asyncio", 16) == 100_000
    assert thr_count("aiomq", 1048576) == 2_000
    assert lat_count("aiomq", 16) == 5_000
    assert lat_count("pyzmq", 1048576) == 500
    assert CompareConfig(count=7, roundtrips=3).count_for("latency", "aiomq", 16) == 3
    assert CompareConfig(count=7).count_for("pubsub", "pyzmq", 1048576) == 7
    assert [format_size(s) for s in (0, 16, 1000, 4096, 65536, 1048576)] == [
        "0 B",
        "16 B",
        "1000 B",
        "4 KiB",
        "64 KiB",
        "1 MiB",
    ]


def test_options_full_quick_and_aliases() -> None:
    parser = build_parser()
    full = cli_compare.config_from_args(parser.parse_args(["compare"]))
    assert (full.sizes, full.runs, full.transports, full.loops) == (
        DEFAULT_SIZES,
        3,
        ("tcp", "ipc", "inproc"),
        ("asyncio", "uvloop"),
    )
    assert full.cases == ("throughput", "latency", "pubsub")
    quick = cli_compare.config_from_args(parser.parse_args(["compare", "--quick"]))
    assert (quick.sizes, quick.runs) == (QUICK_SIZES, 1)
    aliases = ["--size", "16", "--transport", "ipc", "--loop", "uvloop", "--impl", "pyzmq"]
    old = parser.parse_args(["compare", *aliases, "--only", "latency", "--quick", "--runs", "2"])
    config = cli_compare.config_from_args(old)
    assert (config.sizes, config.transports, config.loops, config.impls, config.cases) == (
        (16,),
        ("ipc",),
        ("uvloop",),
        ("pyzmq",),
        ("latency",),
    )
    assert config.runs == 2
    lists = parser.parse_args(["compare", "--sizes", "256,16", "--impls", "aiomq,asyncio-raw"])
    assert cli_compare.config_from_args(lists).sizes == (256, 16)
    assert cli_compare.config_from_args(lists).impls == ("aiomq", "asyncio-raw")


def test_bad_list_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["compare", "--transports", "tcp,udp"])
    assert exc.value.code == 2
    assert "invalid value(s) udp; choose from tcp, ipc, inproc" in capsys.readouterr().err


@pytest.mark.skipif(chart_unavailable() is not None, reason="matplotlib is not installed")
def test_chart_is_written(tmp_path: Path) -> None:
    path = write_chart(synthetic_report(), tmp_path / "chart.png")
    assert path == tmp_path / "chart.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(chart_unavailable() is not None, reason="matplotlib is not installed")
@pytest.mark.parametrize("full", [False, True], ids=["small", "full-sweep"])
def test_chart_legend_hides_no_panel(full: bool) -> None:
    """One legend for the whole chart, above the panels: it overlaps none of them, nor any
    panel title, and names every implementation drawn, in the configured order."""
    report = full_sweep_report() if full else synthetic_report()
    figure = draw_chart(report)
    assert figure is not None
    figure.draw_without_rendering()  # lays the figure out, as saving it does
    [legend] = figure.legends
    box = legend.get_window_extent()
    panels = figure.get_axes()
    assert len(panels) == (18 if full else 9)  # cases x (transport, loop) columns
    for panel in panels:
        assert not panel.get_legend()
        assert not box.overlaps(panel.get_window_extent()), panel.get_title()
        assert not box.overlaps(panel.title.get_window_extent()), panel.get_title()
        tight = panel.get_tightbbox()
        assert tight is not None
        assert box.y0 >= tight.y1, panel.get_title()
    assert [text.get_text() for text in legend.get_texts()] == list(IMPLS)
    assert legend.get_title().get_text() == "aiomq-bench compare (medians)"


def full_sweep_report() -> CompareReport:
    """A result for every run of the default sweep (sizes, transports, loops, cases)."""
    config = CompareConfig(runs=1)
    jobs, notes = plan(config)
    report = CompareReport(config=config, notes=notes)
    for job in jobs:
        key = job.key
        if key.case == "latency":
            report.results[key] = [LatencyResult(key.impl, key.loop, key.size, 100, 0.01)]
        elif key.case == "throughput":
            report.results[key] = [ThroughputResult(key.impl, key.loop, key.size, 1000, 0.01)]
        else:
            sub = SubscriberResult(key.impl, key.loop, key.size, 1000, 1000, 0.01)
            report.results[key] = [PubSubResult((sub, sub))]
    return report


def test_outputs_without_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    said: list[str] = []
    written = cli_compare.write_outputs(synthetic_report(), tmp_path / "out", said.append)
    assert said == [
        "chart skipped: matplotlib is not installed "
        '(install the bench extra: pip install -e ".[bench]" in the aiomq checkout)',
        f"wrote {tmp_path / 'out' / 'report.md'}",
        f"wrote {tmp_path / 'out' / 'results.json'}",
    ]
    assert sorted(written) == ["json", "markdown"]
    assert not (tmp_path / "out" / "chart.png").exists()
    assert (tmp_path / "out" / "report.md").read_text() == render_markdown(synthetic_report())
    assert json.loads((tmp_path / "out" / "results.json").read_text())["config"]["runs"] == 2


def test_progress_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)
    stream = io.StringIO()
    shown, note = progress.make_progress(stream)
    assert isinstance(shown, progress.PlainProgress)
    assert note == (
        "rich is not installed: plain progress lines "
        '(for a bar, install the bench extra: pip install -e ".[bench]" in the aiomq checkout)'
    )
    shown.begin(12)
    shown.running("[1/1] latency tcp asyncio 16 B aiomq")
    shown.finished("[1/1] latency tcp asyncio 16 B aiomq", "40.000 us")
    shown.end()
    assert stream.getvalue() == "[ 1/12] [1/1] latency tcp asyncio 16 B aiomq: 40.000 us\n"


def test_progress_is_plain_when_stderr_is_no_terminal() -> None:
    shown, note = progress.make_progress(io.StringIO())
    assert isinstance(shown, progress.PlainProgress)
    if installed("rich"):
        assert note is None
