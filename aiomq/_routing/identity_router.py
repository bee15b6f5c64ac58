"""IdentityRouter: address each peer by its routing id (RFC 28 ROUTER; libzmq router.cpp)."""

from __future__ import annotations

import random
import struct
from collections.abc import Callable

from .._pipe import Message, Pipe
from ..errors import EHOSTUNREACH, Again, ZMQError

__all__ = ["IdentityRouter"]

_COUNTER = struct.Struct(">I")


class IdentityRouter:
    """Keeps a routing id ↔ pipe map and sends each message to the pipe its first frame names.

    A pipe's routing id is, in this order (libzmq ``identify_peer``):

    1. the id preset on a connecting pipe (``CONNECT_ROUTING_ID``, in ``pipe.routing_id``);
    2. the peer's ``Identity`` from its READY (its ``ROUTING_ID``), if not empty;
    3. a generated 5-byte id: ``0x00`` + a big-endian uint32 counter that starts at a
       random value.

    A connecting pipe is attached before its handshake, when the peer's identity is not
    known: it stays *anonymous* (unreachable, its routing id unset) until
    ``identify`` succeeds. A peer whose id is already taken is refused, unless
    ``handover`` is set: then the old pipe gets a fresh generated id, is handed to
    ``on_evict`` (which terminates it) and the new pipe takes the id.

    Args:
        on_writable: Called when sending may have become possible (a pipe drained below
            its high-water mark, or a pipe went away: a waiting sender then learns so).
        on_evict: Called with a pipe that lost its id to a newer peer (``ROUTER_HANDOVER``).
        first_id: The counter's first value (random when None).

    Attributes:
        mandatory: ``ROUTER_MANDATORY``: unroutable messages raise instead of being dropped.
        handover: ``ROUTER_HANDOVER``: a new peer with a taken id takes it over.
    """

    __slots__ = (
        "_anonymous",
        "_by_id",
        "_next_id",
        "_on_evict",
        "_on_writable",
        "handover",
        "mandatory",
    )

    def __init__(
        self,
        on_writable: Callable[[], None],
        on_evict: Callable[[Pipe], None],
        *,
        first_id: int | None = None,
    ) -> None:
        self._by_id: dict[bytes, Pipe] = {}
        self._anonymous: set[Pipe] = set()
        self._next_id = random.getrandbits(32) if first_id is None else first_id & 0xFFFFFFFF
        self._on_writable = on_writable
        self._on_evict = on_evict
        self.mandatory = False
        self.handover = False

    # -- Strategy -----------------------------------------------------------------------

    @property
    def last_pipe(self) -> None:
        """None: the router only sends (a ROUTER receives through its fair queue)."""
        return None

    def attach(self, pipe: Pipe) -> bool:
        """Give ``pipe`` its routing id (or keep it anonymous until its handshake).

        Returns:
            False when its id is taken and ``handover`` is off: the peer is refused.
        """
        if not pipe.routing_id and not pipe.peer_socket_type:
            # A connecting pipe before its handshake: its peer's Identity is not known yet.
            self._anonymous.add(pipe)
        elif not self._claim(pipe):
            return False
        pipe.outbound.on_writable = self._on_writable
        return True

    def detach(self, pipe: Pipe) -> None:
        """Forget ``pipe`` (its id becomes free)."""
        self._anonymous.discard(pipe)
        if self._by_id.get(pipe.routing_id) is pipe:
            del self._by_id[pipe.routing_id]

    def terminate(self, pipe: Pipe) -> None:
        """The peer is gone: free its id at once, so that a returning peer can take it.

        The pipe keeps ``routing_id``: messages it still holds are delivered under it.
        """
        self.detach(pipe)
        self._on_writable()

    # -- identities ---------------------------------------------------------------------

    def identify(self, pipe: Pipe) -> bool:
        """Give an anonymous pipe its routing id once its handshake is done.

        Returns:
            True when ``pipe`` has a routing id (now or already).
        """
        if pipe not in self._anonymous:
            return True
        if not pipe.peer_socket_type or not self._claim(pipe):
            return False
        self._anonymous.discard(pipe)
        return True

    def identify_all(self) -> None:
        """Identify every anonymous pipe whose handshake is done."""
        for pipe in list(self._anonymous):
            self.identify(pipe)

    def lookup(self, routing_id: bytes) -> Pipe | None:
        """The pipe known by ``routing_id``, or None."""
        pipe = self._by_id.get(routing_id)
        if pipe is None and self._anonymous:
            self.identify_all()
            pipe = self._by_id.get(routing_id)
        return pipe

    def require(self, routing_id: bytes) -> Pipe:
        """The pipe known by ``routing_id``.

        Raises:
            ZMQError: ``EHOSTUNREACH`` when there is no such peer.
        """
        pipe = self.lookup(routing_id)
        if pipe is None:
            raise ZMQError(EHOSTUNREACH, f"Host unreachable: no peer {routing_id!r}")
        return pipe

    @property
    def routing_ids(self) -> list[bytes]:
        """The routing ids of the reachable peers."""
        return list(self._by_id)

    def _claim(self, pipe: Pipe) -> bool:
        routing_id = pipe.routing_id or pipe.peer_identity
        evicted: Pipe | None = None
        if not routing_id:
            routing_id = self._generate()
        else:
            evicted = self._by_id.get(routing_id)
            if evicted is not None:
                if not self.handover:
                    return False
                # libzmq: the old pipe is renamed, then terminated; what it still holds is
                # delivered under its new name.
                evicted.routing_id = self._generate()
        pipe.routing_id = routing_id
        self._by_id[routing_id] = pipe
        if evicted is not None:
            self._on_evict(evicted)
        return True

    def _generate(self) -> bytes:
        by_id = self._by_id
        while True:
            routing_id = b"\x00" + _COUNTER.pack(self._next_id)
            self._next_id = (self._next_id + 1) & 0xFFFFFFFF
            if routing_id not in by_id:
                return routing_id

    # -- sending ------------------------------------------------------------------------

    def send_nowait(self, message: Message) -> None:
        """Send ``message[1:]`` to the peer whose routing id is ``message[0]``.

        A message of one frame (an id with no body) is dropped, as libzmq does. So is a
        message for an unknown peer or a full queue, unless ``mandatory`` is set.

        Raises:
            ZMQError: ``EHOSTUNREACH``: no such peer (with ``mandatory``).
            Again: The peer's queue is full (with ``mandatory``).
        """
        if len(message) < 2:
            return
        pipe = self._by_id.get(message[0])
        if pipe is None:
            if self.mandatory:
                pipe = self.require(message[0])
            else:
                pipe = self.lookup(message[0])
                if pipe is None:
                    return
        queue = pipe.outbound
        if queue.full:
            if self.mandatory:
                raise Again(f"peer {message[0]!r} cannot take the message now")
            return
        queue.push(message[1:])
