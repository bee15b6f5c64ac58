"""The Context: a factory and owner of sockets, the inproc namespace, default options.

Layer 6.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Generator
from typing import Any, ClassVar

from ._signal import when_all
from ._sockets import ZAP_CLIENT_TRAITS, Socket, socket_class
from ._transports.inproc import InprocRegistry
from ._zap import ZapRegistry
from ._zap_client import InprocZapClient
from .constants import ContextOption, SocketOption, SocketType
from .errors import EINVAL, EMFILE, ContextTerminated, ZMQError
from .options import Options, OptionValue, option_member

__all__ = ["Context"]

_MAX_SOCKETS_DEFAULT = 1023  # libzmq's ZMQ_MAX_SOCKETS_DFLT
_SOCKET_LIMIT = 65535  # libzmq's clipped_maxsocket on Linux
# The SUBSCRIBE default applies to the SUB sockets created afterwards (as in pyzmq).
_ACTION_DEFAULTS = frozenset({SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE})


class _Finished:
    """What ``term()`` returns without a running loop: nothing is left to wait for."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


class Context:
    """Creates sockets, holds the ``inproc://`` names they bind and their default options.

    Unlike libzmq's, an aiomq Context needs no I/O threads: every socket runs on the
    event loop that first uses it. As in pyzmq, an option set on the context
    (``ctx.linger = 0``, ``ctx.setsockopt(aiomq.LINGER, 0)``) is the default of every
    socket it creates afterwards. ``with``/``async with aiomq.Context() as ctx:``
    terminates it on exit.

    Args:
        io_threads: Accepted for pyzmq compatibility: only 1, which is what aiomq has (all
            I/O runs on the event loop).

    Raises:
        ZMQError: ``EINVAL`` for any other ``io_threads``.
    """

    _instance: ClassVar[Context | None] = None

    sockopts: dict[int, OptionValue]
    """The default socket options, by option number (pyzmq's ``Context.sockopts``)."""

    def __init__(self, io_threads: int = 1) -> None:
        object.__setattr__(self, "sockopts", {})
        object.__setattr__(self, "_sockets", set())
        object.__setattr__(self, "_lingering", set())
        inproc = InprocRegistry()
        object.__setattr__(self, "_inproc", inproc)
        object.__setattr__(
            self, "_zap", ZapRegistry(inproc, InprocZapClient(inproc, ZAP_CLIENT_TRAITS).ask)
        )
        object.__setattr__(self, "_terminated", False)
        object.__setattr__(
            self,
            "_options",
            {ContextOption.MAX_SOCKETS: _MAX_SOCKETS_DEFAULT, ContextOption.BLOCKY: 1},
        )
        self.set(ContextOption.IO_THREADS, io_threads)

    _sockets: set[Socket]
    _lingering: set[asyncio.Future[None]]
    _inproc: InprocRegistry
    _zap: ZapRegistry
    _terminated: bool
    _options: dict[ContextOption, int]

    @classmethod
    def instance(cls, io_threads: int = 1) -> Context:
        """Return the process-wide shared Context, creating it on first use (or after
        it was terminated)."""
        if cls._instance is None or cls._instance._terminated:
            cls._instance = cls(io_threads)
        return cls._instance

    @property
    def closed(self) -> bool:
        """True once the context was terminated or destroyed."""
        return self._terminated

    def __repr__(self) -> str:
        closed = " closed" if self._terminated else ""
        return f"<aiomq.Context() at {id(self):#x}{closed}>"

    # -- sockets -------------------------------------------------------------------

    def socket(self, socket_type: int) -> Socket:
        """Create a socket, with the context's default options applied.

        A default that does not apply to this socket type (``SUBSCRIBE`` for a PUSH ...)
        is skipped, as in pyzmq.

        Args:
            socket_type: ``aiomq.PUSH``, ``aiomq.PULL``, ``aiomq.PAIR`` ...

        Raises:
            TypeError: ``socket_type`` is not an int.
            ZMQError: Unknown or unsupported type; ``EMFILE`` beyond ``MAX_SOCKETS``.
            ContextTerminated: The context was terminated.
        """
        kind, cls = socket_class(socket_type)
        if self._terminated:
            raise ContextTerminated()
        limit = self._options[ContextOption.MAX_SOCKETS]
        if len(self._sockets) >= limit:
            raise ZMQError(EMFILE, f"the context's MAX_SOCKETS ({limit}) sockets are open")
        sock = cls(self, kind)
        if not self._options[ContextOption.BLOCKY]:
            sock.setsockopt(SocketOption.LINGER, 0)
        for option, value in self.sockopts.items():
            try:
                sock.setsockopt(option, value)
            except ZMQError as exc:
                if exc.errno != EINVAL:
                    raise
        self._sockets.add(sock)
        return sock

    def _start_sockets(self, loop: asyncio.AbstractEventLoop) -> None:
        """One socket started in ``loop``: so do the others bound or connected before a
        loop ran (and not yet used in one)."""
        for sock in list(self._sockets):
            if sock._loop is None and sock._ended_loop is None and sock._manager is not None:
                sock._enter_loop(loop)

    def _forget(self, sock: Socket) -> None:
        """``sock`` closed: remember its flush until done, so ``term`` waits for it."""
        self._sockets.discard(sock)
        flushing = sock._closed_future
        if flushing is not None and not flushing.done():
            self._lingering.add(flushing)
            flushing.add_done_callback(self._lingering.discard)

    # -- options -------------------------------------------------------------------

    def set(self, option: int, optval: int) -> None:
        """Set a context option (``aiomq.MAX_SOCKETS`` ...), as pyzmq's ``Context.set``.

        ``MAX_SOCKETS`` limits the open sockets; ``BLOCKY`` 0 makes ``LINGER`` 0 the
        default of new sockets (libzmq); ``IO_THREADS`` takes only 1, aiomq's count.

        Raises:
            TypeError: ``optval`` is not an int.
            ZMQError: ``EINVAL`` for an unknown or read-only option, a bad value, or an
                option aiomq has nothing to apply to (the thread options ...).
        """
        opt = _context_option(option)
        if isinstance(optval, bool):
            optval = int(optval)
        if not isinstance(optval, int):
            raise TypeError(f"context option {opt.name} takes an int, not {type(optval).__name__}")
        if opt is ContextOption.IO_THREADS:
            if optval != 1:
                raise ZMQError(
                    EINVAL,
                    f"IO_THREADS={optval}: aiomq has no I/O threads (all I/O runs on the event "
                    "loop), so only 1 applies",
                )
        elif opt is ContextOption.MAX_SOCKETS:
            if not 1 <= optval <= _SOCKET_LIMIT:
                raise ZMQError(EINVAL, f"MAX_SOCKETS must be in [1, {_SOCKET_LIMIT}], not {optval}")
        elif opt is ContextOption.BLOCKY:
            optval = int(bool(optval))
        elif opt is ContextOption.SOCKET_LIMIT:
            raise ZMQError(
                EINVAL, "SOCKET_LIMIT is read-only (THREAD_PRIORITY has no threads here)"
            )
        else:
            raise ZMQError(
                EINVAL,
                f"context option {opt.name} is not supported by aiomq (it has no I/O threads "
                "and sets the socket options itself)",
            )
        self._options[opt] = optval

    def get(self, option: int) -> int:
        """Return a context option, as pyzmq's ``Context.get``.

        Raises:
            ZMQError: ``EINVAL`` for an unknown option or one aiomq does not support.
        """
        opt = _context_option(option)
        if opt is ContextOption.IO_THREADS:
            return 1
        if opt is ContextOption.SOCKET_LIMIT:
            return _SOCKET_LIMIT
        try:
            return self._options[opt]
        except KeyError:
            raise ZMQError(EINVAL, f"context option {opt.name} is not supported by aiomq") from None

    def setsockopt(self, option: int, value: OptionValue) -> None:
        """Set the default of a socket option for sockets created from now on (pyzmq).

        The value is checked now, as a socket would check it.

        Raises:
            TypeError: ``value`` has the wrong type.
            ZMQError: ``EINVAL`` for an unknown or read-only option, or a bad value.
        """
        opt = _socket_option(option)
        if opt in _ACTION_DEFAULTS:
            if isinstance(value, str):
                value = value.encode()
            if not isinstance(value, bytes | bytearray | memoryview):
                raise TypeError(f"option {opt.name} takes bytes, not {type(value).__name__}")
            value = bytes(value)
        else:
            Options(int(SocketType.PAIR)).set(opt, value)  # raises as a socket would
        self.sockopts[int(opt)] = value

    def getsockopt(self, option: int) -> OptionValue:
        """Return the default of a socket option set with ``setsockopt`` (pyzmq).

        Raises:
            ZMQError: ``EINVAL`` when no default is set for it.
        """
        opt = _socket_option(option)
        try:
            return self.sockopts[int(opt)]
        except KeyError:
            raise ZMQError(EINVAL, f"no default is set for option {opt.name}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        """``ctx.linger = 0`` sets a socket default; ``ctx.max_sockets = 8`` a context
        option; any other name raises ``AttributeError`` (as pyzmq)."""
        option = _attribute_option(name)
        if option is None:
            raise AttributeError(f"Context has no such option: {name.upper()}")
        if isinstance(option, ContextOption):
            self.set(option, value)
        else:
            self.setsockopt(option, value)

    def __getattr__(self, name: str) -> Any:
        option = _attribute_option(name)
        if option is None:
            raise AttributeError(f"Context has no such option: {name.upper()}")
        if isinstance(option, ContextOption):
            return self.get(option)
        try:
            return self.sockopts[int(option)]
        except KeyError:
            raise AttributeError(f"no default is set for {name}") from None

    def __delattr__(self, name: str) -> None:
        """``del ctx.linger`` drops that default (as pyzmq)."""
        option = _attribute_option(name)
        if not isinstance(option, SocketOption) or int(option) not in self.sockopts:
            raise AttributeError(name)
        del self.sockopts[int(option)]

    # -- ending --------------------------------------------------------------------

    def term(self) -> Awaitable[None]:
        """Terminate now: every socket closes, and pending and later calls on them raise
        ``ContextTerminated``.

        Sockets still open are closed with their ``LINGER``. As in pyzmq this acts when
        called, awaited or not; awaiting the result waits until every socket's queued
        messages are flushed (bounded by ``LINGER``). (libzmq's ``zmq_ctx_term`` instead
        waits for the application to close its sockets; in one event loop that would
        deadlock.)

        Returns:
            An awaitable (a future when a loop is running) done when everything is
            flushed.

        Cancellation-safe: cancelling the wait does not stop the flush.
        """
        object.__setattr__(self, "_terminated", True)
        for sock in list(self._sockets):
            sock._terminate()
        return self._flushed()

    def destroy(self, linger: int | None = None) -> Awaitable[None]:
        """Close every socket (with ``linger`` when given) and terminate, as pyzmq's.

        Returns:
            As [term][aiomq.Context.term]: awaiting it waits for the flush.
        """
        object.__setattr__(self, "_terminated", True)
        for sock in list(self._sockets):
            sock.close(linger)
        return self.term()

    def _flushed(self) -> Awaitable[None]:
        """An awaitable done once every closed socket has flushed."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return _Finished()
        return when_all(loop, [flush for flush in self._lingering if flush.get_loop() is loop])

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Terminate (``with aiomq.Context() as ctx:``); the flush goes on in the background."""
        self.term()

    async def __aenter__(self) -> Context:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        """Terminate, and wait for the flush unless the block is left by a cancellation,
        ``KeyboardInterrupt`` or ``SystemExit`` (then it goes on in the background)."""
        flushed = self.term()
        if exc_type is None or issubclass(exc_type, Exception):
            await flushed


def _context_option(option: object) -> ContextOption:
    return option_member(ContextOption, option, "context option", "aiomq.MAX_SOCKETS")


def _socket_option(option: object) -> SocketOption:
    return option_member(SocketOption, option, "socket option", "aiomq.LINGER")


def _attribute_option(name: str) -> ContextOption | SocketOption | None:
    """The option an attribute name stands for: a context option first, as pyzmq."""
    upper = name.upper()
    context_option = ContextOption.__members__.get(upper)
    if context_option is not None:
        return context_option
    return SocketOption.__members__.get(upper)
