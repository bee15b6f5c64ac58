"""Socket types, options, flags and monitor events, with libzmq's numbers.

Layer 0: imports the standard library only.
"""

from __future__ import annotations

import enum

__all__ = [
    "Event",
    "Flag",
    "PollEvent",
    "SocketOption",
    "SocketType",
]


class SocketType(enum.IntEnum):
    """The ZeroMQ socket types, numbered as in libzmq's ``zmq.h``."""

    PAIR = 0
    PUB = 1
    SUB = 2
    REQ = 3
    REP = 4
    DEALER = 5
    ROUTER = 6
    PULL = 7
    PUSH = 8
    XPUB = 9
    XSUB = 10


class SocketOption(enum.IntEnum):
    """Socket options, numbered as in libzmq's ``zmq.h``."""

    ROUTING_ID = 5
    SUBSCRIBE = 6
    UNSUBSCRIBE = 7
    RATE = 8
    RECOVERY_IVL = 9
    SNDBUF = 11
    RCVBUF = 12
    RCVMORE = 13
    EVENTS = 15
    TYPE = 16
    LINGER = 17
    RECONNECT_IVL = 18
    BACKLOG = 19
    RECONNECT_IVL_MAX = 21
    MAXMSGSIZE = 22
    SNDHWM = 23
    RCVHWM = 24
    MULTICAST_HOPS = 25
    RCVTIMEO = 27
    SNDTIMEO = 28
    LAST_ENDPOINT = 32
    ROUTER_MANDATORY = 33
    IMMEDIATE = 39
    XPUB_VERBOSE = 40
    IPV6 = 42
    MECHANISM = 43
    PLAIN_SERVER = 44
    PLAIN_USERNAME = 45
    PLAIN_PASSWORD = 46
    CURVE_SERVER = 47
    CURVE_PUBLICKEY = 48
    CURVE_SECRETKEY = 49
    CURVE_SERVERKEY = 50
    PROBE_ROUTER = 51
    REQ_CORRELATE = 52
    REQ_RELAXED = 53
    CONFLATE = 54
    ZAP_DOMAIN = 55
    ROUTER_HANDOVER = 56
    CONNECT_ROUTING_ID = 61
    HANDSHAKE_IVL = 66
    XPUB_NODROP = 69
    XPUB_MANUAL = 71
    XPUB_WELCOME_MSG = 72
    HEARTBEAT_IVL = 75
    HEARTBEAT_TTL = 76
    HEARTBEAT_TIMEOUT = 77
    XPUB_VERBOSER = 78
    CONNECT_TIMEOUT = 79
    MULTICAST_MAXTPDU = 84
    ZAP_ENFORCE_DOMAIN = 93
    MULTICAST_LOOP = 96


class Flag(enum.IntFlag):
    """Flags for ``send``/``recv``."""

    DONTWAIT = 1
    SNDMORE = 2


class PollEvent(enum.IntFlag):
    """Poll event bits, as libzmq's ``ZMQ_POLLIN``/``ZMQ_POLLOUT``."""

    POLLIN = 1
    POLLOUT = 2


class Event(enum.IntFlag):
    """Socket monitor events, numbered as libzmq's ``ZMQ_EVENT_*``."""

    CONNECTED = 0x0001
    CONNECT_DELAYED = 0x0002
    CONNECT_RETRIED = 0x0004
    LISTENING = 0x0008
    BIND_FAILED = 0x0010
    ACCEPTED = 0x0020
    ACCEPT_FAILED = 0x0040
    CLOSED = 0x0080
    CLOSE_FAILED = 0x0100
    DISCONNECTED = 0x0200
    MONITOR_STOPPED = 0x0400
    HANDSHAKE_FAILED_NO_DETAIL = 0x0800
    HANDSHAKE_SUCCEEDED = 0x1000
    HANDSHAKE_FAILED_PROTOCOL = 0x2000
    HANDSHAKE_FAILED_AUTH = 0x4000
