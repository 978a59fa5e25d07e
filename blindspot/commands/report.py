"""`blindspot report`: coverage by account and layer, from a snapshot alone.

Exit 1 when `--fail-under PCT` is given and the overall coverage of the selected layers is
below PCT, so a CI pipeline can gate on it. A snapshot with nothing to score (no resource
has a baseline control in the selected layers) passes, with a note on stderr: "no
resources" is not "0 % covered".
"""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import EXIT_OK, EXIT_THRESHOLD, UsageError
from snapshot.graph import CoverageGraph
from snapshot.io import open_snapshot
from snapshot.render.report import ReportError, build_report, render


def _note_inconsistencies(graph: CoverageGraph) -> None:
    """Say on stderr what the figures leave out, so an odd snapshot is not silently trusted."""
    if graph.duplicate_ids:
        sys.stderr.write(
            f"blindspot: note: {len(graph.duplicate_ids)} duplicate resource ids; "
            "the first occurrence of each was counted\n"
        )
    if graph.dangling_relationships:
        sys.stderr.write(
            f"blindspot: note: {len(graph.dangling_relationships)} relationships name "
            "resources that are not in the snapshot; they were left out of the graph\n"
        )


def run(args: argparse.Namespace) -> int:
    graph = CoverageGraph(open_snapshot(args.file, details=False))
    _note_inconsistencies(graph)
    try:
        report = build_report(graph, layers=args.layer, accounts=args.account)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(render(report, args.format))
    sys.stdout.flush()
    if args.fail_under is None:
        return EXIT_OK
    pct = report.overall.coverage_pct
    if pct is None:
        sys.stderr.write("blindspot: nothing to score in the selected layers; not failing\n")
        return EXIT_OK
    if pct < args.fail_under:
        sys.stderr.write(
            f"blindspot: coverage {pct:.1f}% is below the --fail-under threshold "
            f"{args.fail_under:g}%\n"
        )
        return EXIT_THRESHOLD
    return EXIT_OK
