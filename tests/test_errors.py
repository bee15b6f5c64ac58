"""Errors: libzmq's numbers and messages, pyzmq's exception names and hierarchy."""

from __future__ import annotations

import errno
import os
import pickle

import pytest

import aiomq
from aiomq import errors

HAUSNUMERO = 156384712

# The system errors libzmq names, with the offset zmq.h gives each where the platform
# lacks it.
SYSTEM_ERRORS = {
    "ENOTSUP": 1,
    "EPROTONOSUPPORT": 2,
    "ENOBUFS": 3,
    "ENETDOWN": 4,
    "EADDRINUSE": 5,
    "EADDRNOTAVAIL": 6,
    "ECONNREFUSED": 7,
    "EINPROGRESS": 8,
    "ENOTSOCK": 9,
    "EMSGSIZE": 10,
    "EAFNOSUPPORT": 11,
    "ENETUNREACH": 12,
    "ECONNABORTED": 13,
    "ECONNRESET": 14,
    "ENOTCONN": 15,
    "ETIMEDOUT": 16,
    "EHOSTUNREACH": 17,
    "ENETRESET": 18,
}
PASSED_ON = ["EAGAIN", "EFAULT", "EINVAL", "EINTR", "ENODEV", "ENOENT", "ENOMEM", "EMFILE"]
ZMQ_OWN = {"EFSM": 51, "ENOCOMPATPROTO": 52, "ETERM": 53, "EMTHREAD": 54}


def test_numbers_are_libzmqs() -> None:
    expected = {name: getattr(errno, name, HAUSNUMERO + n) for name, n in SYSTEM_ERRORS.items()}
    expected |= {name: getattr(errno, name) for name in PASSED_ON}
    expected |= {name: HAUSNUMERO + n for name, n in ZMQ_OWN.items()}
    assert {member.name: int(member) for member in aiomq.Errno} == expected
    assert (aiomq.EFSM, aiomq.ENOCOMPATPROTO, aiomq.ETERM, aiomq.EMTHREAD) == (
        156384763,
        156384764,
        156384765,
        156384766,
    )


def test_each_number_is_a_module_name() -> None:
    for member in aiomq.Errno:
        assert getattr(aiomq, member.name) is member
        assert getattr(errors, member.name) is member
        assert member.name in aiomq.__all__
        assert member.name in errors.__all__
    assert "Errno" in aiomq.__all__
    assert "strerror" in aiomq.__all__


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (aiomq.EFSM, "Operation cannot be accomplished in current state"),
        (aiomq.ENOCOMPATPROTO, "The protocol is not compatible with the socket type"),
        (aiomq.ETERM, "Context was terminated"),
        (aiomq.EMTHREAD, "No thread available"),
        (aiomq.EHOSTUNREACH, "Host unreachable"),
        (aiomq.EAGAIN, os.strerror(errno.EAGAIN)),
        (aiomq.EINVAL, os.strerror(errno.EINVAL)),
        (aiomq.EADDRINUSE, os.strerror(errno.EADDRINUSE)),
        (12345, os.strerror(12345)),
        (2**40, f"Unknown error {2**40}"),
    ],
)
def test_strerror_is_zmq_strerror(number: int, text: str) -> None:
    assert aiomq.strerror(number) == text
    error = aiomq.ZMQError(number)
    assert (error.errno, error.strerror, str(error)) == (number, text, text)


def test_zmq_error_message_and_repr() -> None:
    error = aiomq.ZMQError(aiomq.EINVAL, "bad thing")
    assert (error.errno, error.strerror, str(error)) == (errno.EINVAL, "bad thing", "bad thing")
    assert repr(error) == f"ZMQError({errno.EINVAL}, 'bad thing')"
    assert aiomq.ZMQError().errno == aiomq.EINVAL
    assert repr(aiomq.ZMQError(aiomq.EFSM)) == (
        "ZMQError(156384763, 'Operation cannot be accomplished in current state')"
    )


@pytest.mark.parametrize(
    ("cls", "number"),
    [
        (aiomq.Again, aiomq.EAGAIN),
        (aiomq.ContextTerminated, aiomq.ETERM),
        (aiomq.InterruptedSystemCall, aiomq.EINTR),
    ],
)
def test_fixed_number_classes_take_pyzmqs_and_aiomqs_arguments(
    cls: type[aiomq.Again | aiomq.ContextTerminated | aiomq.InterruptedSystemCall], number: int
) -> None:
    default = cls()
    assert (default.errno, str(default)) == (number, aiomq.strerror(number))
    assert (cls("why").errno, str(cls("why"))) == (number, "why")
    pyzmq_style = cls(number, "why")
    assert (pyzmq_style.errno, str(pyzmq_style)) == (number, "why")
    assert str(cls(number)) == aiomq.strerror(number)
    with pytest.raises(ValueError, match=rf"^{cls.__name__} has errno {number}, not 1$"):
        cls(1)
    with pytest.raises(TypeError, match="takes one message, not two"):
        cls("a", "b")


def test_hierarchy() -> None:
    assert issubclass(aiomq.ZMQError, aiomq.ZMQBaseError)
    assert issubclass(aiomq.ZMQBaseError, Exception)
    assert issubclass(aiomq.Again, aiomq.ZMQError)
    assert issubclass(aiomq.Again, TimeoutError)
    assert issubclass(aiomq.ContextTerminated, aiomq.ZMQError)
    assert issubclass(aiomq.InterruptedSystemCall, aiomq.ZMQError)
    assert issubclass(aiomq.InterruptedSystemCall, InterruptedError)
    assert issubclass(aiomq.ZMQBindError, aiomq.ZMQBaseError)
    assert not issubclass(aiomq.ZMQBindError, aiomq.ZMQError)
    assert issubclass(aiomq.NotDone, aiomq.ZMQBaseError)
    assert issubclass(aiomq.ZMQVersionError, NotImplementedError)
    # OSError's initialiser (Again and InterruptedSystemCall are OSErrors) keeps our errno.
    assert aiomq.Again("x").errno == aiomq.EAGAIN
    assert aiomq.InterruptedSystemCall().errno == errno.EINTR


def test_version_error() -> None:
    error = aiomq.ZMQVersionError("4.4", "Thread-safe sockets")
    assert (error.min_version, error.msg, error.version) == ("4.4", "Thread-safe sockets", "4.3.5")
    assert str(error) == "Thread-safe sockets requires libzmq >= 4.4, have 4.3.5"
    assert repr(error) == f"ZMQVersionError({str(error)!r})"
    assert str(aiomq.ZMQVersionError("5")) == "Feature requires libzmq >= 5, have 4.3.5"


# -- against pyzmq -----------------------------------------------------------------------


def test_numbers_and_messages_match_pyzmq() -> None:
    zmq = pytest.importorskip("zmq")
    shared = [name for name in zmq.Errno.__members__ if name in aiomq.Errno.__members__]
    assert shared == list(zmq.Errno.__members__)  # aiomq has every one of pyzmq's
    for name in shared:
        assert int(getattr(aiomq, name)) == int(getattr(zmq, name)), name
        number = int(getattr(zmq, name))
        assert aiomq.strerror(number) == zmq.strerror(number), name
    assert aiomq.strerror(12345) == zmq.strerror(12345)


def test_exception_names_and_hierarchy_match_pyzmq() -> None:
    zmq = pytest.importorskip("zmq")
    zmq_error = pytest.importorskip("zmq.error")
    names = [name for name in zmq_error.__all__ if name != "DraftFDWarning"]
    assert set(names) <= set(aiomq.__all__)
    for name in names:
        for other in names:
            assert issubclass(getattr(aiomq, name), getattr(aiomq, other)) == issubclass(
                getattr(zmq, name), getattr(zmq, other)
            ), (name, other)
    assert str(aiomq.ZMQError(aiomq.EFSM)) == str(zmq.ZMQError(zmq.EFSM))
    assert str(aiomq.Again()) == str(zmq.Again())
    assert str(aiomq.ContextTerminated()) == str(zmq.ContextTerminated())


@pytest.mark.parametrize(
    "error",
    [
        aiomq.ZMQError(aiomq.EFSM),
        aiomq.ZMQError(aiomq.EINVAL, "bad endpoint"),
        aiomq.Again("timed out"),
        aiomq.ContextTerminated(),
        aiomq.InterruptedSystemCall(),
    ],
    ids=repr,
)
def test_errors_survive_pickling(error: aiomq.ZMQError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.errno, copy.strerror, str(copy)) == (error.errno, error.strerror, str(error))
