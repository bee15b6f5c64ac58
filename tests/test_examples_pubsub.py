"""Run the publish-subscribe examples (``examples/pubsub``) as processes.

The publisher and the subscriber start together on a fresh endpoint (tcp and ipc); the
subscriber must print only the updates of the prefixes it chose (by default "1"),
consecutive ones of each kind, and both must exit 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _helpers import unused_tcp_endpoint
from _netns import NetNamespace
from test_examples import DEADLINE, example, fresh_endpoint, run_together

pytestmark = pytest.mark.timeout(2 * DEADLINE)

UPDATE = re.compile(r"sub: ([12])-Update! >> #(\d+) >> \d\d:\d\d:\d\d\.\d{3}")


@pytest.fixture(params=["tcp", "ipc"])
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_endpoint(request.param, tmp_path, "updates.ipc")


def test_pub_and_sub(endpoint: str) -> None:
    assert check_pub_and_sub(endpoint, wanted=3) == {"1": 3}


@pytest.mark.parametrize(
    ("options", "shown", "kinds"),
    [
        pytest.param(["--topic", "2-"], "'2-'", {"2"}, id="2-"),
        pytest.param(["--topic", "1", "--topic", "2"], "'1', '2'", {"1", "2"}, id="1-and-2"),
        pytest.param(["--topic", ""], "''", {"1", "2"}, id="everything"),
    ],
)
def test_sub_chooses_its_prefixes(options: list[str], shown: str, kinds: set[str]) -> None:
    counts = check_pub_and_sub(unused_tcp_endpoint(), wanted=6, options=options, shown=shown)
    assert set(counts) == kinds
    assert sum(counts.values()) == 6


def test_pub_and_sub_over_multicast(netns: NetNamespace) -> None:
    """The same examples over ``epgm://``, unchanged, in a private network namespace
    (the processes inherit it from the thread that starts them)."""
    with netns.entered():
        assert check_pub_and_sub("epgm://127.0.0.1;239.192.1.1:5556", wanted=3) == {"1": 3}


def check_pub_and_sub(
    endpoint: str, wanted: int, options: tuple[str, ...] | list[str] = (), shown: str = "'1'"
) -> dict[str, int]:
    """Run the publisher and a subscriber (with ``options``) on ``endpoint``; check what
    both print, and that the updates of each kind are consecutive. Returns how many updates
    of each kind the subscriber printed."""
    rounds = 150
    # The publisher runs for about three seconds: ample time for the subscriber to start,
    # connect and subscribe; what it publishes before that is not kept for the subscriber.
    pub, sub = run_together(
        [
            example("pubsub/pub.py"),
            *("--endpoint", endpoint, "--interval", "0.02", "--count", str(rounds)),
        ],
        [example("pubsub/sub.py"), "--endpoint", endpoint, *options, "--count", str(wanted)],
    )
    assert pub == [f"pub: bound to {endpoint}", f"pub: published {rounds} updates of each kind"]
    assert sub[0] == f"sub: connecting to {endpoint}, subscribed to {shown}"
    assert sub[-1] == f"sub: done after {wanted} updates"
    ids: dict[str, list[int]] = {}
    for line in sub[1:-1]:
        match = UPDATE.fullmatch(line)
        assert match, line
        ids.setdefault(match[1], []).append(int(match[2]))
    for numbers in ids.values():
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    return {kind: len(numbers) for kind, numbers in sorted(ids.items())}
