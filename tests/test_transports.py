"""tcp, ipc and inproc endpoints: binding, resolving, cleaning up."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import aiomq

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short directory for ipc paths (Unix socket paths are limited to 107 bytes)."""
    with tempfile.TemporaryDirectory(prefix="aiomq-t-") as name:
        yield Path(name)


async def roundtrip(ctx: aiomq.Context, bind: str) -> str:
    return (await bound_pull(ctx, bind)).last_endpoint.decode()


async def bound_pull(ctx: aiomq.Context, bind: str) -> aiomq.Socket:
    """A PULL bound to ``bind`` that has received one message through it."""
    pull = ctx.socket(aiomq.PULL)
    pull.bind(bind)
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    await push.send(b"ping")
    assert await pull.recv() == b"ping"
    return pull


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


async def test_tcp_ipv4_ephemeral_port(ctx: aiomq.Context) -> None:
    endpoint = await roundtrip(ctx, "tcp://127.0.0.1:*")
    assert endpoint.startswith("tcp://127.0.0.1:")
    assert int(endpoint.rsplit(":", 1)[1]) > 0


async def test_tcp_wildcard_host(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://*:*")
    assert pull.last_endpoint.decode().startswith("tcp://0.0.0.0:")
    port = pull.last_endpoint.decode().rsplit(":", 1)[1]
    push = ctx.socket(aiomq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    await push.send(b"x")
    assert await pull.recv() == b"x"


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback on this machine")
async def test_tcp_ipv6(ctx: aiomq.Context) -> None:
    endpoint = await roundtrip(ctx, "tcp://[::1]:*")
    assert endpoint.startswith("tcp://[::1]:")


async def test_tcp_hostname(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    port = pull.last_endpoint.decode().rsplit(":", 1)[1]
    push = ctx.socket(aiomq.PUSH)
    push.connect(f"tcp://localhost:{port}")
    await push.send(b"by name")
    assert await pull.recv() == b"by name"


async def test_tcp_address_in_use_raises_at_once(ctx: aiomq.Context) -> None:
    first = ctx.socket(aiomq.PULL)
    first.bind("tcp://127.0.0.1:*")
    second = ctx.socket(aiomq.PULL)
    with pytest.raises(aiomq.ZMQError) as info:
        second.bind(first.last_endpoint.decode())
    assert info.value.errno == aiomq.EADDRINUSE
    assert first.last_endpoint.decode() in str(info.value)


async def test_bad_endpoints_raise_at_once(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.PULL)
    with pytest.raises(aiomq.ZMQError) as info:
        sock.bind("tcp://no.such.host.invalid:*")
    assert "no.such.host.invalid" in str(info.value)
    with pytest.raises(aiomq.ZMQError) as info:
        sock.connect("carrier-pigeon://home")
    assert info.value.errno == aiomq.EPROTONOSUPPORT


async def test_ipc_path_is_removed_on_unbind(ctx: aiomq.Context, short_dir: Path) -> None:
    path = short_dir / "feed.ipc"
    owner = await bound_pull(ctx, f"ipc://{path}")
    endpoint = owner.last_endpoint.decode()
    assert endpoint == f"ipc://{path}"
    assert path.exists()
    pull = ctx.socket(aiomq.PULL)
    with pytest.raises(aiomq.ZMQError) as info:
        pull.bind(endpoint)
    assert info.value.errno == aiomq.EADDRINUSE
    owner.unbind(endpoint)
    assert not path.exists()
    pull.bind(endpoint)
    assert path.exists()
    pull.close(linger=0)
    assert not path.exists()


async def test_ipc_stale_socket_file_is_replaced(ctx: aiomq.Context, short_dir: Path) -> None:
    path = short_dir / "stale.ipc"
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(str(path))
    leftover.close()
    assert path.exists()
    await roundtrip(ctx, f"ipc://{path}")


async def test_ipc_refuses_a_regular_file(ctx: aiomq.Context, short_dir: Path) -> None:
    path = short_dir / "plain"
    path.write_text("data")
    with pytest.raises(aiomq.ZMQError, match="not a socket"):
        ctx.socket(aiomq.PULL).bind(f"ipc://{path}")
    assert path.read_text() == "data"


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="abstract sockets are Linux-only")
async def test_ipc_abstract_namespace(ctx: aiomq.Context) -> None:
    name = f"@aiomq-test-{os.getpid()}-{id(ctx)}"
    endpoint = await roundtrip(ctx, f"ipc://{name}")
    assert endpoint == f"ipc://{name}"


async def test_ipc_wildcard_picks_a_path(ctx: aiomq.Context) -> None:
    endpoint = await roundtrip(ctx, "ipc://*")
    assert endpoint.startswith("ipc:///")


async def test_inproc_connect_before_bind_and_name_in_use(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.connect("inproc://early")
    for i in range(3):
        await push.send(b"%d" % i)
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://early")
    assert [await pull.recv() for _ in range(3)] == [b"0", b"1", b"2"]
    with pytest.raises(aiomq.ZMQError) as info:
        ctx.socket(aiomq.PULL).bind("inproc://early")
    assert info.value.errno == aiomq.EADDRINUSE


async def test_inproc_names_are_per_context(ctx: aiomq.Context) -> None:
    other = aiomq.Context()
    try:
        ctx.socket(aiomq.PULL).bind("inproc://shared-name")
        other.socket(aiomq.PULL).bind("inproc://shared-name")
    finally:
        other.destroy(linger=0)


async def test_inproc_refuses_incompatible_types(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://typed")
    pair = ctx.socket(aiomq.PAIR)
    pair.connect("inproc://typed")
    with pytest.raises(aiomq.Again):
        await pull.recv(aiomq.DONTWAIT)
    await pair.send(b"queued, never delivered", aiomq.DONTWAIT)
    with pytest.raises(aiomq.Again):
        await pull.recv(aiomq.DONTWAIT)


async def test_unbind_and_disconnect_unknown_endpoints(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.PULL)
    with pytest.raises(aiomq.ZMQError, match="not bound"):
        sock.unbind("tcp://127.0.0.1:1")
    with pytest.raises(aiomq.ZMQError, match="not connected"):
        sock.disconnect("tcp://127.0.0.1:1")


async def test_disconnect_drops_the_queue(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("inproc://dropped")
    push = ctx.socket(aiomq.PUSH)
    push.connect("inproc://dropped")
    await push.send(b"delivered")
    assert await pull.recv() == b"delivered"
    push.disconnect("inproc://dropped")
    with pytest.raises(aiomq.Again):
        await push.send(b"nowhere", aiomq.DONTWAIT)


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_large_and_small_messages_arrive_intact(
    ctx: aiomq.Context, short_dir: Path, transport: str
) -> None:
    # Large frame bodies are read in place (and huge ones after a header-only read);
    # small frames around them are parsed from the shared receive buffer.
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*" if transport == "tcp" else f"ipc://{short_dir}/big")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    sizes = [0, 1, 300, 40_000, 65_536, 1 << 20, 5, (1 << 20) + 7, 3 << 20, 17, 70_000]
    messages = [
        [bytes([i % 251]) * 3 + os.urandom(size), b"tail%d" % i] for i, size in enumerate(sizes)
    ]
    for _ in range(3):
        for message in messages:
            await push.send_multipart(message)
        for message in messages:
            got = await pull.recv_multipart()
            assert got == message
            assert all(type(frame) is bytes for frame in got)
