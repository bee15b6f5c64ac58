"""DEALER and ROUTER: the asynchronous request-reply sockets (RFC 28; libzmq dealer.cpp,
router.cpp)."""

from __future__ import annotations

from typing import ClassVar

from .._pipe import Message, Pipe
from .._routing import FairQueue, IdentityRouter, LoadBalancer
from .._traits import SocketTraits
from ..constants import SocketOption
from ..options import OptionValue
from .base import Socket

__all__ = ["ZAP_CLIENT_TRAITS", "DealerSocket", "RouterSocket"]

_PROBE: Message = (b"",)

ZAP_CLIENT_TRAITS = SocketTraits("DEALER", frozenset({"REP", "ROUTER"}), sends_identity=True)
"""How a ZAP request reaches the handler socket on ``inproc://zeromq.zap.01``: as a DEALER
that accepts the handler types libzmq accepts (REP and ROUTER)."""
_ROUTER_FLAGS = frozenset({SocketOption.ROUTER_MANDATORY, SocketOption.ROUTER_HANDOVER})


class _ProbingSocket(Socket):
    """With ``PROBE_ROUTER``, an empty message goes first to each newly attached peer."""

    __slots__ = ()

    def _attached(self, pipe: Pipe) -> None:
        if self._options.probe_router:
            pipe.outbound.push(_PROBE)


class DealerSocket(_ProbingSocket):
    """DEALER: round-robins messages over its peers, fair-queues theirs; no envelopes.

    Sends wait while every peer's queue is full (or there is no peer); nothing is dropped.
    """

    __slots__ = ("_balancer",)
    _traits: ClassVar[SocketTraits] = SocketTraits(
        "DEALER",
        frozenset({"REP", "DEALER", "ROUTER"}),
        conflates=True,
        sends_identity=True,
        options=frozenset({SocketOption.PROBE_ROUTER, SocketOption.CONFLATE}),
    )

    def _setup(self) -> None:
        balancer = self._balancer = LoadBalancer(self._writable.set, self._set_out_lane)
        queue = FairQueue(self._readable.set, self._set_in_lane)
        self._strategies = (balancer, queue)
        self._sender = balancer.send_nowait
        self._receiver = queue.recv_nowait

    def _can_send(self) -> bool:
        return self._balancer.writable


class RouterSocket(_ProbingSocket):
    """ROUTER: addresses each peer by its routing id, the first frame of every message.

    ``recv`` prepends the sending peer's routing id; ``send`` pops the first frame and
    queues the rest for the peer it names. A message for an unknown peer, or for one
    whose queue is full, is dropped — or, with ``ROUTER_MANDATORY``, refused with
    ``ZMQError(EHOSTUNREACH)``, respectively waited for (``Again`` with ``DONTWAIT``).
    """

    __slots__ = ("_queue", "_router")
    _traits: ClassVar[SocketTraits] = SocketTraits(
        "ROUTER",
        frozenset({"REQ", "DEALER", "ROUTER"}),
        sends_identity=True,
        options=frozenset(
            {
                SocketOption.CONNECT_ROUTING_ID,
                SocketOption.PROBE_ROUTER,
                SocketOption.ROUTER_HANDOVER,
                SocketOption.ROUTER_MANDATORY,
            }
        ),
    )

    def _setup(self) -> None:
        self._router = IdentityRouter(self._writable.set, self._sink.terminate_pipe)
        self._queue = FairQueue(self._readable.set)
        self._strategies = (self._router, self._queue)
        self._sender = self._router.send_nowait
        self._receiver = self._receive_routed

    def _set_action(self, option: SocketOption, value: OptionValue) -> bool:
        if option not in _ROUTER_FLAGS:
            return False
        self._options.set(option, value)
        self._router.mandatory = bool(self._options.router_mandatory)
        self._router.handover = bool(self._options.router_handover)
        return True

    def _reconnected(self, pipe: Pipe) -> None:
        self._router.identify(pipe)

    def _can_send(self) -> bool:
        return True  # unknown or full peers drop (libzmq router.cpp xhas_out)

    def _check_send(self, frame: bytes) -> None:
        # libzmq looks the peer up at the first frame, which is the routing id.
        if not self._send_parts and self._router.mandatory:
            self._router.require(frame)

    def _receive_routed(self) -> Message:
        queue = self._queue
        identify = self._router.identify
        while True:
            message = queue.recv_nowait()
            pipe = queue.last_pipe
            assert pipe is not None
            if identify(pipe):  # False: an anonymous pipe whose id is taken; dropped
                return (pipe.routing_id, *message)
