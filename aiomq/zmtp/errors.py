"""The codec's only exception: a peer violated ZMTP.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .events import Event

__all__ = ["ProtocolError"]


class ProtocolError(Exception):
    """The peer violated ZMTP; the connection must be closed.

    Once raised, the ``Connection`` is dead: every later
    ``receive_data`` call raises the same error again. ``data_to_send()`` may
    still hold output to flush before closing, typically an ERROR command (for
    example after a socket-type mismatch).

    Attributes:
        reason: A human-readable description of the violation.
        events: Events that were parsed from the same input *before* the
            violation (complete messages, pings ...). Delivering them is
            optional; they were valid when they arrived.
    """

    reason: str
    events: list[Event]

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.events = []
