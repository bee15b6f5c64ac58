"""RFC 28/REQREP (https://rfc.zeromq.org/spec/28/), clause by clause.

Each test quotes the clause it checks. Where aiomq follows libzmq rather than the letter
of the RFC, the docstring says so.
"""

from __future__ import annotations

import asyncio

import pytest
from _helpers import (  # type: ignore[import-not-found, unused-ignore]
    EventRecorder,
    assert_empty,
    recv_within,
    unused_tcp_endpoint,
)
from _reqrep_helpers import (  # type: ignore[import-not-found, unused-ignore]
    TRANSPORTS,
    bind,
    connect_slow_dealer,
    recv_any,
    wait_unless_inproc,
)

import aiomq

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(params=["inproc", "tcp"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- The REQ Socket Type --------------------------------------------------------------------


async def test_req_sends_then_receives_one_message_at_a_time(ctx: aiomq.Context) -> None:
    """REQ "SHALL send and then receive exactly one message at a time." (As libzmq, a REQ
    refuses already the first frame of a message out of turn, and holds none of it.)"""
    req, rep = ctx.socket(aiomq.REQ), ctx.socket(aiomq.REP)
    req.connect(bind(rep, "inproc"))
    with pytest.raises(aiomq.ZMQError) as info:
        await req.recv()
    assert info.value.errno == aiomq.EFSM
    assert str(info.value).startswith("Operation cannot be accomplished in current state")
    await req.send(b"1")
    for attempt in (req.send(b"2"), req.send_multipart([b"2"])):
        with pytest.raises(aiomq.ZMQError) as info:
            await attempt
        assert info.value.errno == aiomq.EFSM
    with pytest.raises(aiomq.ZMQError) as info:
        await req.send(b"part", aiomq.SNDMORE)
    assert info.value.errno == aiomq.EFSM
    assert await recv_within(rep) == [b"1"]
    await rep.send(b"one")
    assert await recv_within(req) == [b"one"]
    await req.send(b"next")
    assert await recv_within(rep) == [b"next"]


async def test_req_prefixes_an_empty_delimiter(ctx: aiomq.Context, transport: str) -> None:
    """REQ "SHALL prefix the outgoing message with an empty delimiter frame."; messages have
    "A delimiter, consisting of an empty frame, added by the REQ socket" then "One or more
    data frames, comprising the message visible to the application.\""""
    router, req = ctx.socket(aiomq.ROUTER), ctx.socket(aiomq.REQ)
    req.connect(bind(router, transport))
    await req.send_multipart([b"ABC", b"DEF"])
    peer, *rest = await recv_within(router)
    assert peer
    assert rest == [b"", b"ABC", b"DEF"]
    await router.send_multipart([peer, b"", b"GHI"])
    assert await recv_within(req) == [b"GHI"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_req_round_robins(ctx: aiomq.Context, transport: str) -> None:
    """REQ "SHALL route outgoing messages to connected peers using a round-robin strategy.\""""
    req = ctx.socket(aiomq.REQ)
    endpoint = bind(req, transport)
    recorder = EventRecorder(req)
    reps = [ctx.socket(aiomq.REP) for _ in range(5)]
    for rep in reps:
        rep.connect(endpoint)
    await wait_unless_inproc(recorder, transport, aiomq.Event.HANDSHAKE_SUCCEEDED, len(reps))
    order = []
    for n in range(2 * len(reps)):
        await req.send(b"%d" % n)
        index, request = await recv_any(reps)
        assert request == [b"%d" % n]
        order.append(index)
        await reps[index].send(b"ok %d" % n)
        assert await recv_within(req) == [b"ok %d" % n]
    assert sorted(order[:5]) == [0, 1, 2, 3, 4]
    assert order[5:] == order[:5]


async def test_req_blocks_or_errors_without_peers(ctx: aiomq.Context) -> None:
    """REQ "SHALL block on sending, or return a suitable error, when it has no connected
    peers.\""""
    req = ctx.socket(aiomq.REQ)
    with pytest.raises(aiomq.Again):
        await req.send(b"", aiomq.DONTWAIT)
    req.setsockopt(aiomq.SNDTIMEO, 50)
    with pytest.raises(aiomq.Again):
        await req.send(b"")
    # The failed sends left no state behind: a peer appears and the blocked request goes out.
    req.setsockopt(aiomq.SNDTIMEO, -1)
    rep = ctx.socket(aiomq.REP)
    sending = asyncio.ensure_future(req.send(b"finally"))
    req.connect(bind(rep, "inproc"))
    await asyncio.wait_for(sending, 5)
    assert await recv_within(rep) == [b"finally"]


async def test_req_keeps_what_it_cannot_send_yet(ctx: aiomq.Context) -> None:
    """REQ "SHALL NOT discard messages that it cannot send to a connected peer.\""""
    endpoint = unused_tcp_endpoint()
    req = ctx.socket(aiomq.REQ)
    req.connect(endpoint)  # nobody there yet: the request waits in the queue
    await req.send(b"patience")
    rep = ctx.socket(aiomq.REP)
    rep.bind(endpoint)
    assert await recv_within(rep) == [b"patience"]


async def test_req_accepts_only_the_peer_it_asked(ctx: aiomq.Context) -> None:
    """REQ "SHALL accept an incoming message only from the last peer that it sent a request
    to." and "SHALL discard silently any messages received from other peers.\""""
    req = ctx.socket(aiomq.REQ)
    req.setsockopt(aiomq.ROUTING_ID, b"A")
    endpoint = bind(req, "inproc")
    routers = [ctx.socket(aiomq.ROUTER) for _ in range(3)]
    for router in routers:
        router.connect(endpoint)
    for _ in range(3):
        await req.send(b"ABC")
        asked, request = await recv_any(routers)
        assert request == [b"A", b"", b"ABC"]
        # The wrong replies are queued first; the REQ must skip them.
        for index, router in enumerate(routers):
            if index != asked:
                await router.send_multipart([b"A", b"", b"WRONG"])
        await routers[asked].send_multipart([b"A", b"", b"GOOD"])
        assert await recv_within(req) == [b"GOOD"]
    await assert_empty_after_request(req, routers)


async def assert_empty_after_request(req: aiomq.Socket, routers: list[aiomq.Socket]) -> None:
    await req.send(b"last")  # (a REQ cannot poll for input without a request out)
    await recv_any(routers)
    with pytest.raises(aiomq.Again):
        await req.recv(aiomq.DONTWAIT)  # the WRONG replies are all gone


# -- The REP Socket Type --------------------------------------------------------------------


async def test_rep_receives_then_sends_one_message_at_a_time(ctx: aiomq.Context) -> None:
    """REP "SHALL receive and then send exactly one message at a time." A message means
    all its frames: a REP cannot reply before the whole request is read, nor receive while
    a reply is half sent (as libzmq)."""
    rep, req = ctx.socket(aiomq.REP), ctx.socket(aiomq.REQ)
    req.connect(bind(rep, "inproc"))
    for attempt in (rep.send(b"unasked"), rep.send(b"unasked", aiomq.SNDMORE)):
        with pytest.raises(aiomq.ZMQError) as info:
            await attempt
        assert info.value.errno == aiomq.EFSM
    await req.send_multipart([b"q1", b"q2"])
    assert await rep.recv() == b"q1"
    with pytest.raises(aiomq.ZMQError) as info:
        await rep.send(b"before the request is read")
    assert info.value.errno == aiomq.EFSM
    assert await rep.recv() == b"q2"
    with pytest.raises(aiomq.ZMQError) as info:
        await rep.recv(aiomq.DONTWAIT)
    assert info.value.errno == aiomq.EFSM
    await rep.send(b"a1", aiomq.SNDMORE)
    with pytest.raises(aiomq.ZMQError) as info:
        await rep.recv()  # a reply is half sent
    assert info.value.errno == aiomq.EFSM
    await rep.send(b"a2")
    assert await recv_within(req) == [b"a1", b"a2"]


async def test_rep_fair_queues(ctx: aiomq.Context) -> None:
    """REP "SHALL receive incoming messages from its peers using a fair-queuing strategy.\""""
    rep = ctx.socket(aiomq.REP)
    endpoint = bind(rep, "inproc")
    dealers = [ctx.socket(aiomq.DEALER) for _ in range(2)]
    for tag, dealer in zip((b"a", b"b"), dealers, strict=True):
        dealer.connect(endpoint)
        for n in range(3):
            await dealer.send_multipart([b"", tag + b"%d" % n])
    received = []
    for _ in range(6):
        [request] = await recv_within(rep)
        received.append(request)
        await rep.send(b"ok")
    assert received == [b"a0", b"b0", b"a1", b"b1", b"a2", b"b2"]


async def test_rep_strips_and_restores_the_envelope(ctx: aiomq.Context, transport: str) -> None:
    """REP "SHALL remove and store the address envelope, including the delimiter.", "SHALL
    pass the remaining data frames to its calling application.", "SHALL prepend the address
    envelope and delimiter." and "SHALL deliver this message back to the originating
    peer.\""""
    rep = ctx.socket(aiomq.REP)
    endpoint = bind(rep, transport)
    dealers = [ctx.socket(aiomq.DEALER) for _ in range(2)]
    for n, dealer in enumerate(dealers):
        dealer.connect(endpoint)
        await dealer.send_multipart([b"id%d" % n, b"hop", b"", b"body", b"%d" % n])
    for _ in dealers:
        body, number = await recv_within(rep)
        assert body == b"body"
        await rep.send_multipart([b"reply", number])
    for n, dealer in enumerate(dealers):
        assert await recv_within(dealer) == [b"id%d" % n, b"hop", b"", b"reply", b"%d" % n]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_rep_discards_reply_to_a_gone_peer_and_never_blocks(
    ctx: aiomq.Context, transport: str
) -> None:
    """REP "SHALL silently discard the reply, or return an error, if the originating peer is
    no longer connected." and "SHALL not block on sending.\""""
    rep = ctx.socket(aiomq.REP)
    endpoint = bind(rep, transport)
    recorder = EventRecorder(rep)
    req = ctx.socket(aiomq.REQ)
    req.connect(endpoint)
    await req.send(b"q")
    assert await recv_within(rep) == [b"q"]
    await req.aclose(linger=0)
    await wait_unless_inproc(recorder, transport, aiomq.Event.DISCONNECTED)
    await rep.send(b"lost", aiomq.DONTWAIT)  # dropped, neither raises nor waits
    # The next requester is served as usual.
    stays = ctx.socket(aiomq.REQ)
    stays.connect(endpoint)
    await stays.send(b"hello")
    assert await recv_within(rep) == [b"hello"]
    await rep.send(b"world")
    assert await recv_within(stays) == [b"world"]
    # A full requester queue does not block either: what does not fit is dropped.
    dealer = connect_slow_dealer(ctx, rep)  # the queue to it holds 2 messages
    for n in range(5):
        await dealer.send_multipart([b"", b"%d" % n])
    for n in range(5):
        assert await recv_within(rep) == [b"%d" % n]
        await rep.send(b"r%d" % n, aiomq.DONTWAIT)
    assert [await recv_within(dealer) for _ in range(2)] == [[b"", b"r0"], [b"", b"r1"]]
    await assert_empty(dealer)


# -- The DEALER Socket Type -----------------------------------------------------------------


async def test_dealer_does_not_modify_messages(ctx: aiomq.Context, transport: str) -> None:
    """DEALER "SHALL not filter or modify outgoing or incoming messages in any way.\""""
    dealer, peer = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    peer.connect(bind(dealer, transport))
    messages = [[b""], [b"", b""], [b"a", b"", b"b"], [b"x" * 300]]
    for message in messages:
        await peer.send_multipart(message)
    assert [await recv_within(dealer) for _ in messages] == messages
    for message in messages:
        await dealer.send_multipart(message)
    assert [await recv_within(peer) for _ in messages] == messages


async def test_dealer_round_robins_over_available_peers(ctx: aiomq.Context) -> None:
    """DEALER "SHALL consider a peer as available only when it has a outgoing queue that is
    not full." and "SHALL route outgoing messages to available peers using a round-robin
    strategy.\""""
    dealer = ctx.socket(aiomq.DEALER)
    dealer.setsockopt(aiomq.SNDHWM, 1)
    endpoint = bind(dealer, "inproc")
    slow, fast = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    for peer in (slow, fast):
        peer.setsockopt(aiomq.RCVHWM, 1)  # inproc queue: 1 + 1 messages
        peer.connect(endpoint)
    for n in range(4):
        await dealer.send(b"%d" % n)
    assert [await recv_within(fast) for _ in range(2)] == [[b"1"], [b"3"]]
    # slow still holds 0 and 2, so its queue is full: only fast is available now.
    for n in range(4, 6):
        await dealer.send(b"%d" % n, aiomq.DONTWAIT)
    with pytest.raises(aiomq.Again):
        await dealer.send(b"6", aiomq.DONTWAIT)
    assert [await recv_within(fast) for _ in range(2)] == [[b"4"], [b"5"]]
    assert [await recv_within(slow) for _ in range(2)] == [[b"0"], [b"2"]]
    await assert_empty(slow)


async def test_dealer_blocks_and_keeps_messages_without_available_peers(
    ctx: aiomq.Context,
) -> None:
    """DEALER "SHALL block on sending, or return a suitable error, when it has no available
    peers.", "SHALL not accept further messages when it has no available peers." and "SHALL
    NOT discard messages that it cannot queue.\""""
    dealer = ctx.socket(aiomq.DEALER)
    with pytest.raises(aiomq.Again):
        await dealer.send(b"x", aiomq.DONTWAIT)
    peer = connect_slow_dealer(ctx, dealer)
    await dealer.send(b"1")
    await dealer.send(b"2")
    with pytest.raises(aiomq.Again):
        await dealer.send(b"3", aiomq.DONTWAIT)
    blocked = asyncio.ensure_future(dealer.send(b"3"))
    await asyncio.sleep(0)
    assert not blocked.done()
    assert await recv_within(peer) == [b"1"]
    await asyncio.wait_for(blocked, 5)
    assert [await recv_within(peer) for _ in range(2)] == [[b"2"], [b"3"]]


async def test_dealer_queues_for_an_outgoing_connection_before_it_exists(
    ctx: aiomq.Context,
) -> None:
    """DEALER "SHALL create a double queue when initiating an outgoing connection to a peer,
    and SHALL maintain the double queue whether or not the connection is established.\""""
    endpoint = unused_tcp_endpoint()
    dealer = ctx.socket(aiomq.DEALER)
    dealer.setsockopt(aiomq.ROUTING_ID, b"early")
    dealer.connect(endpoint)
    await dealer.send(b"before the peer exists")
    router = ctx.socket(aiomq.ROUTER)
    router.bind(endpoint)
    assert await recv_within(router) == [b"early", b"before the peer exists"]


async def test_dealer_drops_the_queue_of_a_peer_that_disconnects(ctx: aiomq.Context) -> None:
    """DEALER: "If this peer disconnects, the DEALER socket SHALL destroy its double queue and
    SHALL discard any messages it contains." Messages queued *to* the peer are discarded,
    not re-routed. (Messages the peer sent before it left are still delivered, as libzmq
    does — libzmq's own test_spec_dealer notes the same.)"""
    dealer = ctx.socket(aiomq.DEALER)
    endpoint = bind(dealer, "inproc")
    leaving, staying = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    leaving.connect(endpoint)
    staying.connect(endpoint)
    await leaving.send(b"sent before leaving")
    for n in range(4):
        await dealer.send(b"%d" % n)
    leaving.close(linger=0)
    assert await recv_within(dealer) == [b"sent before leaving"]
    assert [await recv_within(staying) for _ in range(2)] == [[b"1"], [b"3"]]
    await dealer.send(b"after")
    assert await recv_within(staying) == [b"after"]
    await assert_empty(staying)


async def test_dealer_fair_queues(ctx: aiomq.Context) -> None:
    """DEALER "SHALL receive incoming messages from its peers using a fair-queuing strategy."
    and "SHALL deliver these to its calling application.\""""
    dealer = ctx.socket(aiomq.DEALER)
    endpoint = bind(dealer, "inproc")
    for tag in (b"a", b"b", b"c"):
        peer = ctx.socket(aiomq.DEALER)
        peer.connect(endpoint)
        for n in range(2):
            await peer.send(tag + b"%d" % n)
    received = [(await recv_within(dealer))[0] for _ in range(6)]
    assert received == [b"a0", b"b0", b"c0", b"a1", b"b1", b"c1"]


# -- The ROUTER Socket Type -----------------------------------------------------------------


async def test_router_identifies_queues_and_prefixes_incoming_messages(
    ctx: aiomq.Context, transport: str
) -> None:
    """ROUTER "SHALL identify each double queue using a unique "identity" binary string.",
    "SHOULD allow the peer to specify its identity explicitly through the Identity metadata
    property." and "SHALL prefix each incoming message with a frame containing the identity
    of the originating double queue.\""""
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, transport)
    named, anonymous = ctx.socket(aiomq.DEALER), ctx.socket(aiomq.DEALER)
    named.setsockopt(aiomq.ROUTING_ID, b"named")
    for dealer in (named, anonymous):
        dealer.connect(endpoint)
        await dealer.send(b"hi")
    identities = {bytes((await recv_within(router))[0]) for _ in range(2)}
    assert b"named" in identities
    [generated] = identities - {b"named"}
    assert len(generated) == 5
    assert generated[0] == 0


async def test_router_routes_by_the_first_frame(ctx: aiomq.Context, transport: str) -> None:
    """ROUTER "SHALL remove the first frame from each outgoing message and use this as the
    identity of a double queue." and "SHALL route the message to the outgoing queue if that
    queue exists, and has space.\""""
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, transport)
    dealers = {}
    for name in (b"x", b"y"):
        dealer = ctx.socket(aiomq.DEALER)
        dealer.setsockopt(aiomq.ROUTING_ID, name)
        dealer.connect(endpoint)
        await dealer.send(b"ready")
        dealers[name] = dealer
    for _ in dealers:
        await recv_within(router)
    await router.send_multipart([b"y", b"for", b"y"])
    await router.send_multipart([b"x", b"for x"])
    assert await recv_within(dealers[b"x"]) == [b"for x"]
    assert await recv_within(dealers[b"y"]) == [b"for", b"y"]


async def test_router_drops_or_errors_for_missing_or_full_queues(ctx: aiomq.Context) -> None:
    """ROUTER "SHALL either silently drop the message, or return an error, depending on
    configuration, if the queue does not exist, or is full." and "SHALL NOT block on
    sending." (By default it drops; with ROUTER_MANDATORY a missing queue is EHOSTUNREACH and
    a full one EAGAIN — the blocking send then waits, as libzmq.)"""
    router = ctx.socket(aiomq.ROUTER)
    dealer = connect_slow_dealer(ctx, router, b"d")
    await router.send_multipart([b"missing", b"dropped"], aiomq.DONTWAIT)
    for n in range(4):
        await router.send_multipart([b"d", b"%d" % n], aiomq.DONTWAIT)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    with pytest.raises(aiomq.ZMQError) as info:
        await router.send_multipart([b"missing", b"x"])
    assert info.value.errno == aiomq.EHOSTUNREACH
    with pytest.raises(aiomq.Again):
        await router.send_multipart([b"d", b"full"], aiomq.DONTWAIT)
    assert [await recv_within(dealer) for _ in range(2)] == [[b"0"], [b"1"]]
    await assert_empty(dealer)


async def test_router_queues_for_an_outgoing_connection(ctx: aiomq.Context) -> None:
    """ROUTER "SHALL create a double queue when initiating an outgoing connection to a peer,
    and SHALL maintain the double queue whether or not the connection is established."
    (The queue is addressable before the connection exists when it is named with
    CONNECT_ROUTING_ID.)"""
    endpoint = unused_tcp_endpoint()
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    router.setsockopt(aiomq.CONNECT_ROUTING_ID, b"server")
    router.connect(endpoint)
    await router.send_multipart([b"server", b"queued"])
    dealer = ctx.socket(aiomq.DEALER)
    dealer.bind(endpoint)
    assert await recv_within(dealer) == [b"queued"]


async def test_router_destroys_the_queue_of_a_peer_that_disconnects(
    ctx: aiomq.Context, transport: str
) -> None:
    """ROUTER: "If this peer disconnects, the ROUTER socket SHALL destroy its double queue
    and SHALL discard any messages it contains." After the peer left its identity routes
    nowhere. (Messages it sent before leaving are still delivered, as libzmq does.)"""
    router = ctx.socket(aiomq.ROUTER)
    router.setsockopt(aiomq.ROUTER_MANDATORY, 1)
    endpoint = bind(router, transport)
    recorder = EventRecorder(router)
    dealer = ctx.socket(aiomq.DEALER)
    dealer.setsockopt(aiomq.ROUTING_ID, b"leaver")
    dealer.connect(endpoint)
    await dealer.send(b"bye")
    assert await recv_within(router) == [b"leaver", b"bye"]
    await dealer.aclose(linger=0)
    await wait_unless_inproc(recorder, transport, aiomq.Event.DISCONNECTED)
    with pytest.raises(aiomq.ZMQError) as info:
        await router.send_multipart([b"leaver", b"anyone?"])
    assert info.value.errno == aiomq.EHOSTUNREACH


async def test_router_fair_queues(ctx: aiomq.Context) -> None:
    """ROUTER "SHALL receive incoming messages from its peers using a fair-queuing
    strategy.\""""
    router = ctx.socket(aiomq.ROUTER)
    endpoint = bind(router, "inproc")
    for tag in (b"a", b"b"):
        dealer = ctx.socket(aiomq.DEALER)
        dealer.setsockopt(aiomq.ROUTING_ID, tag)
        dealer.connect(endpoint)
        for n in range(3):
            await dealer.send(b"%d" % n)
    received = [await recv_within(router) for _ in range(6)]
    assert received == [
        [b"a", b"0"],
        [b"b", b"0"],
        [b"a", b"1"],
        [b"b", b"1"],
        [b"a", b"2"],
        [b"b", b"2"],
    ]
