"""The stress suite's profiles: a short one that CI runs with every ``pytest``, and a long
one on demand (``pytest tests/stress --stress-long``).

Tests take their sizes from the ``profile`` fixture, never from constants, so one test
body serves both profiles; every figure a test reports is an exact count.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Profile:
    """How hard the stress tests push.

    Attributes:
        long: True for the on-demand profile.
        messages: Messages in a load test (PUSH -> PULL).
        scale: A factor for everything else (peers, rounds, seconds).
    """

    long: bool
    messages: int
    scale: int


SHORT = Profile(long=False, messages=1_000_000, scale=1)
LONG = Profile(long=True, messages=10_000_000, scale=10)


@pytest.fixture
def profile(request: pytest.FixtureRequest) -> Profile:
    """The profile of this run: SHORT unless ``--stress-long`` was given."""
    return LONG if request.config.getoption("--stress-long") else SHORT


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything under tests/stress/ with ``stress``."""
    for item in items:
        if "/stress/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.stress)
