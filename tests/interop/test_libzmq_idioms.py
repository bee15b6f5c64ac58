"""zmq.asyncio idioms on an aiomq socket, with a libzmq peer through pyzmq on the wire.

The ROUTER reply idiom ``send(identity, SNDMORE); send_multipart([reply])``: the frame
held by ``SNDMORE`` leads the message, so the reply is routed to the peer that asked.
Unawaited sends go out. aiomq binds and connects.
"""

from __future__ import annotations

import pytest
import zmq

import aiomq

from .libzmq_helpers import Libzmq, assert_empty, linked, recv_n

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_router_reply_idiom_reaches_a_libzmq_dealer(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    router, dealer = linked(ctx, libzmq, aiomq.ROUTER, zmq.DEALER, aiomq_side)
    dealer.routing_id = b"dealer-1"
    await dealer.send_multipart([b"request 1"])
    await dealer.send_multipart([b"request 2"])
    for n in (1, 2):
        [[identity, request]] = await recv_n(router, 1)
        assert request == b"request %d" % n
        router.send(identity, aiomq.SNDMORE)  # unawaited: held, done at once
        await router.send_multipart([b"reply %d" % n])
    assert await recv_n(dealer, 2) == [[b"reply 1"], [b"reply 2"]]
    await assert_empty(dealer)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_sndmore_and_unawaited_sends_reach_a_libzmq_pull(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    push, pull = linked(ctx, libzmq, aiomq.PUSH, zmq.PULL, aiomq_side)
    push.send(b"head", aiomq.SNDMORE)
    push.send_multipart([b"a", b"b"], aiomq.SNDMORE)
    push.send_multipart([b"c"])
    push.send_string("unawaited")
    push.send_json({"n": 1})
    assert await recv_n(pull, 3) == [[b"head", b"a", b"b", b"c"], [b"unawaited"], [b'{"n":1}']]
    await assert_empty(pull)
