"""Hostile `--config-files`: gzip bombs, deep nesting, too many bytes; one line each.

Delivered Config files come from a bucket someone else can write to. Without limits a
gzip bomb reached MemoryError and 100k nested arrays a RecursionError traceback. Now
(collectors/inventory/file_reading.py) each such file is one error entry naming it, and the
other files are read. The bomb runs in a child process whose peak resident memory (VmHWM)
is measured.

Each test fails with its protection patched out (checked by hand, see
docs/notes/issue-15.md): `read_bounded` without its size check, `check_depth` returning at
once (json.loads then raises RecursionError, which nothing catches), `TotalBudget` never
spent.
"""

from __future__ import annotations

import gzip
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from python_child import run_python

from collectors.inventory.config_files import ConfigFilesSource

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests/data/config/delivered/AWSLogs/444455556666/Config/eu-west-1/2026/11/29"
ACCOUNT, REGION = "444455556666", "eu-west-1"
MiB = 1024 * 1024


def good_copy(folder: Path, name: str = "good.json") -> Path:
    source = next(GOOD.rglob("*.json"))
    target = folder / "AWSLogs" / ACCOUNT / "Config" / REGION / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def bad_file(folder: Path, name: str, data: bytes) -> Path:
    target = folder / "AWSLogs" / ACCOUNT / "Config" / REGION / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def errors_and_resources(folder: Path) -> tuple[list[str], int]:
    inventories = ConfigFilesSource([str(folder)]).collect_all()
    errors = [e.message for inv in inventories for e in inv.errors]
    return errors, sum(len(inv.resources) for inv in inventories)


def test_deep_nesting_is_one_error_and_the_rest_is_read(tmp_path) -> None:
    good_copy(tmp_path)
    deep = b'{"configurationItems": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    bad_file(tmp_path, "deep.json", deep)
    errors, resources = errors_and_resources(tmp_path)
    assert resources == 2
    assert len(errors) == 1 and "deep.json" in errors[0] and "nested deeper" in errors[0]
    assert "\n" not in errors[0]


def test_deep_nesting_inside_an_item_is_refused_too(tmp_path) -> None:
    item = '{"resourceType": "AWS::S3::Bucket", "configuration": ' + "[" * 5000 + "]" * 5000
    bad_file(tmp_path, "deep-item.json", f'{{"configurationItems": [{item}}}]}}'.encode())
    errors, _ = errors_and_resources(tmp_path)
    assert len(errors) == 1 and "nested deeper" in errors[0]


def test_a_plain_file_over_the_limit_is_refused_by_its_size(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BLINDSPOT_CONFIG_FILE_MAX_BYTES", str(64 * 1024))
    good_copy(tmp_path)
    bad_file(tmp_path, "big.json", b'{"configurationItems": []' + b" " * (200 * 1024) + b"}")
    errors, resources = errors_and_resources(tmp_path)
    assert resources == 2
    assert len(errors) == 1 and "big.json" in errors[0] and "limit per file" in errors[0]


def test_the_total_limit_refuses_files_past_it_one_line_each(tmp_path, monkeypatch) -> None:
    size = good_copy(tmp_path, "a.json").stat().st_size
    good_copy(tmp_path, "b.json")
    good_copy(tmp_path, "c.json")
    monkeypatch.setenv("BLINDSPOT_CONFIG_FILES_MAX_TOTAL_BYTES", str(int(size * 1.5)))
    errors, resources = errors_and_resources(tmp_path)
    assert resources == 2  # a.json read; b.json and c.json are the same resources anyway
    assert len(errors) == 2 and all("total size limit" in e for e in errors)
    assert {e.split(": ")[0].rsplit("/", 1)[-1] for e in errors} == {"b.json", "c.json"}


def test_a_malformed_limit_variable_is_one_line(tmp_path, monkeypatch) -> None:
    from snapshot.settings import SettingError

    monkeypatch.setenv("BLINDSPOT_CONFIG_FILE_MAX_BYTES", "lots")
    good_copy(tmp_path)
    with pytest.raises(SettingError, match="BLINDSPOT_CONFIG_FILE_MAX_BYTES"):
        errors_and_resources(tmp_path)


CHILD = textwrap.dedent(
    """
    import resource, sys
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from collectors.inventory.config_files import ConfigFilesSource
    inventories = ConfigFilesSource([sys.argv[1]]).collect_all()
    errors = [e.message for inv in inventories for e in inv.errors]
    print(sum(len(inv.resources) for inv in inventories), len(errors))
    print(errors[0] if errors else "")
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(peak_kb * 1024)
    """
)


def write_bomb(path: Path, inflated: int) -> None:
    """A .json.gz of a few MB that inflates to `inflated` bytes (spaces inside a document).

    gzip allows members end to end, and readers inflate them as one stream: one member of
    64 MiB of spaces, compressed once and written many times, makes the bomb in a second.
    """
    spaces = gzip.compress(b" " * (64 * MiB), compresslevel=9, mtime=0)
    with path.open("wb") as handle:
        handle.write(gzip.compress(b'{"configurationItems": [', mtime=0))
        for _ in range(inflated // (64 * MiB)):
            handle.write(spaces)
        handle.write(gzip.compress(b"]}", mtime=0))


@pytest.mark.slow
def test_a_gzip_bomb_is_refused_while_it_inflates(tmp_path) -> None:
    good_copy(tmp_path)
    bomb = tmp_path / "AWSLogs" / ACCOUNT / "Config" / REGION / "bomb.json.gz"
    write_bomb(bomb, 2 * 1024 * MiB)
    assert bomb.stat().st_size < 16 * MiB
    result, elapsed = run_python(CHILD, str(tmp_path), str(6 * 1024 * MiB), timeout=300)
    counts, message, peak = result.stdout.strip().splitlines()
    assert counts == "2 1"  # the good file's resources, and one error: the bomb's
    assert "bomb.json.gz" in message and "limit per file" in message
    assert int(peak) < 1024 * MiB, f"{int(peak) // MiB} MiB"  # the bound: 1.5 GB
    assert elapsed < 60, elapsed
    print(json.dumps({"peak_mib": int(peak) // MiB, "seconds": round(elapsed, 1)}))
