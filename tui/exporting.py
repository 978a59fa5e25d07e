"""`e` in the explorer: the current list as CSV, the current trace as JSON, in a file.

Formatting comes from the snapshot side (`Trace.as_dict`, `snapshot.render.report.csv_safe` for
spreadsheet-formula neutralisation), so an exported trace is the same document as
`blindspot trace --format json`. Files are written atomically into the current folder
(or the folder given), named after the kind and the time so one export never overwrites
another.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from snapshot.graph import CoverageGraph, Trace
from snapshot.io import write_bytes_atomic
from snapshot.model import LAYERS
from snapshot.render import lookup
from snapshot.render.report import csv_safe
from snapshot.sanitize import clean_json_text, clean_single_line


class ExportError(Exception):
    """An export that could not be written (folder missing, not writable, disk full): the
    screen shows it as an error notification; the explorer goes on."""


def _write(path: Path, data: bytes) -> Path:
    try:
        write_bytes_atomic(path, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ExportError(
            f"Export failed: cannot write {clean_single_line(str(path))} ({reason})"
        ) from None
    return path


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stem}-{stamp}{suffix}"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"{stem}-{stamp}-{counter}{suffix}"
    return path


def list_csv_header() -> list[str]:
    """Unique column names: `account_id` for the owner, `<layer>_layer` for the statuses
    (two columns were both called `account`, which spreadsheets and pandas rename or drop)."""
    return ["id", "type", "name", "account_id", "region", *(f"{x}_layer" for x in LAYERS), "tags"]


def list_csv(graph: CoverageGraph, resource_ids: Sequence[str]) -> str:
    """CSV of resources with their status per layer; every cell cleaned of control
    characters and formula-neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list_csv_header())
    for resource_id in resource_ids:
        resource = graph.resources[resource_id]
        layers = graph.layers(resource_id)
        tags = ";".join(f"{k}={v}" for k, v in sorted(resource.tags.items()))
        row = [
            resource.id,
            resource.type,
            resource.name,
            resource.account,
            resource.region,
            *(str(layers[layer]) if layer in layers else "" for layer in LAYERS),
            tags,
        ]
        # Cleaned first: a CSV is often read with `cat` or `less`, where an ESC in a tag
        # would reach the terminal; a snapshot built in memory (the demo) was never
        # cleaned by the loader.
        writer.writerow([csv_safe(clean_single_line(cell)) for cell in row])
    return out.getvalue()


def export_list(
    graph: CoverageGraph, resource_ids: Sequence[str], *, folder: str | Path | None = None
) -> Path:
    """Write the listed resources as CSV; return the file's path (ExportError if it fails)."""
    path = _free_name(Path(folder or "."), "blindspot-list", lookup("explore-list", "csv").suffix)
    return _write(path, list_csv(graph, resource_ids).encode("utf-8"))


def export_trace(trace: Trace, *, folder: str | Path | None = None) -> Path:
    """Write a trace as `blindspot trace --format json` prints it; return the path (or
    raise ExportError)."""
    path = _free_name(
        Path(folder or "."), "blindspot-trace", lookup("explore-trace", "json").suffix
    )
    data = json.dumps(trace.as_dict(), indent=2, ensure_ascii=False) + "\n"
    # ensure_ascii=False writes bidi and C1 controls raw, and escaped ESC would come back
    # when the file is read: both become visible stand-ins, as the loader does.
    data = clean_json_text(data)
    return _write(path, data.encode("utf-8"))
