"""What every stream transport module provides."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..endpoint import Endpoint
from ..errors import ZMQError

__all__ = ["Listening", "StreamTransport", "connect_socket", "translate_bind_error"]


@dataclass(slots=True)
class Listening:
    """A bound, listening socket.

    Attributes:
        sock: The non-blocking listening socket.
        endpoint: The resolved endpoint (``last_endpoint``), e.g. ``tcp://127.0.0.1:40123``.
        cleanup: Called once the listener is closed (removes an ipc socket file).
    """

    sock: socket.socket
    endpoint: str
    cleanup: Callable[[], None] = field(default=lambda: None)


class StreamTransport(Protocol):
    """The module interface of ``tcp`` and ``ipc``."""

    def listen(self, endpoint: Endpoint, backlog: int) -> Listening:
        """Bind and listen synchronously. Raises ``ZMQError``."""
        ...

    async def connect(
        self,
        loop: asyncio.AbstractEventLoop,
        endpoint: Endpoint,
        factory: Callable[[], asyncio.BaseProtocol],
        connect_timeout: float | None = None,
    ) -> None:
        """Open one connection driven by a protocol from ``factory``.

        ``connect_timeout`` (seconds) bounds the connect itself; the protocol is created only
        once the connection is up. Raises OSError (``TimeoutError`` on timeout).
        """
        ...


async def connect_socket(
    loop: asyncio.AbstractEventLoop,
    sock: socket.socket,
    address: tuple[Any, ...] | str,
    connect_timeout: float | None,
) -> None:
    """Connect the non-blocking ``sock`` to ``address`` within ``connect_timeout`` seconds.

    Raises:
        OSError: The connect failed; ``TimeoutError`` when it took longer than ``connect_timeout``.
    """
    async with asyncio.timeout(connect_timeout):
        await loop.sock_connect(sock, address)


def translate_bind_error(exc: OSError, endpoint: Endpoint) -> ZMQError:
    """Turn an ``OSError`` from bind into a ``ZMQError`` naming the endpoint."""
    code = exc.errno if exc.errno is not None else errno.EINVAL
    reason = exc.strerror or str(exc)
    return ZMQError(code, f"cannot bind to {endpoint}: {reason}")
