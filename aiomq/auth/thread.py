"""`ThreadAuthenticator`: the name of pyzmq's `zmq.auth.thread` authenticator.

Layer 7.
"""

from __future__ import annotations

from .base import Authenticator

__all__ = ["ThreadAuthenticator"]


class ThreadAuthenticator(Authenticator):
    """The [Authenticator][aiomq.auth.Authenticator] under pyzmq's thread name.

    No thread is started: aiomq's Authenticator answers in-process on the event loop of
    the server sockets, so a program that used pyzmq's background-thread authenticator
    runs unchanged. Same arguments as [Authenticator][aiomq.auth.Authenticator].
    """
