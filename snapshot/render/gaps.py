"""`blindspot gaps`: every missing or unknown baseline control, resource by resource, with the
command that fixes it *for that resource*.

`report` counts gaps; this lists them as a work queue: one row per resource and control,
the evidence that decided the status, and the catalogue's remediation filled with the
resource's own identifiers (`snapshot.queries`). Placeholders the snapshot cannot fill stay
named, and each row says which.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from snapshot import queries
from snapshot.graph import CoverageGraph
from snapshot.model import LAYERS, STATUS_ASCII, STATUS_SYMBOL, Expectation, Layer, Status
from snapshot.render.report import (
    _account_names,
    _md_cell,
    _resolve_accounts,
    csv_safe,
)
from snapshot.sanitize import clean_single_line

GAP_STATUSES = (Status.missing, Status.unknown)


@dataclass(frozen=True, slots=True)
class GapRow:
    account: str
    region: str
    resource_id: str
    resource_type: str
    name: str
    layer: Layer
    control: str
    status: Status
    evidence: str
    inherited_from: str | None
    remediation: queries.Filled | None

    def as_dict(self) -> dict[str, object]:
        fix = self.remediation
        return {
            "account": self.account,
            "region": self.region,
            "resource": self.resource_id,
            "type": self.resource_type,
            "name": self.name,
            "layer": str(self.layer),
            "control": self.control,
            "status": str(self.status),
            "evidence": self.evidence,
            "inherited_from": self.inherited_from,
            "remediation": fix.text if fix else None,
            "placeholders": [{"name": name, "why": fix.why(name)} for name in fix.unfilled]
            if fix
            else [],
        }


def build_gaps(
    graph: CoverageGraph,
    *,
    layers: Iterable[str | Layer] | None = None,
    accounts: Iterable[str] | None = None,
) -> list[GapRow]:
    """Every baseline record that is missing or unknown, sorted by account, region, resource.

    `accounts` take ids or unique account names (as `report`); an unknown one raises
    `ReportError` with a one-line message.
    """
    selected = {Layer(x) for x in layers} if layers else set(LAYERS)
    account_ids: list[str] | None = None
    if accounts:
        names = _account_names(graph)
        for resource in graph.resources.values():
            names.setdefault(resource.account, "")
        account_ids = _resolve_accounts(accounts, names)
    rows: list[GapRow] = []
    for resource in graph.iter_resources(accounts=account_ids):
        for record in resource.coverage:
            if record.expectation != Expectation.baseline or record.status not in GAP_STATUSES:
                continue
            if record.layer not in selected:
                continue
            rows.append(
                GapRow(
                    account=resource.account,
                    region=resource.region,
                    resource_id=resource.id,
                    resource_type=resource.type,
                    name=clean_single_line(resource.name or resource.resource_id or ""),
                    layer=record.layer,
                    control=record.control,
                    status=record.status,
                    evidence=clean_single_line(record.evidence),
                    inherited_from=record.inherited_from,
                    remediation=queries.remediation(graph, resource, record),
                )
            )
    rows.sort(
        key=lambda r: (r.account, r.region, r.resource_type, r.name, r.resource_id, r.control)
    )
    return rows


def render_json(rows: list[GapRow], *, as_of: str | None = None) -> str:
    placeholders = queries.summary_placeholders(row.remediation for row in rows)
    document: dict[str, object] = {"as_of": as_of} if as_of else {}
    document |= {
        "gaps": [row.as_dict() for row in rows],
        "count": len(rows),
        "placeholders_left": [{"name": name, "why": why} for name, why in placeholders],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_CSV_HEADER = [
    "account",
    "region",
    "type",
    "name",
    "resource",
    "layer",
    "control",
    "status",
    "evidence",
    "inherited_from",
    "remediation",
    "placeholders_left",
]


def render_csv(rows: list[GapRow], *, as_of: str | None = None) -> str:
    """One row per gap (as of a past time, the header of the `as_of` column says it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_CSV_HEADER, "as_of"] if as_of else _CSV_HEADER)
    for row in rows:
        fix = row.remediation
        writer.writerow(
            csv_safe(value)
            for value in (
                row.account,
                row.region,
                row.resource_type,
                row.name,
                row.resource_id,
                row.layer,
                row.control,
                row.status,
                row.evidence,
                row.inherited_from or "",
                fix.text if fix else "",
                " ".join(fix.unfilled) if fix else "",
                *([as_of] if as_of else []),
            )
        )
    return out.getvalue()


def _grouped(rows: list[GapRow]) -> list[tuple[GapRow, list[GapRow]]]:
    groups: list[tuple[GapRow, list[GapRow]]] = []
    for row in rows:
        if groups and groups[-1][0].resource_id == row.resource_id:
            groups[-1][1].append(row)
        else:
            groups.append((row, [row]))
    return groups


def _footer(rows: list[GapRow]) -> str:
    names = queries.summary_placeholders(row.remediation for row in rows)
    if not names:
        return "Every remediation is filled in."
    listed = ", ".join(f"<{name}> ({why})" for name, why in names)
    return f"Placeholders left in the commands above: {listed}."


def _as_of_line(as_of: str | None) -> list[str]:
    return [f"As of {as_of} (AWS Config's record of that time)"] if as_of else []


def render_table(rows: list[GapRow], *, ascii_only: bool = False, as_of: str | None = None) -> str:
    if not rows:
        return "\n".join(
            [*_as_of_line(as_of), "No missing or unknown baseline controls in the selection.", ""]
        )
    symbols = STATUS_ASCII if ascii_only else STATUS_SYMBOL
    lines = [*_as_of_line(as_of), f"{len(rows)} gaps (missing or unknown baseline controls)", ""]
    for head, members in _grouped(rows):
        lines.append(
            f"{head.name or head.resource_id}  ({head.resource_type})  {head.account}/{head.region}"
        )
        lines.append(f"  {head.resource_id}")
        for row in members:
            word = "MISSING" if row.status == Status.missing else "unknown"
            lines.append(f"  {symbols[row.status]} {word:<8} {row.layer:<11}{row.control}")
            lines.append(f"      evidence: {row.evidence or '-'}")
            if row.inherited_from:
                lines.append(f"      inherited from: {row.inherited_from}")
            if row.remediation is not None:
                lines.append(f"      fix: {row.remediation.text}")
        lines.append("")
    lines.append(_footer(rows))
    return "\n".join(clean_single_line(line) for line in lines) + "\n"


def render_markdown(rows: list[GapRow], *, as_of: str | None = None) -> str:
    lines = ["## Logging gaps", "", *(f"{line}\n" for line in _as_of_line(as_of))]
    if not rows:
        return "\n".join([*lines, "No missing or unknown baseline controls.", ""])
    lines.append(f"{len(rows)} missing or unknown baseline controls.")
    for head, members in _grouped(rows):
        lines += [
            "",
            f"### {_md_cell(head.name or head.resource_id)} ({_md_cell(head.resource_type)})",
            "",
            f"`{head.resource_id.replace('`', '')}` in account {head.account}, {head.region}",
            "",
        ]
        for row in members:
            lines.append(
                f"- **{row.control}** ({row.layer}): {row.status} - {_md_cell(row.evidence)}"
            )
            if row.remediation is not None:
                command = row.remediation.text.replace("```", "` ` `")
                lines += ["", "  ```sh", f"  {command}", "  ```", ""]
    lines += ["", _md_cell(_footer(rows)), ""]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[..., str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "markdown": render_markdown,
}


def render(
    rows: list[GapRow], fmt: str, *, ascii_only: bool = False, as_of: str | None = None
) -> str:
    """`as_of` (a snapshot of a past time) is stated only when given."""
    if fmt == "table":
        return render_table(rows, ascii_only=ascii_only, as_of=as_of)
    return RENDERERS[fmt](rows, as_of=as_of)
