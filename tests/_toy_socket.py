"""A socket type that aiomq does not ship, written as a new one would be: this module alone.

``ToyChannelSocket`` is an exclusive pair under the draft ``CHANNEL`` type number, with its
own ``Socket-Type`` name: it talks only to its own kind. Registering it is one row in
``SOCKET_CLASSES`` (tests/test_new_socket_type.py adds it for the test's duration).
"""

from __future__ import annotations

from typing import ClassVar

from aiomq._routing import ExclusivePair
from aiomq._sockets.base import Socket
from aiomq._traits import SocketTraits
from aiomq.constants import SocketOption

__all__ = ["ToyChannelSocket"]


class ToyChannelSocket(Socket):
    """An exclusive, bidirectional link to one peer of its own type."""

    __slots__ = ("_pair",)
    _traits: ClassVar[SocketTraits] = SocketTraits(
        "CHANNEL", frozenset({"CHANNEL"}), options=frozenset({SocketOption.CONFLATE})
    )

    def _setup(self) -> None:
        pair = self._pair = ExclusivePair(
            self._readable.set, self._writable.set, self._set_in_lane, self._set_out_lane
        )
        self._strategies = (pair,)
        self._sender = pair.send_nowait
        self._receiver = pair.recv_nowait

    def _can_send(self) -> bool:
        return self._pair.writable
