"""The public surface, pinned: a name added to or removed from it must show up here.

Socket options are attributes of every socket (``sock.linger``); they follow the libzmq
option list and are checked in tests/test_options.py, so they are left out here.
"""

from __future__ import annotations

import inspect

import aiomq
from aiomq._sockets._attributes import _Option

SOCKET = {
    "aclose",
    "add_monitor_listener",
    "bind",
    "bind_to_random_port",
    "close",
    "closed",
    "connect",
    "context",
    "disable_monitor",
    "disconnect",
    "get",
    "get_hwm",
    "get_monitor_socket",
    "get_string",
    "getsockopt",
    "getsockopt_string",
    "getsockopt_unicode",
    "hwm",
    "monitor",
    "poll",
    "recv",
    "recv_into",
    "recv_json",
    "recv_message",
    "recv_msgpack",
    "recv_multipart",
    "recv_multipart_nowait",
    "recv_pyobj",
    "recv_serialized",
    "recv_string",
    "recv_unicode",
    "remove_monitor_listener",
    "send",
    "send_json",
    "send_msgpack",
    "send_multipart",
    "send_multipart_nowait",
    "send_pyobj",
    "send_serialized",
    "send_string",
    "send_unicode",
    "set",
    "set_hwm",
    "set_string",
    "setsockopt",
    "setsockopt_string",
    "setsockopt_unicode",
    "subscribe",
    "type",
    "unbind",
    "unsubscribe",
}
CONTEXT = {
    "closed",
    "destroy",
    "get",
    "getsockopt",
    "instance",
    "set",
    "setsockopt",
    "socket",
    "term",
}
POLLER = {"modify", "poll", "register", "sockets", "unregister"}
# aiomq.__all__ without the libzmq constants (upper-case names: SocketOption members,
# errnos, EVENT_* ...), which tests/test_constants.py checks against libzmq's list.
MODULE = {
    "Again",
    "Context",
    "ContextOption",
    "ContextTerminated",
    "DeviceType",
    "Errno",
    "Event",
    "Flag",
    "Frame",
    "InterruptedSystemCall",
    "Message",
    "MessageOption",
    "MessageTracker",
    "MonitorEvent",
    "NormMode",
    "NotDone",
    "PollEvent",
    "Poller",
    "ReconnectStop",
    "RouterNotify",
    "SecurityMechanism",
    "Socket",
    "SocketContext",
    "SocketOption",
    "SocketType",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "__version__",
    "curve_keypair",
    "curve_public",
    "has",
    "proxy",
    "proxy_steerable",
    "run",
    "strerror",
    "z85",
    "zmq_version",
    "zmq_version_info",
}


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_socket_surface() -> None:
    names = _public(aiomq.Socket)
    options = {n for n in names if isinstance(inspect.getattr_static(aiomq.Socket, n), _Option)}
    assert names - options == SOCKET


def test_every_socket_type_shows_the_same_surface() -> None:
    from aiomq._sockets import SOCKET_CLASSES

    for cls in SOCKET_CLASSES.values():
        assert _public(cls) == _public(aiomq.Socket), cls.__name__


def test_context_and_poller_surface() -> None:
    assert _public(aiomq.Context) == CONTEXT
    assert _public(aiomq.Poller) == POLLER


def test_module_surface() -> None:
    assert {name for name in aiomq.__all__ if not name.isupper()} == MODULE
    for name in aiomq.__all__:
        assert hasattr(aiomq, name), name
