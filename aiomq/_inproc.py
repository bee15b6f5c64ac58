"""Inproc links: the session and listener of the ``inproc://`` transport.

A connect creates its pipe at once (so messages queue before the bind, as for tcp); the
bind side wraps the same two queues, crossed, in a pipe of its own. Message tuples move
between the sockets as they are: no codec, no copies. The high-water mark of each
direction is the sender's SNDHWM plus the receiver's RCVHWM, as in libzmq.

Layer 4.
"""

from __future__ import annotations

from ._link import SocketLink
from ._pipe import Pipe
from ._transports.inproc import InprocConnecter, InprocRegistry
from .constants import Event

__all__ = ["InprocLink"]


def _sum_hwm(send_hwm: int, recv_hwm: int) -> int:
    return 0 if send_hwm == 0 or recv_hwm == 0 else send_hwm + recv_hwm


class InprocLink:
    """One inproc endpoint of a socket, in the connecting or the binding role.

    Args:
        link: The socket's services.
        url: The endpoint, e.g. ``inproc://workers``.
    """

    def __init__(self, link: SocketLink, url: str) -> None:
        self.link = link
        self.url = url
        self.pipe: Pipe | None = None
        self._registry: InprocRegistry | None = None
        self._name = ""
        self._binder: InprocLink | None = None
        self._accepted: dict[InprocLink, Pipe] = {}

    # -- connecting role ------------------------------------------------------------

    def connect(self, registry: InprocRegistry, name: str) -> None:
        """Create the pipe (unless IMMEDIATE) and link now or once ``name`` is bound."""
        self._registry = registry
        self._name = name
        if not self.link.options.immediate:
            self._open_pipe()
        registry.connect(name, self)

    def _open_pipe(self) -> Pipe | None:
        if self.pipe is None:
            pipe = self.link.new_pipe(self.url, connecting=True)
            if self.link.sink.attach_pipe(pipe):
                self.pipe = pipe
        return self.pipe

    def bound_peer_gone(self) -> None:
        """The bound socket went away: deliver what is queued, then drop the pipe."""
        self._binder = None
        if self.pipe is not None:
            self.link.sink.terminate_pipe(self.pipe)
            self.pipe = None
        self.link.monitor(Event.DISCONNECTED, self.url, 0)

    # -- binding role ---------------------------------------------------------------

    def accept_inproc(self, connecter: InprocConnecter) -> None:
        """Link a connecting socket to this bound one."""
        assert isinstance(connecter, InprocLink)
        ours, theirs = self.link, connecter.link
        if (
            theirs.traits.name not in ours.traits.peers
            or ours.traits.name not in theirs.traits.peers
        ):
            ours.monitor(Event.HANDSHAKE_FAILED_PROTOCOL, self.url, 0)
            theirs.monitor(Event.HANDSHAKE_FAILED_PROTOCOL, connecter.url, 0)
            return
        their_pipe = connecter._open_pipe()
        if their_pipe is None:
            return
        our_pipe = Pipe(
            their_pipe.outbound,
            their_pipe.inbound,
            endpoint=self.url,
            peer_socket_type=theirs.traits.name,
            peer_identity=theirs.options.routing_id,
        )
        if not ours.sink.attach_pipe(our_pipe):
            return
        their_pipe.peer_socket_type = ours.traits.name
        their_pipe.peer_identity = ours.options.routing_id
        their_pipe.outbound.set_hwm(_sum_hwm(theirs.options.sndhwm, ours.options.rcvhwm))
        their_pipe.inbound.set_hwm(_sum_hwm(ours.options.sndhwm, theirs.options.rcvhwm))
        self._accepted[connecter] = our_pipe
        connecter._binder = self
        ours.monitor(Event.ACCEPTED, self.url, 0)
        theirs.monitor(Event.CONNECTED, connecter.url, 0)

    def _connecter_gone(self, connecter: InprocLink) -> None:
        pipe = self._accepted.pop(connecter, None)
        if pipe is not None:
            self.link.sink.terminate_pipe(pipe)
            self.link.monitor(Event.DISCONNECTED, self.url, 0)

    # -- both -----------------------------------------------------------------------

    def close(self) -> None:
        """Leave: the peer keeps what is already queued for it."""
        if self._registry is not None:
            self._registry.cancel(self._name, self)
        if self._binder is not None:
            self._binder._connecter_gone(self)
            self._binder = None
        if self.pipe is not None:
            self.link.sink.detach_pipe(self.pipe)
            self.pipe = None
        for connecter, pipe in list(self._accepted.items()):
            self.link.sink.detach_pipe(pipe)
            connecter.bound_peer_gone()
        self._accepted.clear()
