"""Devices and proxies: ``proxy``, ``proxy_steerable`` and the classic queue/forwarder/streamer.

A proxy moves whole messages between a *frontend* and a *backend* socket, both ways where
the socket types allow it, as libzmq's ``zmq_proxy`` does. It moves a message only when the
source has one **and** the destination can take it, and it takes and queues it with no
``await`` in between, so cancelling a proxy never loses nor duplicates a message: whatever
was not forwarded is still waiting in the source socket. A slow destination therefore
slows the source down as far as the high-water marks dictate (the source's queue fills,
then its peers' send queues); memory stays bounded.

Layer 7.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Callable
from dataclasses import dataclass

from ._sockets import Socket
from .constants import PollEvent, SocketType
from .context import Context
from .errors import Again

__all__ = [
    "CONTROL_COMMANDS",
    "ProxyStatistics",
    "forwarder",
    "proxy",
    "proxy_steerable",
    "queue",
    "streamer",
]

_POLLIN = int(PollEvent.POLLIN)
_POLLOUT = int(PollEvent.POLLOUT)
# Messages moved in one go before the pump lets other tasks run (libzmq: proxy_burst_size).
_BURST = 128
_COUNTER = struct.Struct("=Q")  # libzmq sends its uint64_t counters in host byte order

# Socket types that can receive (resp. send) ordinary messages.
_RECEIVERS = frozenset(SocketType) - {SocketType.PUSH, SocketType.PUB}
_SENDERS = frozenset(SocketType) - {SocketType.PULL, SocketType.SUB}

CONTROL_COMMANDS = (b"PAUSE", b"RESUME", b"TERMINATE", b"STATISTICS")
"""The commands [`proxy_steerable`][aiomq.devices.proxy_steerable] obeys on its control socket."""


@dataclass
class _Counters:
    msgs_in: int = 0
    bytes_in: int = 0
    msgs_out: int = 0
    bytes_out: int = 0


@dataclass(frozen=True)
class ProxyStatistics:
    """libzmq's eight proxy counters; a multipart message counts once, its bytes summed.

    "in" is what the proxy received *from* a socket, "out" what it sent *through* it.
    """

    frontend_msgs_in: int
    frontend_bytes_in: int
    frontend_msgs_out: int
    frontend_bytes_out: int
    backend_msgs_in: int
    backend_bytes_in: int
    backend_msgs_out: int
    backend_bytes_out: int

    def to_frames(self) -> list[bytes]:
        """The reply to ``STATISTICS``: eight frames of one uint64 each (host byte order)."""
        return [
            _COUNTER.pack(value)
            for value in (
                self.frontend_msgs_in,
                self.frontend_bytes_in,
                self.frontend_msgs_out,
                self.frontend_bytes_out,
                self.backend_msgs_in,
                self.backend_bytes_in,
                self.backend_msgs_out,
                self.backend_bytes_out,
            )
        ]

    @classmethod
    def from_frames(cls, frames: list[bytes]) -> ProxyStatistics:
        """Parse a ``STATISTICS`` reply (from aiomq or libzmq on this host).

        Raises:
            ValueError: ``frames`` is not eight frames of eight bytes.
        """
        if len(frames) != 8 or any(len(frame) != _COUNTER.size for frame in frames):
            raise ValueError("a STATISTICS reply is eight frames of eight bytes")
        return cls(*(_COUNTER.unpack(frame)[0] for frame in frames))


class _Proxy:
    """The state one running proxy shares between its pumps and its control loop."""

    def __init__(self, frontend: Socket, backend: Socket, capture: Socket | None) -> None:
        self.frontend = frontend
        self.backend = backend
        self.capture = capture
        self.front = _Counters()
        self.back = _Counters()
        self.running = asyncio.Event()
        self.running.set()

    def statistics(self) -> ProxyStatistics:
        f, b = self.front, self.back
        return ProxyStatistics(
            f.msgs_in, f.bytes_in, f.msgs_out, f.bytes_out,
            b.msgs_in, b.bytes_in, b.msgs_out, b.bytes_out,
        )  # fmt: skip

    async def pump(
        self, source: Socket, destination: Socket, counted_in: _Counters, counted_out: _Counters
    ) -> None:
        """Forward ``source`` → ``destination`` until cancelled or a socket fails."""
        running = self.running
        capture = self.capture
        burst = _BURST
        while True:
            if not running.is_set():
                await running.wait()
                continue
            # Wait for each condition; both are checked again below with no suspension
            # between the check, the take and the queueing.
            await source._closing_as_error(source.poll(None, _POLLIN))
            await destination._closing_as_error(destination.poll(None, _POLLOUT))
            if not running.is_set() or not await source.poll(0, _POLLIN):
                continue  # paused meanwhile (a poll with timeout 0 does not suspend)
            message = source.recv_multipart_nowait()
            try:
                destination.send_multipart_nowait(message)
            except Again:
                # Only a ROUTER_MANDATORY router whose addressed peer is full refuses what
                # POLLOUT promised; it drops, like a router without ROUTER_MANDATORY.
                continue
            size = sum(map(len, message))
            counted_in.msgs_in += 1
            counted_in.bytes_in += size
            counted_out.msgs_out += 1
            counted_out.bytes_out += size
            if capture is not None:
                # A slow capture misses messages, it never blocks the flow (libzmq).
                with contextlib.suppress(Again):
                    capture.send_multipart_nowait(message)
            burst -= 1
            if burst <= 0:
                burst = _BURST
                await asyncio.sleep(0)

    async def control_loop(self, control: Socket) -> None:
        """Obey commands on ``control`` until ``TERMINATE``."""
        replies = control.type is SocketType.REP
        while True:
            command = await control._closing_as_error(control.recv_multipart())
            verb = command[0] if len(command) == 1 else b""
            if verb == b"STATISTICS":
                await control.send_multipart(self.statistics().to_frames())
                continue
            if verb == b"PAUSE":
                self.running.clear()
            elif verb == b"RESUME":
                self.running.set()
            # Unknown commands are ignored (libzmq asserts); a REP must answer anyway.
            if replies:
                await control.send_multipart([b""])
            if verb == b"TERMINATE":
                return

    async def run(self, control: Socket | None) -> None:
        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[None]] = []
        if self.frontend.type in _RECEIVERS and self.backend.type in _SENDERS:
            tasks.append(
                loop.create_task(self.pump(self.frontend, self.backend, self.front, self.back))
            )
        if self.backend.type in _RECEIVERS and self.frontend.type in _SENDERS:
            tasks.append(
                loop.create_task(self.pump(self.backend, self.frontend, self.back, self.front))
            )
        if control is not None:
            tasks.append(loop.create_task(self.control_loop(control)))
        if not tasks:
            raise ValueError(
                f"nothing to forward between {self.frontend.type.name} and {self.backend.type.name}"
            )
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                task.result()  # re-raises the pump's or the control loop's error


def _check(frontend: Socket, backend: Socket, capture: Socket | None) -> None:
    if frontend is backend:
        raise ValueError("frontend and backend must be different sockets")
    if capture is not None and capture.type not in _SENDERS:
        raise ValueError(f"a {capture.type.name} socket cannot capture (it cannot send)")


async def proxy(frontend: Socket, backend: Socket, capture: Socket | None = None) -> None:
    """Forward messages between ``frontend`` and ``backend`` until cancelled (``zmq_proxy``).

    Messages go both ways where the socket types allow it (a PULL frontend and a PUSH
    backend forward one way only). A message moves only when its source has one and its
    destination can take it (``POLLOUT``), so a slow destination holds the source back as
    its high-water marks dictate. Every forwarded message is also sent to ``capture``
    without waiting: when ``capture`` cannot take it, it misses it, as with libzmq.

    Args:
        frontend: The socket facing the clients (ROUTER, XSUB, PULL ...).
        backend: The socket facing the services (DEALER, XPUB, PUSH ...).
        capture: A socket that can send (PUB, PUSH, PAIR ...) to copy every message to.

    Raises:
        ValueError: The same socket twice, nothing to forward, or a capture that cannot send.
        ZMQError: A socket was closed (``ENOTSOCK``) or its context terminated
            (``ContextTerminated``), or a destination refused a message for good
            (``EHOSTUNREACH`` from a ``ROUTER_MANDATORY`` frontend).

    Cancellation-safe: cancelling never loses nor duplicates a message; a message is taken
    from its source and queued on its destination with no ``await`` in between, and what was
    not forwarded still waits in its source socket for the next proxy.
    """
    _check(frontend, backend, capture)
    await _Proxy(frontend, backend, capture).run(None)


async def proxy_steerable(
    frontend: Socket,
    backend: Socket,
    capture: Socket | None = None,
    control: Socket | None = None,
) -> None:
    """A [`proxy`][aiomq.devices.proxy] obeying commands on ``control`` (``zmq_proxy_steerable``).

    Commands are single-frame messages:

    - ``PAUSE``: stop forwarding (messages wait in the sockets); ``RESUME``: go on.
    - ``TERMINATE``: return.
    - ``STATISTICS``: reply with eight frames of one uint64 each (host byte order, as
      libzmq): frontend messages in, bytes in, messages out, bytes out, then the backend's
      four. A multipart message counts once, with the sizes of its frames summed; see
      [`ProxyStatistics`][aiomq.devices.ProxyStatistics].

    A REP control socket gets an empty reply to ``PAUSE``, ``RESUME`` and ``TERMINATE``
    (as libzmq 4.3.5+); a PAIR gets none. Unknown commands are ignored (libzmq aborts),
    answered with an empty reply on REP.

    Args:
        frontend: As for [`proxy`][aiomq.devices.proxy].
        backend: As for [`proxy`][aiomq.devices.proxy].
        capture: As for [`proxy`][aiomq.devices.proxy].
        control: A REP or PAIR socket to receive commands on; ``None`` behaves as
            [`proxy`][aiomq.devices.proxy].

    Raises:
        ValueError: As for [`proxy`][aiomq.devices.proxy].
        ZMQError: As for [`proxy`][aiomq.devices.proxy], and for a closed control socket.

    Cancellation-safe: as [`proxy`][aiomq.devices.proxy]; a command is either fully handled or still
    waiting in ``control`` (a cancelled STATISTICS or empty reply may be lost).
    """
    _check(frontend, backend, capture)
    await _Proxy(frontend, backend, capture).run(control)


_DEVICES: dict[str, tuple[SocketType, SocketType]] = {
    "queue": (SocketType.ROUTER, SocketType.DEALER),
    "forwarder": (SocketType.XSUB, SocketType.XPUB),
    "streamer": (SocketType.PULL, SocketType.PUSH),
}


async def _run_device(
    kind: str,
    frontend_ep: str,
    backend_ep: str,
    capture: str | None,
    context: Context | None,
    on_open: Callable[[Socket, Socket], None] | None = None,
) -> None:
    """Create, bind and proxy a device's sockets; ``on_open(frontend, backend)`` runs
    before they bind (the CLI attaches its monitor listeners there)."""
    frontend_type, backend_type = _DEVICES[kind]
    own = context is None
    ctx = Context() if context is None else context
    sockets: list[Socket] = []
    try:
        frontend = ctx.socket(frontend_type)
        sockets.append(frontend)
        backend = ctx.socket(backend_type)
        sockets.append(backend)
        if on_open is not None:
            on_open(frontend, backend)
        capture_sock: Socket | None = None
        if capture is not None:
            capture_sock = ctx.socket(SocketType.PUB)
            sockets.append(capture_sock)
            capture_sock.bind(capture)
        frontend.bind(frontend_ep)
        backend.bind(backend_ep)
        await proxy(frontend, backend, capture_sock)
    finally:
        await asyncio.gather(*(sock.aclose(linger=0) for sock in sockets))
        if own:
            await ctx.term()


async def queue(
    frontend_ep: str,
    backend_ep: str,
    *,
    capture: str | None = None,
    context: Context | None = None,
) -> None:
    """Run a request-reply queue device: ROUTER frontend, DEALER backend, until cancelled.

    REQ (or DEALER) clients connect to ``frontend_ep``; REP (or DEALER) workers connect to
    ``backend_ep``. Requests are shared among the workers; each reply finds its client.

    Args:
        frontend_ep: Where the ROUTER binds (``tcp://*:5559``).
        backend_ep: Where the DEALER binds.
        capture: Where a PUB socket binds to publish a copy of every message.
        context: The context for the sockets; a private one by default.

    Raises:
        ZMQError: An endpoint cannot be bound, or as for [`proxy`][aiomq.devices.proxy].

    Cancellation-safe: as [`proxy`][aiomq.devices.proxy]; the sockets are closed (linger 0)
    on the way out.
    """
    await _run_device("queue", frontend_ep, backend_ep, capture, context)


async def forwarder(
    frontend_ep: str,
    backend_ep: str,
    *,
    capture: str | None = None,
    context: Context | None = None,
) -> None:
    """Run a publish-subscribe forwarder: XSUB frontend, XPUB backend, until cancelled.

    Publishers connect to ``frontend_ep``, subscribers to ``backend_ep``; subscriptions go
    upstream, matching messages downstream.

    Args:
        frontend_ep: Where the XSUB binds.
        backend_ep: Where the XPUB binds.
        capture: Where a PUB socket binds to publish a copy of every message.
        context: The context for the sockets; a private one by default.

    Raises:
        ZMQError: An endpoint cannot be bound, or as for [`proxy`][aiomq.devices.proxy].

    Cancellation-safe: as [`proxy`][aiomq.devices.proxy]; the sockets are closed (linger 0)
    on the way out.
    """
    await _run_device("forwarder", frontend_ep, backend_ep, capture, context)


async def streamer(
    frontend_ep: str,
    backend_ep: str,
    *,
    capture: str | None = None,
    context: Context | None = None,
) -> None:
    """Run a pipeline streamer: PULL frontend, PUSH backend, until cancelled.

    Producers (PUSH) connect to ``frontend_ep``, consumers (PULL) to ``backend_ep``.

    Args:
        frontend_ep: Where the PULL binds.
        backend_ep: Where the PUSH binds.
        capture: Where a PUB socket binds to publish a copy of every message.
        context: The context for the sockets; a private one by default.

    Raises:
        ZMQError: An endpoint cannot be bound, or as for [`proxy`][aiomq.devices.proxy].

    Cancellation-safe: as [`proxy`][aiomq.devices.proxy]; the sockets are closed (linger 0)
    on the way out.
    """
    await _run_device("streamer", frontend_ep, backend_ep, capture, context)
