"""Implementation of ``aiomq-bench``: libzmq-style perf tools and the ``compare`` command.

Private package; the public entry point is :mod:`aiomq.bench`. Modules, one concern each:

* :mod:`~aiomq._bench.errors` — :class:`BenchError`, the one exception the CLI reports.
* :mod:`~aiomq._bench.results` — result records and libzmq's exact output lines.
* :mod:`~aiomq._bench.loops` — running a coroutine on the default loop or uvloop.
* :mod:`~aiomq._bench.backends` — the implementation registry (aiomq, zmq.asyncio, pyzmq).
* :mod:`~aiomq._bench.impl_aiomq`, :mod:`~aiomq._bench.impl_zmq_asyncio`,
  :mod:`~aiomq._bench.impl_pyzmq` — the four perf roles for one library each.
* :mod:`~aiomq._bench.compare` — runs the roles in separate processes and collects results.
* :mod:`~aiomq._bench.report` — medians, ratios and the markdown tables.

Nothing here imports pyzmq or uvloop at import time.
"""
