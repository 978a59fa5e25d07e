"""The coverage catalogue (`blindspot controls`), every layer, as a table, Markdown, JSON or CSV.

The table is meant for reading in a terminal (one section a layer, the essentials); Markdown,
JSON and CSV carry every field of every row (remediation command, first-response query,
ATT&CK data components), for documentation and for other tools.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import textwrap
from typing import Any

from snapshot.catalogue import Control

#: Column order of the Markdown and CSV outputs (and keys of the JSON objects).
FIELDS = (
    "id",
    "layer",
    "expectation",
    "title",
    "resource_types",
    "evaluated_by",
    "logs_land_in",
    "remediation",
    "first_query",
    "attack_data_components",
    "partial_when",
    "item_fields",
    "fill_call",
)


def as_dict(row: Control) -> dict[str, Any]:
    data = dataclasses.asdict(row)
    return {
        name: list(data[name]) if isinstance(data[name], tuple) else str(data[name])
        for name in FIELDS
    }


def _flat(value: Any) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


def render_json(rows: tuple[Control, ...]) -> str:
    return json.dumps([as_dict(row) for row in rows], indent=2) + "\n"


def render_csv(rows: tuple[Control, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        data = as_dict(row)
        writer.writerow([_flat(data[name]) for name in FIELDS])
    return out.getvalue()


def _md_cell(value: Any) -> str:
    text = _flat(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("`", "'")


def render_markdown(rows: tuple[Control, ...]) -> str:
    lines = [
        "| " + " | ".join(FIELDS) + " |",
        "|" + "|".join("---" for _ in FIELDS) + "|",
    ]
    for row in rows:
        data = as_dict(row)
        lines.append("| " + " | ".join(_md_cell(data[name]) for name in FIELDS) + " |")
    return "\n".join(lines) + "\n"


def _applies_to(row: Control) -> str:
    names = []
    for rtype in row.resource_types:
        if rtype == "*":
            names.append("every resource (inherited)")
        elif rtype == "blindspot::Account::Region":
            names.append("region")
        elif rtype == "AWS::::Account":
            names.append("account")
        else:
            names.append(rtype.removeprefix("AWS::"))
    return "\n".join(names)


_GAP = "  "


def render_table(rows: tuple[Control, ...], width: int | None = None) -> str:
    """One plain-text table per layer, wrapped to the terminal's width.

    Plain text because the snapshot side draws nothing itself (Rich stays with the CLI and
    the explorer): every cell is written as it is, so nothing in it is interpreted.
    """
    width = width or shutil.get_terminal_size((100, 24)).columns
    id_w = max((len(row.id) for row in rows), default=7)
    kind_w = len("baseline")
    room = max(20, width - id_w - kind_w - 3 * len(_GAP))
    title_w = max(10, room * 3 // 5)
    applies_w = max(10, room - title_w)
    widths = (id_w, kind_w, title_w, applies_w)
    layers: dict[str, list[Control]] = {}
    for row in rows:
        layers.setdefault(str(row.layer), []).append(row)
    lines: list[str] = []
    for layer, controls in layers.items():
        lines += [f"{layer} layer", ""]
        lines += _table_row(("control", "kind", "log source", "applies to"), widths)
        lines.append(_GAP.join("-" * w for w in widths))
        for row in controls:
            cells = (row.id, str(row.expectation), row.title, _applies_to(row))
            lines += _table_row(cells, widths)
        lines.append("")
    lines += textwrap.wrap(
        f"{len(rows)} controls (baseline ones are scored, extended ones shown). "
        "`blindspot controls --format markdown` adds how each is evaluated, where its "
        "logs land, the remediation command, a first-response query, ATT&CK data "
        "components, the configuration-item fields that decide it and the call that "
        "fills what the item lacks.",
        width,
    )
    return "\n".join(lines) + "\n"


def _table_row(cells: tuple[str, ...], widths: tuple[int, ...]) -> list[str]:
    """One row of wrapped cells, as many lines as its tallest cell needs."""
    columns = [
        [piece for part in cell.splitlines() for piece in textwrap.wrap(part, w) or [""]]
        for cell, w in zip(cells, widths, strict=True)
    ]
    height = max(len(column) for column in columns)
    return [
        _GAP.join(
            (column[i] if i < len(column) else "").ljust(w)
            for column, w in zip(columns, widths, strict=True)
        ).rstrip()
        for i in range(height)
    ]


RENDERERS = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
    "csv": render_csv,
}


def render(rows: tuple[Control, ...], fmt: str) -> str:
    return RENDERERS[fmt](rows)
