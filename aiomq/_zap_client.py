"""The ZAP client: asks an application's handler socket on ``inproc://zeromq.zap.01``.

An application may run RFC 27 itself, as libzmq applications and pyzmq's own
Authenticator do: it binds a REP (or ROUTER) socket on ``inproc://zeromq.zap.01`` in the
Context and answers the request frames it receives. When no in-process Authenticator is
registered, the Context's `ZapRegistry` asks that socket through
[InprocZapClient][aiomq._zap_client.InprocZapClient].

Like libzmq, which gives every connection's session a ZAP pipe of its own, each request
travels over an inproc connection of its own, opened for it and closed once the reply
came (or the connection it is about went away). A reply is therefore always attributed to
the right connection, a malformed one fails only that connection's handshake, and no
task is needed: the reply completes the request's future from the pipe's callback.

Layer 4.
"""

from __future__ import annotations

import asyncio

from ._inproc import InprocLink
from ._link import SocketLink
from ._pipe import Pipe
from ._traits import SocketTraits
from ._transports.inproc import InprocRegistry
from ._zap import (
    ZAP_ENDPOINT,
    ZAP_NAME,
    ZapFailure,
    ZapReply,
    ZapRequest,
    parse_reply,
    request_frames,
)
from .constants import Event, SocketType
from .options import Options

__all__ = ["InprocZapClient"]


class InprocZapClient:
    """Asks the handler socket bound on ``inproc://zeromq.zap.01`` of one Context.

    Args:
        inproc: The Context's inproc names.
        traits: How the request connects to the handler socket: a DEALER that
            accepts the handler types (``aiomq._sockets.ZAP_CLIENT_TRAITS``).
    """

    __slots__ = ("_inproc", "_options", "_traits")

    def __init__(self, inproc: InprocRegistry, traits: SocketTraits) -> None:
        self._inproc = inproc
        self._traits = traits
        options = Options(SocketType[traits.name])
        options.immediate = 1  # the pipe exists only once a handler accepted the connect
        self._options = options

    def ask(
        self, request: ZapRequest, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Future[ZapReply] | None:
        """Send ``request`` to the handler socket.

        Returns:
            A future of the reply (failing with `ZapFailure` for a malformed reply or
            a handler socket that closes before replying; cancelling it abandons the
            request), or None when no REP or ROUTER socket is bound on the name.
        """
        exchange = _Exchange(loop.create_future(), request.request_id)
        socket_link = SocketLink(exchange, self._options, self._traits, _unmonitored)
        socket_link.loop = loop
        link = InprocLink(socket_link, ZAP_ENDPOINT)
        link.connect(self._inproc, ZAP_NAME)  # a bound handler accepts it right here
        pipe = exchange.pipe
        if pipe is None:  # nothing bound, or a socket of another type
            link.close()
            return None
        exchange.future.add_done_callback(lambda _: link.close())
        pipe.outbound.push(request_frames(request))
        return exchange.future


class _Exchange:
    """One request's end of its inproc connection (the `PipeSink` of that connection)."""

    __slots__ = ("future", "pipe", "request_id")

    def __init__(self, future: asyncio.Future[ZapReply], request_id: int) -> None:
        self.future = future
        self.request_id = request_id
        self.pipe: Pipe | None = None

    def attach_pipe(self, pipe: Pipe) -> bool:
        self.pipe = pipe
        pipe.inbound.on_readable = self._replied
        return True

    def _replied(self) -> None:
        """The handler's reply arrived (the first message is the one that counts)."""
        pipe = self.pipe
        if pipe is None or self.future.done():
            return
        try:
            reply = parse_reply(pipe.inbound.peek(), self.request_id)
        except ZapFailure as failure:
            self.future.set_exception(failure)
        else:
            self.future.set_result(reply)

    def terminate_pipe(self, pipe: Pipe) -> None:
        self._gone()

    def detach_pipe(self, pipe: Pipe) -> None:
        self._gone()

    def pipe_reconnected(self, pipe: Pipe) -> None:
        """Never called: an inproc connection does not reconnect."""

    def _gone(self) -> None:
        self.pipe = None
        if not self.future.done():
            self.future.set_exception(
                ZapFailure(
                    Event.HANDSHAKE_FAILED_NO_DETAIL,
                    "the ZAP handler socket went away before it replied",
                )
            )


def _unmonitored(event: Event, endpoint: str, value: int | str) -> None:
    return None
