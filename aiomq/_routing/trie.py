"""SubscriptionTrie: counted prefix subscriptions, keyed by subscriber (RFC 29).

Layer 3.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["Removal", "SubscriptionTrie"]

K = TypeVar("K", bound=Hashable)


class Removal(enum.Enum):
    """What ``SubscriptionTrie.remove`` did (libzmq's ``mtrie_t::rm_result``)."""

    NOT_FOUND = enum.auto()
    """The key held no subscription to the topic: nothing changed."""
    LAST_REMOVED = enum.auto()
    """The topic lost its last subscription (of any key)."""
    REMAINING = enum.auto()
    """The topic is still subscribed (by this key, counted, or by another)."""


class SubscriptionTrie(Generic[K]):
    """Prefix subscriptions per key, counted: subscribing twice needs two removals.

    It behaves as libzmq's counted tries (``trie_t`` for one key, ``mtrie_t`` for many):
    a message matches a topic when its first frame starts with the topic's bytes, and
    the empty topic matches everything. Instead of a tree of nodes it keeps a dict from
    topic to ``{key: count}`` plus the distinct topic lengths, so matching a frame costs
    one dict lookup per distinct length.

    Keys are whatever the owner needs: a publisher keys by pipe, a subscriber uses one
    key (``None``) for its own subscriptions.
    """

    __slots__ = ("_lengths", "_sorted_lengths", "_topics")

    def __init__(self) -> None:
        self._topics: dict[bytes, dict[K, int]] = {}
        self._lengths: dict[int, int] = {}
        self._sorted_lengths: tuple[int, ...] = ()

    def __len__(self) -> int:
        """The number of distinct topics subscribed by anyone."""
        return len(self._topics)

    def __iter__(self) -> Iterator[bytes]:
        """The distinct topics, in byte order (a prefix before its extensions)."""
        return iter(sorted(self._topics))

    def count(self, topic: bytes, key: K) -> int:
        """How many times ``key`` subscribed to ``topic`` (net of removals)."""
        keys = self._topics.get(topic)
        return 0 if keys is None else keys.get(key, 0)

    def add(self, topic: bytes, key: K) -> bool:
        """Count one more subscription of ``key`` to ``topic``.

        Returns:
            True when nobody was subscribed to ``topic`` before (a new topic).
        """
        keys = self._topics.get(topic)
        if keys is None:
            self._topics[topic] = {key: 1}
            size = len(topic)
            held = self._lengths.get(size, 0)
            self._lengths[size] = held + 1
            if not held:
                self._sorted_lengths = tuple(sorted(self._lengths))
            return True
        keys[key] = keys.get(key, 0) + 1
        return False

    def remove(self, topic: bytes, key: K) -> Removal:
        """Take back one subscription of ``key`` to ``topic``."""
        keys = self._topics.get(topic)
        if keys is None:
            return Removal.NOT_FOUND
        held = keys.get(key, 0)
        if not held:
            return Removal.NOT_FOUND
        if held > 1:
            keys[key] = held - 1
            return Removal.REMAINING
        del keys[key]
        if keys:
            return Removal.REMAINING
        self._drop_topic(topic)
        return Removal.LAST_REMOVED

    def remove_key(self, key: K) -> list[tuple[bytes, bool]]:
        """Remove every subscription of ``key`` (a subscriber left).

        Returns:
            ``(topic, last)`` for each topic ``key`` held, in byte order; ``last`` is
            True when nobody else subscribes to it any more.
        """
        removed: list[tuple[bytes, bool]] = []
        for topic in sorted(self._topics):
            keys = self._topics[topic]
            if key in keys:
                del keys[key]
                if not keys:
                    self._drop_topic(topic)
                removed.append((topic, not keys))
        return removed

    def topics(self, key: K) -> list[bytes]:
        """The distinct topics ``key`` subscribes to, in byte order."""
        return [topic for topic in sorted(self._topics) if key in self._topics[topic]]

    def matches(self, data: bytes) -> bool:
        """True when some subscription's topic is a prefix of ``data``."""
        topics = self._topics
        size = len(data)
        for length in self._sorted_lengths:
            if length > size:
                return False
            if data[:length] in topics:
                return True
        return False

    def match(self, data: bytes) -> Collection[K]:
        """The keys holding a subscription whose topic is a prefix of ``data``.

        The result is a read-only view or a fresh set: do not change the trie while
        iterating over it.
        """
        topics = self._topics
        size = len(data)
        found: dict[K, int] | None = None
        union: set[K] | None = None
        for length in self._sorted_lengths:
            if length > size:
                break
            keys = topics.get(data[:length])
            if keys is None:
                continue
            if found is None:
                found = keys
            else:
                if union is None:
                    union = set(found)
                union.update(keys)
        if union is not None:
            return union
        if found is not None:
            return found.keys()
        return ()

    def _drop_topic(self, topic: bytes) -> None:
        del self._topics[topic]
        size = len(topic)
        held = self._lengths[size] - 1
        if held:
            self._lengths[size] = held
        else:
            del self._lengths[size]
            self._sorted_lengths = tuple(sorted(self._lengths))
