"""REQ and REP: the lock-step request-reply pattern (RFC 28; libzmq req.cpp, rep.cpp)."""

from __future__ import annotations

import random
import struct
from typing import ClassVar

from .._pipe import Message, Pipe
from .._routing import FairQueue, LoadBalancer
from .._traits import SocketTraits
from ..constants import SocketOption
from ..errors import EFSM, ZMQError
from .base import Socket

__all__ = ["RepSocket", "ReqSocket"]

# libzmq copies the request id in host byte order (req.cpp memcpy); so does aiomq.
_REQUEST_ID = struct.Struct("=I")


def _fsm(doing: str) -> ZMQError:
    return ZMQError(EFSM, f"Operation cannot be accomplished in current state ({doing})")


class ReqSocket(Socket):
    """REQ: sends a request to one peer (round robin), then takes its reply only.

    ``send`` prepends an empty delimiter frame (after a 4-byte request id with
    ``REQ_CORRELATE``); ``recv`` accepts only a reply from the peer last sent to that
    starts with that envelope, and silently drops any other message. Sending twice, or
    receiving before sending, raises ``ZMQError(EFSM)``; ``REQ_RELAXED`` allows a new
    request before the reply (the old reply is then discarded if ``REQ_CORRELATE`` is
    also set).
    """

    __slots__ = (
        "_balancer",
        "_expected_id",
        "_queue",
        "_receiving",
        "_reply_pipe",
        "_request_id",
    )
    _traits: ClassVar[SocketTraits] = SocketTraits(
        "REQ",
        frozenset({"REP", "ROUTER"}),
        sends_identity=True,
        options=frozenset({SocketOption.REQ_RELAXED, SocketOption.REQ_CORRELATE}),
    )

    def _setup(self) -> None:
        self._balancer = LoadBalancer(self._writable.set)
        self._queue = FairQueue(self._readable.set)
        self._strategies = (self._balancer, self._queue)
        self._sender = self._send_request
        self._receiver = self._receive_reply
        self._receiving = False
        self._reply_pipe: Pipe | None = None
        self._request_id = random.getrandbits(32)
        self._expected_id: bytes | None = None

    def _surely_empty(self) -> bool:
        return self._receiving and self._queue.idle

    def _check_send(self, frame: bytes) -> None:
        if (self._receiving or self._recv_rest) and not self._options.req_relaxed:
            raise _fsm("a REQ socket must receive the reply before sending again")

    def _can_send(self) -> bool:
        turn = not (self._receiving or self._recv_rest) or self._options.req_relaxed
        return bool(turn) and self._balancer.writable

    def _send_request(self, message: Message) -> None:
        self._check_send(b"")
        request_id: bytes | None = None
        if self._options.req_correlate:
            request_id = _REQUEST_ID.pack((self._request_id + 1) & 0xFFFFFFFF)
            self._balancer.send_nowait((request_id, b"", *message))
            self._request_id = (self._request_id + 1) & 0xFFFFFFFF
        else:
            self._balancer.send_nowait((b"", *message))
        self._reply_pipe = self._balancer.last_target
        self._expected_id = request_id
        self._recv_rest = []
        self._peeked = None
        # Replies that came in before this request went out are stale (libzmq req.cpp).
        queue = self._queue
        while queue.readable:
            queue.recv_nowait()
        self._receiving = True

    def _receive_reply(self) -> Message:
        if not self._receiving:
            raise _fsm("a REQ socket must send a request before receiving")
        queue = self._queue
        while True:
            message = queue.recv_nowait()
            reply_pipe = self._reply_pipe
            # Only the peer asked may answer; if it has gone, libzmq takes any peer.
            if queue.last_pipe is not reply_pipe and reply_pipe in queue.pipes:
                continue
            request_id = self._expected_id
            if request_id is None:
                if len(message) < 2 or message[0]:
                    continue
                body = message[1:]
            else:
                if len(message) < 3 or message[0] != request_id or message[1]:
                    continue
                body = message[2:]
            return body

    def _take(self) -> Message:
        body = super()._take()
        self._receiving = False  # on delivery, not on a poll's look-ahead
        return body


class RepSocket(Socket):
    """REP: takes requests fair-queued, and sends each reply back to its requester.

    ``recv`` strips the envelope (every frame up to and including the first empty one;
    a request without one is dropped) and ``send`` puts it back in front of the reply.
    A reply whose requester is gone, or whose queue is full, is dropped: REP never
    blocks. Receiving twice, or sending before receiving, raises ``ZMQError(EFSM)``.
    """

    __slots__ = ("_envelope", "_queue", "_reply_pipe", "_request", "_sending")
    _traits: ClassVar[SocketTraits] = SocketTraits("REP", frozenset({"REQ", "DEALER"}))

    def _setup(self) -> None:
        self._queue = FairQueue(self._readable.set)
        self._strategies = (self._queue,)
        self._sender = self._send_reply
        self._receiver = self._receive_request
        self._sending = False
        self._reply_pipe: Pipe | None = None
        self._envelope: Message = ()
        self._request: tuple[Pipe | None, Message] = (None, ())

    def _surely_empty(self) -> bool:
        return not self._sending and self._queue.idle

    def _check_send(self, frame: bytes) -> None:
        if not self._sending or self._recv_rest:
            raise _fsm("a REP socket must receive a whole request before replying")

    def _can_send(self) -> bool:
        return self._sending and not self._recv_rest

    def _send_reply(self, message: Message) -> None:
        self._check_send(b"")
        pipe, envelope = self._reply_pipe, self._envelope
        self._sending = False
        self._reply_pipe = None
        self._envelope = ()
        if (
            pipe is not None
            and not pipe.terminating
            and pipe in self._queue.pipes
            and not pipe.outbound.full
        ):
            pipe.outbound.push(envelope + message)

    def _receive_request(self) -> Message:
        if self._sending:
            raise _fsm("a REP socket must send the reply before receiving again")
        queue = self._queue
        while True:
            message = queue.recv_nowait()
            # The delimiter is the first empty frame that has more frames after it.
            for index in range(len(message) - 1):
                if not message[index]:
                    break
            else:
                continue  # no delimiter: discard the whole message (libzmq rep.cpp)
            self._request = (queue.last_pipe, message[: index + 1])
            return message[index + 1 :]

    def _take(self) -> Message:
        body = super()._take()
        # On delivery, not on a poll's look-ahead: the reply goes where this came from.
        self._reply_pipe, self._envelope = self._request
        self._sending = True
        return body
