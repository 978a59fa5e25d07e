"""The explorer's matrix read before the details: the lean pass and the index cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from benchmarks.synthetic import generate_document
from snapshot import browse
from snapshot.graph import CoverageGraph
from snapshot.index import cache
from snapshot.index.matrix import GROUPINGS
from snapshot.io import SnapshotError, open_snapshot, read_matrix
from snapshot.settings import SettingError


def _document() -> dict:
    """A small synthetic snapshot with what the matrix must count as the graph does."""
    document = generate_document(300, accounts=4, regions=2, seed=3)
    resources = document["resources"]
    first = resources[10]
    # A duplicate id with another account and no gaps: the first occurrence is kept.
    resources.append({**first, "account": "999999999999", "coverage": []})
    # Extended and not_applicable records do not count; a resource with none counts none.
    resources[20]["coverage"] = [
        {**record, "expectation": "extended"} for record in resources[20]["coverage"]
    ]
    resources[21]["coverage"] = [
        {**record, "status": "not_applicable"} for record in resources[21]["coverage"]
    ]
    # An account the snapshot names but holds no resource of: counted among the accounts.
    document["accounts"].append({"id": "888888888888", "name": "empty", "regions": ["us-east-1"]})
    return document


def _write(path: Path, document: dict) -> Path:
    path.write_bytes(orjson.dumps(document))
    return path


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("BLINDSPOT_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "PREVIEW_MIN_BYTES", 0)
    return home / "blindspot" / "matrix"


def _expected(path: Path) -> tuple[browse.SnapshotSummary, dict[str, list[browse.MatrixRow]]]:
    graph = CoverageGraph(open_snapshot(path))
    return browse.summary(graph), {by: browse.coverage_matrix(graph, by) for by in GROUPINGS}


def test_lean_pass_gives_the_graphs_figures(tmp_path):
    path = _write(tmp_path / "s.json", _document())
    summary, rows = _expected(path)
    preview = read_matrix(path)
    assert preview.summary == summary
    assert preview.rows == rows
    # 4 accounts, plus the one named without resources; not the duplicate's (first kept).
    assert (summary.accounts, summary.resources) == (5, 300)


def test_lean_pass_counts_like_the_graph_on_a_gzip_file(tmp_path):
    import gzip

    path = tmp_path / "s.json.gz"
    path.write_bytes(gzip.compress(orjson.dumps(_document())))
    summary, rows = _expected(path)
    preview = read_matrix(path)
    assert (preview.summary, preview.rows) == (summary, rows)


def test_lean_pass_refuses_an_unknown_status(tmp_path):
    document = _document()
    document["resources"][5]["coverage"][0]["status"] = "fine"
    path = _write(tmp_path / "s.json", document)
    with pytest.raises(SnapshotError) as lean:
        read_matrix(path)
    with pytest.raises(SnapshotError) as full:
        open_snapshot(path)
    assert "resources.5.coverage.0.status" in str(full.value)
    assert "\n" not in str(lean.value)


def _open(path: Path) -> tuple[list, object]:
    shown: list = []
    snapshot = cache.open_with_matrix(path, shown.append)
    return shown, snapshot


def test_first_open_writes_the_entry_and_the_second_reads_it(tmp_path, cache_home):
    path = _write(tmp_path / "s.json", _document())
    summary, rows = _expected(path)
    shown, snapshot = _open(path)
    assert len(shown) == 1 and not shown[0].cached
    assert len(snapshot.resources) == 313
    entries = list(cache_home.iterdir())
    assert len(entries) == 1 and oct(cache_home.stat().st_mode & 0o777) == "0o700"
    shown, _ = _open(path)
    assert shown[0].cached
    assert (shown[0].summary, shown[0].rows) == (summary, rows)


def test_a_changed_file_is_not_read_from_the_cache(tmp_path, cache_home):
    path = _write(tmp_path / "s.json", _document())
    _open(path)
    document = _document()
    document["resources"][0]["coverage"] = []
    _write(path, document)
    shown, _ = _open(path)
    assert not shown[0].cached
    assert (shown[0].summary, shown[0].rows) == _expected(path)


def test_an_entry_whose_content_digest_differs_is_removed(tmp_path, cache_home, monkeypatch):
    path = _write(tmp_path / "s.json", _document())
    _open(path)
    (entry,) = cache_home.iterdir()
    # Same identity (say, a file rewritten within the clock's resolution), other content:
    # the full read's digest differs from the entry's, so the entry goes.
    found = cache.identity(path)
    assert found is not None
    preview = cache.load(found)
    assert preview is not None
    cache.store(found, preview, "0" * 64)
    shown, _ = _open(path)
    assert shown[0].cached
    assert not entry.exists()
    shown, _ = _open(path)
    assert not shown[0].cached  # computed again, and written again
    assert entry.exists()


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not msgpack", b"\x81\xa8identity\x90", b"\xdd\xff\xff\xff\xff" + b"\x00" * 64],
)
def test_a_corrupt_entry_is_ignored_and_replaced(tmp_path, cache_home, garbage):
    path = _write(tmp_path / "s.json", _document())
    _open(path)
    (entry,) = cache_home.iterdir()
    entry.write_bytes(garbage)
    shown, _ = _open(path)
    assert not shown[0].cached
    assert (shown[0].summary, shown[0].rows) == _expected(path)
    assert entry.stat().st_size > 100  # written again


def test_another_files_entry_is_not_trusted(tmp_path, cache_home):
    """An entry copied in under this file's name (from elsewhere) holds another identity."""
    first = _write(tmp_path / "a.json", _document())
    document = _document()
    document["resources"] = document["resources"][:50]
    second = _write(tmp_path / "b.json", document)
    _open(first)
    (entry,) = cache_home.iterdir()
    found = cache.identity(second)
    assert found is not None
    (cache_home / found.name()).write_bytes(entry.read_bytes())
    shown, _ = _open(second)
    assert not shown[0].cached
    assert (shown[0].summary, shown[0].rows) == _expected(second)


def test_an_entry_with_impossible_figures_is_refused(tmp_path, cache_home):
    import msgspec

    path = _write(tmp_path / "s.json", _document())
    _open(path)
    (entry,) = cache_home.iterdir()
    data = msgspec.msgpack.decode(entry.read_bytes())
    data["totals"][0][0] = -5  # a negative count
    entry.write_bytes(msgspec.msgpack.encode(data))
    found = cache.identity(path)
    assert found is not None and cache.load(found) is None
    assert not entry.exists()


def test_an_unwritable_cache_folder_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "below"))
    monkeypatch.setattr(cache, "PREVIEW_MIN_BYTES", 0)
    path = _write(tmp_path / "s.json", _document())
    for _ in range(2):
        shown, snapshot = _open(path)
        assert not shown[0].cached and len(snapshot.resources) == 313


def test_the_cache_can_be_turned_off(tmp_path, cache_home, monkeypatch):
    monkeypatch.setenv("BLINDSPOT_NO_CACHE", "1")
    path = _write(tmp_path / "s.json", _document())
    _open(path)
    shown, _ = _open(path)
    assert not shown[0].cached and not cache_home.exists()


def test_a_small_file_is_read_in_one_step(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    path = _write(tmp_path / "s.json", _document())
    shown, snapshot = _open(path)
    assert shown == [] and len(snapshot.resources) == 313
    assert not (tmp_path / "home").exists()


def test_a_bad_file_shows_nothing_and_fails_as_before(tmp_path, cache_home):
    document = _document()
    document["resources"][7]["account"] = 12
    path = _write(tmp_path / "s.json", document)
    shown: list = []
    with pytest.raises(SnapshotError) as failed:
        cache.open_with_matrix(path, shown.append)
    with pytest.raises(SnapshotError) as direct:
        open_snapshot(path)
    assert str(failed.value) == str(direct.value)
    assert not cache_home.exists() or not list(cache_home.iterdir())


def test_old_entries_are_pruned(tmp_path, cache_home, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_ENTRIES", 2)
    for name in ("a", "b", "c"):
        _open(_write(tmp_path / f"{name}.json", _document()))
    assert len(list(cache_home.iterdir())) == 2


def test_a_malformed_size_limit_is_one_line(tmp_path, monkeypatch):
    path = _write(tmp_path / "s.json", _document())
    monkeypatch.setenv("BLINDSPOT_MAX_SNAPSHOT_BYTES", "4GB")
    with pytest.raises(SettingError, match="BLINDSPOT_MAX_SNAPSHOT_BYTES='4GB' is not usable"):
        open_snapshot(path)
    command = [sys.executable, "-m", "blindspot", "report", str(path)]
    env = {**os.environ, "BLINDSPOT_MAX_SNAPSHOT_BYTES": "4GB"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "BLINDSPOT_MAX_SNAPSHOT_BYTES" in result.stderr
