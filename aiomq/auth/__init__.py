"""ZAP authentication (RFC 27) and CURVE certificates, as pyzmq's ``zmq.auth``.

A pyzmq program's security code runs once its imports name aiomq::

    from aiomq.auth.asyncio import AsyncioAuthenticator

    auth = AsyncioAuthenticator(ctx)
    auth.start()
    auth.allow("127.0.0.1")
    auth.configure_plain(domain="*", passwords={"admin": "secret"})

The [Authenticator][aiomq.auth.Authenticator] (also importable as
`aiomq.auth.asyncio.AsyncioAuthenticator` and `aiomq.auth.thread.ThreadAuthenticator`)
answers the ZAP requests of one Context in-process. An application may instead bind
its own REP or ROUTER socket on `inproc://zeromq.zap.01` and answer the RFC 27 frames
itself, as with libzmq (see the Security page of the documentation).

Import it explicitly (`import aiomq.auth`), as `zmq.auth`.
"""

from __future__ import annotations

from .._zap import ZapReply, ZapRequest
from .asyncio import AsyncioAuthenticator
from .base import CURVE_ALLOW_ANY, Authenticator, AuthHandler, CredentialsProvider
from .certs import create_certificates, load_certificate, load_certificates

__all__ = [
    "CURVE_ALLOW_ANY",
    "AsyncioAuthenticator",
    "AuthHandler",
    "Authenticator",
    "CredentialsProvider",
    "ZapReply",
    "ZapRequest",
    "create_certificates",
    "load_certificate",
    "load_certificates",
]
