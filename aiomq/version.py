"""The libzmq version aiomq matches, and libzmq's capability query (``zmq_has``).

pyzmq reports the libzmq it is linked to; aiomq links to none, so these describe the
libzmq behaviour aiomq reproduces: that of libzmq 4.3.5 (the ZMTP 3.1 wire, the option
defaults and numbers, the monitor events).

Layer 0: imports the standard library only.
"""

from __future__ import annotations

import importlib.util
import os

__all__ = ["has", "zmq_version", "zmq_version_info"]

_LIBZMQ_VERSION = (4, 3, 5)


def zmq_version_info() -> tuple[int, int, int]:
    """The version of libzmq whose behaviour aiomq matches, as pyzmq's `zmq_version_info`.

    Returns:
        ``(4, 3, 5)``.
    """
    return _LIBZMQ_VERSION


def zmq_version() -> str:
    """The version of libzmq whose behaviour aiomq matches, as a string.

    Returns:
        ``"4.3.5"``.
    """
    return "{}.{}.{}".format(*_LIBZMQ_VERSION)


def has(capability: str) -> bool:
    """Whether aiomq has a capability, as libzmq's ``zmq_has`` answers for its build.

    | capability | answer |
    |---|---|
    | ``"ipc"`` | True on POSIX systems |
    | ``"pgm"`` | True: ``epgm://`` and ``pgm://`` are implemented |
    | ``"curve"`` | True when PyNaCl is installed (``pip install 'aiomq[curve]'``) |
    | ``"gssapi"``, ``"norm"``, ``"tipc"``, ``"vmci"``, ``"draft"``, ``"WS"``, ``"WSS"`` | False |

    Any other name is False too, as in libzmq.

    Args:
        capability: The capability's name, as libzmq spells it.

    Returns:
        True if aiomq has it.

    Raises:
        TypeError: ``capability`` is not a str.
    """
    if not isinstance(capability, str):
        raise TypeError(f"capability must be str, not {type(capability).__name__}")
    if capability == "ipc":
        return os.name == "posix"
    if capability == "pgm":
        return True
    if capability == "curve":
        return importlib.util.find_spec("nacl") is not None
    return False
