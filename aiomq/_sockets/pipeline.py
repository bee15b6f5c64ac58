"""PUSH and PULL: the pipeline pattern (RFC 30)."""

from __future__ import annotations

from typing import ClassVar

from .._routing import FairQueue, LoadBalancer
from .._traits import SocketTraits
from ..constants import SocketOption
from .base import Socket

__all__ = ["PullSocket", "PushSocket"]


class PushSocket(Socket):
    """PUSH: round-robins messages over connected PULL peers; blocks when all are full."""

    __slots__ = ("_balancer",)
    _traits: ClassVar[SocketTraits] = SocketTraits(
        "PUSH", frozenset({"PULL"}), conflates=True, options=frozenset({SocketOption.CONFLATE})
    )

    def _setup(self) -> None:
        balancer = self._balancer = LoadBalancer(self._writable.set, self._set_out_lane)
        self._strategies = (balancer,)
        self._sender = balancer.send_nowait

    def _can_send(self) -> bool:
        return self._balancer.writable


class PullSocket(Socket):
    """PULL: fair-queues messages from connected PUSH peers."""

    __slots__ = ()
    _traits: ClassVar[SocketTraits] = SocketTraits(
        "PULL", frozenset({"PUSH"}), conflates=True, options=frozenset({SocketOption.CONFLATE})
    )

    def _setup(self) -> None:
        queue = FairQueue(self._readable.set, self._set_in_lane)
        self._strategies = (queue,)
        self._receiver = queue.recv_nowait
