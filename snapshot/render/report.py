"""Coverage rollups by account and layer, rendered for people (table, Markdown) and for
machines (JSON, CSV).

`build_report` does the counting once (through `CoverageGraph.rollup`, so the figures match
the explorer's); the renderers only format. The JSON shape is a contract:
``{"totals": {LAYER: COUNTS}, "accounts": [{"id", "name", "layers": {LAYER: COUNTS}}],
"unknown_records": {"baseline", "extended"}}`` with COUNTS ``{"logged", "partial", "missing",
"unknown", "coverage_pct"}``: COUNTS count resource-layer statuses, `unknown_records` the
`unknown` control records behind them (a `missing` control outranks an `unknown` one of the
same resource and layer, and extended controls are not scored, so the two differ).

CSV cells that a spreadsheet would run as a formula (starting with = + - @ tab or carriage
return) get a leading apostrophe: account names come from AWS and are untrusted (OWASP
"CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from snapshot.graph import Counts, CoverageGraph, LayerCounts, empty_layer_counts, overall
from snapshot.model import ACCOUNT_TYPE, LAYERS, Expectation, Layer, Status
from snapshot.render import names
from snapshot.render.dispatch import writer_for
from snapshot.sanitize import clean_single_line

FORMATS = tuple(names("report"))


class ReportError(ValueError):
    """A filter that selects nothing the snapshot has (an unknown account, say)."""


@dataclass(slots=True)
class AccountRow:
    id: str
    name: str
    layers: LayerCounts

    @property
    def overall(self) -> Counts:
        return overall(self.layers)


@dataclass(slots=True)
class Report:
    layers: tuple[Layer, ...]
    totals: LayerCounts
    accounts: list[AccountRow]
    collection_errors: int = 0  # errors recorded in the snapshot (behind `unknown` statuses)
    #: `unknown` control records of the selected accounts and layers, by expectation. The
    #: matrix counts resource-layer statuses (the worst baseline control; a `missing` one
    #: outranks an `unknown` one, extended controls are not scored), so these are said apart:
    #: what was not decided stays visible whatever the matrix shows.
    unknown_baseline: int = 0
    unknown_extended: int = 0
    as_of: str | None = None  # the past time the snapshot describes (`collect --as-of`)

    @property
    def overall(self) -> Counts:
        """All selected layers together: the figure `--fail-under` compares."""
        return overall(self.totals, self.layers)


def _account_names(graph: CoverageGraph) -> dict[str, str]:
    names: dict[str, str] = {}
    for resource in graph.resources.values():
        if resource.type == ACCOUNT_TYPE and resource.name:
            names[resource.account] = resource.name
    for account in graph.snapshot.accounts:
        if account.name:
            names[account.id] = account.name
    return names


def _resolve_accounts(requested: Iterable[str], names: dict[str, str]) -> list[str]:
    """Account filters match an account id or, when unique, an account name."""
    by_name: dict[str, list[str]] = {}
    for account_id, name in names.items():
        by_name.setdefault(name, []).append(account_id)
    chosen: list[str] = []
    for reference in requested:
        if reference in names:
            chosen.append(reference)
        elif len(by_name.get(reference, [])) == 1:
            chosen.append(by_name[reference][0])
        elif reference in by_name:
            raise ReportError(f"account name {reference!r} is ambiguous; use the account id")
        else:
            raise ReportError(f"no account {reference!r} in this snapshot")
    return chosen


def build_report(
    graph: CoverageGraph,
    *,
    layers: Iterable[str | Layer] | None = None,
    accounts: Iterable[str] | None = None,
) -> Report:
    """Per-account and total counts over the selected layers (all when None)."""
    selected = tuple(Layer(x) for x in layers) if layers else LAYERS
    selected = tuple(layer for layer in LAYERS if layer in selected)  # canonical order
    names = _account_names(graph)
    for resource in graph.resources.values():
        names.setdefault(resource.account, "")
    account_ids = sorted(_resolve_accounts(accounts, names) if accounts else names)
    by_account = graph.rollup("account", accounts=account_ids, layers=selected)
    rows = [
        AccountRow(
            account_id,
            names.get(account_id, ""),
            by_account.get(account_id) or empty_layer_counts(),
        )
        for account_id in dict.fromkeys(account_ids)
    ]
    totals = empty_layer_counts()
    for row in rows:
        for layer in selected:
            totals[layer].merge(row.layers[layer])
    chosen = set(account_ids)
    unknown = Counter(
        record.expectation
        for resource in graph.iter_resources(accounts=account_ids)
        for record in resource.coverage
        if record.status is Status.unknown and record.layer in selected
    )
    errors = sum(1 for e in graph.snapshot.errors if e.account is None or e.account in chosen)
    as_of = graph.snapshot.as_of
    return Report(
        layers=selected,
        totals=totals,
        accounts=rows,
        collection_errors=errors,
        unknown_baseline=unknown[Expectation.baseline],
        unknown_extended=unknown[Expectation.extended],
        as_of=as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None,
    )


# -- rendering ------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def as_dict(report: Report) -> dict[str, object]:
    return {
        "totals": {str(layer): report.totals[layer].as_dict() for layer in report.layers},
        "accounts": [
            {
                "id": row.id,
                "name": row.name,
                "layers": {str(layer): row.layers[layer].as_dict() for layer in report.layers},
            }
            for row in report.accounts
        ],
        "unknown_records": {
            "baseline": report.unknown_baseline,
            "extended": report.unknown_extended,
        },
    }


def render_json(report: Report) -> str:
    document = as_dict(report)
    if report.as_of:  # only when present, so reports of ordinary snapshots stay as they were
        document["as_of"] = report.as_of
    return json.dumps(document, indent=2) + "\n"


def as_of_line(report: Report) -> list[str]:
    return [f"As of {report.as_of} (AWS Config's record of that time)", ""] if report.as_of else []


def _align(rows: Sequence[Sequence[str]], right_from: int = 0) -> list[str]:
    # Every cell on one line: an account id holding a newline must not forge a table row.
    rows = [[clean_single_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i >= right_from else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _matrix(report: Report) -> list[list[str]]:
    header = ["ACCOUNT", "NAME", *(str(layer).upper() for layer in report.layers), "OVERALL"]
    rows = [header]
    for row in report.accounts:
        rows.append(
            [
                row.id,
                clean_single_line(row.name),
                *(_pct(row.layers[layer].coverage_pct) for layer in report.layers),
                _pct(overall(row.layers, report.layers).coverage_pct),
            ]
        )
    rows.append(
        [
            "TOTAL",
            "",
            *(_pct(report.totals[layer].coverage_pct) for layer in report.layers),
            _pct(report.overall.coverage_pct),
        ]
    )
    return rows


def _totals_rows(report: Report) -> list[list[str]]:
    rows = [["LAYER", "LOGGED", "PARTIAL", "MISSING", "UNKNOWN", "COVERAGE"]]
    for layer in report.layers:
        c = report.totals[layer]
        rows.append(
            [
                str(layer),
                str(c.logged),
                str(c.partial),
                str(c.missing),
                str(c.unknown),
                _pct(c.coverage_pct),
            ]
        )
    c = report.overall
    rows.append(
        ["all", str(c.logged), str(c.partial), str(c.missing), str(c.unknown), _pct(c.coverage_pct)]
    )
    return rows


_LEGEND = (
    "coverage = (logged + 0.5 x partial) / (logged + partial + missing + unknown) "
    "over resource-layer statuses; '-' = nothing to score"
)


def _footnotes(report: Report) -> list[str]:
    """What the figures do not show: undecided records and the errors behind them."""
    lines = []
    unknown = report.unknown_baseline + report.unknown_extended
    if unknown:
        lines.append(
            f"{unknown} control records are unknown: {report.unknown_baseline} of baseline "
            "controls (in UNKNOWN above unless a missing control of the same resource and layer "
            f"outranks them), {report.unknown_extended} of extended controls (not scored)"
        )
    if report.collection_errors:
        lines.append(
            f"{report.collection_errors} collection errors recorded in the snapshot "
            "(access denied, API errors): the controls they left undecided are unknown"
        )
    return lines


def _sections(
    report: Report, heading: str, table: Callable[[list[list[str]], int], list[str]]
) -> list[str]:
    """The matrix and the totals, each under its heading, in one output's table form."""
    lines = [f"{heading}Coverage by account and layer", "", *as_of_line(report)]
    lines += table(_matrix(report), 2)
    return [*lines, "", f"{heading}Totals", "", *table(_totals_rows(report), 1)]


def render_table(report: Report) -> str:
    lines = _sections(report, "", _align)
    lines += ["", _LEGEND, *_footnotes(report)]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    text = clean_single_line(text)  # a newline would end the table row
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def _md_table(rows: list[list[str]], right_from: int) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(c) for c in rows[0]) + " |"]
    lines.append(
        "|" + "|".join("---:" if i >= right_from else "---" for i in range(len(rows[0]))) + "|"
    )
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows[1:]]
    return lines


def render_markdown(report: Report) -> str:
    lines = _sections(report, "## ", _md_table)
    lines += ["", f"_{_md_cell(_LEGEND)}_"]
    lines += [line for note in _footnotes(report) for line in ("", f"{note}.")]
    return "\n".join(lines) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs (leading ' before formula starters)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["account", "name", "layer", "logged", "partial", "missing", "unknown", "coverage_pct"]
    )

    def emit(account: str, name: str, counts: LayerCounts) -> None:
        for layer in report.layers:
            c = counts[layer]
            pct = "" if c.coverage_pct is None else f"{c.coverage_pct:.1f}"
            writer.writerow(
                [
                    csv_safe(x)
                    for x in (account, name, layer, c.logged, c.partial, c.missing, c.unknown, pct)
                ]
            )

    for row in report.accounts:
        emit(row.id, clean_single_line(row.name), row.layers)
    emit("TOTAL", "", report.totals)
    return out.getvalue()


RENDERERS = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
    "csv": render_csv,
}


def render(report: Report, fmt: str) -> str:
    renderer = writer_for(RENDERERS, fmt, "report", ReportError)
    return renderer(report)
