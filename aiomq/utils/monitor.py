"""Decode the messages of a monitor socket, as pyzmq's ``zmq.utils.monitor``.

`Socket.get_monitor_socket` returns a PAIR socket that receives libzmq's two-frame
monitor messages; these helpers turn one into a dict:

```python
watcher = sock.get_monitor_socket()
event = await recv_monitor_message(watcher)
# {"event": Event.CONNECTED, "value": 0, "endpoint": b"tcp://127.0.0.1:5555"}
```

`Socket.monitor` yields the same events already decoded (`MonitorEvent`).

Layer 7.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable
from typing import Protocol, TypedDict

from ..constants import Event

__all__ = ["MonitorMessage", "parse_monitor_message", "recv_monitor_message"]

# libzmq's (version 1) first frame: uint16 event, then the uint32 value of the event,
# packed; aiomq sends it little-endian.
_FRAME = struct.Struct("<HI")


class MonitorMessage(TypedDict):
    """One decoded monitor message.

    Attributes:
        event: What happened.
        value: libzmq's value of the event: an errno, a retry interval in ms, or (where
            libzmq gives a file descriptor) 0.
        endpoint: The endpoint it happened on, as bytes (``b""`` for
            ``MONITOR_STOPPED``).
    """

    event: Event
    value: int
    endpoint: bytes


class _MultipartReceiver(Protocol):
    """A socket whose ``recv_multipart(flags)`` is awaitable (aiomq's, zmq.asyncio's)."""

    def recv_multipart(self, flags: int = 0) -> Awaitable[list[bytes]]: ...


def parse_monitor_message(msg: list[bytes]) -> MonitorMessage:
    """Decode one monitor message, as pyzmq's ``parse_monitor_message``.

    Args:
        msg: The two frames received from a monitor socket: ``<uint16 event><uint32
            value>`` (6 bytes), then the endpoint.

    Returns:
        ``{"event": Event, "value": int, "endpoint": bytes}``, equal to pyzmq's dict.
        (pyzmq gives ``value`` as an `Event`, which compares equal to the same int, and
        reads it as a signed number: the two differ for a value of 2**31 or more,
        which aiomq does not send.)

    Raises:
        RuntimeError: ``msg`` is not a monitor message (as pyzmq).
    """
    if len(msg) != 2 or len(msg[0]) != _FRAME.size:
        raise RuntimeError(f"Invalid event message format: {msg}")
    event, value = _FRAME.unpack(msg[0])
    return {"event": Event(event), "value": value, "endpoint": bytes(msg[1])}


async def recv_monitor_message(socket: _MultipartReceiver, flags: int = 0) -> MonitorMessage:
    """Receive one message from a monitor socket and decode it, as pyzmq's
    ``recv_monitor_message`` on a ``zmq.asyncio`` socket.

    Args:
        socket: The PAIR socket `Socket.get_monitor_socket` returned.
        flags: ``recv`` flags (`DONTWAIT`).

    Returns:
        The decoded message, as [parse_monitor_message][aiomq.utils.monitor.parse_monitor_message].

    Raises:
        Again: With `DONTWAIT`, when no message is waiting.
        RuntimeError: The message is not a monitor message.

    Cancellation-safe as ``recv_multipart``: a cancelled call takes no message.
    """
    return parse_monitor_message(await socket.recv_multipart(flags))
