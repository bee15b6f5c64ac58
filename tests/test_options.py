"""Socket options: defaults, validation, attribute style."""

from __future__ import annotations

import pytest

import aiomq
from aiomq import SocketOption


@pytest.fixture
def sock() -> aiomq.Socket:
    return aiomq.Context().socket(aiomq.PUSH)


@pytest.mark.parametrize(
    ("option", "default"),
    [
        (aiomq.LINGER, -1),
        (aiomq.SNDHWM, 1000),
        (aiomq.RCVHWM, 1000),
        (aiomq.RCVTIMEO, -1),
        (aiomq.SNDTIMEO, -1),
        (aiomq.RECONNECT_IVL, 100),
        (aiomq.RECONNECT_IVL_MAX, 0),
        (aiomq.HEARTBEAT_IVL, 0),
        (aiomq.HEARTBEAT_TIMEOUT, -1),
        (aiomq.HEARTBEAT_TTL, 0),
        (aiomq.HANDSHAKE_IVL, 30_000),
        (aiomq.BACKLOG, 100),
        (aiomq.CONNECT_TIMEOUT, 0),
        (aiomq.RATE, 100),
        (aiomq.RECOVERY_IVL, 10_000),
        (aiomq.MULTICAST_HOPS, 1),
        (aiomq.MULTICAST_MAXTPDU, 1500),
        (aiomq.MULTICAST_LOOP, 1),
        (aiomq.MAXMSGSIZE, -1),
        (aiomq.ROUTING_ID, b""),
        (aiomq.IMMEDIATE, 0),
        (aiomq.TYPE, int(aiomq.PUSH)),
        (aiomq.LAST_ENDPOINT, b""),
        (aiomq.RCVMORE, 0),
    ],
)
def test_libzmq_defaults(sock: aiomq.Socket, option: SocketOption, default: int | bytes) -> None:
    assert sock.getsockopt(option) == default


def test_numbers_match_libzmq() -> None:
    assert (int(aiomq.PAIR), int(aiomq.PUSH), int(aiomq.PULL), int(aiomq.XSUB)) == (0, 8, 7, 10)
    assert int(aiomq.SocketType.ROUTER) == 6
    assert (int(aiomq.LINGER), int(aiomq.HANDSHAKE_IVL), int(aiomq.HEARTBEAT_TIMEOUT)) == (
        17,
        66,
        77,
    )
    assert (int(aiomq.SNDMORE), int(aiomq.DONTWAIT)) == (2, 1)


def test_set_and_attribute_style(sock: aiomq.Socket) -> None:
    sock.setsockopt(aiomq.LINGER, 0)
    assert sock.linger == 0
    sock.sndhwm = 5
    assert sock.getsockopt(aiomq.SNDHWM) == 5
    sock.routing_id = b"worker-1"
    assert sock.identity == b"worker-1"
    assert sock.type is aiomq.PUSH


@pytest.mark.parametrize(
    ("option", "value", "exc", "fragment"),
    [
        (aiomq.LINGER, "0", TypeError, "LINGER takes an int, not str"),
        (aiomq.LINGER, -2, aiomq.ZMQError, "LINGER must be in [-1,"),
        (aiomq.SNDHWM, -1, aiomq.ZMQError, "SNDHWM must be in [0,"),
        (aiomq.ROUTING_ID, "id", TypeError, "ROUTING_ID takes bytes, not str"),
        (aiomq.ROUTING_ID, b"\x00id", aiomq.ZMQError, "must not start with a zero byte"),
        (aiomq.ROUTING_ID, b"x" * 256, aiomq.ZMQError, "at most 255 bytes"),
        (aiomq.TYPE, 1, aiomq.ZMQError, "TYPE is read-only"),
        (aiomq.SocketOption.SNDBUF, 1, aiomq.ZMQError, "not supported by aiomq yet"),
        (aiomq.MULTICAST_MAXTPDU, 1, aiomq.ZMQError, "MULTICAST_MAXTPDU must be in [128,"),
        (aiomq.MULTICAST_HOPS, 0, aiomq.ZMQError, "MULTICAST_HOPS must be in [1,"),
        (aiomq.RATE, 0, aiomq.ZMQError, "RATE must be in [1,"),
        (aiomq.CURVE_SERVERKEY, b"x" * 31, aiomq.ZMQError, "CURVE_SERVERKEY takes a 32-byte"),
        (aiomq.CURVE_PUBLICKEY, "x" * 39, aiomq.ZMQError, "CURVE_PUBLICKEY takes a 32-byte"),
        (aiomq.CURVE_SECRETKEY, '"' * 40, aiomq.ZMQError, "CURVE_SECRETKEY: invalid Z85"),
        (aiomq.CURVE_SECRETKEY, 5, TypeError, "CURVE_SECRETKEY takes bytes or str"),
        (aiomq.CURVE_SERVER, 2, aiomq.ZMQError, "CURVE_SERVER must be in [0, 1]"),
        (9999, 1, aiomq.ZMQError, "unknown socket option 9999"),
        ("LINGER", 1, TypeError, "option must be an int"),
    ],
)
def test_bad_values_are_refused_clearly(
    sock: aiomq.Socket, option: int, value: object, exc: type[Exception], fragment: str
) -> None:
    before = sock.getsockopt(aiomq.LINGER)
    with pytest.raises(exc) as info:
        sock.setsockopt(option, value)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert sock.getsockopt(aiomq.LINGER) == before
