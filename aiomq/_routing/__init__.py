"""Routing strategies: how a socket spreads outgoing and gathers incoming messages.

Each strategy is a small, loop-free class over ``Pipe`` objects. The
non-blocking core (``send_nowait``/``recv_nowait``) raises ``Again``
when it cannot proceed; the socket base turns that into awaiting.

Layer 3.
"""

from .distributor import Distributor
from .exclusive import ExclusivePair
from .fair_queue import FairQueue
from .identity_router import IdentityRouter
from .load_balancer import LoadBalancer
from .publisher import Publisher
from .strategy import Strategy
from .subscriber import Subscriber
from .trie import Removal, SubscriptionTrie

__all__ = [
    "Distributor",
    "ExclusivePair",
    "FairQueue",
    "IdentityRouter",
    "LoadBalancer",
    "Publisher",
    "Removal",
    "Strategy",
    "Subscriber",
    "SubscriptionTrie",
]
