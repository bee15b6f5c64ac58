"""The ``tcp://`` transport: IPv4, IPv6 (``[::1]``), host names and ``*``."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable

from ..endpoint import Endpoint
from ..errors import ZMQError
from .base import Listening, translate_bind_error

__all__ = ["connect", "format_address", "listen"]


def format_address(host: str, port: int) -> str:
    """Format a tcp endpoint, bracketing IPv6 literals."""
    if ":" in host:
        host = f"[{host}]"
    return f"tcp://{host}:{port}"


def listen(endpoint: Endpoint, backlog: int) -> Listening:
    """Bind a listening TCP socket synchronously.

    Raises:
        ZMQError: The host does not resolve (``ENODEV``) or the bind fails
            (``EADDRINUSE``, ``EADDRNOTAVAIL`` ...).
    """
    try:
        infos = socket.getaddrinfo(
            endpoint.host, endpoint.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise ZMQError(errno.ENODEV, f"cannot bind to {endpoint}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise translate_bind_error(exc, endpoint) from None
    host, port = sock.getsockname()[:2]
    return Listening(sock, format_address(host, port))


async def connect(
    loop: asyncio.AbstractEventLoop,
    endpoint: Endpoint,
    factory: Callable[[], asyncio.BaseProtocol],
) -> None:
    """Open a TCP connection to ``endpoint`` (asyncio sets TCP_NODELAY)."""
    await loop.create_connection(factory, endpoint.host, endpoint.port)
