"""The connection manager: a socket's listeners and sessions, for every transport.

It turns ``bind``/``connect``/``unbind``/``disconnect``/``close`` into listeners,
sessions and inproc links, and hands pipes to the socket through
``PipeSink``. It knows no messaging pattern.

Layer 5.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ._inproc import InprocLink
from ._link import SocketLink
from ._listener import Listener
from ._multicast import MulticastLink, check_multicast_type, open_link
from ._session import Session
from ._signal import when_all
from ._transports import STREAM_TRANSPORTS
from ._transports.inproc import InprocRegistry
from .constants import Event
from .endpoint import MULTICAST_TRANSPORTS, Endpoint, parse_endpoint
from .errors import EADDRINUSE, ENOENT, ZMQError

__all__ = ["ConnectionManager"]


class ConnectionManager:
    """Owns every connection of one socket.

    Args:
        link: The socket's services.
        inproc: The Context's inproc name registry.
    """

    def __init__(self, link: SocketLink, inproc: InprocRegistry) -> None:
        self.link = link
        self._inproc = inproc
        self._listeners: dict[str, Listener] = {}
        self._sessions: dict[str, list[Session]] = {}
        self._inproc_bound: dict[str, InprocLink] = {}
        self._inproc_connected: dict[str, list[InprocLink]] = {}
        # A multicast endpoint opened before the socket had a loop is None until then.
        self._multicast: dict[str, MulticastLink | None] = {}
        self._unstarted: list[Callable[[], None]] = []
        self.started = False
        self.last_endpoint = ""

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run on ``loop`` from now on: start what ``bind``/``connect`` set up before it.

        A socket may bind and connect before any event loop runs (as in pyzmq); the
        addresses are bound at once, and the accepting and connecting begin here.
        """
        if self.started:
            return
        self.link.loop = loop
        self.started = True
        unstarted, self._unstarted = self._unstarted, []
        for begin in unstarted:
            begin()

    def _begin(self, begin: Callable[[], None]) -> None:
        """Run ``begin`` now if the socket has a loop, else once it has one."""
        if self.started:
            begin()
        else:
            self._unstarted.append(begin)

    def bind(self, url: str) -> str:
        """Bind ``url`` and start accepting; returns the resolved endpoint.

        Raises:
            ZMQError: Bad endpoint, unsupported transport, or address in use.
        """
        endpoint = parse_endpoint(url, bind=True)
        if endpoint.transport in MULTICAST_TRANSPORTS:
            self._open_multicast(endpoint, url)
            resolved = url
        elif endpoint.transport == "inproc":
            binder = InprocLink(self.link, url)
            self._inproc.bind(endpoint.path, binder)
            self._inproc_bound[url] = binder
            resolved = url
        else:
            try:
                listening = STREAM_TRANSPORTS[endpoint.transport].listen(
                    endpoint, self.link.options.backlog
                )
            except ZMQError:
                self.link.monitor(Event.BIND_FAILED, url, 0)
                raise
            listener = Listener(self.link, listening)
            resolved = listener.endpoint
            self._listeners[resolved] = listener
            self._begin(listener.start)
        self.last_endpoint = resolved
        return resolved

    def connect(self, url: str) -> None:
        """Start connecting to ``url`` (in the background, retrying as needed).

        Raises:
            ZMQError: Bad endpoint or unsupported transport.
        """
        endpoint = parse_endpoint(url, bind=False)
        if endpoint.transport in MULTICAST_TRANSPORTS:
            self._open_multicast(endpoint, url)
        elif endpoint.transport == "inproc":
            connecter = InprocLink(self.link, url)
            connecter.connect(self._inproc, endpoint.path)
            self._inproc_connected.setdefault(url, []).append(connecter)
        else:
            session = Session(self.link, endpoint, STREAM_TRANSPORTS[endpoint.transport])
            self._sessions.setdefault(url, []).append(session)
            self._begin(session.start)
        self.last_endpoint = url

    def _open_multicast(self, endpoint: Endpoint, url: str) -> None:
        """``bind`` and ``connect`` of pgm endpoints are the same (as in libzmq)."""
        if url in self._multicast:
            raise ZMQError(EADDRINUSE, f"{url} is already open on this socket")
        check_multicast_type(self.link.traits, endpoint)
        self._multicast[url] = None

        def begin() -> None:
            if url in self._multicast:  # not closed before the loop came
                self._multicast[url] = open_link(self.link, endpoint, url)

        self._begin(begin)

    def unbind(self, url: str) -> None:
        """Stop listening on ``url`` (as given to or returned by ``bind``).

        Raises:
            ZMQError: ``ENOENT`` when ``url`` is not bound.
        """
        listener = self._listeners.pop(url, None)
        if listener is not None:
            listener.close(0)
            return
        if self._close_multicast(url):
            return
        binder = self._inproc_bound.pop(url, None)
        if binder is None:
            raise ZMQError(ENOENT, f"cannot unbind {url}: endpoint is not bound")
        self._inproc.unbind(parse_endpoint(url, bind=True).path, binder)
        binder.close()

    def disconnect(self, url: str) -> None:
        """Stop connecting to ``url`` and drop its pipe.

        Raises:
            ZMQError: ``ENOENT`` when ``url`` is not connected.
        """
        sessions = self._sessions.pop(url, None)
        if sessions is not None:
            for session in sessions:
                session.close(0)
            return
        if self._close_multicast(url):
            return
        links = self._inproc_connected.pop(url, None)
        if links is None:
            raise ZMQError(ENOENT, f"cannot disconnect {url}: endpoint is not connected")
        for link in links:
            link.close()

    def _close_multicast(self, url: str) -> bool:
        if url not in self._multicast:
            return False
        multicast = self._multicast.pop(url)
        if multicast is not None:
            multicast.close(0)
        return True

    def close(self, linger: int) -> asyncio.Future[None] | None:
        """Close everything; pending messages flush for up to ``linger`` ms (-1 = forever).

        Returns:
            A future done when every connection has ended; None if the socket never
            started (it has no connections to wait for).
        """
        dead = self.started and self.link.loop.is_closed()
        if dead:
            linger = 0  # the loop that could flush is gone: drop, and release the sockets
        closing: list[asyncio.Future[None] | None] = [
            listener.close(linger) for listener in self._listeners.values()
        ]
        for sessions in self._sessions.values():
            closing.extend(session.close(linger) for session in sessions)
        closing.extend(
            multicast.close(linger) for multicast in self._multicast.values() if multicast
        )
        self._multicast.clear()
        self._unstarted.clear()
        for url, binder in self._inproc_bound.items():
            self._inproc.unbind(parse_endpoint(url, bind=True).path, binder)
            binder.close()
        for links in self._inproc_connected.values():
            for link in links:
                link.close()
        self._listeners.clear()
        self._sessions.clear()
        self._inproc_bound.clear()
        self._inproc_connected.clear()
        if not self.started or dead:
            return None
        return when_all(self.link.loop, [wait for wait in closing if wait is not None])
