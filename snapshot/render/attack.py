"""`blindspot attack` output: ATT&CK cloud techniques x accounts, as a table, Markdown or
JSON (the document `snapshot.attack.blind_spots` builds).

The table and Markdown add, per account, the controls that would close the most blind or
partial techniques: the order in which to switch log sources on.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from snapshot.attack import BLIND, COVERED, NOT_APPLICABLE, NOT_ASSESSED, PARTIAL, UNKNOWN
from snapshot.render.dispatch import writer_for
from snapshot.render.report import _align, _md_table
from snapshot.sanitize import clean_single_line

#: A word per status (never colour alone); blind shouts.
CELL = {
    COVERED: "covered",
    PARTIAL: "partial",
    BLIND: "BLIND",
    UNKNOWN: "unknown",
    NOT_APPLICABLE: "n/a",
    NOT_ASSESSED: "-",
}
NAME_WIDTH = 40


def _short(text: str, width: int) -> str:
    text = clean_single_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _header(document: dict[str, Any]) -> list[str]:
    accounts = document["accounts"]
    return ["TECHNIQUE", "NAME", *(_short(a["name"] or a["id"], 20) for a in accounts)]


def _rows(document: dict[str, Any]) -> list[list[str]]:
    rows = [_header(document)]
    for technique in document["techniques"]:
        rows.append(
            [
                technique["id"],
                _short(technique["name"], NAME_WIDTH),
                *(CELL[v["status"]] for v in technique["accounts"]),
            ]
        )
    return rows


def _totals(document: dict[str, Any]) -> list[list[str]]:
    rows = [["ACCOUNT", "NAME", *(CELL[s].upper() for s in CELL)]]
    for account in document["accounts"]:
        rows.append(
            [
                account["id"],
                _short(account["name"], 24),
                *(str(account["totals"][status]) for status in CELL),
            ]
        )
    return rows


def closing_controls(document: dict[str, Any], account: str) -> list[tuple[str, int]]:
    """Controls that appear in the most of this account's not-covered techniques."""
    counts: Counter[str] = Counter()
    for technique in document["techniques"]:
        for verdict in technique["accounts"]:
            if verdict["id"] == account:
                counts.update(verdict["missing_controls"])
    return counts.most_common()


def _closing_lines(document: dict[str, Any]) -> list[str]:
    lines = []
    for account in document["accounts"]:
        top = closing_controls(document, account["id"])[:5]
        if top:
            label = _short(account["name"] or account["id"], 24)
            parts = ", ".join(f"{control} ({count})" for control, count in top)
            lines.append(f"{label}: {parts}")
    return lines


def render_table(document: dict[str, Any]) -> str:
    lines = [
        f"ATT&CK {document['attack_version']} Enterprise, platforms "
        f"{', '.join(document['platforms'])}: can each account see the technique in its logs?",
        "",
        *_align(_rows(document), right_from=99),
        "",
        *_align(_totals(document), right_from=2),
    ]
    closing = _closing_lines(document)
    if closing:
        lines += ["", "Controls that close the most blind or partial techniques:", *closing]
    return "\n".join(lines) + "\n"


def render_markdown(document: dict[str, Any]) -> str:
    lines = [
        f"## ATT&CK {document['attack_version']} blind spots ({', '.join(document['platforms'])})",
        "",
        *_md_table(_rows(document), right_from=99),
        "",
        "## Totals",
        "",
        *_md_table(_totals(document), right_from=2),
    ]
    closing = _closing_lines(document)
    if closing:
        lines += ["", "## Controls that close the most blind spots", ""]
        lines += [f"- {line}" for line in closing]
    return "\n".join(lines) + "\n"


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}


def render(document: dict[str, Any], fmt: str) -> str:
    renderer = writer_for(RENDERERS, fmt, "attack")
    return renderer(document)
