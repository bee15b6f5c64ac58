"""Routing strategies: how a socket spreads outgoing and gathers incoming messages.

Each strategy is a small, loop-free class over :class:`~aiomq._pipe.Pipe` objects. The
non-blocking core (``send_nowait``/``recv_nowait``) raises :class:`~aiomq.errors.Again`
when it cannot proceed; the socket base turns that into awaiting.

Layer 3.
"""

from .exclusive import ExclusivePair
from .fair_queue import FairQueue
from .load_balancer import LoadBalancer
from .strategy import Strategy

__all__ = ["ExclusivePair", "FairQueue", "LoadBalancer", "Strategy"]
