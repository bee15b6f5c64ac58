"""Message payload codecs: JSON (pyzmq's, kept fast with msgspec), MessagePack, text, pickle.

This is the only module that imports msgspec. It knows nothing about sockets: the socket
base (`Socket.send_json` ... `Socket.recv_pyobj`) calls these functions on one frame.

**JSON is pyzmq's JSON.** pyzmq's `send_json`/`recv_json` are `json.dumps`/`json.loads`
of UTF-8 bytes, so they carry `NaN`, `Infinity`, `-Infinity`, integers of any size, lone
surrogates and non-`str` dict keys. Here every such value arrives as stdlib `json` gives
it, in both directions:

* [encode_json][aiomq.serialization.encode_json] writes with msgspec when msgspec's text
  means the same as `json.dumps`'s, and with `json.dumps` otherwise (a non-finite float, a
  float dict key, a `None`/`bool` key, a lone surrogate, an `int`/`float`/`str` subclass).
  Beyond stdlib, it also encodes what msgspec does: Structs, dataclasses, `datetime`,
  `UUID`, enums, `bytes` (base64), sets ...
* [json_decoder][aiomq.serialization.json_decoder] reads with msgspec and falls back to
  `json.loads` for what msgspec refuses (`NaN`, `1e400`, `"\\ud800"` ...). A `type`
  validates with msgspec, also after that fallback (`msgspec.convert`).
* Keyword arguments go to `json.dumps`/`json.loads` exactly as pyzmq passes them.

One msgspec encoder per format serves every call (encoders keep no per-call state), and
one typed decoder is built per `(format, type)` and cached, so a typed receive loop
(`recv_json(type=Order)`) pays for building the validator once.

Decoding with a `type` validates: a payload that does not match raises `ValidationError`
(`msgspec.ValidationError`, a `DecodeError`, itself a `ValueError`). Malformed JSON raises
[JSONDecodeError][aiomq.serialization.JSONDecodeError] and JSON bytes that are not UTF-8
[JSONUnicodeDecodeError][aiomq.serialization.JSONUnicodeDecodeError]: pyzmq's exceptions,
and also `DecodeError`s. Malformed MessagePack raises `DecodeError`.

Layer 1: standard library and msgspec only.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Callable
from typing import Any, Final, Literal, TypeVar, overload

import msgspec

__all__ = [
    "DecodeError",
    "JSONDecodeError",
    "JSONUnicodeDecodeError",
    "ValidationError",
    "decode_json",
    "decode_msgpack",
    "decode_string",
    "dumps_pyobj",
    "encode_json",
    "encode_msgpack",
    "encode_string",
    "json_decoder",
    "loads_pyobj",
    "msgpack_decoder",
]

T = TypeVar("T")

Format = Literal["json", "msgpack"]

DecodeError = msgspec.DecodeError
"""Raised for bytes that are not valid JSON / MessagePack (`msgspec.DecodeError`)."""

ValidationError = msgspec.ValidationError
"""Raised when a payload does not match the requested type (`msgspec.ValidationError`)."""


class JSONDecodeError(json.JSONDecodeError, msgspec.DecodeError):
    """Malformed JSON: a `json.JSONDecodeError` (as pyzmq raises) and a `DecodeError`.

    `msg`, `doc`, `pos`, `lineno` and `colno` are `json.loads`'s.
    """


class JSONUnicodeDecodeError(UnicodeDecodeError, msgspec.DecodeError):
    """JSON bytes that are not UTF-8: a `UnicodeDecodeError` (as pyzmq raises) and a
    `DecodeError`."""


_JSON_ENCODER: Final = msgspec.json.Encoder()
_MSGPACK_ENCODER: Final = msgspec.msgpack.Encoder()
_JSON_DECODER: Final = msgspec.json.Decoder()
_DECODERS: dict[tuple[Format, object], Callable[[bytes], Any]] = {}
# A program decodes into a handful of types; a runaway generator of types must not grow
# the cache without bound.
_MAX_CACHED_DECODERS: Final = 1024

# Where msgspec's JSON text can mean something else than json.dumps's:
# - msgspec writes a float dict key in its own notation ("1e16", "0.00001", "nan", "inf"),
#   json.dumps with repr() ("1e+16", "1e-05", "NaN", "Infinity"): a different key. This
#   finds such a key, `"<float>":`, in the reversed output (where `:"` is a literal prefix
#   the regex engine scans for quickly). A str key that looks like a float matches too.
_FLOAT_KEY_REVERSED: Final = re.compile(rb':"(?:nan|fni|\d+(?:[-+]?[eE]\d+(?:\.\d+)?|\.\d+))-?"')
# - msgspec writes NaN and ±Infinity as `null`, json.dumps as NaN/Infinity/-Infinity.
#   When the text holds a `null`, the MessagePack encoding tells whether a float made it:
#   msgspec packs every float as a float64 (0xcb, then 8 big-endian bytes), non-finite
#   exactly when its 11 exponent bits are all ones.
_NON_FINITE_FLOAT64: Final = re.compile(rb"\xcb[\x7f\xff][\xf0-\xff]")
# Arguments of json.dumps / json.loads that must be callables (or None).
_DUMPS_CALLABLES: Final = ("cls", "default")
_LOADS_CALLABLES: Final = (
    "cls",
    "object_hook",
    "object_pairs_hook",
    "parse_float",
    "parse_int",
    "parse_constant",
)


def _decoder(fmt: Format, type: object) -> Callable[[bytes], Any]:
    key = (fmt, type)
    try:
        return _DECODERS[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable type expression: build a decoder each time
        return _new_decoder(fmt, type)
    decoder = _new_decoder(fmt, type)
    if len(_DECODERS) < _MAX_CACHED_DECODERS:
        _DECODERS[key] = decoder
    return decoder


def _new_decoder(fmt: Format, type: object) -> Callable[[bytes], Any]:
    target: Any = Any if type is None else type
    if fmt == "msgpack":
        return msgspec.msgpack.Decoder(target).decode
    decode = msgspec.json.Decoder(target).decode

    def decode_typed(data: bytes) -> Any:
        try:
            return decode(data)
        except (msgspec.DecodeError, RecursionError):
            # msgspec's parser refuses what json.loads may accept (NaN, 1e400, "\ud800"):
            # parse as pyzmq would, then validate with msgspec's rules for JSON.
            return msgspec.convert(_stdlib_loads(data), target, str_keys=True)

    return decode_typed


def _base_value(obj: object) -> object:
    """`msgspec.to_builtins`' hook: what json.dumps writes for an int/float/str subclass,
    and the value of a `msgspec.Raw` (which msgspec's encoders insert as it is)."""
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, int):
        return int.__int__(obj)
    if isinstance(obj, float):
        return float.__float__(obj)
    if isinstance(obj, msgspec.Raw):
        return json.loads(bytes(obj))
    raise TypeError(f"Encoding objects of type {type(obj).__name__} is unsupported")


def _builtin_view(obj: object) -> object:
    """What msgspec encodes `obj` as, in builtin types (json.dumps' `default` hook)."""
    return msgspec.to_builtins(obj, enc_hook=_base_value)


# json.dumps(obj, separators=(",", ":"), default=_builtin_view), built once.
_STDLIB_JSON_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), default=_builtin_view)


def _stdlib_dumps(obj: object) -> bytes:
    """Compact ASCII `json.dumps(obj)`, msgspec's types included."""
    try:
        text = _STDLIB_JSON_ENCODER.encode(obj)
    except TypeError:
        # A dict key json.dumps does not take (UUID, Enum ...: `default` never sees keys),
        # or a value nothing encodes (then this raises again).
        text = _STDLIB_JSON_ENCODER.encode(_builtin_view(obj))
    return text.encode("ascii")


def _has_non_finite_float(obj: object) -> bool:
    try:
        packed = _MSGPACK_ENCODER.encode(obj)
    except (TypeError, ValueError, OverflowError, RecursionError):  # OverflowError: int > 64 bits
        return True  # cannot tell: take the exact path
    return _NON_FINITE_FLOAT64.search(packed) is not None


def _check_callables(name: str, keys: tuple[str, ...], kwargs: dict[str, Any]) -> None:
    for key in keys:
        value = kwargs.get(key)
        if value is not None and not callable(value):
            raise TypeError(
                f"{name} keyword argument {key} must be callable, not {type(value).__name__}"
            )


def _check_accepted(function: Callable[..., object], probe: object, kwargs: dict[str, Any]) -> None:
    """Raise `TypeError` naming `json.<function>` if calling it on `probe` refuses `kwargs`."""
    try:
        function(probe, **kwargs)
    except TypeError as exc:
        raise TypeError(
            f"json.{function.__name__} refused the keyword arguments {sorted(kwargs)}: {exc}"
        ) from None


def encode_json(obj: object, **kwargs: Any) -> bytes:
    """Encode `obj` as UTF-8 JSON that pyzmq's `recv_json` reads as `json.dumps` wrote it.

    Without keyword arguments: compact JSON (msgspec's where it means the same as
    `json.dumps`'s, else `json.dumps`'s with `NaN`/`Infinity` and `\\uXXXX` escapes).
    `json.loads` of the result equals `json.loads(json.dumps(obj))` for every `obj` that
    `json.dumps` encodes (but a dict subclass may be read from its stored items, as msgspec
    reads it, where `json.dumps` calls its `items()`). Structs, dataclasses, `datetime`,
    `UUID`, enums, `bytes`, sets ... are encoded as msgspec does.

    With keyword arguments: `json.dumps(obj, **kwargs)` encoded as UTF-8, exactly as pyzmq's
    `send_json(obj, **kwargs)` (no msgspec: pass `default=` for other types).

    Raises:
        TypeError: `obj` holds a value that cannot be encoded, or `json.dumps` refuses
            `kwargs` (the message names them).
        ValueError: `obj` contains itself ("Circular reference detected", as `json.dumps`)
            or an integer beyond `sys.get_int_max_str_digits()` digits; or `json.dumps`
            raises it with `kwargs` (`allow_nan=False` and a NaN).
        RecursionError: `obj` is nested too deeply.
        UnicodeEncodeError: `ensure_ascii=False` and a lone surrogate (as pyzmq).
    """
    if kwargs:
        _check_callables("json.dumps", _DUMPS_CALLABLES, kwargs)
        try:
            return json.dumps(obj, **kwargs).encode("utf-8")
        except TypeError:
            _check_accepted(json.dumps, None, kwargs)  # a clearer error if kwargs are to blame
            raise
    try:
        data = _JSON_ENCODER.encode(obj)
    except (TypeError, ValueError, RecursionError):
        return _stdlib_dumps(obj)  # stdlib may encode it; if not, it raises
    if (b"null" in data and _has_non_finite_float(obj)) or _FLOAT_KEY_REVERSED.search(data[::-1]):
        return _stdlib_dumps(obj)
    return data


def encode_msgpack(obj: object) -> bytes:
    """Encode `obj` as MessagePack.

    Raises:
        TypeError: `obj` holds a value msgspec cannot encode.
    """
    return _MSGPACK_ENCODER.encode(obj)


def _stdlib_loads(data: bytes, **kwargs: Any) -> Any:
    """What pyzmq's `recv_json(**kwargs)` returns for `data`, with this module's errors."""
    try:
        text = str(data, "utf-8")
    except UnicodeDecodeError as exc:
        raise JSONUnicodeDecodeError(
            exc.encoding, exc.object, exc.start, exc.end, exc.reason
        ) from None
    try:
        return json.loads(text, **kwargs)
    except json.JSONDecodeError as exc:
        raise JSONDecodeError(exc.msg, exc.doc, exc.pos) from None


def _loads(data: bytes) -> Any:
    """`json.loads` of UTF-8 `data`, by msgspec where it accepts the text (the same value)."""
    try:
        return _JSON_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return _stdlib_loads(data)


def json_decoder(type: object = None, **kwargs: Any) -> Callable[[bytes], Any]:
    """The JSON decode function for `type`, or for `json.loads` keyword arguments.

    Without arguments: `json.loads` of the UTF-8 text, as pyzmq's `recv_json()` (msgspec
    reads what it accepts: the same values, faster). With `type`: msgspec validates into it
    (any type msgspec supports); a `NaN` or `Infinity` that msgspec's parser refuses is
    read by `json.loads` and validated all the same (`float` accepts it). With keyword
    arguments: `json.loads(text, **kwargs)`, as pyzmq's `recv_json(**kwargs)`.

    The function raises what the decoding raises: `ValidationError` (the payload does not
    match `type`), [JSONDecodeError][aiomq.serialization.JSONDecodeError],
    [JSONUnicodeDecodeError][aiomq.serialization.JSONUnicodeDecodeError], `ValueError` for
    an integer beyond `sys.get_int_max_str_digits()` digits, or what a hook raises.

    Raises:
        TypeError: `type` is not a type msgspec can decode into; `type` is given together
            with keyword arguments; `json.loads` refuses `kwargs` or a hook is not callable.
    """
    if kwargs:
        if type is not None:
            raise TypeError(
                f"type cannot be combined with json.loads keyword arguments {sorted(kwargs)}:"
                " type= validates with msgspec, the keyword arguments configure json.loads"
            )
        _check_accepted(json.loads, "null", kwargs)  # "null" calls no hook
        _check_callables("json.loads", _LOADS_CALLABLES, kwargs)
        return lambda data: _stdlib_loads(data, **kwargs)
    if type is None:
        return _loads
    return _decoder("json", type)


def msgpack_decoder(type: object = None) -> Callable[[bytes], Any]:
    """The cached MessagePack decode function for `type` (built on first use).

    Raises:
        TypeError: `type` is not a type msgspec can decode into.
    """
    return _decoder("msgpack", type)


@overload
def decode_json(data: bytes, type: None = None) -> Any: ...
@overload
def decode_json(data: bytes, type: type[T]) -> T: ...
@overload
def decode_json(data: bytes, type: object) -> Any: ...
def decode_json(data: bytes, type: object = None) -> Any:
    """Decode JSON as [json_decoder][aiomq.serialization.json_decoder]`(type)` does.

    Raises:
        ValidationError: The payload does not match `type`.
        JSONDecodeError: `data` is not valid JSON.
        JSONUnicodeDecodeError: `data` is not UTF-8.
        TypeError: `type` is not a type msgspec can decode into.
    """
    return json_decoder(type)(data)


@overload
def decode_msgpack(data: bytes, type: None = None) -> Any: ...
@overload
def decode_msgpack(data: bytes, type: type[T]) -> T: ...
@overload
def decode_msgpack(data: bytes, type: object) -> Any: ...
def decode_msgpack(data: bytes, type: object = None) -> Any:
    """Decode MessagePack, validated into `type` when given.

    Raises:
        ValidationError: The payload does not match `type`.
        DecodeError: `data` is not valid MessagePack.
        TypeError: `type` is not a type msgspec can decode into.
    """
    return _decoder("msgpack", type)(data)


def encode_string(u: object, encoding: str = "utf-8", argument: str = "u") -> bytes:
    """Encode text for a frame.

    Raises:
        TypeError: `u` is not a `str` (the message names `argument`).
        UnicodeEncodeError: `u` cannot be encoded in `encoding`.
    """
    if not isinstance(u, str):
        raise TypeError(f"{argument} must be str, not {type(u).__name__} (use send for bytes)")
    return u.encode(encoding)


def decode_string(data: bytes, encoding: str = "utf-8") -> str:
    """Decode a frame as text.

    Raises:
        UnicodeDecodeError: `data` is not valid in `encoding`.
    """
    return data.decode(encoding)


def dumps_pyobj(obj: object, protocol: int = pickle.DEFAULT_PROTOCOL) -> bytes:
    """Pickle `obj`.

    Raises:
        pickle.PicklingError: `obj` cannot be pickled (or `TypeError`/`AttributeError`
            as `pickle.dumps` raises them).
    """
    return pickle.dumps(obj, protocol)


def loads_pyobj(data: bytes) -> Any:
    """Unpickle a frame. **Unsafe with untrusted peers**: unpickling runs arbitrary code.

    Raises:
        pickle.UnpicklingError: `data` is not a pickle (or any exception the pickled
            objects raise while being rebuilt).
    """
    return pickle.loads(data)
