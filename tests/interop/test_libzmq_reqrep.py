"""Request-reply between aiomq and libzmq: REQ/REP lock-step, envelopes and routing ids.

aiomq sits on the bind side and on the connect side, over tcp and ipc; libzmq is pyzmq's
``zmq.asyncio`` on the same event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import zmq
import zmq.asyncio

import aiomq

from .libzmq_helpers import (
    DEADLINE,
    TCP_ANY,
    AnySocket,
    Libzmq,
    MultipartSocket,
    assert_empty,
    frame,
    link,
    linked,
)

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

ROUND_TRIPS = 50


async def recv(sock: MultipartSocket) -> list[bytes]:
    async with asyncio.timeout(DEADLINE):
        return list(await sock.recv_multipart())


def request(n: int) -> list[bytes]:
    """A request whose frames (0 to 300 bytes, some empty) depend on ``n``."""
    return [b"request %d" % n, frame(n * 7 % 301, n), b""][: 1 + n % 3]


def reply_to(message: list[bytes]) -> list[bytes]:
    return [b"reply", *reversed(message)]


# -- REQ <-> REP ------------------------------------------------------------------------------


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("requester", ["aiomq", "libzmq"])
async def test_req_to_rep(
    ctx: aiomq.Context,
    libzmq: Libzmq,
    requester: str,
    transport: str,
    aiomq_side: str,
    ipc_dir: Path,
) -> None:
    """aiomq REQ -> libzmq REP, and libzmq REQ -> aiomq REP, in lock-step."""
    req: AnySocket
    rep: AnySocket
    if requester == "aiomq":
        req, rep = linked(ctx, libzmq, aiomq.REQ, zmq.REP, aiomq_side, transport, ipc_dir)
    else:
        rep, req = linked(ctx, libzmq, aiomq.REP, zmq.REQ, aiomq_side, transport, ipc_dir)
    for n in range(ROUND_TRIPS):
        await req.send_multipart(request(n))
        assert await recv(rep) == request(n)
        await rep.send_multipart(reply_to(request(n)))
        assert await recv(req) == reply_to(request(n))
    await assert_empty(rep)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_aiomq_req_correlate_relaxed_to_libzmq_rep(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    """libzmq's REP echoes the request-id envelope; a resent request discards the old reply."""
    req = ctx.socket(aiomq.REQ)
    req.setsockopt(aiomq.REQ_CORRELATE, 1)
    req.setsockopt(aiomq.REQ_RELAXED, 1)
    rep = libzmq.socket(zmq.REP)
    link(req, rep, aiomq_side)
    await req.send(b"first")
    assert await recv(rep) == [b"first"]
    await req.send(b"second")  # before the reply to "first"
    await rep.send(b"late reply to first")
    assert await recv(rep) == [b"second"]
    await rep.send(b"reply to second")
    assert await recv(req) == [b"reply to second"]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_aiomq_rep_serves_two_libzmq_reqs(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    rep = ctx.socket(aiomq.REP)
    reqs = [libzmq.socket(zmq.REQ) for _ in range(2)]
    link(rep, reqs, aiomq_side)

    async def client(index: int, req: zmq.asyncio.Socket) -> list[list[bytes]]:
        replies = []
        for n in range(ROUND_TRIPS):
            await req.send_multipart([b"client %d" % index, b"%d" % n])
            replies.append(await recv(req))
        return replies

    async def server() -> list[list[bytes]]:
        served = []
        for _ in range(2 * ROUND_TRIPS):
            message = await recv(rep)
            served.append(message)
            await rep.send_multipart(reply_to(message))
        return served

    served, *replies = await asyncio.gather(
        server(), *(client(i, req) for i, req in enumerate(reqs))
    )
    for index, got in enumerate(replies):
        expected = [reply_to([b"client %d" % index, b"%d" % n]) for n in range(ROUND_TRIPS)]
        assert got == expected
        # Each client's requests reached the REP in order.
        assert [m for m in served if m[0] == b"client %d" % index] == [
            [b"client %d" % index, b"%d" % n] for n in range(ROUND_TRIPS)
        ]
    await assert_empty(rep)


# -- ROUTER / DEALER ------------------------------------------------------------------------


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_aiomq_router_replies_to_three_libzmq_dealers(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    names = [b"dealer-0", b"dealer-1", b"dealer-2"]
    dealers = [libzmq.socket(zmq.DEALER) for _ in names]
    for name, dealer in zip(names, dealers, strict=True):
        dealer.setsockopt(zmq.ROUTING_ID, name)
    link(router, dealers, aiomq_side, transport, ipc_dir)
    for name, dealer in zip(names, dealers, strict=True):
        await dealer.send_multipart([b"hello from", name])
    greetings = [await recv(router) for _ in names]
    assert sorted(greetings) == [[name, b"hello from", name] for name in names]
    for round_ in range(3):
        for name in reversed(names):
            await router.send_multipart([name, b"round %d" % round_, name])
    for name, dealer in zip(names, dealers, strict=True):
        assert [await recv(dealer) for _ in range(3)] == [
            [b"round %d" % round_, name] for round_ in range(3)
        ]
        await assert_empty(dealer)
    with pytest.raises(aiomq.ZMQError) as info:
        await router.send_multipart([b"dealer-3", b"nobody"])
    assert info.value.errno == aiomq.EHOSTUNREACH


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_aiomq_dealer_routing_id_seen_by_libzmq_router(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    dealer = ctx.socket(aiomq.DEALER)
    dealer.setsockopt(aiomq.ROUTING_ID, b"aiomq-dealer")
    router = libzmq.socket(zmq.ROUTER)
    link(dealer, router, aiomq_side, transport, ipc_dir)
    for n in range(10):
        await dealer.send_multipart([b"", b"job %d" % n])
        assert await recv(router) == [b"aiomq-dealer", b"", b"job %d" % n]
        await router.send_multipart([b"aiomq-dealer", b"", b"done %d" % n])
        assert await recv(dealer) == [b"", b"done %d" % n]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_anonymous_peers_get_generated_ids_both_ways(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    """Both libraries name an anonymous peer ``0x00`` + a 4-byte counter."""
    dealer = ctx.socket(aiomq.DEALER)
    router = libzmq.socket(zmq.ROUTER)
    link(dealer, router, aiomq_side)
    await dealer.send(b"who am I?")
    peer, body = await recv(router)
    assert (len(peer), peer[0], body) == (5, 0, b"who am I?")
    await router.send_multipart([peer, b"you are", peer])
    assert await recv(dealer) == [b"you are", peer]

    arouter = ctx.socket(aiomq.ROUTER)
    zdealer = libzmq.socket(zmq.DEALER)
    link(arouter, zdealer, aiomq_side)
    await zdealer.send(b"and me?")
    peer, body = await recv(arouter)
    assert (len(peer), peer[0], body) == (5, 0, b"and me?")
    await arouter.send_multipart([peer, b"you too"])
    assert await recv(zdealer) == [b"you too"]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_libzmq_req_through_aiomq_router(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    router = ctx.socket(aiomq.ROUTER)
    req = libzmq.socket(zmq.REQ)
    req.setsockopt(zmq.ROUTING_ID, b"zreq")
    link(router, req, aiomq_side)
    for n in range(5):
        await req.send_multipart([b"q", b"%d" % n])
        assert await recv(router) == [b"zreq", b"", b"q", b"%d" % n]
        await router.send_multipart([b"zreq", b"", b"a", b"%d" % n])
        assert await recv(req) == [b"a", b"%d" % n]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_aiomq_req_through_libzmq_router(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    req = ctx.socket(aiomq.REQ)
    req.setsockopt(aiomq.ROUTING_ID, b"areq")
    router = libzmq.socket(zmq.ROUTER)
    link(req, router, aiomq_side)
    await req.send(b"q")
    assert await recv(router) == [b"areq", b"", b"q"]
    await router.send_multipart([b"areq", b"no delimiter"])  # the REQ drops it
    await router.send_multipart([b"areq", b"", b"a"])
    assert await recv(req) == [b"a"]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_probe_router_both_ways(ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str) -> None:
    dealer = ctx.socket(aiomq.DEALER)
    dealer.setsockopt(aiomq.PROBE_ROUTER, 1)
    dealer.setsockopt(aiomq.ROUTING_ID, b"aprobe")
    zrouter = libzmq.socket(zmq.ROUTER)
    link(dealer, zrouter, aiomq_side)
    assert await recv(zrouter) == [b"aprobe", b""]

    router = ctx.socket(aiomq.ROUTER)
    zdealer = libzmq.socket(zmq.DEALER, PROBE_ROUTER=1)
    zdealer.setsockopt(zmq.ROUTING_ID, b"zprobe")
    link(router, zdealer, aiomq_side)
    # libzmq attaches a bound socket's new pipe (and so probes) only when its application
    # side next runs: a pending recv keeps the pyzmq socket busy.
    replied = asyncio.ensure_future(recv(zdealer))
    assert await recv(router) == [b"zprobe", b""]
    await router.send_multipart([b"zprobe", b"hello"])
    assert await replied == [b"hello"]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_router_to_router_with_connect_routing_id(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    """The connecting ROUTER names its peer with CONNECT_ROUTING_ID; the bound one learns
    the connecting one's ROUTING_ID."""
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTING_ID, b"aiomq")
    zrouter = libzmq.socket(zmq.ROUTER)
    zrouter.setsockopt(zmq.ROUTING_ID, b"libzmq")
    if aiomq_side == "connect":
        router.setsockopt(aiomq.CONNECT_ROUTING_ID, b"server")
        router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
        router.connect(Libzmq.bind(zrouter, TCP_ANY))
        await router.send_multipart([b"server", b"hello"])  # queued until connected
        assert await recv(zrouter) == [b"aiomq", b"hello"]
        await zrouter.send_multipart([b"aiomq", b"hi"])
        assert await recv(router) == [b"server", b"hi"]
    else:
        router.bind(TCP_ANY)
        zrouter.setsockopt(zmq.CONNECT_ROUTING_ID, b"server")
        zrouter.connect(router.last_endpoint.decode())
        await zrouter.send_multipart([b"server", b"hello"])
        assert await recv(router) == [b"libzmq", b"hello"]
        await router.send_multipart([b"libzmq", b"hi"])
        assert await recv(zrouter) == [b"server", b"hi"]
