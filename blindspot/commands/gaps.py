"""`blindspot gaps`: the missing and unknown baseline controls, each with its filled-in fix."""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import EXIT_OK, UsageError
from blindspot.encoding import stdout_is_unicode
from snapshot.graph import CoverageGraph
from snapshot.io import load_snapshot
from snapshot.render.gaps import build_gaps, render
from snapshot.render.report import ReportError


def run(args: argparse.Namespace) -> int:
    graph = CoverageGraph(load_snapshot(args.file))
    try:
        rows = build_gaps(graph, layers=args.layer, accounts=args.account)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    as_of = graph.snapshot.as_of
    sys.stdout.write(
        render(
            rows,
            args.format,
            ascii_only=not stdout_is_unicode(),
            as_of=as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None,
        )
    )
    return EXIT_OK
