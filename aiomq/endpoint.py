"""Endpoint parsing: ``tcp://``, ``ipc://``, ``inproc://``, ``epgm://`` and ``pgm://`` addresses.

Layer 1: imports layer 0 only.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .errors import EINVAL, EPROTONOSUPPORT, ZMQError

__all__ = ["DEFAULT_GROUP", "MULTICAST_TRANSPORTS", "TRANSPORTS", "Endpoint", "parse_endpoint"]

TRANSPORTS = ("tcp", "ipc", "inproc", "epgm", "pgm")
MULTICAST_TRANSPORTS = frozenset({"epgm", "pgm"})
DEFAULT_GROUP = "239.192.0.1"
"""The multicast group of a pgm endpoint that names none (OpenPGM's default)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A parsed endpoint.

    Attributes:
        transport: ``"tcp"``, ``"ipc"``, ``"inproc"``, ``"epgm"`` or ``"pgm"``.
        address: Everything after ``://``, as given.
        host: TCP host (name or literal, IPv6 without brackets); ``"0.0.0.0"`` for ``*``.
            For pgm: the interface, a name (``eth0``) or its IPv4 address; ``""`` lets
            the routing table choose.
        port: TCP port; 0 asks for an ephemeral port (``*`` on bind). For pgm: the
            UDP and PGM data-destination port.
        group: For pgm: the IPv4 multicast group.
        path: IPC filesystem path (``"\\0name"`` for an abstract ``@name``) or inproc name;
            ``"*"`` for an IPC path the library picks.
        source: For a tcp connect, libzmq's ``source;destination`` form
            (``tcp://192.168.1.7:0;10.0.0.5:5555``): the ``(host, port)`` to bind the
            outgoing socket to before connecting. The host is an IP literal (IPv6 without
            brackets), or ``""`` for any address (``*``); port 0 (``0`` or ``*``) lets the
            system choose. None without a source.
    """

    transport: str
    address: str
    host: str = ""
    port: int = 0
    path: str = ""
    group: str = ""
    source: tuple[str, int] | None = None

    def __str__(self) -> str:
        return f"{self.transport}://{self.address}"


def parse_endpoint(url: object, *, bind: bool) -> Endpoint:
    """Parse an endpoint string.

    Args:
        url: The endpoint, e.g. ``"tcp://127.0.0.1:5555"``.
        bind: True for `Socket.bind` (wildcards allowed), False for `Socket.connect`
            (a tcp source address allowed).

    Returns:
        The parsed endpoint.

    Raises:
        TypeError: ``url`` is not a ``str``.
        ZMQError: ``EINVAL`` for a malformed endpoint, ``EPROTONOSUPPORT`` for an
            unknown transport.
    """
    if not isinstance(url, str):
        raise TypeError(f"addr (the endpoint) must be str, not {type(url).__name__}")
    transport, sep, address = url.partition("://")
    if not sep:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: expected transport://address")
    if transport not in TRANSPORTS:
        raise ZMQError(
            EPROTONOSUPPORT,
            f"unsupported transport {transport!r} in {url!r} (supported: {', '.join(TRANSPORTS)})",
        )
    if not address:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: empty address")
    if transport == "tcp":
        source_text, sep, destination = address.rpartition(";")
        source = None
        if sep:
            if bind:
                raise ZMQError(
                    EINVAL,
                    f"invalid endpoint {url!r}: a source address (tcp://source;destination) "
                    "is for connect only",
                )
            if ";" in source_text:
                raise ZMQError(EINVAL, f"invalid endpoint {url!r}: more than one ';'")
            source = _parse_tcp_source(url, source_text)
        host, port = _parse_tcp(url, destination, bind=bind)
        return Endpoint(transport, address, host=host, port=port, source=source)
    if transport in MULTICAST_TRANSPORTS:
        interface, group, port = _parse_pgm(url, address)
        return Endpoint(transport, address, host=interface, port=port, group=group)
    if transport == "ipc":
        if address == "*" and not bind:
            raise ZMQError(EINVAL, f"invalid endpoint {url!r}: cannot connect to a wildcard")
        path = "\0" + address[1:] if address.startswith("@") else address
        return Endpoint(transport, address, path=path)
    return Endpoint(transport, address, path=address)


def _parse_pgm(url: str, address: str) -> tuple[str, str, int]:
    """``interface;group:port`` (OpenPGM's network string, one group) -> its parts.

    As libzmq, the port is what follows the last ``:``; the network is
    ``interface;receive-groups;send-group``, and the send group must be the receive
    group (aiomq joins and sends to one group per endpoint).
    """
    network, sep, port_text = address.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ZMQError(
            EINVAL, f"invalid endpoint {url!r}: expected pgm://interface;group:port, port 1-65535"
        )
    parts = network.split(";")
    if len(parts) > 3:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: too many ';' in the network")
    interface = parts[0]
    groups = parts[1].split(",") if len(parts) > 1 and parts[1] else [DEFAULT_GROUP]
    send = parts[2] if len(parts) > 2 and parts[2] else groups[0]
    if len(groups) > 1 or send != groups[0]:
        raise ZMQError(
            EINVAL, f"invalid endpoint {url!r}: aiomq supports one multicast group per endpoint"
        )
    try:
        group = ipaddress.ip_address(groups[0])
    except ValueError:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: bad group {groups[0]!r}") from None
    if group.version != 4 or not group.is_multicast:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: {group} is not an IPv4 multicast group")
    return interface, str(group), int(port_text)


def _parse_tcp_source(url: str, text: str) -> tuple[str, int]:
    """The ``host:port`` before ``;`` in a tcp connect endpoint -> (host, port).

    As libzmq: the host is an IP literal or ``*`` (any), never resolved by DNS; the port
    is a number, or ``0``/``*`` for any. Unlike libzmq, an interface name (``eth0``) is
    refused: give its address.
    """
    host, sep, port_text = text.rpartition(":")
    if not sep or not host or text.endswith("]"):
        raise ZMQError(
            EINVAL, f"invalid endpoint {url!r}: expected tcp://source-host:port;host:port"
        )
    if host == "*":
        host = ""
    else:
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            literal = host.split("%", 1)[0]
        elif ":" in host:
            raise ZMQError(
                EINVAL, f"invalid endpoint {url!r}: IPv6 source addresses need [brackets]"
            )
        else:
            literal = host
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            raise ZMQError(
                EINVAL,
                f"invalid endpoint {url!r}: the source host must be an IP address or '*', "
                f"not {host!r}",
            ) from None
    if port_text in ("*", "0"):
        return host, 0
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: bad source port {port_text!r}")
    return host, int(port_text)


def _parse_tcp(url: str, address: str, *, bind: bool) -> tuple[str, int]:
    host, sep, port_text = address.rpartition(":")
    if not sep or not host:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: expected tcp://host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise ZMQError(EINVAL, f"invalid endpoint {url!r}: bad IPv6 address") from None
    elif ":" in host:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: IPv6 addresses need [brackets]")
    if host == "*":
        if not bind:
            raise ZMQError(EINVAL, f"invalid endpoint {url!r}: cannot connect to host '*'")
        host = "0.0.0.0"
    if port_text in ("*", "0"):
        if not bind:
            raise ZMQError(EINVAL, f"invalid endpoint {url!r}: connect needs an explicit port")
        return host, 0
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ZMQError(EINVAL, f"invalid endpoint {url!r}: bad port {port_text!r}")
    return host, int(port_text)
