"""A socket whose sends can be refused for good, not only for now (REQ, REP, ROUTER).

libzmq decides about such a refusal (``EFSM``, ``EHOSTUNREACH``) on the first frame of a
message and then forgets the message. The socket base holds ``SNDMORE`` frames until the
last one, so this class checks each ``SNDMORE`` frame as it comes (:meth:`_check_send`)
and, when the completed message is refused with anything but ``Again``, drops the held
frames instead of keeping them for a retry.
"""

from __future__ import annotations

from ..constants import Flag
from ..errors import EAGAIN, ZMQError
from .base import Socket, _as_frame

__all__ = ["CheckedSendSocket"]

_SNDMORE = int(Flag.SNDMORE)


class CheckedSendSocket(Socket):
    """A :class:`Socket` that refuses a message already at its first frame when it must."""

    def _check_send(self, frame: bytes) -> None:
        """Raise :class:`ZMQError` if ``frame`` (sent with ``SNDMORE``) cannot go now."""

    async def send(
        self, data: object, flags: int = 0, copy: bool = True, track: bool = False
    ) -> None:
        """Send one frame; with ``SNDMORE`` it is held until the last frame is sent.

        Args:
            data: bytes, bytearray, memoryview or another buffer.
            flags: ``aiomq.SNDMORE``, ``aiomq.DONTWAIT``.
            copy: Accepted for pyzmq compatibility.
            track: Accepted for pyzmq compatibility.

        Raises:
            TypeError: ``data`` is not bytes-like (``str`` included).
            Again: ``DONTWAIT`` and no peer can take it now, or ``SNDTIMEO`` expired
                (the held frames stay held).
            ZMQError: ``EFSM`` or ``EHOSTUNREACH`` (already for a ``SNDMORE`` frame, as
                libzmq); the held frames of the refused message are dropped.

        Cancellation-safe: a cancelled send queued the whole message or none of it (the
        frames held by ``SNDMORE`` stay held).
        """
        if flags & _SNDMORE:
            self._check_send(_as_frame(data, "data"))
            await super().send(data, flags, copy, track)
            return
        try:
            await super().send(data, flags, copy, track)
        except ZMQError as exc:
            if exc.errno != EAGAIN:
                self._send_parts = []
            raise
