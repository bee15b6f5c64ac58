"""``aiomq.run``: uvloop as a loop factory, never a side effect of ``import aiomq``."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import aiomq
from aiomq.loop import LoopName, loop_factory

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parent.parent

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None  # a dev dependency
needs_uvloop = pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed")


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def push_pull_round_trip() -> tuple[str, bytes]:
    async with aiomq.Context() as ctx:
        pull = ctx.socket(aiomq.PULL)
        pull.bind("tcp://127.0.0.1:*")
        push = ctx.socket(aiomq.PUSH)
        push.connect(pull.last_endpoint.decode())
        await push.send(b"ping")
        data = await pull.recv()
        pull.close(linger=0)
        push.close(linger=0)
    return type(asyncio.get_running_loop()).__module__, data


def test_import_installs_no_policy_and_imports_no_uvloop() -> None:
    out = run_python(
        """
        import asyncio, sys
        before = asyncio.get_event_loop_policy()
        import aiomq
        import aiomq.serialization
        assert asyncio.get_event_loop_policy() is before, "policy changed"
        assert type(before).__module__.startswith("asyncio"), type(before)
        assert "uvloop" not in sys.modules, "uvloop imported"
        assert "aiomq.anyio" not in sys.modules
        print("clean")
        """
    )
    assert out.strip() == "clean"


@pytest.mark.parametrize("loop", ["asyncio", pytest.param("uvloop", marks=needs_uvloop)])
def test_run_on_each_loop(loop: LoopName) -> None:
    module, data = aiomq.run(push_pull_round_trip(), loop=loop)
    assert data == b"ping"
    assert module.startswith(loop)


def test_auto_prefers_uvloop_when_installed() -> None:
    module, _ = aiomq.run(push_pull_round_trip())
    assert module.startswith("uvloop" if HAS_UVLOOP else "asyncio")


def test_run_installs_no_policy() -> None:
    out = run_python(
        """
        import asyncio, sys
        import aiomq
        before = asyncio.get_event_loop_policy()
        async def main() -> str:
            return type(asyncio.get_running_loop()).__module__
        print(aiomq.run(main(), loop="auto"))
        assert asyncio.get_event_loop_policy() is before
        """
    )
    assert out.strip().split(".")[0] in {"uvloop", "asyncio"}


def test_uvloop_missing_names_the_extra() -> None:
    out = run_python(
        """
        import sys
        sys.modules["uvloop"] = None  # makes "import uvloop" fail
        import asyncio, aiomq
        async def main() -> str:
            return type(asyncio.get_running_loop()).__module__
        assert aiomq.run(main(), loop="auto").startswith("asyncio")
        coro = main()
        try:
            aiomq.run(coro, loop="uvloop")
        except ImportError as exc:
            assert "aiomq[uvloop]" in str(exc), exc
            print("ImportError")
        """
    )
    assert out.strip() == "ImportError"


def test_debug_flag_reaches_the_loop() -> None:
    async def debug_mode() -> bool:
        return asyncio.get_running_loop().get_debug()

    assert aiomq.run(debug_mode(), loop="asyncio", debug=True) is True
    assert aiomq.run(debug_mode(), loop="asyncio", debug=False) is False


def test_bad_arguments() -> None:
    async def main() -> None:
        return None

    coro = main()
    with pytest.raises(ValueError, match="loop must be"):
        aiomq.run(coro, loop="trio")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="main must be a coroutine"):
        aiomq.run(main, loop="asyncio")  # type: ignore[arg-type]
    assert loop_factory("asyncio") is asyncio.new_event_loop


async def test_run_inside_a_running_loop_is_refused() -> None:
    async def main() -> None:
        return None

    coro = main()
    with pytest.raises(RuntimeError):
        aiomq.run(coro, loop="asyncio")
    coro.close()
