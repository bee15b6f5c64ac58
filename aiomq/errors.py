"""Exceptions with pyzmq's names, and libzmq's error numbers and messages.

The numbers are libzmq's: the platform's ``errno`` values for the system errors (a
number the platform lacks gets libzmq's stand-in above ``156384712``, as ``zmq.h``
defines it), and ``156384712 + n`` for ZeroMQ's own (`EFSM`, `ENOCOMPATPROTO`, `ETERM`,
`EMTHREAD`).

Layer 0: imports the standard library only.
"""

from __future__ import annotations

import enum
import errno as _errno
import os

from .version import zmq_version

__all__ = [
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "EAFNOSUPPORT",
    "EAGAIN",
    "ECONNABORTED",
    "ECONNREFUSED",
    "ECONNRESET",
    "EFAULT",
    "EFSM",
    "EHOSTUNREACH",
    "EINPROGRESS",
    "EINTR",
    "EINVAL",
    "EMFILE",
    "EMSGSIZE",
    "EMTHREAD",
    "ENETDOWN",
    "ENETRESET",
    "ENETUNREACH",
    "ENOBUFS",
    "ENOCOMPATPROTO",
    "ENODEV",
    "ENOENT",
    "ENOMEM",
    "ENOTCONN",
    "ENOTSOCK",
    "ENOTSUP",
    "EPROTONOSUPPORT",
    "ETERM",
    "ETIMEDOUT",
    "Again",
    "ContextTerminated",
    "Errno",
    "InterruptedSystemCall",
    "NotDone",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "strerror",
]

_HAUSNUMERO = 156384712


def _system(name: str, offset: int) -> int:
    """The platform's number for ``name``, or libzmq's stand-in when it has none."""
    number: int = getattr(_errno, name, _HAUSNUMERO + offset)
    return number


class Errno(enum.IntEnum):
    """The error numbers of libzmq, as `ZMQError.errno` carries them.

    The system errors have the platform's numbers (``errno.EAGAIN`` ...); the errors of
    ZeroMQ itself are numbered from libzmq's base ``156384712`` (``ZMQ_HAUSNUMERO``).
    """

    EAGAIN = _errno.EAGAIN
    EFAULT = _errno.EFAULT
    EINVAL = _errno.EINVAL
    ENOTSUP = _system("ENOTSUP", 1)
    EPROTONOSUPPORT = _system("EPROTONOSUPPORT", 2)
    ENOBUFS = _system("ENOBUFS", 3)
    ENETDOWN = _system("ENETDOWN", 4)
    EADDRINUSE = _system("EADDRINUSE", 5)
    EADDRNOTAVAIL = _system("EADDRNOTAVAIL", 6)
    ECONNREFUSED = _system("ECONNREFUSED", 7)
    EINPROGRESS = _system("EINPROGRESS", 8)
    ENOTSOCK = _system("ENOTSOCK", 9)
    EMSGSIZE = _system("EMSGSIZE", 10)
    EAFNOSUPPORT = _system("EAFNOSUPPORT", 11)
    ENETUNREACH = _system("ENETUNREACH", 12)
    ECONNABORTED = _system("ECONNABORTED", 13)
    ECONNRESET = _system("ECONNRESET", 14)
    ENOTCONN = _system("ENOTCONN", 15)
    ETIMEDOUT = _system("ETIMEDOUT", 16)
    EHOSTUNREACH = _system("EHOSTUNREACH", 17)
    ENETRESET = _system("ENETRESET", 18)
    # ZeroMQ's own errors.
    EFSM = _HAUSNUMERO + 51
    ENOCOMPATPROTO = _HAUSNUMERO + 52
    ETERM = _HAUSNUMERO + 53
    EMTHREAD = _HAUSNUMERO + 54
    # System errors libzmq passes on as they are (pyzmq has no names for these).
    EINTR = _errno.EINTR
    ENODEV = _errno.ENODEV
    ENOENT = _errno.ENOENT
    ENOMEM = _errno.ENOMEM
    EMFILE = _errno.EMFILE


EAGAIN = Errno.EAGAIN
EFAULT = Errno.EFAULT
EINVAL = Errno.EINVAL
ENOTSUP = Errno.ENOTSUP
EPROTONOSUPPORT = Errno.EPROTONOSUPPORT
ENOBUFS = Errno.ENOBUFS
ENETDOWN = Errno.ENETDOWN
EADDRINUSE = Errno.EADDRINUSE
EADDRNOTAVAIL = Errno.EADDRNOTAVAIL
ECONNREFUSED = Errno.ECONNREFUSED
EINPROGRESS = Errno.EINPROGRESS
ENOTSOCK = Errno.ENOTSOCK
EMSGSIZE = Errno.EMSGSIZE
EAFNOSUPPORT = Errno.EAFNOSUPPORT
ENETUNREACH = Errno.ENETUNREACH
ECONNABORTED = Errno.ECONNABORTED
ECONNRESET = Errno.ECONNRESET
ENOTCONN = Errno.ENOTCONN
ETIMEDOUT = Errno.ETIMEDOUT
EHOSTUNREACH = Errno.EHOSTUNREACH
ENETRESET = Errno.ENETRESET
EFSM = Errno.EFSM
ENOCOMPATPROTO = Errno.ENOCOMPATPROTO
ETERM = Errno.ETERM
EMTHREAD = Errno.EMTHREAD
EINTR = Errno.EINTR
ENODEV = Errno.ENODEV
ENOENT = Errno.ENOENT
ENOMEM = Errno.ENOMEM
EMFILE = Errno.EMFILE

# libzmq's zmq_strerror: its own texts for these, the C library's for the rest.
_MESSAGES: dict[int, str] = {
    EFSM: "Operation cannot be accomplished in current state",
    ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
    ETERM: "Context was terminated",
    EMTHREAD: "No thread available",
    EHOSTUNREACH: "Host unreachable",
}


def strerror(errnum: int) -> str:
    """The message of an error number, as libzmq's ``zmq_strerror`` gives it.

    ZeroMQ's own errors (`EFSM`, `ENOCOMPATPROTO`, `ETERM`, `EMTHREAD`) and
    `EHOSTUNREACH` have libzmq's texts; any other number has the system's
    (``os.strerror``), e.g. ``"Unknown error 12345"`` for a number nobody defines.

    Args:
        errnum: An error number (`ZMQError.errno`).

    Returns:
        The message.
    """
    text = _MESSAGES.get(errnum)
    if text is not None:
        return text
    try:
        return os.strerror(errnum)
    except (OverflowError, ValueError):  # beyond a C int
        return f"Unknown error {errnum}"


class ZMQBaseError(Exception):
    """The base of aiomq's exceptions with pyzmq's names (all but `ZMQVersionError`)."""


class ZMQError(ZMQBaseError):
    """An error from a socket or context, carrying a libzmq error number.

    Args:
        errno: The error number (`aiomq.EAGAIN`, `aiomq.EFSM` ...).
        msg: The message; by default the number's [strerror][aiomq.strerror] text.

    Attributes:
        errno: The error number.
        strerror: The message (also what ``str()`` gives).
    """

    errno: int
    strerror: str

    def __init__(self, errno: int = EINVAL, msg: str | None = None) -> None:
        text = msg if msg is not None else strerror(errno)
        super().__init__(text)
        # Set after the base initialiser: OSError's (a base of Again) resets them.
        self.errno = errno
        self.strerror = text

    def __str__(self) -> str:
        return self.strerror

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self.errno)}, {self.strerror!r})"

    def __reduce__(self) -> tuple[type[ZMQError], tuple[int, str]]:
        # Pickle as ``cls(errno, message)``, which every subclass accepts.
        return type(self), (self.errno, self.strerror)


def _own_message(name: str, fixed: int, errno: int | str | None, msg: str | None) -> str | None:
    """The message given to the class ``name`` whose number is ``fixed``, called either
    way pyzmq's or aiomq's code calls it: ``Again()``, ``Again("why")`` or
    ``Again(EAGAIN, "why")``.

    Raises:
        ValueError: ``errno`` is a number other than the class's own.
        TypeError: A message was given twice.
    """
    if isinstance(errno, str):
        if msg is not None:
            raise TypeError(f"{name}() takes one message, not two")
        return errno
    if errno is not None and errno != fixed:
        raise ValueError(f"{name} has errno {int(fixed)}, not {errno}")
    return msg


class Again(ZMQError, TimeoutError):  # type: ignore[misc]  # errno is always an int here
    """The operation could not complete now (`EAGAIN`), or timed out.

    It is also a ``TimeoutError``, so ``except TimeoutError`` catches a
    ``RCVTIMEO``/``SNDTIMEO`` expiry.

    Args:
        errno: The message (``Again("why")``), or `EAGAIN` as pyzmq's code passes it
            (``Again(EAGAIN, "why")``).
        msg: The message, after an ``errno``.
    """

    def __init__(self, errno: int | str | None = None, msg: str | None = None) -> None:
        super().__init__(EAGAIN, _own_message("Again", EAGAIN, errno, msg))


class ContextTerminated(ZMQError):
    """The socket's context was terminated, or the socket was closed (`ETERM`).

    Args:
        errno: The message, or `ETERM` (pyzmq's form, as for [Again][aiomq.Again]).
        msg: The message, after an ``errno``.
    """

    def __init__(self, errno: int | str | None = None, msg: str | None = None) -> None:
        super().__init__(ETERM, _own_message("ContextTerminated", ETERM, errno, msg))


class InterruptedSystemCall(ZMQError, InterruptedError):  # type: ignore[misc]
    """A call was interrupted by a signal (`EINTR`), pyzmq's name for it.

    Python retries the system calls a signal interrupts (PEP 475), so aiomq does not
    raise it; the class exists so that code catching it runs unchanged.

    Args:
        errno: The message, or `EINTR` (pyzmq's form, as for [Again][aiomq.Again]).
        msg: The message, after an ``errno``.
    """

    def __init__(self, errno: int | str | None = None, msg: str | None = None) -> None:
        super().__init__(EINTR, _own_message("InterruptedSystemCall", EINTR, errno, msg))


class ZMQBindError(ZMQBaseError):
    """``bind_to_random_port`` found no free port in its range."""


class NotDone(ZMQBaseError):
    """A wait for libzmq to finish with a message timed out (pyzmq's ``MessageTracker``)."""


class ZMQVersionError(NotImplementedError):
    """A feature needs a newer libzmq than the one aiomq matches (see `zmq_version`).

    Args:
        min_version: The libzmq version the feature needs, e.g. ``"4.4"``.
        msg: What needs it.

    Attributes:
        min_version: As given.
        msg: As given.
        version: The libzmq version aiomq matches (``"4.3.5"``).
    """

    def __init__(self, min_version: str, msg: str = "Feature") -> None:
        self.msg = msg
        self.min_version = min_version
        self.version = zmq_version()
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.msg} requires libzmq >= {self.min_version}, have {self.version}"

    def __repr__(self) -> str:
        return f"ZMQVersionError({str(self)!r})"
