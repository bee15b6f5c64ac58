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
