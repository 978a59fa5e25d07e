"""Hostile snapshot files through the command line: one stderr line, exit 2, no traceback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from factories import small_estate

from blindspot.cli import main
from snapshot.io import dump_snapshot


def _valid() -> dict:
    return json.loads(dump_snapshot(small_estate()))


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _wrong_types() -> bytes:
    doc = _valid()
    doc["resources"][0]["tags"] = ["not", "a", "map"]
    doc["relationships"] = {"source": 1}
    return json.dumps(doc).encode()


def _newer() -> bytes:
    doc = _valid()
    doc["schema_version"] = 99
    return json.dumps(doc).encode()


def _nested_in_field() -> bytes:
    doc = _valid()
    deep: object = "x"
    for _ in range(900):
        deep = {"a": deep}
    doc["resources"][0]["tags"] = deep
    return json.dumps(doc).encode()


HOSTILE = {
    "empty": lambda: b"",
    "whitespace": lambda: b"   \n\t ",
    "truncated-gzip": lambda: gzip.compress(dump_snapshot(small_estate()))[:40],
    "gzip-of-garbage": lambda: gzip.compress(b"\x00\x01 not json"),
    "truncated-json": lambda: dump_snapshot(small_estate())[:300],
    "invalid-utf8": lambda: b'{"schema_version": 1, "scope": {"source": "\xc3\x28"}}',
    "top-level-array": lambda: b"[]",
    "top-level-string": lambda: b'"snapshot"',
    "wrong-types": _wrong_types,
    "newer-schema": _newer,
    "schema-version-as-string": lambda: b'{"schema_version": "1", "scope": {"source": "x"}}',
    "no-scope": lambda: b'{"schema_version": 1}',
    "deeply-nested": lambda: b"[" * 200_000 + b"]" * 200_000,
    "deeply-nested-field": _nested_in_field,
    "nul-bytes": lambda: b"\x00" * 100,
}

COMMANDS = {
    "report": lambda f: ["report", f],
    "trace": lambda f: ["trace", f, "vpc-1"],
    "export": lambda f: ["export", f, "--format", "graphml", "-o", f + ".out"],
    "diff-old": lambda f: ["diff", f, f],
}


def _assert_one_line(capsys, argv):
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("blindspot: ")
    assert "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file_with_report(capsys, tmp_path, kind):
    path = _write(tmp_path / f"{kind}.json", HOSTILE[kind]())
    _assert_one_line(capsys, ["report", str(path)])


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", ["truncated-json", "newer-schema", "top-level-array"])
def test_hostile_file_with_every_command(capsys, tmp_path, kind, command):
    path = _write(tmp_path / f"{kind}.json", HOSTILE[kind]())
    _assert_one_line(capsys, COMMANDS[command](str(path)))


def test_diff_with_good_old_and_bad_new(capsys, tmp_path):
    good = _write(tmp_path / "good.json", dump_snapshot(small_estate()))
    bad = _write(tmp_path / "bad.json", b"{")
    err = _assert_one_line(capsys, ["diff", str(good), str(bad)])
    assert "bad.json" in err


def test_missing_file(capsys, tmp_path):
    err = _assert_one_line(capsys, ["report", str(tmp_path / "absent.json")])
    assert "no such file" in err


def test_folder(capsys, tmp_path):
    err = _assert_one_line(capsys, ["trace", str(tmp_path), "x"])
    assert "folder" in err


def test_messages_name_the_problem(capsys, tmp_path):
    cases = {
        "newer-schema": "newer",
        "truncated-gzip": "gzip",
        "invalid-utf8": "UTF-8",
        "top-level-array": "top level",
        "empty": "empty",
    }
    for kind, words in cases.items():
        path = _write(tmp_path / f"{kind}.json", HOSTILE[kind]())
        assert words in _assert_one_line(capsys, ["report", str(path)])


def test_bad_flags_are_one_line(capsys, tmp_path):
    good = str(_write(tmp_path / "good.json", dump_snapshot(small_estate())))
    for argv in (
        ["report", good, "--fail-under", "150"],
        ["report", good, "--layer", "kitchen"],
        ["trace", good, "vpc-1", "--depth", "-1"],
        ["export", good, "--format", "svg", "-o", "x"],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.slow
def test_subprocess_never_prints_a_traceback(tmp_path):
    """The real console entry point, end to end, on a truncated gzip file."""
    path = _write(tmp_path / "t.json.gz", HOSTILE["truncated-gzip"]())
    result = subprocess.run(
        [sys.executable, "-m", "blindspot", "report", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
