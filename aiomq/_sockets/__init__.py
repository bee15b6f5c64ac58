"""Socket types: the base class and one module per pattern family (layer 6)."""

from .base import Socket, SocketContext
from .registry import SOCKET_CLASSES, socket_class

__all__ = ["SOCKET_CLASSES", "Socket", "SocketContext", "socket_class"]
