"""The ``epgm://`` and ``pgm://`` transports: the sockets of one multicast endpoint.

PGM has no connections: a source multicasts to a group and receives NAKs and SPMRs by
unicast; a receiver joins the group and sends NAKs by unicast. This module opens those
sockets, bound the way that keeps them apart from libzmq/OpenPGM processes on the same
host (``PGM-NOTES.md`` §1.6): OpenPGM binds ``0.0.0.0:port`` with ``SO_REUSEPORT``, and
Linux hashes each unicast datagram to one socket of such a group. So

* a receiver's multicast socket binds the **group** address (``group:port``): it gets the
  group's traffic and no unicast;
* a source's upstream socket binds the **interface** address (``address:port``), more
  specific than ``0.0.0.0``, so unicast NAKs to it reach it and nobody else;
* each sends from its own socket bound to ``address:0``.

``pgm://`` uses one raw IPv4 socket (protocol 113, needs ``CAP_NET_RAW``) for both
directions; what it receives starts with the IPv4 header.

Layer 3: sockets only, no PGM.
"""

from __future__ import annotations

import errno
import socket
import struct
import sys
from dataclasses import dataclass

from ..endpoint import Endpoint
from ..errors import ZMQError

__all__ = ["PGM_PROTOCOL", "MulticastSockets", "interface_address", "open_receiver", "open_source"]

PGM_PROTOCOL = 113
"""The IP protocol number of PGM (``pgm://``)."""

_SIOCGIFADDR = 0x8915
_RCVBUF = 4 * 1024 * 1024  # ask for room: a burst of 1.5 KB datagrams overflows 208 KiB fast
_SO_RCVBUFFORCE = 33  # Linux: root may exceed net.core.rmem_max


@dataclass(slots=True)
class MulticastSockets:
    """The non-blocking sockets of one pgm endpoint.

    Attributes:
        address: The interface's IPv4 address (the source's NLA).
        send: Sends everything this side sends (multicast and unicast).
        receive: Receives what this side reads (the group, or unicast NAKs/SPMRs); the
            same socket as ``send`` for ``pgm://``.
        raw: True for ``pgm://``: received datagrams start with the IPv4 header, and
            unicast goes to port 0.
    """

    address: str
    send: socket.socket
    receive: socket.socket
    raw: bool

    def close(self) -> None:
        """Close the sockets."""
        self.send.close()
        self.receive.close()


def interface_address(endpoint: Endpoint) -> str:
    """The IPv4 address of the endpoint's interface.

    An IPv4 literal is itself; a name (``eth0``, ``lo``) is looked up; an empty
    interface is the address the routing table uses to reach the group.

    Raises:
        ZMQError: ``ENODEV``: no such interface, or it has no IPv4 address.
    """
    name = endpoint.host
    try:
        socket.inet_aton(name)
    except OSError:
        pass
    else:
        if name.count(".") == 3:
            return name
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            if not name:
                probe.connect((endpoint.group, endpoint.port))
                return str(probe.getsockname()[0])
            if not sys.platform.startswith("linux"):
                raise OSError(errno.ENODEV, "interface names are looked up on Linux only")
            import fcntl  # POSIX only

            request = struct.pack("256s", name.encode()[:15])
            reply = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
        except OSError as exc:
            raise ZMQError(
                errno.ENODEV, f"{endpoint}: no IPv4 address for interface {name!r} ({exc})"
            ) from None
    return socket.inet_ntoa(reply[20:24])


def open_source(endpoint: Endpoint, *, hops: int, loop: bool) -> MulticastSockets:
    """Sockets of a PGM source (PUB, XPUB) on ``endpoint``.

    Raises:
        ZMQError: No such interface, an address that cannot be bound, or (``pgm://``)
            no permission to open a raw socket.
    """
    address = interface_address(endpoint)
    if endpoint.transport == "pgm":
        raw = _raw_socket(endpoint)
        _multicast_sender(raw, address, hops, loop)
        return MulticastSockets(address, raw, raw, raw=True)
    send = _udp_sender(endpoint, address, hops, loop)
    upstream = _udp(endpoint)
    try:
        _reuse(upstream)
        upstream.bind((address, endpoint.port))
    except OSError as exc:
        send.close()
        upstream.close()
        raise _error(endpoint, exc) from None
    return MulticastSockets(address, send, upstream, raw=False)


def open_receiver(endpoint: Endpoint, *, hops: int, loop: bool) -> MulticastSockets:
    """Sockets of a PGM receiver (SUB, XSUB) on ``endpoint``: joined to its group.

    Raises:
        ZMQError: As ``open_source``, or the group cannot be joined.
    """
    address = interface_address(endpoint)
    membership = socket.inet_aton(endpoint.group) + socket.inet_aton(address)
    if endpoint.transport == "pgm":
        raw = _raw_socket(endpoint)
        try:
            _multicast_sender(raw, address, hops, loop)
            raw.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
            _grow_rcvbuf(raw)
        except OSError as exc:
            raw.close()
            raise _error(endpoint, exc) from None
        return MulticastSockets(address, raw, raw, raw=True)
    send = _udp_sender(endpoint, address, hops, loop)
    group = _udp(endpoint)
    try:
        _reuse(group)
        group.bind((endpoint.group, endpoint.port))
        group.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        _grow_rcvbuf(group)
    except OSError as exc:
        send.close()
        group.close()
        raise _error(endpoint, exc) from None
    return MulticastSockets(address, send, group, raw=False)


def _udp(endpoint: Endpoint) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    return sock


def _udp_sender(endpoint: Endpoint, address: str, hops: int, loop: bool) -> socket.socket:
    sock = _udp(endpoint)
    try:
        sock.bind((address, 0))
        _multicast_sender(sock, address, hops, loop)
    except OSError as exc:
        sock.close()
        raise _error(endpoint, exc) from None
    return sock


def _raw_socket(endpoint: Endpoint) -> socket.socket:
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, PGM_PROTOCOL)
    except PermissionError:
        raise ZMQError(
            errno.EPERM, f"{endpoint}: pgm:// needs CAP_NET_RAW (or use epgm://)"
        ) from None
    except OSError as exc:
        raise _error(endpoint, exc) from None
    sock.setblocking(False)
    return sock


def _multicast_sender(sock: socket.socket, address: str, hops: int, loop: bool) -> None:
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, hops)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(loop))


def _reuse(sock: socket.socket) -> None:
    # OpenPGM's sockets carry SO_REUSEPORT only; sharing a port with them needs it here.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)


def _grow_rcvbuf(sock: socket.socket) -> None:
    for option in (_SO_RCVBUFFORCE, socket.SO_RCVBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, _RCVBUF)
        except OSError:
            continue
        return


def _error(endpoint: Endpoint, exc: OSError) -> ZMQError:
    code = exc.errno if exc.errno is not None else errno.EINVAL
    return ZMQError(code, f"cannot open {endpoint}: {exc.strerror or exc}")
