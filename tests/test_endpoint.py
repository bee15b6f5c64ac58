"""Endpoint parsing."""

from __future__ import annotations

import pytest

from aiomq import EINVAL, EPROTONOSUPPORT, ZMQError
from aiomq.endpoint import Endpoint, parse_endpoint


@pytest.mark.parametrize(
    ("url", "bind", "expected"),
    [
        ("tcp://127.0.0.1:5555", False, Endpoint("tcp", "127.0.0.1:5555", "127.0.0.1", 5555)),
        ("tcp://*:*", True, Endpoint("tcp", "*:*", "0.0.0.0", 0)),
        ("tcp://[::1]:80", False, Endpoint("tcp", "[::1]:80", "::1", 80)),
        ("tcp://localhost:1", False, Endpoint("tcp", "localhost:1", "localhost", 1)),
        ("ipc:///tmp/x.ipc", False, Endpoint("ipc", "/tmp/x.ipc", path="/tmp/x.ipc")),
        ("ipc://@abstract", True, Endpoint("ipc", "@abstract", path="\0abstract")),
        ("inproc://jobs", False, Endpoint("inproc", "jobs", path="jobs")),
        (
            "epgm://eth0;239.192.1.1:5555",
            False,
            Endpoint("epgm", "eth0;239.192.1.1:5555", "eth0", 5555, group="239.192.1.1"),
        ),
        (
            "pgm://10.0.0.1;239.1.2.3:7",
            True,
            Endpoint("pgm", "10.0.0.1;239.1.2.3:7", "10.0.0.1", 7, group="239.1.2.3"),
        ),
        (
            "epgm://10.0.0.1;239.1.2.3;239.1.2.3:7",
            True,
            Endpoint("epgm", "10.0.0.1;239.1.2.3;239.1.2.3:7", "10.0.0.1", 7, group="239.1.2.3"),
        ),
        (
            "epgm://eth0:5555",
            False,
            Endpoint("epgm", "eth0:5555", "eth0", 5555, group="239.192.0.1"),
        ),
        (
            "epgm://;239.1.2.3:9",
            True,
            Endpoint("epgm", ";239.1.2.3:9", "", 9, group="239.1.2.3"),
        ),
        # libzmq's source;destination form of a tcp connect.
        (
            "tcp://127.0.0.1:0;127.0.0.1:5555",
            False,
            Endpoint(
                "tcp", "127.0.0.1:0;127.0.0.1:5555", "127.0.0.1", 5555, source=("127.0.0.1", 0)
            ),
        ),
        (
            "tcp://192.168.1.7:6000;example.com:80",
            False,
            Endpoint(
                "tcp",
                "192.168.1.7:6000;example.com:80",
                "example.com",
                80,
                source=("192.168.1.7", 6000),
            ),
        ),
        (
            "tcp://*:*;[::1]:7",
            False,
            Endpoint("tcp", "*:*;[::1]:7", "::1", 7, source=("", 0)),
        ),
        (
            "tcp://[fe80::1%eth0]:4000;[::1]:7",
            False,
            Endpoint("tcp", "[fe80::1%eth0]:4000;[::1]:7", "::1", 7, source=("fe80::1%eth0", 4000)),
        ),
    ],
)
def test_parses(url: str, bind: bool, expected: Endpoint) -> None:
    assert parse_endpoint(url, bind=bind) == expected
    assert str(expected) == url


@pytest.mark.parametrize(
    ("url", "bind", "errno", "fragment"),
    [
        ("tcp//127.0.0.1:1", True, EINVAL, "transport://address"),
        ("udp://127.0.0.1:1", True, EPROTONOSUPPORT, "unsupported transport 'udp'"),
        ("tcp://", True, EINVAL, "empty address"),
        ("tcp://127.0.0.1", True, EINVAL, "host:port"),
        ("tcp://127.0.0.1:70000", True, EINVAL, "bad port"),
        ("tcp://127.0.0.1:*", False, EINVAL, "explicit port"),
        ("tcp://*:5555", False, EINVAL, "host '*'"),
        ("tcp://::1:5555", False, EINVAL, "[brackets]"),
        ("tcp://[zz]:5555", False, EINVAL, "bad IPv6"),
        ("ipc://*", False, EINVAL, "wildcard"),
        ("epgm://eth0;239.1.1.1:0", False, EINVAL, "port 1-65535"),
        ("epgm://eth0;239.1.1.1", False, EINVAL, "interface;group:port"),
        ("epgm://eth0;10.1.1.1:5555", False, EINVAL, "not an IPv4 multicast group"),
        ("epgm://eth0;ff02::1:5555", False, EINVAL, "ff02::1 is not an IPv4 multicast group"),
        ("epgm://eth0;239.1.1.1,239.1.1.2:5555", False, EINVAL, "one multicast group"),
        ("pgm://eth0;239.1.1.1;239.1.1.2:5555", False, EINVAL, "one multicast group"),
        ("pgm://a;b;c;d:5555", False, EINVAL, "too many ';'"),
        ("epgm://eth0;nonsense:5555", False, EINVAL, "bad group 'nonsense'"),
        ("tcp://127.0.0.1:0;127.0.0.1:5555", True, EINVAL, "is for connect only"),
        ("tcp://127.0.0.1;127.0.0.1:5555", False, EINVAL, "tcp://source-host:port;host:port"),
        ("tcp://[::1];127.0.0.1:5555", False, EINVAL, "tcp://source-host:port;host:port"),
        ("tcp://;127.0.0.1:5555", False, EINVAL, "tcp://source-host:port;host:port"),
        ("tcp://eth0:0;127.0.0.1:5555", False, EINVAL, "must be an IP address or '*', not 'eth0'"),
        ("tcp://localhost:0;127.0.0.1:5555", False, EINVAL, "must be an IP address or '*'"),
        ("tcp://[zz]:0;127.0.0.1:5555", False, EINVAL, "must be an IP address or '*', not 'zz'"),
        ("tcp://::1:0;127.0.0.1:5555", False, EINVAL, "IPv6 source addresses need [brackets]"),
        ("tcp://127.0.0.1:70000;127.0.0.1:5555", False, EINVAL, "bad source port '70000'"),
        ("tcp://127.0.0.1:x;127.0.0.1:5555", False, EINVAL, "bad source port 'x'"),
        ("tcp://127.0.0.1:0;127.0.0.1:*", False, EINVAL, "connect needs an explicit port"),
        ("tcp://127.0.0.1:0;", False, EINVAL, "expected tcp://host:port"),
        ("tcp://1.2.3.4:1;1.2.3.4:2;127.0.0.1:5555", False, EINVAL, "more than one ';'"),
    ],
)
def test_rejects_with_a_clear_error(url: str, bind: bool, errno: int, fragment: str) -> None:
    with pytest.raises(ZMQError) as info:
        parse_endpoint(url, bind=bind)
    assert info.value.errno == errno
    assert fragment in str(info.value)
    assert url in str(info.value)


def test_rejects_non_str() -> None:
    with pytest.raises(TypeError, match=r"addr \(the endpoint\) must be str, not bytes"):
        parse_endpoint(b"tcp://127.0.0.1:1", bind=True)


def test_a_source_is_not_mistaken_for_ipv6() -> None:
    """The ':' of the source part used to draw an IPv6 hint; it names the source now."""
    endpoint = parse_endpoint("tcp://127.0.0.1:0;127.0.0.1:5555", bind=False)
    assert (endpoint.host, endpoint.port, endpoint.source) == ("127.0.0.1", 5555, ("127.0.0.1", 0))
    assert str(endpoint) == "tcp://127.0.0.1:0;127.0.0.1:5555"
    assert parse_endpoint("tcp://127.0.0.1:5555", bind=False).source is None
