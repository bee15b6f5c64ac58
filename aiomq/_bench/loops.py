"""Running a benchmark coroutine on the default asyncio loop or on uvloop.

uvloop is imported lazily and only as a loop *factory* (``asyncio.Runner(loop_factory=...)``);
no event loop policy is installed. Once ``aiomq.run`` exists this module may delegate to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

from aiomq._bench.deps import BENCH_EXTRA_HINT
from aiomq._bench.errors import BenchError

__all__ = ["LOOPS", "LoopName", "run"]

T = TypeVar("T")

LoopName = Literal["asyncio", "uvloop"]
LOOPS: tuple[LoopName, ...] = ("asyncio", "uvloop")


def _loop_factory(loop: LoopName) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if loop == "asyncio":
        return None
    if loop == "uvloop":
        try:
            import uvloop
        except ImportError as exc:
            raise BenchError(
                "--loop uvloop needs uvloop, which is not installed: install the bench extra "
                f"({BENCH_EXTRA_HINT})"
            ) from exc
        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return factory
    raise BenchError(f"unknown event loop {loop!r}; choose one of {', '.join(LOOPS)}")


def run(main: Callable[[], Coroutine[Any, Any, T]], loop: LoopName) -> T:
    """Run ``main()`` to completion on a fresh event loop of the requested kind.

    Args:
        main: Zero-argument coroutine function; it is called once the loop exists, so that
            objects needing a running loop are created inside it.
        loop: ``"asyncio"`` for the default loop, ``"uvloop"`` for uvloop.

    Returns:
        Whatever ``main()`` returns.

    Raises:
        BenchError: uvloop was requested but is not installed, or *loop* is unknown.
    """
    with asyncio.Runner(loop_factory=_loop_factory(loop)) as runner:
        return runner.run(main())
