"""Typed socket options with libzmq's defaults and validation.

Layer 1: imports layer 0 only.
"""

from __future__ import annotations

import enum
import importlib.util
from dataclasses import dataclass
from typing import TypeVar

from . import z85
from .constants import SecurityMechanism, SocketOption
from .errors import EINVAL, ZMQError

__all__ = [
    "ACTION_OPTIONS",
    "MECHANISM_CURVE",
    "MECHANISM_NULL",
    "MECHANISM_PLAIN",
    "OPTION_SPECS",
    "SPECIFIC_OPTIONS",
    "OptionSpec",
    "OptionValue",
    "Options",
    "option_member",
]

OptionValue = int | bytes | str


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """How one option is stored and checked.

    Attributes:
        attr: Attribute name on `Options`.
        kind: ``int`` or ``bytes``.
        default: libzmq's default.
        minimum: Smallest accepted int (ints only).
        maximum: Largest accepted int, or largest bytes length.
        writable: False for read-only options (``TYPE``, ``LAST_ENDPOINT``).
        specific: The option applies only to the socket types that list it in their
            traits (``SocketTraits.options``); others refuse it. False: every socket
            takes it.
    """

    attr: str
    kind: type
    default: int | bytes
    minimum: int = 0
    maximum: int = 2**31 - 1
    writable: bool = True
    specific: bool = False


def _flag(attr: str) -> OptionSpec:
    """A 0/1 option of the socket types that list it."""
    return OptionSpec(attr, int, 0, 0, 1, specific=True)


OPTION_SPECS: dict[SocketOption, OptionSpec] = {
    SocketOption.LINGER: OptionSpec("linger", int, -1, -1),
    SocketOption.SNDHWM: OptionSpec("sndhwm", int, 1000),
    SocketOption.RCVHWM: OptionSpec("rcvhwm", int, 1000),
    SocketOption.RCVTIMEO: OptionSpec("rcvtimeo", int, -1, -1),
    SocketOption.SNDTIMEO: OptionSpec("sndtimeo", int, -1, -1),
    SocketOption.RECONNECT_IVL: OptionSpec("reconnect_ivl", int, 100, -1),
    SocketOption.RECONNECT_IVL_MAX: OptionSpec("reconnect_ivl_max", int, 0),
    SocketOption.HEARTBEAT_IVL: OptionSpec("heartbeat_ivl", int, 0),
    SocketOption.HEARTBEAT_TIMEOUT: OptionSpec("heartbeat_timeout", int, -1, -1),
    SocketOption.HEARTBEAT_TTL: OptionSpec("heartbeat_ttl", int, 0, 0, 6_553_599),
    SocketOption.HANDSHAKE_IVL: OptionSpec("handshake_ivl", int, 30_000),
    SocketOption.BACKLOG: OptionSpec("backlog", int, 100, 0),
    SocketOption.CONNECT_TIMEOUT: OptionSpec("connect_timeout", int, 0),
    # Multicast (epgm://, pgm://), as libzmq: read when the endpoint is connected or bound.
    SocketOption.RATE: OptionSpec("rate", int, 100, 1),
    SocketOption.RECOVERY_IVL: OptionSpec("recovery_ivl", int, 10_000, 1),
    SocketOption.MULTICAST_HOPS: OptionSpec("multicast_hops", int, 1, 1, 255),
    SocketOption.MULTICAST_MAXTPDU: OptionSpec("multicast_maxtpdu", int, 1500, 128, 65535),
    SocketOption.MULTICAST_LOOP: OptionSpec("multicast_loop", int, 1, 0, 1),
    SocketOption.MAXMSGSIZE: OptionSpec("maxmsgsize", int, -1, -1, 2**63 - 1),
    SocketOption.ROUTING_ID: OptionSpec("routing_id", bytes, b"", 0, 255),
    SocketOption.IMMEDIATE: OptionSpec("immediate", int, 0, 0, 1),
    SocketOption.TYPE: OptionSpec("type", int, 0, writable=False),
    # The options of some socket types only (each type's traits list those it takes).
    SocketOption.CONNECT_ROUTING_ID: OptionSpec(
        "connect_routing_id", bytes, b"", 0, 255, specific=True
    ),
    SocketOption.ROUTER_MANDATORY: _flag("router_mandatory"),
    SocketOption.ROUTER_HANDOVER: _flag("router_handover"),
    SocketOption.PROBE_ROUTER: _flag("probe_router"),
    SocketOption.REQ_RELAXED: _flag("req_relaxed"),
    SocketOption.REQ_CORRELATE: _flag("req_correlate"),
    SocketOption.XPUB_VERBOSE: _flag("xpub_verbose"),
    SocketOption.XPUB_VERBOSER: _flag("xpub_verboser"),
    SocketOption.XPUB_MANUAL: _flag("xpub_manual"),
    SocketOption.XPUB_NODROP: _flag("xpub_nodrop"),
    SocketOption.XPUB_WELCOME_MSG: OptionSpec(
        "xpub_welcome_msg", bytes, b"", 0, 2**31 - 1, specific=True
    ),
    SocketOption.CONFLATE: _flag("conflate"),
    # Security (RFC 24, RFC 27). MECHANISM is derived from the mechanism options below.
    SocketOption.MECHANISM: OptionSpec("mechanism", int, 0, writable=False),
    SocketOption.PLAIN_SERVER: OptionSpec("plain_server", int, 0, 0, 1),
    SocketOption.PLAIN_USERNAME: OptionSpec("plain_username", bytes, b"", 0, 255),
    SocketOption.PLAIN_PASSWORD: OptionSpec("plain_password", bytes, b"", 0, 255),
    SocketOption.ZAP_DOMAIN: OptionSpec("zap_domain", bytes, b"", 0, 255),
    SocketOption.ZAP_ENFORCE_DOMAIN: OptionSpec("zap_enforce_domain", int, 0, 0, 1),
    # CURVE (RFC 26): keys are stored raw (32 octets); set them raw or as 40-char Z85.
    SocketOption.CURVE_SERVER: OptionSpec("curve_server", int, 0, 0, 1),
    SocketOption.CURVE_PUBLICKEY: OptionSpec("curve_publickey", bytes, b"", 0, 32),
    SocketOption.CURVE_SECRETKEY: OptionSpec("curve_secretkey", bytes, b"", 0, 32),
    SocketOption.CURVE_SERVERKEY: OptionSpec("curve_serverkey", bytes, b"", 0, 32),
}


_ROUTING_IDS = frozenset({SocketOption.ROUTING_ID, SocketOption.CONNECT_ROUTING_ID})
_CURVE_KEYS = frozenset(
    {SocketOption.CURVE_PUBLICKEY, SocketOption.CURVE_SECRETKEY, SocketOption.CURVE_SERVERKEY}
)
_PLAIN_OPTIONS = frozenset(
    {SocketOption.PLAIN_SERVER, SocketOption.PLAIN_USERNAME, SocketOption.PLAIN_PASSWORD}
)
MECHANISM_NULL = SecurityMechanism.NULL
MECHANISM_PLAIN = SecurityMechanism.PLAIN
MECHANISM_CURVE = SecurityMechanism.CURVE

# Options a socket acts on rather than stores (its `_set_action`): libzmq treats them as
# write-only. They too apply only to the types whose traits list them.
ACTION_OPTIONS = frozenset({SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE})
SPECIFIC_OPTIONS = ACTION_OPTIONS | {
    option for option, spec in OPTION_SPECS.items() if spec.specific
}
"""The options only some socket types take (they list them in their traits)."""
# Options libzmq only reports, that `Options` does not store (the socket answers them).
_READ_ONLY = frozenset(
    {
        SocketOption.RCVMORE,
        SocketOption.FD,
        SocketOption.EVENTS,
        SocketOption.LAST_ENDPOINT,
        SocketOption.THREAD_SAFE,
        SocketOption.TOPICS_COUNT,
    }
)


class Options:
    """The option values of one socket, as plain attributes for the hot path.

    Times are in milliseconds as in libzmq; ``-1`` means infinite (or "same as" for
    ``HEARTBEAT_TIMEOUT``, which then follows ``HEARTBEAT_IVL``).
    """

    __slots__ = tuple(spec.attr for spec in OPTION_SPECS.values())

    linger: int
    sndhwm: int
    rcvhwm: int
    rcvtimeo: int
    sndtimeo: int
    reconnect_ivl: int
    reconnect_ivl_max: int
    heartbeat_ivl: int
    heartbeat_timeout: int
    heartbeat_ttl: int
    handshake_ivl: int
    connect_timeout: int
    rate: int
    recovery_ivl: int
    multicast_hops: int
    multicast_maxtpdu: int
    multicast_loop: int
    backlog: int
    maxmsgsize: int
    routing_id: bytes
    immediate: int
    type: int
    connect_routing_id: bytes
    router_mandatory: int
    router_handover: int
    probe_router: int
    req_relaxed: int
    req_correlate: int
    xpub_verbose: int
    xpub_verboser: int
    xpub_manual: int
    xpub_nodrop: int
    xpub_welcome_msg: bytes
    conflate: int
    mechanism: int
    plain_server: int
    plain_username: bytes
    plain_password: bytes
    zap_domain: bytes
    zap_enforce_domain: int
    curve_server: int
    curve_publickey: bytes
    curve_secretkey: bytes
    curve_serverkey: bytes

    def __init__(self, socket_type: int) -> None:
        for spec in OPTION_SPECS.values():
            setattr(self, spec.attr, spec.default)
        self.type = socket_type

    def set(self, option: SocketOption, value: object) -> None:
        """Validate and store one option.

        Raises:
            TypeError: The value has the wrong type.
            ZMQError: ``EINVAL`` for an option aiomq does not support, a read-only one,
                one that does not apply to this socket type, or a value out of range.
        """
        if option in _READ_ONLY:
            raise ZMQError(EINVAL, f"option {option.name} is read-only")
        spec = self.spec(option)
        if not spec.writable:
            raise ZMQError(EINVAL, f"option {option.name} is read-only")
        if spec.kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                if isinstance(value, bool):
                    value = int(value)
                else:
                    raise TypeError(
                        f"option {option.name} takes an int, not {type(value).__name__}"
                    )
            if not spec.minimum <= value <= spec.maximum:
                raise ZMQError(
                    EINVAL,
                    f"option {option.name} must be in [{spec.minimum}, {spec.maximum}], "
                    f"not {value}",
                )
            if value and option is SocketOption.CURVE_SERVER:
                _require_nacl(option)
        elif option in _CURVE_KEYS:
            value = _curve_key(option, value)
            _require_nacl(option)
        else:
            if not isinstance(value, bytes | bytearray | memoryview):
                raise TypeError(
                    f"option {option.name} takes bytes, not {type(value).__name__}"
                    + (" (encode it, or use setsockopt_string)" if isinstance(value, str) else "")
                )
            value = bytes(value)
            if len(value) > spec.maximum:
                raise ZMQError(EINVAL, f"option {option.name} is at most {spec.maximum} bytes")
            if option in _ROUTING_IDS and value[:1] == b"\x00":
                raise ZMQError(EINVAL, f"{option.name} must not start with a zero byte (reserved)")
        setattr(self, spec.attr, value)
        if option in _PLAIN_OPTIONS:
            self._derive_plain(option, value)
        elif option is SocketOption.CURVE_SERVER:
            # libzmq: CURVE_SERVER=1 makes a CURVE server, 0 falls back to NULL.
            self.mechanism = MECHANISM_CURVE if value else MECHANISM_NULL
        elif option in _CURVE_KEYS:
            # libzmq: setting any CURVE key selects CURVE; the server key makes a client.
            self.mechanism = MECHANISM_CURVE
            if option is SocketOption.CURVE_SERVERKEY:
                self.curve_server = 0

    def _derive_plain(self, option: SocketOption, value: object) -> None:
        """Update MECHANISM as libzmq does when a PLAIN option is set.

        ``PLAIN_SERVER=1`` makes a PLAIN server, ``0`` falls back to NULL; a
        non-empty ``PLAIN_USERNAME``/``PLAIN_PASSWORD`` makes a PLAIN client, an
        empty one falls back to NULL.
        """
        if option is SocketOption.PLAIN_SERVER:
            self.mechanism = MECHANISM_PLAIN if value else MECHANISM_NULL
        elif value:
            self.plain_server = 0
            self.mechanism = MECHANISM_PLAIN
        else:
            self.mechanism = MECHANISM_NULL

    def get(self, option: SocketOption) -> int | bytes:
        """Return one option's value.

        Raises:
            ZMQError: ``EINVAL`` for a write-only option (``SUBSCRIBE``), one aiomq does
                not support, or one that does not apply to this socket type.
        """
        if option in ACTION_OPTIONS:
            raise ZMQError(EINVAL, f"option {option.name} is write-only")
        value: int | bytes = getattr(self, self.spec(option).attr)
        return value

    def spec(self, option: SocketOption) -> OptionSpec:
        """Return the spec of ``option``.

        Whether the option applies to the socket's type is the socket's to check (its
        traits list the type-specific options it takes).

        Raises:
            ZMQError: ``EINVAL`` when aiomq does not support the option, or it is an
                action (``SUBSCRIBE``) that the socket did not act on.
        """
        spec = OPTION_SPECS.get(option)
        if spec is not None:
            return spec
        if option in ACTION_OPTIONS:
            raise ZMQError(EINVAL, f"option {option.name} is write-only")
        raise ZMQError(EINVAL, f"option {option.name} is not supported by aiomq")

    @property
    def heartbeat_timeout_ms(self) -> int:
        """The effective HEARTBEAT_TIMEOUT: the interval when left at -1."""
        return self.heartbeat_ivl if self.heartbeat_timeout < 0 else self.heartbeat_timeout


def _require_nacl(option: SocketOption) -> None:
    """CURVE needs PyNaCl: say so when the option is set, not at connection time.

    Raises:
        ImportError: PyNaCl is not installed.
    """
    if importlib.util.find_spec("nacl") is None:
        raise ImportError(f"option {option.name}: CURVE needs PyNaCl: pip install 'aiomq[curve]'")


def _curve_key(option: SocketOption, value: object) -> bytes:
    """A CURVE key option as 32 raw octets, from raw octets or 40-character Z85.

    Raises:
        TypeError: ``value`` is neither bytes-like nor str.
        ZMQError: ``EINVAL`` for any other length or invalid Z85.
    """
    if isinstance(value, str):
        raw: bytes = value.encode("ascii", "replace")
    elif isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
    else:
        raise TypeError(f"option {option.name} takes bytes or str, not {type(value).__name__}")
    if len(raw) == 32 and not isinstance(value, str):
        return raw
    if len(raw) == 40:
        try:
            return z85.decode(raw)
        except ValueError:
            raise ZMQError(EINVAL, f"option {option.name}: invalid Z85 key") from None
    raise ZMQError(
        EINVAL,
        f"option {option.name} takes a 32-byte key or its 40-character Z85 form, "
        f"not {len(raw)} {'characters' if isinstance(value, str) else 'bytes'}",
    )


_Member = TypeVar("_Member", bound=enum.IntEnum)


def option_member(kind: type[_Member], option: object, what: str, example: str) -> _Member:
    """``option`` as a member of ``kind`` (``SocketOption``, ``ContextOption``).

    Args:
        kind: The enum of the options.
        option: What the caller passed.
        what: How to call them in an error (``"socket option"``).
        example: A constant to name in a ``TypeError`` (``"aiomq.LINGER"``).

    Raises:
        TypeError: ``option`` is not an int.
        ZMQError: ``EINVAL`` for a number ``kind`` does not have.
    """
    if isinstance(option, bool) or not isinstance(option, int):
        raise TypeError(f"option must be an int ({example} ...), not {type(option).__name__}")
    try:
        return kind(option)
    except ValueError:
        raise ZMQError(EINVAL, f"unknown {what} {option}") from None
