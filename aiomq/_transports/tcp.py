"""The ``tcp://`` transport: IPv4, IPv6 (``[::1]``), host names and ``*``.

A connect endpoint may name the local address to connect from, as libzmq's
``tcp://source-host:port;host:port``: the outgoing socket is bound to it first.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable
from typing import Any

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
    that fails or times out. With a source address (``endpoint.source``) the socket is
    bound to it first, with ``SO_REUSEADDR`` as libzmq does, and only destinations of
    the source's address family are tried.

    Raises:
        OSError: No address could be connected to: the last attempt's error
            (``EAFNOSUPPORT`` when no destination has the source's address family).
    """
    infos = await loop.getaddrinfo(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
    error: OSError = OSError(errno.EHOSTUNREACH, f"{endpoint.host} has no address")
    for family, kind, proto, _, address in infos:
        try:
            source = _source_address(endpoint, family)
        except OSError as exc:
            error = exc
            continue
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if source is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(source)
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


def _source_address(endpoint: Endpoint, family: int) -> tuple[Any, ...] | None:
    """The socket address to bind a connection of ``family`` to, or None (no source).

    Raises:
        OSError: ``EAFNOSUPPORT``: the source is an address of another family.
    """
    if endpoint.source is None:
        return None
    host, port = endpoint.source
    try:
        infos = socket.getaddrinfo(
            host or None,
            port,
            family,
            socket.SOCK_STREAM,
            0,
            socket.AI_PASSIVE | socket.AI_NUMERICHOST,
        )
    except socket.gaierror:
        version = "IPv6" if family == socket.AF_INET6 else "IPv4"
        raise OSError(
            errno.EAFNOSUPPORT, f"source address {host} is not an {version} address"
        ) from None
    address: tuple[Any, ...] = infos[0][4]
    return address
