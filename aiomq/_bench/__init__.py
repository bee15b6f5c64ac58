"""Implementation of ``aiomq-bench``: libzmq-style perf tools and the ``compare`` sweep.

Private package; the public entry point is ``aiomq.bench``. Modules, one concern each:

* ``errors`` — ``BenchError``, the one exception the CLI reports.
* ``deps`` — the optional libraries (the ``bench`` extra) and how to tell one is there.
* ``results`` — result records and libzmq's exact output lines.
* ``loops`` — running a coroutine on the default loop or uvloop.
* ``backends`` — the implementation registry and the roles each one plays.
* ``impl_aiomq``, ``impl_zmq_asyncio``, ``impl_pyzmq`` — the perf, inproc and pub/sub roles
  for one library each.
* ``raw_protocol``, ``impl_raw`` — ``asyncio-raw``, the bare framed-transport baseline: the
  ceiling of pure Python on the loop.
* ``pubsub`` — the PUB → N SUB test's sync protocol.
* ``cases`` — runs the roles of one case in separate processes.
* ``compare`` — the sweep: what runs, in which order, with which counts.
* ``report`` — medians, ratios, the markdown tables and the JSON.
* ``chart`` — the PNG chart (matplotlib, optional).
* ``progress`` — progress on stderr (rich, optional).
* ``cli_compare`` — the ``compare`` options and output files.
* ``idle`` — ``idle-conns``: the memory an idle connection costs.

Nothing here imports pyzmq, uvloop, rich or matplotlib at import time.
"""
