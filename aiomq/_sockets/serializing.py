"""pyzmq's serializing sends and receives: strings, JSON, MessagePack, pickles, custom.

Each wraps one ``send``/``recv`` (a custom serializer a multipart message), so each
returns a future exactly as they do and inherits their cancellation contract: decoding
happens only once the frame was taken, and a decoding error is the future's exception
(the message is consumed, as in pyzmq). Arguments are checked, and a decoder built,
before anything is sent or received.

Layer 6.
"""

from __future__ import annotations

import asyncio
import builtins
import pickle
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .. import serialization as _ser

__all__ = ["SerializingMixin"]

_R = TypeVar("_R")


class SerializingMixin:
    """``send_string`` ... ``recv_serialized``, over the socket's ``send``/``recv``."""

    __slots__ = ()

    if TYPE_CHECKING:

        def send(
            self, data: object, flags: int = 0, copy: bool = True, track: bool = False
        ) -> asyncio.Future[Any]: ...

        def send_multipart(
            self,
            msg_parts: Iterable[object],
            flags: int = 0,
            copy: bool = True,
            track: bool = False,
        ) -> asyncio.Future[Any]: ...

        def _receive(
            self,
            whole: bool,
            flags: int,
            copy: bool,
            transform: Callable[[Any], Any] | None,
        ) -> asyncio.Future[Any]: ...

    def send_string(
        self,
        u: str,
        flags: int = 0,
        copy: bool = True,
        encoding: str = "utf-8",
        track: bool = False,
    ) -> asyncio.Future[Any]:
        """Send a ``str`` as one encoded frame (``SNDMORE`` allowed, as ``send``).

        Args:
            u: The text.
            flags: ``aiomq.SNDMORE``, ``aiomq.DONTWAIT``.
            copy: As ``send``.
            encoding: The text encoding.
            track: As ``send``.

        Returns:
            The future of [send][aiomq.Socket.send].

        Raises:
            TypeError: ``u`` is not a ``str`` (send bytes with ``send``).
            UnicodeEncodeError: ``u`` cannot be encoded in ``encoding``.

        Cancellation-safe as ``send``.
        """
        return self.send(_ser.encode_string(u, encoding), flags, copy, track)

    send_unicode = send_string

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> asyncio.Future[str]:
        """Receive one frame decoded as text.

        Returns:
            A future of the text; its exception is ``UnicodeDecodeError`` for a frame
            that is not valid in ``encoding`` (the frame is consumed), or what
            [recv][aiomq.Socket.recv] raises.

        Cancellation-safe as ``recv``.
        """
        return self._receive(False, flags, True, lambda frame: _ser.decode_string(frame, encoding))

    recv_unicode = recv_string

    def send_json(self, obj: object, flags: int = 0, **kwargs: Any) -> asyncio.Future[Any]:
        """Send ``obj`` as one frame of JSON, as pyzmq's ``send_json``.

        Without keyword arguments the JSON is what pyzmq's ``send_json`` sends (NaN and
        infinities included); msgspec Structs, dataclasses, ``datetime``, ``UUID`` ...
        encode too. Keyword arguments go to ``json.dumps``, as in pyzmq.

        Raises:
            TypeError: ``obj`` holds a value JSON cannot encode, or a bad keyword.

        Cancellation-safe as ``send``.
        """
        return self.send(_ser.encode_json(obj, **kwargs), flags)

    @overload
    def recv_json(
        self, flags: int = 0, *, type: None = None, **kwargs: Any
    ) -> asyncio.Future[Any]: ...
    @overload
    def recv_json(
        self, flags: int = 0, *, type: builtins.type[_R], **kwargs: Any
    ) -> asyncio.Future[_R]: ...
    @overload
    def recv_json(self, flags: int = 0, *, type: object, **kwargs: Any) -> asyncio.Future[Any]: ...
    def recv_json(
        self, flags: int = 0, *, type: object = None, **kwargs: Any
    ) -> asyncio.Future[Any]:
        """Receive one JSON frame, decoded (and validated into ``type`` when given).

        Args:
            flags: ``aiomq.DONTWAIT``.
            type: A msgspec ``Struct`` or any type msgspec can decode into
                (``list[int]``, a dataclass, ``TypedDict`` ...); ``None`` gives what
                ``json.loads`` gives, as pyzmq's ``recv_json``.
            **kwargs: Passed to ``json.loads``, as in pyzmq (not with ``type``).

        Returns:
            A future of the decoded value; its exception is ``msgspec.ValidationError``
            (payload does not match ``type``) or a ``ValueError`` for a frame that is not
            JSON. Either way the message is consumed.

        Raises:
            TypeError: ``type`` is not a type msgspec supports, or bad keywords (nothing
                is received).

        Cancellation-safe as ``recv``.
        """
        return self._receive(False, flags, True, _ser.json_decoder(type, **kwargs))

    def send_msgpack(self, obj: object, flags: int = 0) -> asyncio.Future[Any]:
        """Send ``obj`` as one MessagePack frame (msgspec).

        Raises:
            TypeError: ``obj`` holds a value MessagePack cannot encode.

        Cancellation-safe as ``send``.
        """
        return self.send(_ser.encode_msgpack(obj), flags)

    @overload
    def recv_msgpack(self, flags: int = 0, *, type: None = None) -> asyncio.Future[Any]: ...
    @overload
    def recv_msgpack(self, flags: int = 0, *, type: builtins.type[_R]) -> asyncio.Future[_R]: ...
    @overload
    def recv_msgpack(self, flags: int = 0, *, type: object) -> asyncio.Future[Any]: ...
    def recv_msgpack(self, flags: int = 0, *, type: object = None) -> asyncio.Future[Any]:
        """Receive one MessagePack frame, decoded (and validated into ``type`` when given).

        Returns:
            A future of the value; its exception is ``msgspec.ValidationError`` or
            ``msgspec.DecodeError`` for a bad payload (consumed).

        Raises:
            TypeError: ``type`` is not a type msgspec supports (nothing is received).

        Cancellation-safe as ``recv``.
        """
        return self._receive(False, flags, True, _ser.msgpack_decoder(type))

    def send_pyobj(
        self, obj: object, flags: int = 0, protocol: int = pickle.DEFAULT_PROTOCOL
    ) -> asyncio.Future[Any]:
        """Send ``obj`` pickled in one frame.

        Warning:
            Only for trusted peers: the receiver's ``recv_pyobj`` unpickles, which runs
            arbitrary code.

        Raises:
            pickle.PicklingError: ``obj`` cannot be pickled (or what ``pickle.dumps``
                raises).

        Cancellation-safe as ``send``.
        """
        return self.send(_ser.dumps_pyobj(obj, protocol), flags)

    def recv_pyobj(self, flags: int = 0) -> asyncio.Future[Any]:
        """Receive one frame and unpickle it.

        Warning:
            **Unsafe with untrusted peers**: unpickling runs arbitrary code. Use
            ``recv_json``/``recv_msgpack`` with a ``type`` for data from outside.

        Returns:
            A future of the object; its exception is what unpickling raised (consumed).

        Cancellation-safe as ``recv``.
        """
        return self._receive(False, flags, True, _ser.loads_pyobj)

    def send_serialized(
        self,
        msg: _R,
        serialize: Callable[[_R], Iterable[object]],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
    ) -> asyncio.Future[Any]:
        """Send ``serialize(msg)`` (a list of frames) as one multipart message, as pyzmq.

        Raises:
            Exception: Whatever ``serialize`` raises.
            TypeError: ``serialize`` returned something that is not a list of
                bytes-like frames.
            ValueError: ``serialize`` returned no frame.

        Cancellation-safe as ``send_multipart``.
        """
        return self.send_multipart(serialize(msg), flags, copy, track)

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], _R], flags: int = 0, copy: bool = True
    ) -> asyncio.Future[_R]:
        """Receive a multipart message and return ``deserialize(frames)``, as pyzmq.

        Returns:
            A future of what ``deserialize`` returns; its exception is whatever
            ``deserialize`` raises (the message is consumed).

        Cancellation-safe as ``recv_multipart``.
        """
        return self._receive(True, flags, copy, deserialize)
