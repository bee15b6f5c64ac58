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

from . import asyncio as asyncio  # ``aiomq.asyncio.Context``, as zmq.asyncio's
from . import constants as _constants
from . import errors as _errors
from . import utils as utils  # ``aiomq.utils.monitor``, as zmq.utils.monitor
from . import z85
from ._curve import curve_keypair, curve_public
from ._frame import Frame, MessageTracker
from ._message import Message
from ._monitor import MonitorEvent
from ._sockets import Socket, SocketContext
from .constants import *  # noqa: F403  # every constant, as pyzmq's zmq.constants
from .context import Context
from .devices import proxy, proxy_steerable
from .errors import *  # noqa: F403  # Errno, the E* numbers, the exceptions, strerror
from .loop import run
from .poller import Poller
from .version import has, zmq_version, zmq_version_info

__version__ = "0.1.0"

__all__ = [
    "Context",
    "Frame",
    "Message",
    "MessageTracker",
    "MonitorEvent",
    "Poller",
    "Socket",
    "SocketContext",
    "__version__",
    "curve_keypair",
    "curve_public",
    "has",
    "proxy",
    "proxy_steerable",
    "run",
    "z85",
    "zmq_version",
    "zmq_version_info",
]
__all__ += _constants.__all__
__all__ += _errors.__all__
