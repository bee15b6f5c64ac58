"""Ctrl-C stops every long-running example quietly.

Each program is started on fresh endpoints with no peer, so that it waits; once it has
printed its first line (from inside its event loop, where Ctrl-C cancels the main task) it
gets SIGINT. It must exit at once with the shell's status for SIGINT (130), or 0 where it
handles the signal itself, print nothing on stderr (no traceback) and nothing more on stdout
but its own closing line.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _helpers import unused_tcp_endpoint
from test_examples import DEADLINE, example, example_names, first_line, start

pytestmark = [
    pytest.mark.timeout(2 * DEADLINE),
    pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT"),
]

# Programs that finish on their own within a second, without any peer.
SHORT_RUNNING = {"quickstart.py", "broker/demo.py", "migrated/broker.py"}


def _tcp(_: Path) -> list[str]:
    return ["--endpoint", unused_tcp_endpoint()]


def _ipc(directory: Path) -> list[str]:
    return ["--endpoint", f"ipc://{directory / 'example.ipc'}"]


def _broker(_: Path) -> list[str]:
    return ["--endpoint", unused_tcp_endpoint(), "--backend", unused_tcp_endpoint()]


# Program -> (its arguments in a directory of its own, exit status, stdout after line one).
LONG_RUNNING: dict[str, tuple[Callable[[Path], list[str]], int, str]] = {
    "reqrep/server.py": (_tcp, 130, ""),
    "reqrep/client.py": (_tcp, 130, ""),
    "pubsub/pub.py": (_tcp, 130, ""),
    "pubsub/sub.py": (_tcp, 130, ""),
    "pipeline/manager.py": (_tcp, 130, ""),
    "pipeline/worker.py": (_tcp, 130, ""),
    "pair/bind.py": (_ipc, 130, ""),
    "pair/connect.py": (_ipc, 130, ""),
    "lazy_pirate_server.py": (_tcp, 130, ""),
    "lazy_pirate_client.py": (_tcp, 130, ""),
    "broker/broker.py": (_broker, 130, ""),
    "broker/client.py": (_tcp, 130, ""),
    # The worker stops on SIGINT and SIGTERM through its own handlers, and says so.
    "broker/worker.py": (_tcp, 0, "worker: stopped after 0 requests\n"),
    "devices/queue_client.py": (_tcp, 130, ""),
    "devices/queue_server.py": (_tcp, 130, ""),
    "devices/pub.py": (_tcp, 130, ""),
    "devices/sub.py": (_tcp, 130, ""),
    "devices/producer.py": (_tcp, 130, ""),
    "devices/consumer.py": (_tcp, 130, ""),
}


def test_every_example_is_listed() -> None:
    assert sorted(SHORT_RUNNING | set(LONG_RUNNING)) == example_names()
    assert not SHORT_RUNNING & set(LONG_RUNNING)


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_ctrl_c_exits_quietly(name: str, tmp_path: Path) -> None:
    arguments, status, rest = LONG_RUNNING[name]
    proc = start([example(name), *arguments(tmp_path)])
    try:
        line = first_line(proc, time.monotonic() + DEADLINE)
        assert line, "the example exited before it was ready"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=DEADLINE)
    except (AssertionError, subprocess.TimeoutExpired):
        proc.kill()
        proc.communicate()
        raise
    assert "Traceback" not in stderr
    assert (proc.returncode, stdout, stderr) == (status, rest, "")
