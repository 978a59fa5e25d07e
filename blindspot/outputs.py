"""Check an output path before any work: a collection must not be lost to a typo in `-o`.

`collect -o missing-folder/x.json` used to collect for the whole run and then fail to
write; `-o` onto a device node replaced the node with a regular file (the atomic write
renames a temporary file over it). So every command that writes a file checks its path
first: `cli.main` does it for every `-o/--output`, and `check_output(path)` is the one call
for any other path a command writes.

What is checked, and why each:

* the folder exists and is a folder: the snapshot is written next to it, atomically;
* the folder is writable (the temporary file is created there, even when the target
  exists and is itself writable);
* the target, when it exists, is a regular file: not a folder, and not a device node,
  FIFO or socket (writing through a FIFO would block; renaming over a device replaces it);
* an existing target is writable.

`-` means standard output and is always accepted. The check is a courtesy, not a lock:
the write still reports whatever happens between the check and the write.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from blindspot.cli import UsageError
from snapshot.sanitize import clean_single_line

STDOUT = "-"


class OutputError(UsageError):
    """An output path that cannot be written; one line, exit 2."""


def _shown(path: str | os.PathLike[str]) -> str:
    """A path as it may be printed: a file name can hold terminal escapes and newlines."""
    return clean_single_line(os.fsdecode(path))


def problem(path: str | os.PathLike[str]) -> str:
    """Why `path` cannot be written, or "" when it can (as far as can be told now)."""
    target = Path(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return exc.strerror or str(exc)
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            return "it is a folder; give a file name"
        if not stat.S_ISREG(info.st_mode):
            return "it is not a regular file (a device, FIFO or socket); refusing to replace it"
        if not os.access(target, os.W_OK):
            return "the file is not writable"
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder_info = folder.stat()
    except FileNotFoundError:
        return f"the folder {_shown(folder)} does not exist"
    except OSError as exc:
        return f"the folder {_shown(folder)}: {exc.strerror or exc}"
    if not stat.S_ISDIR(folder_info.st_mode):
        return f"{_shown(folder)} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {_shown(folder)} is not writable"
    return ""


def check_output(path: str | os.PathLike[str] | None, *, option: str = "-o") -> None:
    """Raise `OutputError` (one line, exit 2) unless `path` can be written; `-` is stdout."""
    if path is None or os.fsdecode(path) == STDOUT:
        return
    if not os.fsdecode(path):
        raise OutputError(f"{option} needs a file name")
    reason = problem(path)
    if reason:
        raise OutputError(f"cannot write {_shown(path)} ({option}): {reason}")
