"""The first screen: accounts (or account-regions) x the six layers, worst first."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from snapshot import browse
from snapshot.graph import overall
from snapshot.model import LAYERS, Layer

from .. import safe
from .base import ExplorerScreen

TOTAL_KEY = "*"

#: Column headers at 80 columns (the full layer names need about 110).
SHORT_LAYER = {
    Layer.account: "acct",
    Layer.host: "host",
    Layer.database: "db",
    Layer.network: "net",
    Layer.access: "access",
    Layer.serverless: "srvless",
}


class MatrixScreen(ExplorerScreen):
    """Coverage per account and layer: each cell a percentage and a symbol.

    Rows come sorted worst first from `snapshot.browse.coverage_matrix`; Enter on a
    layer cell lists that scope's resources with a gap in that layer, Enter on the name
    or overall column lists its resources with a gap in any layer.
    """

    crumb = "Organization"
    ENTER_HELP = "List this cell's gaps (any layer on name, all)"

    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="nav.back"),
        Binding("r", "toggle_regions", "Accounts/regions", id="matrix.regions"),
        Binding("x", "errors", "Errors", id="matrix.errors"),
        Binding("enter", "open_cell", "List this cell's gaps", show=False, id="matrix.open"),
        # The app keys, shown in the footer here where they are the next step (same ids,
        # so a keymap remaps both).
        Binding("l", "app.resources", "List", id="app.list"),
        Binding("o", "app.tree", "Tree", id="app.tree"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "account"
        self._info: browse.SnapshotSummary | None = None
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        yield Static(
            safe.content(
                f"{getattr(self.app, 'loading_message', 'Loading snapshot')}"
                f"{safe.ellipsis(ascii_only=self.ascii_only)}"
            ),
            id="summary",
        )
        table: DataTable[Any] = DataTable(id="matrix", cursor_type="cell", zebra_stripes=True)
        table.loading = not self.ascii_only  # its dots are not ASCII; the summary says it
        yield table
        yield Static(id="legend")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        self.query_one("#legend", Static).update(safe.content(self._legend()))
        if self.graph is not None:
            self.on_graph_ready()
        else:
            self.on_preview_ready()

    def _legend(self) -> str:
        a = self.ascii_only
        dot = safe.sep(ascii_only=a)
        return (
            f"{safe.pct_symbol(95, ascii_only=a)} >=90% {safe.pct_symbol(60, ascii_only=a)} "
            f">=50% {safe.pct_symbol(10, ascii_only=a)} <50% - none{dot}Enter lists gaps"
            f"{dot}r regions{dot}? keys"
        )

    def on_graph_ready(self) -> None:
        if self.graph is not None:
            self._compute(self.by)

    def on_preview_ready(self) -> None:
        """The app's `preview` (these figures, read before the details) is shown until
        the graph is there; the graph's own figures then replace it (the same ones)."""
        preview = getattr(self.app, "preview", None)
        if self.graph is None and preview is not None:
            self._show(self.by, preview.summary, preview.rows[self.by])
            self._info = None  # the summary is computed from the graph once it is there

    @work(thread=True, exclusive=True, group="matrix", exit_on_error=False)
    def _compute(self, by: str) -> None:
        """Rollups are O(N): at 100k resources they run here, off the UI thread."""
        graph = self.graph
        if graph is None:
            return
        info = self._info or browse.summary(graph)
        rows = browse.coverage_matrix(graph, by)
        self.app.call_from_thread(self._show, by, info, rows)

    def _show(self, by: str, info: browse.SnapshotSummary, rows: list[browse.MatrixRow]) -> None:
        if by != self.by:
            return  # toggled again meanwhile; that worker's rows will come
        self._info = info
        shown = (by, self.app.size.width, info, rows)
        if shown == self._shown:
            return  # the preview showed these already: keep the cursor where it is
        self._shown = shown
        # The snapshot's time goes in the crumb line, which has room: the figures line
        # no longer fits 80 columns with it.
        self.crumb = f"Organization ({info.generated_at})"
        self.refresh_breadcrumb()
        covered = "n/a" if info.overall_pct is None else f"{info.overall_pct:.1f}%"
        dot = safe.sep(ascii_only=self.ascii_only)
        self.query_one("#summary", Static).update(
            safe.content(
                f"{info.resources:,} resources{dot}{info.accounts} accounts{dot}"
                f"{covered} covered{dot}{info.errors:,} errors{dot}{info.unknown:,} unknown",
                single_line=True,
            )
        )
        table = self.query_one("#matrix", DataTable)
        table.clear(columns=True)
        table.add_column("account / region" if by != "account" else "account", key="name")
        wide = self.app.size.width >= 110
        table.add_column("overall" if wide else "all", key="overall")
        for layer in LAYERS:
            table.add_column(str(layer) if wide else SHORT_LAYER[layer], key=str(layer))
        # The name column gets what the seven cells leave (8 columns each), so a long
        # account name is cut with an ellipsis instead of pushing "srvless" off screen.
        room = max(10, self.app.size.width - 7 * (10 if wide else 8) - 4)
        for row in rows:
            table.add_row(
                safe.text(self._fit_label(row, room)),
                self._cell(row.overall_pct, wide=wide),
                *(self._cell(row.counts[layer].coverage_pct, wide=wide) for layer in LAYERS),
                key=row.key,
            )
        totals = info.totals
        table.add_row(
            Text("All accounts", style="bold"),
            self._cell(overall(totals).coverage_pct, wide=wide),
            *(self._cell(totals[layer].coverage_pct, wide=wide) for layer in LAYERS),
            key=TOTAL_KEY,
        )
        table.loading = False
        table.focus()

    def _fit_label(self, row: browse.MatrixRow, room: int) -> str:
        """The row's label in `room` cells: the account name is cut, the region kept."""
        label = safe.plain(row.label)
        if len(label) <= room:
            return label
        a = self.ascii_only
        cut = safe.ellipsis(ascii_only=a)
        _, _, region = row.key.partition("/")
        if region and label.endswith(f" {region}") and room > len(region) + len(cut) + 3:
            name = safe.fit(label[: -len(region) - 1], room - len(region) - 1, ascii_only=a)
            return f"{name} {region}"
        return safe.fit(label, room, ascii_only=a)

    def _cell(self, pct: float | None, *, wide: bool) -> Text:
        symbol = safe.pct_symbol(pct, ascii_only=self.ascii_only)
        if wide:
            label = f"{symbol}    -  " if pct is None else f"{symbol} {pct:5.1f}%"
        else:
            label = f"{symbol}   - " if pct is None else f"{symbol} {pct:3.0f}%"
        return Text(label, style=safe.pct_style(pct))

    def action_errors(self) -> None:
        from .errors import ErrorsScreen

        if self.graph is not None:
            self.app.push_screen(ErrorsScreen())

    def action_toggle_regions(self) -> None:
        self.by = "account-region" if self.by == "account" else "account"
        if self.graph is not None:
            self._compute(self.by)
        else:
            self.on_preview_ready()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self._open(str(event.cell_key.row_key.value), str(event.cell_key.column_key.value))

    def action_open_cell(self) -> None:
        table = self.query_one("#matrix", DataTable)
        if table.row_count:
            cell_key = table.coordinate_to_cell_key(table.cursor_coordinate)
            self._open(str(cell_key.row_key.value), str(cell_key.column_key.value))

    def _open(self, row_key: str, column_key: str) -> None:
        from .resources import ResourceListScreen

        if self.graph is None:  # the preview's cells: their resources are still loading
            self.app.notify("The snapshot is still loading.", markup=False)
            return

        account = region = None
        if row_key != TOTAL_KEY:
            account, _, region_part = row_key.partition("/")
            region = region_part or None
        layer = Layer(column_key) if column_key in {str(x) for x in LAYERS} else None
        # Every cell lists gaps: a layer's, or on the name and "all" columns any layer's
        # (the matrix is where one looks for what is missing, not for an inventory).
        self.app.push_screen(
            ResourceListScreen(account=account, region=region, layer=layer, gaps_only=True)
        )
