"""Z85 (ZeroMQ RFC 32) against pyzmq's reference implementation, and the CURVE key helpers."""

from __future__ import annotations

import pytest
import zmq
import zmq.utils.z85 as reference
from hypothesis import given
from hypothesis import strategies as st

import aiomq
from aiomq import z85

_WORDS = st.binary(max_size=64).map(lambda b: b[: len(b) - len(b) % 4])


def test_rfc_32_test_vector() -> None:
    raw = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
    assert z85.encode(raw) == b"HelloWorld"
    assert z85.decode(b"HelloWorld") == raw
    assert z85.decode("HelloWorld") == raw
    assert z85.encode(b"") == b""
    assert z85.decode("") == b""


@given(_WORDS)
def test_encode_matches_pyzmq(raw: bytes) -> None:
    assert z85.encode(raw) == reference.encode(raw)
    assert z85.encode(bytearray(raw)) == reference.encode(raw)


@given(_WORDS)
def test_round_trip(raw: bytes) -> None:
    text = z85.encode(raw)
    assert len(text) == len(raw) // 4 * 5
    assert z85.decode(text) == raw
    assert z85.decode(text.decode("ascii")) == raw
    assert reference.decode(text) == raw


@given(st.lists(st.sampled_from(list(z85.Z85CHARS[:82])), max_size=40).map(bytes))
def test_decode_matches_pyzmq(text: bytes) -> None:
    # Groups built from the first 82 symbols stay below 2**32, so pyzmq accepts them too.
    text = text[: len(text) - len(text) % 5]
    assert z85.decode(text) == reference.decode(text)


@pytest.mark.parametrize("length", [1, 2, 3, 5, 33])
def test_encode_refuses_partial_words(length: int) -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        z85.encode(b"x" * length)


@pytest.mark.parametrize(
    "text",
    [
        "abcd",
        "abcdef",
        'abcd"',
        "abc d",
        "abc\x00d",
        "abcd~",
        "#####",
        "%%%%%",
        "abcdé",
        b"\xff" * 5,
    ],
)
def test_decode_refuses_invalid_text(text: str | bytes) -> None:
    with pytest.raises(ValueError, match="Z85"):
        z85.decode(text)


@given(st.binary(max_size=30) | st.text(max_size=30))
def test_decode_garbage_raises_only_value_error(text: bytes | str) -> None:
    try:
        raw = z85.decode(text)
    except ValueError:
        return
    assert z85.encode(raw) == (text.encode() if isinstance(text, str) else text)


def test_keypair_interoperates_with_pyzmq() -> None:
    public, secret = aiomq.curve_keypair()
    assert len(public) == len(secret) == 40
    assert zmq.curve_public(secret) == public
    assert aiomq.curve_public(secret) == public
    their_public, their_secret = zmq.curve_keypair()
    assert aiomq.curve_public(their_secret) == their_public
    assert aiomq.curve_public(their_secret.decode()) == their_public
    assert aiomq.curve_public(z85.decode(their_secret)) == their_public
    assert aiomq.curve_keypair() != aiomq.curve_keypair()


def test_curve_public_refuses_bad_keys() -> None:
    with pytest.raises(ValueError, match="40 Z85 characters or 32 raw octets"):
        aiomq.curve_public(b"x" * 31)
    with pytest.raises(ValueError, match="invalid Z85"):
        aiomq.curve_public("~" * 40)


def test_missing_pynacl_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from aiomq.zmtp import curve

    monkeypatch.setattr(curve, "_nacl_bindings", None)
    monkeypatch.setitem(sys.modules, "nacl.bindings", None)
    with pytest.raises(ImportError, match=r"aiomq\[curve\]"):
        aiomq.curve_keypair()


async def test_curve_key_options(ctx: aiomq.Context) -> None:
    public, secret = aiomq.curve_keypair()
    sock = ctx.socket(aiomq.DEALER)
    assert sock.getsockopt(aiomq.CURVE_SERVERKEY) == b""
    sock.setsockopt(aiomq.CURVE_SERVERKEY, public)
    sock.setsockopt(aiomq.CURVE_PUBLICKEY, public.decode())
    sock.setsockopt(aiomq.CURVE_SECRETKEY, z85.decode(secret))
    assert sock.getsockopt(aiomq.CURVE_SERVERKEY) == z85.decode(public)
    assert sock.getsockopt(aiomq.CURVE_PUBLICKEY) == z85.decode(public)
    assert sock.getsockopt(aiomq.CURVE_SECRETKEY) == z85.decode(secret)
    assert sock.getsockopt(aiomq.SocketOption.MECHANISM) == 2
    assert sock.getsockopt(aiomq.CURVE_SERVER) == 0
    sock.setsockopt(aiomq.CURVE_SERVER, 1)
    assert sock.getsockopt(aiomq.CURVE_SERVER) == 1
    sock.setsockopt(aiomq.CURVE_SERVER, 0)
    assert sock.getsockopt(aiomq.SocketOption.MECHANISM) == 0
    sock.close()


async def test_curve_attributes(ctx: aiomq.Context) -> None:
    public, secret = aiomq.curve_keypair()
    sock = ctx.socket(aiomq.REP)
    sock.curve_server = 1
    sock.curve_secretkey = secret
    assert sock.curve_server == 1
    assert sock.curve_secretkey == z85.decode(secret)
    sock.curve_serverkey = public
    assert sock.curve_server == 0  # the server key makes a client, as libzmq
    assert sock.curve_serverkey == z85.decode(public)
    sock.curve_publickey = public
    assert sock.curve_publickey == z85.decode(public)
    sock.close()


async def test_curve_options_need_pynacl(
    ctx: aiomq.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    public, _ = aiomq.curve_keypair()
    sock = ctx.socket(aiomq.DEALER)
    monkeypatch.setitem(sys.modules, "nacl", None)
    with pytest.raises(ImportError, match=r"CURVE_SERVER: CURVE needs PyNaCl.*aiomq\[curve\]"):
        sock.setsockopt(aiomq.CURVE_SERVER, 1)
    with pytest.raises(ImportError, match=r"CURVE_SERVERKEY: .*aiomq\[curve\]"):
        sock.setsockopt(aiomq.CURVE_SERVERKEY, public)
    assert sock.getsockopt(aiomq.SocketOption.MECHANISM) == 0
    sock.setsockopt(aiomq.CURVE_SERVER, 0)  # turning CURVE off needs nothing
    sock.close()
