"""The socket base: zmq.asyncio's API, written once over non-blocking strategies.

A pattern subclass says which strategies it composes (``_strategies``) and sets the
hooks ``_sender``/``_receiver`` to them in ``_setup``. Everything about futures,
waiting, timeouts, cancellation, multipart assembly, options and closing lives here.

Layer 6.
"""

from __future__ import annotations

import asyncio
import builtins
import random
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, cast, overload

from .._frame import Frame, MessageTracker, to_bytes
from .._link import SocketLink
from .._loop_end import on_loop_end
from .._manager import ConnectionManager
from .._message import Message as ReceivedMessage
from .._monitor import MonitorFeed
from .._pipe import Message, MessageQueue, Pipe
from .._routing import Strategy
from .._signal import Signal
from .._traits import SocketTraits
from ..constants import Flag, PollEvent, SocketOption, SocketType
from ..errors import (
    EADDRINUSE,
    EINVAL,
    ENOTSOCK,
    ENOTSUP,
    Again,
    ContextTerminated,
    ZMQError,
)
from ..options import ACTION_OPTIONS, SPECIFIC_OPTIONS, Options, OptionValue, option_member
from ._attributes import OptionAttributes
from ._sink import SocketSink
from ._waiting import UNSHARED, Line, Pending, Ready, RecvPending, SendPending
from .monitoring import MonitoringMixin
from .serializing import SerializingMixin

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["Socket", "SocketContext"]

_S = TypeVar("_S", bound="Socket")
_R = TypeVar("_R")
# How many sends/receives may complete without suspending before one yields to the loop.
_YIELD_EVERY = 512
_DONTWAIT = int(Flag.DONTWAIT)
_SNDMORE = int(Flag.SNDMORE)
_POLLIN = int(PollEvent.POLLIN)
_POLLOUT = int(PollEvent.POLLOUT)
_Future = asyncio.Future
_running_loop = asyncio.get_running_loop
_getrefcount = sys.getrefcount
_NOTHING: Any = object()  # what the internal receives return when nothing is waiting


class SocketContext(Generic[_S]):
    """What ``bind``/``connect`` return: ``with sock.bind(addr):`` unbinds on exit, as pyzmq.

    Attributes:
        socket: The socket.
        kind: ``"bind"`` or ``"connect"``.
        addr: The endpoint (for a bind, the resolved one: ``tcp://127.0.0.1:40123``).
    """

    __slots__ = ("addr", "kind", "socket")

    def __init__(self, socket: _S, kind: str, addr: str) -> None:
        self.socket = socket
        self.kind = kind
        self.addr = addr

    def __enter__(self) -> _S:
        return self.socket

    def __exit__(self, *exc_info: object) -> None:
        if self.socket.closed:
            return
        if self.kind == "bind":
            self.socket.unbind(self.addr)
        else:
            self.socket.disconnect(self.addr)

    def __repr__(self) -> str:
        return f"<SocketContext({self.kind}={self.addr!r})>"


class _AssignableMethod:
    """``subscribe``/``unsubscribe``: methods that can also be assigned, as in pyzmq.

    ``sock.subscribe(b"a")`` calls the method; ``sock.subscribe = b"a"`` sets the option.
    """

    __slots__ = ("_function", "_option")

    def __init__(self, function: Callable[[Socket, bytes | str], None], option: SocketOption):
        self._function = function
        self._option = option

    @overload
    def __get__(self, obj: None, owner: type[Socket]) -> _AssignableMethod: ...
    @overload
    def __get__(self, obj: Socket, owner: type[Socket]) -> Callable[[bytes | str], None]: ...
    def __get__(
        self, obj: Socket | None, owner: type[Socket]
    ) -> _AssignableMethod | Callable[[bytes | str], None]:
        if obj is None:
            return self
        bound: Callable[[bytes | str], None] = self._function.__get__(obj, owner)
        return bound

    def __set__(self, obj: Socket, value: bytes | str) -> None:
        obj.setsockopt(self._option, _topic(value))


class Socket(OptionAttributes, SerializingMixin, MonitoringMixin):
    """An aiomq socket: zmq.asyncio's ``Socket`` API, on a pure-Python engine.

    Create sockets with ``Context.socket``. ``send``/``recv`` and their variants return
    an ``asyncio.Future`` at once, as zmq.asyncio's do: a send is queued (or the future
    waits for room), a receive takes a waiting message (or the future waits for one).
    Await the future, or use it with ``asyncio.wait``, ``gather`` or callbacks.

    Calls of one direction complete in call order, and a message is never split between
    receivers. A cancelled receive consumes nothing, and a cancelled send queued the
    whole message or none of it. (A future that completed before its consumer was
    cancelled holds its message: read its ``result()``. Only an ``await``, alone or
    under ``asyncio.timeout``/``wait_for``, takes the message in the awaiting task.)

    ``async for parts in sock:`` receives whole messages until the socket is closed or
    its context terminated. Every option is also an attribute (``sock.linger = 0``).
    """

    __slots__ = (
        "__weakref__",
        "_budget",
        "_close_error",
        "_closed",
        "_closed_future",
        "_context",
        "_done_none",
        "_ended_loop",
        "_in_lane",
        "_loop",
        "_loop_token",
        "_manager",
        "_offered_in",
        "_offered_out",
        "_options",
        "_out_lane",
        "_peeked",
        "_polls",
        "_readable",
        "_ready",
        "_receiver",
        "_recv_line",
        "_recv_rest",
        "_send_line",
        "_send_parts",
        "_sender",
        "_sink",
        "_strategies",
        "_type",
        "_writable",
    )

    _traits: ClassVar[SocketTraits]
    """The socket type as the connection layers see it: its ``Socket-Type`` name, the
    peers it accepts, its subscription and multicast roles (each concrete class)."""

    def __init__(self, context: Context, socket_type: SocketType) -> None:
        self._context = context
        self._type = socket_type
        self._options = Options(int(socket_type))
        self._readable = Signal()
        self._writable = Signal()
        self._recv_line = Line(self._readable, self._attempt_recv, self._sync_in_lane)
        self._send_line = Line(
            self._writable, self._attempt_send, self._sync_out_lane, self._send_abandoned
        )
        self._strategies: tuple[Strategy, ...] = ()
        self._sink = SocketSink(self)
        self._sender: Callable[[Message], None] = self._cannot_send
        self._receiver: Callable[[], Message] = self._cannot_receive
        self._manager: ConnectionManager | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ended_loop: asyncio.AbstractEventLoop | None = None
        self._loop_token: object = None
        self._done_none: asyncio.Future[Any] | None = None
        # The future of a receive that completes at once; set with the loop (the fast
        # lane, the only reader, is closed until then).
        self._ready: Ready = cast(Ready, None)
        self._closed = False
        self._close_error: ZMQError | None = None
        self._closed_future: asyncio.Future[None] | None = None
        self._send_parts: list[bytes] = []
        self._recv_rest: list[bytes] = []
        self._peeked: Message | None = None
        self._budget = _YIELD_EVERY
        # The fast lanes: queues a send may push onto / a receive pop from directly.
        # The pattern's strategies offer them while they have nothing to decide (one
        # peer); the socket opens an offered lane only while nothing else must come first.
        self._offered_out: MessageQueue | None = None
        self._offered_in: MessageQueue | None = None
        self._out_lane: MessageQueue | None = None
        self._in_lane: MessageQueue | None = None
        self._init_monitoring()
        # Futures of the polls watching this socket: cancelled when it closes.
        self._polls: set[asyncio.Future[Any]] = set()
        self._setup()

    def _setup(self) -> None:
        """Build the pattern's strategies and set the hooks (subclasses)."""

    def _set_out_lane(self, queue: MessageQueue | None) -> None:
        """The strategy offers (or withdraws, with None) its ``FastLane`` for sends."""
        self._offered_out = queue
        self._sync_out_lane()

    def _set_in_lane(self, queue: MessageQueue | None) -> None:
        """The strategy offers (or withdraws, with None) its ``FastLane`` for receives."""
        self._offered_in = queue
        self._sync_in_lane()

    def _sync_out_lane(self) -> None:
        """Open the send lane only while a send may push straight onto it: the socket is
        open and runs in a loop, no frames are held by ``SNDMORE`` and no send waits."""
        queue = self._offered_out
        if queue is not None and (
            self._closed or self._done_none is None or self._send_parts or not self._send_line.idle
        ):
            queue = None
        self._out_lane = queue

    def _sync_in_lane(self) -> None:
        """Open the receive lane only while a receive may pop straight from it: the
        socket is open and runs in a loop, and no rest of a partly read message, no
        message looked ahead at by ``poll`` and no waiting receive comes first."""
        queue = self._offered_in
        if queue is not None and (
            self._closed
            or self._loop is None
            or self._recv_rest
            or self._peeked is not None
            or not self._recv_line.idle
        ):
            queue = None
        self._in_lane = queue

    def _attached(self, pipe: Pipe) -> None:
        """A peer's pipe was attached (subclasses: queue a probe)."""

    def _reconnected(self, pipe: Pipe) -> None:
        """A session's pipe got a new connection (subclasses: resend subscriptions)."""

    def _check_send(self, frame: bytes) -> None:
        """Refuse a message at a ``SNDMORE`` frame when it cannot go for good (subclasses).

        Raises:
            ZMQError: e.g. ``EFSM`` (REQ/REP out of turn), ``EHOSTUNREACH`` (ROUTER).
        """

    def _set_action(self, option: SocketOption, value: OptionValue) -> bool:
        """Handle an option that acts rather than stores (``SUBSCRIBE``); True if handled."""
        return False

    def _cannot_send(self, message: Message) -> None:
        raise ZMQError(ENOTSUP, f"{self._type.name} sockets cannot send")

    def _cannot_receive(self) -> Message:
        raise ZMQError(ENOTSUP, f"{self._type.name} sockets cannot receive")

    # -- identity -------------------------------------------------------------------

    @property
    def type(self) -> SocketType:
        """The socket type."""
        return self._type

    @property
    def context(self) -> Context:
        """The context that created this socket."""
        return self._context

    @property
    def closed(self) -> bool:
        """True once [close][aiomq.Socket.close] was called (or the context ended)."""
        return self._closed

    def __repr__(self) -> str:
        closed = " closed" if self._closed else ""
        return f"<aiomq.Socket(aiomq.{self._type.name}) at {id(self):#x}{closed}>"

    # -- the event loop --------------------------------------------------------------

    def _current_loop(self) -> asyncio.AbstractEventLoop:
        """The running loop, which must be this socket's (adopted if it has none yet).

        Raises:
            RuntimeError: No loop is running, or the socket belongs to another loop.
        """
        loop = _running_loop()
        if loop is not self._loop:
            self._enter_loop(loop)
        return loop

    def _enter_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make ``loop`` this socket's loop, or refuse a second one.

        A socket runs on the loop it is first used in; its connections are that loop's
        transports and die with it.

        Raises:
            RuntimeError: The socket already belongs to another event loop.
        """
        current = self._loop or self._ended_loop
        if current is None:
            self._loop = loop
            done: _Future[Any] = _Future(loop=loop)
            done.set_result(None)
            self._done_none = done
            self._ready = Ready(loop, None)
            self._loop_token = on_loop_end(loop, self._loop_ended)
            self._sync_in_lane()
            self._sync_out_lane()
            if self._manager is not None:
                self._manager.start(loop)
            # Sockets of the context bound or connected before any loop ran start in this
            # one too (in pyzmq their I/O runs at once, in libzmq's threads).
            self._context._start_sockets(loop)
            return
        if current is not loop:
            state = "a closed" if current.is_closed() or self._ended_loop else "another"
            raise RuntimeError(
                f"{self!r} belongs to {state} event loop: a socket cannot move between "
                "event loops (each asyncio.run() is a new loop); create the socket, or "
                "its Context, inside the loop that uses it"
            )

    def _loop_ended(self) -> None:
        """The socket's loop is shutting down: every later call takes the slow path,
        which refuses the next loop clearly (the fast paths never look at the loop)."""
        self._ended_loop = self._loop
        self._loop = None
        self._done_none = None
        self._sync_in_lane()
        self._sync_out_lane()

    # -- options --------------------------------------------------------------------

    def setsockopt(self, option: int, value: OptionValue) -> None:
        """Set a socket option (``aiomq.LINGER`` ...).

        Raises:
            TypeError: ``value`` has the wrong type.
            ZMQError: ``EINVAL`` for an unknown, read-only or inapplicable option or a
                bad value; ``ENOTSOCK`` if the socket is closed.
        """
        opt = self._applicable(option)
        if not self._set_action(opt, value):
            self._options.set(opt, value)

    def getsockopt(self, option: int) -> int | bytes:
        """Return a socket option's value (``LAST_ENDPOINT`` as bytes, as pyzmq).

        Raises:
            ZMQError: ``EINVAL`` for an unknown or write-only option; ``ENOTSOCK`` if
                the socket is closed.
        """
        opt = self._applicable(option, reading=True)
        if opt is SocketOption.LAST_ENDPOINT:
            return self._last_endpoint().encode()
        if opt is SocketOption.RCVMORE:
            return int(bool(self._recv_rest))
        if opt is SocketOption.EVENTS:
            return self._poll_events(_POLLIN | _POLLOUT)
        return self._options.get(opt)

    set = setsockopt
    get = getsockopt

    def _applicable(self, option: object, *, reading: bool = False) -> SocketOption:
        """``option`` as a `SocketOption`, on an open socket of a type that takes it
        (reading an action such as ``SUBSCRIBE`` fails later: it is write-only).

        Raises:
            TypeError: ``option`` is not an int.
            ZMQError: ``EINVAL`` for an unknown option or one of other socket types
                (their traits list it); ``ENOTSOCK`` if the socket is closed.
        """
        opt = _option(option)
        self._check_open()
        if (
            opt in SPECIFIC_OPTIONS
            and opt not in self._traits.options
            and not (reading and opt in ACTION_OPTIONS)
        ):
            from .registry import takers  # the registry imports this module

            raise ZMQError(
                EINVAL,
                f"option {opt.name} does not apply to {self._traits.name} sockets "
                f"(only {', '.join(takers(opt))})",
            )
        return opt

    def set_string(self, option: int, optval: str, encoding: str = "utf-8") -> None:
        """Set a bytes option from a ``str`` (``SUBSCRIBE``, ``ROUTING_ID`` ...), as pyzmq.

        Raises:
            TypeError: ``optval`` is not a ``str``.
            ZMQError: As [setsockopt][aiomq.Socket.setsockopt].
        """
        if not isinstance(optval, str):
            raise TypeError(f"set_string takes a str, not {type(optval).__name__}")
        self.setsockopt(option, optval.encode(encoding))

    def get_string(self, option: int, encoding: str = "utf-8") -> str:
        """Return a bytes option decoded as text, as pyzmq.

        Raises:
            TypeError: The option is not a bytes option.
            ZMQError: As [getsockopt][aiomq.Socket.getsockopt].
        """
        value = self.getsockopt(option)
        if not isinstance(value, bytes):
            raise TypeError(f"option {_option(option).name} is an int, not a string option")
        return value.decode(encoding)

    setsockopt_string = setsockopt_unicode = set_string
    getsockopt_string = getsockopt_unicode = get_string

    def get_hwm(self) -> int:
        """The high-water mark: ``SNDHWM``, as pyzmq's ``get_hwm``."""
        value = self.getsockopt(SocketOption.SNDHWM)
        assert isinstance(value, int)
        return value

    def set_hwm(self, value: int) -> None:
        """Set both ``SNDHWM`` and ``RCVHWM``, as pyzmq's ``set_hwm``.

        Raises:
            TypeError: ``value`` is not an int.
            ZMQError: ``EINVAL`` for a negative value; ``ENOTSOCK`` if closed.
        """
        self.setsockopt(SocketOption.SNDHWM, value)
        self.setsockopt(SocketOption.RCVHWM, value)

    hwm = property(get_hwm, set_hwm, doc="Both high-water marks (``SNDHWM`` on read).")

    def _subscribe(self, topic: bytes | str) -> None:
        """Subscribe to ``topic``: ``setsockopt(SUBSCRIBE, topic)``, str as UTF-8 (pyzmq).

        ``sock.subscribe = topic`` does the same.

        Raises:
            TypeError: ``topic`` is neither bytes-like nor str.
            ZMQError: ``EINVAL`` unless this is a SUB, or an XPUB with ``XPUB_MANUAL``.
        """
        self.setsockopt(SocketOption.SUBSCRIBE, _topic(topic))

    def _unsubscribe(self, topic: bytes | str) -> None:
        """Take back one ``subscribe``: ``setsockopt(UNSUBSCRIBE, topic)``.

        ``sock.unsubscribe = topic`` does the same.

        Raises:
            TypeError: ``topic`` is neither bytes-like nor str.
            ZMQError: ``EINVAL`` unless this is a SUB, or an XPUB with ``XPUB_MANUAL``.
        """
        self.setsockopt(SocketOption.UNSUBSCRIBE, _topic(topic))

    subscribe = _AssignableMethod(_subscribe, SocketOption.SUBSCRIBE)
    """``sock.subscribe(topic)``, or ``sock.subscribe = topic``: subscribe to ``topic``
    (bytes, or str as UTF-8), as pyzmq. ``ZMQError(EINVAL)`` unless this is a SUB, or an
    XPUB with ``XPUB_MANUAL``."""
    unsubscribe = _AssignableMethod(_unsubscribe, SocketOption.UNSUBSCRIBE)
    """``sock.unsubscribe(topic)``, or ``sock.unsubscribe = topic``: take back one
    ``subscribe``."""

    # -- connections ----------------------------------------------------------------

    def _connections(self) -> ConnectionManager:
        """The connection manager, started in the running loop if there is one."""
        self._check_open()
        try:
            loop: asyncio.AbstractEventLoop | None = _running_loop()
        except RuntimeError:  # bind/connect before the loop runs, as pyzmq allows
            loop = None
        if loop is not None and loop is not self._loop:
            self._enter_loop(loop)
        manager = self._manager
        if manager is None:
            link = SocketLink(
                self._sink,
                self._options,
                self._traits,
                self._emit,
                self._context._zap,
            )
            manager = self._manager = ConnectionManager(link, self._context._inproc)
            if self._loop is not None:
                manager.start(self._loop)
        return manager

    def _last_endpoint(self) -> str:
        return self._manager.last_endpoint if self._manager is not None else ""

    def bind(self, addr: str | bytes) -> SocketContext[Socket]:
        """Bind to an endpoint and accept peers.

        May be called before an event loop runs (the socket then starts in the loop
        that first uses it); the address is bound at once either way.

        Args:
            addr: e.g. ``tcp://127.0.0.1:*``, ``ipc:///tmp/feed``, ``inproc://jobs``.

        Returns:
            A context manager that unbinds on exit (``with sock.bind(addr):``).

        Raises:
            ZMQError: At once for a bad endpoint (``EINVAL``), an unknown transport
                (``EPROTONOSUPPORT``) or an address in use (``EADDRINUSE``).
        """
        resolved = self._connections().bind(_endpoint(addr))
        return SocketContext(self, "bind", resolved)

    def connect(self, addr: str | bytes) -> SocketContext[Socket]:
        """Connect to an endpoint; an absent peer is retried in the background.

        Returns:
            A context manager that disconnects on exit (``with sock.connect(addr):``).

        Raises:
            ZMQError: For a malformed endpoint or an unknown transport.
        """
        url = _endpoint(addr)
        self._connections().connect(url)
        return SocketContext(self, "connect", url)

    def unbind(self, addr: str | bytes) -> None:
        """Stop listening on an endpoint and drop the peers accepted there.

        Raises:
            ZMQError: ``ENOENT`` when not bound to ``addr``.
        """
        self._connections().unbind(_endpoint(addr))

    def disconnect(self, addr: str | bytes) -> None:
        """Stop connecting to an endpoint and drop its queue.

        Raises:
            ZMQError: ``ENOENT`` when not connected to ``addr``.
        """
        self._connections().disconnect(_endpoint(addr))

    def bind_to_random_port(
        self,
        addr: str,
        min_port: int = 49152,
        max_port: int = 65536,
        max_tries: int = 100,
    ) -> int:
        """Bind to a random port of ``addr`` and return it, as pyzmq's.

        With the default range the OS picks a free port (``addr:*``); otherwise ports of
        ``[min_port, max_port)`` are tried at random.

        Args:
            addr: The address without a port, e.g. ``tcp://127.0.0.1``.
            min_port: The lowest port to try.
            max_port: One above the highest port to try.
            max_tries: How many ports to try.

        Raises:
            ZMQBindError: No port of the range could be bound in ``max_tries`` tries.
            ZMQError: Any other bind error (a bad address ...).
        """
        if min_port == 49152 and max_port == 65536:
            resolved = self.bind(f"{addr}:*").addr
            return int(resolved.rsplit(":", 1)[1])
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self.bind(f"{addr}:{port}")
            except ZMQError as exc:
                if exc.errno == EADDRINUSE:
                    continue
                raise
            return port
        from ..errors import ZMQBindError

        raise ZMQBindError(f"Could not bind socket to random port in [{min_port}, {max_port})")

    # -- futures ---------------------------------------------------------------------

    def _spend(self) -> bool:
        """Count one call that completes at once; False once ``_YIELD_EVERY`` calls did,
        when the call must yield to the loop first (it then waits in line, and the
        count starts again)."""
        budget = self._budget - 1
        self._budget = budget
        return budget > 0

    def _failed(self, loop: asyncio.AbstractEventLoop, error: BaseException) -> _Future[Any]:
        fut: _Future[Any] = _Future(loop=loop)
        fut.set_exception(error)
        return fut

    def _ready_with(self, value: Any) -> Ready:
        """The done future of a receive that completed at once, with ``value``: the
        socket's ``Ready`` again when nothing else refers to it (see ``recv``)."""
        ready = self._ready
        if _getrefcount(ready) == UNSHARED:
            ready.value = value
            return ready
        ready = self._ready = Ready(ready.get_loop(), value)
        return ready

    def _sent(self, loop: asyncio.AbstractEventLoop, tracked: bool) -> _Future[Any]:
        """The future of a send that completed at once."""
        if tracked:
            fut: _Future[Any] = _Future(loop=loop)
            fut.set_result(MessageTracker())
            return fut
        done = self._done_none
        assert done is not None
        return done

    # -- sending --------------------------------------------------------------------

    def send(
        self, data: object, flags: int = 0, copy: bool = True, track: bool = False
    ) -> _Future[Any]:
        """Send one frame; with ``SNDMORE`` it is held until the last frame is sent.

        The frame is queued at once when a peer can take it; otherwise the returned
        future waits for room (``SNDTIMEO`` bounds the wait).

        Args:
            data: bytes, bytearray, memoryview, a [Frame][aiomq.Frame] or another
                buffer (a mutable one is copied).
            flags: ``aiomq.SNDMORE``, ``aiomq.DONTWAIT``.
            copy: False: the future's result is a [MessageTracker][aiomq.MessageTracker]
                (as for a Frame). aiomq never keeps a caller's mutable buffer, so it is
                done at once.
            track: True: the result is a ``MessageTracker`` too (as with ``copy=False``).

        Returns:
            A future done once the message is queued: None, or a ``MessageTracker``.
            Its exception is ``Again`` (``DONTWAIT`` and no room now, or ``SNDTIMEO``
            expired: the frames held by ``SNDMORE`` stay held for a retry), or a
            ``ZMQError``: ``ENOTSUP`` for a type that cannot send, ``ENOTSOCK`` once
            closed, a refusal for good (``EFSM``, ``EHOSTUNREACH``) that drops the
            message, raised already for the first frame as libzmq does.

        Raises:
            TypeError: ``data`` is not bytes-like (``str`` included).
            RuntimeError: No event loop is running, or the socket belongs to another.

        Cancellation-safe: a cancelled send queued the whole message or none of it (the
        frames held by ``SNDMORE`` stay held).
        """
        queue = self._out_lane  # open only while nothing else comes first
        plain = copy and not track and not flags & _SNDMORE
        if queue is not None and plain and type(data) is bytes:
            # The hot path: push onto the fast lane. A full queue makes the sender wait,
            # which yields to the loop; only an unbounded one needs the yield budget.
            items = queue.items
            hwm = queue.hwm
            if len(items) < hwm or (not hwm and self._spend()):
                items.append((data,))
                if len(items) == 1:
                    queue.on_readable()
                return self._done_none  # type: ignore[return-value]  # set: lane open
        frame = data if type(data) is bytes else to_bytes(data, "data")
        tracked = not copy or track or isinstance(data, Frame)
        if flags & _SNDMORE:
            return self._hold((frame,), tracked)
        parts = self._send_parts
        if parts:
            self._send_parts = []
            return self._send_message((*parts, frame), flags, tracked, parts)
        return self._send_message((frame,), flags, tracked, parts)

    def send_multipart(
        self, msg_parts: Iterable[object], flags: int = 0, copy: bool = True, track: bool = False
    ) -> _Future[Any]:
        """Send a multipart message atomically (after any frames held by ``SNDMORE``).

        Args:
            msg_parts: The frames (bytes-like or [Frame][aiomq.Frame] each).
            flags: ``aiomq.DONTWAIT``; ``aiomq.SNDMORE`` holds every frame for a message
                that later calls complete, as libzmq does.
            copy: As [send][aiomq.Socket.send].
            track: As ``send``.

        Returns:
            A future as ``send``'s.

        Raises:
            TypeError: A frame is not bytes-like, or ``msg_parts`` is a single frame.
            ValueError: ``msg_parts`` is empty.
            RuntimeError: No event loop is running, or the socket belongs to another.

        Cancellation-safe: the whole message was queued, or none of it.
        """
        message, has_frame = _as_message(msg_parts)
        tracked = not copy or track or has_frame
        if flags & _SNDMORE:
            return self._hold(message, tracked)
        parts = self._send_parts
        if parts:
            self._send_parts = []
            message = (*parts, *message)
        return self._send_message(message, flags, tracked, parts)

    def _hold(self, frames: Message, tracked: bool) -> _Future[Any]:
        """Hold ``frames`` for the message that the next call without ``SNDMORE`` ends."""
        loop = self._loop or self._current_loop()
        if self._closed:
            return self._failed(loop, self._closed_error())
        try:
            self._check_send(frames[0])
        except ZMQError as exc:
            return self._failed(loop, exc)
        self._send_parts.extend(frames)
        self._sync_out_lane()  # closes it: the next frames complete this message
        return self._sent(loop, tracked)

    def _send_message(
        self, message: Message, flags: int, tracked: bool, held: list[bytes]
    ) -> _Future[Any]:
        loop = self._loop or self._current_loop()
        if held:
            self._sync_out_lane()  # the held frames went into this message
        if self._closed:
            return self._failed(loop, self._closed_error())
        line = self._send_line
        fresh = False
        if line.idle:
            if self._spend():
                try:
                    self._sender(message)
                except Again as exc:
                    if flags & _DONTWAIT:
                        self._hand_back(held)
                        return self._failed(loop, exc)
                except ZMQError as exc:
                    return self._failed(loop, exc)
                else:
                    return self._sent(loop, tracked)
            else:
                self._budget = _YIELD_EVERY
                fresh = True
        elif flags & _DONTWAIT:
            self._hand_back(held)
            return self._failed(loop, Again("earlier sends are still waiting"))
        op = SendPending(line, self._waiting_loop(), fresh)
        op.message = message
        op.held = held
        op.tracked = tracked
        return self._wait_in(line, op, self._options.sndtimeo)

    def _attempt_send(self, op: SendPending) -> bool:
        """Queue a pending send now; False when no peer can take it yet."""
        if self._closed:
            op.set_exception(self._closed_error())
            return True
        try:
            self._sender(op.message)
        except Again:
            return False
        except ZMQError as exc:
            op.set_exception(exc)
        else:
            op.set_result(MessageTracker() if op.tracked else None)
        return True

    def _send_abandoned(self, op: SendPending) -> None:
        self._hand_back(op.held)

    def _hand_back(self, held: list[bytes]) -> None:
        """A message that did not go: hold its ``SNDMORE`` frames again for a retry,
        unless another message has been started since."""
        if held and not self._send_parts:
            self._send_parts = held
            self._sync_out_lane()

    # -- receiving ------------------------------------------------------------------

    @overload
    def recv(
        self, flags: int = 0, copy: Literal[True] = True, track: bool = False
    ) -> _Future[bytes]: ...
    @overload
    def recv(
        self, flags: int = 0, *, copy: Literal[False], track: bool = False
    ) -> _Future[Frame]: ...
    @overload
    def recv(self, flags: int, copy: Literal[False], track: bool = False) -> _Future[Frame]: ...
    @overload
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> _Future[Any]: ...
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> _Future[Any]:
        """Receive one frame; ``RCVMORE`` (or ``Frame.more``) tells whether more follow.

        Args:
            flags: ``aiomq.DONTWAIT``.
            copy: False: the result is a [Frame][aiomq.Frame] (no copy is made either
                way; a Frame also carries the connection's properties).
            track: Accepted as in pyzmq: a received Frame always carries a (done)
                ``tracker``, and a ``bytes`` result has nothing to track.

        Returns:
            A future of the frame. Its exception is ``Again`` (``DONTWAIT`` and nothing
            is waiting, or ``RCVTIMEO`` expired) or a ``ZMQError``: ``ENOTSUP`` for a
            type that cannot receive, ``EFSM`` out of turn, ``ENOTSOCK`` once closed. A
            receive pending when the socket closes is cancelled, as in zmq.asyncio.

        Raises:
            RuntimeError: No event loop is running, or the socket belongs to another.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        queue = self._in_lane  # open only while nothing else comes first
        if queue is not None and copy:
            # The hot path: pop from the fast lane. What a bounded queue holds runs out
            # (its writer waits for room), and then the receive waits, which yields to
            # the loop; only an unbounded one needs the yield budget.
            items = queue.items
            hwm = queue.hwm
            if items and (hwm or self._spend()):
                message = items.popleft()
                if len(items) + 1 == hwm:
                    queue.on_writable()
                if len(message) > 1:
                    self._recv_rest = list(message[1:])
                    self._sync_in_lane()  # closes it: the rest comes first
                ready = self._ready  # reused once nothing else refers to it
                if _getrefcount(ready) == UNSHARED:
                    ready.value = message[0]
                    return ready
                ready = self._ready = Ready(ready.get_loop(), message[0])
                return ready
        return self._receive(False, flags, copy, None)

    @overload
    def recv_multipart(
        self, flags: int = 0, copy: Literal[True] = True, track: bool = False
    ) -> _Future[list[bytes]]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, *, copy: Literal[False], track: bool = False
    ) -> _Future[list[Frame]]: ...
    @overload
    def recv_multipart(
        self, flags: int, copy: Literal[False], track: bool = False
    ) -> _Future[list[Frame]]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> _Future[list[Any]]: ...
    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> _Future[list[Any]]:
        """Receive a whole multipart message (or the rest of one partly read by ``recv``).

        Args:
            flags: ``aiomq.DONTWAIT``.
            copy: False: the frames are [Frame][aiomq.Frame] objects.
            track: As ``recv``'s.

        Returns:
            A future of the frames; exceptions as [recv][aiomq.Socket.recv]'s.

        Raises:
            RuntimeError: No event loop is running, or the socket belongs to another.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        queue = self._in_lane  # open only while nothing else comes first
        if queue is not None and copy:
            items = queue.items
            hwm = queue.hwm
            if items and (hwm or self._spend()):  # the budget: as recv's
                message = items.popleft()
                if len(items) + 1 == hwm:
                    queue.on_writable()
                ready = self._ready  # as recv's
                if _getrefcount(ready) == UNSHARED:
                    ready.value = list(message)
                    return ready
                ready = self._ready = Ready(ready.get_loop(), list(message))
                return ready
        return self._receive(True, flags, copy, None)

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> _Future[int]:
        """Receive one frame into ``buffer``, as pyzmq's ``recv_into``.

        Args:
            buffer: A writable buffer (bytearray, memoryview ...).
            nbytes: Copy at most this many octets (0: as many as ``buffer`` holds).
            flags: ``aiomq.DONTWAIT``.

        Returns:
            A future of the frame's full length: larger than what was copied when the
            frame was truncated. Exceptions as [recv][aiomq.Socket.recv]'s.

        Raises:
            TypeError: ``buffer`` is not a writable buffer.
            ValueError: ``nbytes`` is negative.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        if nbytes < 0:
            raise ValueError(f"nbytes must be non-negative, not {nbytes}")
        try:
            view = memoryview(buffer).cast("B")
        except TypeError:
            raise TypeError(
                f"recv_into needs a writable buffer, not {type(buffer).__name__}"
            ) from None
        if view.readonly:
            raise TypeError("recv_into needs a writable buffer, not a read-only one")
        limit = min(nbytes or len(view), len(view))

        def copy_into(frame: bytes) -> int:
            count = min(limit, len(frame))
            view[:count] = frame[:count]
            return len(frame)

        return self._receive(False, flags, True, copy_into)

    def recv_message(self, flags: int = 0) -> _Future[ReceivedMessage]:
        """Receive a whole multipart message with its connection's properties.

        The properties (``User-Id``, ZAP metadata, ``Peer-Address``, the peer's
        handshake metadata) are those of the connection the message came over; read
        them with [Message.get][aiomq.Message.get]. Messages over ``inproc://`` carry
        none.

        Returns:
            A future of the message; exceptions as [recv][aiomq.Socket.recv]'s.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        return self._receive(
            True, flags, True, lambda frames: ReceivedMessage(frames, dict(self._properties()))
        )

    def _receive(
        self,
        whole: bool,
        flags: int,
        copy: bool,
        transform: Callable[[Any], Any] | None,
    ) -> _Future[Any]:
        """Receive a frame (or a whole message) now, or return a future waiting in line."""
        loop = self._loop or self._current_loop()
        if self._closed:
            return self._failed(loop, self._closed_error())
        line = self._recv_line
        fresh = False
        if line.idle:
            if self._spend():
                try:
                    value = self._take_value(whole)
                except ZMQError as exc:
                    return self._failed(loop, exc)
                if value is not _NOTHING:
                    if not copy:
                        value = self._frames(value, whole, copy)
                    if transform is not None:
                        try:
                            value = transform(value)
                        except Exception as exc:  # consumed either way, as in pyzmq
                            return self._failed(loop, exc)
                    return self._ready_with(value)
                if flags & _DONTWAIT:
                    return self._failed(loop, Again("no message available"))
            else:
                self._budget = _YIELD_EVERY
                fresh = True
        elif flags & _DONTWAIT:
            return self._failed(loop, Again("earlier receives are still waiting"))
        op = RecvPending(line, self._waiting_loop(), fresh)
        op.whole = whole
        op.copy = copy
        op.transform = transform
        return self._wait_in(line, op, self._options.rcvtimeo)

    def _attempt_recv(self, op: RecvPending) -> bool:
        """Complete a pending receive now; False when nothing is waiting yet."""
        if self._closed:
            op.set_exception(self._closed_error())
            return True
        try:
            value = self._take_value(op.whole)
        except ZMQError as exc:
            op.set_exception(exc)
            return True
        if value is _NOTHING:
            return False
        _deliver(op, self._frames(value, op.whole, op.copy), op.transform)
        return True

    def _take_value(self, whole: bool) -> Any:
        """The next frame (or whole message, or the rest of one); ``_NOTHING`` if none.

        Raises:
            ZMQError: The socket cannot receive now for good (``EFSM``, ``ENOTSUP``).
        """
        rest = self._recv_rest
        if rest:
            if whole:
                self._recv_rest = []
                self._sync_in_lane()
                return rest
            frame = rest.pop(0)
            if not rest:
                self._sync_in_lane()
            return frame
        message = self._take_message()
        if message is None:
            return _NOTHING
        if whole:
            return list(message)
        if len(message) > 1:
            self._recv_rest = list(message[1:])
            self._sync_in_lane()  # closes it: the rest comes first
        return message[0]

    def _take_message(self) -> Message | None:
        """The next whole message, or None when none is waiting (asking the pattern only
        when one might be: a raised ``Again`` costs more than the rest of a receive)."""
        if self._peeked is None:
            queue = self._offered_in
            if queue is not None:  # one peer: its queue is all there is
                return queue.pop() if queue.items else None
            if self._surely_empty():
                return None
        try:
            return self._take()
        except Again:
            return None

    def _take(self) -> Message:
        """The next message: the one ``poll`` looked ahead at, else the pattern's."""
        peeked = self._peeked
        if peeked is None:
            return self._receiver()
        self._peeked = None
        self._sync_in_lane()
        return peeked

    def _frames(self, value: Any, whole: bool, copy: bool) -> Any:
        """``value`` as delivered: as it is, or as [Frame][aiomq.Frame] objects."""
        if copy:
            return value
        properties = self._properties()
        if whole:
            last = len(value) - 1
            return [
                Frame.received(frame, index < last, properties) for index, frame in enumerate(value)
            ]
        return Frame.received(value, bool(self._recv_rest), properties)

    def _properties(self) -> dict[str, bytes]:
        """The properties of the connection the last message came over."""
        for strategy in self._strategies:
            pipe = strategy.last_pipe
            if pipe is not None:
                return pipe.properties
        return {}

    # -- non-blocking twins and readiness --------------------------------------------

    def recv_multipart_nowait(self) -> list[bytes]:
        """Receive a whole message if one is waiting, without awaiting.

        Raises:
            Again: Nothing is waiting (or pending receives are first in line).
            ZMQError: ``ENOTSUP``/``EFSM`` as ``recv_multipart``; ``ENOTSOCK`` if closed.
        """
        self._check_open()
        if not self._recv_line.idle:
            raise Again("earlier receives are still waiting")
        value = self._take_value(True)
        if value is _NOTHING:
            raise Again("no message available")
        frames: list[bytes] = value
        return frames

    def send_multipart_nowait(self, msg_parts: Iterable[object]) -> None:
        """Queue a whole message if a peer can take it now, without awaiting.

        Raises:
            TypeError: A frame is not bytes-like.
            ValueError: ``msg_parts`` is empty.
            Again: No peer can take it now (or pending sends are first in line).
            ZMQError: ``ENOTSUP``/``EFSM``/``EHOSTUNREACH`` as ``send_multipart``.
        """
        self._check_open()
        message, _ = _as_message(msg_parts)
        if not self._send_line.idle:
            raise Again("earlier sends are still waiting")
        self._sender(message)

    def _can_send(self) -> bool:
        """True when a send would complete now (subclasses that can send)."""
        return False

    def _surely_empty(self) -> bool:
        """True only when a receive would surely raise ``Again`` now, and nothing else
        (so the wait can start without the failed attempt); False when unsure."""
        return False

    def _poll_events(self, flags: int) -> int:
        """The subset of ``POLLIN | POLLOUT`` in ``flags`` that holds now."""
        events = 0
        if flags & _POLLIN and (self._recv_rest or self._peeked is not None or self._peek()):
            events |= _POLLIN
        if flags & _POLLOUT and self._can_send():
            events |= _POLLOUT
        return events

    def _peek(self) -> bool:
        """Look ahead for a message (as libzmq's has_in does): True if one is waiting."""
        try:
            self._peeked = self._receiver()
        except ZMQError:  # Again, or a type/state that cannot receive now
            return False
        self._sync_in_lane()  # closes it: the looked-at message comes first
        return True

    def _poll_signals(self, flags: int) -> list[Signal]:
        """The signals that announce a change of the ``POLLIN``/``POLLOUT`` in ``flags``."""
        signals = [self._readable] if flags & _POLLIN else []
        if flags & _POLLOUT:
            signals.append(self._writable)
        return signals

    def poll(self, timeout: int | None = None, flags: int = _POLLIN) -> _Future[int]:
        """Wait until the socket is readable and/or writable, as zmq.asyncio's ``poll``.

        Args:
            timeout: Milliseconds to wait; ``None`` or negative waits forever, 0 checks.
            flags: ``aiomq.POLLIN``, ``aiomq.POLLOUT`` or both.

        Returns:
            A future of the events that hold (0 on timeout). It is cancelled if the
            socket closes meanwhile, as in zmq.asyncio.

        Raises:
            ZMQError: ``ENOTSOCK`` if the socket is closed.

        Cancellation-safe: polling consumes nothing.
        """
        from ..poller import Poller

        loop = self._current_loop()
        self._check_open()
        events = self._poll_events(flags)
        if events or timeout == 0:
            fut: _Future[int] = _Future(loop=loop)
            fut.set_result(events)
            return fut
        poller = Poller()
        poller.register(self, flags)
        return poller._poll_one(self, timeout)

    # -- waiting --------------------------------------------------------------------

    def _waiting_loop(self) -> asyncio.AbstractEventLoop:
        """The loop a call that must wait waits on: the socket's, checked.

        Waiting is where a socket used from a dead loop would hang; one that ended with
        ``asyncio.run`` was noticed already (``_loop`` is None), one closed by hand is
        caught here.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return self._current_loop()
        return loop

    def _wait_in(self, line: Line, op: Pending, timeout_ms: int) -> Pending:
        """Queue ``op`` in ``line``, timing out after ``timeout_ms``."""
        deadline = None if timeout_ms < 0 else op.get_loop().time() + timeout_ms / 1000
        return line.add(op, deadline)

    # -- closing --------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise self._closed_error()

    def _closed_error(self) -> ZMQError:
        return self._close_error or ZMQError(ENOTSOCK, "Socket operation on a closed socket")

    def close(self, linger: int | None = None) -> None:
        """Close the socket now; queued messages flush in the background.

        Pending receives, sends and polls are cancelled (with the context terminated,
        they fail with ``ContextTerminated`` instead).

        Args:
            linger: Milliseconds to keep flushing (overrides ``LINGER``); -1 forever,
                0 drops everything at once.
        """
        if self._closed:
            return
        if linger is not None:
            self._options.set(SocketOption.LINGER, linger)
        self._closed = True
        self._sync_in_lane()  # closes them: the hot paths test only their lane
        self._sync_out_lane()
        error = self._close_error
        self._recv_line.cancel_all(error)
        self._send_line.cancel_all(error)
        for poll in list(self._polls):
            poll.cancel()
        self._readable.set()
        self._writable.set()
        if self._manager is not None:
            self._closed_future = self._manager.close(self._options.linger)
        self._context._forget(self)
        for listener in list(self._monitor_listeners):
            if isinstance(listener, MonitorFeed):
                listener.socket_closed(self._closed_future)

    async def aclose(self, linger: int | None = None) -> None:
        """Close the socket and wait until queued messages are flushed (bounded by LINGER).

        Cancellation-safe: cancelling the wait does not stop the flush.
        """
        self.close(linger)
        if self._closed_future is not None:
            await asyncio.shield(self._closed_future)

    def _terminate(self) -> None:
        """The context is terminating: pending and future calls raise ContextTerminated."""
        self._close_error = ContextTerminated()
        self.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close (``with ctx.socket(...) as sock:``); the flush goes on in the background."""
        self.close()

    async def __aenter__(self: _S) -> _S:
        return self

    async def __aexit__(
        self, exc_type: builtins.type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        """Close, and wait for the flush (bounded by ``LINGER``) unless the block is left
        by a cancellation, ``KeyboardInterrupt`` or ``SystemExit``: then the flush goes on
        in the background and the exit does not block."""
        if exc_type is not None and not issubclass(exc_type, Exception):
            self.close()
            return
        await self.aclose()

    def __aiter__(self: _S) -> _S:
        """``async for parts in sock:`` receives whole messages until the socket closes."""
        return self

    async def __anext__(self) -> list[bytes]:
        """The next whole message (``recv_multipart``).

        Raises:
            StopAsyncIteration: The socket was closed or its context terminated, before
                or during the wait.
            Again: ``RCVTIMEO`` expired (iteration can be resumed).
            ZMQError: ``ENOTSUP`` for a type that cannot receive.

        Cancellation-safe: a cancelled step consumes nothing.
        """
        try:
            return await self._closing_as_error(self.recv_multipart())
        except ZMQError as exc:
            if self._closed and (exc.errno == ENOTSOCK or isinstance(exc, ContextTerminated)):
                raise StopAsyncIteration from None
            raise

    async def _closing_as_error(self, fut: _Future[_R]) -> _R:
        """Await ``fut``; if the socket's closing cancelled it, raise the closed error
        (``ENOTSOCK`` or ``ContextTerminated``) instead of ``CancelledError``."""
        try:
            return await fut
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._closed and fut.cancelled() and (task is None or not task.cancelling()):
                raise self._closed_error() from None
            raise


def _deliver(fut: _Future[Any], value: Any, transform: Callable[[Any], Any] | None) -> None:
    """Complete ``fut`` with ``value``, decoded by ``transform`` (whose error it gets)."""
    if transform is None:
        fut.set_result(value)
        return
    try:
        result = transform(value)
    except Exception as exc:  # the message is consumed either way, as in pyzmq
        fut.set_exception(exc)
    else:
        fut.set_result(result)


def _as_message(msg_parts: Iterable[object]) -> tuple[Message, bool]:
    """The frames of ``msg_parts`` as bytes, and whether any was a ``Frame``."""
    if isinstance(msg_parts, bytes | bytearray | memoryview | str | Frame):
        raise TypeError("msg_parts must be a list of frames, not a single frame")
    parts = list(msg_parts)
    if not parts:
        raise ValueError("msg_parts needs at least one frame")
    message = tuple([to_bytes(part, "each of msg_parts") for part in parts])
    return message, any(type(part) is Frame for part in parts)


def _topic(topic: object) -> bytes:
    if isinstance(topic, str):
        return topic.encode()
    if isinstance(topic, bytes | bytearray | memoryview):
        return bytes(topic)
    raise TypeError(f"topic must be bytes or str, not {type(topic).__name__}")


def _endpoint(addr: object) -> str:
    if isinstance(addr, str):
        return addr
    if isinstance(addr, bytes):
        return addr.decode()
    raise TypeError(f"an endpoint is a str (or bytes), not {type(addr).__name__}")


def _option(option: object) -> SocketOption:
    return option_member(SocketOption, option, "socket option", "aiomq.LINGER")
