"""Sends and receives that cannot complete at once: futures waiting in line.

``send``/``recv`` return an ``asyncio.Future``, as zmq.asyncio's do. A call that can
complete at once returns a future that is already done. One that cannot becomes a
``Pending`` future in its socket's ``Line`` for that direction, and the calls of one
direction complete strictly in call order.

A pending future completes in one of two ways:

* **Awaited** (``await sock.recv()``, also under ``asyncio.timeout``): the task that
  awaits it takes the message itself, in its own step, when its turn comes. A
  cancellation of that task therefore happens either before the message was taken
  (nothing is consumed) or after the task has it: no message is ever stranded.
* **Observed through callbacks** (``add_done_callback``, ``asyncio.gather``,
  ``asyncio.wait``, a future never awaited): a loop callback completes it as soon as its
  turn comes, as zmq.asyncio does. The result then sits in the future.

Layer 6.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from .._flush import flush_queue
from .._pipe import Message
from .._signal import Signal
from ..errors import Again

__all__ = ["Line", "Pending", "RecvPending", "SendPending"]


class Pending(asyncio.Future[Any]):
    """A send or receive waiting its turn: the future its call returned.

    Attributes:
        awaited: A task awaits this future and will complete it itself.
        fresh: Complete it only after one loop iteration (the call yields to the loop).
        timer: The ``RCVTIMEO``/``SNDTIMEO`` timer, if any.
    """

    __slots__ = ("_line", "awaited", "fresh", "timer")

    def __init__(self, line: Line, loop: asyncio.AbstractEventLoop, fresh: bool) -> None:
        super().__init__(loop=loop)
        self._line = line
        self.awaited = False
        self.fresh = fresh
        self.timer: asyncio.TimerHandle | None = None

    def __await__(self) -> Generator[Any, None, Any]:
        if not self.done():
            self.awaited = True
            yield from self._line.take_turn(self).__await__()
        return self.result()

    __iter__ = __await__


class RecvPending(Pending):
    """A pending receive.

    Attributes:
        whole: A whole message (``recv_multipart``) rather than one frame.
        copy: False: deliver ``Frame`` objects.
        transform: Applied to what is received (decoding); what it raises is the result.
    """

    __slots__ = ("copy", "transform", "whole")

    def __init__(
        self,
        line: Line,
        loop: asyncio.AbstractEventLoop,
        fresh: bool,
        whole: bool,
        copy: bool,
        transform: Callable[[Any], Any] | None,
    ) -> None:
        super().__init__(line, loop, fresh)
        self.whole = whole
        self.copy = copy
        self.transform = transform


class SendPending(Pending):
    """A pending send of one whole message.

    Attributes:
        message: The message.
        held: The frames ``SNDMORE`` had held for it (handed back if it is abandoned).
        tracked: Resolve to a ``MessageTracker`` rather than None.
    """

    __slots__ = ("held", "message", "tracked")

    def __init__(
        self,
        line: Line,
        loop: asyncio.AbstractEventLoop,
        fresh: bool,
        message: Message,
        held: list[bytes],
        tracked: bool,
    ) -> None:
        super().__init__(line, loop, fresh)
        self.message = message
        self.held = held
        self.tracked = tracked


class Line:
    """The pending calls of one direction of one socket, completed in call order.

    Args:
        signal: Set whenever the direction may have become ready (readable/writable).
        attempt: Completes a pending call now (sets its result or exception), or raises
            ``Again`` when it cannot yet.
        abandoned: Called for a call that ended without completing (cancelled or timed
            out), so the socket can hand back what it held for it.
    """

    __slots__ = ("_abandoned", "_attempt", "_scheduled", "ops", "signal")

    def __init__(
        self,
        signal: Signal,
        attempt: Callable[[Any], None],
        abandoned: Callable[[Any], None] | None = None,
    ) -> None:
        self.ops: deque[Pending] = deque()
        self.signal = signal
        self._attempt = attempt
        self._abandoned = abandoned
        self._scheduled = False

    def add(self, op: Pending, deadline: float | None) -> Pending:
        """Queue ``op``; it times out with ``Again`` at ``deadline`` (a ``loop.time()``)."""
        self.ops.append(op)
        loop = op.get_loop()
        if deadline is not None:
            op.timer = loop.call_at(deadline, self._expire, op)
        op.add_done_callback(self._done)
        self.signal.listener = self._ready
        if op.fresh and len(self.ops) == 1:
            self._schedule(loop)
        return op

    def head(self) -> Pending | None:
        """The first call still waiting (finished ones are dropped on the way)."""
        ops = self.ops
        while ops:
            op = ops[0]
            if not op.done():
                return op
            ops.popleft()
        return None

    def cancel_all(self, error: BaseException | None) -> None:
        """End every waiting call: cancelled, or failed with ``error``."""
        ops = list(self.ops)
        self.ops.clear()
        for op in ops:
            if not op.done():
                if error is None:
                    op.cancel()
                else:
                    op.set_exception(error)
        self.signal.set()

    async def take_turn(self, op: Pending) -> None:
        """Wait, in the awaiting task, until ``op`` is first in line and can complete.

        Cancellation-safe: a cancelled wait leaves ``op`` cancelled and consumes nothing.
        """
        signal = self.signal
        prepare = flush_queue(op.get_loop()).run_before_waiting
        try:
            if op.fresh:
                op.fresh = False
                await asyncio.sleep(0)
            while not op.done():
                if self.head() is op:
                    try:
                        self._attempt(op)
                    except Again:
                        pass
                    else:
                        self.ops.popleft()
                        if self.ops:
                            self._hand_on()
                        return
                await signal.wait(prepare)
        except asyncio.CancelledError:
            op.cancel()
            raise

    # -- callbacks -------------------------------------------------------------------

    def _ready(self) -> None:
        """The signal was set: serve the first call unless its own task does."""
        head = self.head()
        if head is None:
            self.signal.listener = None
        elif not head.awaited:
            self._schedule(head.get_loop())

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._serve)

    def _serve(self) -> None:
        """Complete the calls observed through callbacks, first in line first."""
        self._scheduled = False
        ops = self.ops
        while (op := self.head()) is not None:
            if op.awaited:
                self.signal.set()  # its task takes its turn
                return
            try:
                self._attempt(op)
            except Again:
                return
            ops.popleft()

    def _hand_on(self) -> None:
        """The first call finished: let the next one take its turn."""
        head = self.head()
        if head is None:
            return
        if head.awaited:
            self.signal.set()
        else:
            self._schedule(head.get_loop())

    def _expire(self, op: Pending) -> None:
        if not op.done():
            op.set_exception(Again("Resource temporarily unavailable (timed out)"))

    def _done(self, op: Pending) -> None:
        """``op`` is done: drop it from the line and wake what waits on it."""
        if op.timer is not None:
            op.timer.cancel()
        abandoned = self._abandoned
        if abandoned is not None and (op.cancelled() or type(op.exception()) is Again):
            abandoned(op)
        try:
            first = self.ops[0] is op
            self.ops.remove(op)
        except (IndexError, ValueError):
            return  # completed in its turn, already out of line
        if op.awaited:
            self.signal.set()  # its task must see that it is done
        if first:
            self._hand_on()
