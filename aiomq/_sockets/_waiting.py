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
import sys
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from .._flush import flush_queue
from .._pipe import Message
from .._signal import Signal
from ..errors import Again

__all__ = ["UNSHARED", "Line", "Pending", "Ready", "RecvPending", "SendPending"]


class Pending(asyncio.Future[Any]):
    """A send or receive waiting its turn: the future its call returned.

    Attributes:
        awaited: A task awaits this future and will complete it itself.
        fresh: Complete it only after one loop iteration (the call yields to the loop).
        timer: The ``RCVTIMEO``/``SNDTIMEO`` timer, if any.
        tried: The signal's count of sets when the call last found nothing to do.
    """

    __slots__ = ("_line", "awaited", "fresh", "timer", "tried")

    def __init__(self, line: Line, loop: asyncio.AbstractEventLoop, fresh: bool) -> None:
        super().__init__(loop=loop)
        self._line = line
        self.awaited = False
        self.fresh = fresh
        self.timer: asyncio.TimerHandle | None = None
        # The signal's count of sets when the call found nothing to do (-1: it did not
        # try, as after a yield): attempting again is pointless until it changes.
        self.tried = -1 if fresh else line.signal.sets

    def __await__(self) -> Generator[Any, None, Any]:
        if not self.done():
            self.awaited = True
            yield from self._line.take_turn(self).__await__()
        return self.result()

    __iter__ = __await__

    def cancel(self, msg: Any | None = None) -> bool:
        """Cancel the call (nothing was consumed or queued) and leave the line at once."""
        if not super().cancel(msg):
            return False
        self._line.left(self)
        return True


class RecvPending(Pending):
    """A pending receive (the socket sets its attributes after making it).

    Attributes:
        whole: A whole message (``recv_multipart``) rather than one frame.
        copy: False: deliver ``Frame`` objects.
        transform: Applied to what is received (decoding); what it raises is the result.
    """

    __slots__ = ("copy", "transform", "whole")

    whole: bool
    copy: bool
    transform: Callable[[Any], Any] | None


class SendPending(Pending):
    """A pending send of one whole message (the socket sets its attributes after making
    it).

    Attributes:
        message: The message.
        held: The frames ``SNDMORE`` had held for it (handed back if it is abandoned).
        tracked: Resolve to a ``MessageTracker`` rather than None.
    """

    __slots__ = ("held", "message", "tracked")

    message: Message
    held: list[bytes]
    tracked: bool


class Line:
    """The pending calls of one direction of one socket, completed in call order.

    Args:
        signal: Set whenever the direction may have become ready (readable/writable).
        attempt: Completes a pending call now (sets its result or exception) and returns
            True, or returns False when it cannot yet.
        changed: Called when the line goes from empty to not empty and back (the socket
            opens its fast lane only while the line is empty).
        abandoned: Called for a call that ended without completing (cancelled or timed
            out), so the socket can hand back what it held for it.
    """

    __slots__ = (
        "_abandoned",
        "_attempt",
        "_changed",
        "_listener",
        "_prepare",
        "_scheduled",
        "ops",
        "signal",
    )

    def __init__(
        self,
        signal: Signal,
        attempt: Callable[[Any], bool],
        changed: Callable[[], None],
        abandoned: Callable[[Any], None] | None = None,
    ) -> None:
        self.ops: deque[Pending] = deque()
        self.signal = signal
        self._attempt = attempt
        self._changed = changed
        self._abandoned = abandoned
        self._scheduled = False
        self._listener = self._ready
        # What a waiting task runs before it suspends: its loop's pending flushes.
        self._prepare: Callable[[], None] | None = None

    @property
    def idle(self) -> bool:
        """True when no call is waiting (finished ones are dropped on the way)."""
        return not self.ops or self.head() is None

    def add(self, op: Pending, deadline: float | None) -> Pending:
        """Queue ``op``; it times out with ``Again`` at ``deadline`` (a ``loop.time()``)."""
        ops = self.ops
        ops.append(op)
        first = len(ops) == 1
        if first:
            self._changed()
        if deadline is not None:
            op.timer = op.get_loop().call_at(deadline, self._expire, op)
        self.signal.listener = self._listener
        if op.fresh and first:
            self._schedule(op.get_loop())
        return op

    def head(self) -> Pending | None:
        """The first call still waiting (finished ones are dropped on the way)."""
        ops = self.ops
        while ops:
            op = ops[0]
            if not op.done():
                return op
            ops.popleft()
            if not ops:
                self._changed()
        return None

    def _pop_head(self) -> None:
        """The first call completed in its turn: drop it."""
        op = self.ops.popleft()
        if op.timer is not None:
            op.timer.cancel()
        if not self.ops:
            self._changed()

    def cancel_all(self, error: BaseException | None) -> None:
        """End every waiting call: cancelled, or failed with ``error``."""
        ops = list(self.ops)
        self.ops.clear()
        if ops:
            self._changed()
        for op in ops:
            if op.done():
                continue
            if error is None:
                op.cancel()
            else:
                op.set_exception(error)
                self.left(op)
        self.signal.set()

    async def take_turn(self, op: Pending) -> None:
        """Wait, in the awaiting task, until ``op`` is first in line and can complete.

        Cancellation-safe: a cancelled wait leaves ``op`` cancelled and consumes nothing.
        """
        signal = self.signal
        loop = op.get_loop()
        prepare = self._prepare
        if prepare is None:
            prepare = self._prepare = flush_queue(loop).run_before_waiting
        try:
            if op.fresh:
                op.fresh = False
                await asyncio.sleep(0)
            # The call that made ``op`` found nothing to do: attempt again only after the
            # signal has been set since (it counts its sets).
            tried = op.tried
            while not op.done():
                if self.head() is op and tried != signal.sets and self._attempt(op):
                    self._pop_head()
                    if self.ops:
                        self._hand_on()
                    return
                tried = -1
                await signal.wait(prepare, loop)
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
        while (op := self.head()) is not None:
            if op.awaited:
                self.signal.set()  # its task takes its turn
                return
            if not self._attempt(op):
                return
            self._pop_head()

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
            self.left(op)

    def left(self, op: Pending) -> None:
        """``op`` ended out of its turn (cancelled, timed out, failed by a close): drop it
        from the line, hand back what it held, and wake what waits on it."""
        if op.timer is not None:
            op.timer.cancel()
        abandoned = self._abandoned
        if abandoned is not None and (op.cancelled() or type(op.exception()) is Again):
            abandoned(op)
        ops = self.ops
        try:
            first = ops[0] is op
            ops.remove(op)
        except (IndexError, ValueError):
            return  # completed in its turn, already out of line
        if not ops:
            self._changed()
        if op.awaited:
            self.signal.set()  # its task must see that it is done
        if first:
            self._hand_on()


class Ready(asyncio.Future[Any]):
    """The future of a receive that completed at once; a socket reuses it.

    A completed ``asyncio.Future`` costs more to make than the rest of a receive, so a
    socket keeps one of these and hands it out again once nothing else refers to it
    (see ``unshared``): its value is then replaced. Its C state is a plain result of
    None; ``result()`` and ``await`` give the value.

    Attributes:
        value: The result.
    """

    __slots__ = ("value",)

    def __init__(self, loop: asyncio.AbstractEventLoop, value: Any) -> None:
        super().__init__(loop=loop)
        self.set_result(None)
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return self.value
        yield  # pragma: no cover - makes this a generator

    __iter__ = __await__

    def result(self) -> Any:
        """The value (the future is always done)."""
        return self.value

    def __repr__(self) -> str:
        return f"<{type(self).__name__} finished result={self.value!r}>"


class _Probe:
    __slots__ = ("ready",)

    ready: object


def _unshared_count() -> int:
    """What ``sys.getrefcount`` gives for an object held only by a slot, read into a
    local as the hot paths read ``Socket._ready`` (measured, not assumed: interpreters
    differ in how they count the references of the evaluation stack)."""
    probe = _Probe()
    probe.ready = object()
    ready = probe.ready
    return sys.getrefcount(ready)


UNSHARED = _unshared_count()
"""``sys.getrefcount(ready) == UNSHARED``: only the socket refers to its ``Ready``."""
