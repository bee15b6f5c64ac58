"""`AsyncioAuthenticator`: the name of pyzmq's `zmq.auth.asyncio` authenticator.

Layer 7.
"""

from __future__ import annotations

import logging
import warnings

from ..context import Context
from .base import Authenticator, AuthHandler

__all__ = ["AsyncioAuthenticator"]


class AsyncioAuthenticator(Authenticator):
    """The [Authenticator][aiomq.auth.Authenticator] under pyzmq's asyncio name.

    Every aiomq Authenticator already works with asyncio: it is asked in-process by the
    server sockets' engines, on their event loop, so no task polls a ZAP socket.

    Args:
        context: The Context whose sockets this authenticates (None: the shared
            [Context.instance][aiomq.Context.instance]).
        loop: Deprecated and ignored, as in pyzmq (a `DeprecationWarning` if given).
        encoding: How text fields are decoded and the User-Id encoded.
        log: Where decisions are logged (None: the `aiomq.auth` logger).
        handler: A callback deciding every request the address checks let through.
    """

    def __init__(
        self,
        context: Context | None = None,
        loop: object = None,
        encoding: str = "utf-8",
        log: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
        *,
        handler: AuthHandler | None = None,
    ) -> None:
        super().__init__(context, encoding, log, handler=handler)
        if loop is not None:
            warnings.warn(
                f"{type(self).__name__}(loop) is deprecated and ignored",
                DeprecationWarning,
                stacklevel=2,
            )
