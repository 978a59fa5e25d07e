"""Run one measured step in a fresh child process and read its time and peak memory.

The child is ``python -m benchmarks.child STEP ARGS...`` (or any command, for the
end-to-end ``blindspot`` runs); it writes its own figures as JSON to the file named in
``BLINDSPOT_BENCH_RESULT``. The parent reaps it with ``os.wait4``, whose ``ru_maxrss`` is
the child's peak resident set size (kilobytes on Linux): the memory figure of the step,
measured without slowing it down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class StepResult:
    name: str
    wall_s: float
    peak_mb: float
    returncode: int
    figures: dict[str, Any] = field(default_factory=dict)
    stderr_tail: str = ""
    #: CPU seconds of the child (user + system): less moved by other work on the machine.
    cpu_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_command(
    name: str, argv: list[str], *, timeout: float | None = None, env: dict[str, str] | None = None
) -> StepResult:
    """Run `argv` (stdout discarded), returning wall time, peak RSS and the child's figures."""
    with tempfile.NamedTemporaryFile(prefix="bench-", suffix=".json", delete=False) as handle:
        result_path = handle.name
    child_env = {**os.environ, **(env or {}), "BLINDSPOT_BENCH_RESULT": result_path}
    child_env["PYTHONPATH"] = ROOT + os.pathsep + child_env.get("PYTHONPATH", "")
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=ROOT, env=child_env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        stderr.seek(0)
        tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
    process.returncode = os.waitstatus_to_exitcode(status)
    figures: dict[str, Any] = {}
    try:
        with open(result_path, encoding="utf-8") as handle:
            text = handle.read()
        if text:
            figures = json.loads(text)
    finally:
        os.unlink(result_path)
    return StepResult(
        name=name,
        wall_s=wall,
        peak_mb=usage.ru_maxrss / 1024,
        cpu_s=usage.ru_utime + usage.ru_stime,
        returncode=process.returncode,
        figures=figures,
        stderr_tail="\n".join(tail),
    )


def run_step(name: str, step: str, *args: object, timeout: float | None = None) -> StepResult:
    """Run a step function of `benchmarks.child` in its own process."""
    argv = [sys.executable, "-m", "benchmarks.child", step, *map(str, args)]
    return run_command(name, argv, timeout=timeout)


def run_blindspot(name: str, *args: object, timeout: float | None = None) -> StepResult:
    """Run the `blindspot` command line end to end, as a user would."""
    argv = [sys.executable, "-m", "blindspot", *map(str, args)]
    return run_command(name, argv, timeout=timeout)
