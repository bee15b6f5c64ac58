"""Run the publish-subscribe examples (``examples/pubsub``) as processes.

The publisher and the subscriber start together on a fresh endpoint (tcp and ipc); the
subscriber must print only "1" updates, consecutive ones, and both must exit 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _netns import NetNamespace
from test_examples import (
    DEADLINE,
    assert_help_shows_default,
    example,
    fresh_endpoint,
    run_together,
)

pytestmark = pytest.mark.timeout(2 * DEADLINE)

UPDATE = re.compile(r"sub: 1-Update! >> #(\d+) >> \d\d:\d\d:\d\d\.\d{3}")


@pytest.fixture(params=["tcp", "ipc"])
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_endpoint(request.param, tmp_path, "updates.ipc")


def test_pub_and_sub(endpoint: str) -> None:
    check_pub_and_sub(endpoint)


def test_pub_and_sub_over_multicast(netns: NetNamespace) -> None:
    """The same examples over ``epgm://``, unchanged, in a private network namespace
    (the processes inherit it from the thread that starts them)."""
    with netns.entered():
        check_pub_and_sub("epgm://127.0.0.1;239.192.1.1:5556")


def check_pub_and_sub(endpoint: str) -> None:
    """Run the publisher and a subscriber on ``endpoint``; check what both print."""
    rounds, wanted = 150, 3
    # The publisher runs for about three seconds: ample time for the subscriber to start,
    # connect and subscribe; what it publishes before that is not kept for the subscriber.
    pub, sub = run_together(
        [
            example("pubsub/pub.py"),
            *("--endpoint", endpoint, "--interval", "0.02", "--count", str(rounds)),
        ],
        [example("pubsub/sub.py"), "--endpoint", endpoint, "--count", str(wanted)],
    )
    assert pub == [f"pub: bound to {endpoint}", f"pub: published {rounds} updates of each kind"]
    assert sub[-1] == f"sub: done after {wanted} updates"
    ids: list[int] = []
    for line in sub[:-1]:
        match = UPDATE.fullmatch(line)
        assert match, line
        ids.append(int(match[1]))
    assert ids == list(range(ids[0], ids[0] + wanted))


@pytest.mark.parametrize("name", ["pubsub/pub.py", "pubsub/sub.py"])
def test_help_shows_default_endpoint(name: str) -> None:
    assert_help_shows_default(name, "tcp://127.0.0.1:5556")
