"""THE table of socket types: type → class (and so its compatible peers).

Adding a socket type is one module in this package plus one row here.
"""

from __future__ import annotations

from ..constants import SocketOption, SocketType
from ..errors import EINVAL, ZMQError
from .base import Socket
from .pair import PairSocket
from .pipeline import PullSocket, PushSocket
from .pubsub import PubSocket, SubSocket, XPubSocket, XSubSocket
from .reqrep import RepSocket, ReqSocket
from .routing import DealerSocket, RouterSocket

__all__ = ["SOCKET_CLASSES", "socket_class", "takers"]

SOCKET_CLASSES: dict[SocketType, type[Socket]] = {
    SocketType.PAIR: PairSocket,
    SocketType.PUSH: PushSocket,
    SocketType.PULL: PullSocket,
    SocketType.REQ: ReqSocket,
    SocketType.REP: RepSocket,
    SocketType.DEALER: DealerSocket,
    SocketType.ROUTER: RouterSocket,
    SocketType.PUB: PubSocket,
    SocketType.SUB: SubSocket,
    SocketType.XPUB: XPubSocket,
    SocketType.XSUB: XSubSocket,
}


def takers(option: SocketOption) -> list[str]:
    """The names of the socket types whose traits list ``option``, sorted."""
    return sorted(
        cls._traits.name for cls in SOCKET_CLASSES.values() if option in cls._traits.options
    )


def socket_class(socket_type: object) -> tuple[SocketType, type[Socket]]:
    """Look up the class implementing ``socket_type``.

    Raises:
        TypeError: ``socket_type`` is not an int.
        ZMQError: ``EINVAL`` for a type libzmq does not know, or one aiomq does not
            implement (``STREAM`` and the draft types).
    """
    if isinstance(socket_type, bool) or not isinstance(socket_type, int):
        raise TypeError(
            f"socket_type must be an int (aiomq.PUSH ...), not {type(socket_type).__name__}"
        )
    try:
        kind = SocketType(socket_type)
    except ValueError:
        raise ZMQError(EINVAL, f"unknown socket type {socket_type}") from None
    cls = SOCKET_CLASSES.get(kind)
    if cls is None:
        raise ZMQError(EINVAL, f"socket type {kind.name} is not implemented by aiomq")
    return kind, cls
