"""The import-layer rule of ARCHITECTURE.md: a module imports only its own layer or lower."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from aiomq.constants import SocketType

PACKAGE = Path(__file__).resolve().parent.parent / "aiomq"

# Module (or package) prefix → layer. The longest matching prefix wins.
LAYERS: dict[str, int] = {
    "aiomq.errors": 0,
    "aiomq.constants": 0,
    "aiomq.version": 0,
    "aiomq.z85": 0,
    "aiomq.endpoint": 1,
    "aiomq.options": 1,
    "aiomq.serialization": 1,
    "aiomq.zmtp": 2,
    "aiomq.pgm": 2,
    "aiomq._pipe": 3,
    "aiomq._signal": 3,
    "aiomq._flush": 3,
    "aiomq._monitor": 3,
    "aiomq._routing": 3,
    "aiomq._transports": 3,
    "aiomq._zap": 3,
    "aiomq._zap_client": 4,
    "aiomq._message": 3,
    "aiomq._frame": 3,
    "aiomq._loop_end": 3,
    "aiomq._security": 4,
    "aiomq._engine": 4,
    "aiomq._link": 4,
    "aiomq._session": 4,
    "aiomq._listener": 4,
    "aiomq._inproc": 4,
    "aiomq._multicast": 4,
    "aiomq._manager": 5,
    "aiomq._sockets": 6,
    "aiomq.context": 6,
    "aiomq._bench.idle": 7,
    "aiomq._bench.cases": 7,
    "aiomq._bench.chart": 7,
    "aiomq._bench.cli_compare": 7,
    "aiomq._bench.impl_raw": 7,
    "aiomq._bench.progress": 7,
    "aiomq._bench.pubsub": 7,
    "aiomq._bench.raw_protocol": 7,
    "aiomq": 7,
}
# Siblings on one layer that must not know each other.
STRANGERS = [
    {"aiomq.zmtp", "aiomq._routing", "aiomq._transports"},
    {"aiomq.zmtp", "aiomq.pgm"},
    {"aiomq.pgm", "aiomq._routing", "aiomq._transports"},
]
# The sans-I/O codecs (ZMTP and PGM).
CODECS = {"aiomq.zmtp", "aiomq.pgm"}
# Standard-library modules a codec must never import (time and chance come in as arguments).
CODEC_FORBIDDEN = {"asyncio", "socket", "time", "threading", "select", "selectors", "random"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def group_of(name: str) -> str:
    return max(
        (prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")), key=len
    )


def imports_of(path: Path) -> list[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append(target)
            found.extend(f"{target}.{alias.name}" for alias in node.names)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_respect_layers(path: Path) -> None:
    name = module_name(path)
    own = group_of(name)
    for target in imports_of(path):
        if not target.startswith("aiomq"):
            if own in CODECS:
                assert target.split(".")[0] not in CODEC_FORBIDDEN, f"{name} imports {target}"
            continue
        if not any(target == p or target.startswith(p + ".") for p in LAYERS if p != "aiomq"):
            continue  # "from aiomq import x" style names resolve below
        other = group_of(target)
        assert LAYERS[other] <= LAYERS[own], f"{name} (layer {LAYERS[own]}) imports {target}"
        for group in STRANGERS:
            if own in group and other in group:
                assert own == other, f"{name} must not import {target}"


# The vocabulary of socket types: only the socket layer (and above) may use it; below it,
# a socket type is its `SocketTraits`. `constants` defines the names.
SOCKET_TYPE_NAMES = frozenset(kind.name for kind in SocketType)
BELOW_SOCKETS = [
    path
    for path in MODULES
    if LAYERS[group_of(module_name(path))] < LAYERS["aiomq._sockets"]
    and module_name(path) != "aiomq.constants"
]


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def socket_type_names_in(path: Path) -> list[str]:
    """Where ``path`` names a socket type: a string that is one (``"PUB"``), an attribute
    (``SocketType.PUB``, ``zmq.PUB``) or an imported name (``from .constants import PUB``)."""
    tree = ast.parse(path.read_text())
    docstrings = _docstrings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.upper() in SOCKET_TYPE_NAMES
            and id(node) not in docstrings
        ):
            found.append((node.lineno, repr(node.value)))
        elif isinstance(node, ast.Attribute) and node.attr in SOCKET_TYPE_NAMES:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.ImportFrom):
            found.extend(
                (node.lineno, f"import {alias.name}")
                for alias in node.names
                if alias.name in SOCKET_TYPE_NAMES
            )
    return [f"line {line}: {what}" for line, what in sorted(found)]


@pytest.mark.parametrize("path", BELOW_SOCKETS, ids=lambda p: module_name(p))
def test_no_module_below_the_sockets_names_a_socket_type(path: Path) -> None:
    assert socket_type_names_in(path) == []


def test_the_socket_type_check_finds_names(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A PUB docstring is prose."""\n'
        "from .constants import PUB, Event\n"
        'KINDS = ("SUB", "dealer", "SUBSCRIBE")\n'
        "x = SocketType.ROUTER\n"
    )
    assert socket_type_names_in(sample) == [
        "line 2: import PUB",
        "line 3: 'SUB'",
        "line 3: 'dealer'",
        "line 4: .ROUTER",
    ]
