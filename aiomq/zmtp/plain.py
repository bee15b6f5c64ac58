"""The PLAIN mechanism (RFC 24) and NULL with a ZAP check, sans-I/O.

PLAIN sends a username and password in clear text; the server asks a ZAP
handler (RFC 27) for a verdict. The decision comes from outside the codec:
after HELLO the server mechanism exposes ``Mechanism.zap_request``
(``(username, password)``); the engine obtains a ``ZapVerdict``, hands it
over with ``Mechanism.zap_decided`` and calls
``resume_handshake``.

Commands (RFC 24 §Formal Grammar)::

    C: HELLO    = %x05 "HELLO" username(1 + n) password(1 + n)
    S: WELCOME  = %x07 "WELCOME"
    C: INITIATE = %x08 "INITIATE" metadata
    S: READY    = %x05 "READY" metadata
    ERROR may replace WELCOME or READY.

Layer 2: imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

from .commands import READY, encode_command, encode_ready, parse_metadata
from .errors import ProtocolError
from .mechanism import Mechanism, MechanismStep

__all__ = ["NullZapMechanism", "PlainClient", "PlainServer", "encode_hello", "parse_hello"]

HELLO = b"HELLO"
WELCOME = b"WELCOME"
INITIATE = b"INITIATE"


def encode_hello(username: bytes, password: bytes) -> bytes:
    """Build a PLAIN HELLO command body.

    Args:
        username: At most 255 octets.
        password: At most 255 octets.

    Returns:
        ``05 "HELLO" ulen username plen password``.

    Raises:
        ValueError: A credential is longer than 255 octets.
    """
    if len(username) > 255 or len(password) > 255:
        raise ValueError("PLAIN username and password are at most 255 octets")
    return encode_command(
        HELLO, bytes((len(username),)) + username + bytes((len(password),)) + password
    )


def parse_hello(data: bytes) -> tuple[bytes, bytes]:
    """Parse the data of a PLAIN HELLO command.

    Args:
        data: The command data after the name.

    Returns:
        ``(username, password)``.

    Raises:
        ProtocolError: Malformed lengths or trailing octets.
    """
    if not data:
        raise ProtocolError("malformed PLAIN HELLO")
    ulen = data[0]
    pos = 1 + ulen
    if pos >= len(data):
        raise ProtocolError("malformed PLAIN HELLO")
    plen = data[pos]
    end = pos + 1 + plen
    if end != len(data):
        raise ProtocolError("malformed PLAIN HELLO")
    return bytes(data[1:pos]), bytes(data[pos + 1 : end])


class PlainClient(Mechanism):
    """The PLAIN client: HELLO → WELCOME → INITIATE(metadata) → READY(metadata).

    Args:
        username: The PLAIN username (``PLAIN_USERNAME``).
        password: The PLAIN password (``PLAIN_PASSWORD``).
    """

    name = b"PLAIN"

    def __init__(self, username: bytes, password: bytes) -> None:
        self.as_server = False
        self._hello = encode_hello(username, password)
        self._metadata: Mapping[str, bytes] = {}
        self._state = "start"

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Send HELLO.

        Args:
            metadata: Our properties, sent later in INITIATE.
            peer_as_server: Ignored: libzmq 4.3 PLAIN servers send as-server 0.

        Returns:
            A step holding HELLO.
        """
        self._metadata = metadata
        self._state = "welcome"
        return MechanismStep(commands=(self._hello,))

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Accept WELCOME (answer INITIATE), then READY (complete).

        Args:
            name: ``b"WELCOME"`` or ``b"READY"``, in that order.
            data: The command data.

        Returns:
            INITIATE, or the peer metadata and completion.

        Raises:
            ProtocolError: Any other command, out of order, or malformed.
        """
        if self._state == "welcome" and name == WELCOME:
            if data:
                raise ProtocolError("malformed PLAIN WELCOME")
            self._state = "ready"
            initiate = encode_command(INITIATE, encode_ready(self._metadata.items())[6:])
            return MechanismStep(commands=(initiate,))
        if self._state == "ready" and name == READY:
            self._state = "done"
            return MechanismStep(metadata=parse_metadata(data), complete=True)
        raise ProtocolError(f"unexpected {name!r} command during the PLAIN handshake")


class PlainServer(Mechanism):
    """The PLAIN server: HELLO → (ZAP) → WELCOME or ERROR → INITIATE → READY."""

    name = b"PLAIN"

    def __init__(self) -> None:
        self.as_server = True
        self._metadata: Mapping[str, bytes] = {}
        self._state = "hello"

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Wait for HELLO.

        Args:
            metadata: Our properties, sent in READY.
            peer_as_server: Ignored, as libzmq does (two servers fail on HELLO).

        Returns:
            An empty step.
        """
        self._metadata = metadata
        return MechanismStep()

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Accept HELLO (then wait for ZAP), later INITIATE (answer READY).

        Args:
            name: ``b"HELLO"`` then ``b"INITIATE"``.
            data: The command data.

        Returns:
            Nothing after HELLO; READY, the peer metadata and completion after
            INITIATE.

        Raises:
            ProtocolError: Any other command, out of order, or malformed.
        """
        if self._state == "hello" and name == HELLO:
            self.zap_request = parse_hello(data)
            self._state = "zap"
            return MechanismStep()
        if self._state == "initiate" and name == INITIATE:
            self._state = "done"
            return MechanismStep(
                commands=(encode_ready(self._metadata.items()),),
                metadata=parse_metadata(data),
                complete=True,
            )
        raise ProtocolError(f"unexpected {name!r} command during the PLAIN handshake")

    def resume(self) -> MechanismStep:
        """Send WELCOME, or refuse with the ZAP status code as ERROR reason.

        Returns:
            The step that waited on the verdict (empty if none is pending).
        """
        if self._state != "zap" or self.verdict is None:
            return MechanismStep()
        if not self.verdict.accepted:
            self._state = "done"
            return MechanismStep(error=self.verdict.status_code)
        self._state = "initiate"
        return MechanismStep(commands=(encode_command(WELCOME),))


class NullZapMechanism(Mechanism):
    """NULL with a ZAP check (libzmq's ``null_mechanism`` when ``ZAP_DOMAIN`` is set).

    Our READY is held back until the ZAP verdict arrives; a denial sends ERROR
    with the status code instead. The peer's READY may arrive before or after.
    """

    name = b"NULL"

    def __init__(self) -> None:
        self.as_server = False
        self._metadata: Mapping[str, bytes] = {}
        self._peer_ready = False
        self._ready_sent = False

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Ask ZAP (no credentials) before sending READY.

        Args:
            metadata: Our properties, sent in READY once accepted.
            peer_as_server: Ignored.

        Returns:
            An empty step.
        """
        self._metadata = metadata
        self.zap_request = ()
        return MechanismStep()

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Accept the peer's READY; complete if ours went out already.

        Args:
            name: Must be ``b"READY"``.
            data: The metadata properties.

        Returns:
            The peer metadata, and completion if the verdict was positive.

        Raises:
            ProtocolError: Any other command, a repeated READY or bad metadata.
        """
        if name != READY or self._peer_ready:
            raise ProtocolError(f"unexpected {name!r} command during the NULL handshake")
        self._peer_ready = True
        return MechanismStep(metadata=parse_metadata(data), complete=self._ready_sent)

    def resume(self) -> MechanismStep:
        """Send READY (completing if the peer's arrived), or ERROR on denial.

        Returns:
            The step that waited on the verdict.
        """
        if self.verdict is None or self._ready_sent:
            return MechanismStep()
        if not self.verdict.accepted:
            return MechanismStep(error=self.verdict.status_code)
        self._ready_sent = True
        return MechanismStep(
            commands=(encode_ready(self._metadata.items()),), complete=self._peer_ready
        )
