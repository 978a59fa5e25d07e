"""Performance figures for blindspot at organization scale.

Run every benchmark and print one table: ``python -m benchmarks`` (``--help`` for sizes
and suites). Each measured step runs in a fresh child process so that its peak memory is
its own (``ru_maxrss`` of that child, read with ``os.wait4``; tracemalloc would slow the
code it measures several-fold) and no step warms a cache for the next. Snapshots are made
by ``benchmarks.synthetic.generate`` from a seed, so the figures are reproducible.

Not part of the default test run: ``pytest`` collects ``tests/`` only and deselects the
``benchmark`` marker; ``pytest -m benchmark -s benchmarks`` runs the same suites.
"""
