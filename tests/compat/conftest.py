"""pyzmq's own asyncio tests, run against aiomq: the yardstick of the drop-in promise.

pyzmq's ``tests/test_asyncio.py`` is not copied into this repository. The first run takes
it from the pyzmq source distribution on PyPI, of the pyzmq version installed here (the
archive's sha256 is checked against the index), and writes it to ``upstream/`` (ignored by
git) with these mechanical edits only, listed again in the file's header:

1. ``import zmq`` becomes ``import aiomq as zmq``.
2. ``import zmq.asyncio as zaio`` becomes ``import aiomq.asyncio as zaio``.
3. The fixtures of pyzmq's ``tests/conftest.py`` come from this file instead, written for
   aiomq: ``context``, ``contexts``, ``sockets``, ``socket``, ``create_bound_pair``,
   ``bound_pair``, ``push_pull`` and ``dealer_router`` behave as pyzmq's, except that a
   context is terminated in the test's own thread (pyzmq terminates it in a helper thread;
   aiomq sockets belong to the thread of their event loop).

The test bodies are unchanged. The tests that do not apply to aiomq are skipped with the
reason below, and the summary prints how many of the applicable ones passed.
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import aiomq

UPSTREAM = Path(__file__).parent / "upstream"
TESTS = ("test_asyncio.py",)
INDEX = "https://pypi.org/simple/pyzmq/"
EDITS = (
    ("import zmq.asyncio as zaio\n", "import aiomq.asyncio as zaio\n"),
    ("import zmq\n", "import aiomq as zmq\n"),
)
NOT_APPLICABLE = {
    "test_poll_base_socket": (
        "polls a blocking pyzmq socket and reads it without await; aiomq has no blocking "
        "sockets (its recv_multipart returns a future)"
    ),
    "test_multiple_loops": (
        "uses one socket in three event loops in turn; an aiomq socket belongs to the loop "
        "that first uses it and refuses another with a clear RuntimeError"
    ),
    "test_shadow": "shadows a libzmq socket handle (Socket(sock), .underlying); aiomq has none",
    "test_poll_leak": (
        "inspects pyzmq's private Socket._recv_futures; aiomq's own tests check that a "
        "cancelled poll leaves nothing registered"
    ),
    "test_draft_asyncio": "draft socket types (CLIENT/SERVER): aiomq.DRAFT_API is False",
}


def _pyzmq_version() -> str:
    import zmq

    version: str = zmq.__version__
    return version


def _download_sdist(version: str) -> bytes:
    """pyzmq's source distribution from PyPI, checked against the index's sha256."""
    with urllib.request.urlopen(INDEX, timeout=60) as response:
        index = response.read().decode()
    name = f"pyzmq-{version}.tar.gz"
    match = re.search(rf'href="([^"]*/{re.escape(name)})#sha256=([0-9a-f]{{64}})"', index)
    if match is None:
        raise RuntimeError(f"{name} is not on {INDEX}")
    url, digest = match.groups()
    with urllib.request.urlopen(url, timeout=120) as response:
        archive: bytes = response.read()
    if hashlib.sha256(archive).hexdigest() != digest:
        raise RuntimeError(f"{name}: sha256 does not match the index")
    return archive


def _edited(source: str, name: str, version: str) -> str:
    for old, new in EDITS:
        if old not in source:
            raise RuntimeError(f"pyzmq {version} {name}: expected {old.strip()!r}")
        source = source.replace(old, new, 1)
    header = (
        f"# pyzmq {version}'s tests/{name}, from its source distribution on PyPI, run\n"
        "# against aiomq by tests/compat/conftest.py. Generated, not part of aiomq's sources.\n"
        "# pyzmq is Copyright (c) PyZMQ Developers, distributed under the Modified BSD\n"
        "# License (see LICENSE.md in that distribution). Mechanical edits, nothing else:\n"
        "#   - import zmq               -> import aiomq as zmq\n"
        "#   - import zmq.asyncio as zaio -> import aiomq.asyncio as zaio\n"
        "#   - fixtures from tests/compat/conftest.py instead of pyzmq's tests/conftest.py\n"
    )
    return header + source


def _fetch_upstream() -> None:
    version = _pyzmq_version()
    stamp = UPSTREAM / "VERSION"
    if stamp.exists() and stamp.read_text() == version:
        return
    UPSTREAM.mkdir(exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(_download_sdist(version)), mode="r:gz") as archive:
        for name in TESTS:
            member = archive.extractfile(f"pyzmq-{version}/tests/{name}")
            if member is None:
                raise RuntimeError(f"pyzmq {version} has no tests/{name}")
            text = _edited(member.read().decode(), name, version)
            (UPSTREAM / name).write_text(text)
    stamp.write_text(version)


_fetch_upstream()


# -- pyzmq's fixtures, for aiomq ---------------------------------------------------------


@pytest.fixture
def Context() -> type[aiomq.Context]:
    """The Context class (test modules may override it)."""
    return aiomq.Context


@pytest.fixture
def contexts() -> Iterator[set[aiomq.Context]]:
    """Contexts to terminate after the test."""
    made: set[aiomq.Context] = set()
    yield made
    for ctx in made:
        ctx.term()


@pytest.fixture
def context(Context: type[aiomq.Context], contexts: set[aiomq.Context]) -> aiomq.Context:
    """A Context, terminated after the test."""
    ctx = Context()
    contexts.add(ctx)
    return ctx


@pytest.fixture
def sockets(contexts: set[aiomq.Context]) -> Iterator[list[aiomq.Socket]]:
    """Sockets to close (LINGER 0) after the test; their contexts are terminated too."""
    made: list[aiomq.Socket] = []
    yield made
    for sock in made:
        contexts.add(sock.context)
    for sock in made:
        sock.close(linger=0)


@pytest.fixture
def socket(context: aiomq.Context, sockets: list[aiomq.Socket]) -> Callable[..., aiomq.Socket]:
    """A factory of sockets of ``context``, closed after the test."""

    def new_socket(*args: Any, **kwargs: Any) -> aiomq.Socket:
        sock = context.socket(*args, **kwargs)
        sockets.append(sock)
        return sock

    return new_socket


@pytest.fixture
def create_bound_pair(
    socket: Callable[..., aiomq.Socket],
) -> Callable[..., tuple[aiomq.Socket, aiomq.Socket]]:
    """A factory of two sockets: the first bound to a random port, the second connected."""

    def create(
        type1: int = aiomq.PAIR, type2: int = aiomq.PAIR, interface: str = "tcp://127.0.0.1"
    ) -> tuple[aiomq.Socket, aiomq.Socket]:
        first = socket(type1)
        first.linger = 0
        port = first.bind_to_random_port(interface)
        second = socket(type2)
        second.linger = 0
        second.connect(f"{interface}:{port}")
        return first, second

    return create


@pytest.fixture
def bound_pair(
    create_bound_pair: Callable[..., tuple[aiomq.Socket, aiomq.Socket]],
) -> tuple[aiomq.Socket, aiomq.Socket]:
    """PAIR and PAIR."""
    return create_bound_pair()


@pytest.fixture
def push_pull(
    create_bound_pair: Callable[..., tuple[aiomq.Socket, aiomq.Socket]],
) -> tuple[aiomq.Socket, aiomq.Socket]:
    """PUSH bound, PULL connected."""
    return create_bound_pair(aiomq.PUSH, aiomq.PULL)


@pytest.fixture
def dealer_router(
    create_bound_pair: Callable[..., tuple[aiomq.Socket, aiomq.Socket]],
) -> tuple[aiomq.Socket, aiomq.Socket]:
    """DEALER bound, ROUTER connected."""
    return create_bound_pair(aiomq.DEALER, aiomq.ROUTER)


# -- not applicable, and the tally -------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip, with the reason, each upstream test that does not apply to aiomq."""
    for item in items:
        if UPSTREAM not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.pyzmq_compat)
        reason = NOT_APPLICABLE.get(item.originalname if isinstance(item, pytest.Function) else "")
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=f"not applicable to aiomq: {reason}"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many applicable upstream tests passed."""
    outcomes: dict[str, list[Any]] = terminalreporter.stats
    compat = {
        outcome: [r for r in reports if "compat/upstream" in getattr(r, "nodeid", "")]
        for outcome, reports in outcomes.items()
        if outcome in ("passed", "failed", "error", "skipped")
    }
    compat = {outcome: reports for outcome, reports in compat.items() if reports}
    if not compat:
        return
    passed = len([r for r in compat.get("passed", []) if r.when == "call"])
    failed = len({r.nodeid for r in compat.get("failed", []) + compat.get("error", [])})
    skipped = len(compat.get("skipped", []))
    applicable = passed + failed
    share = 100 * passed / applicable if applicable else 0.0
    terminalreporter.write_line(
        f"pyzmq compat: {passed} of {applicable} applicable upstream tests passed "
        f"({share:.0f} %); {skipped} not applicable"
    )
