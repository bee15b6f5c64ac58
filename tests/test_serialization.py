"""Socket.send_json ... recv_pyobj: typed msgspec decoding, round trips, bad input; JSON
equivalent to pyzmq's (stdlib json) in both directions."""

from __future__ import annotations

import asyncio
import datetime
import decimal
import enum
import json
import math
import pickle
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zmq.utils import jsonapi

import aiomq
from aiomq import serialization
from aiomq.serialization import encode_json, json_decoder

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
    await push.send(b'"\xff"')
    await push.send(b"[NaN, 1")
    await push.send_json([1, 2])
    # What pyzmq raises (json.JSONDecodeError, UnicodeDecodeError), and a DecodeError.
    with pytest.raises(json.JSONDecodeError, match=r"^Expecting property name") as bad_json:
        await pull.recv_json()
    assert isinstance(bad_json.value, msgspec.DecodeError)
    assert (bad_json.value.pos, bad_json.value.doc) == (1, "{not json")
    with pytest.raises(UnicodeDecodeError, match="can't decode byte 0xff") as bad_utf8:
        await pull.recv_json()
    assert isinstance(bad_utf8.value, msgspec.DecodeError)
    with pytest.raises(serialization.JSONDecodeError, match=r"^Expecting ',' delimiter"):
        await pull.recv_json(type=list[float])
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


def test_typed_decoders_are_cached_per_format_and_type() -> None:
    serialization._DECODERS.clear()
    assert serialization.decode_json(b'{"id":1,"item":"a"}', Order) == Order(id=1, item="a")
    assert serialization.decode_json(b'{"id":2,"item":"b"}', Order) == Order(id=2, item="b")
    assert serialization.decode_msgpack(serialization.encode_msgpack([1]), list[int]) == [1]
    assert serialization.decode_json(b"[1]") == [1]
    assert serialization.decode_msgpack(serialization.encode_msgpack([2])) == [2]
    assert set(serialization._DECODERS) == {
        ("json", Order),
        ("msgpack", list[int]),
        ("msgpack", None),
    }
    assert json_decoder(Order) is json_decoder(Order)
    assert serialization.ValidationError is msgspec.ValidationError


# -- JSON as pyzmq's send_json/recv_json (stdlib json) ---------------------------------
#
# pyzmq's send_json(obj, **kw) is jsonapi.dumps(obj, **kw) (json.dumps, UTF-8) and its
# recv_json(**kw) jsonapi.loads(data, **kw) (UTF-8, json.loads): the references here.
#
# Decoded JSON is made of None, bool, int, float, str, list and dict, so two decoded values
# are the same exactly when their reprs are: repr tells NaN (equal to itself there), -0.0
# from 0.0, 1 from 1.0 and True, and shows dict order and lone surrogates.


def same(a: object, b: object) -> bool:
    """`a` and `b` are the same decoded JSON value (NaN-aware, types and order strict)."""
    return repr(a) == repr(b)


def pyzmq_round_trip(value: object, **kwargs: Any) -> Any:
    """What a pyzmq peer's recv_json() returns for its own send_json(value, **kwargs)."""
    return jsonapi.loads(jsonapi.dumps(value, **kwargs))


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()))
"""Any str, lone surrogates included."""
KEYS = ANY_TEXT | st.integers() | st.floats() | st.booleans() | st.none()
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats()  # NaN, ±Infinity, -0.0, subnormals
    | ANY_TEXT
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner) | st.tuples(inner, inner) | st.dictionaries(KEYS, inner, max_size=5)
    ),
    max_leaves=25,
)
"""Everything json.dumps encodes without arguments."""
WHITESPACE = st.text(" \t\n\r", max_size=3)


@settings(max_examples=500)
@given(JSON_VALUES)
def test_pyzmq_reads_what_encode_json_writes_as_json_dumps_wrote_it(value: object) -> None:
    assert same(jsonapi.loads(encode_json(value)), pyzmq_round_trip(value))


@settings(max_examples=500)
@given(JSON_VALUES)
def test_json_decoder_reads_what_pyzmq_writes_as_json_loads(value: object) -> None:
    expected = pyzmq_round_trip(value)
    assert same(json_decoder()(jsonapi.dumps(value)), expected)
    assert same(json_decoder()(encode_json(value)), expected)


@settings(max_examples=300)
@given(st.floats())
def test_float_keys_and_values_are_written_as_json_dumps_writes_them(number: float) -> None:
    # msgspec writes float keys in its own notation ("1e16"), json.dumps with repr ("1e+16").
    value = {number: [number], "k": {number: number}}
    assert same(jsonapi.loads(encode_json(value)), pyzmq_round_trip(value))


@settings(max_examples=300)
@given(JSON_VALUES, WHITESPACE, WHITESPACE, WHITESPACE, WHITESPACE, WHITESPACE, WHITESPACE)
def test_json_decoder_reads_any_whitespace_as_json_loads(
    value: object, a: str, b: str, c: str, d: str, before: str, after: str
) -> None:
    text = before + json.dumps(value, separators=(a + "," + b, c + ":" + d)) + after
    assert same(json_decoder()(text.encode()), json.loads(text))
    indented = json.dumps(value, indent="\t")
    assert same(json_decoder()(indented.encode()), json.loads(indented))


@settings(max_examples=500)
@given(st.from_regex(r"\A-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][-+]?[0-9]{1,4})?\Z"))
def test_json_decoder_reads_number_literals_as_json_loads(literal: str) -> None:
    # Rounding of long mantissas, 1e400 (inf), 1e-400 (0.0), -0 (int), -0.0, 1E5 (float).
    assert same(json_decoder()(literal.encode()), json.loads(literal))


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\t", "a", "\u00e9", "\U0001f600"]
        )
        | st.integers(0, 0xFFFF).map(lambda code: f"\\u{code:04x}")
    )
)
def test_json_decoder_reads_escapes_as_json_loads(parts: list[str]) -> None:
    # \uXXXX escapes of lone and reversed surrogates included.
    text = '"' + "".join(parts) + '"'
    assert same(json_decoder()(text.encode()), json.loads(text))


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from("abc"), JSON_VALUES), max_size=6))
def test_duplicate_keys_last_wins_as_json_loads(pairs: list[tuple[str, object]]) -> None:
    text = "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in pairs) + "}"
    assert same(json_decoder()(text.encode()), json.loads(text))


def outcome(decode: Callable[[bytes], Any], data: bytes) -> tuple[str, object]:
    try:
        return "value", repr(decode(data))
    except (ValueError, RecursionError) as exc:
        return "error", exc


@settings(max_examples=500)
@given(
    st.binary(max_size=40)
    | st.text('{}[]",:0123456789.eE+-tfnrulasNIiy\\ \t\nx\u00e9', max_size=30).map(str.encode)
)
def test_json_decoder_accepts_and_refuses_what_json_loads_does(data: bytes) -> None:
    expected = outcome(jsonapi.loads, data)
    got = outcome(json_decoder(), data)
    if expected[0] == "value":
        assert got == expected
    else:
        assert got[0] == "error", (data, got)
        # pyzmq's exception class, and a DecodeError
        assert isinstance(got[1], type(expected[1]))
        assert isinstance(got[1], msgspec.DecodeError)


EDGE_VALUES = [
    pytest.param(math.nan, b"NaN", id="nan"),
    pytest.param([math.inf, -math.inf], b"[Infinity,-Infinity]", id="infinity"),
    pytest.param(2**70, b"1180591620717411303424", id="big-int"),
    pytest.param(-(2**64), b"-18446744073709551616", id="big-negative-int"),
    pytest.param(-0.0, b"-0.0", id="negative-zero"),
    pytest.param(1e16, b"1e16", id="float"),
    pytest.param("\ud800x\udfff", b'"\\ud800x\\udfff"', id="lone-surrogates"),
    pytest.param("é\u2028\x00😀", '"é\u2028\\u0000😀"'.encode(), id="unicode"),
    # True == 1: one key, 1, with the value "b" (as json.dumps sees the dict)
    pytest.param({1: "a", True: "b", None: "c"}, b'{"1":"b","null":"c"}', id="non-str-keys"),  # noqa: F601
    pytest.param({1.5: 0, 1e16: 1, -0.0: 2}, b'{"1.5":0,"1e+16":1,"-0.0":2}', id="float-keys"),
    pytest.param({math.nan: 0, math.inf: 1}, b'{"NaN":0,"Infinity":1}', id="non-finite-keys"),
    pytest.param((1, (2.5, "x")), b'[1,[2.5,"x"]]', id="tuples"),
    pytest.param(
        {"a": [{"b": [None, True, {"c": -math.inf}]}], "": 2**64},
        b'{"a":[{"b":[null,true,{"c":-Infinity}]}],"":18446744073709551616}',
        id="nested",
    ),
    pytest.param({"a": [1, 2.5, None, True]}, b'{"a":[1,2.5,null,true]}', id="plain"),
]


@pytest.mark.parametrize(("value", "wire"), EDGE_VALUES)
def test_edge_values_on_the_wire(value: object, wire: bytes) -> None:
    assert encode_json(value) == wire
    assert same(json_decoder()(wire), pyzmq_round_trip(value))
    assert same(json_decoder()(jsonapi.dumps(value)), pyzmq_round_trip(value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"1e400", math.inf),
        (b"-1e400", -math.inf),
        (b"1e-400", 0.0),
        (b"-0", 0),
        (b'{"a": 1, "b": 2, "a": 3}', {"a": 3, "b": 2}),
        (b" \t\r\n[ 1 ,\n2 ] \n", [1, 2]),
        (b'"\\udc00\\ud800"', "\udc00\ud800"),
        (b"9" * 4000, int("9" * 4000)),
    ],
)
def test_texts_msgspec_reads_otherwise(text: bytes, expected: object) -> None:
    assert same(json_decoder()(text), expected)
    assert same(json_decoder()(text), jsonapi.loads(text))


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Ratio(float, enum.Enum):
    HALF = 0.5


class Reading(msgspec.Struct, omit_defaults=True, rename="camel"):
    sensor_id: int
    value: float
    note: str | None = None


@dataclass
class Sample:
    at: datetime.datetime
    id: uuid.UUID


class Count(int):
    def __int__(self) -> int:
        return -1

    def __repr__(self) -> str:
        return "Count(...)"


class Name(str):
    def __str__(self) -> str:
        return "not the value"


class Share(float):
    def __float__(self) -> float:
        return -1.0


MSGSPEC_VALUES = [
    Reading(sensor_id=1, value=2.5),
    Reading(sensor_id=2, value=0.0, note="x"),
    Sample(datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC), uuid.UUID(int=7)),
    datetime.date(2024, 1, 2),
    datetime.timedelta(seconds=90),
    uuid.UUID(int=1),
    decimal.Decimal("1.10"),
    b"\x00\xff",
    {3, 1},
    Color.RED,
    Level.HIGH,
    Ratio.HALF,
    {uuid.UUID(int=2): 1, Color.RED: 2, Level.HIGH: 3},
    msgspec.Raw(b'{"raw":[1,2]}'),
]


@pytest.mark.parametrize("value", MSGSPEC_VALUES, ids=lambda v: type(v).__name__)
def test_msgspec_types_encode_as_msgspec_encodes_them(value: object) -> None:
    expected = json.loads(msgspec.json.encode(value))
    assert json.loads(encode_json(value)) == expected
    # Next to a NaN (written by json.dumps, with msgspec's view of the value):
    assert same(jsonapi.loads(encode_json([value, math.nan])), [expected, math.nan])
    # ... or a key json.dumps writes otherwise than msgspec:
    assert json.loads(encode_json({1e16: value}))["1e+16"] == expected


def test_non_finite_floats_in_a_struct_are_written_as_pyzmq_writes_them() -> None:
    wire = encode_json(
        [Reading(sensor_id=1, value=math.nan), Reading(sensor_id=2, value=-math.inf)]
    )
    assert wire == b'[{"sensorId":1,"value":NaN},{"sensorId":2,"value":-Infinity}]'


def test_subclasses_of_int_and_str_are_written_as_json_dumps_writes_them() -> None:
    # msgspec refuses them; json.dumps writes their int and str values (not repr, str, int)
    value = [Count(5), Name("v"), Share(0.5), {Count(6): Name("w"), Name("k"): None, None: True}]
    assert encode_json(value) == b'[5,"v",0.5,{"6":"w","k":null,"null":true}]'
    assert same(json.loads(encode_json(value)), pyzmq_round_trip(value))
    # Also where json.dumps needs msgspec's view first (a UUID key):
    mixed = {uuid.UUID(int=1): [Count(7), Name("x"), Share(0.25)], None: Count(8)}
    assert encode_json(mixed) == b'{"00000000-0000-0000-0000-000000000001":[7,"x",0.25],"null":8}'


def test_values_nothing_encodes_raise_type_error() -> None:
    for value in (object(), [object(), math.nan], {uuid.UUID(int=1): object(), None: 1}):
        with pytest.raises(TypeError, match=r"^Encoding objects of type object is unsupported$"):
            encode_json(value)
    looped: list[object] = [math.nan]
    looped.append(looped)
    with pytest.raises(ValueError, match=r"^Circular reference detected$"):
        encode_json(looped)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"indent": 2},
        {"sort_keys": True, "separators": (",", ":")},
        {"ensure_ascii": False},
        {"default": repr, "check_circular": False},
    ],
    ids=lambda kwargs: ",".join(kwargs),
)
def test_encode_json_passes_kwargs_to_json_dumps_as_pyzmq(kwargs: dict[str, Any]) -> None:
    value = {"b": [1, math.nan, "é", (2, 3)], "a": {"x": 2**70, "y": None}}
    assert encode_json(value, **kwargs) == jsonapi.dumps(value, **kwargs)
    assert encode_json(Point(1, 2), default=vars) == b'{"x": 1, "y": 2}'
    assert encode_json({(1, 2): 0, "k": 1}, skipkeys=True) == b'{"k": 1}'


def test_encode_json_kwargs_errors_are_json_dumps_errors() -> None:
    with pytest.raises(ValueError, match=r"^Out of range float values are not JSON compliant"):
        encode_json([math.nan], allow_nan=False)
    with pytest.raises(UnicodeEncodeError):  # as pyzmq: the text is not UTF-8
        encode_json("\ud800", ensure_ascii=False)
    with pytest.raises(TypeError, match=r"^Object of type Order is not JSON serializable$"):
        encode_json(Order(id=1, item="tea"), indent=1)  # no msgspec with kwargs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"colour": "red"},
            r"^json\.dumps refused the keyword arguments \['colour'\]: "
            r"JSONEncoder.__init__\(\) got an unexpected keyword argument 'colour'$",
        ),
        ({"default": 5}, r"^json\.dumps keyword argument default must be callable, not int$"),
        ({"cls": "x"}, r"^json\.dumps keyword argument cls must be callable, not str$"),
    ],
)
def test_bad_encode_kwargs_raise_type_error_naming_them(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        encode_json({"plain": 1}, **kwargs)
    with pytest.raises(TypeError, match=message):
        encode_json(object(), **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"parse_float": decimal.Decimal},
        {"parse_int": str, "parse_constant": lambda name: name},
        {"object_pairs_hook": list},
        {"object_hook": lambda d: sorted(d)},
        {"strict": False},
        {"cls": json.JSONDecoder},
    ],
    ids=lambda kwargs: ",".join(kwargs),
)
def test_json_decoder_passes_kwargs_to_json_loads_as_pyzmq(kwargs: dict[str, Any]) -> None:
    data = b'{"b": [1, 2.50, NaN, -Infinity, "\x01"], "a": {"x": 1180591620717411303424}}'
    if kwargs != {"strict": False}:
        data = data.replace(b"\x01", b"\\u0001")
    assert same(json_decoder(**kwargs)(data), jsonapi.loads(data, **kwargs))


def test_json_decoder_kwargs_errors_are_json_loads_errors() -> None:
    with pytest.raises(json.JSONDecodeError, match=r"^Invalid control character") as info:
        json_decoder(object_hook=dict)(b'"\x01"')
    assert isinstance(info.value, msgspec.DecodeError)

    def refuse(name: str) -> object:
        raise LookupError(name)

    with pytest.raises(LookupError, match=r"^NaN$"):
        json_decoder(parse_constant=refuse)(b"[1, NaN]")


@pytest.mark.parametrize(
    ("type", "kwargs", "message"),
    [
        (
            None,
            {"hook": dict},
            r"^json\.loads refused the keyword arguments \['hook'\]: "
            r"JSONDecoder.__init__\(\) got an unexpected keyword argument 'hook'$",
        ),
        (None, {"object_hook": 5}, r"^json\.loads keyword argument object_hook must be callable"),
        (None, {"parse_float": "x"}, r"^json\.loads keyword argument parse_float must be"),
        (
            Order,
            {"object_hook": dict},
            r"^type cannot be combined with json\.loads keyword arguments \['object_hook'\]",
        ),
    ],
)
def test_bad_decoder_arguments_raise_type_error_when_building_it(
    type: object, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        json_decoder(type, **kwargs)


def test_typed_decoding_reads_non_finite_floats_as_json_loads() -> None:
    class Measure(msgspec.Struct):
        name: str
        value: float

    assert math.isnan(json_decoder(float)(b"NaN"))
    assert same(
        json_decoder(list[float])(b"[Infinity, -Infinity, 1e400, -0.0, 1]"),
        [math.inf, -math.inf, math.inf, -0.0, 1.0],
    )
    assert same(json_decoder(Measure)(b'{"name": "\\ud800", "value": NaN}').value, math.nan)
    assert json_decoder(dict[int, float])(b'{"1": -Infinity}') == {1: -math.inf}
    with pytest.raises(
        msgspec.ValidationError, match=r"^Expected `int`, got `float` - at `\$.id`$"
    ):
        json_decoder(Order)(b'{"id": NaN, "item": "tea"}')
    with pytest.raises(
        msgspec.ValidationError, match=r"^Expected `str`, got `float` - at `\$\[1\]`$"
    ):
        json_decoder(list[str])(b'["a", Infinity]')
