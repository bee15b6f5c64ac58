"""SubscriptionTrie: counted prefix subscriptions, checked by example and against a model."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from aiomq._routing import Removal, SubscriptionTrie


def test_subscriptions_are_counted() -> None:
    trie: SubscriptionTrie[str] = SubscriptionTrie()
    assert trie.add(b"A", "p") is True
    assert trie.add(b"A", "p") is False
    assert trie.count(b"A", "p") == 2
    assert trie.remove(b"A", "p") is Removal.REMAINING
    assert trie.matches(b"A1")
    assert trie.remove(b"A", "p") is Removal.LAST_REMOVED
    assert not trie.matches(b"A1")
    assert trie.remove(b"A", "p") is Removal.NOT_FOUND
    assert len(trie) == 0


def test_other_keys_keep_a_topic_alive() -> None:
    trie: SubscriptionTrie[str] = SubscriptionTrie()
    assert trie.add(b"A", "p") is True
    assert trie.add(b"A", "q") is False
    assert trie.remove(b"A", "r") is Removal.NOT_FOUND
    assert trie.remove(b"A", "p") is Removal.REMAINING
    assert set(trie.match(b"AB")) == {"q"}
    assert trie.remove(b"A", "q") is Removal.LAST_REMOVED


def test_empty_topic_matches_everything_including_empty_frames() -> None:
    trie: SubscriptionTrie[int] = SubscriptionTrie()
    trie.add(b"", 1)
    for data in (b"", b"\x00", b"anything", bytes(range(256))):
        assert trie.matches(data)
        assert set(trie.match(data)) == {1}


def test_match_is_a_binary_prefix_match() -> None:
    trie: SubscriptionTrie[int] = SubscriptionTrie()
    trie.add(b"\x00\xff", 1)
    trie.add(b"ab", 2)
    trie.add(b"abc", 3)
    assert set(trie.match(b"abcd")) == {2, 3}
    assert set(trie.match(b"ab")) == {2}
    assert set(trie.match(b"a")) == set()
    assert set(trie.match(b"xabc")) == set()
    assert set(trie.match(b"\x00\xff\x00")) == {1}
    assert not trie.matches(b"\x00")
    assert not trie.matches(b"AB")  # case matters: bytes, not text


def test_a_key_matching_through_several_topics_is_returned_once() -> None:
    trie: SubscriptionTrie[int] = SubscriptionTrie()
    for topic in (b"", b"a", b"ab"):
        trie.add(topic, 7)
    trie.add(b"a", 8)
    matched = list(trie.match(b"abc"))
    assert sorted(matched) == [7, 8]


def test_remove_key_reports_topics_in_byte_order() -> None:
    trie: SubscriptionTrie[str] = SubscriptionTrie()
    for topic in (b"b", b"", b"ab", b"a"):
        trie.add(topic, "p")
    trie.add(b"a", "p")
    trie.add(b"ab", "q")
    assert trie.remove_key("p") == [(b"", True), (b"a", True), (b"ab", False), (b"b", True)]
    assert list(trie) == [b"ab"]
    assert trie.remove_key("p") == []
    assert trie.topics("q") == [b"ab"]


def test_iteration_lists_each_topic_once_in_byte_order() -> None:
    trie: SubscriptionTrie[None] = SubscriptionTrie()
    for topic in (b"z", b"a", b"a", b"", b"\x01"):
        trie.add(topic, None)
    assert list(trie) == [b"", b"\x01", b"a", b"z"]
    assert trie.topics(None) == [b"", b"\x01", b"a", b"z"]


# -- the model-based test ----------------------------------------------------------------

# A small alphabet so that prefixes, duplicates and removals collide often.
TOPICS = st.lists(st.sampled_from([b"a", b"b", b"\x00", b"\xff"]), max_size=3).map(b"".join)
DATA = st.lists(st.sampled_from([b"a", b"b", b"\x00", b"\xff"]), max_size=5).map(b"".join)
KEYS = st.sampled_from(["p", "q", "r"])


class TrieMachine(RuleBasedStateMachine):
    """SubscriptionTrie against a naive list of (prefix, key) subscriptions."""

    def __init__(self) -> None:
        super().__init__()
        self.trie: SubscriptionTrie[str] = SubscriptionTrie()
        self.model: list[tuple[bytes, str]] = []

    def holders(self, topic: bytes) -> set[str]:
        return {key for prefix, key in self.model if prefix == topic}

    @rule(topic=TOPICS, key=KEYS)
    def add(self, topic: bytes, key: str) -> None:
        new = not self.holders(topic)
        assert self.trie.add(topic, key) is new
        self.model.append((topic, key))

    @rule(topic=TOPICS, key=KEYS)
    def remove(self, topic: bytes, key: str) -> None:
        result = self.trie.remove(topic, key)
        if (topic, key) not in self.model:
            assert result is Removal.NOT_FOUND
            return
        self.model.remove((topic, key))
        expected = Removal.REMAINING if self.holders(topic) else Removal.LAST_REMOVED
        assert result is expected

    @rule(key=KEYS)
    def remove_key(self, key: str) -> None:
        held = sorted({prefix for prefix, holder in self.model if holder == key})
        self.model = [(prefix, holder) for prefix, holder in self.model if holder != key]
        expected = [(topic, not self.holders(topic)) for topic in held]
        assert self.trie.remove_key(key) == expected

    @rule(data=DATA)
    def match(self, data: bytes) -> None:
        expected = {key for prefix, key in self.model if data.startswith(prefix)}
        matched = list(self.trie.match(data))
        assert len(matched) == len(set(matched))
        assert set(matched) == expected
        assert self.trie.matches(data) is bool(expected)

    @invariant()
    def topics_and_counts_agree(self) -> None:
        distinct = sorted({prefix for prefix, _ in self.model})
        assert list(self.trie) == distinct
        assert len(self.trie) == len(distinct)
        for key in ("p", "q", "r"):
            assert self.trie.topics(key) == sorted(
                {prefix for prefix, holder in self.model if holder == key}
            )
            for topic in distinct:
                assert self.trie.count(topic, key) == self.model.count((topic, key))


TrieMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=60, deadline=None)
test_trie_matches_the_model = TrieMachine.TestCase
