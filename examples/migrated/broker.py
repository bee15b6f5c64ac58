"""A zmq.asyncio program moved to aiomq by changing its imports, and nothing else.

It was written for pyzmq: ``import zmq`` and ``import zmq.asyncio`` became the two
``import aiomq ...`` lines below. Everything else is pyzmq's API, as a zmq.asyncio
application uses it:

* a ROUTER/DEALER broker that shuttles requests and replies, driven by a ``Poller``;
* REP workers and REQ clients talking JSON (``send_json``/``recv_json``);
* a PUB announcing progress with ``send_string`` to a SUB subscribed with
  ``setsockopt_string(zmq.SUBSCRIBE, ...)``;
* ports from ``bind_to_random_port``, ``socket.closed`` and ``ctx.term()`` at the end.

    python examples/migrated/broker.py
"""

import asyncio
import sys

import aiomq as zmq  # was: import zmq
import aiomq.asyncio  # was: import zmq.asyncio

CLIENTS = 3
WORKERS = 2
REQUESTS = 4  # per client


async def broker(frontend, backend, expected):
    """Shuttle requests from clients to workers and replies back, ``expected`` of each."""
    poller = zmq.asyncio.Poller()
    poller.register(frontend, zmq.POLLIN)
    poller.register(backend, zmq.POLLIN)
    replies = 0
    while replies < expected:
        events = dict(await poller.poll())
        if frontend in events:
            await backend.send_multipart(await frontend.recv_multipart())
        if backend in events:
            await frontend.send_multipart(await backend.recv_multipart())
            replies += 1


async def worker(ctx, endpoint, name):
    """Answer requests until cancelled: square the number."""
    socket = ctx.socket(zmq.REP)
    socket.connect(endpoint)
    try:
        while True:
            request = await socket.recv_json()
            await socket.send_json({"n": request["n"], "square": request["n"] ** 2, "by": name})
    finally:
        socket.close(linger=0)


async def client(ctx, endpoint, name, announce):
    """Ask ``REQUESTS`` questions, one at a time; return the answers."""
    socket = ctx.socket(zmq.REQ)
    socket.connect(endpoint)
    answers = []
    for n in range(REQUESTS):
        await socket.send_json({"n": n, "from": name})
        answers.append((await socket.recv_json())["square"])
    await announce.send_string(f"status {name} done")
    socket.close()
    return answers


async def main():
    ctx = zmq.asyncio.Context()
    frontend = ctx.socket(zmq.ROUTER)
    backend = ctx.socket(zmq.DEALER)
    front_port = frontend.bind_to_random_port("tcp://127.0.0.1")
    back_port = backend.bind_to_random_port("tcp://127.0.0.1")
    announce = ctx.socket(zmq.PUB)
    status_port = announce.bind_to_random_port("tcp://127.0.0.1")
    status = ctx.socket(zmq.SUB)
    status.setsockopt_string(zmq.SUBSCRIBE, "status")
    status.connect(f"tcp://127.0.0.1:{status_port}")
    print("broker: ready")

    # A PUB sends only to connected subscribers: wait until the SUB is there.
    while True:
        await announce.send_string("status hello")
        if await status.poll(timeout=100):
            assert await status.recv_string() == "status hello"
            break

    shuttle = asyncio.ensure_future(broker(frontend, backend, CLIENTS * REQUESTS))
    workers = [
        asyncio.ensure_future(worker(ctx, f"tcp://127.0.0.1:{back_port}", f"worker-{n}"))
        for n in range(WORKERS)
    ]
    clients = [
        client(ctx, f"tcp://127.0.0.1:{front_port}", f"client-{n}", announce)
        for n in range(CLIENTS)
    ]
    results = await asyncio.gather(*clients)
    await shuttle
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    for n, answers in enumerate(results):
        print(f"client-{n}: {answers}")
    done = sorted([await status.recv_string() for _ in range(CLIENTS)])
    print("\n".join(done))

    sockets = [frontend, backend, announce, status]
    for socket in sockets:
        socket.close()
    print(f"closed: {all(socket.closed for socket in sockets)}")
    ctx.term()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
