"""The CURVE security mechanism (RFC 25 ZMTP-CURVE, RFC 26 CurveZMQ).

CURVE authenticates the server to the client by its long-term public key, lets
the server authenticate the client's long-term key (through ZAP), and encrypts
every frame after the handshake with per-connection transient keys (perfect
forward secrecy). The primitives are X25519 + XSalsa20-Poly1305 ``crypto_box``
from libsodium, through PyNaCl, imported lazily: install the ``curve`` extra.

Command layouts (sizes are of the command *data*, after the name)::

    C:HELLO     version(2)=01 00, padding(72)=0, C'(32), nonce(8), box(80)   -> 194
    S:WELCOME   long nonce(16), box(144)[S'(32) cookie(96)]                  -> 160
    C:INITIATE  cookie(96), nonce(8), box(>=144)[C(32) vouch-nonce(16) vouch(80) metadata]
    S:READY     nonce(8), box(16 + metadata)
    MESSAGE     nonce(8), box(16 + 1 + payload)[flags(1) payload]

MESSAGE commands travel in data frames (flags 0; MORE/COMMAND are inside the
box), as libzmq sends them; ``Connection`` handles that.
Short nonces are 64-bit big-endian counters (ours start at 1 and increase by
one per box); every box the peer sends must carry a strictly larger short
nonce than the previous *authenticated* one, otherwise the connection fails.
The server keeps no per-client state between WELCOME and INITIATE other than
its cookie key: ``C'`` and ``s'`` come back inside the cookie (RFC 26
§The Cookie). Any failure (bad size, failed box, bad vouch, replayed nonce)
raises ``ProtocolError``; PyNaCl exceptions never escape.

Deliberate difference from libzmq: after the handshake any command other than
MESSAGE (e.g. a plaintext PING or SUBSCRIBE) is refused as a protocol error,
as libzmq also does.

Layer 2: imports the standard library, aiomq layer 0 and (lazily) PyNaCl.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType

from .commands import encode_command, encode_metadata, parse_metadata
from .errors import ProtocolError
from .frames import COMMAND, MORE
from .mechanism import Mechanism, MechanismStep

__all__ = [
    "KEY_SIZE",
    "CurveClient",
    "CurveServer",
    "derive_public_key",
    "generate_keypair",
    "load_nacl",
]

KEY_SIZE = 32
"""Octets in a raw CURVE public or secret key (Z85: 40 characters)."""

_HELLO = b"HELLO"
_WELCOME = b"WELCOME"
_INITIATE = b"INITIATE"
_READY = b"READY"
_MESSAGE = b"MESSAGE"

_HELLO_NONCE = b"CurveZMQHELLO---"
_WELCOME_NONCE = b"WELCOME-"
_COOKIE_NONCE = b"COOKIE--"
_INITIATE_NONCE = b"CurveZMQINITIATE"
_VOUCH_NONCE = b"VOUCH---"
_READY_NONCE = b"CurveZMQREADY---"
_MESSAGE_NONCE_CLIENT = b"CurveZMQMESSAGEC"
_MESSAGE_NONCE_SERVER = b"CurveZMQMESSAGES"

_VERSION = b"\x01\x00"
_MAC = 16  # Poly1305 tag, the size a box adds
_HELLO_DATA = 2 + 72 + 32 + 8 + 80  # 194: HELLO is 200 octets with its name
_WELCOME_DATA = 16 + 144  # 160: WELCOME is 168 octets with its name
_COOKIE = 16 + 80  # cookie nonce + secretbox(C' s')
_INITIATE_MIN = _COOKIE + 8 + 144  # 248
_VOUCH = 16 + 80  # vouch nonce + box(C' S)
_READY_MIN = 8 + _MAC
_MESSAGE_MIN = 8 + _MAC + 1
_BOX_MORE = 0x01  # flags inside a MESSAGE box (RFC 26 §The MESSAGE Command)
_BOX_COMMAND = 0x02
_NONCE_LIMIT = (1 << 64) - 1

_nacl_bindings: ModuleType | None = None


def load_nacl() -> ModuleType:
    """Import ``nacl.bindings`` on first use.

    Returns:
        The module.

    Raises:
        ImportError: PyNaCl is not installed (install the ``curve`` extra).
    """
    global _nacl_bindings
    if _nacl_bindings is None:
        try:
            import nacl.bindings
        except ImportError as exc:
            raise ImportError("CURVE security needs PyNaCl: pip install 'aiomq[curve]'") from exc
        _nacl_bindings = nacl.bindings
    return _nacl_bindings


def generate_keypair() -> tuple[bytes, bytes]:
    """Generate a raw X25519 key pair.

    Returns:
        ``(public, secret)``, 32 octets each.

    Raises:
        ImportError: PyNaCl is not installed.
    """
    public, secret = load_nacl().crypto_box_keypair()
    return bytes(public), bytes(secret)


def derive_public_key(secret: bytes) -> bytes:
    """The raw public key of a raw secret key.

    Args:
        secret: 32 octets.

    Returns:
        32 octets.

    Raises:
        ImportError: PyNaCl is not installed.
        ValueError: ``secret`` is not 32 octets.
    """
    _check_key(secret, "secret key")
    return bytes(load_nacl().crypto_scalarmult_base(bytes(secret)))


def _check_key(key: bytes, what: str) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"a CURVE {what} is {KEY_SIZE} octets, not {len(key)}")


def _short(nonce: int) -> bytes:
    return nonce.to_bytes(8, "big")


class _CurveBase(Mechanism):
    """What client and server share: nonces and the MESSAGE box."""

    name = b"CURVE"
    wraps_frames = True

    def __init__(self) -> None:
        self._nacl = load_nacl()
        self._nonce = 1  # our next short nonce
        self._peer_nonce = 0  # the last authenticated short nonce of the peer
        self._key = b""  # the precomputed transient box key, after the handshake
        self._metadata: Mapping[str, bytes] = {}
        self._send_prefix = b""
        self._recv_prefix = b""

    def _next_nonce(self) -> bytes:
        nonce = self._nonce
        if nonce >= _NONCE_LIMIT:
            raise ProtocolError("CURVE short nonce exhausted")
        self._nonce = nonce + 1
        return _short(nonce)

    def _peer_short_nonce(self, raw: bytes) -> int:
        nonce = int.from_bytes(raw, "big")
        if nonce <= self._peer_nonce:
            raise ProtocolError("CURVE short nonce replayed or out of order")
        return nonce

    def _box(self, plain: bytes, nonce: bytes, key: bytes) -> bytes:
        return bytes(self._nacl.crypto_box_easy_afternm(plain, nonce, key))

    def _open(self, box: bytes, nonce: bytes, key: bytes, what: str) -> bytes:
        try:
            return bytes(self._nacl.crypto_box_open_easy_afternm(box, nonce, key))
        except Exception:  # PyNaCl's CryptoError / ValueError / TypeError
            raise ProtocolError(f"CURVE {what} box failed to authenticate") from None

    def _open_with(
        self, box: bytes, nonce: bytes, public: bytes, secret: bytes, what: str
    ) -> bytes:
        try:
            key = self._nacl.crypto_box_beforenm(public, secret)
        except Exception:
            raise ProtocolError(f"CURVE {what}: invalid key") from None
        return self._open(box, nonce, bytes(key), what)

    def _beforenm(self, public: bytes, secret: bytes) -> bytes:
        try:
            return bytes(self._nacl.crypto_box_beforenm(public, secret))
        except Exception:
            raise ProtocolError("CURVE: invalid transient key") from None

    def _begin_traffic(self, key: bytes) -> None:
        self._key = key
        if self.as_server:
            self._send_prefix, self._recv_prefix = _MESSAGE_NONCE_SERVER, _MESSAGE_NONCE_CLIENT
        else:
            self._send_prefix, self._recv_prefix = _MESSAGE_NONCE_CLIENT, _MESSAGE_NONCE_SERVER

    def wrap_frame(self, flags: int, payload: bytes) -> bytes:
        """Box one frame into a MESSAGE command (RFC 26 §The MESSAGE Command).

        Args:
            flags: ``MORE`` and/or ``COMMAND`` (ZMTP frame flags).
            payload: The frame body.

        Returns:
            The MESSAGE command body.
        """
        inner = (_BOX_MORE if flags & MORE else 0) | (_BOX_COMMAND if flags & COMMAND else 0)
        nonce = self._next_nonce()
        box = self._box(bytes((inner,)) + payload, self._send_prefix + nonce, self._key)
        return b"\x07MESSAGE" + nonce + box

    def unwrap_command(self, name: bytes, data: bytes) -> tuple[int, bytes] | None:
        """Open one MESSAGE command; refuse anything else.

        The peer's short nonce advances only once the box authenticated, so a
        forged MESSAGE cannot shift it.

        Args:
            name: Must be ``b"MESSAGE"``.
            data: Short nonce and box.

        Returns:
            ``(flags, payload)`` with ZMTP ``MORE``/``COMMAND`` flags.

        Raises:
            ProtocolError: Another command, a short or forged box, a replayed
                or reordered nonce, or undefined flag bits.
        """
        if name != _MESSAGE:
            raise ProtocolError(f"unencrypted {name!r} command after the CURVE handshake")
        if len(data) < _MESSAGE_MIN:
            raise ProtocolError("CURVE MESSAGE too short")
        nonce = self._peer_short_nonce(data[:8])
        plain = self._open(data[8:], self._recv_prefix + data[:8], self._key, "MESSAGE")
        self._peer_nonce = nonce
        inner = plain[0]
        if inner & ~(_BOX_MORE | _BOX_COMMAND):
            raise ProtocolError("CURVE MESSAGE with undefined flags")
        flags = (MORE if inner & _BOX_MORE else 0) | (COMMAND if inner & _BOX_COMMAND else 0)
        return flags, plain[1:]


class CurveClient(_CurveBase):
    """The CURVE client: knows the server's long-term public key.

    Args:
        public_key: Our long-term public key (32 raw octets).
        secret_key: Our long-term secret key (32 raw octets).
        server_key: The server's long-term public key (32 raw octets).

    Raises:
        ImportError: PyNaCl is not installed.
        ValueError: A key is not 32 octets.
    """

    def __init__(self, *, public_key: bytes, secret_key: bytes, server_key: bytes) -> None:
        _check_key(public_key, "public key")
        _check_key(secret_key, "secret key")
        _check_key(server_key, "server key")
        super().__init__()
        self.as_server = False
        self._public = bytes(public_key)
        self._secret = bytes(secret_key)
        self._server = bytes(server_key)
        pub, sec = self._nacl.crypto_box_keypair()
        self._tpublic = bytes(pub)  # C'
        self._tsecret = bytes(sec)  # c'
        self._state = _HELLO

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Send HELLO (200 octets).

        Args:
            metadata: Our properties, sent in INITIATE.
            peer_as_server: Ignored, as libzmq does.

        Returns:
            The HELLO command.
        """
        self._metadata = metadata
        nonce = self._next_nonce()
        key = self._beforenm(self._server, self._tsecret)
        box = self._box(b"\x00" * 64, _HELLO_NONCE + nonce, key)
        data = _VERSION + b"\x00" * 72 + self._tpublic + nonce + box
        self._state = _WELCOME
        return MechanismStep(commands=(encode_command(_HELLO, data),))

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Consume WELCOME (answer INITIATE) or READY (complete).

        Args:
            name: The command name.
            data: The command data.

        Returns:
            INITIATE, or the server's metadata and completion.

        Raises:
            ProtocolError: Unexpected command, bad size, failed box, bad nonce.
        """
        if name != self._state:
            raise ProtocolError(f"unexpected {name!r} command during the CURVE handshake")
        if name == _WELCOME:
            return self._on_welcome(data)
        return self._on_ready(data)

    def _on_welcome(self, data: bytes) -> MechanismStep:
        if len(data) != _WELCOME_DATA:
            raise ProtocolError(f"CURVE WELCOME of {len(data)} octets, not {_WELCOME_DATA}")
        plain = self._open_with(
            data[16:], _WELCOME_NONCE + data[:16], self._server, self._tsecret, "WELCOME"
        )
        server_transient, cookie = plain[:32], plain[32:]
        key = self._beforenm(server_transient, self._tsecret)
        vouch_nonce = os.urandom(16)
        try:
            vouch_key = self._nacl.crypto_box_beforenm(server_transient, self._secret)
        except Exception:
            raise ProtocolError("CURVE WELCOME: invalid server transient key") from None
        vouch = self._box(self._tpublic + self._server, _VOUCH_NONCE + vouch_nonce, vouch_key)
        inner = self._public + vouch_nonce + vouch + encode_metadata(self._metadata.items())
        nonce = self._next_nonce()
        box = self._box(inner, _INITIATE_NONCE + nonce, key)
        self._key = key
        self._state = _READY
        return MechanismStep(commands=(encode_command(_INITIATE, cookie + nonce + box),))

    def _on_ready(self, data: bytes) -> MechanismStep:
        if len(data) < _READY_MIN:
            raise ProtocolError("CURVE READY too short")
        nonce = self._peer_short_nonce(data[:8])
        plain = self._open(data[8:], _READY_NONCE + data[:8], self._key, "READY")
        self._peer_nonce = nonce
        metadata = parse_metadata(plain)
        self._begin_traffic(self._key)
        self._state = b""
        return MechanismStep(metadata=metadata, complete=True)


class CurveServer(_CurveBase):
    """The CURVE server: proves it holds the secret key its clients know.

    With ``zap=True`` the handshake pauses after a valid INITIATE:
    ``zap_request`` holds the client's long-term public key (32 raw
    octets, the ZAP credential of RFC 27 for CURVE) until the engine calls
    ``zap_decided`` and resumes the connection. With ``zap=False`` every
    client that completes the handshake is accepted, as libzmq does when no
    ZAP handler runs.

    Args:
        secret_key: Our long-term secret key (32 raw octets).
        zap: Ask for a ZAP verdict before READY.

    Raises:
        ImportError: PyNaCl is not installed.
        ValueError: The key is not 32 octets.
    """

    def __init__(self, *, secret_key: bytes, zap: bool = False) -> None:
        _check_key(secret_key, "secret key")
        super().__init__()
        self.as_server = True
        self._secret = bytes(secret_key)
        self._public = bytes(self._nacl.crypto_scalarmult_base(self._secret))
        self._zap = zap
        self._cookie_key = b""
        self._state = _HELLO
        self._peer_metadata: dict[str, bytes] = {}
        self.client_key: bytes | None = None
        """The client's long-term public key once INITIATE was verified."""

    def start(self, metadata: Mapping[str, bytes], peer_as_server: bool) -> MechanismStep:
        """Wait for HELLO.

        Args:
            metadata: Our properties, sent in READY.
            peer_as_server: Ignored, as libzmq does.

        Returns:
            An empty step.
        """
        self._metadata = metadata
        return MechanismStep()

    def handle_command(self, name: bytes, data: bytes) -> MechanismStep:
        """Consume HELLO (answer WELCOME) or INITIATE (answer READY or ask ZAP).

        Args:
            name: The command name.
            data: The command data.

        Returns:
            WELCOME; READY with the client's metadata and completion; or an
            empty step while a ZAP verdict is pending.

        Raises:
            ProtocolError: Unexpected command, bad size, failed box or cookie,
                bad vouch, bad nonce.
        """
        if name != self._state:
            raise ProtocolError(f"unexpected {name!r} command during the CURVE handshake")
        if name == _HELLO:
            return self._on_hello(data)
        return self._on_initiate(data)

    def _on_hello(self, data: bytes) -> MechanismStep:
        if len(data) != _HELLO_DATA:
            raise ProtocolError(f"CURVE HELLO of {len(data)} octets, not {_HELLO_DATA}")
        if data[:2] != _VERSION:
            raise ProtocolError(f"unsupported CURVE version {data[0]}.{data[1]}")
        client_transient = data[74:106]
        nonce = self._peer_short_nonce(data[106:114])
        plain = self._open_with(
            data[114:], _HELLO_NONCE + data[106:114], client_transient, self._secret, "HELLO"
        )
        if plain != b"\x00" * 64:
            raise ProtocolError("CURVE HELLO box does not hold zeros")
        self._peer_nonce = nonce
        nacl = self._nacl
        pub, sec = nacl.crypto_box_keypair()  # S', s': forgotten after WELCOME
        self._cookie_key = os.urandom(32)
        cookie_nonce = os.urandom(16)
        cookie = cookie_nonce + bytes(
            nacl.crypto_secretbox_easy(
                client_transient + bytes(sec), _COOKIE_NONCE + cookie_nonce, self._cookie_key
            )
        )
        welcome_nonce = os.urandom(16)
        key = self._beforenm(client_transient, self._secret)
        box = self._box(bytes(pub) + cookie, _WELCOME_NONCE + welcome_nonce, key)
        self._state = _INITIATE
        return MechanismStep(commands=(encode_command(_WELCOME, welcome_nonce + box),))

    def _on_initiate(self, data: bytes) -> MechanismStep:
        if len(data) < _INITIATE_MIN:
            raise ProtocolError(f"CURVE INITIATE of {len(data)} octets is too short")
        cookie = data[:_COOKIE]
        try:
            opened = bytes(
                self._nacl.crypto_secretbox_open_easy(
                    cookie[16:], _COOKIE_NONCE + cookie[:16], self._cookie_key
                )
            )
        except Exception:
            raise ProtocolError("CURVE INITIATE cookie is invalid") from None
        client_transient, server_transient_secret = opened[:32], opened[32:]
        self._cookie_key = b""  # a cookie is good for one INITIATE only
        raw_nonce = data[_COOKIE : _COOKIE + 8]
        nonce = self._peer_short_nonce(raw_nonce)
        key = self._beforenm(client_transient, server_transient_secret)
        plain = self._open(data[_COOKIE + 8 :], _INITIATE_NONCE + raw_nonce, key, "INITIATE")
        self._peer_nonce = nonce
        client_key = plain[:32]
        vouch_nonce = plain[32:48]
        vouch = self._open_with(
            plain[48 : 32 + _VOUCH],
            _VOUCH_NONCE + vouch_nonce,
            client_key,
            server_transient_secret,
            "vouch",
        )
        if vouch != client_transient + self._public:
            raise ProtocolError("CURVE vouch does not match the connection")
        self._peer_metadata = parse_metadata(plain[32 + _VOUCH :])
        self.client_key = client_key
        self._key = key
        self._state = b""
        if self._zap:
            self.zap_request = (client_key,)
            return MechanismStep()
        return self._ready()

    def resume(self) -> MechanismStep:
        """Send READY after an accepting ZAP verdict, or refuse with ERROR.

        Returns:
            READY with completion, or an error step with the ZAP status code.
        """
        verdict = self.verdict
        if verdict is None or self.client_key is None or self.zap_request is not None:
            return MechanismStep()
        self.verdict = None
        if not verdict.accepted:
            return MechanismStep(error=verdict.status_code)
        return self._ready()

    def _ready(self) -> MechanismStep:
        nonce = self._next_nonce()
        box = self._box(encode_metadata(self._metadata.items()), _READY_NONCE + nonce, self._key)
        self._begin_traffic(self._key)
        return MechanismStep(
            commands=(encode_command(_READY, nonce + box),),
            metadata=self._peer_metadata,
            complete=True,
        )
