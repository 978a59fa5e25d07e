"""`blindspot trace`: the resources related to one resource, with their gaps."""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import UsageError
from blindspot.encoding import stdout_is_unicode
from snapshot.graph import CoverageGraph
from snapshot.io import open_snapshot
from snapshot.render.trace import iter_render


def _short(resource_type: str) -> str:
    return resource_type.removeprefix("AWS::")


def resource_types(graph: CoverageGraph, given: list[str] | None) -> list[str] | None:
    """`--type` values as the snapshot's types: the short form the explorer shows
    (`EC2::Subnet`) and any case are accepted; a type the snapshot lacks is a usage error
    that lists the valid ones (it used to return the root alone, silently)."""
    if not given:
        return None
    known = {r.type for r in graph.resources.values() if not r.is_pseudo}
    by_name = {name.lower(): t for t in known for name in (t, _short(t))}
    chosen = []
    for value in given:
        found = by_name.get(value.strip().lower())
        if found is None:
            valid = ", ".join(sorted(map(_short, known)))
            raise UsageError(
                f"--type {value!r} is no resource type of this snapshot; valid: {valid}"
            )
        chosen.append(found)
    return chosen


def relationship_names(graph: CoverageGraph, given: list[str] | None) -> list[str] | None:
    """`--relationship` values, each checked to start at least one relationship name of the
    snapshot (the trace matches them as case-insensitive prefixes); else a usage error
    listing the names."""
    if not given:
        return None
    names = sorted({name for _, _, name, _ in graph.edges})
    lowered = [name.lower() for name in names]
    for value in given:
        wanted = value.strip().lower()
        if not any(name.startswith(wanted) for name in lowered):
            raise UsageError(
                f"--relationship {value!r} starts no relationship name of this snapshot; "
                f"valid: {', '.join(repr(n) for n in names)}"
            )
    return given


def run(args: argparse.Namespace) -> int:
    graph = CoverageGraph(open_snapshot(args.file))
    root = graph.resolve(args.resource)  # ResolveError -> one line, exit 2
    trace = graph.trace(
        root,
        args.depth,
        relationship_names=relationship_names(graph, args.relationship),
        resource_types=resource_types(graph, args.types),
    )
    # Piece by piece: a trace of a hub with a million edges is never one string.
    write = sys.stdout.write
    for piece in iter_render(trace, args.format, ascii_only=not stdout_is_unicode()):
        write(piece)
    return 0
