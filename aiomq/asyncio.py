"""``aiomq.asyncio``: the names a ``zmq.asyncio`` program imports, as aiomq's own.

aiomq is asyncio-native, so its ``Context``, ``Socket`` and ``Poller`` already are what
``zmq.asyncio`` offers; this module lets ``import zmq.asyncio`` become
``import aiomq.asyncio`` (and ``zmq.asyncio.Context`` become ``aiomq.asyncio.Context``)
with nothing else changed.

Layer 7.
"""

from __future__ import annotations

from ._sockets import Socket
from .context import Context
from .poller import Poller

__all__ = ["Context", "Poller", "Socket"]
