"""Fixtures of the libzmq interop tests: a pyzmq context, and a short directory for ipc://."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from .libzmq_helpers import Libzmq

# Unix socket paths are limited to 107 bytes; pytest's tmp_path can be longer than that
# once the test name carries its parameters.
_MAX_IPC_DIR = 80


@pytest.fixture
async def libzmq() -> AsyncIterator[Libzmq]:
    """libzmq peers for one test: their monitors, sockets and context closed afterwards."""
    peers = Libzmq()
    try:
        yield peers
    finally:
        await peers.close()


@pytest.fixture
def ipc_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory for ipc:// socket files: ``tmp_path`` if short enough, else a fresh
    directory in the system temp dir (removed afterwards)."""
    if len(str(tmp_path)) <= _MAX_IPC_DIR:
        yield tmp_path
        return
    path = tempfile.mkdtemp(prefix="aiomq-it-")
    try:
        yield Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)
