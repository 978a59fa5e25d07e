"""`pytest -m benchmark -s benchmarks`: the same run as `python -m benchmarks`.

Not part of the default test run (`testpaths` is `tests/`, and `addopts` deselects the
`benchmark` marker). Arguments for the run can be given in BLINDSPOT_BENCH_ARGS, e.g.
``BLINDSPOT_BENCH_ARGS="--sizes 10k --suites snapshot,explorer"``. The test fails only
when a step crashed; missed targets are figures to read, marked MISSED in the table.
"""

from __future__ import annotations

import os
import shlex

import pytest

from benchmarks.__main__ import main


@pytest.mark.benchmark
def test_every_benchmark_runs_and_prints_its_figures(capsys):
    args = shlex.split(os.environ.get("BLINDSPOT_BENCH_ARGS", ""))
    with capsys.disabled():
        assert main(args) == 0, "a benchmark step failed; see the error rows of the table"
