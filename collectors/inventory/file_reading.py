"""Bounded reading of `--config-files`: a hostile file costs one error line, not the run.

Delivered Config files come from a bucket that someone else may write to. Read naively, a
4 MB gzip bomb inflated until MemoryError and 100k nested arrays ended in a RecursionError
traceback. Here:

* the decompressed size is counted while the file streams, chunk by chunk, and the read
  stops at `max_file_bytes` (a plain file is refused by its size before it is read), so
  what is held is at most the limit, never the whole inflated bomb;
* nesting deeper than `MAX_DEPTH` is refused before parsing (a bracket count over the raw
  bytes, done in C by `bytes.translate`), so neither the JSON parser nor any later walk of
  the items can recurse past Python's limit;
* `TotalBudget` caps the decompressed bytes of all files of a run together, so ten thousand
  large files cannot take the machine either: files past it are refused, one line each.

Every refusal is a `FileLimitError` (a `ValueError`) whose text is one line: the caller
records it as that file's error entry and goes on with the rest.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snapshot.settings import env_number

MiB = 1024 * 1024
#: Default decompressed bytes of one file. Delivered Config files of even large accounts
#: are tens of MB; parsing costs several times the text, so the limit also bounds memory.
DEFAULT_MAX_FILE_BYTES = 256 * MiB
#: Default decompressed bytes of all the files of one run.
DEFAULT_MAX_TOTAL_BYTES = 4096 * MiB
#: Deepest nesting of arrays and objects accepted: Config items nest a few tens deep
#: (policies inside configuration); Python's parser recurses once per level.
MAX_DEPTH = 200
CHUNK = 1 * MiB
GZIP_MAGIC = b"\x1f\x8b"


class FileLimitError(ValueError):
    """A file refused or unreadable; the message is one line, without the file name."""


def max_file_bytes() -> int:
    return int(
        env_number("BLINDSPOT_CONFIG_FILE_MAX_BYTES", DEFAULT_MAX_FILE_BYTES, minimum=1, whole=True)
    )


def max_total_bytes() -> int:
    return int(
        env_number(
            "BLINDSPOT_CONFIG_FILES_MAX_TOTAL_BYTES", DEFAULT_MAX_TOTAL_BYTES, minimum=1, whole=True
        )
    )


@dataclass
class TotalBudget:
    """Decompressed bytes still allowed for the files of one run."""

    left: int

    @classmethod
    def from_environment(cls) -> TotalBudget:
        return cls(max_total_bytes())


def _human(size: int) -> str:
    return f"{size / MiB:.0f} MiB" if size >= MiB else f"{size} bytes"


def read_bounded(path: Path, limit: int, budget: TotalBudget | None = None) -> bytearray:
    """The (decompressed) bytes of `path`, refused past `limit` or past the run's budget."""
    allowed = limit if budget is None else min(limit, budget.left)
    if budget is not None and budget.left <= 0:
        raise FileLimitError("skipped: the files read so far reached the total size limit")
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC or path.name.endswith(".gz")
            raw.seek(0)
            if not compressed and path.stat().st_size > allowed:
                raise FileLimitError(_too_big(allowed, limit))
            stream = gzip.GzipFile(fileobj=raw) if compressed else raw
            data = bytearray()
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                data += chunk
                if len(data) > allowed:
                    raise FileLimitError(_too_big(allowed, limit, inflated=compressed))
    except FileNotFoundError:
        raise FileLimitError("no such file") from None
    except IsADirectoryError:
        raise FileLimitError("is a folder") from None
    except (OSError, EOFError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise FileLimitError(f"unreadable gzip or file: {reason}") from None
    if budget is not None:
        budget.left -= len(data)
    return data


def _too_big(allowed: int, limit: int, *, inflated: bool = False) -> str:
    what = "inflates past" if inflated else "is larger than"
    if allowed < limit:
        return f"{what} the {_human(allowed)} left of the total size limit (refused)"
    return f"{what} the {_human(limit)} limit per file (refused; BLINDSPOT_CONFIG_FILE_MAX_BYTES)"


#: A JSON string (unrolled loop: no alternation per character).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(i for i in range(256) if i not in b"[]{}")


def check_depth(data: bytes | bytearray, max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `max_depth` (brackets inside strings do not count).

    The brackets alone are kept (in C), then innermost pairs are peeled off a level at a
    time with `bytes.replace`: a real file is empty after a few levels; what remains after
    `max_depth` levels is measured exactly (it is small: the deep part of a bomb). Brackets
    inside strings can only make the first pass overestimate, so only a file it refuses is
    measured again without its strings.
    """
    if _depth(data.translate(None, _NOT_BRACKETS), max_depth) <= max_depth:
        return
    if b'"' in data and _depth(_without_strings(data), max_depth) <= max_depth:
        return
    raise FileLimitError(f"nested deeper than {max_depth} levels (refused)")


def _without_strings(data: bytes | bytearray) -> bytes:
    return _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)


def _depth(structure: bytes | bytearray, max_depth: int) -> int:
    """The nesting depth of a string of brackets (exact up to `max_depth`, then a bound)."""
    peeled = 0
    while structure and peeled <= max_depth:
        shorter = structure.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(structure):
            break  # unbalanced or mismatched: measure what is left
        structure, peeled = shorter, peeled + 1
    depth = deepest = 0
    for run in re.finditer(rb"[\[{]+|[\]}]+", structure):
        length = run.end() - run.start()
        depth += length if structure[run.start()] in b"[{" else -length
        deepest = max(deepest, depth)
    return peeled + deepest


def load_json_bounded(
    path: Path, *, limit: int | None = None, budget: TotalBudget | None = None
) -> Any:
    """The JSON document in `path`, read within the limits; `FileLimitError` otherwise."""
    data = read_bounded(path, max_file_bytes() if limit is None else limit, budget)
    check_depth(data)
    try:
        return json.loads(data)
    except RecursionError:  # cannot happen after check_depth; kept as the last guard
        raise FileLimitError("nested too deeply to read") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileLimitError(f"invalid JSON: {str(exc)[:200]}") from None
