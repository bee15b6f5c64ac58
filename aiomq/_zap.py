"""The in-process ZAP registry: where engines ask for authentication verdicts (RFC 27).

Each :class:`~aiomq.Context` holds one :class:`ZapRegistry`. A ZAP handler (normally an
:class:`aiomq.auth.Authenticator`) registers an async callable there; an engine whose
mechanism needs a verdict builds a :class:`ZapRequest` (the fields of an RFC 27 request)
and awaits the handler's :class:`ZapReply` (the fields of an RFC 27 reply). No frames are
exchanged: ZAP never leaves the process, so this is invisible on the wire and interoperates
with libzmq peers. With no handler registered, libzmq's rules apply (see
:func:`aiomq._security.mechanism_for` and the engine): PLAIN is refused, NULL and CURVE
pass.

Layer 3: imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["ZapHandler", "ZapRegistry", "ZapReply", "ZapRequest"]


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
        request_id: A number unique within the process, as in RFC 27.
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
        status_code: ``"200"`` allows; ``"300"`` (temporary error), ``"400"``
            (denied) and ``"500"`` (internal error) refuse the peer, with the code
            as ERROR reason.
        status_text: Human-readable explanation (logged nowhere on the wire).
        user_id: The identity of the authenticated user: the ``User-Id`` property
            of the peer's messages.
        metadata: Extra properties attached to the peer's messages.
    """

    status_code: str = "200"
    status_text: str = "OK"
    user_id: str = ""
    metadata: dict[str, bytes] = field(default_factory=dict)


ZapHandler = Callable[[ZapRequest], Awaitable[ZapReply]]
"""An async ZAP handler: takes a request, returns the verdict."""


class ZapRegistry:
    """The ZAP handler of one Context (at most one, like ``inproc://zeromq.zap.01``)."""

    __slots__ = ("_next_id", "handler")

    def __init__(self) -> None:
        self.handler: ZapHandler | None = None
        self._next_id = 0

    def next_id(self) -> int:
        """A fresh request id."""
        self._next_id += 1
        return self._next_id
