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


def render_table(rows: tuple[Control, ...], width: int | None = None) -> str:
    """A Rich table per layer; every cell is plain text (no markup is interpreted)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    width = width or shutil.get_terminal_size((100, 24)).columns
    console = Console(file=out, width=width, no_color=True, highlight=False, emoji=False)
    layers: dict[str, list[Control]] = {}
    for row in rows:
        layers.setdefault(str(row.layer), []).append(row)
    for layer, controls in layers.items():
        table = Table(title=Text(f"{layer} layer"), title_justify="left", expand=False)
        table.add_column("control", no_wrap=True)
        table.add_column("kind")
        table.add_column("log source")
        table.add_column("applies to")
        for row in controls:
            table.add_row(
                Text(row.id), Text(str(row.expectation)), Text(row.title), Text(_applies_to(row))
            )
        console.print(table)
    console.print(
        Text(
            f"{len(rows)} controls (baseline ones are scored, extended ones shown). "
            "`blindspot controls --format markdown` adds how each is evaluated, where its "
            "logs land, the remediation command, a first-response query, ATT&CK data "
            "components, the configuration-item fields that decide it and the call that "
            "fills what the item lacks."
        )
    )
    return out.getvalue()


RENDERERS = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
    "csv": render_csv,
}


def render(rows: tuple[Control, ...], fmt: str) -> str:
    return RENDERERS[fmt](rows)
