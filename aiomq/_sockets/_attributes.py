"""Socket options as attributes (``sock.linger = 0``), as in pyzmq.

Every libzmq option name is an attribute of every socket, so that reading or writing one
always reaches ``getsockopt``/``setsockopt``: an option that does not apply raises there,
never silently. Sockets have no other settable attributes (``__slots__``), so a misspelt
option (``sock.lingr = 0``) raises ``AttributeError``.

Layer 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from ..constants import SocketOption
from ..errors import EINVAL, ZMQError

if TYPE_CHECKING:
    from .base import Socket

__all__ = ["OptionAttributes"]

_T = TypeVar("_T", int, bytes)


class _Option(Generic[_T]):
    """One option as an attribute: reading calls ``getsockopt``, writing ``setsockopt``.

    A read that libzmq refuses with ``EINVAL`` (a write-only option such as
    ``SUBSCRIBE``, or one aiomq does not implement) raises ``AttributeError``, as in pyzmq.
    """

    __slots__ = ("name", "option")

    def __init__(self, option: SocketOption) -> None:
        self.option = option
        self.name = option.name.lower()

    @overload
    def __get__(self, obj: None, owner: type[Socket]) -> _Option[_T]: ...
    @overload
    def __get__(self, obj: Socket, owner: type[Socket]) -> _T: ...
    def __get__(self, obj: Socket | None, owner: type[Socket]) -> _T | _Option[_T]:
        if obj is None:
            return self
        try:
            value: Any = obj.getsockopt(self.option)
        except ZMQError as exc:
            if exc.errno == EINVAL:
                raise AttributeError(f"{self.name}: {exc}") from exc
            raise
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: Socket, value: _T) -> None:
        obj.setsockopt(self.option, value)


class OptionAttributes:
    """The option attributes (a mixin of [Socket][aiomq.Socket])."""

    __slots__ = ()

    affinity = _Option[int](SocketOption.AFFINITY)
    routing_id = _Option[bytes](SocketOption.ROUTING_ID)
    rate = _Option[int](SocketOption.RATE)
    recovery_ivl = _Option[int](SocketOption.RECOVERY_IVL)
    sndbuf = _Option[int](SocketOption.SNDBUF)
    rcvbuf = _Option[int](SocketOption.RCVBUF)
    rcvmore = _Option[int](SocketOption.RCVMORE)
    fd = _Option[int](SocketOption.FD)
    events = _Option[int](SocketOption.EVENTS)
    linger = _Option[int](SocketOption.LINGER)
    reconnect_ivl = _Option[int](SocketOption.RECONNECT_IVL)
    backlog = _Option[int](SocketOption.BACKLOG)
    reconnect_ivl_max = _Option[int](SocketOption.RECONNECT_IVL_MAX)
    maxmsgsize = _Option[int](SocketOption.MAXMSGSIZE)
    sndhwm = _Option[int](SocketOption.SNDHWM)
    rcvhwm = _Option[int](SocketOption.RCVHWM)
    multicast_hops = _Option[int](SocketOption.MULTICAST_HOPS)
    rcvtimeo = _Option[int](SocketOption.RCVTIMEO)
    sndtimeo = _Option[int](SocketOption.SNDTIMEO)
    last_endpoint = _Option[bytes](SocketOption.LAST_ENDPOINT)
    router_mandatory = _Option[int](SocketOption.ROUTER_MANDATORY)
    tcp_keepalive = _Option[int](SocketOption.TCP_KEEPALIVE)
    tcp_keepalive_cnt = _Option[int](SocketOption.TCP_KEEPALIVE_CNT)
    tcp_keepalive_idle = _Option[int](SocketOption.TCP_KEEPALIVE_IDLE)
    tcp_keepalive_intvl = _Option[int](SocketOption.TCP_KEEPALIVE_INTVL)
    immediate = _Option[int](SocketOption.IMMEDIATE)
    xpub_verbose = _Option[int](SocketOption.XPUB_VERBOSE)
    router_raw = _Option[int](SocketOption.ROUTER_RAW)
    ipv6 = _Option[int](SocketOption.IPV6)
    mechanism = _Option[int](SocketOption.MECHANISM)
    plain_server = _Option[int](SocketOption.PLAIN_SERVER)
    plain_username = _Option[bytes](SocketOption.PLAIN_USERNAME)
    plain_password = _Option[bytes](SocketOption.PLAIN_PASSWORD)
    curve_server = _Option[int](SocketOption.CURVE_SERVER)
    curve_publickey = _Option[bytes](SocketOption.CURVE_PUBLICKEY)
    curve_secretkey = _Option[bytes](SocketOption.CURVE_SECRETKEY)
    curve_serverkey = _Option[bytes](SocketOption.CURVE_SERVERKEY)
    probe_router = _Option[int](SocketOption.PROBE_ROUTER)
    req_correlate = _Option[int](SocketOption.REQ_CORRELATE)
    req_relaxed = _Option[int](SocketOption.REQ_RELAXED)
    conflate = _Option[int](SocketOption.CONFLATE)
    zap_domain = _Option[bytes](SocketOption.ZAP_DOMAIN)
    router_handover = _Option[int](SocketOption.ROUTER_HANDOVER)
    tos = _Option[int](SocketOption.TOS)
    connect_routing_id = _Option[bytes](SocketOption.CONNECT_ROUTING_ID)
    gssapi_server = _Option[int](SocketOption.GSSAPI_SERVER)
    gssapi_principal = _Option[bytes](SocketOption.GSSAPI_PRINCIPAL)
    gssapi_service_principal = _Option[bytes](SocketOption.GSSAPI_SERVICE_PRINCIPAL)
    gssapi_plaintext = _Option[int](SocketOption.GSSAPI_PLAINTEXT)
    handshake_ivl = _Option[int](SocketOption.HANDSHAKE_IVL)
    socks_proxy = _Option[bytes](SocketOption.SOCKS_PROXY)
    xpub_nodrop = _Option[int](SocketOption.XPUB_NODROP)
    blocky = _Option[int](SocketOption.BLOCKY)
    xpub_manual = _Option[int](SocketOption.XPUB_MANUAL)
    xpub_welcome_msg = _Option[bytes](SocketOption.XPUB_WELCOME_MSG)
    stream_notify = _Option[int](SocketOption.STREAM_NOTIFY)
    invert_matching = _Option[int](SocketOption.INVERT_MATCHING)
    heartbeat_ivl = _Option[int](SocketOption.HEARTBEAT_IVL)
    heartbeat_ttl = _Option[int](SocketOption.HEARTBEAT_TTL)
    heartbeat_timeout = _Option[int](SocketOption.HEARTBEAT_TIMEOUT)
    xpub_verboser = _Option[int](SocketOption.XPUB_VERBOSER)
    connect_timeout = _Option[int](SocketOption.CONNECT_TIMEOUT)
    tcp_maxrt = _Option[int](SocketOption.TCP_MAXRT)
    thread_safe = _Option[int](SocketOption.THREAD_SAFE)
    multicast_maxtpdu = _Option[int](SocketOption.MULTICAST_MAXTPDU)
    vmci_buffer_size = _Option[int](SocketOption.VMCI_BUFFER_SIZE)
    vmci_buffer_min_size = _Option[int](SocketOption.VMCI_BUFFER_MIN_SIZE)
    vmci_buffer_max_size = _Option[int](SocketOption.VMCI_BUFFER_MAX_SIZE)
    vmci_connect_timeout = _Option[int](SocketOption.VMCI_CONNECT_TIMEOUT)
    use_fd = _Option[int](SocketOption.USE_FD)
    gssapi_principal_nametype = _Option[int](SocketOption.GSSAPI_PRINCIPAL_NAMETYPE)
    gssapi_service_principal_nametype = _Option[int](SocketOption.GSSAPI_SERVICE_PRINCIPAL_NAMETYPE)
    bindtodevice = _Option[bytes](SocketOption.BINDTODEVICE)
    identity = _Option[bytes](SocketOption.IDENTITY)
    connect_rid = _Option[bytes](SocketOption.CONNECT_RID)
    tcp_accept_filter = _Option[bytes](SocketOption.TCP_ACCEPT_FILTER)
    ipc_filter_pid = _Option[int](SocketOption.IPC_FILTER_PID)
    ipc_filter_uid = _Option[int](SocketOption.IPC_FILTER_UID)
    ipc_filter_gid = _Option[int](SocketOption.IPC_FILTER_GID)
    ipv4only = _Option[int](SocketOption.IPV4ONLY)
    delay_attach_on_connect = _Option[int](SocketOption.DELAY_ATTACH_ON_CONNECT)
    fail_unroutable = _Option[int](SocketOption.FAIL_UNROUTABLE)
    router_behavior = _Option[int](SocketOption.ROUTER_BEHAVIOR)
    zap_enforce_domain = _Option[int](SocketOption.ZAP_ENFORCE_DOMAIN)
    loopback_fastpath = _Option[int](SocketOption.LOOPBACK_FASTPATH)
    metadata = _Option[bytes](SocketOption.METADATA)
    multicast_loop = _Option[int](SocketOption.MULTICAST_LOOP)
    router_notify = _Option[int](SocketOption.ROUTER_NOTIFY)
    xpub_manual_last_value = _Option[int](SocketOption.XPUB_MANUAL_LAST_VALUE)
    socks_username = _Option[bytes](SocketOption.SOCKS_USERNAME)
    socks_password = _Option[bytes](SocketOption.SOCKS_PASSWORD)
    in_batch_size = _Option[int](SocketOption.IN_BATCH_SIZE)
    out_batch_size = _Option[int](SocketOption.OUT_BATCH_SIZE)
    wss_key_pem = _Option[bytes](SocketOption.WSS_KEY_PEM)
    wss_cert_pem = _Option[bytes](SocketOption.WSS_CERT_PEM)
    wss_trust_pem = _Option[bytes](SocketOption.WSS_TRUST_PEM)
    wss_hostname = _Option[bytes](SocketOption.WSS_HOSTNAME)
    wss_trust_system = _Option[int](SocketOption.WSS_TRUST_SYSTEM)
    only_first_subscribe = _Option[int](SocketOption.ONLY_FIRST_SUBSCRIBE)
    reconnect_stop = _Option[int](SocketOption.RECONNECT_STOP)
    hello_msg = _Option[bytes](SocketOption.HELLO_MSG)
    disconnect_msg = _Option[bytes](SocketOption.DISCONNECT_MSG)
    priority = _Option[int](SocketOption.PRIORITY)
    busy_poll = _Option[int](SocketOption.BUSY_POLL)
    hiccup_msg = _Option[bytes](SocketOption.HICCUP_MSG)
    xsub_verbose_unsubscribe = _Option[int](SocketOption.XSUB_VERBOSE_UNSUBSCRIBE)
    topics_count = _Option[int](SocketOption.TOPICS_COUNT)
    norm_mode = _Option[int](SocketOption.NORM_MODE)
    norm_unicast_nack = _Option[int](SocketOption.NORM_UNICAST_NACK)
    norm_buffer_size = _Option[int](SocketOption.NORM_BUFFER_SIZE)
    norm_segment_size = _Option[int](SocketOption.NORM_SEGMENT_SIZE)
    norm_block_size = _Option[int](SocketOption.NORM_BLOCK_SIZE)
    norm_num_parity = _Option[int](SocketOption.NORM_NUM_PARITY)
    norm_num_autoparity = _Option[int](SocketOption.NORM_NUM_AUTOPARITY)
    norm_push = _Option[int](SocketOption.NORM_PUSH)
