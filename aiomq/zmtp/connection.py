"""The sans-I/O ZMTP 3.1 connection state machine.

``Connection`` turns received bytes into events and outgoing messages and
commands into bytes, h2-style: feed it with ``Connection.receive_data``,
drain it with ``Connection.data_to_send``. It never performs I/O, never
reads a clock and answers on its own where the protocol requires (greeting
stages, READY, PONG, ERROR on a socket-type mismatch).

States::

    PREFIX ──peer octets 0-10──► TAIL ──peer octets 11-63──► HANDSHAKE
    HANDSHAKE ──mechanism complete──► TRAFFIC
    any ──ProtocolError / peer ERROR / send_error()──► CLOSED

Layer 2: imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .commands import (
    CANCEL,
    ERROR,
    PING,
    PONG,
    SUBSCRIBE,
    encode_cancel,
    encode_error,
    encode_ping,
    encode_pong,
    encode_subscribe,
    find_property,
    parse_command,
    parse_error,
    parse_ping,
)
from .errors import ProtocolError
from .events import Cancel, Event, HandshakeComplete, PeerError, Ping, Pong, Subscribe
from .frames import (
    COMMAND,
    LONG,
    MAX_LONG_SIZE,
    MORE,
    SHORT_LAST_HEADERS,
    SHORT_MORE_HEADERS,
    command_frame,
)
from .greeting import (
    GREETING_SIZE,
    PREFIX_SIZE,
    check_prefix,
    greeting_prefix,
    greeting_tail,
    pad_mechanism,
)
from .mechanism import Mechanism, MechanismStep, NullMechanism

__all__ = ["Connection"]

# Connection states, in order.
_PREFIX = 0  # waiting for the peer's greeting octets 0-10
_TAIL = 1  # our octets 11-63 queued; waiting for the peer's
_HANDSHAKE = 2  # mechanism commands (NULL: READY)
_TRAFFIC = 3  # messages and commands
_CLOSED = 4  # protocol error, peer ERROR or our ERROR

_UNLIMITED = 1 << 64  # larger than any legal frame size
_WRAP_SLACK = 256  # allowance for a wrapping mechanism's per-frame overhead
_BY_REFERENCE = 1 << 16  # bytes frames at least this long are queued without copying
_DIRECT_BODY = 1 << 15  # a data frame body at least this long that spans reads is filled in place
_BODY_STEP = 4 << 20  # most octets allocated for a body beyond what actually arrived
_PREFIX_BYTES = greeting_prefix()
_INVALID_SOCKET_TYPE = b"Invalid socket type"


class Connection:
    """One ZMTP 3.x connection, without I/O.

    Typical use by an engine::

        conn = Connection(
            socket_type="DEALER", send_identity=True, peer_types=frozenset({"ROUTER"})
        )
        conn.initiate()
        write(conn.data_to_send())
        for event in conn.receive_data(read()):
            ...
        write(conn.data_to_send())

    Messages are returned as ``tuple[bytes, ...]``; a multipart message is
    returned only once its last frame arrived. Unknown commands and repeated
    READY commands after the handshake are ignored, as libzmq does. PING/PONG
    are handled whatever the negotiated version (3.0 or 3.1).
    """

    __slots__ = (
        "_body",
        "_body_fill",
        "_body_more",
        "_body_size",
        "_body_view",
        "_chunks",
        "_error",
        "_greeting",
        "_handshake_done",
        "_initiated",
        "_limit",
        "_max_handshake_command",
        "_mechanism",
        "_mechanism_field",
        "_need",
        "_our_metadata",
        "_out",
        "_parts",
        "_peer_identity",
        "_peer_metadata",
        "_peer_socket_type",
        "_peer_types",
        "_peer_version",
        "_pending",
        "_pending_len",
        "_room",
        "_socket_type",
        "_state",
        "_v31",
        "_wrap",
        "only_messages",
    )

    def __init__(
        self,
        *,
        socket_type: str,
        identity: bytes = b"",
        send_identity: bool = False,
        peer_types: frozenset[str] | None = None,
        mechanism: Mechanism | None = None,
        max_message_size: int = -1,
        max_handshake_command: int = 65536,
        metadata: Mapping[str, bytes] | None = None,
    ) -> None:
        """Create a connection; nothing is queued until ``initiate``.

        Args:
            socket_type: Our socket type name, e.g. ``"PUSH"`` (sent uppercase
                as ``Socket-Type``).
            identity: Our routing id, sent as ``Identity`` when ``send_identity``.
            send_identity: Send the ``Identity`` property (possibly empty); libzmq
                sends it for REQ, DEALER and ROUTER.
            peer_types: Socket types accepted from the peer (None: any). On a
                mismatch an ERROR command is queued and ProtocolError raised.
            mechanism: The security mechanism; default ``NullMechanism``.
            max_message_size: MAXMSGSIZE, the most octets one multipart message
                (all frames) may hold; -1 for no limit. Checked against each
                frame's declared size before its body is awaited. After the
                handshake it also bounds every single command.
            max_handshake_command: Largest command accepted before the
                handshake completes.
            metadata: Extra properties for READY (e.g. ``X-*`` application
                metadata, libzmq's ``ZMQ_METADATA``), in sending order.

        Raises:
            ValueError: Invalid socket type name, identity over 255 octets,
                a reserved property name in ``metadata`` or an invalid
                mechanism name.
        """
        stype = socket_type.upper()
        if not stype or not stype.isascii():
            raise ValueError(f"invalid socket type: {socket_type!r}")
        if len(identity) > 255:
            raise ValueError("identity longer than 255 octets")
        props: dict[str, bytes] = {"Socket-Type": stype.encode("ascii")}
        if send_identity:
            props["Identity"] = bytes(identity)
        for name, value in (metadata or {}).items():
            if name.lower() in ("socket-type", "identity"):
                raise ValueError(f"reserved property name: {name!r}")
            props[name] = bytes(value)
        if mechanism is None:
            mechanism = NullMechanism()

        self._socket_type = stype
        self._our_metadata = props
        self._peer_types = peer_types
        self._mechanism = mechanism
        self._mechanism_field = pad_mechanism(mechanism.name)
        self._wrap = mechanism.wraps_frames
        self._limit = max_message_size if max_message_size >= 0 else _UNLIMITED
        self._room = self._limit  # octets the current message may still grow by
        self._max_handshake_command = max_handshake_command
        self.only_messages = True
        """True when the events of the last ``receive_data`` (or
        ``body_received``) call are all messages: a caller may then take the
        list as it is, without looking at each event."""

        self._state = _PREFIX
        self._initiated = False
        self._handshake_done = False
        self._error: ProtocolError | None = None
        self._greeting = bytearray()

        # Output: small frames are appended to _out; huge bytes frames are kept
        # by reference in _chunks (preceded by the flushed _out) to avoid a copy.
        self._out = bytearray()
        self._chunks: list[bytes] = []

        # Input: _pending holds the unparsed tail plus later chunks until they
        # sum to _need octets, the size of the next complete unit. _need > 0
        # exactly when a tail is pending.
        self._pending: list[bytes] = []
        self._pending_len = 0
        self._need = 0
        self._parts: list[bytes] = []  # frames of the incomplete multipart message
        # A large data frame whose body spans reads is received into _body (see
        # body_buffer): _body_fill of _body_size octets arrived; _body is None otherwise.
        # It is allocated as arrival requires: at most _BODY_STEP octets beyond what
        # arrived, and at most twice what arrived when it grows.
        self._body: bytearray | None = None
        self._body_view: memoryview | None = None
        self._body_fill = 0
        self._body_size = 0
        self._body_more = False

        self._peer_version: tuple[int, int] | None = None
        self._v31 = False
        self._peer_socket_type: str | None = None
        self._peer_identity = b""
        self._peer_metadata: dict[str, bytes] | None = None

    # ------------------------------------------------------------------ state

    @property
    def handshake_complete(self) -> bool:
        """True once READY was both sent and received (stays True after closing)."""
        return self._handshake_done

    @property
    def closed(self) -> bool:
        """True after a protocol error, a peer ERROR or ``send_error``."""
        return self._state == _CLOSED

    @property
    def peer_version(self) -> tuple[int, int] | None:
        """``(major, minor)`` from the peer's greeting; None until it arrived."""
        return self._peer_version

    @property
    def peer_socket_type(self) -> str | None:
        """The peer's ``Socket-Type``; None until its metadata arrived."""
        return self._peer_socket_type

    @property
    def peer_identity(self) -> bytes:
        """The peer's ``Identity`` property; ``b""`` when absent or not yet known."""
        return self._peer_identity

    # ---------------------------------------------------------------- receive

    def initiate(self) -> None:
        """Queue the first greeting stage: octets 0-10 (signature and major version).

        The rest of the greeting is queued automatically once the peer's first
        11 octets have been received. Calling it again does nothing;
        ``receive_data`` calls it implicitly if needed.
        """
        if not self._initiated:
            self._initiated = True
            self._out += _PREFIX_BYTES

    def receive_data(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse received bytes.

        Every complete unit (greeting stage, frame) is consumed; an incomplete
        tail is kept for the next call. Replies the protocol requires are queued
        for ``data_to_send``. After a peer ERROR (``PeerError``) or
        ``send_error``, input is ignored.

        While a large frame body is pending (see ``body_buffer``), the
        octets it lacks are copied into the body buffer and the rest is parsed.

        Args:
            data: Bytes read from the transport; not retained (copied if not
                ``bytes``).

        Returns:
            The events, in wire order.

        Raises:
            ProtocolError: The peer violated ZMTP. The connection is dead
                afterwards; later calls raise the same error again.
        """
        state = self._state
        if state == _CLOSED:
            if self._error is not None:
                raise self._error
            return []
        self.only_messages = True
        events: list[Event] = []
        if self._body is not None:
            used = self._feed_body(data, events)
            if used == len(data):
                return events
            data = data[used:]
        if self._need:
            chunk = bytes(data)
            self._pending.append(chunk)
            self._pending_len += len(chunk)
            if self._pending_len < self._need:
                return []
            buf = b"".join(self._pending)
            self._pending.clear()
            self._pending_len = 0
            self._need = 0
        else:
            buf = data if type(data) is bytes else bytes(data)
        try:
            pos = 0
            if state != _TRAFFIC or self._wrap:
                pos = self._receive_slow(buf, 0, events)
            if self._state == _TRAFFIC and not self._wrap:
                pos = self._receive_fast(buf, pos, events)
        except ProtocolError as exc:
            self._fail(exc, events)
            raise
        if pos < len(buf) and self._state != _CLOSED:
            tail = buf[pos:]
            self._pending.append(tail)
            self._pending_len = len(tail)
        return events

    def body_buffer(self) -> memoryview | None:
        """Where the rest of a large frame body should be received, if one is pending.

        The zero-copy receive path for engines that can read into a buffer
        (``asyncio.BufferedProtocol``): while a data frame of at least 32 KiB is
        incomplete, the codec holds a preallocated body buffer and this returns
        a writable view of its unfilled part, at most the octets the frame still
        lacks. Read into it, then report the count with ``body_received``;
        the frame is then complete without any join, and turned into ``bytes``
        with one copy. When None, feed reads to ``receive_data`` as usual.

        The buffer never grows on a declared size alone: it is allocated up to
        4 MiB (MAXMSGSIZE has already been checked against the declared size),
        then grown as octets arrive, to at most twice what arrived.

        Returns:
            A non-empty writable view, or None when no body is pending.
        """
        body = self._body
        if body is None:
            return None
        fill = self._body_fill
        if fill == len(body):
            self._grow_body(fill + 1)
        assert self._body_view is not None
        return self._body_view[fill:]

    @property
    def body_size(self) -> int:
        """The full size of the frame body ``body_buffer`` serves; 0 when none is pending."""
        return self._body_size

    def body_received(self, nbytes: int) -> list[Event]:
        """Account for ``nbytes`` octets written into the view of ``body_buffer``.

        Args:
            nbytes: Octets written at the start of that view (not more than its size).

        Returns:
            The message the body completed, if it completed one (``[]`` otherwise).
        """
        events: list[Event] = []
        self.only_messages = True
        if self._body is None or self._state == _CLOSED:
            return events
        self._body_fill += nbytes
        if self._body_fill >= self._body_size:
            self._finish_body(events)
        return events

    def _start_body(self, buf: bytes, start: int, end: int, size: int, more: int) -> None:
        """Begin receiving a large data frame body in place; ``buf[start:end]`` is its head."""
        have = end - start
        body = bytearray(min(size, max(_BODY_STEP, have)))
        view = memoryview(body)
        view[:have] = memoryview(buf)[start:end]
        self._body = body
        self._body_view = view
        self._body_fill = have
        self._body_size = size
        self._body_more = bool(more)

    def _grow_body(self, target: int) -> None:
        body = self._body
        assert body is not None
        assert self._body_view is not None
        new = bytearray(min(self._body_size, max(target, 2 * len(body))))
        fill = self._body_fill
        view = memoryview(new)
        view[:fill] = self._body_view[:fill]
        self._body = new
        self._body_view = view

    def _feed_body(self, data: bytes | bytearray | memoryview, events: list[Event]) -> int:
        """Copy the next octets of ``data`` into the pending body; return how many."""
        fill = self._body_fill
        take = min(self._body_size - fill, len(data))
        if fill + take > len(self._body or b""):
            self._grow_body(fill + take)
        assert self._body_view is not None
        self._body_view[fill : fill + take] = memoryview(data)[:take]
        self._body_fill = fill + take
        if self._body_fill == self._body_size:
            self._finish_body(events)
        return take

    def _finish_body(self, events: list[Event]) -> None:
        body = self._body
        assert body is not None
        frame = bytes(body)
        size = self._body_size
        self._clear_body()
        parts = self._parts
        if self._body_more:
            parts.append(frame)
            self._room -= size
        elif parts:
            parts.append(frame)
            events.append(tuple(parts))
            parts.clear()
            self._room = self._limit
        else:
            events.append((frame,))

    def _clear_body(self) -> None:
        self._body = None
        self._body_view = None
        self._body_fill = 0
        self._body_size = 0

    def resume_handshake(self) -> list[Event]:
        """Continue a handshake that waits on an external decision.

        For mechanisms that consult something outside the codec (PLAIN/CURVE
        servers asking a ZAP handler): after handing the decision to the
        mechanism, call this; it applies ``Mechanism.resume``. Does
        nothing outside the handshake or with NULL.

        Returns:
            Events, e.g. ``HandshakeComplete``.

        Raises:
            ProtocolError: The mechanism refused the peer (an ERROR command is
                queued) or the peer's metadata is unacceptable.
        """
        if self._state != _HANDSHAKE:
            return []
        events: list[Event] = []
        try:
            self._apply_step(self._mechanism.resume(), events)
        except ProtocolError as exc:
            self._fail(exc, events)
            raise
        return events

    def _fail(self, exc: ProtocolError, events: list[Event]) -> None:
        self._state = _CLOSED
        self._error = exc
        exc.events = events
        self._parts.clear()
        self._pending.clear()
        self._need = 0
        self._clear_body()

    def _receive_fast(self, buf: bytes, pos: int, events: list[Event]) -> int:
        """Parse traffic frames without a wrapping mechanism: the hot loop."""
        end = len(buf)
        parts = self._parts
        room = self._room
        limit = self._limit
        append = events.append
        short_ok = limit >= 255  # a short frame always fits a new message
        while True:
            if short_ok and not parts:
                # The hottest loop: a run of short single-frame messages. Running off
                # the end of ``buf`` (a partial header) raises IndexError: no bound test.
                try:
                    while not buf[pos]:
                        stop = pos + 2 + buf[pos + 1]
                        if stop > end:
                            break
                        append((buf[pos + 2 : stop],))
                        pos = stop
                except IndexError:
                    pass
            avail = end - pos
            if avail < 2:
                if avail:
                    self._need = 9 if buf[pos] & LONG else 2
                break
            flags = buf[pos]
            if not flags:
                # Fast path: a short final data frame.
                size = buf[pos + 1]
                stop = pos + 2 + size
                if size > room:
                    raise ProtocolError("message exceeds the maximum message size")
                if stop > end:
                    self._need = stop - pos
                    break
                if parts:
                    parts.append(buf[pos + 2 : stop])
                    append(tuple(parts))
                    parts.clear()
                    room = limit
                else:
                    append((buf[pos + 2 : stop],))
                pos = stop
                continue
            if flags & LONG:
                if avail < 9:
                    self._need = 9
                    break
                size = int.from_bytes(buf[pos + 1 : pos + 9], "big")
                if size > MAX_LONG_SIZE:
                    raise ProtocolError("frame size of 2**63 or more")
                start = pos + 9
            else:
                size = buf[pos + 1]
                start = pos + 2
            stop = start + size
            if flags & COMMAND:
                if flags & MORE:
                    raise ProtocolError("command frame with the MORE flag")
                if size > limit:
                    raise ProtocolError(f"command of {size} octets exceeds the maximum")
                if stop > end:
                    self._need = stop - pos
                    break
                pos = stop
                if not self._traffic_command(buf[start:stop], events):
                    break
                continue
            if size > room:
                raise ProtocolError("message exceeds the maximum message size")
            if stop > end:
                if size >= _DIRECT_BODY:
                    self._start_body(buf, start, end, size, flags & MORE)
                    pos = end
                    break
                self._need = stop - pos
                break
            if flags & MORE:
                parts.append(buf[start:stop])
                room -= size
            elif parts:
                parts.append(buf[start:stop])
                append(tuple(parts))
                parts.clear()
                room = limit
            else:
                append((buf[start:stop],))
            pos = stop
        self._room = room
        return pos

    def _receive_slow(self, buf: bytes, pos: int, events: list[Event]) -> int:
        """Parse the greeting, handshake commands and wrapped traffic."""
        self.only_messages = False
        end = len(buf)
        while True:
            state = self._state
            if state < _HANDSHAKE:
                pos = self._receive_greeting(buf, pos, events)
                if self._state < _HANDSHAKE:
                    return pos
                continue
            if state == _CLOSED or (state == _TRAFFIC and not self._wrap):
                return pos
            avail = end - pos
            if avail < 2:
                if avail:
                    self._need = 9 if buf[pos] & LONG else 2
                return pos
            flags = buf[pos]
            if flags & LONG:
                if avail < 9:
                    self._need = 9
                    return pos
                size = int.from_bytes(buf[pos + 1 : pos + 9], "big")
                if size > MAX_LONG_SIZE:
                    raise ProtocolError("frame size of 2**63 or more")
                start = pos + 9
            else:
                size = buf[pos + 1]
                start = pos + 2
            is_command = flags & COMMAND
            if not is_command and state == _HANDSHAKE:
                raise ProtocolError("data frame before the handshake completed")
            if is_command and flags & MORE:
                raise ProtocolError("command frame with the MORE flag")
            if state == _HANDSHAKE:
                if size > self._max_handshake_command:
                    raise ProtocolError(f"handshake command of {size} octets is too large")
            elif self._limit != _UNLIMITED and size > self._limit + _WRAP_SLACK:
                raise ProtocolError("message exceeds the maximum message size")
            stop = start + size
            if stop > end:
                self._need = stop - pos
                return pos
            body = buf[start:stop]
            pos = stop
            if state == _HANDSHAKE:
                self._handshake_command(body, events)
            elif is_command:
                self._wrapped_command(body, events)
            else:
                self._wrapped_data(body, events)

    def _receive_greeting(self, buf: bytes, pos: int, events: list[Event]) -> int:
        greeting = self._greeting
        end = len(buf)
        if self._state == _PREFIX:
            take = min(PREFIX_SIZE - len(greeting), end - pos)
            greeting += buf[pos : pos + take]
            pos += take
            check_prefix(greeting)
            if len(greeting) < PREFIX_SIZE:
                return pos
            self.initiate()
            self._out += greeting_tail(self._mechanism.name, self._mechanism.as_server)
            self._state = _TAIL
        take = min(GREETING_SIZE - len(greeting), end - pos)
        greeting += buf[pos : pos + take]
        pos += take
        if len(greeting) < GREETING_SIZE:
            return pos
        if greeting[12:32] != self._mechanism_field:
            peer = bytes(greeting[12:32]).rstrip(b"\x00")
            ours = self._mechanism.name
            raise ProtocolError(f"security mechanism mismatch: peer {peer!r}, ours {ours!r}")
        major, minor = greeting[10], greeting[11]
        self._peer_version = (major, minor)
        self._v31 = major > 3 or minor >= 1
        peer_as_server = greeting[32] != 0
        self._greeting = bytearray()
        self._state = _HANDSHAKE
        self._apply_step(self._mechanism.start(self._our_metadata, peer_as_server), events)
        return pos

    def _handshake_command(self, body: bytes, events: list[Event]) -> None:
        if (
            len(body) > 5
            and body[1:5] == b"RROR"
            and body[:1] != b"\x05"
            and len(body) - 6 == body[5]
        ):
            # libzmq 4.3.5 sends the ERROR of a ZAP denial mangled over ZMTP 3.1
            # (``?RROR reason``: the name-length octet is lost); read it as ERROR.
            events.append(PeerError(body[6:]))
            self._state = _CLOSED
            return
        name, data = parse_command(body)
        if name == ERROR:
            events.append(PeerError(parse_error(data)))
            self._state = _CLOSED
            return
        self._apply_step(self._mechanism.handle_command(name, data), events)

    def _apply_step(self, step: MechanismStep, events: list[Event]) -> None:
        if step.error is not None:
            self._queue_command(encode_error(step.error[:255]))
            raise ProtocolError(f"handshake refused: {step.error!r}")
        if step.metadata is not None:
            self._accept_metadata(step.metadata)
        out = self._out
        for body in step.commands:
            out += command_frame(body)
        if step.complete:
            if self._peer_metadata is None or self._peer_socket_type is None:
                raise ProtocolError("handshake completed without peer metadata")
            self._state = _TRAFFIC
            self._handshake_done = True
            assert self._peer_version is not None
            events.append(
                HandshakeComplete(
                    self._peer_socket_type,
                    self._peer_identity,
                    self._peer_metadata,
                    self._peer_version,
                )
            )

    def _accept_metadata(self, metadata: dict[str, bytes]) -> None:
        raw = find_property(metadata, "Socket-Type")
        if raw is None:
            raise ProtocolError("peer metadata without Socket-Type")
        try:
            peer_type = raw.decode("ascii")
        except UnicodeDecodeError:
            raise ProtocolError("peer Socket-Type is not ASCII") from None
        if self._peer_types is not None and peer_type not in self._peer_types:
            self._queue_command(encode_error(_INVALID_SOCKET_TYPE))
            raise ProtocolError(
                f"peer socket type {peer_type!r} is incompatible with {self._socket_type}"
            )
        self._peer_socket_type = peer_type
        self._peer_identity = find_property(metadata, "Identity") or b""
        self._peer_metadata = metadata

    def _traffic_command(self, body: bytes, events: list[Event]) -> bool:
        """Handle one command after the handshake; False if the connection ended."""
        self.only_messages = False
        name, data = parse_command(body)
        if name == PING:
            ttl, context = parse_ping(data)
            self._queue_command(encode_pong(context))
            events.append(Ping(ttl, context))
        elif name == PONG:
            events.append(Pong(data))
        elif name == SUBSCRIBE:
            events.append(Subscribe(data))
        elif name == CANCEL:
            events.append(Cancel(data))
        elif name == ERROR:
            events.append(PeerError(parse_error(data)))
            self._state = _CLOSED
            self._parts.clear()
            self._clear_body()
            return False
        # READY again and unknown commands are ignored (libzmq session_base push_msg).
        return True

    def _wrapped_command(self, body: bytes, events: list[Event]) -> None:
        name, data = parse_command(body)
        inner = self._mechanism.unwrap_command(name, data)
        if inner is None:
            self._traffic_command(body, events)
            return
        self._unwrapped(inner, events)

    def _wrapped_data(self, body: bytes, events: list[Event]) -> None:
        """A data frame after a wrapping handshake: libzmq sends CURVE MESSAGEs so.

        Its outer flags are ignored (they are not authenticated); the body must be
        a command the mechanism unwraps.
        """
        try:
            name, data = parse_command(body)
        except ProtocolError:
            raise ProtocolError("unwrapped data frame after a wrapping handshake") from None
        inner = self._mechanism.unwrap_command(name, data)
        if inner is None:
            raise ProtocolError("unwrapped data frame after a wrapping handshake")
        self._unwrapped(inner, events)

    def _unwrapped(self, inner: tuple[int, bytes], events: list[Event]) -> None:
        flags, payload = inner
        if flags & COMMAND:
            if flags & MORE:
                raise ProtocolError("command frame with the MORE flag")
            self._traffic_command(payload, events)
            return
        size = len(payload)
        if size > self._room:
            raise ProtocolError("message exceeds the maximum message size")
        parts = self._parts
        parts.append(payload)
        if flags & MORE:
            self._room -= size
        else:
            events.append(tuple(parts))
            parts.clear()
            self._room = self._limit

    # ------------------------------------------------------------------- send

    def data_to_send(self) -> bytes:
        """Drain everything queued for the peer.

        Returns:
            The bytes to write, ``b""`` if nothing is queued.
        """
        out = self._out
        if self._chunks:
            chunks = self._chunks
            if out:
                chunks.append(bytes(out))
                out.clear()
            self._chunks = []
            return b"".join(chunks)
        if not out:
            return b""
        data = bytes(out)
        out.clear()
        return data

    def _require_traffic(self) -> None:
        if self._state != _TRAFFIC:
            if self._state == _CLOSED:
                raise RuntimeError("the ZMTP connection is closed")
            raise RuntimeError("the ZMTP handshake is not complete")

    def send_message(self, frames: Sequence[bytes]) -> None:
        """Queue one multipart message (MORE set on all frames but the last).

        Args:
            frames: At least one frame. ``bytes`` frames of 64 KiB or more are
                queued by reference, not copied.

        Raises:
            RuntimeError: Before the handshake completed or after closing.
            ValueError: ``frames`` is empty.
        """
        self.send_messages((frames,))

    def send_messages(self, messages: Iterable[Sequence[bytes]]) -> None:
        """Queue many multipart messages at once: the fast path.

        Each message is queued whole or not at all.

        Args:
            messages: Messages, each a sequence of at least one frame.

        Raises:
            RuntimeError: Before the handshake completed or after closing.
            ValueError: A message is empty (the messages before it are queued).
        """
        if self._state != _TRAFFIC:
            self._require_traffic()
        if self._wrap:
            for message in messages:
                self._send_wrapped(message)
            return
        out = self._out
        last = SHORT_LAST_HEADERS
        more = SHORT_MORE_HEADERS
        for message in messages:
            count = len(message)
            if count == 1:
                frame = message[0]
                size = len(frame)
                if size < 256:
                    out += last[size]
                    out += frame
                else:
                    self._long_frame(LONG, frame)
                continue
            if not count:
                raise ValueError("a message needs at least one frame")
            for i in range(count - 1):
                frame = message[i]
                size = len(frame)
                if size < 256:
                    out += more[size]
                    out += frame
                else:
                    self._long_frame(LONG | MORE, frame)
            frame = message[count - 1]
            size = len(frame)
            if size < 256:
                out += last[size]
                out += frame
            else:
                self._long_frame(LONG, frame)

    def _long_frame(self, flags: int, frame: bytes) -> None:
        out = self._out
        size = len(frame)
        out += bytes((flags,))
        out += size.to_bytes(8, "big")
        if size >= _BY_REFERENCE and type(frame) is bytes:
            self._chunks.append(bytes(out))
            out.clear()
            self._chunks.append(frame)
        else:
            out += frame

    def _send_wrapped(self, message: Sequence[bytes]) -> None:
        count = len(message)
        if not count:
            raise ValueError("a message needs at least one frame")
        wrap = self._mechanism.wrap_frame
        bodies = [wrap(MORE if i < count - 1 else 0, bytes(f)) for i, f in enumerate(message)]
        out = self._out
        for body in bodies:
            out += _data_frame(body)

    def _queue_command(self, body: bytes) -> None:
        if self._wrap and self._state == _TRAFFIC:
            self._out += _data_frame(self._mechanism.wrap_frame(COMMAND, body))
            return
        self._out += command_frame(body)

    def send_ping(self, ttl: int = 0, context: bytes = b"") -> None:
        """Queue a PING command (RFC 37 §Connection Heartbeating).

        Args:
            ttl: Time-to-live in deciseconds (0-65535; 0 = none).
            context: At most 16 octets, echoed by the peer's PONG.

        Raises:
            RuntimeError: Before the handshake completed or after closing.
            ValueError: ``ttl`` or ``context`` out of range.
        """
        self._require_traffic()
        self._queue_command(encode_ping(ttl, context))

    def send_subscribe(self, topic: bytes) -> None:
        """Queue a subscription: SUBSCRIBE toward 3.1 peers, ``b"\\x01" + topic`` toward 3.0.

        Args:
            topic: The prefix to subscribe to.

        Raises:
            RuntimeError: Before the handshake completed or after closing.
        """
        self._send_subscription(topic, subscribe=True)

    def send_cancel(self, topic: bytes) -> None:
        """Queue an unsubscription: CANCEL toward 3.1 peers, ``b"\\x00" + topic`` toward 3.0.

        Args:
            topic: The prefix to unsubscribe from.

        Raises:
            RuntimeError: Before the handshake completed or after closing.
        """
        self._send_subscription(topic, subscribe=False)

    def _send_subscription(self, topic: bytes, *, subscribe: bool) -> None:
        self._require_traffic()
        if self._v31:
            self._queue_command(encode_subscribe(topic) if subscribe else encode_cancel(topic))
        else:
            self.send_messages(((bytes((subscribe,)) + topic,),))

    def send_error(self, reason: bytes) -> None:
        """Queue an ERROR command and close the connection (RFC 37 §Error Handling).

        Flush ``data_to_send``, then close the transport. Does nothing if
        the connection is already closed.

        Args:
            reason: At most 255 octets, e.g. ``b"400"``.

        Raises:
            RuntimeError: Our greeting has not been fully queued yet (the peer's
                first 11 octets have not arrived); just close instead.
            ValueError: ``reason`` is longer than 255 octets.
        """
        if self._state == _CLOSED:
            return
        if self._state == _PREFIX:
            raise RuntimeError("cannot send ERROR before the greeting")
        self._queue_command(encode_error(reason))
        self._state = _CLOSED
        self._parts.clear()
        self._clear_body()


def _data_frame(body: bytes) -> bytes:
    """A final data frame around a wrapped body (how libzmq frames CURVE MESSAGEs)."""
    size = len(body)
    if size < 256:
        return bytes((0, size)) + body
    return bytes((LONG,)) + size.to_bytes(8, "big") + body
