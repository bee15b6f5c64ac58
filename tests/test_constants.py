"""Constants: libzmq's numbers, pyzmq's names; the version and capability functions."""

from __future__ import annotations

import enum
import importlib.util
import os

import pytest

import aiomq
from aiomq import constants
from aiomq.endpoint import MULTICAST_TRANSPORTS, TRANSPORTS

# Each enum, and how pyzmq forms the module-level name of its members.
PREFIXES: dict[type[enum.Enum], str] = {
    aiomq.SocketType: "",
    aiomq.SocketOption: "",
    aiomq.ContextOption: "",
    aiomq.MessageOption: "",
    aiomq.Flag: "",
    aiomq.PollEvent: "",
    aiomq.Event: "EVENT_",
    aiomq.SecurityMechanism: "",
    aiomq.DeviceType: "",
    aiomq.RouterNotify: "NOTIFY_",
    aiomq.ReconnectStop: "RECONNECT_STOP_",
    aiomq.NormMode: "NORM_",
}
# Shared by a socket option and a context option: the module-level name is the socket
# option's, as in pyzmq.
SHARED_WITH_SOCKET_OPTIONS = {"IPV6", "BLOCKY"}


def module_name(kind: type[enum.Enum], member: str) -> str:
    if kind is aiomq.Event and member.startswith("PROTOCOL_ERROR_"):
        return member
    return PREFIXES[kind] + member


@pytest.mark.parametrize("kind", list(PREFIXES), ids=lambda kind: kind.__name__)
def test_every_member_is_a_module_level_name(kind: type[enum.Enum]) -> None:
    assert kind.__name__ in aiomq.__all__
    for member, value in kind.__members__.items():
        name = module_name(kind, member)
        assert name in aiomq.__all__, name
        assert name in constants.__all__, name
        if kind is aiomq.ContextOption and member in SHARED_WITH_SOCKET_OPTIONS:
            assert getattr(aiomq, name) is aiomq.SocketOption[member]
            assert value == aiomq.SocketOption[member]
        else:
            assert getattr(aiomq, name) is value, name


def test_libzmq_numbers() -> None:
    types = {t.name: int(t) for t in aiomq.SocketType}
    assert types == {
        "PAIR": 0,
        "PUB": 1,
        "SUB": 2,
        "REQ": 3,
        "REP": 4,
        "DEALER": 5,
        "ROUTER": 6,
        "PULL": 7,
        "PUSH": 8,
        "XPUB": 9,
        "XSUB": 10,
        "STREAM": 11,
        "SERVER": 12,
        "CLIENT": 13,
        "RADIO": 14,
        "DISH": 15,
        "GATHER": 16,
        "SCATTER": 17,
        "DGRAM": 18,
        "PEER": 19,
        "CHANNEL": 20,
    }
    assert (aiomq.XREQ, aiomq.XREP) == (aiomq.DEALER, aiomq.ROUTER)
    assert (aiomq.TCP_KEEPALIVE, aiomq.SNDBUF, aiomq.RCVBUF, aiomq.IPV6) == (34, 11, 12, 42)
    assert (aiomq.EVENTS, aiomq.FD, aiomq.ROUTER_NOTIFY, aiomq.BUSY_POLL) == (15, 14, 97, 113)
    assert (aiomq.NORM_PUSH, aiomq.HICCUP_MSG, aiomq.TOPICS_COUNT) == (124, 114, 116)
    assert (aiomq.IO_THREADS, aiomq.MAX_SOCKETS, aiomq.SOCKET_LIMIT) == (1, 2, 3)
    assert (aiomq.THREAD_PRIORITY, aiomq.THREAD_NAME_PREFIX, aiomq.ZERO_COPY_RECV) == (3, 9, 10)
    assert (aiomq.ContextOption.IPV6, aiomq.ContextOption.BLOCKY) == (42, 70)
    assert (aiomq.MORE, aiomq.SRCFD, aiomq.SHARED) == (1, 2, 3)
    assert (aiomq.POLLIN, aiomq.POLLOUT, aiomq.POLLERR, aiomq.POLLPRI) == (1, 2, 4, 8)
    assert (aiomq.NULL, aiomq.PLAIN, aiomq.CURVE, aiomq.GSSAPI) == (0, 1, 2, 3)
    assert (aiomq.STREAMER, aiomq.FORWARDER, aiomq.QUEUE) == (1, 2, 3)
    assert (aiomq.NOTIFY_CONNECT, aiomq.NOTIFY_DISCONNECT) == (1, 2)
    assert (aiomq.EVENT_CONNECTED, aiomq.EVENT_HANDSHAKE_FAILED_AUTH) == (0x1, 0x4000)
    assert (aiomq.EVENT_ALL, aiomq.EVENT_ALL_V1, aiomq.EVENT_ALL_V2) == (0xFFFF, 0xFFFF, 0x1FFFF)
    assert aiomq.EVENT_PIPES_STATS == 0x10000
    assert aiomq.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH == 0x11000002
    assert aiomq.PROTOCOL_ERROR_ZAP_INVALID_METADATA == 0x20000005
    assert aiomq.DRAFT_API is False


def test_aliases_keep_the_canonical_name() -> None:
    assert aiomq.IDENTITY is aiomq.ROUTING_ID
    assert aiomq.SocketOption(5).name == "ROUTING_ID"
    assert aiomq.CONNECT_RID is aiomq.CONNECT_ROUTING_ID
    assert aiomq.DELAY_ATTACH_ON_CONNECT is aiomq.IMMEDIATE
    assert aiomq.FAIL_UNROUTABLE is aiomq.ROUTER_BEHAVIOR is aiomq.ROUTER_MANDATORY
    assert aiomq.NOBLOCK is aiomq.DONTWAIT
    assert aiomq.XREQ is aiomq.DEALER
    assert aiomq.EVENT_ALL is aiomq.Event.ALL_V1
    assert aiomq.Event(0x0001).name == "CONNECTED"  # not a protocol-error alias
    assert aiomq.THREAD_PRIORITY is aiomq.SOCKET_LIMIT


# -- against pyzmq -----------------------------------------------------------------------


def test_every_pyzmq_constant_has_the_same_value() -> None:
    """Every name of ``zmq.constants`` exists in aiomq, with the same number."""
    zmq_constants = pytest.importorskip("zmq.constants")
    names = [n for n in zmq_constants.__all__ if n not in {"Enum", "IntEnum", "IntFlag"}]
    missing = [name for name in names if not hasattr(aiomq, name)]
    assert missing == []
    for name in names:
        ours, theirs = getattr(aiomq, name), getattr(zmq_constants, name)
        if isinstance(theirs, enum.EnumMeta):
            members: dict[str, int] = dict(theirs.__members__)
            for member, value in members.items():
                assert int(ours[member]) == int(value), f"{name}.{member}"
        else:
            assert int(ours) == int(theirs), name


def test_names_both_define_have_the_same_value() -> None:
    zmq = pytest.importorskip("zmq")
    theirs = {name for name in zmq.__all__ if isinstance(getattr(zmq, name), int)}
    ours = {name for name in aiomq.__all__ if isinstance(getattr(aiomq, name), int)}
    # pyzmq's own settings, not libzmq's numbers.
    assert theirs - ours == {"COPY_THRESHOLD", "IPC_PATH_MAX_LEN", "PYZMQ_DRAFT_API"}
    # libzmq's numbers pyzmq has no name for.
    assert ours - theirs == {"EINTR", "EMFILE", "ENODEV", "ENOENT", "ENOMEM", "ZERO_COPY_RECV"}
    for name in ours & theirs:
        assert int(getattr(aiomq, name)) == int(getattr(zmq, name)), name


def test_version_and_capabilities_as_pyzmq_spells_them() -> None:
    zmq = pytest.importorskip("zmq")
    for name in ("zmq_version", "zmq_version_info", "has", "strerror", "DRAFT_API"):
        assert hasattr(zmq, name), name
        assert name in aiomq.__all__, name


# -- version and capabilities ------------------------------------------------------------


def test_version() -> None:
    assert aiomq.zmq_version() == "4.3.5"
    assert aiomq.zmq_version_info() == (4, 3, 5)
    assert aiomq.__version__ == "0.1.0"


def test_has() -> None:
    assert aiomq.has("ipc") is (os.name == "posix")
    assert aiomq.has("pgm") is True
    assert {"pgm", "epgm"} == MULTICAST_TRANSPORTS
    assert aiomq.has("curve") is (importlib.util.find_spec("nacl") is not None)
    for capability in ("gssapi", "norm", "tipc", "vmci", "draft", "WS", "WSS", "udp", ""):
        assert aiomq.has(capability) is False, capability
        assert capability not in TRANSPORTS


def test_has_curve_follows_pynacl(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nacl")
    assert aiomq.has("curve") is True
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    assert aiomq.has("curve") is False


def test_has_wants_a_name() -> None:
    with pytest.raises(TypeError, match=r"^capability must be str, not bytes$"):
        aiomq.has(b"ipc")  # type: ignore[arg-type]
