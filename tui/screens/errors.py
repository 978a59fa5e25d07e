"""The collection errors a snapshot holds: why some statuses are `unknown`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from .. import safe
from .base import ExplorerScreen


class ErrorsScreen(ExplorerScreen):
    """One row per error (account, region, service, operation, code, message).

    Errors come from AWS responses and snapshot files, so every cell is `safe.text`; a
    DataTable is fine here, the list is as long as the failed calls, not the resources.
    """

    crumb = "Collection errors"

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        yield Static(id="errors-status")
        yield DataTable(id="errors", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=not self.ascii_only)

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        graph = self.graph
        errors = graph.snapshot.errors if graph is not None else []
        table = self.query_one("#errors", DataTable)
        for column in ("account", "region", "service", "operation", "code", "message"):
            table.add_column(column, key=column)
        for error in errors:
            table.add_row(
                *(
                    safe.text(value or "-")
                    for value in (
                        error.account,
                        error.region,
                        error.service,
                        error.operation,
                        error.code,
                        error.message,
                    )
                )
            )
        self.query_one("#errors-status", Static).update(
            safe.content(
                f"{len(errors):,} calls failed during collection; the statuses they decide "
                "are `unknown`, never guessed.",
                single_line=True,
            )
        )
        table.focus()
