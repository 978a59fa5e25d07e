"""The import-linter contracts in pyproject.toml hold: the explorer never imports collection
code, neither collection nor the snapshot side imports Textual or Rich, and dependencies point
one way (blindspot -> tui | collectors -> snapshot)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("blindspot", "tui", "collectors", "snapshot")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("lint-imports")
    if executable is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [executable, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent)},
    )


def _tree_with(tmp_path: Path, bad_module: str, source: str) -> Path:
    """A copy of the source tree with one extra module, so a contract can be seen to fail."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / Path(*bad_module.split("."))).with_suffix(".py").write_text(source)
    return tmp_path


def test_contracts_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("bad_module", "source", "broken"),
    [
        ("collectors.bad_widget", "import textual.widgets\n", "collectors.bad_widget -> textual"),
        ("snapshot.bad_console", "import rich.console\n", "snapshot.bad_console -> rich"),
        ("tui.bad_probe", "import collectors.collect\n", "tui.bad_probe -> collectors.collect"),
        ("snapshot.bad_layer", "import tui.app\n", "snapshot.bad_layer -> tui.app"),
    ],
)
def test_contract_catches_a_bad_import(tmp_path, bad_module, source, broken):
    """Each contract is live: a copy of the tree with one bad import fails it."""
    result = _lint_imports(_tree_with(tmp_path, bad_module, source))
    assert result.returncode != 0
    assert broken in result.stdout
