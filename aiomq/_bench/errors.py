"""The benchmark tool's own error type."""

from __future__ import annotations

__all__ = ["BenchError"]


class BenchError(Exception):
    """A benchmark could not run; the message is meant for the person at the terminal.

    Raised for missing optional dependencies (pyzmq, uvloop), a peer process that failed or
    timed out, or a message of the wrong size. The CLI prints it and exits with status 1.
    """
