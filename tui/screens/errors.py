"""The collection errors a snapshot holds: why some statuses are `unknown`."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from snapshot.model import CollectionError

from .. import safe
from .base import ExplorerScreen

#: Widest a cell of the short columns may be; the message gets the rest, and the
#: highlighted error is shown whole below the table.
_SHORT = {"account": 12, "region": 14, "operation": 28, "code": 24}


class ErrorsScreen(ExplorerScreen):
    """One row per error (account, region, operation, code, message), the highlighted
    one in full underneath: at 80 columns the message column showed "NotImplement".

    Errors come from AWS responses and snapshot files, so every cell is `safe.text`; a
    DataTable is fine here, the list is as long as the failed calls, not the resources.
    """

    crumb = "Collection errors"
    ENTER_HELP = "Move to the next error (the highlighted one is shown in full below)"

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        yield Static(id="errors-status")
        yield DataTable(id="errors", cursor_type="row", zebra_stripes=True)
        yield Static(id="error-detail")
        yield from self.compose_footer()

    @property
    def errors(self) -> list[CollectionError]:
        graph = self.graph
        return graph.snapshot.errors if graph is not None else []

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        errors = self.errors
        table: DataTable[Any] = self.query_one("#errors", DataTable)
        for column in ("account", "region", "operation", "code", "message"):
            table.add_column(column, key=column)
        for error in errors:
            operation = f"{error.service}:{error.operation}" if error.service else error.operation
            cells = {
                "account": error.account,
                "region": error.region,
                "operation": operation,
                "code": error.code,
            }
            row = [
                safe.fit(cells[name] or "-", width, ascii_only=self.ascii_only)
                for name, width in _SHORT.items()
            ]
            table.add_row(*(safe.text(value) for value in row), safe.text(error.message or "-"))
        self.query_one("#errors-status", Static).update(
            safe.content(
                f"{len(errors):,} calls failed during collection; the statuses they decide "
                "are `unknown`, never guessed.",
                single_line=True,
            )
        )
        self._show_detail(0)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, index: int) -> None:
        errors = self.errors
        detail = self.query_one("#error-detail", Static)
        if not 0 <= index < len(errors):
            detail.update(safe.content("No collection errors."))
            return
        error = errors[index]
        lines = [
            f"{error.account or '-'} {error.region or '-'}  "
            f"{error.service or '-'}:{error.operation or '-'}  {error.code or '-'}",
            error.message or "-",
        ]
        detail.update(safe.content("\n".join(safe.plain(line) for line in lines)))
