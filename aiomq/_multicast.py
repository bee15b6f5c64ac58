"""Multicast links: one ``epgm://`` or ``pgm://`` endpoint of a PUB/XPUB or SUB/XSUB.

A link drives the sans-I/O PGM codec (``aiomq.pgm``) over the sockets of
``aiomq._transports.pgm``, on the socket's event loop, and serves one pipe:

* ``MulticastSender`` (PUB, XPUB): takes whole messages from the pipe, cuts them
  into APDUs as libzmq does, and sends each as one ODATA when the rate limit allows;
  it answers NAKs with NCF + RDATA from its transmit window and sends SPMs on time.
  The pipe is subscribed to everything: subscribers filter on their own side.
* ``MulticastReceiver`` (SUB, XSUB): reads the group, recovers losses by NAK,
  and pushes whole messages, in order per source, into the pipe. Subscriptions the
  socket queues for the pipe are dropped: PGM has no upstream for them.

There is no connection: ``bind`` and ``connect`` do the same, as in libzmq.

Layer 4.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import deque
from collections.abc import Callable

from ._link import SocketLink
from ._pipe import Pipe
from ._traits import Multicast, SocketTraits
from ._transports import pgm as transport
from .endpoint import Endpoint
from .errors import EINVAL, ENOCOMPATPROTO, ZMQError
from .options import Options
from .pgm import (
    ApduPacker,
    Datagram,
    PacketError,
    Receiver,
    Source,
    Tsi,
    max_apdu,
    strip_ipv4_header,
)

__all__ = ["MulticastLink", "MulticastReceiver", "MulticastSender", "open_link", "window_sqns"]

_READ_BATCH = 256  # datagrams read per wake-up before the loop runs other work
_IP_UDP_OVERHEAD = 28  # IPv4 + UDP headers of an epgm packet
_IP_OVERHEAD = 20  # IPv4 header of a pgm packet
# The rate bucket holds at least this many seconds of data: the loop wakes the sender up
# to a millisecond or two late, and a 1 ms bucket (OpenPGM's above 12 Mbit/s) would lose
# that refill, sending at about 60 % of RATE.
_BURST = 0.004


def window_sqns(options: Options) -> int:
    """Transmit/receive window in packets, as libzmq's ``compute_sqns``.

    ``RECOVERY_IVL`` ms of ``RATE`` kbit/s in ``MULTICAST_MAXTPDU``-byte packets
    (80 with libzmq's defaults).
    """
    return max(1, options.recovery_ivl * (options.rate // 8) // options.multicast_maxtpdu)


class MulticastLink:
    """What both directions share: the sockets, the reader, the timer and the sends.

    Args:
        link: The socket's services.
        endpoint: The parsed ``epgm://`` or ``pgm://`` endpoint.
        url: The endpoint as the application gave it (the pipe's name).
        open_sockets: Opens the endpoint's sockets (``aiomq._transports.pgm.open_source``
            or ``open_receiver``), with the socket's ``MULTICAST_HOPS`` and ``MULTICAST_LOOP``.

    Raises:
        ZMQError: The sockets cannot be opened.
    """

    def __init__(
        self,
        link: SocketLink,
        endpoint: Endpoint,
        url: str,
        open_sockets: Callable[..., transport.MulticastSockets],
    ) -> None:
        options = link.options
        sockets = open_sockets(
            endpoint, hops=options.multicast_hops, loop=bool(options.multicast_loop)
        )
        self.link = link
        self.endpoint = endpoint
        self.url = url
        self.closed: asyncio.Future[None] = link.loop.create_future()
        self._sockets = sockets
        self._loop = link.loop
        self._timer: asyncio.Handle | None = None
        self._timer_due = 0.0
        self._unsent: deque[Datagram] = deque()
        self._writing = False
        self.pipe: Pipe | None = None
        self.errors = 0
        """Socket errors: datagrams the kernel refused (a full buffer waits instead)
        and errors reported on a read (such as an ICMP unreachable)."""

    def _attach(self, pipe: Pipe) -> bool:
        pipe.endpoint = self.url
        if not self.link.sink.attach_pipe(pipe):
            return False
        self.pipe = pipe
        self._loop.add_reader(self._sockets.receive.fileno(), self._readable)
        return True

    # -- reading ----------------------------------------------------------------------

    def _readable(self) -> None:
        sock = self._sockets.receive
        raw = self._sockets.raw
        now = self._loop.time()
        for _ in range(_READ_BATCH):
            try:
                received, (address, _port) = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.errors += 1
                continue
            data: bytes | memoryview = received
            if raw:
                try:
                    data = strip_ipv4_header(received)
                except PacketError:
                    continue
            self._received(data, address, now)
        self._after_input(now)

    def _received(self, data: bytes | memoryview, address: str, now: float) -> None:
        raise NotImplementedError

    def _after_input(self, now: float) -> None:
        raise NotImplementedError

    # -- writing ----------------------------------------------------------------------

    def _send_all(self, datagrams: list[Datagram]) -> None:
        if not datagrams:
            return
        if self._unsent:
            self._unsent.extend(datagrams)
            return
        sock = self._sockets.send
        raw = self._sockets.raw
        for index, datagram in enumerate(datagrams):
            try:
                sock.sendto(datagram.payload, (datagram.address, 0 if raw else datagram.port))
            except (BlockingIOError, InterruptedError):
                self._unsent.extend(datagrams[index:])
                self._wait_writable()
                return
            except OSError:
                self.errors += 1

    def _wait_writable(self) -> None:
        if not self._writing:
            self._writing = True
            self._loop.add_writer(self._sockets.send.fileno(), self._writable)

    def _writable(self) -> None:
        self._loop.remove_writer(self._sockets.send.fileno())
        self._writing = False
        pending = list(self._unsent)
        self._unsent.clear()
        self._send_all(pending)
        if not self._unsent:
            self._drained()

    def _drained(self) -> None:
        """The kernel took every datagram that was waiting."""

    # -- timers -----------------------------------------------------------------------

    def _arm(self, due: float | None, callback: Callable[[], None]) -> None:
        # The due time is kept here: uvloop returns a plain Handle (no ``when()``) for a
        # time already past.
        timer = self._timer
        if timer is not None:
            if due == self._timer_due:
                return
            timer.cancel()
            self._timer = None
        if due is not None and not self.closed.done():
            self._timer = self._loop.call_at(due, callback)
            self._timer_due = due

    # -- closing ----------------------------------------------------------------------

    def close(self, linger: int) -> asyncio.Future[None]:
        """Stop; a sender first sends what it holds for up to ``linger`` ms.

        Returns:
            A future done when the link has ended.
        """
        self._finish()
        return self.closed

    def _finish(self) -> None:
        if self.closed.done():
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writing:
            self._loop.remove_writer(self._sockets.send.fileno())
            self._writing = False
        if self.pipe is not None:
            self._loop.remove_reader(self._sockets.receive.fileno())
            self.link.sink.detach_pipe(self.pipe)
            self.pipe = None
        self._sockets.close()
        self.closed.set_result(None)


class MulticastSender(MulticastLink):
    """A PGM source serving a PUB/XPUB's pipe (see the module docstring)."""

    def __init__(self, link: SocketLink, endpoint: Endpoint, url: str) -> None:
        super().__init__(link, endpoint, url, transport.open_source)
        options = link.options
        sockets = self._sockets
        raw = sockets.raw
        try:
            self._source = Source(
                tsi=Tsi(os.urandom(6), _data_source_port(endpoint.port)),
                port=endpoint.port,
                nla=sockets.address,
                group=endpoint.group,
                txw_sqns=window_sqns(options),
                rate=options.rate * 1000 // 8,
                max_tpdu=options.multicast_maxtpdu,
                ip_overhead=_IP_OVERHEAD if raw else _IP_UDP_OVERHEAD,
                now=self._loop.time(),
                burst=_BURST,
            )
        except ValueError as exc:
            sockets.close()
            raise ZMQError(EINVAL, f"cannot open {endpoint}: {exc}") from None
        self._apdu_room = max_apdu(options.multicast_maxtpdu, raw)
        self._packer = ApduPacker(self._apdu_room)
        self._held: bytes | None = None  # an APDU waiting for the rate limit
        self._pump_handle: asyncio.Handle | asyncio.TimerHandle | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._closing = False

    def start(self) -> None:
        """Attach the pipe (subscribed to everything) and send the opening SPMs."""
        pipe = self.link.new_pipe(self.url)
        pipe.subscribes_all = True
        pipe.outbound.on_readable = self._schedule_pump
        if not self._attach(pipe):
            self._finish()
            return
        self._flush(self._loop.time())
        self._schedule_pump()

    def _schedule_pump(self) -> None:
        if self._pump_handle is None:
            self._pump_handle = self._loop.call_soon(self._pump)

    def _pump(self) -> None:
        """Send APDUs while the rate limit and the kernel allow."""
        self._pump_handle = None
        if self.closed.done() or self._unsent:
            return
        now = self._loop.time()
        source = self._source
        while True:
            apdu = self._held if self._held is not None else self._next_apdu()
            if apdu is None:
                break
            delay = source.rate_delay(len(apdu), now)
            if delay > 0:
                self._held = apdu
                self._pump_handle = self._loop.call_later(delay, self._pump)
                break
            self._held = None
            source.send(apdu, now)
            self._flush(now)
            if self._unsent:
                break  # the kernel's buffer is full: _drained resumes
        if self._closing and not self.has_unsent():
            self._finish()

    def _next_apdu(self) -> bytes | None:
        """The next APDU, filled with as many waiting messages as fit (as libzmq)."""
        packer = self._packer
        pipe = self.pipe
        if pipe is not None:
            outbound = pipe.outbound
            room = self._apdu_room
            while packer.pending_bytes < room and len(outbound):
                packer.push(outbound.pop())
        return packer.pop()

    def has_unsent(self) -> bool:
        """True while messages, APDUs or datagrams wait to go out."""
        pipe = self.pipe
        return bool(
            self._held is not None
            or self._packer.pending()
            or self._unsent
            or (pipe is not None and len(pipe.outbound))
        )

    def _received(self, data: bytes | memoryview, address: str, now: float) -> None:
        self._source.receive(data, now)

    def _after_input(self, now: float) -> None:
        self._flush(now)

    def _flush(self, now: float) -> None:
        source = self._source
        self._send_all(source.datagrams())
        self._arm(source.next_timer(), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        now = self._loop.time()
        self._source.on_timer(now)
        self._flush(now)

    def _drained(self) -> None:
        self._schedule_pump()

    def close(self, linger: int) -> asyncio.Future[None]:
        """Send what is queued for up to ``linger`` ms (-1: until done), then 3 FIN SPMs.

        Returns:
            A future done when the link has ended.
        """
        if self._closing or self.closed.done():
            return self.closed
        self._closing = True
        if linger == 0 or not self.has_unsent():
            self._finish()
        elif linger > 0:
            self._linger = self._loop.call_later(linger / 1000, self._finish)
        return self.closed

    def _finish(self) -> None:
        if self.closed.done():
            return
        if self._pump_handle is not None:
            self._pump_handle.cancel()
            self._pump_handle = None
        if self._linger is not None:
            self._linger.cancel()
        self._source.close(self._loop.time())
        datagrams = self._source.datagrams()
        if not self._unsent:
            self._send_all(datagrams)
        super()._finish()


class MulticastReceiver(MulticastLink):
    """A PGM receiver feeding a SUB/XSUB's pipe (see the module docstring)."""

    def __init__(self, link: SocketLink, endpoint: Endpoint, url: str) -> None:
        super().__init__(link, endpoint, url, transport.open_receiver)
        options = link.options
        self._receiver = Receiver(
            port=endpoint.port,
            group=endpoint.group,
            rxw_sqns=window_sqns(options),
            rand=random.random,
            max_msg_size=options.maxmsgsize,
        )
        self.dropped = 0
        """Whole messages dropped because the socket's receive queue was full."""
        self.lost = 0
        """Sequence numbers the sources could not repair (their messages are dropped)."""

    def start(self) -> None:
        """Attach the pipe and start reading the group."""
        pipe = self.link.new_pipe(self.url)
        pipe.outbound.on_readable = pipe.outbound.clear  # no upstream for subscriptions
        if not self._attach(pipe):
            self._finish()

    def _received(self, data: bytes | memoryview, address: str, now: float) -> None:
        self._receiver.receive(data, address, now)

    def _after_input(self, now: float) -> None:
        receiver = self._receiver
        messages = receiver.messages()
        pipe = self.pipe
        if messages and pipe is not None:
            inbound = pipe.inbound
            room = len(messages) if not inbound.hwm else max(inbound.hwm - len(inbound), 0)
            if room < len(messages):
                self.dropped += len(messages) - room
            inbound.push_many(message for _, message in messages[:room])
        for loss in receiver.losses():
            self.lost += loss.sqns
        self._send_all(receiver.datagrams())
        self._arm(receiver.next_timer(), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        now = self._loop.time()
        self._receiver.on_timer(now)
        self._after_input(now)


def _data_source_port(port: int) -> int:
    """A random PGM data-source port other than the endpoint's (OpenPGM's rule)."""
    while True:
        sport = random.randrange(1, 65536)
        if sport != port:
            return sport


def check_multicast_type(traits: SocketTraits, endpoint: Endpoint) -> None:
    """Refuse a socket type that cannot use multicast.

    Raises:
        ZMQError: ``ENOCOMPATPROTO`` for a socket type without a multicast role (all
            but PUB, XPUB, SUB and XSUB).
    """
    if traits.multicast is Multicast.NONE:
        raise ZMQError(
            ENOCOMPATPROTO,
            f"{endpoint.transport}:// carries publish-subscribe traffic only; "
            f"{traits.name} sockets cannot use it",
        )


def open_link(link: SocketLink, endpoint: Endpoint, url: str) -> MulticastLink:
    """Open and start the multicast link of ``url`` for the socket behind ``link``.

    Raises:
        ZMQError: As ``check_multicast_type``; otherwise as
            ``aiomq._transports.pgm.open_source``.
    """
    check_multicast_type(link.traits, endpoint)
    opened: MulticastLink
    if link.traits.multicast is Multicast.SEND:
        opened = MulticastSender(link, endpoint, url)
    else:
        opened = MulticastReceiver(link, endpoint, url)
    opened.start()
    return opened
