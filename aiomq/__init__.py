"""aiomq: a pure-Python, asyncio-native ZeroMQ toolkit speaking ZMTP 3.1.

Quick start::

    import asyncio
    import aiomq

    async def main() -> None:
        async with aiomq.Context() as ctx:
            pull = ctx.socket(aiomq.PULL)
            pull.bind("tcp://127.0.0.1:*")
            push = ctx.socket(aiomq.PUSH)
            push.connect(pull.last_endpoint)
            await push.send(b"hello")
            print(await pull.recv())

    asyncio.run(main())
"""

from __future__ import annotations

from . import z85
from ._curve import curve_keypair, curve_public
from ._message import Message
from ._monitor import EVENT_ALL, MonitorEvent
from ._sockets import Socket
from .constants import Event, Flag, PollEvent, SocketOption, SocketType
from .context import Context
from .devices import proxy, proxy_steerable
from .errors import (
    EADDRINUSE,
    EAGAIN,
    EFSM,
    EHOSTUNREACH,
    EINVAL,
    EMSGSIZE,
    ENOTSOCK,
    ENOTSUP,
    EPROTONOSUPPORT,
    ETERM,
    Again,
    ContextTerminated,
    ZMQError,
)
from .loop import run
from .poller import Poller

__version__ = "0.1.0"

# Module-level constants, as in pyzmq: aiomq.PUSH, aiomq.LINGER, aiomq.SNDMORE ...
PAIR = SocketType.PAIR
PUB = SocketType.PUB
SUB = SocketType.SUB
REQ = SocketType.REQ
REP = SocketType.REP
DEALER = SocketType.DEALER
ROUTER = SocketType.ROUTER
PULL = SocketType.PULL
PUSH = SocketType.PUSH
XPUB = SocketType.XPUB
XSUB = SocketType.XSUB

ROUTING_ID = SocketOption.ROUTING_ID
IDENTITY = SocketOption.ROUTING_ID
SUBSCRIBE = SocketOption.SUBSCRIBE
UNSUBSCRIBE = SocketOption.UNSUBSCRIBE
RCVMORE = SocketOption.RCVMORE
TYPE = SocketOption.TYPE
LINGER = SocketOption.LINGER
RECONNECT_IVL = SocketOption.RECONNECT_IVL
RECONNECT_IVL_MAX = SocketOption.RECONNECT_IVL_MAX
MAXMSGSIZE = SocketOption.MAXMSGSIZE
SNDHWM = SocketOption.SNDHWM
RCVHWM = SocketOption.RCVHWM
RCVTIMEO = SocketOption.RCVTIMEO
SNDTIMEO = SocketOption.SNDTIMEO
LAST_ENDPOINT = SocketOption.LAST_ENDPOINT
IMMEDIATE = SocketOption.IMMEDIATE
HANDSHAKE_IVL = SocketOption.HANDSHAKE_IVL
BACKLOG = SocketOption.BACKLOG
CONNECT_TIMEOUT = SocketOption.CONNECT_TIMEOUT
RATE = SocketOption.RATE
RECOVERY_IVL = SocketOption.RECOVERY_IVL
MULTICAST_HOPS = SocketOption.MULTICAST_HOPS
MULTICAST_MAXTPDU = SocketOption.MULTICAST_MAXTPDU
MULTICAST_LOOP = SocketOption.MULTICAST_LOOP
HEARTBEAT_IVL = SocketOption.HEARTBEAT_IVL
HEARTBEAT_TTL = SocketOption.HEARTBEAT_TTL
HEARTBEAT_TIMEOUT = SocketOption.HEARTBEAT_TIMEOUT
ROUTER_MANDATORY = SocketOption.ROUTER_MANDATORY
ROUTER_HANDOVER = SocketOption.ROUTER_HANDOVER
PROBE_ROUTER = SocketOption.PROBE_ROUTER
CONNECT_ROUTING_ID = SocketOption.CONNECT_ROUTING_ID
REQ_RELAXED = SocketOption.REQ_RELAXED
REQ_CORRELATE = SocketOption.REQ_CORRELATE
XPUB_VERBOSE = SocketOption.XPUB_VERBOSE
XPUB_VERBOSER = SocketOption.XPUB_VERBOSER
XPUB_MANUAL = SocketOption.XPUB_MANUAL
XPUB_NODROP = SocketOption.XPUB_NODROP
XPUB_WELCOME_MSG = SocketOption.XPUB_WELCOME_MSG
CONFLATE = SocketOption.CONFLATE
CURVE_SERVER = SocketOption.CURVE_SERVER
CURVE_PUBLICKEY = SocketOption.CURVE_PUBLICKEY
CURVE_SECRETKEY = SocketOption.CURVE_SECRETKEY
CURVE_SERVERKEY = SocketOption.CURVE_SERVERKEY
MECHANISM = SocketOption.MECHANISM
PLAIN_SERVER = SocketOption.PLAIN_SERVER
PLAIN_USERNAME = SocketOption.PLAIN_USERNAME
PLAIN_PASSWORD = SocketOption.PLAIN_PASSWORD
ZAP_DOMAIN = SocketOption.ZAP_DOMAIN
ZAP_ENFORCE_DOMAIN = SocketOption.ZAP_ENFORCE_DOMAIN
# MECHANISM values (libzmq ZMQ_NULL, ZMQ_PLAIN, ZMQ_CURVE).
NULL = 0
PLAIN = 1
CURVE = 2

DONTWAIT = Flag.DONTWAIT
NOBLOCK = Flag.DONTWAIT
SNDMORE = Flag.SNDMORE
POLLIN = PollEvent.POLLIN
POLLOUT = PollEvent.POLLOUT

__all__ = [
    "BACKLOG",
    "CONFLATE",
    "CONNECT_ROUTING_ID",
    "CONNECT_TIMEOUT",
    "CURVE",
    "CURVE_PUBLICKEY",
    "CURVE_SECRETKEY",
    "CURVE_SERVER",
    "CURVE_SERVERKEY",
    "DEALER",
    "DONTWAIT",
    "EADDRINUSE",
    "EAGAIN",
    "EFSM",
    "EHOSTUNREACH",
    "EINVAL",
    "EMSGSIZE",
    "ENOTSOCK",
    "ENOTSUP",
    "EPROTONOSUPPORT",
    "ETERM",
    "EVENT_ALL",
    "HANDSHAKE_IVL",
    "HEARTBEAT_IVL",
    "HEARTBEAT_TIMEOUT",
    "HEARTBEAT_TTL",
    "IDENTITY",
    "IMMEDIATE",
    "LAST_ENDPOINT",
    "LINGER",
    "MAXMSGSIZE",
    "MECHANISM",
    "MULTICAST_HOPS",
    "MULTICAST_LOOP",
    "MULTICAST_MAXTPDU",
    "NOBLOCK",
    "NULL",
    "PAIR",
    "PLAIN",
    "PLAIN_PASSWORD",
    "PLAIN_SERVER",
    "PLAIN_USERNAME",
    "POLLIN",
    "POLLOUT",
    "PROBE_ROUTER",
    "PUB",
    "PULL",
    "PUSH",
    "RATE",
    "RCVHWM",
    "RCVMORE",
    "RCVTIMEO",
    "RECONNECT_IVL",
    "RECONNECT_IVL_MAX",
    "RECOVERY_IVL",
    "REP",
    "REQ",
    "REQ_CORRELATE",
    "REQ_RELAXED",
    "ROUTER",
    "ROUTER_HANDOVER",
    "ROUTER_MANDATORY",
    "ROUTING_ID",
    "SNDHWM",
    "SNDMORE",
    "SNDTIMEO",
    "SUB",
    "SUBSCRIBE",
    "TYPE",
    "UNSUBSCRIBE",
    "XPUB",
    "XPUB_MANUAL",
    "XPUB_NODROP",
    "XPUB_VERBOSE",
    "XPUB_VERBOSER",
    "XPUB_WELCOME_MSG",
    "XSUB",
    "ZAP_DOMAIN",
    "ZAP_ENFORCE_DOMAIN",
    "Again",
    "Context",
    "ContextTerminated",
    "Event",
    "Flag",
    "Message",
    "MonitorEvent",
    "PollEvent",
    "Poller",
    "Socket",
    "SocketOption",
    "SocketType",
    "ZMQError",
    "__version__",
    "curve_keypair",
    "curve_public",
    "proxy",
    "proxy_steerable",
    "run",
    "z85",
]
