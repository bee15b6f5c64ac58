"""The ``tcp://`` transport: IPv4, IPv6 (``[::1]``), host names and ``*``."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable

from ..endpoint import Endpoint
from ..errors import ZMQError
from .base import Listening, connect_socket, translate_bind_error

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
    connect_timeout: float | None = None,
) -> None:
    """Open a TCP connection to ``endpoint`` (TCP_NODELAY) within ``connect_timeout`` seconds.

    Each resolved address is tried in turn, each within ``connect_timeout``; the socket is
    connected first and then handed to the loop, so no protocol exists for an attempt
    that fails or times out.
    """
    infos = await loop.getaddrinfo(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
    error: OSError = OSError(errno.EHOSTUNREACH, f"{endpoint.host} has no address")
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await connect_socket(loop, sock, address, connect_timeout)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        except BaseException:
            sock.close()
            raise
        try:
            await loop.create_connection(factory, sock=sock)
        except BaseException:
            sock.close()
            raise
        return
    raise error
