"""aiomq quickstart: complete exchanges in one process, then exit.

1. PUSH/PULL over TCP, on a port the OS picks (``tcp://127.0.0.1:*``).
2. PAIR over TCP, multipart messages in both directions.
3. PAIR over inproc, connecting before the peer has bound.

    python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import sys

import aiomq


async def push_pull(ctx: aiomq.Context) -> None:
    async with ctx.socket(aiomq.PULL) as pull, ctx.socket(aiomq.PUSH) as push:
        pull.bind("tcp://127.0.0.1:*")  # "*" = any free port ...
        push.connect(pull.last_endpoint)  # ... read back through last_endpoint
        for n in range(3):
            await push.send(f"task {n}".encode())
        for _ in range(3):
            print("PULL received", await pull.recv())


async def pair_tcp(ctx: aiomq.Context) -> None:
    async with ctx.socket(aiomq.PAIR) as server, ctx.socket(aiomq.PAIR) as client:
        server.bind("tcp://127.0.0.1:*")
        client.connect(server.last_endpoint)
        await client.send_multipart([b"hello", b"from", b"client"])
        print("PAIR server received", await server.recv_multipart())
        await server.send_multipart([b"hello", b"back"])
        print("PAIR client received", await client.recv_multipart())


async def pair_inproc(ctx: aiomq.Context) -> None:
    async with ctx.socket(aiomq.PAIR) as left, ctx.socket(aiomq.PAIR) as right:
        left.connect("inproc://quickstart")  # inproc may connect before the bind
        await left.send(b"queued before bind")
        right.bind("inproc://quickstart")
        print("PAIR inproc received", await right.recv())


async def main() -> None:
    async with aiomq.Context() as ctx:
        await push_pull(ctx)
        await pair_tcp(ctx)
        await pair_inproc(ctx)
    print("done")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
