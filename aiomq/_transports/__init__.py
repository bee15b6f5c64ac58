"""Transports: how bytes (tcp, ipc) or message objects (inproc) reach a peer.

Stream transports expose the same two operations: ``listen`` creates a bound,
listening socket synchronously (so ``bind`` reports errors at once) and ``connect``
opens one connection for an asyncio protocol factory.

Layer 3: knows nothing of ZMTP or of routing.
"""

from __future__ import annotations

from . import ipc, tcp
from .base import Listening, StreamTransport

STREAM_TRANSPORTS: dict[str, StreamTransport] = {"tcp": tcp, "ipc": ipc}

__all__ = ["STREAM_TRANSPORTS", "Listening", "StreamTransport"]
