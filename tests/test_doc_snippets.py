"""Every ``python`` snippet of the serialization, async, poller and monitor guides runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["serialization.md", "async.md", "poller.md", "monitor.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def snippets() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for i, match in enumerate(BLOCK.finditer((ROOT / "docs" / page).read_text())):
            found.append((f"{page}#{i}", match.group(1)))
    return found


SNIPPETS = snippets()


def run_snippet(code: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("name", "code"), SNIPPETS, ids=[name for name, _ in SNIPPETS])
def test_snippet_runs(name: str, code: str) -> None:
    run_snippet(code)


def test_typed_snippet_prints_what_the_page_says() -> None:
    page = (ROOT / "docs" / "serialization.md").read_text()
    expected = page.split("Prints:\n\n```text\n", 1)[1].split("```", 1)[0]
    assert run_snippet(SNIPPETS[0][1]) == expected


def test_pages_have_snippets() -> None:
    assert {name.split("#")[0] for name, _ in SNIPPETS} == set(PAGES)
