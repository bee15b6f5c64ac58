"""Replay the fuzz seed corpus (tests/fuzz/corpus/) through the atheris harness's
``one_input`` as ordinary tests; atheris is not needed."""

from __future__ import annotations

import pathlib

import pytest
from fuzz_codec import HANDSHAKE, one_input
from make_corpus import CORPUS

from aiomq.zmtp import Connection, HandshakeComplete

pytestmark = pytest.mark.timeout(60)

_DIR = pathlib.Path(__file__).parent / "corpus"
_FILES = sorted(_DIR.iterdir())


@pytest.mark.parametrize("path", _FILES, ids=[p.name for p in _FILES])
def test_corpus_input(path: pathlib.Path) -> None:
    one_input(path.read_bytes())


def test_corpus_is_the_generated_one() -> None:
    # The committed files match make_corpus.py (rerun it after changing CORPUS).
    assert {p.name: p.read_bytes() for p in _FILES} == CORPUS


def test_valid_seed_completes_the_handshake() -> None:
    conn = Connection(socket_type="PULL")
    events = conn.receive_data(CORPUS["valid-handshake-and-traffic"])
    assert isinstance(events[0], HandshakeComplete)
    assert (b"part-1", b"part-2") in events
    assert CORPUS["valid-handshake-and-traffic"].startswith(HANDSHAKE)
