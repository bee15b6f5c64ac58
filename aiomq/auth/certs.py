"""CURVE certificate files in the czmq format, as pyzmq's ``zmq.auth`` reads and writes them.

A certificate is a text file with a ``curve`` section holding ``public-key`` and, in a
secret certificate, ``secret-key``, both in Z85 (40 characters). Files written here load
in pyzmq and czmq, and theirs load here. Writing needs PyNaCl (``aiomq[curve]``).

Layer 7.
"""

from __future__ import annotations

import datetime
import glob
import os
from collections.abc import Mapping

__all__ = ["create_certificates", "load_certificate", "load_certificates"]

_PUBLIC_BANNER = """#   ****  Generated on {0} by aiomq  ****
#   ZeroMQ CURVE Public Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange. Store public certificates in your home
#   directory, in the .curve subdirectory.

"""

_SECRET_BANNER = """#   ****  Generated on {0} by aiomq  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

"""


def _private(path: str, flags: int) -> int:
    """Open a secret certificate readable by its owner only (when it is created)."""
    return os.open(path, flags, 0o600)


def _write_certificate(
    path: str,
    banner: str,
    public_key: bytes,
    secret_key: bytes | None = None,
    metadata: Mapping[str, str] | None = None,
) -> None:
    lines = [banner, "metadata\n"]
    for name, value in (metadata or {}).items():
        name = name.decode() if isinstance(name, bytes) else name
        value = value.decode() if isinstance(value, bytes) else value
        lines.append(f"    {name} = {value}\n")
    lines.append("curve\n")
    lines.append(f'    public-key = "{public_key.decode("ascii")}"\n')
    if secret_key is not None:
        lines.append(f'    secret-key = "{secret_key.decode("ascii")}"\n')
    opener = _private if secret_key is not None else None
    with open(path, "w", encoding="utf-8", opener=opener) as file:
        file.write("".join(lines))


def create_certificates(
    key_dir: str | os.PathLike[str], name: str, metadata: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """Create a new key pair as ``name.key`` (public) and ``name.key_secret`` (both keys).

    As pyzmq: the metadata goes into the secret certificate only, and existing files
    are overwritten. The secret certificate is created readable by its owner only.

    Args:
        key_dir: An existing directory.
        name: The file name stem.
        metadata: Entries of the secret certificate's ``metadata`` section.

    Returns:
        ``(public_file, secret_file)``: the paths, joined as ``os.path.join`` does.

    Raises:
        ImportError: PyNaCl is not installed.
        OSError: The files cannot be written.
    """
    from .._curve import curve_keypair

    public_key, secret_key = curve_keypair()
    base = os.path.join(key_dir, name)
    public_file = f"{base}.key"
    secret_file = f"{base}.key_secret"
    now = datetime.datetime.now()
    _write_certificate(public_file, _PUBLIC_BANNER.format(now), public_key)
    _write_certificate(secret_file, _SECRET_BANNER.format(now), public_key, secret_key, metadata)
    return public_file, secret_file


def load_certificate(filename: str | os.PathLike[str]) -> tuple[bytes, bytes | None]:
    """Read the keys of a certificate file.

    Args:
        filename: A public or secret certificate.

    Returns:
        ``(public_key, secret_key)`` as Z85 bytes; ``secret_key`` is None in a public
        certificate.

    Raises:
        OSError: The file does not exist.
        ValueError: The file holds no public key, or a key line has no ``=``.
    """
    if not os.path.exists(filename):
        raise OSError(f"Invalid certificate file: {filename}")
    public_key: bytes | None = None
    secret_key: bytes | None = None
    with open(filename, "rb") as file:
        for raw in file:
            line = raw.strip()
            if line.startswith(b"#"):
                continue
            if line.startswith(b"public-key"):
                public_key = _value(line, filename)
            elif line.startswith(b"secret-key"):
                secret_key = _value(line, filename)
            if public_key and secret_key:
                break
    if public_key is None:
        raise ValueError(f"No public key found in {filename}")
    return public_key, secret_key


def _value(line: bytes, filename: str | os.PathLike[str]) -> bytes:
    """The value of a ``name = "value"`` line, without quotes (single or double)."""
    _, equals, value = line.partition(b"=")
    if not equals:
        raise ValueError(f"No '=' in {line!r} of {filename}")
    return value.strip(b" \t'\"")


def load_certificates(directory: str | os.PathLike[str] = ".") -> dict[bytes, bool]:
    """Read the public key of every ``*.key`` certificate in a directory.

    Args:
        directory: The directory (czmq keeps public certificates in ``*.key`` files).

    Returns:
        ``{public_key: True}`` with Z85 keys, as pyzmq.

    Raises:
        OSError: ``directory`` is not a directory.
        ValueError: A ``*.key`` file holds no public key.
    """
    if not os.path.isdir(directory):
        raise OSError(f"Invalid certificate directory: {directory}")
    certs: dict[bytes, bool] = {}
    for path in glob.glob(os.path.join(glob.escape(os.fspath(directory)), "*.key")):
        public_key, _ = load_certificate(path)
        if public_key:
            certs[public_key] = True
    return certs
