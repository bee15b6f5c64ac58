"""The socket base: the async public API, written once over non-blocking strategies.

A pattern subclass only says which strategies it composes (``_strategies``) and binds
``_send_nowait``/``_recv_nowait`` to them. Everything about waiting, timeouts,
cancellation, multipart assembly, options and closing lives here.

Layer 6.
"""

from __future__ import annotations

import asyncio
import builtins
import itertools
import pickle
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload

from .. import serialization as _ser
from .._flush import flush_queue
from .._link import SocketLink
from .._manager import ConnectionManager
from .._message import Message as ReceivedMessage
from .._monitor import EVENT_ALL, MonitorFeed, MonitorMessages, MonitorStream
from .._pipe import Message, MessageQueue, Pipe
from .._routing import Strategy
from .._signal import Signal, wait_any
from ..constants import Event, Flag, PollEvent, SocketOption, SocketType
from ..errors import EINVAL, ENOTSOCK, ENOTSUP, Again, ContextTerminated, ZMQError
from ..options import Options, OptionValue

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["Socket"]

_T = TypeVar("_T", int, bytes)
_R = TypeVar("_R")
# How many sends/receives may complete without suspending before one yields to the loop.
_YIELD_EVERY = 512
_DONTWAIT = int(Flag.DONTWAIT)
_SNDMORE = int(Flag.SNDMORE)
_POLLIN = int(PollEvent.POLLIN)
_POLLOUT = int(PollEvent.POLLOUT)

MonitorListener = Callable[[Event, str, "int | str"], None]
_MONITOR_IDS = itertools.count()


class _Option(Generic[_T]):
    """A socket attribute backed by an option (``sock.linger = 0``), as in pyzmq."""

    def __init__(self, option: SocketOption) -> None:
        self.option = option

    @overload
    def __get__(self, obj: None, owner: type[Socket]) -> _Option[_T]: ...
    @overload
    def __get__(self, obj: Socket, owner: type[Socket]) -> _T: ...
    def __get__(self, obj: Socket | None, owner: type[Socket]) -> _T | _Option[_T]:
        if obj is None:
            return self
        value: Any = obj.getsockopt(self.option)
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: Socket, value: _T) -> None:
        obj.setsockopt(self.option, value)


def _as_frame(data: object, argument: str) -> bytes:
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        raise TypeError(f"{argument} must be bytes-like, not str (encode it, or use send_string)")
    try:
        return bytes(memoryview(data))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{argument} must be bytes-like, not {type(data).__name__}") from None


def _as_message(msg_parts: Iterable[object]) -> Message:
    if isinstance(msg_parts, bytes | str):
        raise TypeError("msg_parts must be a list of frames, not a single frame")
    message = tuple([_as_frame(part, "each of msg_parts") for part in msg_parts])
    if not message:
        raise ValueError("msg_parts needs at least one frame")
    return message


class Socket:
    """An aiomq socket: pyzmq's API, with awaitable ``send``/``recv``.

    Create sockets with :meth:`Context.socket`. ``bind``/``connect`` are synchronous and
    need a running event loop; ``send``/``recv`` are coroutines. A cancelled ``recv``
    consumes nothing; a cancelled ``send`` queued the whole message or none of it.

    ``async for parts in sock:`` receives whole messages (``list[bytes]``) until the
    socket is closed or its context terminated; each step is cancellation-safe.
    """

    peer_types: ClassVar[frozenset[str]] = frozenset()
    """``Socket-Type`` names this type may talk to (ZMTP compatibility matrix)."""

    linger = _Option[int](SocketOption.LINGER)
    sndhwm = _Option[int](SocketOption.SNDHWM)
    rcvhwm = _Option[int](SocketOption.RCVHWM)
    rcvtimeo = _Option[int](SocketOption.RCVTIMEO)
    sndtimeo = _Option[int](SocketOption.SNDTIMEO)
    reconnect_ivl = _Option[int](SocketOption.RECONNECT_IVL)
    reconnect_ivl_max = _Option[int](SocketOption.RECONNECT_IVL_MAX)
    heartbeat_ivl = _Option[int](SocketOption.HEARTBEAT_IVL)
    heartbeat_timeout = _Option[int](SocketOption.HEARTBEAT_TIMEOUT)
    heartbeat_ttl = _Option[int](SocketOption.HEARTBEAT_TTL)
    handshake_ivl = _Option[int](SocketOption.HANDSHAKE_IVL)
    maxmsgsize = _Option[int](SocketOption.MAXMSGSIZE)
    immediate = _Option[int](SocketOption.IMMEDIATE)
    routing_id = _Option[bytes](SocketOption.ROUTING_ID)
    identity = _Option[bytes](SocketOption.ROUTING_ID)
    mechanism = _Option[int](SocketOption.MECHANISM)
    plain_server = _Option[int](SocketOption.PLAIN_SERVER)
    plain_username = _Option[bytes](SocketOption.PLAIN_USERNAME)
    plain_password = _Option[bytes](SocketOption.PLAIN_PASSWORD)
    zap_domain = _Option[bytes](SocketOption.ZAP_DOMAIN)
    zap_enforce_domain = _Option[int](SocketOption.ZAP_ENFORCE_DOMAIN)
    curve_server = _Option[int](SocketOption.CURVE_SERVER)
    curve_publickey = _Option[bytes](SocketOption.CURVE_PUBLICKEY)
    curve_secretkey = _Option[bytes](SocketOption.CURVE_SECRETKEY)
    curve_serverkey = _Option[bytes](SocketOption.CURVE_SERVERKEY)

    def __init__(self, context: Context, socket_type: SocketType) -> None:
        self._context = context
        self._type = socket_type
        self._options = Options(int(socket_type))
        self._readable = Signal()
        self._writable = Signal()
        self._strategies: tuple[Strategy, ...] = ()
        self._manager: ConnectionManager | None = None
        self._closed = False
        self._close_error: ZMQError | None = None
        self._closed_future: asyncio.Future[None] | None = None
        self._send_parts: list[bytes] = []
        self._recv_rest: list[bytes] = []
        self._peeked: Message | None = None
        self._budget = _YIELD_EVERY
        # The fast lanes: queues a send may push onto / a receive pop from directly,
        # set by the pattern's strategies while they have nothing to decide (one peer).
        self._out_lane: MessageQueue | None = None
        self._in_lane: MessageQueue | None = None
        self._monitor_listeners: list[MonitorListener] = []
        self._setup()

    def _setup(self) -> None:
        """Build the pattern's strategies (subclasses)."""

    def _set_out_lane(self, queue: MessageQueue | None) -> None:
        """The strategy's :data:`~aiomq._pipe.FastLane` for sends (none once closed)."""
        self._out_lane = None if self._closed else queue

    def _set_in_lane(self, queue: MessageQueue | None) -> None:
        """The strategy's :data:`~aiomq._pipe.FastLane` for receives (none once closed)."""
        self._in_lane = None if self._closed else queue

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

    def _send_nowait(self, message: Message) -> None:
        raise ZMQError(ENOTSUP, f"{self._type.name} sockets cannot send")

    def _recv_nowait(self) -> Message:
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
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def last_endpoint(self) -> str:
        """The last endpoint bound or connected, resolved (``tcp://127.0.0.1:40123``)."""
        return self._manager.last_endpoint if self._manager is not None else ""

    def __repr__(self) -> str:
        state = "closed" if self._closed else (self.last_endpoint or "unbound")
        return f"<aiomq.Socket {self._type.name} {state}>"

    # -- options --------------------------------------------------------------------

    def setsockopt(self, option: int, value: OptionValue) -> None:
        """Set a socket option (``aiomq.LINGER`` ...).

        Raises:
            TypeError: ``value`` has the wrong type.
            ZMQError: ``EINVAL`` for an unknown or read-only option or a bad value.
        """
        opt = _option(option)
        if not self._set_action(opt, value):
            self._options.set(opt, value)

    def getsockopt(self, option: int) -> int | bytes:
        """Return a socket option's value (``LAST_ENDPOINT`` as bytes, as pyzmq).

        Raises:
            ZMQError: ``EINVAL`` for an unknown option.
        """
        opt = _option(option)
        if opt is SocketOption.LAST_ENDPOINT:
            return self.last_endpoint.encode()
        if opt is SocketOption.RCVMORE:
            return int(bool(self._recv_rest))
        return self._options.get(opt)

    set = setsockopt
    get = getsockopt

    def subscribe(self, topic: bytes | str) -> None:
        """Subscribe to ``topic``: ``setsockopt(SUBSCRIBE, topic)``, str as UTF-8 (pyzmq).

        Raises:
            TypeError: ``topic`` is neither bytes-like nor str.
            ZMQError: ``EINVAL`` unless this is a SUB, or an XPUB with ``XPUB_MANUAL``.
        """
        self.setsockopt(SocketOption.SUBSCRIBE, _topic(topic))

    def unsubscribe(self, topic: bytes | str) -> None:
        """Take back one :meth:`subscribe`: ``setsockopt(UNSUBSCRIBE, topic)``.

        Raises:
            TypeError: ``topic`` is neither bytes-like nor str.
            ZMQError: ``EINVAL`` unless this is a SUB, or an XPUB with ``XPUB_MANUAL``.
        """
        self.setsockopt(SocketOption.UNSUBSCRIBE, _topic(topic))

    # -- connections ----------------------------------------------------------------

    def _connections(self) -> ConnectionManager:
        self._check_open()
        manager = self._manager
        if manager is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError("bind() and connect() need a running event loop") from None
            link = SocketLink(
                self,
                self._options,
                self._type.name,
                self.peer_types,
                self._emit,
                loop,
                self._context._zap,
            )
            manager = self._manager = ConnectionManager(link, self._context._inproc)
        return manager

    def bind(self, addr: str) -> None:
        """Bind to an endpoint and accept peers (synchronous; needs a running loop).

        Args:
            addr: e.g. ``tcp://127.0.0.1:*``, ``ipc:///tmp/feed``, ``inproc://jobs``.

        Raises:
            ZMQError: At once for a bad endpoint (``EINVAL``), an unknown transport
                (``EPROTONOSUPPORT``) or an address in use (``EADDRINUSE``).
        """
        self._connections().bind(addr)

    def connect(self, addr: str) -> None:
        """Connect to an endpoint; an absent peer is retried in the background.

        Raises:
            ZMQError: For a malformed endpoint or an unknown transport.
        """
        self._connections().connect(addr)

    def unbind(self, addr: str) -> None:
        """Stop listening on an endpoint and drop the peers accepted there.

        Raises:
            ZMQError: ``ENOENT`` when not bound to ``addr``.
        """
        self._connections().unbind(addr)

    def disconnect(self, addr: str) -> None:
        """Stop connecting to an endpoint and drop its queue.

        Raises:
            ZMQError: ``ENOENT`` when not connected to ``addr``.
        """
        self._connections().disconnect(addr)

    # -- PipeSink (called by the connection manager) --------------------------------

    def attach_pipe(self, pipe: Pipe) -> bool:
        """Route through a new peer's pipe; False refuses the peer."""
        if self._closed:
            return False
        done: list[Strategy] = []
        for strategy in self._strategies:
            if not strategy.attach(pipe):
                for attached in done:
                    attached.detach(pipe)
                return False
            done.append(strategy)
        pipe.on_drained = self.detach_pipe
        return True

    def terminate_pipe(self, pipe: Pipe) -> None:
        """The peer left: stop sending to it, deliver what it sent, then drop it."""
        pipe.terminating = True
        pipe.outbound.clear()
        for strategy in self._strategies:
            strategy.terminate(pipe)
        if not len(pipe.inbound):
            self.detach_pipe(pipe)

    def pipe_reconnected(self, pipe: Pipe) -> None:
        """A session's pipe has a new connection beneath it."""
        self._reconnected(pipe)

    def detach_pipe(self, pipe: Pipe) -> None:
        """Drop a pipe now."""
        for strategy in self._strategies:
            strategy.detach(pipe)
        self._writable.set()

    def _emit(self, event: Event, endpoint: str, value: int | str) -> None:
        for listener in self._monitor_listeners:
            listener(event, endpoint, value)

    # -- sending --------------------------------------------------------------------

    async def send(
        self, data: object, flags: int = 0, copy: bool = True, track: bool = False
    ) -> None:
        """Send one frame; with ``SNDMORE`` it is held until the last frame is sent.

        Args:
            data: bytes, bytearray, memoryview or another buffer.
            flags: ``aiomq.SNDMORE``, ``aiomq.DONTWAIT``.
            copy: Accepted for pyzmq compatibility.
            track: Accepted for pyzmq compatibility.

        Raises:
            TypeError: ``data`` is not bytes-like (``str`` included).
            Again: ``DONTWAIT`` and no peer can take it now, or ``SNDTIMEO`` expired
                (the frames held by ``SNDMORE`` stay held for a retry).
            ZMQError: ``ENOTSUP`` for a type that cannot send; ``ENOTSOCK`` if closed;
                a refusal for good (``EFSM``, ``EHOSTUNREACH``), raised already for the
                first frame as libzmq does, drops the message.

        Cancellation-safe: a cancelled send queued the whole message or none of it (the
        frames held by ``SNDMORE`` stay held).
        """
        frame = data if type(data) is bytes else _as_frame(data, "data")
        if flags & _SNDMORE:
            self._check_open()
            self._check_send(frame)
            self._send_parts.append(frame)
            return
        parts = self._send_parts
        if not parts:
            # The hot path, _send inlined: yield now and then (before queuing, so a
            # cancellation never loses a queued message), then push onto the lane.
            budget = self._budget - 1
            if budget:
                self._budget = budget
            else:
                self._budget = _YIELD_EVERY
                await asyncio.sleep(0)
            queue = self._out_lane  # None once closed
            if queue is not None:
                items = queue.items
                hwm = queue.hwm
                if not hwm or len(items) < hwm:
                    items.append((frame,))
                    if len(items) == 1:
                        queue.on_readable()
                    return
            if self._closed:
                raise self._closed_error()
            await self._send_or_wait((frame,), flags)
            return
        self._send_parts = []
        try:
            await self._send((*parts, frame), flags)
        except (Again, asyncio.CancelledError):
            self._send_parts = parts
            raise

    async def send_multipart(
        self, msg_parts: Iterable[object], flags: int = 0, copy: bool = True, track: bool = False
    ) -> None:
        """Send a multipart message atomically.

        Args:
            msg_parts: The frames (bytes-like each).
            flags: ``aiomq.DONTWAIT``.
            copy: Accepted for pyzmq compatibility.
            track: Accepted for pyzmq compatibility.

        Raises:
            TypeError: A frame is not bytes-like.
            ValueError: ``msg_parts`` is empty.
            Again: ``DONTWAIT`` and no peer can take it now, or ``SNDTIMEO`` expired.

        Cancellation-safe: the whole message was queued, or none of it.
        """
        await self._send(_as_message(msg_parts), flags & ~_SNDMORE)

    async def _send(self, message: Message, flags: int) -> None:
        self._budget -= 1
        if self._budget <= 0:
            self._budget = _YIELD_EVERY
            await asyncio.sleep(0)
        if self._closed:
            raise self._closed_error()
        await self._send_or_wait(message, flags)

    async def _send_or_wait(self, message: Message, flags: int) -> None:
        try:
            self._send_nowait(message)
            return
        except Again:
            if flags & _DONTWAIT:
                raise
        deadline = self._deadline(self._options.sndtimeo)
        while True:
            await self._wait(self._writable, deadline)
            try:
                self._send_nowait(message)
                return
            except Again:
                continue

    # -- receiving ------------------------------------------------------------------

    async def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> bytes:
        """Receive one frame; ``RCVMORE`` tells whether more frames follow.

        Raises:
            Again: ``DONTWAIT`` and nothing is waiting, or ``RCVTIMEO`` expired.
            ZMQError: ``ENOTSUP`` for a type that cannot receive; ``ENOTSOCK`` if closed.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        rest = self._recv_rest
        if rest:
            return rest.pop(0)
        # The hot path, _recv inlined: yield now and then (before taking, so a
        # cancellation never loses a message), then pop from the lane.
        budget = self._budget - 1
        if budget:
            self._budget = budget
        else:
            self._budget = _YIELD_EVERY
            await asyncio.sleep(0)
        queue = self._in_lane  # None once closed
        if queue is not None and queue.items and self._peeked is None:
            items = queue.items
            message = items.popleft()
            if len(items) + 1 == queue.hwm:
                queue.on_writable()
        else:
            if self._closed:
                raise self._closed_error()
            message = await self._take_or_wait(flags)
        if len(message) > 1:
            self._recv_rest = list(message[1:])
        return message[0]

    async def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> list[bytes]:
        """Receive a whole multipart message (or the rest of one partly read by ``recv``).

        Raises:
            Again: ``DONTWAIT`` and nothing is waiting, or ``RCVTIMEO`` expired.
            ZMQError: ``ENOTSUP`` for a type that cannot receive; ``ENOTSOCK`` if closed.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        rest = self._recv_rest
        if rest:
            self._recv_rest = []
            return rest
        return list(await self._recv(flags))

    async def _recv(self, flags: int) -> Message:
        self._budget -= 1
        if self._budget <= 0:
            self._budget = _YIELD_EVERY
            await asyncio.sleep(0)
        queue = self._in_lane  # None once closed
        if queue is not None and queue.items and self._peeked is None:
            items = queue.items
            message = items.popleft()
            if len(items) + 1 == queue.hwm:
                queue.on_writable()
            return message
        if self._closed:
            raise self._closed_error()
        return await self._take_or_wait(flags)

    async def _take_or_wait(self, flags: int) -> Message:
        if self._peeked is None and self._surely_empty():
            if flags & _DONTWAIT:
                raise Again("no message available")
        else:
            try:
                return self._take()
            except Again:
                if flags & _DONTWAIT:
                    raise
        deadline = self._deadline(self._options.rcvtimeo)
        while True:
            await self._wait(self._readable, deadline)
            try:
                return self._take()
            except Again:
                continue

    async def recv_message(self, flags: int = 0) -> ReceivedMessage:
        """Receive a whole multipart message with its connection's properties.

        The properties (``User-Id``, ZAP metadata, ``Peer-Address``, the peer's
        handshake metadata) are those of the connection the message came over;
        read them with :meth:`aiomq.Message.get`. Messages over ``inproc://``
        carry none.

        Raises:
            Again: ``DONTWAIT`` and nothing is waiting, or ``RCVTIMEO`` expired.
            ZMQError: ``ENOTSUP`` for a type that cannot receive; ``ENOTSOCK`` if closed.

        Cancellation-safe: a cancelled recv consumes nothing.
        """
        frames = await self.recv_multipart(flags)
        pipe: Pipe | None = None
        for strategy in reversed(self._strategies):
            pipe = getattr(strategy, "last_pipe", None) or getattr(strategy, "pipe", None)
            if pipe is not None:
                break
        return ReceivedMessage(frames, dict(pipe.properties) if pipe is not None else {})

    def _take(self) -> Message:
        """The next message: the one :meth:`poll` looked ahead at, else the pattern's."""
        peeked = self._peeked
        if peeked is None:
            return self._recv_nowait()
        self._peeked = None
        return peeked

    # -- serialization (pyzmq's send_json ... recv_pyobj) ---------------------------
    # Each encodes or decodes one frame around send()/recv(), so each inherits their
    # cancellation contract: decoding happens only after the frame was taken.

    async def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8"
    ) -> None:
        """Send a ``str`` as one encoded frame (``SNDMORE`` allowed, as :meth:`send`).

        Args:
            u: The text.
            flags: ``aiomq.SNDMORE``, ``aiomq.DONTWAIT``.
            copy: Accepted for pyzmq compatibility.
            encoding: The text encoding.

        Raises:
            TypeError: ``u`` is not a ``str`` (send bytes with :meth:`send`).
            UnicodeEncodeError: ``u`` cannot be encoded in ``encoding``.
            Again: As :meth:`send`.
            ZMQError: As :meth:`send`.

        Cancellation-safe as :meth:`send`.
        """
        await self.send(_ser.encode_string(u, encoding), flags)

    async def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        """Receive one frame and decode it as text.

        Raises:
            UnicodeDecodeError: The frame is not valid in ``encoding`` (it is consumed).
            Again: As :meth:`recv`.
            ZMQError: As :meth:`recv`.

        Cancellation-safe: a cancelled call consumes nothing.
        """
        return _ser.decode_string(await self.recv(flags), encoding)

    async def send_json(self, obj: object, flags: int = 0) -> None:
        """Send ``obj`` as one frame of compact UTF-8 JSON (msgspec).

        Structs, dataclasses, ``datetime``, ``UUID`` ... encode as msgspec documents.

        Raises:
            TypeError: ``obj`` holds a value JSON cannot encode.
            Again: As :meth:`send`.
            ZMQError: As :meth:`send`.

        Cancellation-safe as :meth:`send`.
        """
        await self.send(_ser.encode_json(obj), flags)

    @overload
    async def recv_json(self, flags: int = 0, type: None = None) -> Any: ...
    @overload
    async def recv_json(self, flags: int = 0, *, type: builtins.type[_R]) -> _R: ...
    @overload
    async def recv_json(self, flags: int = 0, *, type: object) -> Any: ...
    async def recv_json(self, flags: int = 0, type: object = None) -> Any:
        """Receive one JSON frame, decoded (and validated into ``type`` when given).

        Args:
            flags: ``aiomq.DONTWAIT``.
            type: A msgspec ``Struct`` or any type msgspec can decode into
                (``list[int]``, a dataclass, ``TypedDict`` ...); ``None`` gives plain
                Python objects.

        Raises:
            msgspec.ValidationError: The payload does not match ``type``. The message is
                consumed: the next call receives the next message.
            msgspec.DecodeError: The frame is not JSON (also consumed).
            TypeError: ``type`` is not a type msgspec supports (nothing is received).
            Again: As :meth:`recv`.
            ZMQError: As :meth:`recv`.

        Cancellation-safe: a cancelled call consumes nothing.
        """
        decode = _ser.json_decoder(type)  # a bad ``type`` fails before a receive
        return decode(await self.recv(flags))

    async def send_msgpack(self, obj: object, flags: int = 0) -> None:
        """Send ``obj`` as one MessagePack frame (msgspec).

        Raises:
            TypeError: ``obj`` holds a value MessagePack cannot encode.
            Again: As :meth:`send`.
            ZMQError: As :meth:`send`.

        Cancellation-safe as :meth:`send`.
        """
        await self.send(_ser.encode_msgpack(obj), flags)

    @overload
    async def recv_msgpack(self, flags: int = 0, type: None = None) -> Any: ...
    @overload
    async def recv_msgpack(self, flags: int = 0, *, type: builtins.type[_R]) -> _R: ...
    @overload
    async def recv_msgpack(self, flags: int = 0, *, type: object) -> Any: ...
    async def recv_msgpack(self, flags: int = 0, type: object = None) -> Any:
        """Receive one MessagePack frame, decoded (and validated into ``type`` when given).

        Raises:
            msgspec.ValidationError: The payload does not match ``type`` (consumed).
            msgspec.DecodeError: The frame is not MessagePack (consumed).
            TypeError: ``type`` is not a type msgspec supports (nothing is received).
            Again: As :meth:`recv`.
            ZMQError: As :meth:`recv`.

        Cancellation-safe: a cancelled call consumes nothing.
        """
        decode = _ser.msgpack_decoder(type)  # a bad ``type`` fails before a receive
        return decode(await self.recv(flags))

    async def send_pyobj(
        self, obj: object, flags: int = 0, protocol: int = pickle.DEFAULT_PROTOCOL
    ) -> None:
        """Send ``obj`` pickled in one frame.

        Warning:
            Only for trusted peers: the receiver's :meth:`recv_pyobj` unpickles, which
            runs arbitrary code.

        Raises:
            pickle.PicklingError: ``obj`` cannot be pickled (or what :func:`pickle.dumps`
                raises).
            Again: As :meth:`send`.
            ZMQError: As :meth:`send`.

        Cancellation-safe as :meth:`send`.
        """
        await self.send(_ser.dumps_pyobj(obj, protocol), flags)

    async def recv_pyobj(self, flags: int = 0) -> Any:
        """Receive one frame and unpickle it.

        Warning:
            **Unsafe with untrusted peers**: unpickling runs arbitrary code. Use
            :meth:`recv_json`/:meth:`recv_msgpack` with a ``type`` for data from outside.

        Raises:
            pickle.UnpicklingError: The frame is not a pickle (consumed).
            Again: As :meth:`recv`.
            ZMQError: As :meth:`recv`.

        Cancellation-safe: a cancelled call consumes nothing.
        """
        return _ser.loads_pyobj(await self.recv(flags))

    async def send_serialized(
        self,
        msg: _R,
        serialize: Callable[[_R], Iterable[object]],
        flags: int = 0,
        copy: bool = True,
    ) -> None:
        """Send ``serialize(msg)`` (a list of frames) as one multipart message, as pyzmq.

        Raises:
            TypeError: ``serialize`` returned something that is not a list of bytes-like
                frames.
            ValueError: ``serialize`` returned no frame.
            Again: As :meth:`send_multipart`.
            ZMQError: As :meth:`send_multipart`.

        Cancellation-safe as :meth:`send_multipart`.
        """
        await self.send_multipart(serialize(msg), flags)

    async def recv_serialized(
        self, deserialize: Callable[[list[bytes]], _R], flags: int = 0, copy: bool = True
    ) -> _R:
        """Receive a multipart message and return ``deserialize(frames)``, as pyzmq.

        Raises:
            Exception: Whatever ``deserialize`` raises (the message is consumed).
            Again: As :meth:`recv_multipart`.
            ZMQError: As :meth:`recv_multipart`.

        Cancellation-safe: a cancelled call consumes nothing.
        """
        return deserialize(await self.recv_multipart(flags))

    # -- non-blocking twins and readiness --------------------------------------------

    def recv_multipart_nowait(self) -> list[bytes]:
        """Receive a whole message if one is waiting, without awaiting.

        Raises:
            Again: Nothing is waiting.
            ZMQError: ``ENOTSUP``/``EFSM`` as :meth:`recv_multipart`; ``ENOTSOCK`` if closed.
        """
        self._check_open()
        rest = self._recv_rest
        if rest:
            self._recv_rest = []
            return rest
        return list(self._take())

    def send_multipart_nowait(self, msg_parts: Iterable[object]) -> None:
        """Queue a whole message if a peer can take it now, without awaiting.

        Raises:
            TypeError: A frame is not bytes-like.
            ValueError: ``msg_parts`` is empty.
            Again: No peer can take it now.
            ZMQError: ``ENOTSUP``/``EFSM``/``EHOSTUNREACH`` as :meth:`send_multipart`.
        """
        self._check_open()
        self._send_nowait(_as_message(msg_parts))

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
            self._peeked = self._recv_nowait()
        except ZMQError:  # Again, or a type/state that cannot receive now
            return False
        return True

    async def poll(
        self,
        timeout: int | None = None,  # noqa: ASYNC109 - pyzmq's signature, in milliseconds
        flags: int = PollEvent.POLLIN,
    ) -> int:
        """Wait until the socket is readable and/or writable, as pyzmq's ``Socket.poll``.

        Args:
            timeout: Milliseconds to wait; ``None`` or negative waits forever, 0 checks.
            flags: ``aiomq.POLLIN``, ``aiomq.POLLOUT`` or both.

        Returns:
            The events that hold (0 on timeout).

        Raises:
            ZMQError: ``ENOTSOCK`` if the socket is closed.

        Cancellation-safe: polling consumes nothing.
        """
        self._check_open()
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None or timeout < 0 else loop.time() + timeout / 1000
        while True:
            events = self._poll_events(flags)
            if events:
                return events
            if deadline is not None and loop.time() >= deadline:
                return 0
            await wait_any(self._poll_signals(flags), deadline)
            self._check_open()

    def _poll_signals(self, flags: int) -> list[Signal]:
        """The signals that announce a change of the ``POLLIN``/``POLLOUT`` in ``flags``."""
        signals = [self._readable] if flags & _POLLIN else []
        if flags & _POLLOUT:
            signals.append(self._writable)
        return signals

    # -- waiting --------------------------------------------------------------------

    def _deadline(self, timeout_ms: int) -> float | None:
        if timeout_ms < 0:
            return None
        return asyncio.get_running_loop().time() + timeout_ms / 1000

    async def _wait(self, signal: Signal, deadline: float | None) -> None:
        loop = asyncio.get_running_loop()
        # What this task queued goes on the wire before it suspends (a REQ's request),
        # once it is registered as a waiter: a flush that frees room wakes it at once.
        flush = flush_queue(loop).run_before_waiting
        if deadline is None:
            await signal.wait(flush)
        else:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise Again("Resource temporarily unavailable (timed out)")
            try:
                async with asyncio.timeout(remaining):
                    await signal.wait(flush)
            except TimeoutError:
                raise Again("Resource temporarily unavailable (timed out)") from None
        if self._closed:
            raise self._closed_error()

    # -- closing --------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise self._closed_error()

    def _closed_error(self) -> ZMQError:
        return self._close_error or ZMQError(ENOTSOCK, "Socket operation on a closed socket")

    def close(self, linger: int | None = None) -> None:
        """Close the socket now; queued messages flush in the background.

        Args:
            linger: Milliseconds to keep flushing (overrides ``LINGER``); -1 forever,
                0 drops everything at once.
        """
        if self._closed:
            return
        if linger is not None:
            self._options.set(SocketOption.LINGER, linger)
        self._closed = True
        self._in_lane = self._out_lane = None  # the hot paths test only their lane
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

    async def __aenter__(self) -> Socket:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __aiter__(self) -> Socket:
        """``async for parts in sock:`` receives whole messages until the socket closes."""
        return self

    async def __anext__(self) -> list[bytes]:
        """The next whole message (:meth:`recv_multipart`).

        Raises:
            StopAsyncIteration: The socket was closed or its context terminated
                (``ENOTSOCK``/``ContextTerminated``), before or during the wait.
            Again: ``RCVTIMEO`` expired (iteration can be resumed).
            ZMQError: ``ENOTSUP`` for a type that cannot receive.

        Cancellation-safe: a cancelled step consumes nothing.
        """
        try:
            return await self.recv_multipart()
        except ZMQError as exc:
            if self._closed and (exc.errno == ENOTSOCK or isinstance(exc, ContextTerminated)):
                raise StopAsyncIteration from None
            raise

    def add_monitor_listener(self, listener: MonitorListener) -> None:
        """Call ``listener(event, endpoint, value)`` for each connection event.

        A low-level hook; ``monitor()`` builds on it.
        """
        self._monitor_listeners.append(listener)

    def remove_monitor_listener(self, listener: MonitorListener) -> None:
        """Stop calling ``listener``."""
        self._monitor_listeners.remove(listener)

    def monitor(self, events: int = EVENT_ALL, *, maxlen: int = 1000) -> MonitorStream:
        """Watch connection events: ``async with sock.monitor() as events: async for ev ...``.

        Unlike pyzmq's ``Socket.monitor(addr, events)`` this returns an async iterator of
        :class:`~aiomq.MonitorEvent`; :meth:`get_monitor_socket` gives libzmq's form.
        Several monitors may watch one socket.

        Args:
            events: A mask of :class:`~aiomq.Event` values (all by default).
            maxlen: Events buffered at most; when full, the oldest is discarded.

        Returns:
            The monitor. It ends with ``MONITOR_STOPPED`` after its ``aclose()``, or once
            the socket has closed and its connections are down (``CLOSED`` first).

        Raises:
            ZMQError: ``ENOTSOCK`` if the socket is closed.
            ValueError: ``maxlen`` is below 1.

        Cancellation-safe: a cancelled ``__anext__`` takes no event.
        """
        self._check_open()
        stream = MonitorStream(events, self._drop_monitor, maxlen)
        self.add_monitor_listener(stream)
        return stream

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Socket:
        """A PAIR socket receiving libzmq's two-frame monitor messages, as pyzmq's.

        Frame 1 is ``<uint16 event><uint32 value>`` (little-endian), frame 2 the
        endpoint: ``zmq.utils.monitor.parse_monitor_message`` reads them. As in libzmq
        one socket has one such monitor: a second call stops the first. A message the
        PAIR cannot queue (``RCVHWM`` reached) is dropped.

        Args:
            events: A mask of :class:`~aiomq.Event` values; None for all.
            addr: The inproc endpoint joining the two PAIRs; None picks a unique one.

        Returns:
            The connected PAIR socket (the caller closes it).

        Raises:
            ZMQError: ``ENOTSOCK`` if the socket is closed; ``EADDRINUSE`` if ``addr``
                is taken.
        """
        self._check_open()
        self.disable_monitor()
        if addr is None:
            addr = f"inproc://aiomq.monitor.{id(self):x}.{next(_MONITOR_IDS)}"
        feeder = self._context.socket(SocketType.PAIR)
        try:
            feeder.bind(addr)
        except BaseException:
            feeder.close(0)
            raise
        watcher = self._context.socket(SocketType.PAIR)
        watcher.connect(addr)

        def send(frames: list[bytes]) -> None:
            try:  # noqa: SIM105 - the hot path of a monitor
                feeder.send_multipart_nowait(frames)
            except ZMQError:  # full, or the feeder was closed by its context
                pass

        self.add_monitor_listener(
            MonitorMessages(
                EVENT_ALL if events is None else events, self._drop_monitor, send, feeder.close
            )
        )
        return watcher

    def disable_monitor(self) -> None:
        """Stop the monitor of :meth:`get_monitor_socket` (it sends ``MONITOR_STOPPED``)."""
        for listener in list(self._monitor_listeners):
            if isinstance(listener, MonitorMessages):
                listener.stop()

    def _drop_monitor(self, feed: MonitorFeed) -> None:
        if feed in self._monitor_listeners:
            self._monitor_listeners.remove(feed)


def _topic(topic: object) -> bytes:
    if isinstance(topic, str):
        return topic.encode()
    if isinstance(topic, bytes | bytearray | memoryview):
        return bytes(topic)
    raise TypeError(f"topic must be bytes or str, not {type(topic).__name__}")


def _option(option: int) -> SocketOption:
    if isinstance(option, bool) or not isinstance(option, int):
        raise TypeError(f"option must be an int (aiomq.LINGER ...), not {type(option).__name__}")
    try:
        return SocketOption(option)
    except ValueError:
        raise ZMQError(EINVAL, f"unknown socket option {option}") from None
