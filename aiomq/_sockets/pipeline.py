"""PUSH and PULL: the pipeline pattern (RFC 30)."""

from __future__ import annotations

from typing import ClassVar

from .._routing import FairQueue, LoadBalancer
from .base import Socket

__all__ = ["PullSocket", "PushSocket"]


class PushSocket(Socket):
    """PUSH: round-robins messages over connected PULL peers; blocks when all are full."""

    peer_types: ClassVar[frozenset[str]] = frozenset({"PULL"})

    def _setup(self) -> None:
        balancer = self._balancer = LoadBalancer(self._writable.set, self._set_out_lane)
        self._strategies = (balancer,)
        self._send_nowait = balancer.send_nowait  # type: ignore[method-assign]

    def _can_send(self) -> bool:
        return self._balancer.writable


class PullSocket(Socket):
    """PULL: fair-queues messages from connected PUSH peers."""

    peer_types: ClassVar[frozenset[str]] = frozenset({"PUSH"})

    def _setup(self) -> None:
        queue = FairQueue(self._readable.set, self._set_in_lane)
        self._strategies = (queue,)
        self._recv_nowait = queue.recv_nowait  # type: ignore[method-assign]
