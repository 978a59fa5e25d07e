"""`blindspot incident`: the logs that hold an incident window for a resource and its
neighbours, where they are, and the queries to pull them (snapshot/incident.py)."""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import EXIT_OK, UsageError
from snapshot.graph import CoverageGraph
from snapshot.incident import PlanError, build_plan
from snapshot.io import load_snapshot
from snapshot.render.incident import render
from snapshot.times import parse_time


def run(args: argparse.Namespace) -> int:
    try:
        start, end = parse_time(args.start), parse_time(args.end)
    except ValueError as exc:
        raise UsageError(f"--from/--to: {exc}") from None
    graph = CoverageGraph(load_snapshot(args.file))
    root = graph.resolve(args.resource)  # ResolveError -> one line, exit 2
    try:
        plan = build_plan(graph, root, start, end, depth=args.depth)
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(render(plan, args.format))
    return EXIT_OK
