"""PAIR: an exclusive, bidirectional link to exactly one peer (RFC 31)."""

from __future__ import annotations

from typing import ClassVar

from .._routing import ExclusivePair
from .._traits import SocketTraits
from .base import Socket

__all__ = ["PairSocket"]


class PairSocket(Socket):
    """PAIR: sends block while the peer's queue is full or there is no peer.

    A second peer is refused while the first is attached.
    """

    __slots__ = ("_pair",)
    _traits: ClassVar[SocketTraits] = SocketTraits("PAIR", frozenset({"PAIR"}))

    def _setup(self) -> None:
        pair = self._pair = ExclusivePair(
            self._readable.set, self._writable.set, self._set_in_lane, self._set_out_lane
        )
        self._strategies = (pair,)
        self._sender = pair.send_nowait
        self._receiver = pair.recv_nowait

    def _can_send(self) -> bool:
        return self._pair.writable
