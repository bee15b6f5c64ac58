"""``aiomq-bench``: the perf tools print libzmq's lines; ``compare`` renders its tables.

The perf roles run as two real processes (as libzmq's tools do) with tiny counts; the binding
side binds ``tcp://127.0.0.1:*`` and announces the port it got, so no fixed port is used.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiomq._bench import backends, compare, loops
from aiomq._bench.compare import CaseKey, CompareConfig, Job, Result
from aiomq._bench.errors import BenchError
from aiomq._bench.results import LatencyResult, ThroughputResult
from aiomq.bench import main

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 30.0  # seconds, for each process
SETTLE = 10.0  # seconds the binding side may take to finish once its peer has exited

pytestmark = pytest.mark.timeout(2 * DEADLINE)

THR_LINES = [
    r"message size: 16 \[B\]",
    r"message count: 200",
    r"mean throughput: [1-9]\d* \[msg/s\]",
    r"mean throughput: \d+\.\d{3} \[Mb/s\]",
]
LAT_LINES = [
    r"message size: 16 \[B\]",
    r"roundtrip count: 50",
    r"average latency: \d+\.\d{3} \[us\]",
]


def _bench(*args: str) -> list[str]:
    return [sys.executable, "-m", "aiomq.bench", *args]


def _env() -> dict[str, str]:
    pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}


def run_pair(local: list[str], remote: list[str], options: list[str]) -> tuple[str, str]:
    """Run a binding role and a connecting role; return both stdouts (announce line dropped)."""
    with subprocess.Popen(
        _bench(*local, *options, "--announce"),
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as binder:
        try:
            assert binder.stdout is not None
            announce = binder.stdout.readline()
            assert announce, binder.communicate(timeout=DEADLINE)[1]
            endpoint = json.loads(announce)["endpoint"]
            assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", endpoint)
            connector = subprocess.run(
                _bench(*remote[:1], endpoint, *remote[1:], *options),
                cwd=ROOT,
                env=_env(),
                capture_output=True,
                text=True,
                timeout=DEADLINE,
                check=False,
            )
            local_out, local_err = binder.communicate(timeout=SETTLE)
        finally:
            binder.kill()
    assert connector.returncode == 0, connector.stderr
    assert binder.returncode == 0, local_err
    return local_out, connector.stdout


def assert_lines(output: str, patterns: list[str]) -> None:
    lines = output.splitlines()
    assert len(lines) == len(patterns), output
    for line, pattern in zip(lines, patterns, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


IMPL_LOOPS = [
    pytest.param("pyzmq", "asyncio", id="pyzmq"),
    pytest.param("zmq.asyncio", "asyncio", id="zmq.asyncio-asyncio"),
    pytest.param("aiomq", "asyncio", id="aiomq-asyncio"),
    pytest.param("aiomq", "uvloop", id="aiomq-uvloop"),
    pytest.param("asyncio-raw", "asyncio", id="asyncio-raw-asyncio"),
    pytest.param("asyncio-raw", "uvloop", id="asyncio-raw-uvloop"),
]


@pytest.mark.parametrize(("impl", "loop"), IMPL_LOOPS)
def test_throughput_roles_print_libzmq_lines(impl: str, loop: str) -> None:
    local_out, remote_out = run_pair(
        ["local-thr", "tcp://127.0.0.1:*", "16", "200"],
        ["remote-thr", "16", "200"],
        ["--impl", impl, "--loop", loop],
    )
    assert_lines(local_out, THR_LINES)
    assert remote_out == ""


@pytest.mark.parametrize(("impl", "loop"), IMPL_LOOPS)
def test_latency_roles_print_libzmq_lines(impl: str, loop: str) -> None:
    local_out, remote_out = run_pair(
        ["local-lat", "tcp://127.0.0.1:*", "16", "50"],
        ["remote-lat", "16", "50"],
        ["--impl", impl, "--loop", loop],
    )
    assert local_out == ""
    assert_lines(remote_out, LAT_LINES)


def test_json_output_round_trips() -> None:
    local_out, _ = run_pair(
        ["local-thr", "tcp://127.0.0.1:*", "16", "200"],
        ["remote-thr", "16", "200"],
        ["--impl", "aiomq", "--json"],
    )
    result = ThroughputResult.from_json(json.loads(local_out))
    assert (result.impl, result.loop, result.message_count) == ("aiomq", "asyncio", 200)
    assert result.msg_per_s > 0


def test_lines_follow_libzmq_formulas() -> None:
    thr = ThroughputResult("pyzmq", None, 16, 1000, 0.5)
    assert thr.lines() == [
        "message size: 16 [B]",
        "message count: 1000",
        "mean throughput: 2000 [msg/s]",
        "mean throughput: 0.256 [Mb/s]",
    ]
    lat = LatencyResult("aiomq", "uvloop", 16, 100, 0.01)
    assert lat.lines() == [
        "message size: 16 [B]",
        "roundtrip count: 100",
        "average latency: 50.000 [us]",
    ]
    assert ThroughputResult("aiomq", None, 1, 10, 0.0).msg_per_s == 10_000_000  # elapsed >= 1us


def test_compare_renders_tables(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    output = tmp_path / "results" / "compare.json"
    args = ["compare", "--impl", "aiomq", "--impl", "pyzmq", "--runs", "1", "--count", "500"]
    args += ["--size", "16", "--transport", "tcp", "--loop", "asyncio", "--only", "throughput"]
    args += ["--output", str(output), "--output-dir", str(tmp_path / "out")]
    assert main(args) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 16 B | aiomq")]
    assert len(rows) == 1
    # No zmq.asyncio in this run: "-"; the ratio vs pyzmq comes from the same run.
    pattern = r"\| 16 B \| aiomq \| asyncio \| 500 \| [\d,]+ \| [\d,.]+ \| [\d,]+ - [\d,]+ "
    pattern += r"\| - \| \d+\.\d\dx \|"
    assert re.fullmatch(pattern, rows[0]), rows[0]
    data = json.loads(output.read_text())
    assert [(g["case"], g["transport"], g["loop"]) for g in data["groups"]] == [
        ("throughput", "tcp", "asyncio")
    ]
    pyzmq_row = data["groups"][0]["rows"][1]
    assert (pyzmq_row["impl"], pyzmq_row["loop"], pyzmq_row["speedup"]) == (
        "pyzmq",
        None,
        {"pyzmq": 1.0},
    )
    assert (tmp_path / "out" / "report.md").read_text() == out


@pytest.mark.skipif(sys.platform == "win32", reason="ipc:// needs Unix domain sockets")
def test_compare_over_ipc_with_latency(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["compare", "--impls", "pyzmq,zmq.asyncio", "--runs", "1", "--sizes", "16"]
    args += ["--count", "500", "--roundtrips", "50", "--transports", "ipc", "--loops", "asyncio"]
    args += ["--cases", "throughput,latency", "--json", "--output-dir", str(tmp_path)]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == []
    latency = next(g for g in data["groups"] if g["case"] == "latency")
    zmq_asyncio = next(r for r in latency["rows"] if r["impl"] == "zmq.asyncio")
    assert zmq_asyncio["runs"][0]["roundtrip_count"] == 50


def test_compare_reports_a_failing_case(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A zero timeout fails every case; compare still prints its tables and exits 1.
    args = ["compare", "--impl", "pyzmq", "--runs", "2", "--count", "10", "--timeout", "0"]
    args += ["--sizes", "16", "--transports", "tcp", "--cases", "throughput,latency"]
    args += ["--output-dir", str(tmp_path)]
    assert main(args) == 1
    captured = capsys.readouterr()
    failures = [line for line in captured.out.splitlines() if line.startswith("- **")]
    assert failures == [
        "- **throughput tcp blocking 16 B pyzmq failed:** "
        "pyzmq: local-thr/remote-thr timed out after 0 s",
        "- **latency tcp blocking 16 B pyzmq failed:** "
        "pyzmq: local-lat/remote-lat timed out after 0 s",
    ]
    assert captured.err.count("FAILED") == 2  # throughput and latency, each tried once
    assert captured.err.count("skipped (failed before)") == 2


def test_missing_pyzmq_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [
        n for n in sys.modules if n == "zmq" or n.startswith(("zmq.", "aiomq._bench.impl"))
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "zmq", None)
    with pytest.raises(BenchError, match="needs pyzmq"):
        backends.load_backend("zmq.asyncio")
    assert main(["remote-thr", "tcp://127.0.0.1:1", "16", "1", "--impl", "pyzmq"]) == 1
    assert capsys.readouterr().err == (
        "aiomq-bench: error: the 'pyzmq' implementation needs pyzmq, which is not installed: "
        'install the bench extra (pip install -e ".[bench]" in the aiomq checkout)\n'
    )
    assert backends.load_backend("aiomq").impl == "aiomq"  # aiomq itself needs no pyzmq


def test_missing_uvloop_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)

    async def nothing() -> None:
        return None

    with pytest.raises(BenchError, match="needs uvloop, which is not installed"):
        loops.run(nothing, "uvloop")


def test_importing_the_tool_imports_neither_pyzmq_nor_uvloop() -> None:
    code = (
        "import sys, aiomq; before = set(sys.modules)\n"
        "import aiomq.bench, aiomq._bench.compare, aiomq._bench.report, aiomq._bench.chart\n"
        "import aiomq._bench.progress, aiomq._bench.cli_compare, aiomq._bench.impl_raw\n"
        "new = set(sys.modules) - before\n"
        "heavy = ('zmq', 'uvloop', 'rich', 'matplotlib')\n"
        "assert not {m for m in new if m.split('.')[0] in heavy}, new\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), check=True, timeout=DEADLINE)


def _fake_runs(monkeypatch: pytest.MonkeyPatch) -> list[CaseKey]:
    """Make ``compare`` record its jobs instead of starting processes; returns the record."""
    ran: list[CaseKey] = []

    async def run_job(job: Job, config: CompareConfig, ipc_dir: str | None) -> Result:
        ran.append(job.key)
        return LatencyResult(job.key.impl, job.key.loop, job.key.size, job.messages, 0.001)

    monkeypatch.setattr(compare, "_run_job", run_job)
    return ran


def _without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] in modules]:
        monkeypatch.delitem(sys.modules, name)
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


MISSING_PYZMQ = (
    "aiomq-bench: pyzmq is not installed: zmq.asyncio and pyzmq left out "
    '(install the bench extra: pip install -e ".[bench]" in the aiomq checkout)'
)
MISSING_UVLOOP = (
    "aiomq-bench: uvloop is not installed: the uvloop loop left out "
    '(install the bench extra: pip install -e ".[bench]" in the aiomq checkout)'
)


def test_compare_leaves_out_what_a_missing_peer_needs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without pyzmq and uvloop a default sweep runs the rest: one line per missing library
    on stderr, before anything runs, and no failure."""
    _without(monkeypatch, "zmq", "uvloop")
    ran = _fake_runs(monkeypatch)
    args = ["compare", "--cases", "latency", "--transports", "tcp", "--sizes", "16"]
    assert main([*args, "--output-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err[:2] == [MISSING_PYZMQ, MISSING_UVLOOP]
    assert [line for line in err if "pyzmq" in line or "uvloop" in line] == err[:2]
    assert not [line for line in err if "FAILED" in line]
    assert ran == [
        CaseKey("latency", "tcp", "asyncio", 16, impl)
        for _ in range(3)
        for impl in ("aiomq", "asyncio-raw")
    ]
    out = captured.out.splitlines()
    assert out[2] == (
        "sizes 16 B · transports tcp · loops asyncio · implementations aiomq, asyncio-raw · "
        "median of 3 runs · wall time 0 s"
    )
    assert "pyzmq not installed" in out[4]
    assert "uvloop not installed" in out[4]
    assert "## Failures" not in out


def test_compare_quick_without_pyzmq(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``compare --quick`` with the bench extra but for pyzmq: one line, and every case
    of aiomq and asyncio-raw, on both loops, runs once."""
    _without(monkeypatch, "zmq")
    ran = _fake_runs(monkeypatch)
    assert main(["compare", "--quick", "--output-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "pyzmq" in line] == [MISSING_PYZMQ]
    assert {key.impl for key in ran} == {"aiomq", "asyncio-raw"}
    # aiomq: 3 cases x 2 sizes x 2 loops x 3 transports, less pubsub over inproc;
    # asyncio-raw: throughput and latency over tcp and ipc.
    assert len(ran) == (3 * 2 * 2 * 3 - 2 * 2) + (2 * 2 * 2 * 2) == len(set(ran))


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--impls", "aiomq,zmq.asyncio"], "--impl zmq.asyncio: needs pyzmq"),
        (["--impl", "pyzmq"], "--impl pyzmq: needs pyzmq"),
        (["--loops", "uvloop"], "--loop uvloop: needs uvloop"),
    ],
)
def test_compare_refuses_a_named_implementation_or_loop_whose_peer_is_missing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    option: list[str],
    named: str,
) -> None:
    _without(monkeypatch, "zmq", "uvloop")
    ran = _fake_runs(monkeypatch)
    assert main(["compare", *option, "--output-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"aiomq-bench: error: {named}, which is not installed "
        '(install the bench extra: pip install -e ".[bench]" in the aiomq checkout)\n'
    )
    assert (captured.out, ran) == ("", [])


def test_compare_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--quick", "--help"])
    assert exc.value.code == 0
    assert "smoke run: sizes 16,65536 and 1 run unless given" in capsys.readouterr().out
