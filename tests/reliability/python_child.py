"""A Python child process for the tests that measure memory or cap the address space.

The heavy cases run `python -c SCRIPT ARGS` from the repository root, so a runaway stays in
the child (its `RLIMIT_AS`) and its peak resident memory (VmHWM) is its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    script: str, *args: str, timeout: float, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """(result, seconds) of `python -c SCRIPT ARGS`, asserted to have exited 0."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    return result, seconds
