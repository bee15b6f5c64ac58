"""Socket options: defaults, validation, attribute style."""

from __future__ import annotations

import pytest

import aiomq
from aiomq import SocketOption
from aiomq.options import OPTION_SPECS


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
        (aiomq.SNDBUF, 1, aiomq.ZMQError, "option SNDBUF is not supported by aiomq"),
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


# -- options libzmq knows and aiomq does not implement, or not for this socket ----------

# Options the socket answers itself, or acts on: not in OPTION_SPECS.
HANDLED_BY_THE_SOCKET = {
    SocketOption.SUBSCRIBE,
    SocketOption.UNSUBSCRIBE,
    SocketOption.RCVMORE,
    SocketOption.LAST_ENDPOINT,
}
READ_ONLY = {
    SocketOption.RCVMORE,
    SocketOption.FD,
    SocketOption.EVENTS,
    SocketOption.LAST_ENDPOINT,
    SocketOption.THREAD_SAFE,
    SocketOption.TOPICS_COUNT,
    SocketOption.TYPE,
    SocketOption.MECHANISM,
}
UNSUPPORTED = sorted(set(SocketOption) - set(OPTION_SPECS) - HANDLED_BY_THE_SOCKET)


def test_unsupported_options_are_the_ones_libzmq_has_and_aiomq_lacks() -> None:
    assert SocketOption.TCP_KEEPALIVE in UNSUPPORTED
    assert SocketOption.SNDBUF in UNSUPPORTED
    assert SocketOption.LINGER not in UNSUPPORTED
    assert len(UNSUPPORTED) == len(SocketOption) - len(OPTION_SPECS) - 4


@pytest.mark.parametrize("option", UNSUPPORTED, ids=lambda option: option.name)
def test_an_option_aiomq_does_not_implement_says_so(
    sock: aiomq.Socket, option: SocketOption
) -> None:
    with pytest.raises(aiomq.ZMQError) as info:
        sock.setsockopt(option, 1)
    expected = "read-only" if option in READ_ONLY else "not supported by aiomq"
    assert (info.value.errno, str(info.value)) == (
        aiomq.EINVAL,
        f"option {option.name} is {expected}",
    )
    if option not in {SocketOption.FD, SocketOption.EVENTS}:  # the socket may answer these
        with pytest.raises(aiomq.ZMQError) as info:
            sock.getsockopt(option)
        assert (info.value.errno, str(info.value)) == (
            aiomq.EINVAL,
            f"option {option.name} is not supported by aiomq",
        )


def test_tcp_keepalive_exact_message(sock: aiomq.Socket) -> None:
    with pytest.raises(aiomq.ZMQError) as info:
        sock.setsockopt(aiomq.TCP_KEEPALIVE, 1)
    assert str(info.value) == "option TCP_KEEPALIVE is not supported by aiomq"


@pytest.mark.parametrize("option", [aiomq.LAST_ENDPOINT, aiomq.RCVMORE, aiomq.TYPE])
def test_read_only_options_refuse_a_value(sock: aiomq.Socket, option: SocketOption) -> None:
    with pytest.raises(aiomq.ZMQError) as info:
        sock.setsockopt(option, 1)
    assert (info.value.errno, str(info.value)) == (
        aiomq.EINVAL,
        f"option {option.name} is read-only",
    )


@pytest.mark.parametrize(
    "kind",
    [aiomq.PUSH, aiomq.PULL, aiomq.DEALER, aiomq.ROUTER, aiomq.PAIR, aiomq.PUB, aiomq.XSUB],
)
@pytest.mark.parametrize("option", [aiomq.SUBSCRIBE, aiomq.UNSUBSCRIBE])
def test_subscribe_does_not_apply_to_other_sockets(
    kind: aiomq.SocketType, option: SocketOption
) -> None:
    sock = aiomq.Context().socket(kind)
    with pytest.raises(aiomq.ZMQError) as info:
        sock.setsockopt(option, b"topic")
    assert (info.value.errno, str(info.value)) == (
        aiomq.EINVAL,
        f"option {option.name} does not apply to {kind.name} sockets (only SUB, XPUB)",
    )
    with pytest.raises(aiomq.ZMQError, match=f"^option {option.name} does not apply to "):
        (sock.subscribe if option is aiomq.SUBSCRIBE else sock.unsubscribe)(b"topic")


@pytest.mark.parametrize("kind", [aiomq.SUB, aiomq.XSUB, aiomq.XPUB, aiomq.PUSH])
@pytest.mark.parametrize("option", [aiomq.SUBSCRIBE, aiomq.UNSUBSCRIBE])
def test_subscribe_is_write_only(kind: aiomq.SocketType, option: SocketOption) -> None:
    sock = aiomq.Context().socket(kind)
    with pytest.raises(aiomq.ZMQError) as info:
        sock.getsockopt(option)
    assert (info.value.errno, str(info.value)) == (
        aiomq.EINVAL,
        f"option {option.name} is write-only",
    )


def test_bytes_options_name_the_way_to_pass_text(sock: aiomq.Socket) -> None:
    with pytest.raises(TypeError) as info:
        sock.setsockopt(aiomq.ROUTING_ID, "worker")
    assert str(info.value) == (
        "option ROUTING_ID takes bytes, not str (encode it, or use setsockopt_string)"
    )
    with pytest.raises(TypeError) as info:
        sock.setsockopt(aiomq.ROUTING_ID, 5)
    assert str(info.value) == "option ROUTING_ID takes bytes, not int"


def test_option_specs_use_pyzmq_names() -> None:
    for option, spec in OPTION_SPECS.items():
        assert spec.attr == option.name.lower()
    zmq = pytest.importorskip("zmq")
    for option in SocketOption:
        assert int(getattr(zmq, option.name)) == option.value, option.name
