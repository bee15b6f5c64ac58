"""Message payload codecs: JSON and MessagePack (msgspec), text, and pickle.

This is the only module that imports msgspec. It knows nothing about sockets: the socket
base (``Socket.send_json`` ... ``Socket.recv_pyobj``) calls these functions on one frame.

* One :class:`msgspec.json.Encoder` and one :class:`msgspec.msgpack.Encoder` serve every
  call (encoders keep no per-call state).
* One decoder is built per ``(format, type)`` and cached, so a typed receive loop
  (``recv_json(type=Order)``) pays for building the validator once.

Decoding with a ``type`` validates: a payload that does not match raises
:class:`msgspec.ValidationError` (a subclass of :class:`msgspec.DecodeError`, itself a
``ValueError``); malformed bytes raise :class:`msgspec.DecodeError`.

Layer 1: standard library and msgspec only.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any, Final, Literal, TypeVar, overload

import msgspec

__all__ = [
    "DecodeError",
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
"""Raised for bytes that are not valid JSON / MessagePack (``msgspec.DecodeError``)."""

ValidationError = msgspec.ValidationError
"""Raised when a payload does not match the requested type (``msgspec.ValidationError``)."""

_JSON_ENCODER: Final = msgspec.json.Encoder()
_MSGPACK_ENCODER: Final = msgspec.msgpack.Encoder()
_Decoder = msgspec.json.Decoder[Any] | msgspec.msgpack.Decoder[Any]
_DECODERS: dict[tuple[Format, object], _Decoder] = {}
# A program decodes into a handful of types; a runaway generator of types must not grow
# the cache without bound.
_MAX_CACHED_DECODERS: Final = 1024


def _decoder(fmt: Format, type: object) -> _Decoder:
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


def _new_decoder(fmt: Format, type: object) -> _Decoder:
    target: Any = Any if type is None else type
    if fmt == "json":
        return msgspec.json.Decoder(target)
    return msgspec.msgpack.Decoder(target)


def encode_json(obj: object) -> bytes:
    """Encode ``obj`` as compact UTF-8 JSON.

    Raises:
        TypeError: ``obj`` holds a value msgspec cannot encode.
    """
    return _JSON_ENCODER.encode(obj)


def encode_msgpack(obj: object) -> bytes:
    """Encode ``obj`` as MessagePack.

    Raises:
        TypeError: ``obj`` holds a value msgspec cannot encode.
    """
    return _MSGPACK_ENCODER.encode(obj)


def json_decoder(type: object = None) -> Callable[[bytes], Any]:
    """The cached JSON decode function for ``type`` (built on first use).

    Raises:
        TypeError: ``type`` is not a type msgspec can decode into.
    """
    return _decoder("json", type).decode


def msgpack_decoder(type: object = None) -> Callable[[bytes], Any]:
    """The cached MessagePack decode function for ``type`` (built on first use).

    Raises:
        TypeError: ``type`` is not a type msgspec can decode into.
    """
    return _decoder("msgpack", type).decode


@overload
def decode_json(data: bytes, type: None = None) -> Any: ...
@overload
def decode_json(data: bytes, type: type[T]) -> T: ...
@overload
def decode_json(data: bytes, type: object) -> Any: ...
def decode_json(data: bytes, type: object = None) -> Any:
    """Decode JSON, validated into ``type`` when given (any type msgspec supports).

    Raises:
        msgspec.ValidationError: The payload does not match ``type``.
        msgspec.DecodeError: ``data`` is not valid JSON.
        TypeError: ``type`` is not a type msgspec can decode into.
    """
    return _decoder("json", type).decode(data)


@overload
def decode_msgpack(data: bytes, type: None = None) -> Any: ...
@overload
def decode_msgpack(data: bytes, type: type[T]) -> T: ...
@overload
def decode_msgpack(data: bytes, type: object) -> Any: ...
def decode_msgpack(data: bytes, type: object = None) -> Any:
    """Decode MessagePack, validated into ``type`` when given.

    Raises:
        msgspec.ValidationError: The payload does not match ``type``.
        msgspec.DecodeError: ``data`` is not valid MessagePack.
        TypeError: ``type`` is not a type msgspec can decode into.
    """
    return _decoder("msgpack", type).decode(data)


def encode_string(u: object, encoding: str = "utf-8", argument: str = "u") -> bytes:
    """Encode text for a frame.

    Raises:
        TypeError: ``u`` is not a ``str`` (the message names ``argument``).
        UnicodeEncodeError: ``u`` cannot be encoded in ``encoding``.
    """
    if not isinstance(u, str):
        raise TypeError(f"{argument} must be str, not {type(u).__name__} (use send for bytes)")
    return u.encode(encoding)


def decode_string(data: bytes, encoding: str = "utf-8") -> str:
    """Decode a frame as text.

    Raises:
        UnicodeDecodeError: ``data`` is not valid in ``encoding``.
    """
    return data.decode(encoding)


def dumps_pyobj(obj: object, protocol: int = pickle.DEFAULT_PROTOCOL) -> bytes:
    """Pickle ``obj``.

    Raises:
        pickle.PicklingError: ``obj`` cannot be pickled (or ``TypeError``/``AttributeError``
            as :func:`pickle.dumps` raises them).
    """
    return pickle.dumps(obj, protocol)


def loads_pyobj(data: bytes) -> Any:
    """Unpickle a frame. **Unsafe with untrusted peers**: unpickling runs arbitrary code.

    Raises:
        pickle.UnpicklingError: ``data`` is not a pickle (or any exception the pickled
            objects raise while being rebuilt).
    """
    return pickle.loads(data)
