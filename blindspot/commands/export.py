"""`blindspot export`: the coverage graph as GraphML, node-link JSON or DOT, or the coverage
as OCSF findings (snapshot/render/ocsf.py).

The file is written atomically (temporary file, then rename); `-o -` writes to stdout.
"""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import UsageError
from snapshot.graph import CoverageGraph
from snapshot.io import load_snapshot, open_snapshot, write_bytes_atomic
from snapshot.render import ocsf
from snapshot.render.export import export


def run(args: argparse.Namespace) -> int:
    if args.format in ocsf.STREAMS:  # findings, streamed from a read-only snapshot
        snapshot = open_snapshot(args.file)
        try:
            count = ocsf.write(snapshot, args.format, args.output)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        if args.output != "-":
            sys.stderr.write(f"blindspot: wrote {count} OCSF findings to {args.output}\n")
        return 0
    graph = CoverageGraph(load_snapshot(args.file))
    data = export(graph, args.format)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        write_bytes_atomic(args.output, data)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    sys.stderr.write(
        f"blindspot: wrote {args.format} with {len(graph)} nodes ({graph.resource_count} "
        f"resources, {len(graph) - graph.resource_count} account/region nodes) and "
        f"{graph.number_of_edges()} edges to {args.output}\n"
    )
    return 0
