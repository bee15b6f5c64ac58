"""JSON between aiomq and pyzmq: `send_json` on one side, `recv_json` on the other.

pyzmq's `send_json`/`recv_json` are stdlib `json.dumps`/`json.loads` of UTF-8 bytes. Every
value they carry, aiomq reads and writes so that the receiver gets what `json.loads` gives on
pyzmq's side: NaN, ±Infinity, integers beyond 64 bits, -0.0, lone surrogates, non-`str`
keys. PUSH/PULL in each direction, with aiomq on the bind side and on the connect side.
"""

from __future__ import annotations

import asyncio
import json
import math

import msgspec
import pytest
import zmq

import aiomq

from .libzmq_helpers import DEADLINE, AnySocket, Libzmq, assert_empty, linked

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

EDGE_VALUES: list[object] = [
    math.nan,
    math.inf,
    -math.inf,
    2**70,
    -(2**70),
    -0.0,
    1e308,
    5e-324,
    {1: "a", True: "b", None: "c"},  # noqa: F601 - True == 1: one key, 1, with "b"
    {1.5: 0, 1e16: 1, -0.0: 2, math.nan: 3, -math.inf: 4},
    "\ud800",
    "x\udfff\ud800y",
    "é\u2028\x00\U0001f600",
    (1, (2.5, "t")),
    {"a": [{"b": [None, True, {"c": -math.inf, "d": math.nan}]}], "": [2**64, -0.0]},
    {"a": 1, "b": [1.5, None, False], "c": {}},
]
"""What pyzmq's send_json carries (sent in this order)."""


def as_json_loads_gives(value: object) -> object:
    """What json.loads gives for json.dumps(value): pyzmq's recv_json of its send_json."""
    return json.loads(json.dumps(value))


def same(received: object, expected: object) -> bool:
    """The same decoded JSON value: reprs tell NaN (equal to itself there), -0.0 from 0.0,
    1 from 1.0 and True, and show dict order and lone surrogates."""
    return repr(received) == repr(expected)


async def send_each(sock: AnySocket, values: list[object]) -> None:
    async with asyncio.timeout(DEADLINE):
        for value in values:
            await sock.send_json(value)


async def recv_each(sock: AnySocket, count: int) -> list[object]:
    received: list[object] = []
    async with asyncio.timeout(DEADLINE):
        while len(received) < count:
            received.append(await sock.recv_json())
    return received


def check(received: list[object]) -> None:
    assert len(received) == len(EDGE_VALUES)
    nan = received[0]
    assert isinstance(nan, float)
    assert math.isnan(nan)
    for got, value in zip(received, EDGE_VALUES, strict=True):
        assert same(got, as_json_loads_gives(value)), (value, got)
    # A few spelled out:
    assert (
        repr(received[1:6]) == "[inf, -inf, 1180591620717411303424, -1180591620717411303424, -0.0]"
    )
    assert received[8] == {"1": "b", "null": "c"}
    assert repr(received[9]) == "{'1.5': 0, '1e+16': 1, '-0.0': 2, 'NaN': 3, '-Infinity': 4}"
    assert received[10] == "\ud800"
    assert received[13] == [1, [2.5, "t"]]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_pyzmq_send_json_to_aiomq_recv_json(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    pull, push = linked(ctx, libzmq, aiomq.PULL, zmq.PUSH, aiomq_side)
    received, _ = await asyncio.gather(
        recv_each(pull, len(EDGE_VALUES)), send_each(push, EDGE_VALUES)
    )
    check(received)
    await assert_empty(pull)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_aiomq_send_json_to_pyzmq_recv_json(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    push, pull = linked(ctx, libzmq, aiomq.PUSH, zmq.PULL, aiomq_side)
    received, _ = await asyncio.gather(
        recv_each(pull, len(EDGE_VALUES)), send_each(push, EDGE_VALUES)
    )
    check(received)
    await assert_empty(pull)


class Order(msgspec.Struct):
    id: int
    item: str
    price: float


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_typed_recv_json_of_pyzmq_values(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    """NaN and Infinity validate as floats; a failed typed decode loses nothing else."""
    pull, push = linked(ctx, libzmq, aiomq.PULL, zmq.PUSH, aiomq_side)
    await send_each(
        push,
        [
            math.nan,
            {"id": 1, "item": "tea", "price": -math.inf},
            {"id": math.nan, "item": "jam", "price": 1.0},
            {"id": 2**70, "item": "\ud800", "price": math.nan},
        ],
    )
    async with asyncio.timeout(DEADLINE):
        nan = await pull.recv_json(type=float)
        assert isinstance(nan, float)
        assert math.isnan(nan)
        assert await pull.recv_json(type=Order) == Order(id=1, item="tea", price=-math.inf)
        with pytest.raises(
            msgspec.ValidationError, match=r"^Expected `int`, got `float` - at `\$.id`$"
        ):
            await pull.recv_json(type=Order)
        last = await pull.recv_json(type=Order)
    assert (last.id, last.item) == (2**70, "\ud800")
    assert math.isnan(last.price)
    await assert_empty(pull)
