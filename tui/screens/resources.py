"""The resource list: every resource of a scope in a virtual table, filtered as you type."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from snapshot import browse
from snapshot.model import LAYERS, Layer

from .. import safe
from ..exporting import ExportError, export_list
from ..messages import OpenResource
from ..widgets.resource_table import ResourceTable, letter_legend, short_type
from .base import ExplorerScreen


class ResourceListScreen(ExplorerScreen):
    """Resources of one scope (all, an account, a region, a type), with filters.

    `/` filters by name, id, type or tag; `g` keeps only resources with a gap; `f` cycles
    a layer filter; `s` sorts worst first. Each change runs the search
    (`snapshot.browse.ExplorerIndex.search_rows`) in a thread worker and swaps the
    table's rows (a view over the index's ids), so typing never blocks the screen,
    whatever the number of resources. The search narrows the previous query's matches
    when the text grows, and a newer change cancels an older search still running
    (exclusive worker, checked between chunks).
    """

    AUTO_FOCUS = "#resources"

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("g", "toggle_gaps", "Gaps", id="list.gaps"),
        Binding("f", "cycle_layer", "Layer", id="list.layer"),
        Binding("s", "toggle_sort", "Sort", id="list.sort"),
        Binding("t", "trace", "Trace", show=False, id="list.trace"),
        Binding("i", "incident", "Incident plan", show=False, id="list.incident"),
        Binding("e", "export", "Export", id="list.export"),
    ]

    def __init__(
        self,
        *,
        account: str | None = None,
        region: str | None = None,
        resource_type: str | None = None,
        layer: Layer | None = None,
        gaps_only: bool = False,
        text: str = "",
        focus_filter: bool = False,
    ) -> None:
        super().__init__()
        self.scope_account = account
        self.scope_region = region
        self.scope_type = resource_type
        self.layer_filter = layer
        self.gaps_only = gaps_only
        self.sort_by_status = False
        self.text = text
        self.focus_filter = focus_filter
        self.rows: Sequence[str] = []
        self._generation = 0
        self._to_top = False
        self.crumb = self._scope_crumb()

    def _scope_crumb(self) -> str:
        graph = self.graph
        names = {a.id: a.name for a in graph.snapshot.accounts} if graph else {}
        account = names.get(self.scope_account or "") or self.scope_account
        kind = short_type(self.scope_type) if self.scope_type else None
        parts = [p for p in (account, self.scope_region, kind) if p]
        scope = " ".join(parts) if parts else "all"
        return f"Resources ({scope})"

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        filter_input = Input(
            value=self.text,
            placeholder="filter: name, id, type, tag (Enter/Esc: done)",
            id="filter",
        )
        filter_input.display = bool(self.text) or self.focus_filter
        yield filter_input
        yield Static(id="list-status")
        yield Static(safe.content(letter_legend(ascii_only=self.ascii_only)), classes="letters")
        yield ResourceTable(self.loaded_graph, ascii_only=self.ascii_only, id="resources")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        if self.focus_filter:
            self.query_one("#filter", Input).focus()
        else:
            self.query_one(ResourceTable).focus()
        self.refilter()

    # -- filtering ------------------------------------------------------------------------

    def refilter(self) -> None:
        self._generation += 1
        self._update_status(searching=True)
        self._search(self._generation)

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def _search(self, generation: int) -> None:
        index = browse.explorer_index(self.loaded_graph)
        # `exclusive` cancels this worker when a newer keystroke starts another; a thread
        # cannot be interrupted, so the search checks between chunks and gives up.
        worker = get_current_worker()
        try:
            rows = index.search_rows(
                self.text,
                gaps_only=self.gaps_only,
                layer=self.layer_filter,
                sort_by_status=self.sort_by_status,
                account=self.scope_account,
                region=self.scope_region,
                resource_type=self.scope_type,
                should_stop=lambda: worker.is_cancelled,
            )
        except browse.SearchCancelled:
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_rows, generation, rows)

    def _show_rows(self, generation: int, rows: Sequence[str]) -> None:
        if generation != self._generation:
            return  # a newer filter is running; its result will come
        table = self.query_one(ResourceTable)
        self.rows = rows
        # A new sort shows its top (the worst); other changes keep the cursor's resource.
        keep = None if self._to_top else table.current
        self._to_top = False
        table.set_rows(rows, keep=keep)
        self._update_status()

    def counts(self) -> tuple[int, int]:
        """(resources, account/region pseudo-resources) listed: the one resource count
        (`snapshot.graph.count_resources`) and the account/region-level rows beside it."""
        rows, graph = self.rows, self.graph
        if isinstance(rows, browse.Rows):
            pseudo = rows.pseudo_count
        else:
            pseudo = sum(1 for rid in rows if graph is not None and graph.is_pseudo(rid))
        return len(rows) - pseudo, pseudo

    def _update_status(self, *, searching: bool = False) -> None:
        resources, pseudo = self.counts()
        listed = f"{resources:,} resources"
        if pseudo:
            listed += f" + {pseudo:,} account/region-level"
        parts = [listed]
        if self.text:
            parts.append(f"filter '{self.text}'")
        if self.gaps_only:
            parts.append("gaps only")
        parts.append(f"layer: {self.layer_filter or 'all'}")
        parts.append("sort: worst first" if self.sort_by_status else "sort: type, name")
        if searching:
            parts.append(f"filtering{safe.ellipsis(ascii_only=self.ascii_only)}")
        self.query_one("#list-status", Static).update(
            safe.content(safe.sep(ascii_only=self.ascii_only).join(parts), single_line=True)
        )

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.text = event.value
        self.refilter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(ResourceTable).focus()

    # -- actions --------------------------------------------------------------------------

    def action_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.display = True
        filter_input.focus()

    def action_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            filter_input.display = bool(filter_input.value)
            self.query_one(ResourceTable).focus()
            return
        super().action_back()

    def action_toggle_gaps(self) -> None:
        self.gaps_only = not self.gaps_only
        self.refilter()

    def action_cycle_layer(self) -> None:
        order: list[Layer | None] = [None, *LAYERS]
        self.layer_filter = order[(order.index(self.layer_filter) + 1) % len(order)]
        self.refilter()

    def action_toggle_sort(self) -> None:
        self.sort_by_status = not self.sort_by_status
        self._to_top = True
        self.refilter()

    def action_trace(self) -> None:
        current = self.query_one(ResourceTable).current
        if current is not None:
            from .trace import TraceScreen

            self.app.push_screen(TraceScreen(current))

    def action_incident(self) -> None:
        current = self.query_one(ResourceTable).current
        if current is not None:
            from .incident import IncidentScreen

            self.app.push_screen(IncidentScreen(current))

    def action_export(self) -> None:
        graph = self.graph
        if graph is None:
            return
        try:
            path = export_list(graph, self.rows, folder=getattr(self.app, "export_dir", None))
        except ExportError as exc:  # an unwritable folder is a message, not a crash
            self.notify(str(exc), severity="error", markup=False)
            return
        resources, pseudo = self.counts()
        also = f" and {pseudo:,} account/region-level rows" if pseudo else ""
        self.notify(f"Exported {resources:,} resources{also} to {path}", markup=False)

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        event.stop()
        self.post_message(OpenResource(event.resource_id))
