"""Progress of a ``compare`` sweep on stderr: a rich progress bar, or one line per run.

rich is optional (it is in the ``bench`` extra): without it, or when stderr is not a
terminal, every finished run is printed as one plain line, e.g.
``[ 12/285] [1/3] throughput tcp asyncio 16 B aiomq: 1,435,866 msg/s``.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from aiomq._bench.deps import BENCH_EXTRA_HINT, installed

__all__ = ["PlainProgress", "RichProgress", "make_progress"]


class PlainProgress:
    """One line per finished run on *stream* (default: stderr).

    Args:
        stream: Where to write; ``None`` means ``sys.stderr`` at the time of writing.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._total = 0
        self._done = 0

    def _write(self, line: str) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        print(line, file=stream, flush=True)

    def begin(self, total: int) -> None:
        """Remember the number of runs."""
        self._total = total

    def running(self, label: str) -> None:
        """Nothing: plain progress reports runs when they end."""

    def finished(self, label: str, outcome: str, *, failed: bool = False) -> None:
        """Print ``[done/total] label: outcome``."""
        self._done += 1
        width = len(str(self._total))
        self._write(f"[{self._done:>{width}}/{self._total}] {label}: {outcome}")

    def end(self) -> None:
        """Nothing to tidy up."""


class RichProgress:
    """A rich progress bar with the current run, elapsed and remaining time; every finished
    run is printed above it (failures in red)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        self._progress: Any = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: Any = None
        self._text: Any = Text

    def begin(self, total: int) -> None:
        """Show the bar."""
        self._progress.start()
        self._task = self._progress.add_task("starting", total=total)

    def running(self, label: str) -> None:
        """Show *label* as the current run."""
        self._progress.update(self._task, description=label)

    def finished(self, label: str, outcome: str, *, failed: bool = False) -> None:
        """Print the outcome above the bar and advance it."""
        line = self._text(f"{label}: {outcome}", style="red" if failed else "")
        self._progress.console.print(line)
        self._progress.advance(self._task)

    def end(self) -> None:
        """Remove the live display."""
        self._progress.update(self._task, description="done")
        self._progress.stop()


def make_progress(stream: TextIO | None = None) -> tuple[PlainProgress | RichProgress, str | None]:
    """Choose the progress display for a sweep.

    Args:
        stream: Stream to check for a terminal (default: stderr).

    Returns:
        ``(progress, note)``: a rich bar when rich is installed and *stream* is a terminal,
        plain lines otherwise; *note* tells the user how to get the bar when rich is missing.
    """
    target = stream if stream is not None else sys.stderr
    if not installed("rich"):
        note = (
            "rich is not installed: plain progress lines (for a bar, install the bench extra: "
            f"{BENCH_EXTRA_HINT})"
        )
        return PlainProgress(stream), note
    if not target.isatty():
        return PlainProgress(stream), None
    return RichProgress(), None
