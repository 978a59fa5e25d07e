"""`blindspot trace`: the resources related to one resource, with their gaps."""

from __future__ import annotations

import argparse
import sys

from snapshot.graph import CoverageGraph
from snapshot.io import open_snapshot
from snapshot.render.trace import render


def _stdout_is_unicode() -> bool:
    """False when stdout cannot encode the status symbols (a C/POSIX locale bastion)."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓◐✗├─└│→←⚠".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def run(args: argparse.Namespace) -> int:
    graph = CoverageGraph(open_snapshot(args.file))
    root = graph.resolve(args.resource)  # ResolveError -> one line, exit 2
    trace = graph.trace(
        root, args.depth, relationship_names=args.relationship, resource_types=args.types
    )
    sys.stdout.write(render(trace, args.format, ascii_only=not _stdout_is_unicode()))
    return 0
