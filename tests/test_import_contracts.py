"""The import-linter contracts in pyproject.toml hold: `collectors` never imports Textual,
and dependencies point one way (blindspot -> tui -> collectors)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("lint-imports")
    if executable is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [executable, "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_contracts_kept():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "collectors never import Textual" in result.stdout


def test_contract_catches_collectors_importing_textual(tmp_path):
    """The contract is live: a copy of the tree with one bad import fails it."""
    for package in ("blindspot", "tui", "collectors"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "collectors" / "bad_widget.py").write_text("import textual.widgets\n")
    env_path = str(tmp_path)
    result = subprocess.run(
        [shutil.which("lint-imports") or "lint-imports", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent)},
    )
    assert result.returncode != 0
    assert "collectors.bad_widget -> textual" in result.stdout
