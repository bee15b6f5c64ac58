"""A first end-to-end exchange on every transport."""

from __future__ import annotations

import pytest

import aiomq

pytestmark = pytest.mark.timeout(20)


@pytest.mark.parametrize("endpoint", ["tcp://127.0.0.1:*", "ipc://*", "inproc://smoke"])
async def test_push_pull_multipart(ctx: aiomq.Context, endpoint: str) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind(endpoint)
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    await push.send_multipart([b"a", b"", b"x" * 300])
    assert await pull.recv_multipart() == [b"a", b"", b"x" * 300]
