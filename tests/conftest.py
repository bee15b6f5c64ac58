"""Shared fixtures: every async test runs on the default loop and on uvloop."""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from typing import Any

import pytest
from _netns import NetNamespace, namespace_unavailable

import aiomq

UNHANDLED: list[dict[str, Any]] = []
"""What reached an event loop's exception handler during the current test."""


def _record_unhandled(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    UNHANDLED.append(context)
    loop.default_exception_handler(context)


def _checked(
    factory: Callable[[], asyncio.AbstractEventLoop],
) -> Callable[[], asyncio.AbstractEventLoop]:
    """``factory``, with loops that record what reaches their exception handler."""

    def new_loop() -> asyncio.AbstractEventLoop:
        loop = factory()
        loop.set_exception_handler(_record_unhandled)
        return loop

    return new_loop


def _loop_factories() -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    factories: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
        "asyncio": _checked(asyncio.new_event_loop)
    }
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dev dependency
        return factories
    factories["uvloop"] = _checked(uvloop.new_event_loop)
    wanted = os.environ.get("AIOMQ_TEST_LOOPS")
    if wanted:
        factories = {name: f for name, f in factories.items() if name in wanted.split(",")}
    return factories


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--stress-long``: run tests/stress/ with its long (on-demand) profile."""
    parser.addoption(
        "--stress-long",
        action="store_true",
        default=False,
        help="run the stress suite's long profile (minutes) instead of the short CI one",
    )


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Run each async test once per event loop (set AIOMQ_TEST_LOOPS=asyncio to narrow)."""
    return _loop_factories()


def _deadline_for(item: pytest.Function) -> float:
    marker = item.get_closest_marker("timeout")
    if marker is not None and marker.args:
        return float(marker.args[0])
    return float(item.config.getini("timeout") or 60)


def _with_deadline(
    func: Callable[..., Coroutine[Any, Any, None]], seconds: float
) -> Callable[..., Coroutine[Any, Any, None]]:
    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> None:
        async with asyncio.timeout(seconds):
            await func(*args, **kwargs)

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every async test an in-loop deadline.

    pytest-timeout's SIGALRM cannot interrupt uvloop's C loop, so each coroutine test
    also runs under ``asyncio.timeout`` set a little below its ``timeout`` mark.
    """
    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.obj = _with_deadline(item.obj, _deadline_for(item) * 0.9)


@pytest.fixture(autouse=True)
def no_unhandled_loop_errors() -> Iterator[None]:
    """Fail a test when an exception reached its loop's handler (a callback or a task
    that raised with nobody to see it) instead of passing it by in the log."""
    UNHANDLED.clear()
    yield
    found = [context.get("message", "") for context in UNHANDLED]
    UNHANDLED.clear()
    assert not found, f"unhandled in the event loop: {found}"


@pytest.fixture
async def ctx() -> AsyncIterator[aiomq.Context]:
    """An aiomq Context, destroyed without lingering after the test."""
    context = aiomq.Context()
    yield context
    context.destroy(linger=0)
    await asyncio.wait_for(context.term(), 5)


@pytest.fixture
def netns() -> Iterator[NetNamespace]:
    """A private network namespace (``lo`` only), deleted after the test.

    Skips the test, saying why, where namespaces cannot be made (not Linux, not root,
    ``ip``/``nft`` missing, or ``ip netns add`` refused).
    """
    reason = namespace_unavailable()
    if reason is not None:
        pytest.skip(reason)
    namespace = NetNamespace()
    try:
        namespace.create()
    except RuntimeError as exc:
        namespace.delete()
        pytest.skip(f"cannot make a network namespace here: {exc}")
    try:
        yield namespace
    finally:
        namespace.delete()
