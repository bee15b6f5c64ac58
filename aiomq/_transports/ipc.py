"""The ``ipc://`` transport: Unix domain sockets, filesystem paths or abstract ``@name``."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import stat
import tempfile
from collections.abc import Callable

from ..endpoint import Endpoint
from ..errors import ZMQError
from .base import Listening, connect_socket, translate_bind_error

__all__ = ["connect", "listen"]


def listen(endpoint: Endpoint, backlog: int) -> Listening:
    """Bind a listening Unix socket synchronously.

    ``ipc://*`` picks a fresh path in the temporary directory. A stale socket file (no
    process listening on it) is replaced; a live one gives ``EADDRINUSE``. The file is
    removed again when the listener closes.

    Raises:
        ZMQError: The bind fails.
    """
    path = endpoint.path
    if path == "*":
        path = os.path.join(tempfile.mkdtemp(prefix="aiomq-"), "socket")
    abstract = path.startswith("\0")
    if not abstract:
        _remove_stale(path, endpoint)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise translate_bind_error(exc, endpoint) from None
    if abstract:
        return Listening(sock, "ipc://@" + path[1:])
    inode = os.stat(path).st_ino

    def cleanup() -> None:
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == inode:
                os.unlink(path)

    return Listening(sock, "ipc://" + path, cleanup)


def _remove_stale(path: str, endpoint: Endpoint) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISSOCK(mode):
        raise ZMQError(errno.EADDRINUSE, f"cannot bind to {endpoint}: path exists, not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    finally:
        probe.close()
    raise ZMQError(errno.EADDRINUSE, f"cannot bind to {endpoint}: address already in use")


async def connect(
    loop: asyncio.AbstractEventLoop,
    endpoint: Endpoint,
    factory: Callable[[], asyncio.BaseProtocol],
    connect_timeout: float | None = None,
) -> None:
    """Open a Unix socket connection to ``endpoint`` within ``connect_timeout`` seconds.

    The socket is connected first and then handed over, which works the same on the
    default loop and on uvloop (whose ``create_unix_connection`` rejects abstract names).
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        await connect_socket(loop, sock, endpoint.path, connect_timeout)
        await loop.create_unix_connection(factory, sock=sock)
    except BaseException:
        sock.close()
        raise
