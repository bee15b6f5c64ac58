"""Exceptions with pyzmq's names and libzmq's errno values.

Layer 0: imports the standard library only.
"""

from __future__ import annotations

import errno as _errno

__all__ = [
    "EADDRINUSE",
    "EAGAIN",
    "EFSM",
    "EHOSTUNREACH",
    "EINVAL",
    "EMSGSIZE",
    "ENOTSOCK",
    "ENOTSUP",
    "EPROTONOSUPPORT",
    "ETERM",
    "Again",
    "ContextTerminated",
    "ZMQError",
]

_HAUSNUMERO = 156384712
EAGAIN = _errno.EAGAIN
EINVAL = _errno.EINVAL
EADDRINUSE = _errno.EADDRINUSE
EHOSTUNREACH = _errno.EHOSTUNREACH
EMSGSIZE = _errno.EMSGSIZE
ENOTSOCK = _errno.ENOTSOCK
ENOTSUP = _errno.ENOTSUP
EPROTONOSUPPORT = _errno.EPROTONOSUPPORT
ENOENT = _errno.ENOENT
EFSM = _HAUSNUMERO + 51
ENOCOMPATPROTO = _HAUSNUMERO + 52
ETERM = _HAUSNUMERO + 53


class ZMQError(Exception):
    """An error from a socket or context, carrying a libzmq ``errno``.

    Attributes:
        errno: The libzmq/POSIX error number (``aiomq.EAGAIN``, ``aiomq.EFSM`` ...).
        strerror: The human-readable message.
    """

    errno: int
    strerror: str

    def __init__(self, errno: int = EINVAL, msg: str | None = None) -> None:
        text = msg if msg is not None else _default_message(errno)
        super().__init__(text)
        # Set after the base initialiser: OSError's (the base of Again) resets them.
        self.errno = errno
        self.strerror = text

    def __str__(self) -> str:
        return self.strerror

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.errno}, {self.strerror!r})"


class Again(ZMQError, TimeoutError):  # type: ignore[misc]  # errno is always an int here
    """The operation could not complete now (``EAGAIN``), or timed out.

    It is also a :class:`TimeoutError`, so ``except TimeoutError`` catches a
    ``RCVTIMEO``/``SNDTIMEO`` expiry.
    """

    def __init__(self, msg: str = "Resource temporarily unavailable") -> None:
        super().__init__(EAGAIN, msg)


class ContextTerminated(ZMQError):
    """The socket's context was terminated, or the socket was closed (``ETERM``)."""

    def __init__(self, msg: str = "Context was terminated") -> None:
        super().__init__(ETERM, msg)


def _default_message(errno: int) -> str:
    names = {
        EFSM: "Operation cannot be accomplished in current state",
        ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
        ETERM: "Context was terminated",
    }
    if errno in names:
        return names[errno]
    import os

    return os.strerror(errno)
