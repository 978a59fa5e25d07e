"""`blindspot diff`: coverage that appeared, disappeared or changed between two snapshots.

Always exits 0 when both snapshots load: a difference is a finding, not a failure.
"""

from __future__ import annotations

import argparse
import sys

from snapshot.io import load_snapshot
from snapshot.render.diff import diff_snapshots, iter_render


def run(args: argparse.Namespace) -> int:
    old = load_snapshot(args.old)
    new = load_snapshot(args.new)
    write = sys.stdout.write
    for piece in iter_render(diff_snapshots(old, new), args.format):  # JSON: one change at a time
        write(piece)
    return 0
