"""Implementation of ``aiomq-bench``: libzmq-style perf tools and the ``compare`` sweep.

Private package; the public entry point is :mod:`aiomq.bench`. Modules, one concern each:

* :mod:`~aiomq._bench.errors` — :class:`BenchError`, the one exception the CLI reports.
* :mod:`~aiomq._bench.results` — result records and libzmq's exact output lines.
* :mod:`~aiomq._bench.loops` — running a coroutine on the default loop or uvloop.
* :mod:`~aiomq._bench.backends` — the implementation registry and the roles each one plays.
* :mod:`~aiomq._bench.impl_aiomq`, :mod:`~aiomq._bench.impl_zmq_asyncio`,
  :mod:`~aiomq._bench.impl_pyzmq` — the perf, inproc and pub/sub roles for one library each.
* :mod:`~aiomq._bench.raw_protocol`, :mod:`~aiomq._bench.impl_raw` — ``asyncio-raw``, the
  bare framed-transport baseline: the ceiling of pure Python on the loop.
* :mod:`~aiomq._bench.pubsub` — the PUB → N SUB test's sync protocol.
* :mod:`~aiomq._bench.cases` — runs the roles of one case in separate processes.
* :mod:`~aiomq._bench.compare` — the sweep: what runs, in which order, with which counts.
* :mod:`~aiomq._bench.report` — medians, ratios, the markdown tables and the JSON.
* :mod:`~aiomq._bench.chart` — the PNG chart (matplotlib, optional).
* :mod:`~aiomq._bench.progress` — progress on stderr (rich, optional).
* :mod:`~aiomq._bench.cli_compare` — the ``compare`` options and output files.
* :mod:`~aiomq._bench.idle` — ``idle-conns``: the memory an idle connection costs.

Nothing here imports pyzmq, uvloop, rich or matplotlib at import time.
"""
