"""What sessions and listeners know of their socket: a narrow, pattern-free interface.

Layer 4.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from ._engine import Engine, EngineOwner, MonitorCallback
from ._pipe import ConflatingQueue, MessageQueue, Pipe
from ._traits import SocketTraits
from ._zap import ZapRegistry
from .options import Options

__all__ = ["PipeSink", "SocketLink"]


class PipeSink(Protocol):
    """The socket side of pipe attachment (implemented by the socket base)."""

    def attach_pipe(self, pipe: Pipe) -> bool:
        """Route through ``pipe``; False refuses the peer (e.g. a second PAIR peer)."""
        ...

    def terminate_pipe(self, pipe: Pipe) -> None:
        """The peer is gone: stop sending to ``pipe``; deliver what it holds, then drop it."""
        ...

    def detach_pipe(self, pipe: Pipe) -> None:
        """Drop ``pipe`` now, with whatever it holds."""
        ...

    def pipe_reconnected(self, pipe: Pipe) -> None:
        """A session's pipe got a new connection (e.g. resend subscriptions)."""
        ...


@dataclass(slots=True)
class SocketLink:
    """Everything a session or listener needs from its socket.

    Attributes:
        sink: Attaches and detaches pipes.
        options: The socket's live options.
        traits: The socket type's traits (name, accepted peers, roles).
        monitor: Receives monitor events.
        zap: The Context's ZAP registry.
        loop: The socket's event loop, set when the socket starts in one (a socket may
            bind and connect before a loop runs; nothing touches ``loop`` until then).
    """

    sink: PipeSink
    options: Options
    traits: SocketTraits
    monitor: MonitorCallback
    zap: ZapRegistry = field(default_factory=ZapRegistry)
    loop: asyncio.AbstractEventLoop = field(init=False)

    def new_pipe(self, endpoint: str, *, connecting: bool = False) -> Pipe:
        """A fresh pipe with the socket's current high-water marks.

        With ``CONFLATE`` (effective only where the traits say so, as in libzmq) both
        queues keep just the newest message and ignore the high-water marks.
        A connecting pipe takes (and clears) ``CONNECT_ROUTING_ID`` as its routing id.
        """
        options = self.options
        if options.conflate and self.traits.conflates:
            pipe = Pipe(ConflatingQueue(), ConflatingQueue(), endpoint=endpoint)
        else:
            pipe = Pipe(
                MessageQueue(options.rcvhwm), MessageQueue(options.sndhwm), endpoint=endpoint
            )
        if connecting and options.connect_routing_id:
            pipe.routing_id = options.connect_routing_id
            options.connect_routing_id = b""
        return pipe

    def new_engine(self, owner: EngineOwner, endpoint: str) -> Engine:
        """A fresh engine reporting to ``owner``."""
        return Engine(
            owner,
            self.options,
            self.traits,
            endpoint,
            self.monitor,
            zap=self.zap,
        )
