"""The ``inproc://`` transport: a per-Context name registry linking sockets directly.

No codec and no bytes: two ``Pipe`` objects share two
``MessageQueue`` objects, crossed. A connect before the bind is kept
pending and linked when the name is bound.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import EADDRINUSE, ZMQError

__all__ = ["InprocBinder", "InprocConnecter", "InprocRegistry"]


class InprocBinder(Protocol):
    """The bound side: accepts connecters."""

    def accept_inproc(self, connecter: InprocConnecter) -> None:
        """Link ``connecter`` to this socket."""
        ...


class InprocConnecter(Protocol):
    """A pending or linked connect."""

    def bound_peer_gone(self) -> None:
        """The bound socket unbound or closed."""
        ...


class InprocRegistry:
    """Names bound in one Context, and connects waiting for a name."""

    def __init__(self) -> None:
        self._bound: dict[str, InprocBinder] = {}
        self._pending: dict[str, list[InprocConnecter]] = {}

    def bind(self, name: str, binder: InprocBinder) -> None:
        """Bind ``name`` and link every connect that was waiting for it.

        Raises:
            ZMQError: ``EADDRINUSE`` if the name is already bound.
        """
        if name in self._bound:
            raise ZMQError(EADDRINUSE, f"cannot bind to inproc://{name}: address already in use")
        self._bound[name] = binder
        for connecter in self._pending.pop(name, []):
            binder.accept_inproc(connecter)

    def unbind(self, name: str, binder: InprocBinder) -> None:
        """Release ``name`` if ``binder`` holds it."""
        if self._bound.get(name) is binder:
            del self._bound[name]

    def connect(self, name: str, connecter: InprocConnecter) -> None:
        """Link to ``name`` now, or when it gets bound."""
        binder = self._bound.get(name)
        if binder is None:
            self._pending.setdefault(name, []).append(connecter)
        else:
            binder.accept_inproc(connecter)

    def cancel(self, name: str, connecter: InprocConnecter) -> None:
        """Forget a pending connect."""
        waiting = self._pending.get(name)
        if waiting and connecter in waiting:
            waiting.remove(connecter)
            if not waiting:
                del self._pending[name]
