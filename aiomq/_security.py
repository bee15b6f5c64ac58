"""Which security mechanism a connection uses, chosen from the socket's options.

One place decides, so the engine stays mechanism-agnostic: it asks for a fresh
`aiomq.zmtp.Mechanism` per connection. PLAIN (RFC 24) and CURVE (RFC 26)
plug in here.

Layer 4.
"""

from __future__ import annotations

import os

from .options import MECHANISM_CURVE, MECHANISM_PLAIN, Options
from .zmtp import Mechanism, NullMechanism, NullZapMechanism, PlainClient, PlainServer
from .zmtp.curve import CurveClient, CurveServer

__all__ = ["mechanism_for"]


def mechanism_for(options: Options) -> Mechanism:
    """A new mechanism instance for one connection of a socket with ``options``.

    Args:
        options: The socket's options (``MECHANISM`` and the mechanism's options).

    Servers that consult ZAP (RFC 27) pause their handshake for a verdict, and the
    engine decides, when the request is due, whether a handler runs, as libzmq
    does: a PLAIN server always asks; a CURVE server always asks; NULL asks only
    when ``ZAP_DOMAIN`` is non-empty or ``ZAP_ENFORCE_DOMAIN`` is set, and then
    holds back its READY until the verdict. Without a handler, PLAIN refuses the
    peer while CURVE and NULL go on at once. A missing CURVE key is replaced by a
    random one, so the handshake fails instead of using a well-known key (libzmq
    uses zeros).
    """
    if options.mechanism == MECHANISM_CURVE:
        if options.curve_server:
            return CurveServer(secret_key=_key(options.curve_secretkey), zap=True)
        return CurveClient(
            public_key=_key(options.curve_publickey),
            secret_key=_key(options.curve_secretkey),
            server_key=_key(options.curve_serverkey),
        )
    if options.mechanism == MECHANISM_PLAIN:
        if options.plain_server:
            return PlainServer()
        return PlainClient(options.plain_username, options.plain_password)
    if options.zap_domain or options.zap_enforce_domain:
        return NullZapMechanism()
    return NullMechanism()


def _key(key: bytes) -> bytes:
    """A configured CURVE key, or a random one (that matches nothing) when unset."""
    return key if len(key) == 32 else os.urandom(32)
