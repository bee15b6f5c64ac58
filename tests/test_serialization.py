"""Socket.send_json ... recv_pyobj: typed msgspec decoding, round trips, bad input."""

from __future__ import annotations

import asyncio
import json
import pickle
from dataclasses import dataclass

import msgspec
import pytest

import aiomq
from aiomq import serialization

pytestmark = pytest.mark.timeout(30)


class Order(msgspec.Struct):
    id: int
    item: str
    quantity: int = 1


@dataclass
class Point:
    x: int
    y: int


async def pair_tcp(ctx: aiomq.Context) -> tuple[aiomq.Socket, aiomq.Socket]:
    """A connected PUSH → PULL pair over tcp (port chosen by the system)."""
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    return push, pull


async def test_typed_json_round_trip_over_tcp(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    await push.send_json(Order(id=1, item="tea", quantity=3))
    order = await pull.recv_json(type=Order)
    assert order == Order(id=1, item="tea", quantity=3)
    assert isinstance(order, Order)


async def test_typed_msgpack_round_trip_over_tcp(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    await push.send_msgpack(Order(id=2, item="jam"))
    assert await pull.recv_msgpack(type=Order) == Order(id=2, item="jam")
    await push.send_msgpack([Point(1, 2)])
    assert await pull.recv_msgpack(type=list[Point]) == [Point(1, 2)]


@pytest.mark.parametrize("fmt", ["json", "msgpack"])
async def test_invalid_payload_raises_and_next_valid_is_received(
    ctx: aiomq.Context, fmt: str
) -> None:
    push, pull = await pair_tcp(ctx)
    send = push.send_json if fmt == "json" else push.send_msgpack
    await send({"id": "not an int", "item": "tea"})
    await send({"item": "missing id"})
    await send({"id": 7, "item": "ok"})
    recv = pull.recv_json if fmt == "json" else pull.recv_msgpack
    with pytest.raises(msgspec.ValidationError, match=r"Expected `int`, got `str`"):
        await recv(type=Order)
    with pytest.raises(msgspec.ValidationError, match="missing required field `id`"):
        await recv(type=Order)
    assert await recv(type=Order) == Order(id=7, item="ok")


async def test_malformed_json_raises_decode_error_and_is_consumed(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    await push.send(b"{not json")
    await push.send_json([1, 2])
    with pytest.raises(msgspec.DecodeError):
        await pull.recv_json()
    assert await pull.recv_json() == [1, 2]


async def test_untyped_round_trips(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    doc = {"a": [1, 2.5, None, True], "b": {"c": "ü"}}
    await push.send_json(doc)
    assert await pull.recv_json() == doc
    await push.send_msgpack(doc)
    assert await pull.recv_msgpack() == doc
    await push.send_string("héllo")
    assert await pull.recv_string() == "héllo"
    await push.send_string("latin", encoding="latin-1")
    assert await pull.recv_string(encoding="latin-1") == "latin"
    await push.send_pyobj({"set": {1, 2}, "tuple": (1, "x")})
    assert await pull.recv_pyobj() == {"set": {1, 2}, "tuple": (1, "x")}


async def test_json_is_plain_json_on_the_wire(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    await push.send_json({"k": [1, "v"]})
    assert json.loads(await pull.recv()) == {"k": [1, "v"]}
    await push.send(json.dumps({"from": "stdlib"}).encode())
    assert await pull.recv_json() == {"from": "stdlib"}
    await push.send_pyobj(Point(3, 4), protocol=2)
    assert pickle.loads(await pull.recv()) == Point(3, 4)


async def test_serialized_round_trip(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)

    def serialize(point: Point) -> list[bytes]:
        return [b"point", str(point.x).encode(), str(point.y).encode()]

    def deserialize(frames: list[bytes]) -> Point:
        assert frames[0] == b"point"
        return Point(int(frames[1]), int(frames[2]))

    await push.send_serialized(Point(5, -6), serialize)
    assert await pull.recv_serialized(deserialize) == Point(5, -6)


async def test_string_with_sndmore_builds_a_multipart_message(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    await push.send_string("topic", aiomq.SNDMORE)
    await push.send_json({"n": 1})
    assert await pull.recv_string() == "topic"
    assert pull.getsockopt(aiomq.RCVMORE) == 1
    assert await pull.recv_json() == {"n": 1}


async def test_bad_input_raises_type_error_naming_the_argument(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.bind("inproc://bad-input")
    with pytest.raises(TypeError, match=r"^u must be str, not bytes"):
        await push.send_string(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unsupported"):
        await push.send_json(object())
    with pytest.raises(TypeError, match="unsupported"):
        await push.send_msgpack(object())
    with pytest.raises(TypeError, match="each of msg_parts must be bytes-like"):
        await push.send_serialized(1, lambda n: [n])
    with pytest.raises(ValueError, match="at least one frame"):
        await push.send_serialized(1, lambda n: [])
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        await push.send_pyobj(lambda: None)


async def test_unsupported_type_fails_before_receiving(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    await push.send_json({"id": 1, "item": "kept"})
    with pytest.raises(TypeError):
        await pull.recv_json(type=object())
    with pytest.raises(TypeError):
        await pull.recv_msgpack(type=object())
    assert await pull.recv_json(type=Order) == Order(id=1, item="kept")


async def test_cancelled_recv_json_consumes_nothing(ctx: aiomq.Context) -> None:
    push, pull = await pair_tcp(ctx)
    waiting = asyncio.ensure_future(pull.recv_json(type=Order))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await push.send_json(Order(id=9, item="kept"))
    assert await pull.recv_json(type=Order) == Order(id=9, item="kept")


async def test_dontwait_and_closed_errors_pass_through(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://nothing")
    with pytest.raises(aiomq.Again):
        await pull.recv_json(aiomq.DONTWAIT)
    with pytest.raises(aiomq.Again):
        await pull.recv_msgpack(aiomq.DONTWAIT, type=Order)
    pull.close()
    with pytest.raises(aiomq.ZMQError) as info:
        await pull.recv_string()
    assert info.value.errno == aiomq.ENOTSOCK


def test_decoders_are_cached_per_format_and_type() -> None:
    serialization._DECODERS.clear()
    assert serialization.decode_json(b'{"id":1,"item":"a"}', Order) == Order(id=1, item="a")
    assert serialization.decode_json(b'{"id":2,"item":"b"}', Order) == Order(id=2, item="b")
    assert serialization.decode_msgpack(serialization.encode_msgpack([1]), list[int]) == [1]
    assert serialization.decode_json(b"[1]") == [1]
    assert set(serialization._DECODERS) == {
        ("json", Order),
        ("msgpack", list[int]),
        ("json", None),
    }
    assert serialization.ValidationError is msgspec.ValidationError
