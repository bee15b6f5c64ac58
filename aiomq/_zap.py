"""ZAP (RFC 27): who answers a Context's authentication requests, and the wire format.

Each [Context][aiomq.Context] holds one `ZapRegistry`. An engine whose mechanism needs a
verdict builds a `ZapRequest` (the fields of an RFC 27 request) and calls
`ZapRegistry.ask`, which returns a future of the `ZapReply`, or None when no handler
runs.
Two kinds of handler exist, as in libzmq there is one name, ``inproc://zeromq.zap.01``:

* an in-process async callable (an [Authenticator][aiomq.auth.Authenticator]),
  registered with `ZapRegistry.register`. It holds the
  inproc name while it runs, so a socket cannot bind it meanwhile (``EADDRINUSE``), and
  no frames are exchanged;
* an application socket (REP or ROUTER) bound on ``inproc://zeromq.zap.01``, asked with
  RFC 27 frames (`request_frames`, `parse_reply`) by the socket client the Context
  provides (`aiomq._zap_client`).

With neither, libzmq's rules apply (see the engine): PLAIN is refused, NULL and CURVE
pass unauthenticated.

Layer 3.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from ._transports.inproc import InprocConnecter, InprocRegistry
from .constants import Event
from .errors import EADDRINUSE, ZMQError
from .zmtp import ProtocolError
from .zmtp.commands import parse_metadata

__all__ = [
    "STATUS_CODES",
    "ZAP_ENDPOINT",
    "ZAP_NAME",
    "ZAP_VERSION",
    "SocketAsk",
    "ZapFailure",
    "ZapHandler",
    "ZapRegistry",
    "ZapReply",
    "ZapRequest",
    "parse_reply",
    "request_frames",
]

ZAP_NAME = "zeromq.zap.01"
"""The inproc name a ZAP handler binds (RFC 27)."""

ZAP_ENDPOINT = f"inproc://{ZAP_NAME}"
"""The endpoint a ZAP handler socket binds."""

ZAP_VERSION = b"1.0"
"""The protocol version frame of every request and reply."""

STATUS_CODES = frozenset({"200", "300", "400", "500"})
"""The status codes of RFC 27: success, temporary error, denied, internal error."""


@dataclass(frozen=True, slots=True)
class ZapRequest:
    """One authentication request (RFC 27 §Request).

    Attributes:
        domain: The server socket's ``ZAP_DOMAIN`` (may be empty).
        address: The peer's IP address (``""`` for ipc:// peers).
        identity: The server socket's ``ROUTING_ID``, as libzmq sends it.
        mechanism: ``"NULL"``, ``"PLAIN"`` or ``"CURVE"``.
        credentials: PLAIN: ``(username, password)``; CURVE: ``(public_key,)``
            (32 octets); NULL: ``()``.
        request_id: A number unique within the Context, as in RFC 27.
    """

    domain: str
    address: str
    identity: bytes
    mechanism: str
    credentials: tuple[bytes, ...]
    request_id: int = 0


@dataclass(frozen=True, slots=True)
class ZapReply:
    """One authentication verdict (RFC 27 §Reply).

    Attributes:
        status_code: ``"200"`` accepts. ``"400"`` (denied) and ``"500"`` (internal
            error) refuse the peer with an ERROR command carrying the code;
            ``"300"`` (temporary error) closes the connection without one, as libzmq.
        status_text: Human-readable explanation (it never goes on the wire).
        user_id: The identity of the authenticated user: the ``User-Id`` property
            of the peer's messages.
        metadata: Extra properties attached to the peer's messages.

    Raises:
        ValueError: ``status_code`` is not one of the four codes of RFC 27.
    """

    status_code: str = "200"
    status_text: str = "OK"
    user_id: str = ""
    metadata: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status_code not in STATUS_CODES:
            raise ValueError(
                f"ZAP status code must be 200, 300, 400 or 500, not {self.status_code!r}"
            )


ZapHandler = Callable[[ZapRequest], Awaitable[ZapReply]]
"""An in-process ZAP handler: takes a request, returns the verdict."""

SocketAsk = Callable[[ZapRequest, asyncio.AbstractEventLoop], asyncio.Future[ZapReply] | None]
"""Asks the handler socket bound on ``inproc://zeromq.zap.01``: a future of its reply,
or None when no REP or ROUTER socket holds that name."""


class ZapFailure(Exception):
    """No verdict: the handshake fails with ``event`` and the connection closes.

    Args:
        event: The monitor event of the failed handshake.
        reason: What went wrong.
    """

    def __init__(self, event: Event, reason: str) -> None:
        super().__init__(reason)
        self.event = event


def request_frames(request: ZapRequest) -> tuple[bytes, ...]:
    """``request`` as a DEALER sends it to the handler socket (RFC 27 §Request).

    The empty delimiter frame comes first, as libzmq sends it: a REP handler strips
    it, a ROUTER handler receives it after the routing id. Text fields are encoded
    back to the bytes they were decoded from (UTF-8 with surrogate escapes).
    """
    return (
        b"",
        ZAP_VERSION,
        str(request.request_id).encode("ascii"),
        request.domain.encode("utf-8", "surrogateescape"),
        request.address.encode("utf-8", "surrogateescape"),
        request.identity,
        request.mechanism.encode("ascii"),
        *request.credentials,
    )


def parse_reply(frames: Sequence[bytes], request_id: int) -> ZapReply:
    """Check the handler socket's reply to request ``request_id`` as libzmq does.

    Args:
        frames: The reply as a DEALER receives it: the empty delimiter, then
            version, request id, status code, status text, user id and metadata.
        request_id: The id of the request this answers.

    Returns:
        The verdict.

    Raises:
        ZapFailure: ``HANDSHAKE_FAILED_PROTOCOL`` for a malformed reply: not seven
            frames, no empty delimiter, another version, another request id, a status
            code other than 200/300/400/500, or metadata that does not parse.
    """
    if len(frames) != 7:
        raise _malformed(f"{len(frames)} frames instead of 7 (delimiter and six fields)")
    delimiter, version, answered, status, text, user_id, metadata = frames
    if delimiter:
        raise _malformed("the first frame is not the empty delimiter")
    if version != ZAP_VERSION:
        raise _malformed(f"version {bytes(version)!r}")
    if answered != str(request_id).encode("ascii"):
        raise _malformed(f"request id {bytes(answered)!r}, expected {request_id}")
    code = bytes(status).decode("ascii", "replace")
    if code not in STATUS_CODES:
        raise _malformed(f"status code {bytes(status)!r}")
    try:
        properties = parse_metadata(bytes(metadata))
    except ProtocolError as exc:
        raise _malformed(f"metadata: {exc}") from None
    return ZapReply(
        code,
        bytes(text).decode("utf-8", "replace"),
        bytes(user_id).decode("utf-8", "surrogateescape"),
        properties,
    )


def _malformed(detail: str) -> ZapFailure:
    return ZapFailure(Event.HANDSHAKE_FAILED_PROTOCOL, f"malformed ZAP reply: {detail}")


class ZapRegistry:
    """Who answers the ZAP requests of one Context.

    Args:
        inproc: The Context's inproc names: a registered handler holds
            ``inproc://zeromq.zap.01`` there.
        ask_socket: Asks a handler socket bound on that name, when no in-process
            handler is registered.
    """

    __slots__ = ("_ask_socket", "_inproc", "_next_id", "handler")

    def __init__(
        self, inproc: InprocRegistry | None = None, ask_socket: SocketAsk | None = None
    ) -> None:
        self.handler: ZapHandler | None = None
        self._inproc = inproc
        self._ask_socket = ask_socket
        self._next_id = 0

    def register(self, handler: ZapHandler) -> None:
        """Answer every request with ``handler`` (taking ``inproc://zeromq.zap.01``).

        Raises:
            ZMQError: ``EADDRINUSE`` when another handler is registered, or a socket
                is bound on ``inproc://zeromq.zap.01`` (as a second bind would).
        """
        if self.handler is not None:
            raise ZMQError(EADDRINUSE, "another ZAP handler already runs in this context")
        if self._inproc is not None:
            try:
                self._inproc.bind(ZAP_NAME, self)
            except ZMQError:
                raise ZMQError(
                    EADDRINUSE,
                    f"a socket of this context is bound on {ZAP_ENDPOINT}: it is the ZAP "
                    "handler, so an Authenticator cannot start",
                ) from None
        self.handler = handler

    def unregister(self, handler: ZapHandler) -> None:
        """Stop answering with ``handler`` (if it is the registered one); free the name."""
        if self.handler != handler:
            return
        self.handler = None
        if self._inproc is not None:
            self._inproc.unbind(ZAP_NAME, self)

    def accept_inproc(self, connecter: InprocConnecter) -> None:
        """A socket connected to ``inproc://zeromq.zap.01`` while an in-process handler
        holds it: it is not served (it gets a ``DISCONNECTED`` monitor event)."""
        connecter.bound_peer_gone()

    def next_id(self) -> int:
        """A fresh request id."""
        self._next_id += 1
        return self._next_id

    def ask(
        self, request: ZapRequest, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Future[ZapReply] | None:
        """Ask the handler about ``request``.

        Returns:
            A future of the verdict, or None when no handler runs. The future fails
            with `ZapFailure` when no verdict can come, and
            with the handler's exception if it raised; cancelling it abandons the
            request.
        """
        handler = self.handler
        if handler is not None:
            return asyncio.ensure_future(handler(request), loop=loop)
        if self._ask_socket is not None:
            return self._ask_socket(request, loop)
        return None
