"""aiomq.auth against pyzmq's zmq.auth: the same decisions, and certificate files that
each reads from the other.

The decisions are compared request by request: pyzmq's ``Authenticator`` answers the
RFC 27 frames (its reply captured instead of sent), aiomq's the same request, after the
same configuration calls on both.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import zmq
import zmq.auth

import aiomq
import aiomq.auth
from aiomq.auth import ZapRequest

pytestmark = pytest.mark.interop

KNOWN_PUBLIC, _ = zmq.curve_keypair()
KNOWN = aiomq.z85.decode(KNOWN_PUBLIC)
STRANGER = bytes(range(32))


class _CapturingAuthenticator(zmq.auth.Authenticator):
    """pyzmq's decisions, with the reply kept instead of sent on its ZAP socket."""

    replies: list[tuple[bytes, bytes, bytes]]

    def _send_zap_reply(
        self,
        request_id: bytes,
        status_code: bytes,
        status_text: bytes,
        user_id: str = "anonymous",
    ) -> None:
        user = user_id.encode() if isinstance(user_id, str) else user_id
        self.replies.append((status_code, status_text, user if status_code == b"200" else b""))


class _Provider:
    def callback(self, domain: str, key: bytes) -> bool:
        return key == KNOWN_PUBLIC


AnyAuthenticator = zmq.auth.Authenticator | aiomq.auth.Authenticator


def _certs(directory: Path) -> str:
    (directory / "client.key").write_text(f'curve\n    public-key = "{KNOWN_PUBLIC.decode()}"\n')
    return str(directory)


def _curve_any_then_dir(auth: AnyAuthenticator, directory: Path) -> None:
    auth.configure_curve("*", zmq.auth.CURVE_ALLOW_ANY)
    auth.configure_curve("global", _certs(directory))


def _callback_and_dir(auth: AnyAuthenticator, directory: Path) -> None:
    auth.configure_curve("global", _certs(directory))
    auth.configure_curve_callback("*", _Provider())


def _deny_and_plain(auth: AnyAuthenticator, directory: Path) -> None:
    auth.deny("10.0.0.1")
    auth.configure_plain("*", {"admin": "secret"})


CONFIGURATIONS: dict[str, Callable[[AnyAuthenticator, Path], object]] = {
    "nothing": lambda auth, d: None,
    "allow": lambda auth, d: auth.allow("127.0.0.1"),
    "allow-other": lambda auth, d: auth.allow("10.0.0.1"),
    "deny": lambda auth, d: auth.deny("127.0.0.1"),
    "plain": lambda auth, d: auth.configure_plain("*", {"admin": "secret"}),
    "plain-global": lambda auth, d: auth.configure_plain("global", {"admin": "secret"}),
    "curve-any": lambda auth, d: auth.configure_curve("*", zmq.auth.CURVE_ALLOW_ANY),
    "curve-dir": lambda auth, d: auth.configure_curve("*", _certs(d)),
    "curve-dir-global": lambda auth, d: auth.configure_curve("global", _certs(d)),
    "curve-any-then-dir": _curve_any_then_dir,
    "callback": lambda auth, d: auth.configure_curve_callback("*", _Provider()),
    "callback-and-dir": _callback_and_dir,
    "deny-and-plain": _deny_and_plain,
}
"""The same calls, made on pyzmq's Authenticator and on aiomq's."""

REQUESTS: list[tuple[str, str, str, tuple[bytes, ...]]] = [
    (domain, address, mechanism, credentials)
    for domain in ("", "global", "other")
    for address in ("127.0.0.1", "10.0.0.1")
    for mechanism, credentials in [
        ("NULL", ()),
        ("PLAIN", (b"admin", b"secret")),
        ("PLAIN", (b"admin", b"wrong")),
        ("PLAIN", (b"root", b"secret")),
        ("PLAIN", (b"admin",)),
        ("CURVE", (KNOWN,)),
        ("CURVE", (STRANGER,)),
    ]
]


@pytest.mark.parametrize("configuration", list(CONFIGURATIONS))
async def test_same_decisions_as_pyzmq(tmp_path: Path, configuration: str) -> None:
    configure = CONFIGURATIONS[configuration]
    pyzmq_context = zmq.Context()
    try:
        theirs = _CapturingAuthenticator(pyzmq_context)
        theirs.replies = []
        (tmp_path / "theirs").mkdir()
        configure(theirs, tmp_path / "theirs")
        ours = aiomq.auth.Authenticator(aiomq.Context())
        (tmp_path / "ours").mkdir()
        configure(ours, tmp_path / "ours")
        for n, (domain, address, mechanism, credentials) in enumerate(REQUESTS):
            frames = [b"1.0", b"%d" % n, domain.encode(), address.encode(), b""]
            await theirs.handle_zap_message([*frames, mechanism.encode(), *credentials])
            request = ZapRequest(domain, address, b"", mechanism, credentials, n)
            reply = await ours.authenticate(request)
            expected = theirs.replies[-1]
            got = (reply.status_code.encode(), reply.status_text.encode(), reply.user_id.encode())
            assert got == expected, (domain, address, mechanism, credentials)
        assert len(theirs.replies) == len(REQUESTS)
    finally:
        pyzmq_context.term()


# -- certificates ---------------------------------------------------------------------------


@pytest.mark.parametrize("writer", ["aiomq", "pyzmq"])
def test_certificates_read_by_both(tmp_path: Path, writer: str) -> None:
    create = aiomq.auth.create_certificates if writer == "aiomq" else zmq.auth.create_certificates
    public_file, secret_file = create(tmp_path, "peer", metadata={"email": "a@example.org"})
    for load in (aiomq.auth.load_certificate, zmq.auth.load_certificate):
        public, secret = load(secret_file)
        assert load(public_file) == (public, None)
        assert secret is not None
        assert len(public) == len(secret) == 40
        assert zmq.curve_public(secret) == public
    assert aiomq.auth.load_certificate(secret_file) == zmq.auth.load_certificate(secret_file)
    assert aiomq.auth.load_certificates(tmp_path) == zmq.auth.load_certificates(tmp_path)
    assert aiomq.auth.load_certificates(str(tmp_path)) == {public: True}


@pytest.mark.parametrize("as_path", [True, False], ids=["Path", "str"])
def test_create_certificates_returns_what_pyzmq_returns(tmp_path: Path, as_path: bool) -> None:
    key_dir: Path | str = tmp_path if as_path else f"{tmp_path}/"
    ours = aiomq.auth.create_certificates(key_dir, "a")
    theirs = zmq.auth.create_certificates(key_dir, "b")
    assert [path.replace("/b.", "/a.") for path in theirs] == list(ours)
    assert all(type(path) is str for path in ours)
    assert ours == (os.path.join(key_dir, "a") + ".key", os.path.join(key_dir, "a") + ".key_secret")


def test_certificate_errors_match_pyzmq(tmp_path: Path) -> None:
    missing = tmp_path / "missing.key"
    no_key = tmp_path / "nokey.key"
    no_key.write_text("metadata\ncurve\n")
    cases: list[tuple[Callable[[Path], object], Callable[[Path], object], Path]] = [
        (zmq.auth.load_certificate, aiomq.auth.load_certificate, missing),
        (zmq.auth.load_certificate, aiomq.auth.load_certificate, no_key),
        (zmq.auth.load_certificates, aiomq.auth.load_certificates, no_key),
    ]
    for theirs, ours, argument in cases:
        with pytest.raises((OSError, ValueError)) as expected:
            theirs(argument)
        with pytest.raises(type(expected.value)) as got:
            ours(argument)
        assert str(got.value) == str(expected.value)
