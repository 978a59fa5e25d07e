"""`blindspot explore FILE`: the explorer on a snapshot file.

The file is checked before the UI starts (it exists, is a file, can be opened), so the
common mistakes end with one line on stderr and exit 2 without a flash of the UI; parsing a
large file then happens inside the app, in a worker after the first frame. If parsing
fails there, the app closes and the same one-line error and exit code 2 follow.

BLINDSPOT_KEYMAP remaps keys by binding id, e.g. `BLINDSPOT_KEYMAP="list.gaps=G,app.quit=ctrl+q"`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from blindspot.cli import EXIT_USAGE, UsageError
from snapshot.sanitize import clean_single_line


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not a snapshot file")
    try:
        with path.open("rb") as handle:
            head = handle.read(1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not head:
        raise UsageError(f"{path}: empty file")


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    _check_readable(path)
    if args.no_mouse:
        # Over SSH, smooth scrolling costs ~200 ms of frames per page (tui-anchors.md 5).
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    from tui.app import BlindspotApp, parse_keymap

    keymap, problems = parse_keymap(os.environ.get("BLINDSPOT_KEYMAP", ""))
    if problems:  # a warning, not an error: the explorer still opens, with the valid entries
        sys.stderr.write(
            f"blindspot: warning: BLINDSPOT_KEYMAP: {'; '.join(problems)} "
            "(also listed by ? in the explorer)\n"
        )
    app = BlindspotApp(path, ascii_only=args.ascii, keymap=keymap or None)
    app.run(mouse=not args.no_mouse)
    if app.load_error:
        sys.stderr.write(f"blindspot: {clean_single_line(app.load_error)}\n")
        return EXIT_USAGE
    return app.return_code or 0
