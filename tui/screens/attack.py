"""ATT&CK blind spots: cloud techniques x accounts (`a` from anywhere in the explorer).

The same document as `blindspot attack` (snapshot/attack.py), computed off the UI thread.
Each cell is a symbol and a word (readable without colour); Enter on a cell shows, below
the table, what the technique needs in that account, component by component, and which
controls would close the gap. `b` keeps only the techniques some account is blind or
partial to.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from snapshot.attack import (
    BLIND,
    COVERED,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    PARTIAL,
    UNKNOWN,
    blind_spots,
)
from snapshot.model import Status

from .. import safe
from .base import ExplorerScreen

#: The explorer's own status glyphs and colours, borrowed for the ATT&CK words.
AS_STATUS: dict[str, Status | None] = {
    COVERED: Status.logged,
    PARTIAL: Status.partial,
    BLIND: Status.missing,
    UNKNOWN: Status.unknown,
    NOT_APPLICABLE: Status.not_applicable,
    NOT_ASSESSED: None,
}
WORD = {
    COVERED: "covered",
    PARTIAL: "partial",
    BLIND: "BLIND",
    UNKNOWN: "unknown",
    NOT_APPLICABLE: "n/a",
    NOT_ASSESSED: "",
}


class AttackScreen(ExplorerScreen):
    """Which ATT&CK cloud techniques each account could see in its logs."""

    crumb = "ATT&CK"

    DEFAULT_CSS = """
    AttackScreen #attack { height: 1fr; }
    AttackScreen #attack-summary { height: 1; }
    AttackScreen #attack-detail { height: auto; max-height: 12; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="nav.back"),
        Binding("enter", "explain", "Explain", id="attack.explain"),
        Binding("b", "toggle_gaps", "Gaps only", id="attack.gaps"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.document: dict[str, Any] | None = None
        self.gaps_only = False

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        busy = f"Mapping ATT&CK techniques{safe.ellipsis(ascii_only=self.ascii_only)}"
        yield Static(safe.content(busy), id="attack-summary")
        table: DataTable[Any] = DataTable(id="attack", cursor_type="cell", zebra_stripes=True)
        table.loading = True
        yield table
        yield Static(id="attack-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        if self.graph is not None:
            self.on_graph_ready()

    def on_graph_ready(self) -> None:
        if self.graph is not None and self.document is None:
            self._compute()

    @work(thread=True, exclusive=True, group="attack", exit_on_error=False)
    def _compute(self) -> None:
        graph = self.graph
        if graph is None:
            return
        # The graph does not change once loaded: the document is computed on the first
        # opening and cached on it (as `browse.explorer_index` is), not on every `a`.
        document = graph.__dict__.get("_attack_document")
        if document is None:
            document = graph.__dict__["_attack_document"] = blind_spots(graph.snapshot)
        self.app.call_from_thread(self._show, document)

    def _show(self, document: dict[str, Any]) -> None:
        self.document = document
        dot = safe.sep(ascii_only=self.ascii_only)
        blind = sum(a["totals"][BLIND] for a in document["accounts"])
        self.query_one("#attack-summary", Static).update(
            safe.content(
                f"ATT&CK {document['attack_version']} {'/'.join(document['platforms'])}{dot}"
                f"{len(document['techniques'])} techniques{dot}"
                f"{len(document['accounts'])} accounts{dot}{blind} blind account-techniques"
                f"{dot}Enter explains{dot}b gaps only",
                single_line=True,
            )
        )
        self._fill()

    def _cell(self, status: str) -> Text:
        word = WORD[status]
        marked = AS_STATUS[status]
        if marked is None:
            return Text("-", style="dim")
        symbol = safe.symbol(marked, ascii_only=self.ascii_only)
        return Text(f"{symbol} {word}", style=safe.STATUS_STYLE[marked])

    def _fill(self) -> None:
        document = self.document
        if document is None:
            return
        table = self.query_one("#attack", DataTable)
        table.clear(columns=True)
        narrow = self.app.size.width < 110
        table.add_column("technique", key="id")
        table.add_column("name", key="name", width=22 if narrow else 36)
        for account in document["accounts"]:
            label = safe.plain(account["name"] or account["id"])
            table.add_column(label[:14] if narrow else label[:24], key=account["id"])
        for technique in document["techniques"]:
            statuses = [v["status"] for v in technique["accounts"]]
            if self.gaps_only and not any(s in (BLIND, PARTIAL, UNKNOWN) for s in statuses):
                continue
            table.add_row(
                safe.text(technique["id"]),
                safe.text(technique["name"]),
                *(self._cell(status) for status in statuses),
                key=technique["id"],
            )
        table.loading = False
        table.focus()

    def action_toggle_gaps(self) -> None:
        self.gaps_only = not self.gaps_only
        self._fill()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_explain()

    def action_explain(self) -> None:
        document = self.document
        if document is None:
            return
        table = self.query_one("#attack", DataTable)
        if table.row_count == 0:
            return
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        technique = next(t for t in document["techniques"] if t["id"] == row_key.value)
        verdicts = technique["accounts"]
        verdict = next((v for v in verdicts if v["id"] == column_key.value), verdicts[0])
        self.query_one("#attack-detail", Static).update(
            safe.content(self.explanation(technique, verdict))
        )

    def explanation(self, technique: dict[str, Any], verdict: dict[str, Any]) -> str:
        """What a technique needs in one account, component by component (plain text)."""
        account = verdict["name"] or verdict["id"]
        status = WORD[verdict["status"]] or "not assessed"
        lines = [
            f"{technique['id']} {technique['name']} ({', '.join(technique['tactics'])}): "
            f"{status} in {account}"
        ]
        for component, component_status in verdict["components"].items():
            sources = ", ".join(technique["log_sources"].get(component, [])) or "-"
            word = WORD[component_status] or "not assessed"
            lines.append(f"  {component}: {word} (ATT&CK log sources: {sources})")
        if verdict["missing_controls"]:
            lines.append(f"  to close: {', '.join(verdict['missing_controls'])}")
        return "\n".join(lines)
