"""The engine: one live ZMTP connection, driving the sans-I/O codec over an asyncio transport.

The engine sits directly on asyncio's protocol layer (the same stream transports that
``asyncio.open_connection`` uses) so that it can parse every complete frame of a read at
once and write every queued message of a loop iteration with one ``write()``:

* receive: the engine is an ``asyncio.BufferedProtocol``. Reads land in one receive
  buffer shared by the thread's engines (so an idle connection costs no buffer); each
  read is copied out once and handed whole to ``Connection.receive_data``, and all
  complete messages go into the pipe's inbound queue in one ``push_many``. While the
  codec is inside a large frame body (``Connection.body_buffer()``), the engine reads
  straight into that body instead, so a 64 KiB to 1 MiB frame is neither joined nor
  copied more than once. Reading pauses while the queue is at its high-water mark and
  resumes when the socket drains it.
* send: the pipe's outbound queue calls ``Engine._schedule_flush`` when it becomes
  non-empty; the flush (queued in the loop's ``FlushQueue``) runs at
  the end of the current loop iteration, or as soon as a task is about to wait, encodes
  what is queued by then (up to about 1 MiB of messages, then it reschedules itself)
  and writes it once.

OSError and protocol errors are translated here and only here: a misbehaving peer is
dropped with a monitor event, never raised into the user's ``recv``.

Layer 4.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Protocol, cast

from ._flush import flush_queue
from ._pipe import Message, MessageQueue, Pipe, Subscription
from ._security import mechanism_for
from ._traits import SocketTraits, Subscriptions
from ._zap import ZapFailure, ZapRegistry, ZapReply, ZapRequest
from .constants import Event
from .options import Options
from .zmtp import (
    Cancel,
    Connection,
    HandshakeComplete,
    PeerError,
    Ping,
    ProtocolError,
    Subscribe,
    ZapVerdict,
)

__all__ = ["Engine", "EngineOwner", "MonitorCallback"]

MonitorCallback = Callable[[Event, str, "int | str"], None]


class EngineOwner(Protocol):
    """The session or listener an engine reports to."""

    def engine_ready(self, engine: Engine, handshake: HandshakeComplete) -> Pipe | None:
        """The handshake completed: return the pipe to serve, or None to refuse the peer."""
        ...

    def engine_closed(self, engine: Engine, *, ready: bool, error: Event | None) -> None:
        """The connection ended. ``ready`` says whether a pipe was attached; ``error``
        is the monitor event of a failed handshake, if that is why."""
        ...


class Engine(asyncio.BufferedProtocol):
    """One ZMTP connection (slotted: an idle connection costs little).

    Args:
        owner: Told about handshake completion and the end of the connection.
        options: The socket's options (read at connection time).
        traits: Our socket type's traits: its name, the peers it accepts, whether it
            sends its routing id and its role in subscription traffic.
        endpoint: The endpoint string for monitor events.
        monitor: Receives monitor events.
        zap: The Context's ZAP registry: when the mechanism waits for a verdict, the
            engine asks it and resumes the codec's handshake when the answer comes.
    """

    __slots__ = (
        "_closing",
        "_codec",
        "_error",
        "_flush_bytes",
        "_flush_limit",
        "_flush_pending",
        "_flushes",
        "_header_next",
        "_into_body",
        "_kept_hwm",
        "_last_recv",
        "_linger_close",
        "_loop",
        "_mechanism",
        "_monitor",
        "_options",
        "_owner",
        "_read_paused",
        "_read_view",
        "_sends_subscriptions",
        "_takes_subscriptions",
        "_timers",
        "_transport",
        "_write_paused",
        "_zap",
        "_zap_pending",
        "endpoint",
        "pipe",
        "refused",
        "zap_reply",
    )

    def __init__(
        self,
        owner: EngineOwner,
        options: Options,
        traits: SocketTraits,
        endpoint: str,
        monitor: MonitorCallback,
        *,
        zap: ZapRegistry | None = None,
    ) -> None:
        self._owner = owner
        self._options = options
        self.endpoint = endpoint
        self._monitor = monitor
        self._loop = asyncio.get_running_loop()
        self._flushes = flush_queue(self._loop)
        self._transport: asyncio.Transport | None = None
        self._zap = zap
        self._zap_pending: asyncio.Future[ZapReply] | None = None
        self.zap_reply: ZapReply | None = None
        """The ZAP verdict this connection got, if any (``User-Id`` and metadata)."""
        self._mechanism = mechanism_for(options)
        self._codec = Connection(
            socket_type=traits.name,
            identity=options.routing_id,
            send_identity=traits.sends_identity,
            peer_types=traits.peers,
            mechanism=self._mechanism,
            max_message_size=options.maxmsgsize,
        )
        self.pipe: Pipe | None = None
        # Publishers take subscriptions from the wire; subscribers put them on it.
        self._takes_subscriptions = traits.subscriptions is Subscriptions.PUBLISHER
        self._sends_subscriptions = traits.subscriptions is Subscriptions.SUBSCRIBER
        self._flush_pending = False
        self._flush_limit = _FLUSH_LIMIT  # most messages one flush encodes (adapts to size)
        self._flush_bytes = _FLUSH_BYTES  # what one flush aims to write (adapts to the kernel)
        self._write_paused = False
        self._read_paused = False
        self._kept_hwm: int | None = None  # RCVHWM while a lower read-ahead mark applies
        self._into_body = False  # the last get_buffer() handed out the codec's body buffer
        self._header_next = False  # the next read is a frame header after a huge body
        self._read_view = _NO_VIEW
        self._closing = False
        self._linger_close = False
        self._error: Event | None = None
        # The peer refused us with an ERROR command (socket-type mismatch, ZAP denial):
        # the session then backs off exponentially instead of reconnecting at once.
        self.refused = False
        self._last_recv = 0.0
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # -- asyncio protocol callbacks ---------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the first greeting octets and start the handshake deadline."""
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = transport = cast(asyncio.Transport, transport)
        self._last_recv = self._loop.time()
        self._codec.initiate()
        transport.write(self._codec.data_to_send())
        ivl = self._options.handshake_ivl
        if ivl > 0:
            self._arm("handshake", ivl / 1000, self._handshake_expired)

    def get_buffer(self, sizehint: int) -> memoryview:
        """Where the transport should read to: a pending large body, else the shared buffer."""
        view = self._codec.body_buffer()
        if view is not None:
            self._into_body = True
            # A huge body: read the next frame's header alone, so that its body too is
            # read in place rather than copied out of the shared buffer.
            self._header_next = self._codec.body_size >= _HUGE_BODY
            return view
        self._into_body = False
        self._read_view = view = _receive_buffer()
        if self._header_next:
            self._header_next = False
            return view[:_LONG_HEADER]
        return view

    def buffer_updated(self, nbytes: int) -> None:
        """``nbytes`` arrived in the buffer of the last ``get_buffer``."""
        if self._into_body:
            self._into_body = False
            self._received(None, nbytes)
        else:
            # The shared buffer is reused by the next read: copy this one out now.
            self._received(self._read_view[:nbytes].tobytes(), nbytes)

    def data_received(self, data: bytes) -> None:
        """Parse a whole read given as bytes (the plain ``asyncio.Protocol`` path)."""
        self._received(data, len(data))

    def _received(self, data: bytes | None, nbytes: int) -> None:
        """Parse a whole read (``data``, or ``nbytes`` into the body buffer); queue its
        messages; answer commands."""
        if self._closing:
            return
        self._last_recv = self._loop.time()
        if self._timers and "timeout" in self._timers:
            # The peer is alive: the next PING starts its own HEARTBEAT_TIMEOUT (libzmq).
            self._cancel("timeout")
        codec = self._codec
        try:
            events = codec.receive_data(data) if data is not None else codec.body_received(nbytes)
            violated = False
        except ProtocolError as exc:
            # What the read held before the violation was valid (a completed handshake,
            # whole messages): handle it as usual, then drop the peer.
            events = exc.events
            violated = True
        if codec.only_messages and not violated:
            # The hot path: a read of nothing but messages (which the codec answers
            # with nothing, so there is nothing to write either).
            if events:
                self._deliver(cast(list[Message], events), nbytes)
            return
        batch: list[Message] = []
        for event in events:
            if type(event) is tuple:
                batch.append(event)
            elif isinstance(event, Subscribe | Cancel) and self._takes_subscriptions:
                subscribe = isinstance(event, Subscribe)
                batch.append(Subscription.make(event.topic, subscribe=subscribe))
            else:
                if batch:
                    self._deliver(batch, nbytes)
                    batch = []
                self._handle_event(event)
                if self._closing:
                    return
        if batch:
            self._deliver(batch, nbytes)
        if not violated and self._mechanism.zap_request is not None:
            self._ask_zap()
            if self._closing:
                return
        self._write_pending()
        if violated:
            self._fail(Event.HANDSHAKE_FAILED_PROTOCOL if self.pipe is None else None)

    def connection_lost(self, exc: Exception | None) -> None:
        """Report the end of the connection to the owner, exactly once.

        A peer that hangs up during the handshake (libzmq does so on a Socket-Type
        mismatch, before its READY) is reported as HANDSHAKE_FAILED_NO_DETAIL.
        """
        if not self._closing and self.pipe is None and self._error is None:
            self._error = Event.HANDSHAKE_FAILED_NO_DETAIL
        self._closing = True
        if self._zap_pending is not None:
            self._zap_pending.cancel()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._restore_hwm()
        pipe = self.pipe
        if pipe is not None:
            pipe.outbound.on_readable = _nothing
            pipe.inbound.on_writable = _nothing
        self._owner.engine_closed(self, ready=pipe is not None, error=self._error)

    def pause_writing(self) -> None:
        """The transport's buffer is full: stop draining the outbound queue."""
        self._write_paused = True

    def resume_writing(self) -> None:
        """The transport's buffer drained: carry on with the outbound queue."""
        self._write_paused = False
        self._schedule_flush()

    # -- receive path -----------------------------------------------------------------

    def _deliver(self, batch: list[Message], nbytes: int) -> None:
        """Queue a read's messages; stop reading at ``RCVHWM``, or at about
        ``_READ_AHEAD`` bytes queued (``nbytes``: the size of the read)."""
        pipe = self.pipe
        if pipe is None:  # data frames are refused by the codec before the handshake
            return
        inbound = pipe.inbound
        inbound.push_many(batch)
        if self._read_paused or self._transport is None:
            return
        if not inbound.full:
            if type(inbound) is not MessageQueue:  # a conflating queue keeps reading
                return
            # Large messages: stop at about _READ_AHEAD bytes rather than RCVHWM
            # messages (64 MiB of 64 KiB ones), lowering the queue's mark until it
            # drains; the kernel's buffers hold the rest. Memory stays bounded, and the
            # allocator is not made to give back and fault in megabytes per burst.
            queued = len(inbound)
            size = max(nbytes // len(batch), len(batch[-1][-1]))
            if queued < 2 or queued * size <= _READ_AHEAD:
                return
            self._kept_hwm = inbound.hwm
            inbound.hwm = queued
        self._read_paused = True
        self._transport.pause_reading()

    def _resume_reading(self) -> None:
        self._restore_hwm()
        if self._read_paused and not self._closing and self._transport is not None:
            self._read_paused = False
            self._transport.resume_reading()

    def _restore_hwm(self) -> None:
        kept = self._kept_hwm
        if kept is not None and self.pipe is not None:
            self.pipe.inbound.hwm = kept
            self._kept_hwm = None

    def _handle_event(self, event: object) -> None:
        if isinstance(event, HandshakeComplete):
            self._handshake_done(event)
        elif isinstance(event, Ping):
            if event.ttl > 0 and "ttl" not in self._timers:
                ttl = event.ttl / 10
                self._arm("ttl", ttl, lambda: self._check_silence("ttl", ttl))
        elif isinstance(event, PeerError):
            self.refused = True
            if _is_status(event.reason):
                self._fail(Event.HANDSHAKE_FAILED_AUTH)
            else:
                self._fail(Event.HANDSHAKE_FAILED_PROTOCOL if self.pipe is None else None)

    # -- ZAP (RFC 27) -------------------------------------------------------------------

    def _ask_zap(self) -> None:
        """The mechanism waits for a verdict: ask the Context's handler, once.

        libzmq's rules when no handler runs (no Authenticator, no socket bound on
        ``inproc://zeromq.zap.01``): PLAIN drops the peer, CURVE and NULL pass
        unauthenticated (no ``User-Id``).
        """
        if self._zap_pending is not None:
            return
        mechanism = self._mechanism
        peer = self._transport.get_extra_info("peername") if self._transport else None
        address = peer[0] if isinstance(peer, tuple) and peer else ""
        zap = self._zap
        pending = None
        if zap is not None:
            request = ZapRequest(
                domain=self._options.zap_domain.decode("utf-8", "surrogateescape"),
                address=str(address),
                identity=self._options.routing_id,
                mechanism=mechanism.name.decode("ascii"),
                credentials=mechanism.zap_request or (),
                request_id=zap.next_id(),
            )
            pending = zap.ask(request, self._loop)
        if pending is None:
            if mechanism.name == b"PLAIN":
                self._fail(Event.HANDSHAKE_FAILED_NO_DETAIL)
            else:
                self._resume_handshake(ZapVerdict(b"200", b""))
            return
        self._zap_pending = pending
        pending.add_done_callback(self._zap_answered)

    def _zap_answered(self, pending: asyncio.Future[ZapReply]) -> None:
        """The handler answered (or failed to): apply the verdict."""
        if pending.cancelled():
            return
        error = pending.exception()
        if self._closing:
            return
        if isinstance(error, ZapFailure):
            self._fail(error.event)  # no verdict: close without ERROR, as libzmq
            return
        # A handler that raised is an internal error (RFC 27 status 500).
        reply = ZapReply("500", "ZAP handler failed") if error is not None else pending.result()
        self.zap_reply = reply
        if reply.status_code == "300":
            # A temporary error: libzmq closes without ERROR (the peer may retry).
            self._fail(Event.HANDSHAKE_FAILED_AUTH)
            return
        user_id = reply.user_id.encode("utf-8", "surrogateescape")
        self._resume_handshake(ZapVerdict(reply.status_code.encode("ascii"), user_id))

    def _resume_handshake(self, verdict: ZapVerdict) -> None:
        """Hand the verdict to the mechanism and resume the codec's handshake."""
        self._mechanism.zap_decided(verdict)
        try:
            events = self._codec.resume_handshake()
        except ProtocolError:
            self._write_pending()
            denied = verdict.status_code != b"200"
            self._fail(Event.HANDSHAKE_FAILED_AUTH if denied else Event.HANDSHAKE_FAILED_PROTOCOL)
            return
        for event in events:
            self._handle_event(event)
            if self._closing:
                return
        self._write_pending()

    def _handshake_done(self, handshake: HandshakeComplete) -> None:
        self._cancel("handshake")
        pipe = self._owner.engine_ready(self, handshake)
        if pipe is None:
            self._fail(None)
            return
        self.pipe = pipe
        pipe.properties = self._message_properties(handshake)
        self._monitor(Event.HANDSHAKE_SUCCEEDED, self.endpoint, 0)
        pipe.outbound.on_readable = self._schedule_flush
        pipe.inbound.on_writable = self._resume_reading
        if self._options.heartbeat_ivl > 0:
            self._arm("ping", self._options.heartbeat_ivl / 1000, self._send_ping)
        if len(pipe.outbound) or self._linger_close:
            self._schedule_flush()

    def _message_properties(self, handshake: HandshakeComplete) -> dict[str, bytes]:
        """The properties of the peer's messages: its metadata, then ZAP's (libzmq order)."""
        properties = dict(handshake.metadata)
        peer = self._transport.get_extra_info("peername") if self._transport else None
        if isinstance(peer, tuple) and peer:
            properties["Peer-Address"] = str(peer[0]).encode()
        reply = self.zap_reply
        if reply is not None:
            properties.update(reply.metadata)
            properties["User-Id"] = reply.user_id.encode("utf-8", "surrogateescape")
        return properties

    # -- send path --------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if not self._flush_pending:
            self._flush_pending = True
            self._flushes.schedule(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        pipe = self.pipe
        if pipe is None or self._closing or self._write_paused:
            return  # resume_writing() flushes again
        outbound = pipe.outbound
        if len(outbound):
            # Hand the transport about what the kernel takes at once (flush_bytes, at
            # most 1 MiB): more is copied into the transport's buffer and trimmed from
            # its front piecemeal (a unix socket takes ~200 KiB). The limit in messages
            # adapts to what flushes wrote; large messages at the head bound it at once.
            flush_bytes = self._flush_bytes
            limit = self._flush_limit
            head = outbound.peek()
            if head and len(head[-1]) >= flush_bytes // 16:
                limit = min(limit, flush_bytes // len(head[-1]) + 1)
            messages = outbound.pop_many(limit)
            if self._sends_subscriptions:
                self._send_with_subscriptions(messages)
            else:
                self._codec.send_messages(messages)
            transport = self._transport
            held = transport.get_write_buffer_size() if transport is not None else 0
            written = self._write_pending()
            count = len(messages)
            if transport is not None and written >= _MIN_FLUSH_BYTES:
                kept = transport.get_write_buffer_size() - held
                if kept > 0:  # the kernel took less: aim at what it took
                    flush_bytes = max(_MIN_FLUSH_BYTES, written - kept)
                elif written >= flush_bytes // 2:  # it took all: try more next time
                    flush_bytes = min(2 * flush_bytes, _FLUSH_BYTES)
                self._flush_bytes = flush_bytes
            if written > flush_bytes:
                self._flush_limit = max(1, count * flush_bytes // written)
            elif count == self._flush_limit and written < flush_bytes // 2:
                self._flush_limit = min(2 * count, _FLUSH_LIMIT)
            if len(outbound):
                if not self._write_paused:
                    self._schedule_flush()
                return  # a lingering close waits until the pipe is written
        if self._linger_close and self._transport is not None:
            self._closing = True
            self._transport.close()

    def _send_with_subscriptions(self, items: list[Message]) -> None:
        """Encode messages in order, (un)subscriptions in the form the peer's version takes."""
        codec = self._codec
        start = 0
        for index, item in enumerate(items):
            if type(item) is Subscription:
                if start < index:
                    codec.send_messages(items[start:index])
                if item.subscribe:
                    codec.send_subscribe(item.topic)
                else:
                    codec.send_cancel(item.topic)
                start = index + 1
        if start < len(items):
            codec.send_messages(items[start:])

    def _write_pending(self) -> int:
        data = self._codec.data_to_send()
        if data and self._transport is not None:
            self._transport.write(data)
        return len(data)

    # -- heartbeats and deadlines -------------------------------------------------------

    def _send_ping(self) -> None:
        options = self._options
        self._codec.send_ping(options.heartbeat_ttl // 100)
        self._write_pending()
        self._arm("ping", options.heartbeat_ivl / 1000, self._send_ping)
        timeout = options.heartbeat_timeout_ms / 1000
        if timeout > 0 and "timeout" not in self._timers:
            # Anything received cancels this timer (_received): if it fires, the peer
            # has been silent since this PING.
            self._arm("timeout", timeout, self._heartbeat_expired)

    def _heartbeat_expired(self) -> None:
        self._timers.pop("timeout", None)
        self._fail(None)

    def _check_silence(self, name: str, limit: float) -> None:
        self._timers.pop(name, None)
        idle = self._loop.time() - self._last_recv
        if idle >= limit:
            self._fail(None)
        else:
            self._arm(name, limit - idle, lambda: self._check_silence(name, limit))

    def _handshake_expired(self) -> None:
        self._timers.pop("handshake", None)
        self._fail(Event.HANDSHAKE_FAILED_NO_DETAIL)

    def _arm(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        self._cancel(name)
        self._timers[name] = self._loop.call_later(delay, callback)

    def _cancel(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()
            if not self._timers:
                # An emptied dict keeps its table; an idle connection need not.
                self._timers = {}

    # -- ending -----------------------------------------------------------------------

    def _fail(self, error: Event | None) -> None:
        """Drop the connection at once (flushing only what the codec queued last)."""
        if self._closing:
            return
        self._closing = True
        self._error = error
        transport = self._transport
        if transport is not None:
            # Let a queued ERROR command out, then close; abort() would discard it. A peer
            # that does not read gets a short grace period, then the connection is cut.
            transport.close()
            if transport.get_write_buffer_size():
                self._loop.call_later(_ERROR_GRACE, transport.abort)

    def close(self, *, linger: bool) -> None:
        """Close the connection; with ``linger``, first write what the pipe holds."""
        if self._closing or self._transport is None:
            return
        if linger:
            # Before the handshake completes this only marks the engine: the flush and
            # the close follow as soon as the pipe is attached.
            self._linger_close = True
            if self.pipe is not None:
                self._schedule_flush()
        else:
            self.abort()

    def has_unsent(self) -> bool:
        """True while messages wait in the pipe, or bytes in the transport's buffer."""
        pipe = self.pipe
        if pipe is not None and len(pipe.outbound):
            return True
        transport = self._transport
        return transport is not None and not self._closing and transport.get_write_buffer_size() > 0

    def abort(self) -> None:
        """Drop the connection now, discarding anything unwritten.

        Works after the engine's event loop has closed too (a socket closed after its
        ``asyncio.run()`` returned): the connection's OS socket is closed directly.
        """
        transport = self._transport
        if transport is None:
            return
        self._closing = True
        if not self._loop.is_closed():
            transport.abort()
            return
        sock = transport.get_extra_info("socket")
        # asyncio wraps the socket (TransportSocket); closing the real one is safe, the
        # transport's own later close of it does nothing.
        with contextlib.suppress(OSError, AttributeError):
            getattr(sock, "_sock", sock).close()


_ERROR_GRACE = 1.0
_FLUSH_BYTES = 1 << 20  # what one flush aims to write, at most
_MIN_FLUSH_BYTES = 1 << 16  # ... and at least, once large writes are seen
_FLUSH_LIMIT = 1 << 16  # most messages one flush encodes
_RECEIVE_BUFFER_SIZE = 1 << 20  # per thread: reads of up to 1 MiB
_READ_AHEAD = 1 << 20  # bytes of messages queued before reading pauses (RCVHWM permitting)
_HUGE_BODY = 1 << 18  # after a body this large, read the next frame header alone
_LONG_HEADER = 9  # flags octet and 8-octet size
_NO_VIEW = memoryview(b"")


class _ReceiveBuffer(threading.local):
    view: memoryview | None = None


_receive_buffers = _ReceiveBuffer()


def _receive_buffer() -> memoryview:
    """This thread's receive buffer, shared by its engines.

    Safe to share: a transport calls ``get_buffer``, reads and calls ``buffer_updated``
    in one callback, and the engine copies the read out before returning. Per thread,
    because a read releases the GIL while another thread's loop may read too.
    """
    view = _receive_buffers.view
    if view is None:
        view = _receive_buffers.view = memoryview(bytearray(_RECEIVE_BUFFER_SIZE))
    return view


def _is_status(reason: bytes) -> bool:
    return len(reason) == 3 and reason[:1] in (b"3", b"4", b"5") and reason.isdigit()


def _nothing() -> None:
    return None
