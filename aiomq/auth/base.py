"""The Authenticator: pyzmq's ``zmq.auth.Authenticator``, run in-process.

Layer 7.
"""

from __future__ import annotations

import codecs
import inspect
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Protocol

from .. import z85
from .._zap import ZapReply, ZapRequest
from ..context import Context
from ..errors import ContextTerminated
from .certs import load_certificates

__all__ = ["CURVE_ALLOW_ANY", "AuthHandler", "Authenticator", "CredentialsProvider"]

CURVE_ALLOW_ANY = "*"
"""`configure_curve(location=CURVE_ALLOW_ANY)` accepts every CURVE client key."""

AuthHandler = Callable[[ZapRequest], ZapReply | bool | Awaitable[ZapReply | bool]]
"""A custom decision (the `handler=` of an Authenticator): returns a
[ZapReply][aiomq.auth.ZapReply], or True (200) / False (400), directly or awaitably."""


class CredentialsProvider(Protocol):
    """An object whose `callback` decides on CURVE client keys.

    What [configure_curve_callback][aiomq.auth.Authenticator.configure_curve_callback]
    takes, as in pyzmq.
    """

    def callback(self, domain: str, key: bytes) -> bool | Awaitable[bool]:
        """Whether the client with public `key` (Z85, 40 bytes) may connect.

        Args:
            domain: The server socket's `ZAP_DOMAIN` (`"*"` when it has none).
            key: The client's long-term public key in Z85.

        Returns:
            True to accept, False to refuse; or an awaitable of that (a coroutine
            method works).
        """
        ...


class Authenticator:
    """The ZAP handler of one Context, with the API of pyzmq's `zmq.auth.Authenticator`.

    pyzmq's binds a REP socket on `inproc://zeromq.zap.01` and answers the RFC 27
    frames in a task. aiomq's runs in-process instead: between
    [start][aiomq.auth.Authenticator.start] and [stop][aiomq.auth.Authenticator.stop]
    it is registered in its Context, holds that inproc name (so a socket cannot bind
    it meanwhile, and it cannot start while a socket holds it: `EADDRINUSE`, as a
    second bind in libzmq), and the server sockets' engines ask it directly. Nothing of
    it is visible on the wire, so aiomq servers authenticate libzmq clients unchanged.

    Decisions follow pyzmq's, in its order, and are logged at debug level on `log`:

    1. Addresses: if [allow][aiomq.auth.Authenticator.allow] listed addresses, only
       those pass; else addresses given to [deny][aiomq.auth.Authenticator.deny] are
       refused (status 400). An allowed address still needs PLAIN or CURVE
       credentials.
    2. A `handler=` callback, when given, decides every request the addresses let
       through.
    3. Otherwise NULL passes (User-Id `anonymous`); PLAIN needs a password set with
       [configure_plain][aiomq.auth.Authenticator.configure_plain]; CURVE needs
       [CURVE_ALLOW_ANY][aiomq.auth.CURVE_ALLOW_ANY], a credentials provider
       ([configure_curve_callback][aiomq.auth.Authenticator.configure_curve_callback])
       or a known key ([configure_curve][aiomq.auth.Authenticator.configure_curve]),
       checked in that order. An empty `ZAP_DOMAIN` is looked up as `"*"`.

    Accepted peers get status 200 and a User-Id: the PLAIN user name, the CURVE key
    as [curve_user_id][aiomq.auth.Authenticator.curve_user_id] maps it, or
    `anonymous`. Refused ones get status 400 with pyzmq's status texts.

    Args:
        context: The Context whose sockets this authenticates (None: the shared
            [Context.instance][aiomq.Context.instance]).
        encoding: How the domain, address and PLAIN credentials are decoded, and the
            User-Id encoded.
        log: Where decisions are logged (None: the `aiomq.auth` logger).
        handler: An aiomq extra: a callback deciding every request the address
            checks let through, instead of the built-in password and key checks.

    Raises:
        LookupError: `encoding` is not a known codec.
    """

    def __init__(
        self,
        context: Context | None = None,
        encoding: str = "utf-8",
        log: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
        *,
        handler: AuthHandler | None = None,
    ) -> None:
        codecs.lookup(encoding)
        self.context = context if context is not None else Context.instance()
        self.encoding = encoding
        self.log = log if log is not None else logging.getLogger("aiomq.auth")
        self.allow_any = False
        """True after `configure_curve(location=CURVE_ALLOW_ANY)`, for every domain (as pyzmq)."""
        self.credentials_providers: dict[str, CredentialsProvider] = {}
        """CURVE credentials providers by domain."""
        self.passwords: dict[str, Mapping[str, str]] = {}
        """PLAIN `{username: password}` tables by domain (kept as given: changes to a
        table take effect at once, as in pyzmq)."""
        self.certs: dict[str, dict[bytes, bool]] = {}
        """Accepted CURVE client keys (Z85 bytes) by domain."""
        self._allowed: set[str] = set()
        self._denied: set[str] = set()
        self._handler = handler
        self._running = False

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start answering the ZAP requests of the Context's sockets (no-op if running).

        Raises:
            ZMQError: `EADDRINUSE` when another Authenticator runs in the Context or
                a socket of it is bound on `inproc://zeromq.zap.01`.
            ContextTerminated: The Context was terminated.
        """
        if self._running:
            return
        if self.context.closed:
            raise ContextTerminated()
        self.context._zap.register(self.authenticate)
        self._running = True
        self.log.debug("Starting")

    def stop(self) -> None:
        """Stop answering; PLAIN connections are refused again from now on."""
        if self._running:
            self.context._zap.unregister(self.authenticate)
            self._running = False
            self.log.debug("Stopped")

    def is_alive(self) -> bool:
        """True between [start][aiomq.auth.Authenticator.start] and
        [stop][aiomq.auth.Authenticator.stop]."""
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
        """Allow only these IP addresses (and others given to `allow`).

        Allowed NULL peers pass; PLAIN and CURVE peers must still authenticate.

        Args:
            addresses: IP addresses as the peer's address reads (`"127.0.0.1"`).

        Raises:
            ValueError: [deny][aiomq.auth.Authenticator.deny] was used (one or the
                other, as pyzmq).
        """
        if self._denied:
            raise ValueError("Only use allow or deny, not both: deny() was already used")
        self.log.debug("Allowing %s", ",".join(addresses))
        self._allowed.update(addresses)

    def deny(self, *addresses: str) -> None:
        """Refuse these IP addresses; others go on to authenticate.

        Args:
            addresses: IP addresses.

        Raises:
            ValueError: [allow][aiomq.auth.Authenticator.allow] was used (one or the
                other, as pyzmq).
        """
        if self._allowed:
            raise ValueError("Only use allow or deny, not both: allow() was already used")
        self.log.debug("Denying %s", ",".join(addresses))
        self._denied.update(addresses)

    def configure_plain(
        self, domain: str = "*", passwords: Mapping[str, str] | None = None
    ) -> None:
        """Set the PLAIN passwords of a ZAP domain.

        Args:
            domain: The `ZAP_DOMAIN`; `"*"` serves sockets without one.
            passwords: `{username: password}`, kept as given (changes to it take
                effect at once); None forgets the domain (pyzmq ignores None).
        """
        if passwords is None:
            self.passwords.pop(domain, None)
        else:
            self.passwords[domain] = passwords
        self.log.debug("Configure plain: %s", domain)

    def configure_curve(
        self,
        domain: str = "*",
        location: str | os.PathLike[str] = ".",
        *,
        keys: Iterable[bytes | str] | None = None,
    ) -> None:
        """Set the accepted CURVE client keys of a ZAP domain.

        As in pyzmq, [CURVE_ALLOW_ANY][aiomq.auth.CURVE_ALLOW_ANY] accepts every key
        in every domain (until the next `configure_curve` or
        `configure_curve_callback`), and configuring a directory ends that.

        Args:
            domain: The `ZAP_DOMAIN`; `"*"` serves sockets without one.
            location: `CURVE_ALLOW_ANY`, or a directory of public certificate files
                (`*.key`, see [create_certificates][aiomq.auth.create_certificates]),
                read now: call again after adding or removing files.
            keys: An aiomq extra: Z85 public keys (40 characters) to accept, instead
                of a directory.

        Raises:
            OSError: `location` is not a directory, or a file cannot be read (pyzmq
                logs the error and goes on).
            ValueError: A certificate holds no public key, a key is not 40
                characters, or both `keys` and a `location` are given.
        """
        self.log.debug("Configure curve: %s[%s]", domain, location)
        if keys is not None:
            if location != ".":
                raise ValueError("configure_curve takes a location or keys, not both")
            accepted: dict[bytes, bool] = {}
            for key in keys:
                raw = key.encode("ascii") if isinstance(key, str) else bytes(key)
                if len(raw) != 40:
                    raise ValueError(f"a CURVE key in Z85 has 40 characters, not {len(raw)}")
                accepted[raw] = True
            self.allow_any = False
            self.certs[domain] = accepted
        elif location == CURVE_ALLOW_ANY:
            self.allow_any = True
        else:
            self.allow_any = False
            self.certs[domain] = load_certificates(location)

    def configure_curve_callback(
        self, domain: str = "*", credentials_provider: CredentialsProvider | None = None
    ) -> None:
        """Let `credentials_provider.callback(domain, key)` decide on CURVE clients.

        While any provider is configured, providers decide for every domain and keys
        set with [configure_curve][aiomq.auth.Authenticator.configure_curve] are not
        consulted (a domain without a provider is refused), as in pyzmq. The callback
        may be a coroutine function.

        Args:
            domain: The `ZAP_DOMAIN`; `"*"` serves sockets without one.
            credentials_provider: An object with a `callback(domain, key)` method;
                `key` is the client's public key in Z85 (bytes).

        Raises:
            TypeError: `credentials_provider` has no callable `callback` (pyzmq logs
                an error for None).
        """
        if not callable(getattr(credentials_provider, "callback", None)):
            raise TypeError(
                "credentials_provider must have a callback(domain, key) method, "
                f"not {credentials_provider!r}"
            )
        assert credentials_provider is not None
        self.allow_any = False
        self.credentials_providers[domain] = credentials_provider

    def configure_gssapi(self, domain: str = "*", location: str | None = None) -> None:
        """Not supported: aiomq has no GSSAPI mechanism.

        Raises:
            NotImplementedError: Always (pyzmq's does nothing; GSSAPI needs libzmq
                built with it).
        """
        raise NotImplementedError(
            "aiomq has no GSSAPI mechanism, so there is no GSSAPI authentication to configure"
        )

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The User-Id of an accepted CURVE client; override to map keys to users.

        Args:
            client_public_key: The client's long-term public key (32 bytes).

        Returns:
            The key in Z85, by default (as pyzmq).
        """
        return z85.encode(client_public_key).decode("ascii")

    # -- decisions ---------------------------------------------------------------------

    async def authenticate(self, request: ZapRequest) -> ZapReply:
        """Decide one request (what the Context's server sockets ask).

        Exceptions of a `handler=` or credentials-provider callback are logged and
        answered with status 500.

        Args:
            request: The RFC 27 request.

        Returns:
            The verdict.
        """
        log = self.log
        domain = self._text(request.domain)
        address = self._text(request.address)
        mechanism = request.mechanism
        log.debug(
            "request_id: %r, domain: %r, address: %r, identity: %r, mechanism: %r",
            request.request_id,
            domain,
            address,
            request.identity,
            mechanism,
        )
        allowed = False
        if self._allowed:
            if address not in self._allowed:
                log.debug("DENIED (not allowed) address=%s", address)
                return self._reply("400", "Address not allowed")
            allowed = True
            log.debug("PASSED (allowed) address=%s", address)
        elif self._denied:
            if address in self._denied:
                log.debug("DENIED (denied) address=%s", address)
                return self._reply("400", "Address denied")
            allowed = True
            log.debug("PASSED (not denied) address=%s", address)
        try:
            if self._handler is not None:
                return await self._ask_handler(self._handler, request)
            reason = "NO ACCESS"
            user_id = "anonymous"
            credentials = request.credentials
            if mechanism == "NULL":
                if not allowed:
                    log.debug("ALLOWED (NULL)")
                allowed = True
            elif mechanism == "PLAIN":
                if len(credentials) != 2:
                    log.error("Invalid PLAIN credentials: %r", credentials)
                    return self._reply("400", "Invalid credentials")
                user_id, password = (c.decode(self.encoding, "replace") for c in credentials)
                allowed, reason = self._authenticate_plain(domain, user_id, password)
            elif mechanism == "CURVE":
                if len(credentials) != 1:
                    log.error("Invalid CURVE credentials: %r", credentials)
                    return self._reply("400", "Invalid credentials")
                allowed, reason = await self._authenticate_curve(domain, credentials[0])
                if allowed:
                    user_id = self.curve_user_id(credentials[0])
        except Exception:
            log.exception("ZAP decision failed for %s from %r", mechanism, address)
            return self._reply("500", "Internal error")
        if allowed:
            return self._reply("200", "OK", user_id)
        return self._reply("400", reason)

    async def _ask_handler(self, handler: AuthHandler, request: ZapRequest) -> ZapReply:
        result = handler(request)
        verdict = await result if inspect.isawaitable(result) else result
        if isinstance(verdict, ZapReply):
            self.log.debug("ZAP reply code=%s text=%s", verdict.status_code, verdict.status_text)
            return verdict
        return self._reply("200", "OK") if verdict else self._reply("400", "Denied")

    def _authenticate_plain(self, domain: str, username: str, password: str) -> tuple[bool, str]:
        if not self.passwords:
            self.log.debug("DENIED (PLAIN) No passwords defined")
            return False, "No passwords defined"
        domain = domain or "*"
        passwords = self.passwords.get(domain)
        if passwords is None:
            reason = "Invalid domain"
        elif username not in passwords:
            reason = "Invalid username"
        elif passwords[username] != password:
            reason = "Invalid password"
        else:
            self.log.debug("ALLOWED (PLAIN) domain=%s username=%s", domain, username)
            return True, "OK"
        self.log.debug("DENIED %s", reason)
        return False, reason

    async def _authenticate_curve(self, domain: str, client_key: bytes) -> tuple[bool, str]:
        if self.allow_any:
            self.log.debug("ALLOWED (CURVE allow any client)")
            return True, "OK"
        domain = domain or "*"
        key = z85.encode(client_key)
        if self.credentials_providers:
            provider = self.credentials_providers.get(domain)
            if provider is None:
                return False, "Unknown domain"
            result = provider.callback(domain, key)
            allowed = bool(await result if inspect.isawaitable(result) else result)
            how = "CURVE auth_callback"
        else:
            accepted = self.certs.get(domain)
            if accepted is None:
                return False, "Unknown domain"
            allowed = bool(accepted.get(key))
            how = "CURVE"
        status = "ALLOWED" if allowed else "DENIED"
        self.log.debug("%s (%s) domain=%s client_key=%s", status, how, domain, key)
        return allowed, "OK" if allowed else "Unknown key"

    def _text(self, value: str) -> str:
        """A request's text field (decoded as UTF-8 by the engine) in `encoding`."""
        return value.encode("utf-8", "surrogateescape").decode(self.encoding, "replace")

    def _reply(self, status_code: str, status_text: str, user_id: str = "") -> ZapReply:
        self.log.debug("ZAP reply code=%s text=%s", status_code, status_text)
        # The engine sends the User-Id as UTF-8 with surrogate escapes: carry the bytes
        # of `encoding` through it unchanged.
        raw = user_id.encode(self.encoding, "replace")
        return ZapReply(status_code, status_text, raw.decode("utf-8", "surrogateescape"))
