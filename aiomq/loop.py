"""Choosing the event loop: ``aiomq.run(main(), loop="auto")``.

uvloop is a loop *factory* here, never a side effect: this is the only module of aiomq that
imports uvloop, and only when [`run`][aiomq.run] is asked for it. Importing aiomq installs no
event-loop policy and does not import uvloop.

Layer 7: standard library (uvloop imported lazily).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

__all__ = ["LoopName", "loop_factory", "run"]

T = TypeVar("T")

LoopName = Literal["auto", "uvloop", "asyncio"]
"""The loops [`run`][aiomq.run] can start."""

_MISSING_UVLOOP = (
    "uvloop is not installed: install aiomq's uvloop extra (pip install 'aiomq[uvloop]'), "
    "or pass loop='auto' to fall back to asyncio's default loop"
)


def loop_factory(loop: LoopName = "auto") -> Callable[[], asyncio.AbstractEventLoop]:
    """Return the factory of the event loop that ``loop`` names.

    Args:
        loop: ``"auto"`` (uvloop if it can be imported, else asyncio's default loop),
            ``"uvloop"`` or ``"asyncio"``.

    Raises:
        ImportError: ``loop="uvloop"`` and uvloop is not installed (the message names the
            ``uvloop`` extra).
        ValueError: ``loop`` is none of the three names.
    """
    if loop == "asyncio":
        return asyncio.new_event_loop
    if loop not in ("auto", "uvloop"):
        raise ValueError(f"loop must be 'auto', 'uvloop' or 'asyncio', not {loop!r}")
    try:
        import uvloop
    except ImportError as exc:
        if loop == "auto":
            return asyncio.new_event_loop
        raise ImportError(_MISSING_UVLOOP, name="uvloop") from exc
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, T], *, loop: LoopName = "auto", debug: bool | None = None) -> T:
    """Run the coroutine ``main`` on a new event loop and return its result.

    Like ``asyncio.run`` (it uses ``asyncio.Runner``): the loop is created for this
    call, remaining tasks are cancelled, async generators and the default executor are shut
    down, and the loop is closed. No event-loop policy is installed or changed.

    Args:
        main: The coroutine to run.
        loop: ``"auto"`` (uvloop if installed, else asyncio), ``"uvloop"`` or ``"asyncio"``.
        debug: Passed to the loop's debug mode; ``None`` keeps the default
            (``PYTHONASYNCIODEBUG`` / ``-X dev``).

    Returns:
        What ``main`` returned.

    Raises:
        ImportError: ``loop="uvloop"`` and uvloop is not installed (install the
            ``uvloop`` extra).
        ValueError: ``loop`` is not one of the names above.
        RuntimeError: Called while an event loop is running in this thread.
        TypeError: ``main`` is not a coroutine.

    Example:
        ```python
        import aiomq

        async def main() -> int:
            return 42

        assert aiomq.run(main(), loop="auto") == 42
        ```
    """
    if not asyncio.iscoroutine(main):
        raise TypeError(f"main must be a coroutine, not {type(main).__name__}")
    try:
        factory = loop_factory(loop)
        asyncio.get_running_loop()
    except RuntimeError:  # no running loop: the expected case
        pass
    except BaseException:
        main.close()  # no "coroutine was never awaited" warning
        raise
    else:
        main.close()
        raise RuntimeError("aiomq.run() cannot be called from a running event loop")
    with asyncio.Runner(debug=debug, loop_factory=factory) as runner:
        return runner.run(main)
