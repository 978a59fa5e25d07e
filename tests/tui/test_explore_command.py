"""`blindspot explore` with a file it cannot use: one line on stderr, exit 2, no UI."""

from __future__ import annotations

import pytest

from blindspot.cli import main


def _empty(path):
    path.write_text("")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.json", "no such file"),
        (lambda p: p, "is a folder"),
        (lambda p: _empty(p / "empty.json"), "empty file"),
    ],
    ids=["missing", "folder", "empty"],
)
def test_unreadable_file_is_one_line_and_exit_2(tmp_path, capsys, make, message):
    path = make(tmp_path)
    code = main(["explore", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_flags_reach_the_app(tmp_path, monkeypatch):
    from snapshot.io import save_snapshot
    from tui import app as app_module

    from .fixtures import build_snapshot

    path = save_snapshot(build_snapshot(), tmp_path / "s.json")
    seen = {}

    def fake_run(self, *, mouse=True, **kwargs):
        seen["mouse"] = mouse
        seen["ascii"] = self.ascii_only
        seen["path"] = self.path

    monkeypatch.setattr(app_module.BlindspotApp, "run", fake_run)
    assert main(["explore", "--no-mouse", "--ascii", str(path)]) == 0
    assert seen == {"mouse": False, "ascii": True, "path": path}
    assert main(["explore", str(path)]) == 0
    assert seen["mouse"] is True and seen["ascii"] is False


def test_corrupt_file_reported_after_the_worker_fails(tmp_path, capsys, monkeypatch):
    from tui import app as app_module

    path = tmp_path / "corrupt.json"
    path.write_text("{not json")

    def fake_run(self, *, mouse=True, **kwargs):
        self.load_error = f"{path}: not valid JSON"  # what the loading worker reports

    monkeypatch.setattr(app_module.BlindspotApp, "run", fake_run)
    assert main(["explore", str(path)]) == 2
    assert capsys.readouterr().err == f"blindspot: {path}: not valid JSON\n"
