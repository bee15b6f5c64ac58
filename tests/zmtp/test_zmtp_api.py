"""The public surface of aiomq.zmtp and its import layering."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import aiomq.zmtp

PACKAGE = Path(aiomq.zmtp.__file__).parent
FORBIDDEN = {"asyncio", "socket", "time", "threading", "select", "selectors"}
ALLOWED_AIOMQ = {"aiomq.constants", "aiomq.errors"}


def test_public_names() -> None:
    assert set(aiomq.zmtp.__all__) == {
        "Cancel",
        "Connection",
        "Event",
        "HandshakeComplete",
        "Mechanism",
        "MechanismStep",
        "Message",
        "NullMechanism",
        "NullZapMechanism",
        "PeerError",
        "Ping",
        "PlainClient",
        "PlainServer",
        "Pong",
        "ProtocolError",
        "Subscribe",
        "ZapVerdict",
    }
    for name in aiomq.zmtp.__all__:
        assert getattr(aiomq.zmtp, name) is not None


def test_imports_are_layer_2() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside aiomq.zmtp
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top not in FORBIDDEN, f"{path.name} imports {name}"
                if top == "aiomq":
                    assert name in ALLOWED_AIOMQ, f"{path.name} imports {name}"
                elif not (path.name == "curve.py" and top == "nacl"):  # lazy, optional
                    assert top in sys.stdlib_module_names, f"{path.name} imports {name}"
