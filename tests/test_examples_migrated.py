"""``examples/migrated/``: a zmq.asyncio program that runs on aiomq with only its imports
changed, and still runs on pyzmq with them changed back (same output)."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest
from test_examples import DEADLINE, ROOT, example, example_env

pytestmark = pytest.mark.timeout(3 * DEADLINE)

MIGRATED = example("migrated/broker.py")
IMPORTS = {
    "import aiomq as zmq  # was: import zmq\n": "import zmq\n",
    "import aiomq.asyncio  # was: import zmq.asyncio\n": "import zmq.asyncio\n",
}
EXPECTED = [
    "broker: ready",
    "client-0: [0, 1, 4, 9]",
    "client-1: [0, 1, 4, 9]",
    "client-2: [0, 1, 4, 9]",
    "status client-0 done",
    "status client-1 done",
    "status client-2 done",
    "closed: True",
]


def _run(program: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, program],
        cwd=ROOT,
        env=example_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.splitlines()


def _pyzmq_original(tmp_path: Path) -> Path:
    source = Path(MIGRATED).read_text()
    for migrated, original in IMPORTS.items():
        assert source.count(migrated) == 1, migrated
        source = source.replace(migrated, original)
    original_path = tmp_path / "broker_pyzmq.py"
    original_path.write_text(source)
    return original_path


def test_migrated_program_runs_on_aiomq() -> None:
    assert _run(MIGRATED) == EXPECTED


def test_only_the_imports_differ_and_pyzmq_runs_it_the_same(tmp_path: Path) -> None:
    original = _pyzmq_original(tmp_path)
    changed = [
        line
        for line in difflib.unified_diff(
            original.read_text().splitlines(), Path(MIGRATED).read_text().splitlines(), n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-import zmq",
        "-import zmq.asyncio",
        "+import aiomq as zmq  # was: import zmq",
        "+import aiomq.asyncio  # was: import zmq.asyncio",
    ]
    assert _run(str(original)) == EXPECTED
