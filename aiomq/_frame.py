"""``Frame`` and ``MessageTracker``: pyzmq's objects for non-copying sends and receives.

``recv(copy=False)`` returns a [Frame][aiomq.Frame]: the received octets (no copy is made:
it wraps the very object the connection produced), whether more frames follow, and the
properties of the connection it came over. ``send(..., copy=False)`` resolves to a
[MessageTracker][aiomq.MessageTracker].

Layer 3: no I/O.
"""

from __future__ import annotations

import builtins
from collections.abc import Generator, Mapping
from typing import Any

from .errors import EINVAL, ZMQError

__all__ = ["Frame", "MessageTracker", "to_bytes"]

# Frame options, numbered as libzmq's ZMQ_MORE, ZMQ_SRCFD and ZMQ_SHARED.
_MORE = 1
_SRCFD = 2
_SHARED = 3

_NO_PROPERTIES: Mapping[str, bytes] = {}


class Frame:
    """One message frame, as pyzmq's ``zmq.Frame``.

    Create one to send (``Frame(b"data")``), or receive one with ``recv(copy=False)``.

    Args:
        data: The frame's octets: bytes or any object with the buffer interface (a
            mutable buffer is copied, so changing it later does not change the frame).
        track: Accepted for pyzmq compatibility. aiomq never holds on to a caller's
            mutable buffer, so a frame's tracker is always done.
        copy: Accepted for pyzmq compatibility (see ``track``).
        copy_threshold: Accepted for pyzmq compatibility (see ``track``).

    Attributes:
        more: True when more frames of the same message follow (received frames).
        tracker: A [MessageTracker][aiomq.MessageTracker] (always done) for a received
            frame or one made with ``track=True``; None otherwise.

    Raises:
        TypeError: ``data`` has no buffer interface (``str`` included).
    """

    __slots__ = ("_data", "_properties", "more", "tracker")

    def __init__(
        self,
        data: object = b"",
        track: bool = False,
        copy: bool | None = None,
        copy_threshold: int | None = None,
    ) -> None:
        self._data = to_bytes(data, "data")
        self.more = False
        self._properties: Mapping[str, bytes] = _NO_PROPERTIES
        self.tracker: MessageTracker | None = MessageTracker() if track else None

    @classmethod
    def received(
        cls, data: builtins.bytes, more: bool, properties: Mapping[str, builtins.bytes]
    ) -> Frame:
        """A frame as ``recv(copy=False)`` delivers it (no copy of ``data``)."""
        frame = cls.__new__(cls)
        frame._data = data
        frame.more = more
        frame._properties = properties
        frame.tracker = _DONE
        return frame

    @property
    def bytes(self) -> builtins.bytes:
        """The frame's octets as ``bytes`` (no copy: the frame holds bytes)."""
        return self._data

    @property
    def buffer(self) -> memoryview:
        """A read-only ``memoryview`` of the frame's octets (no copy)."""
        return memoryview(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __bytes__(self) -> builtins.bytes:
        return self._data

    def __buffer__(self, flags: int) -> memoryview:
        """The buffer protocol (Python 3.12+): ``memoryview(frame)``."""
        return memoryview(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Frame):
            return self._data == other._data
        if isinstance(other, bytes | bytearray | memoryview):
            return self._data == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._data)

    def get(self, option: int | str) -> int | str:
        """A frame option (``aiomq.MORE`` ...) or a connection property, as pyzmq's.

        Args:
            option: ``MORE``, ``SRCFD`` or ``SHARED``; or a property name such as
                ``"Socket-Type"``, ``"User-Id"``, ``"Peer-Address"`` or an ``X-`` metadata
                name sent by the peer (matched without regard to case, as ZMTP says).

        Returns:
            An int for an option, a str for a property.

        Raises:
            ZMQError: ``EINVAL`` for an unknown option or a property the connection did
                not carry (frames over ``inproc://`` carry none).
        """
        if isinstance(option, str):
            value = self._properties.get(option)
            if value is None:
                lowered = option.lower()
                for name, candidate in self._properties.items():
                    if name.lower() == lowered:
                        value = candidate
                        break
            if value is None:
                raise ZMQError(EINVAL, f"the frame's connection has no property {option!r}")
            return value.decode("utf-8", "replace")
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"option must be an int or a str, not {type(option).__name__}")
        if option == _MORE:
            return int(self.more)
        if option == _SRCFD:
            return -1
        if option == _SHARED:
            return 0
        raise ZMQError(EINVAL, f"unknown frame option {option}")

    __getitem__ = get

    def set(self, option: int, value: int) -> None:
        """pyzmq's ``Frame.set``: no frame option can be set in aiomq.

        Raises:
            ZMQError: ``EINVAL`` always (``routing_id``/``group`` belong to draft socket
                types aiomq does not implement).
        """
        raise ZMQError(EINVAL, f"frame option {option} cannot be set")

    def __repr__(self) -> str:
        data = self._data
        shown = data if len(data) <= 16 else data[:12]
        suffix = "" if len(data) <= 16 else f"...{len(data)}B"
        return f"<aiomq.Frame({shown!r}{suffix})>"


class MessageTracker:
    """Tells when aiomq no longer needs a sent message's buffers, as pyzmq's.

    ``send(data, copy=False)`` resolves to one. aiomq copies every mutable buffer when
    the send is called and holds only immutable ``bytes`` afterwards, so the caller may
    reuse its buffer at once: the tracker is always done.
    """

    __slots__ = ()

    @property
    def done(self) -> bool:
        """True: the caller may reuse or change the buffers it sent."""
        return True

    def wait(self, timeout: float = -1) -> None:
        """Return when the tracked messages are done (at once: they always are).

        Args:
            timeout: Accepted for pyzmq compatibility (seconds; -1 waits forever).
        """

    def __await__(self) -> Generator[Any, None, None]:
        """``await tracker`` returns at once, as the tracker is done."""
        return _done_generator()

    def __repr__(self) -> str:
        return "<aiomq.MessageTracker done>"


_DONE = MessageTracker()  # what every received frame carries: nothing to wait for


def _done_generator() -> Generator[Any, None, None]:
    return
    yield  # pragma: no cover - makes this a generator


def to_bytes(data: object, argument: str) -> bytes:
    """The octets of one frame to send, as ``bytes`` (a mutable buffer is copied).

    Raises:
        TypeError: ``data`` has no buffer interface (``str`` included).
    """
    if type(data) is bytes:
        return data
    if isinstance(data, Frame):
        return data._data
    if isinstance(data, str):
        raise TypeError(f"{argument} must be bytes-like, not str (encode it, or use send_string)")
    try:
        return bytes(memoryview(data))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{argument} must be bytes-like, not {type(data).__name__}") from None
