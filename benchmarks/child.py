"""Entry point of a measured child process: ``python -m benchmarks.child STEP ARGS...``.

Steps are looked up in the step modules; each returns a dict of figures, written as JSON
to the file the parent named in ``BLINDSPOT_BENCH_RESULT``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def write_result(figures: dict[str, Any]) -> bool:
    """Write `figures` as JSON to the file the parent named in ``BLINDSPOT_BENCH_RESULT``;
    False when it named none (the step was run by hand)."""
    path = os.environ.get("BLINDSPOT_BENCH_RESULT")
    if not path:
        return False
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(figures, handle)
    return True


def main(argv: list[str]) -> int:
    from . import aggregator_steps, collect_steps, explorer_steps, org_scale_steps, snapshot_steps

    steps = {
        **snapshot_steps.STEPS,
        **explorer_steps.STEPS,
        **collect_steps.STEPS,
        **aggregator_steps.STEPS,
        **org_scale_steps.STEPS,
    }
    name, *args = argv
    figures = steps[name](*args)
    if not write_result(figures):
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
