"""The type checker is part of the test command: mypy, as configured in pyproject.toml.

`[tool.mypy]` names the packages (strict for `snapshot` and `tui`, a checked baseline for the
rest). Its incremental cache lives in the temporary folder, outside the tree, so a second
run takes seconds (the first, about half a minute on two cores).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "blindspot-mypy-cache"


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_mypy_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(CACHE), "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
