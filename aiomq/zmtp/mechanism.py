"""The security-mechanism plug-in interface, and the NULL mechanism.

A ``Mechanism`` owns the commands exchanged between the greeting and the
start of traffic (RFC 37 §Authentication and Confidentiality), and optionally
transforms every frame afterwards. ``Connection`` owns
everything else: framing, the greeting, ERROR handling, metadata semantics
(``Socket-Type``, ``Identity``, the socket-type check) and post-handshake
commands.

Life cycle, driven by the connection (one mechanism instance per connection)::

    greeting exchanged ──► start(our_metadata, peer_as_server) ──► MechanismStep
    each peer command   ──► handle_command(name, data)         ──► MechanismStep
    external decision   ──► resume()  (via Connection.resume_handshake)
    ... until a step has complete=True; then, only if wraps_frames:
    every outgoing frame ──► wrap_frame(flags, payload)   -> command body
    every incoming command ─► unwrap_command(name, data)  -> (flags, payload) | None

How the later mechanisms fit:

* **PLAIN** (RFC 24). Client: ``start`` returns HELLO; WELCOME yields INITIATE
  carrying our metadata; READY yields the peer metadata and ``complete``.
  Server: ``start`` returns nothing; HELLO starts a ZAP request and returns an
  empty step; once the engine has the ZAP reply it tells the mechanism and
  calls ``Connection.resume_handshake()``, whose ``resume()`` returns WELCOME
  (or ``error=b"400"``); INITIATE yields READY, the metadata and ``complete``.
* **CURVE** (RFC 26): the same command choreography, plus ``wraps_frames``:
  after the handshake every frame travels boxed inside a MESSAGE command.

ERROR commands from the peer never reach a mechanism: the connection turns
them into ``PeerError`` at any stage.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass

from .commands import READY, encode_ready, parse_metadata
from .errors import ProtocolError

__all__ = ["Mechanism", "MechanismStep", "NullMechanism", "ZapVerdict"]


@dataclass(frozen=True, slots=True)
class ZapVerdict:
    """The decision of a ZAP handler (RFC 27 reply), as a mechanism consumes it.

    Attributes:
        status_code: ``b"200"`` accepts; anything else (``300``, ``400``,
            ``500``) refuses and becomes the ERROR reason sent to the peer.
        user_id: The authenticated user id (``User-Id`` message property).
        metadata: Extra properties the handler attached to the connection.
    """

    status_code: bytes = b"200"
    user_id: bytes = b""
    metadata: dict[str, bytes] | None = None

    @property
    def accepted(self) -> bool:
        """True for status ``200``."""
        return self.status_code == b"200"


@dataclass(frozen=True, slots=True)
class MechanismStep:
    """What the connection must do after one mechanism call.

    The connection applies the fields in this order: ``error``, ``metadata``,
    ``commands``, ``complete``.

    Attributes:
        commands: Command bodies (``name_len name data``) to send, in order.
            The connection frames them; they are never wrapped.
        metadata: The peer's metadata properties, when this step received them
            (READY for NULL, INITIATE or READY for PLAIN/CURVE). The connection
            validates ``Socket-Type`` and extracts ``Identity``.
        complete: The handshake is finished on our side: all our handshake
            commands are in ``commands`` of this or earlier steps and all the
            peer's have been received. Requires metadata from this or an
            earlier step.
        error: Refuse the peer: the connection queues an ERROR command with
            this reason (e.g. ``b"400"`` after a ZAP denial) and fails with
            ``ProtocolError``.
    """

    commands: tuple[bytes, ...] = ()
    metadata: dict[str, bytes] | None = None
    complete: bool = False
    error: bytes | None = None


class Mechanism(abc.ABC):
    """A ZMTP security mechanism: NULL, PLAIN, CURVE ...

    Subclasses set ``name`` and ``as_server``, implement
    ``start`` and ``handle_command``, and, if they transform traffic,
    set ``wraps_frames`` and implement ``wrap_frame`` and
    ``unwrap_command``. Methods signal a peer's protocol violation by
    raising ``ProtocolError``. Use one instance per
    connection.

    Attributes:
        name: The mechanism name sent in the greeting (``A-Z 0-9 - _ . +``, at
            most 20 octets). The peer's must match exactly.
        as_server: Our as-server greeting flag. For PLAIN/CURVE it is the
            server role, independent of bind/connect; NULL sends 0.
        wraps_frames: When False (NULL, PLAIN) the connection frames traffic
            itself, on its fast path. When True, every frame after the
            handshake goes through ``wrap_frame`` / ``unwrap_command``.
    """

    name: bytes
    as_server: bool = False
    wraps_frames: bool = False
    zap_request: tuple[bytes, ...] | None = None
    """Credentials awaiting a ZAP verdict (PLAIN: username, password; CURVE: the
    client's long-term public key; NULL: none), or None when nothing waits. The
    engine asks the ZAP handler, calls ``zap_decided``, then
    ``resume_handshake``."""
    verdict: ZapVerdict | None = None
    """The ZAP verdict on the last request, once supplied (read by ``resume``)."""

    @abc.abstractmethod
    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Begin the handshake; called once, after both greetings are complete.

        Args:
            metadata: Our metadata properties in sending order (``Socket-Type``,
                optionally ``Identity``, application ``X-*`` properties).
                Mechanisms send them in READY or INITIATE.
            peer_as_server: The peer's as-server greeting flag.

        Returns:
            The first step, usually the first command to send.

        Raises:
            ProtocolError: The peer's role is unacceptable.
        """

    @abc.abstractmethod
    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Consume one peer command during the handshake (never ERROR).

        Args:
            name: The command name, e.g. ``b"READY"``.
            data: The command data after the name.

        Returns:
            Replies, peer metadata, completion or a refusal.

        Raises:
            ProtocolError: Unexpected or malformed command.
        """

    def zap_decided(self, verdict: ZapVerdict) -> None:
        """Take the ZAP verdict for ``zap_request`` (clears it) as ``verdict``.

        Args:
            verdict: The handler's decision.
        """
        self.zap_request = None
        self.verdict = verdict

    def resume(self) -> MechanismStep:
        """Continue after an external decision (e.g. a ZAP reply) was supplied.

        Called by ``aiomq.zmtp.Connection.resume_handshake``. The default
        has nothing to resume.

        Returns:
            The step that was waiting on the decision.
        """
        return MechanismStep()

    def wrap_frame(self, flags: int, payload: bytes) -> bytes:
        """Transform one outgoing frame after the handshake (``wraps_frames`` only).

        Args:
            flags: ``MORE`` and/or ``COMMAND`` from ``aiomq.zmtp.frames``.
            payload: The frame body (for commands: ``name_len name data``).

        Returns:
            The command body to send instead (CURVE: ``MESSAGE``). The
            connection sends it in a final data frame, as libzmq frames CURVE
            MESSAGEs, and accepts it back in a data or a command frame.
        """
        raise NotImplementedError(f"{type(self).__name__} does not wrap frames")

    def unwrap_command(self, name: bytes, data: bytes) -> tuple[int, bytes] | None:
        """Transform one incoming command after the handshake (``wraps_frames`` only).

        Args:
            name: The command name, e.g. ``b"MESSAGE"``.
            data: The command data.

        Returns:
            ``(flags, payload)`` of the frame it carried (``MORE`` and/or
            ``COMMAND``), or None if this is not a wrapped frame and should be
            handled as an ordinary command.

        Raises:
            ProtocolError: Authentication failure, bad nonce and the like.
        """
        return None


class NullMechanism(Mechanism):
    """The NULL mechanism (RFC 37 §The NULL Security Mechanism).

    Both peers send READY with their metadata right after the greeting; the
    handshake completes when the peer's READY arrives. Traffic is not
    transformed. The peer's as-server flag is accepted whatever its value.
    """

    name = b"NULL"

    def __init__(self) -> None:
        """Create a NULL mechanism (as-server is always 0)."""
        self.as_server = False

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Send READY with our metadata.

        Args:
            metadata: Our properties.
            peer_as_server: Ignored (libzmq sends 0 but we accept 1).

        Returns:
            A step holding the READY command.
        """
        return MechanismStep(commands=(encode_ready(metadata.items()),))

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Accept the peer's READY.

        Args:
            name: Must be ``b"READY"``.
            data: The metadata properties.

        Returns:
            The peer metadata and completion.

        Raises:
            ProtocolError: Any other command, or malformed metadata.
        """
        if name != READY:
            raise ProtocolError(f"unexpected {name!r} command during the NULL handshake")
        return MechanismStep(metadata=parse_metadata(data), complete=True)
