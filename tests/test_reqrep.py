"""REQ, REP, DEALER and ROUTER: lock-step, envelopes, routing ids and their options."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest
from _helpers import EventRecorder, assert_empty, recv_within
from _reqrep_helpers import TRANSPORTS, bind, connect_slow_dealer, wait_unless_inproc

import aiomq

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def req_and_router(
    ctx: aiomq.Context,
    routing_id: bytes,
    transport: str = "inproc",
    *,
    relaxed: bool = False,
    correlate: bool = False,
) -> tuple[aiomq.Socket, aiomq.Socket]:
    """A REQ named ``routing_id`` (REQ_RELAXED, REQ_CORRELATE as asked) connected to a ROUTER."""
    req = ctx.socket(aiomq.REQ)
    if relaxed:
        req.setsockopt(aiomq.REQ_RELAXED, 1)
    if correlate:
        req.setsockopt(aiomq.REQ_CORRELATE, 1)
    req.routing_id = routing_id
    router = ctx.socket(aiomq.ROUTER)
    req.connect(bind(router, transport))
    return req, router


def expect_errno(info: pytest.ExceptionInfo[aiomq.ZMQError], errno: int) -> None:
    assert info.value.errno == errno, info.value


# -- REQ / REP ------------------------------------------------------------------------------


@pytest.mark.parametrize("correlate", [0, 1], ids=["plain", "correlate"])
async def test_req_rep_round_trips(ctx: aiomq.Context, transport: str, correlate: int) -> None:
    """Lock-step round trips; with REQ_CORRELATE too, against a REP (which echoes the
    request id like any envelope frame)."""
    rep = ctx.socket(aiomq.REP)
    req = ctx.socket(aiomq.REQ)
    req.setsockopt(aiomq.REQ_CORRELATE, correlate)
    req.connect(bind(rep, transport))
    for n in range(20):
        await req.send_multipart([b"request", b"%d" % n])
        assert await recv_within(rep) == [b"request", b"%d" % n]
        await rep.send_multipart([b"reply", b"%d" % n])
        assert await recv_within(req) == [b"reply", b"%d" % n]
    await assert_empty(rep)


async def test_req_is_receiving_until_the_whole_reply_is_read(ctx: aiomq.Context) -> None:
    req = ctx.socket(aiomq.REQ)
    rep = ctx.socket(aiomq.REP)
    req.connect(bind(rep, "inproc"))
    await req.send(b"q")
    await recv_within(rep)
    await rep.send_multipart([b"a", b"b"])
    assert await req.recv() == b"a"
    with pytest.raises(aiomq.ZMQError) as info:
        await req.send(b"too early")
    expect_errno(info, aiomq.EFSM)
    assert await req.recv() == b"b"
    await req.send(b"now")
    assert await recv_within(rep) == [b"now"]


async def test_out_of_turn_is_efsm_and_an_empty_turn_is_again(ctx: aiomq.Context) -> None:
    """Whose turn it is decides before whether a message is there (the wait shortcut)."""
    req = ctx.socket(aiomq.REQ)
    rep = ctx.socket(aiomq.REP)
    req.connect(bind(rep, "inproc"))
    with pytest.raises(aiomq.ZMQError) as early:
        await req.recv(aiomq.DONTWAIT)  # nothing sent yet: out of turn
    expect_errno(early, aiomq.EFSM)
    with pytest.raises(aiomq.Again):
        await rep.recv(aiomq.DONTWAIT)  # its turn, nothing there
    await req.send(b"q")
    with pytest.raises(aiomq.Again):
        await req.recv(aiomq.DONTWAIT)  # its turn, no reply yet
    assert await recv_within(rep) == [b"q"]
    with pytest.raises(aiomq.ZMQError) as twice:
        await rep.recv(aiomq.DONTWAIT)  # must reply first, even with nothing waiting
    expect_errno(twice, aiomq.EFSM)
    await rep.send(b"a")
    assert await recv_within(req) == [b"a"]


async def test_req_envelope_seen_by_a_router(ctx: aiomq.Context, transport: str) -> None:
    req, router = req_and_router(ctx, b"client", transport)
    await req.send_multipart([b"ABC", b"DEF"])
    assert await recv_within(router) == [b"client", b"", b"ABC", b"DEF"]
    await router.send_multipart([b"client", b"", b"GHI"])
    assert await recv_within(req) == [b"GHI"]


async def test_req_silently_drops_replies_without_the_delimiter(ctx: aiomq.Context) -> None:
    req, router = req_and_router(ctx, b"c")
    await req.send(b"q")
    assert await recv_within(router) == [b"c", b"", b"q"]
    for bad in ([b"no delimiter"], [b"x", b"", b"body"], [b""], [b"not", b"empty"]):
        await router.send_multipart([b"c", *bad])
    with pytest.raises(aiomq.Again):
        await req.recv(aiomq.DONTWAIT)  # all dropped; still waiting for the reply
    waiting = asyncio.ensure_future(req.recv_multipart())
    await router.send_multipart([b"c", b"", b"good", b""])
    assert await asyncio.wait_for(waiting, 5) == [b"good", b""]


async def test_req_discards_stale_replies_when_it_sends(ctx: aiomq.Context) -> None:
    req, router = req_and_router(ctx, b"r", relaxed=True)
    await req.send(b"1")
    await recv_within(router)
    await router.send_multipart([b"r", b"", b"reply 1"])  # arrives, is never read
    await req.send(b"2")  # relaxed: allowed; the queued reply 1 is thrown away
    assert await recv_within(router) == [b"r", b"", b"2"]
    await router.send_multipart([b"r", b"", b"reply 2"])
    assert await recv_within(req) == [b"reply 2"]


async def test_req_relaxed_without_correlate_takes_the_next_reply(ctx: aiomq.Context) -> None:
    """As in libzmq: without REQ_CORRELATE a late reply to an earlier request is taken."""
    req, router = req_and_router(ctx, b"r", relaxed=True)
    await req.send(b"1")
    await req.send(b"2")
    assert await recv_within(router) == [b"r", b"", b"1"]
    assert await recv_within(router) == [b"r", b"", b"2"]
    await router.send_multipart([b"r", b"", b"late reply to 1"])
    assert await recv_within(req) == [b"late reply to 1"]


async def test_req_correlate_envelope_and_stale_replies(ctx: aiomq.Context) -> None:
    req, router = req_and_router(ctx, b"r", relaxed=True, correlate=True)
    await req.send(b"first")
    await req.send(b"second")
    rid, id1, delim1, body1 = await recv_within(router)
    _, id2, delim2, body2 = await recv_within(router)
    assert (rid, delim1, body1, delim2, body2) == (b"r", b"", b"first", b"", b"second")
    # A 4-byte request id in host byte order (libzmq copies the uint32), counting up.
    [first] = struct.unpack("=I", id1)
    assert struct.unpack("=I", id2) == ((first + 1) & 0xFFFFFFFF,)
    await router.send_multipart([b"r", id1, b"", b"answer to first"])  # stale: dropped
    await router.send_multipart([b"r", b"", b"no id"])  # malformed: dropped
    await router.send_multipart([b"r", id2, b"", b"answer to second"])
    assert await recv_within(req) == [b"answer to second"]
    await req.send(b"third")
    _, id3, _, _ = await recv_within(router)
    assert struct.unpack("=I", id3) == ((first + 2) & 0xFFFFFFFF,)


async def test_req_cancelled_recv_consumes_nothing(ctx: aiomq.Context) -> None:
    req, router = req_and_router(ctx, b"r")
    await req.send(b"q")
    await recv_within(router)
    waiting = asyncio.ensure_future(req.recv())
    await router.send_multipart([b"r", b"bad envelope"])  # dropped while it waits
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await router.send_multipart([b"r", b"", b"reply"])
    assert await recv_within(req) == [b"reply"]


async def test_rep_strips_and_restores_the_envelope(ctx: aiomq.Context, transport: str) -> None:
    rep = ctx.socket(aiomq.REP)
    dealer = ctx.socket(aiomq.DEALER)
    dealer.connect(bind(rep, transport))
    await dealer.send_multipart([b"hop1", b"hop2", b"", b"body", b"", b"more"])
    assert await recv_within(rep) == [b"body", b"", b"more"]
    await rep.send_multipart([b"reply"])
    assert await recv_within(dealer) == [b"hop1", b"hop2", b"", b"reply"]
    await dealer.send_multipart([b"", b"plain"])
    assert await recv_within(rep) == [b"plain"]
    await rep.send(b"ok")
    assert await recv_within(dealer) == [b"", b"ok"]


async def test_rep_drops_requests_without_a_delimiter(ctx: aiomq.Context) -> None:
    rep = ctx.socket(aiomq.REP)
    dealer = ctx.socket(aiomq.DEALER)
    dealer.connect(bind(rep, "inproc"))
    for bad in ([b"no", b"delimiter"], [b"hop", b""], [b""], [b"single"]):
        await dealer.send_multipart(bad)
    await dealer.send_multipart([b"", b"valid"])
    assert await recv_within(rep) == [b"valid"]
    await rep.send(b"reply")
    await assert_empty(rep)
    assert await recv_within(dealer) == [b"", b"reply"]


async def test_rep_fair_queues_and_replies_to_each_requester(
    ctx: aiomq.Context, transport: str
) -> None:
    rep = ctx.socket(aiomq.REP)
    endpoint = bind(rep, transport)
    reqs = [ctx.socket(aiomq.REQ) for _ in range(3)]
    for req in reqs:
        req.connect(endpoint)
    for index, req in enumerate(reqs):
        await req.send(b"from %d" % index)
    seen = []
    for _ in reqs:
        [request] = await recv_within(rep)
        seen.append(request)
        await rep.send(b"reply to " + request)
    assert sorted(seen) == [b"from 0", b"from 1", b"from 2"]
    for index, req in enumerate(reqs):
        assert await recv_within(req) == [b"reply to from %d" % index]


# -- DEALER / ROUTER ----------------------------------------------------------------------


async def test_router_replies_to_dealers_by_routing_id(ctx: aiomq.Context, transport: str) -> None:
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, transport)
    dealers = []
    for name in (b"alpha", b"beta", b"gamma"):
        dealer = ctx.socket(aiomq.DEALER)
        dealer.setsockopt(aiomq.ROUTING_ID, name)
        dealer.connect(endpoint)
        dealers.append(dealer)
        await dealer.send_multipart([b"hello from", name])
    received = [await recv_within(router) for _ in dealers]
    assert sorted(received) == sorted(
        [[name, b"hello from", name] for name in (b"alpha", b"beta", b"gamma")]
    )
    for name in (b"gamma", b"alpha", b"beta"):
        await router.send_multipart([name, b"to", name])
    for dealer, name in zip(dealers, (b"alpha", b"beta", b"gamma"), strict=True):
        assert await recv_within(dealer) == [b"to", name]
        await assert_empty(dealer)


async def test_router_generates_ids_for_anonymous_peers(ctx: aiomq.Context, transport: str) -> None:
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, transport)
    dealers = [ctx.socket(aiomq.DEALER) for _ in range(3)]
    for n, dealer in enumerate(dealers):
        dealer.connect(endpoint)
        await dealer.send(b"%d" % n)
    ids = {}
    for _ in dealers:
        routing_id, body = await recv_within(router)
        assert len(routing_id) == 5
        assert routing_id[0] == 0
        ids[body] = routing_id
    assert len(set(ids.values())) == 3
    for body, routing_id in ids.items():
        await router.send_multipart([routing_id, b"echo " + body])
    for n, dealer in enumerate(dealers):
        assert await recv_within(dealer) == [b"echo %d" % n]


async def test_dealer_round_robins_and_fair_queues(ctx: aiomq.Context, transport: str) -> None:
    dealer = ctx.socket(aiomq.DEALER)
    endpoint = bind(dealer, transport)
    recorder = EventRecorder(dealer)
    peers = [ctx.socket(aiomq.DEALER) for _ in range(2)]
    for peer in peers:
        peer.connect(endpoint)
    await wait_unless_inproc(recorder, transport, aiomq.Event.HANDSHAKE_SUCCEEDED, 2)
    for n in range(4):
        await dealer.send(b"%d" % n)
    got = [[(await recv_within(peer))[0] for _ in range(2)] for peer in peers]
    assert sorted(got) == [[b"0", b"2"], [b"1", b"3"]]
    for peer in peers:
        await assert_empty(peer)
    for peer, tag in zip(peers, (b"a", b"b"), strict=True):
        for n in range(3):
            await peer.send(tag + b"%d" % n)
    received = [(await recv_within(dealer))[0] for _ in range(6)]
    assert [m for m in received if m.startswith(b"a")] == [b"a0", b"a1", b"a2"]
    assert [m for m in received if m.startswith(b"b")] == [b"b0", b"b1", b"b2"]


async def test_router_mandatory_unreachable(ctx: aiomq.Context) -> None:
    router = ctx.socket(aiomq.ROUTER)
    await router.send_multipart([b"nobody", b"dropped silently"])
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    assert router.getsockopt(aiomq.ROUTER_MANDATORY) == 1
    with pytest.raises(aiomq.ZMQError) as info:
        await router.send_multipart([b"nobody", b"x"])
    expect_errno(info, aiomq.EHOSTUNREACH)
    # Frame by frame, libzmq refuses at the routing id frame; the body alone is dropped.
    with pytest.raises(aiomq.ZMQError) as info:
        await router.send(b"nobody", aiomq.SNDMORE)
    expect_errno(info, aiomq.EHOSTUNREACH)
    await router.send(b"lonely body")
    dealer = ctx.socket(aiomq.DEALER)
    dealer.routing_id = b"d"
    dealer.connect(bind(router, "inproc"))
    await router.send(b"d", aiomq.SNDMORE)
    await router.send(b"reached")
    assert await recv_within(dealer) == [b"reached"]
    await assert_empty(dealer)


async def test_router_mandatory_waits_on_a_full_peer(ctx: aiomq.Context) -> None:
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    dealer = connect_slow_dealer(ctx, router, b"d")  # the queue to it holds 2 messages
    await router.send_multipart([b"d", b"1"])
    await router.send_multipart([b"d", b"2"])
    with pytest.raises(aiomq.Again):
        await router.send_multipart([b"d", b"3"], aiomq.DONTWAIT)
    sending = asyncio.ensure_future(router.send_multipart([b"d", b"3"]))
    await asyncio.sleep(0)
    assert not sending.done()
    assert await recv_within(dealer) == [b"1"]
    await asyncio.wait_for(sending, 5)
    assert await recv_within(dealer) == [b"2"]
    assert await recv_within(dealer) == [b"3"]


async def test_router_drops_for_a_full_peer_without_mandatory(ctx: aiomq.Context) -> None:
    router = ctx.socket(aiomq.ROUTER)
    dealer = connect_slow_dealer(ctx, router, b"d")  # the queue to it holds 2 messages
    for n in range(5):
        await router.send_multipart([b"d", b"%d" % n], aiomq.DONTWAIT)
    assert await recv_within(dealer) == [b"0"]
    assert await recv_within(dealer) == [b"1"]
    await assert_empty(dealer)


async def test_router_refuses_a_duplicate_routing_id(ctx: aiomq.Context) -> None:
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, "inproc")
    first, second = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    for dealer in (first, second):
        dealer.routing_id = b"same"
        dealer.connect(endpoint)
    await second.send(b"from second")  # the ROUTER never linked it
    await first.send(b"from first")
    assert await recv_within(router) == [b"same", b"from first"]
    await assert_empty(router)
    await router.send_multipart([b"same", b"to the first"])
    assert await recv_within(first) == [b"to the first"]
    await assert_empty(second)


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
async def test_router_handover(ctx: aiomq.Context, transport: str) -> None:
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_HANDOVER, 1)
    endpoint = bind(router, transport)
    old = ctx.socket(aiomq.DEALER)
    old.routing_id = b"same"
    old.connect(endpoint)
    await old.send(b"old here")
    assert await recv_within(router) == [b"same", b"old here"]
    new = ctx.socket(aiomq.DEALER)
    new.routing_id = b"same"
    new.connect(endpoint)
    await new.send(b"new here")
    assert await recv_within(router) == [b"same", b"new here"]
    await router.send_multipart([b"same", b"to whoever has the id"])
    assert await recv_within(new) == [b"to whoever has the id"]
    await assert_empty(old)


async def test_dealer_probe_router(ctx: aiomq.Context, transport: str) -> None:
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, transport)
    dealer = ctx.socket(aiomq.DEALER)
    dealer.setsockopt(aiomq.PROBE_ROUTER, 1)
    dealer.routing_id = b"prober"
    dealer.connect(endpoint)
    assert await recv_within(router) == [b"prober", b""]
    await router.send_multipart([b"prober", b"seen you"])
    assert await recv_within(dealer) == [b"seen you"]


async def test_router_probe_router_between_routers(ctx: aiomq.Context, transport: str) -> None:
    server = ctx.socket(aiomq.ROUTER)
    server.routing_id = b"server"
    endpoint = bind(server, transport)
    client = ctx.socket(aiomq.ROUTER)
    client.setsockopt(aiomq.PROBE_ROUTER, 1)
    client.routing_id = b"client"
    client.connect(endpoint)
    # The probe tells the server the client's id; the client knows the server's.
    assert await recv_within(server) == [b"client", b""]
    await server.send_multipart([b"client", b"hello client"])
    assert await recv_within(client) == [b"server", b"hello client"]
    client.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    await client.send_multipart([b"server", b"hello server"])
    assert await recv_within(server) == [b"client", b"hello server"]


async def test_router_connect_routing_id(ctx: aiomq.Context, transport: str) -> None:
    dealer = ctx.socket(aiomq.DEALER)
    dealer.routing_id = b"its own name"
    endpoint = bind(dealer, transport)
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    router.setsockopt(aiomq.CONNECT_ROUTING_ID, b"my name for it")
    router.connect(endpoint)
    assert router.getsockopt(aiomq.CONNECT_ROUTING_ID) == b""  # used by that connect
    # Known at once: the message waits in the queue until the connection is up.
    await router.send_multipart([b"my name for it", b"hi"])
    assert await recv_within(dealer) == [b"hi"]
    await dealer.send(b"back")
    assert await recv_within(router) == [b"my name for it", b"back"]
    with pytest.raises(aiomq.ZMQError) as info:
        await router.send_multipart([b"its own name", b"x"])
    expect_errno(info, aiomq.EHOSTUNREACH)


async def test_connecting_router_learns_the_peer_identity(
    ctx: aiomq.Context, transport: str
) -> None:
    dealer = ctx.socket(aiomq.DEALER)
    dealer.routing_id = b"worker"
    endpoint = bind(dealer, transport)
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    recorder = EventRecorder(router)
    router.connect(endpoint)
    await wait_unless_inproc(recorder, transport, aiomq.Event.HANDSHAKE_SUCCEEDED)
    await router.send_multipart([b"worker", b"job"])
    assert await recv_within(dealer) == [b"job"]


@pytest.mark.parametrize(
    ("local", "remote"),
    [
        (aiomq.REQ, aiomq.REQ),
        (aiomq.REQ, aiomq.DEALER),
        (aiomq.REP, aiomq.REP),
        (aiomq.REP, aiomq.ROUTER),
        (aiomq.DEALER, aiomq.REQ),
        (aiomq.ROUTER, aiomq.REP),
        (aiomq.ROUTER, aiomq.PUSH),
    ],
)
async def test_incompatible_peers_are_refused(
    ctx: aiomq.Context, local: aiomq.SocketType, remote: aiomq.SocketType
) -> None:
    server = ctx.socket(local)
    recorder = EventRecorder(server)
    server.bind("tcp://127.0.0.1:*")
    ctx.socket(remote).connect(server.last_endpoint.decode())
    await recorder.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


def test_peer_types_follow_the_zmtp_matrix() -> None:
    from aiomq._sockets import SOCKET_CLASSES

    table = {kind: cls._traits.peers for kind, cls in SOCKET_CLASSES.items()}
    assert table[aiomq.REQ] == {"REP", "ROUTER"}
    assert table[aiomq.REP] == {"REQ", "DEALER"}
    assert table[aiomq.DEALER] == {"REP", "DEALER", "ROUTER"}
    assert table[aiomq.ROUTER] == {"REQ", "DEALER", "ROUTER"}


async def test_options_apply_to_their_types_only(ctx: aiomq.Context) -> None:
    for kind, option in [
        (aiomq.DEALER, aiomq.ROUTER_MANDATORY),
        (aiomq.REP, aiomq.REQ_RELAXED),
        (aiomq.REQ, aiomq.ROUTER_HANDOVER),
        (aiomq.REP, aiomq.PROBE_ROUTER),
    ]:
        with pytest.raises(aiomq.ZMQError) as info:
            ctx.socket(kind).setsockopt(option, 1)
        expect_errno(info, aiomq.EINVAL)
    router = ctx.socket(aiomq.ROUTER)
    with pytest.raises(aiomq.ZMQError):
        router.setsockopt(aiomq.ROUTER_MANDATORY, 2)
    assert router.getsockopt(aiomq.ROUTER_MANDATORY) == 0
    router.setsockopt(aiomq.ROUTER_HANDOVER, 1)
    assert router.getsockopt(aiomq.ROUTER_HANDOVER) == 1


async def test_pattern_options_as_attributes(ctx: aiomq.Context) -> None:
    """As in pyzmq, ``sock.router_mandatory = 1`` sets the option (typed code: setsockopt)."""
    router: Any = ctx.socket(aiomq.ROUTER)
    router.router_mandatory = 1
    router.router_handover = 1
    router.probe_router = 1
    router.connect_routing_id = b"peer"
    assert [
        router.getsockopt(option)
        for option in (aiomq.ROUTER_MANDATORY, aiomq.ROUTER_HANDOVER, aiomq.PROBE_ROUTER)
    ] == [1, 1, 1]
    assert router.connect_routing_id == b"peer"
    req: Any = ctx.socket(aiomq.REQ)
    req.req_relaxed = 1
    req.req_correlate = 1
    assert (req.req_relaxed, req.req_correlate) == (1, 1)
    dealer: Any = ctx.socket(aiomq.DEALER)
    dealer.probe_router = 1
    assert dealer.getsockopt(aiomq.PROBE_ROUTER) == 1
