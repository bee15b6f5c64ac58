"""What every stream transport module provides."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..endpoint import Endpoint
from ..errors import ZMQError

__all__ = ["Listening", "StreamTransport", "translate_bind_error"]


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
        """Bind and listen synchronously. Raises :class:`ZMQError`."""
        ...

    async def connect(
        self,
        loop: asyncio.AbstractEventLoop,
        endpoint: Endpoint,
        factory: Callable[[], asyncio.BaseProtocol],
    ) -> None:
        """Open one connection driven by a protocol from ``factory``. Raises OSError."""
        ...


def translate_bind_error(exc: OSError, endpoint: Endpoint) -> ZMQError:
    """Turn an ``OSError`` from bind into a :class:`ZMQError` naming the endpoint."""
    code = exc.errno if exc.errno is not None else errno.EINVAL
    reason = exc.strerror or str(exc)
    return ZMQError(code, f"cannot bind to {endpoint}: {reason}")
