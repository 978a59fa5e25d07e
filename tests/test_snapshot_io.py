"""Snapshot files: round trips, atomic writes, and every way a file can be unusable."""

from __future__ import annotations

import gzip
import json
import os
from functools import partial

import pytest
from factories import INSTANCE, small_estate

from snapshot.io import (
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    open_snapshot,
    parse_snapshot,
    save_snapshot,
    write_bytes_atomic,
)
from snapshot.model import Snapshot


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
def test_round_trip(tmp_path, name):
    original = small_estate()
    path = save_snapshot(original, tmp_path / name)
    loaded = load_snapshot(path)
    assert loaded.model_dump(mode="json") == original.model_dump(mode="json")
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b'{"')


def test_gzip_detected_by_content_not_name(tmp_path):
    path = tmp_path / "snap.json"  # gzip data under a .json name still loads
    path.write_bytes(gzip.compress(dump_snapshot(small_estate())))
    assert len(load_snapshot(path).resources) == len(small_estate().resources)


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.json"
    save_snapshot(small_estate(), target)
    save_snapshot(small_estate(), target)  # overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_failed_write_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_control_characters_neutralised_on_load(tmp_path):
    snap = small_estate()
    document = json.loads(dump_snapshot(snap))
    for r in document["resources"]:
        if r["id"] == INSTANCE:
            r["name"] = "evil\x1b]52;c;ZWNobyBoaQ==\x07name\u202e"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(document))
    loaded = load_snapshot(path)
    name = next(r.name for r in loaded.resources if r.id == INSTANCE)
    assert "\x1b" not in name and "\x07" not in name and "\u202e" not in name
    assert name.startswith("evil") and name.endswith("\ufffd")


READERS = {
    "load": load_snapshot,
    "open": open_snapshot,
    "open-lean": partial(open_snapshot, details=False),
}


@pytest.fixture(params=list(READERS))
def read(request):
    """Each way of reading a file: every error below must come out of each alike."""
    return READERS[request.param]


def _error(path, read=load_snapshot) -> str:
    with pytest.raises(SnapshotError) as info:
        read(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path, read):
    assert "no such file" in _error(tmp_path / "nope.json", read)


def test_folder(tmp_path, read):
    assert "folder" in _error(tmp_path, read)


def test_empty_file(tmp_path, read):
    (tmp_path / "e.json").write_bytes(b"")
    assert "empty" in _error(tmp_path / "e.json", read)


def test_truncated_gzip(tmp_path, read):
    data = gzip.compress(dump_snapshot(small_estate()))
    (tmp_path / "t.json.gz").write_bytes(data[: len(data) // 2])
    assert "gzip" in _error(tmp_path / "t.json.gz", read)


def test_truncated_json(tmp_path, read):
    data = dump_snapshot(small_estate())
    (tmp_path / "t.json").write_bytes(data[: len(data) // 2])
    assert "not valid JSON" in _error(tmp_path / "t.json", read)


def test_invalid_utf8(tmp_path, read):
    (tmp_path / "u.json").write_bytes(b'{"schema_version": 1, "x": "\xff\xfe"}')
    assert "UTF-8" in _error(tmp_path / "u.json", read)


def test_top_level_array(tmp_path, read):
    (tmp_path / "a.json").write_text("[1, 2, 3]")
    assert "top level" in _error(tmp_path / "a.json", read)


def test_wrong_types(tmp_path, read):
    document = json.loads(dump_snapshot(small_estate()))
    document["resources"][0]["coverage"] = "lots"
    (tmp_path / "w.json").write_text(json.dumps(document))
    message = _error(tmp_path / "w.json", read)
    assert "resources.0.coverage" in message


def test_bad_status_value(tmp_path, read):
    document = json.loads(dump_snapshot(small_estate()))
    document["resources"][1]["coverage"][0]["status"] = "great"
    (tmp_path / "s.json").write_text(json.dumps(document))
    assert "status" in _error(tmp_path / "s.json", read)


def test_newer_schema_version(tmp_path, read):
    document = json.loads(dump_snapshot(small_estate()))
    document["schema_version"] = 2
    (tmp_path / "n.json").write_text(json.dumps(document))
    assert "newer" in _error(tmp_path / "n.json", read)


def test_missing_schema_version(tmp_path, read):
    (tmp_path / "m.json").write_text('{"resources": []}')
    assert "schema_version" in _error(tmp_path / "m.json", read)


def test_deeply_nested_json(tmp_path, read):
    (tmp_path / "d.json").write_text("[" * 100_000 + "]" * 100_000)
    _error(tmp_path / "d.json", read)
    nested = '{"schema_version": 1, "scope": {"source": "api"}, "x": ' + "[" * 5000 + "]" * 5000
    (tmp_path / "d2.json").write_text(nested + "}")
    _error(tmp_path / "d2.json", read)


def test_unknown_keys_ignored():
    document = json.loads(dump_snapshot(small_estate()))
    document["future_key"] = {"anything": True}
    document["resources"][0]["future_field"] = 1
    snap = parse_snapshot(json.dumps(document))
    assert isinstance(snap, Snapshot)


def test_garbage_collector_resumed_after_load_and_after_errors(tmp_path):
    import gc

    assert gc.isenabled()
    path = save_snapshot(small_estate(), tmp_path / "ok.json")
    load_snapshot(path)
    assert gc.isenabled()
    document = json.loads(dump_snapshot(small_estate()))
    document["resources"] = "broken"
    with pytest.raises(SnapshotError):
        parse_snapshot(json.dumps(document))
    assert gc.isenabled()
