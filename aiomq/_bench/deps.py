"""The optional dependencies of ``aiomq-bench``, and how to tell one is there without importing it.

All of them are in the ``bench`` extra: pyzmq (the ``zmq.asyncio`` and ``pyzmq``
implementations), uvloop (the ``uvloop`` loop), rich (the progress bar) and matplotlib (the
chart). ``aiomq-bench`` imports each one only when it needs it.
"""

from __future__ import annotations

import dataclasses
import importlib.util

__all__ = ["BENCH_EXTRA_HINT", "PEERS", "Peer", "installed"]

BENCH_EXTRA_HINT = """pip install -e ".[bench]" in the aiomq checkout"""
"""How to install every optional dependency of ``aiomq-bench`` (the ``bench`` extra)."""


def installed(module: str) -> bool:
    """Whether the top-level *module* can be imported (it is looked up, not imported)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@dataclasses.dataclass(frozen=True, slots=True)
class Peer:
    """An optional library that some implementations or loops of ``compare`` need.

    Attributes:
        module: Its import name.
        dist: Its distribution name, as ``pip`` knows it.
        impls: The implementations that need it.
        loops: The event loops that need it.
    """

    module: str
    dist: str
    impls: tuple[str, ...] = ()
    loops: tuple[str, ...] = ()

    def missing(self, impls: tuple[str, ...], loops: tuple[str, ...]) -> str:
        """The one line that says it is missing and what is left out because of that.

        Args:
            impls: The implementations left out (those of *this peer* that were wanted).
            loops: The event loops left out.
        """
        left_out = [f"the {loop} loop" for loop in loops]
        left_out += [" and ".join(impls)] if impls else []
        return (
            f"{self.dist} is not installed: {' and '.join(left_out)} left out "
            f"(install the bench extra: {BENCH_EXTRA_HINT})"
        )


PEERS: tuple[Peer, ...] = (
    Peer("zmq", "pyzmq", impls=("zmq.asyncio", "pyzmq")),
    Peer("uvloop", "uvloop", loops=("uvloop",)),
)
"""The libraries an implementation or loop of ``compare`` cannot run without."""
