"""ZAP authentication (RFC 27) with pyzmq's ``zmq.auth`` vocabulary.

An :class:`Authenticator` answers the authentication requests of every socket of
one :class:`~aiomq.Context` — like libzmq's handler on ``inproc://zeromq.zap.01``,
but as an in-process async callback: no ZAP frames are exchanged, and nothing of
it is visible on the wire, so aiomq servers interoperate with libzmq clients
unchanged. Example::

    async with aiomq.auth.Authenticator(ctx) as auth:
        auth.allow("127.0.0.1")
        auth.configure_plain(passwords={"admin": "secret"})
        server = ctx.socket(aiomq.REP)
        server.plain_server = True
        server.bind("tcp://127.0.0.1:*")

Behaviour follows libzmq 4.3 and pyzmq:

* With no Authenticator running, PLAIN servers refuse every client; NULL and
  CURVE connections pass unauthenticated.
* NULL connections are checked only when the socket has a ``ZAP_DOMAIN``
  (or ``ZAP_ENFORCE_DOMAIN``); PLAIN and CURVE servers always ask.
* Any status other than ``200`` refuses the peer: it gets an ERROR command with
  the status code as reason, the server socket a ``HANDSHAKE_FAILED_AUTH``
  monitor event.
* Accepted peers' messages carry ``User-Id`` (the PLAIN username, the CURVE
  public key in Z85), readable with :meth:`aiomq.Socket.recv_message`.

Layer 7.
"""

from __future__ import annotations

import datetime
import inspect
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from ._zap import ZapReply, ZapRequest
from .context import Context
from .errors import EADDRINUSE, ZMQError

__all__ = [
    "CURVE_ALLOW_ANY",
    "Authenticator",
    "ZapReply",
    "ZapRequest",
    "create_certificates",
    "load_certificate",
    "load_certificates",
]

CURVE_ALLOW_ANY = "*"
"""``configure_curve(location=CURVE_ALLOW_ANY)`` accepts every CURVE client key."""

AuthHandler = Callable[[ZapRequest], Awaitable[ZapReply | bool]]
"""A custom decision: returns a :class:`ZapReply`, or True (200) / False (400)."""


class Authenticator:
    """The ZAP handler of one Context (pyzmq's ``zmq.auth.Authenticator``).

    Address checks come first: when :meth:`allow` listed addresses, only those
    pass; otherwise addresses given to :meth:`deny` are refused. Then, unless a
    custom ``handler`` decides, NULL peers pass, PLAIN peers need a password
    from :meth:`configure_plain` and CURVE peers a key from
    :meth:`configure_curve`.

    Args:
        context: The Context whose sockets this authenticates (None: the shared
            :meth:`Context.instance`).
        handler: Optional async callback deciding every request the address
            checks let through, instead of the built-in password and key checks.
    """

    def __init__(self, context: Context | None = None, *, handler: AuthHandler | None = None):
        self.context = context if context is not None else Context.instance()
        self._handler = handler
        self.allow_addresses: set[str] = set()
        self.deny_addresses: set[str] = set()
        self.passwords: dict[str, dict[str, str]] = {}
        self.certs: dict[str, dict[bytes, bool]] = {}
        self.allow_any_curve: set[str] = set()
        self._running = False

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        """Register as the Context's ZAP handler.

        Raises:
            ZMQError: ``EADDRINUSE`` when another handler is registered (as binding
                ``inproc://zeromq.zap.01`` twice).
        """
        registry = self.context._zap
        if registry.handler is not None and registry.handler != self._handle:
            raise ZMQError(EADDRINUSE, "a ZAP handler is already registered in this context")
        registry.handler = self._handle
        self._running = True

    def stop(self) -> None:
        """Unregister; PLAIN connections are refused again from now on."""
        registry = self.context._zap
        if registry.handler == self._handle:
            registry.handler = None
        self._running = False

    def is_alive(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._running

    async def __aenter__(self) -> Authenticator:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- configuration -----------------------------------------------------------------

    def allow(self, *addresses: str) -> None:
        """Allow only these IP addresses (and others given to ``allow``).

        Args:
            addresses: IP addresses as the peer's address reads (``"127.0.0.1"``).
        """
        self.allow_addresses.update(addresses)

    def deny(self, *addresses: str) -> None:
        """Refuse these IP addresses (ignored while an allow list exists, as pyzmq).

        Args:
            addresses: IP addresses.
        """
        self.deny_addresses.update(addresses)

    def configure_plain(
        self, domain: str = "*", passwords: Mapping[str, str] | None = None
    ) -> None:
        """Set the PLAIN passwords of a ZAP domain.

        Args:
            domain: The ``ZAP_DOMAIN``; ``"*"`` serves sockets without one.
            passwords: ``{username: password}``; None removes the domain.
        """
        if passwords is None:
            self.passwords.pop(domain, None)
        else:
            self.passwords[domain] = dict(passwords)

    def configure_curve(
        self,
        domain: str = "*",
        location: str | os.PathLike[str] = "",
        *,
        keys: Iterable[bytes | str] | None = None,
    ) -> None:
        """Set the accepted CURVE client keys of a ZAP domain.

        Args:
            domain: The ``ZAP_DOMAIN``; ``"*"`` serves sockets without one.
            location: :data:`CURVE_ALLOW_ANY` to accept every key, or a directory
                of public certificate files (:func:`create_certificates`).
            keys: Z85 public keys (40 characters) to accept, instead of a
                directory.
        """
        self.allow_any_curve.discard(domain)
        self.certs.pop(domain, None)
        if location == CURVE_ALLOW_ANY:
            self.allow_any_curve.add(domain)
            return
        accepted: dict[bytes, bool] = {}
        if location:
            accepted.update(load_certificates(location))
        for key in keys or ():
            accepted[key.encode("ascii") if isinstance(key, str) else bytes(key)] = True
        self.certs[domain] = accepted

    # -- decisions ---------------------------------------------------------------------

    async def _handle(self, request: ZapRequest) -> ZapReply:
        address = request.address
        if self.allow_addresses:
            if address not in self.allow_addresses:
                return ZapReply("400", "Address not allowed")
        elif address in self.deny_addresses:
            return ZapReply("400", "Address denied")
        if self._handler is not None:
            result = self._handler(request)
            verdict = await result if inspect.isawaitable(result) else result
            if isinstance(verdict, ZapReply):
                return verdict
            return ZapReply() if verdict else ZapReply("400", "Denied")
        if request.mechanism == "PLAIN":
            return self._plain(request)
        if request.mechanism == "CURVE":
            return self._curve(request)
        return ZapReply()

    def _plain(self, request: ZapRequest) -> ZapReply:
        if not self.passwords:
            return ZapReply("400", "No passwords defined")
        domain = request.domain or "*"
        passwords = self.passwords.get(domain)
        if passwords is None:
            return ZapReply("400", "Invalid domain")
        username, password = (c.decode("utf-8", "replace") for c in request.credentials[:2])
        if passwords.get(username) != password:
            return ZapReply("400", "Invalid username or password")
        return ZapReply(user_id=username)

    def _curve(self, request: ZapRequest) -> ZapReply:
        from . import z85  # the CURVE extra's helpers, imported only when CURVE is used

        domain = request.domain or "*"
        public = z85.encode(request.credentials[0]) if request.credentials else b""
        if domain in self.allow_any_curve:
            return ZapReply(user_id=public.decode("ascii"))
        keys = self.certs.get(domain)
        if keys is None:
            return ZapReply("400", "Unknown domain")
        if request.credentials and any(
            z85.decode(key) == request.credentials[0] for key in keys
        ):
            return ZapReply(user_id=public.decode("ascii"))
        return ZapReply("400", "Unknown key")


# -- certificate files (czmq / pyzmq format) ---------------------------------------------

_BANNER = """#   ****  Generated on {0} by aiomq  ****
#   ZeroMQ CURVE {1} Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange. Store public certificates in your home
#   directory, in the .curve subdirectory.

"""


def _write_certificate(
    path: Path, public: bytes, secret: bytes | None, metadata: Mapping[str, str] | None
) -> None:
    now = datetime.datetime.now(datetime.UTC).isoformat(" ", "seconds")
    lines = [_BANNER.format(now, "Public" if secret is None else "**Secret**"), "metadata\n"]
    for name, value in (metadata or {}).items():
        lines.append(f'    {name} = "{value}"\n')
    lines.append("curve\n")
    lines.append(f'    public-key = "{public.decode("ascii")}"\n')
    if secret is not None:
        lines.append(f'    secret-key = "{secret.decode("ascii")}"\n')
    path.write_text("".join(lines))


def create_certificates(
    key_dir: str | os.PathLike[str], name: str, metadata: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """Create ``name.key`` (public) and ``name.key_secret`` (both keys) in ``key_dir``.

    Needs PyNaCl (``pip install 'aiomq[curve]'``).

    Args:
        key_dir: An existing directory.
        name: The file name stem.
        metadata: Optional ``metadata`` section entries.

    Returns:
        ``(public_file, secret_file)`` paths.
    """
    from ._curve import curve_keypair

    public, secret = curve_keypair()
    base = Path(key_dir)
    public_file = base / f"{name}.key"
    secret_file = base / f"{name}.key_secret"
    _write_certificate(public_file, public, None, metadata)
    _write_certificate(secret_file, public, secret, metadata)
    return str(public_file), str(secret_file)


def load_certificate(path: str | os.PathLike[str]) -> tuple[bytes, bytes | None]:
    """Read a certificate file.

    Args:
        path: A public or secret certificate file.

    Returns:
        ``(public_key, secret_key)`` as Z85 bytes; ``secret_key`` is None for a
        public certificate.

    Raises:
        ValueError: The file holds no public key.
    """
    public: bytes | None = None
    secret: bytes | None = None
    for line in Path(path).read_text().splitlines():
        key, _, value = line.strip().partition("=")
        value = value.strip().strip('"')
        if key.strip() == "public-key":
            public = value.encode("ascii")
        elif key.strip() == "secret-key":
            secret = value.encode("ascii")
    if public is None:
        raise ValueError(f"no public key in {path}")
    return public, secret


def load_certificates(directory: str | os.PathLike[str]) -> dict[bytes, bool]:
    """Read every ``*.key`` public certificate in a directory.

    Args:
        directory: The directory.

    Returns:
        ``{z85_public_key: True}``, as pyzmq.
    """
    return {load_certificate(path)[0]: True for path in sorted(Path(directory).glob("*.key"))}
