"""Socket types: the base class and one module per pattern family (layer 6)."""

from .base import Socket, SocketContext
from .registry import SOCKET_CLASSES, socket_class
from .routing import ZAP_CLIENT_TRAITS

__all__ = ["SOCKET_CLASSES", "ZAP_CLIENT_TRAITS", "Socket", "SocketContext", "socket_class"]
