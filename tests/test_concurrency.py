"""Many tasks sending and receiving on one socket at once: no message is ever split, glued
to another, reordered, lost or duplicated.

Several sender tasks send multipart messages (awaited, unawaited, through ``SNDMORE``,
some cancelled while they wait for room); several receiver tasks receive them
(``await``, under short timeouts that cancel them, and futures read through callbacks).
Every frame names its message, so a split or glued message shows; every message counts
per sender, so reordering, loss and duplicates show. A seeded random schedule makes each
run repeatable. Each socket pair runs over inproc, tcp and ipc.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections.abc import Callable
from pathlib import Path

import pytest

import aiomq

pytestmark = pytest.mark.timeout(60)

SENDERS = 4
RECEIVERS = 4
MESSAGES = 150  # per sender


def _message(sender: int, seq: int, frames: int) -> list[bytes]:
    return [b"%d:%d:%d/%d" % (sender, seq, index, frames) for index in range(frames)]


def _identify(message: list[bytes]) -> tuple[int, int]:
    """The (sender, seq) every frame of ``message`` names; fails on a split or glued one."""
    names = [frame.split(b":") for frame in message]
    sender, seq = int(names[0][0]), int(names[0][1])
    frames = int(names[0][2].split(b"/")[1])
    assert len(message) == frames, f"message {sender}:{seq} has {len(message)} of {frames}"
    for index, (who, which, where) in enumerate(names):
        assert (int(who), int(which), where) == (sender, seq, b"%d/%d" % (index, frames))
    return sender, seq


def _endpoint(transport: str, tmp_path: Path, name: str) -> str:
    if transport == "inproc":
        return f"inproc://concurrency-{name}-{id(tmp_path)}"
    if transport == "ipc":
        return f"ipc://{tmp_path / name}"
    return "tcp://127.0.0.1:*"


async def _send_all(sock: aiomq.Socket, sender: int, rng: random.Random) -> list[int]:
    """Send MESSAGES messages in order; return the sequence numbers that went."""
    sent: list[int] = []
    for seq in range(MESSAGES):
        message = _message(sender, seq, rng.choice((1, 1, 2, 3, 5)))
        style = rng.random()
        if style < 0.1 and len(message) > 1:
            # Frames held by SNDMORE, then the rest: no await in between, so atomic.
            sock.send(message[0], aiomq.SNDMORE)
            future = sock.send_multipart(message[1:])
        else:
            future = sock.send_multipart(message)
        if style > 0.9 and not future.done():
            future.cancel()  # waiting for room: nothing of it is queued
            continue
        if style > 0.7:
            sent.append(seq)  # unawaited: it goes in line, in call order
            if rng.random() < 0.3:
                await asyncio.sleep(0)
            continue
        await future
        sent.append(seq)
    return sent


class _Received:
    """Every message received, by the ticket of the receive call that got it.

    Calls complete in call order whatever way their futures are awaited or observed, so
    sorting by ticket gives the order of delivery (the order completions are *noticed*
    differs: a done callback runs a loop iteration later).
    """

    def __init__(self) -> None:
        self._tickets = itertools.count()
        self._by_ticket: dict[int, tuple[int, int]] = {}
        self.expected: int | None = None
        self.complete = asyncio.Event()

    def ticket(self) -> int:
        """Number the receive call made now."""
        return next(self._tickets)

    @property
    def messages(self) -> list[tuple[int, int]]:
        """(sender, seq) of each message, in the order the receive calls were made."""
        return [self._by_ticket[ticket] for ticket in sorted(self._by_ticket)]

    def add(self, ticket: int, message: list[bytes]) -> None:
        assert ticket not in self._by_ticket
        self._by_ticket[ticket] = _identify(message)
        self._check()

    def expect(self, count: int) -> None:
        self.expected = count
        self._check()

    def _check(self) -> None:
        if self.expected is not None and len(self._by_ticket) >= self.expected:
            self.complete.set()


def _add_result(received: _Received, ticket: int) -> Callable[[asyncio.Future[list[bytes]]], None]:
    def add(future: asyncio.Future[list[bytes]]) -> None:
        if not future.cancelled():
            received.add(ticket, future.result())

    return add


async def _receive(sock: aiomq.Socket, received: _Received, rng: random.Random) -> None:
    while not received.complete.is_set():
        style = rng.random()
        ticket = received.ticket()
        if style < 0.3:
            with contextlib.suppress(TimeoutError):
                received.add(ticket, await asyncio.wait_for(sock.recv_multipart(), 0.001))
        elif style < 0.45:
            future = sock.recv_multipart()
            future.add_done_callback(_add_result(received, ticket))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(future), 0.2)
            future.cancel()  # no effect once done
        else:
            waiting = sock.recv_multipart()
            finished, _ = await asyncio.wait([waiting], timeout=0.2)
            if finished:
                received.add(ticket, waiting.result())
            else:
                waiting.cancel()
        if rng.random() < 0.2:
            await asyncio.sleep(0)


@pytest.mark.parametrize("transport", ["inproc", "tcp", "ipc"])
@pytest.mark.parametrize(
    ("sender_type", "receiver_type"),
    [(aiomq.PUSH, aiomq.PULL), (aiomq.DEALER, aiomq.DEALER), (aiomq.PAIR, aiomq.PAIR)],
)
@pytest.mark.parametrize("seed", [1, 2])
async def test_tasks_sharing_sockets_never_split_or_reorder_messages(
    transport: str, sender_type: int, receiver_type: int, seed: int, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    ctx = aiomq.Context()
    try:
        receiver = ctx.socket(receiver_type)
        sender = ctx.socket(sender_type)
        receiver.rcvhwm = sender.sndhwm = 5  # small: senders wait for room, and cancel
        receiver.bind(_endpoint(transport, tmp_path, "r"))
        sender.connect(receiver.last_endpoint)
        received = _Received()
        receivers = [
            asyncio.ensure_future(_receive(receiver, received, random.Random(rng.random())))
            for _ in range(RECEIVERS)
        ]
        sent = await asyncio.gather(
            *(_send_all(sender, n, random.Random(rng.random())) for n in range(SENDERS))
        )
        received.expect(sum(len(seqs) for seqs in sent))
        async with asyncio.timeout(30):
            await asyncio.gather(*receivers)
        got = received.messages
        for sender_id, seqs in enumerate(sent):
            assert [seq for who, seq in got if who == sender_id] == seqs, f"sender {sender_id}"
        assert len(got) == received.expected
    finally:
        ctx.destroy(0)
