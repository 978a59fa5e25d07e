"""One resource: every control with its status, evidence, destination and how to fix it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from snapshot import queries
from snapshot.catalogue import CONTROLS_BY_ID, Control
from snapshot.model import LAYERS, STATUS_SEVERITY, Coverage, Expectation
from snapshot.sanitize import clean

from .. import safe
from ..messages import OpenResource
from .base import ExplorerScreen, selectable_text

_NOT_SCORED = len(STATUS_SEVERITY)


def _sort_key(record: Coverage) -> tuple[int, bool, int, str]:
    """Worst status first; within a status, baseline controls (scored) before extended."""
    return (
        STATUS_SEVERITY.get(record.status, _NOT_SCORED),
        record.expectation != Expectation.baseline,
        LAYERS.index(record.layer),
        record.control,
    )


class ResourceDetailScreen(ExplorerScreen):
    """The controls of one resource, worst first, and the details of the highlighted one.

    The details pane is a read-only `TextArea`, so every value can be selected with the
    keyboard (shift+arrows) or mouse; `c`, `y`, `i`, `v`, `d` copy the remediation command,
    first-response query, resource id, evidence and destination to the clipboard (OSC 52).
    Enter on a control inherited from another resource opens that resource.
    """

    BINDINGS = [
        Binding("enter", "follow", "Open inherited-from", id="detail.follow"),
        Binding("t", "trace", "Trace", id="detail.trace"),
        Binding("I", "incident", "Incident plan", show=False, id="detail.incident"),
        Binding("c", "copy('remediation')", "Copy fix", id="detail.copy_remediation"),
        Binding("y", "copy('query')", "Copy query", id="detail.copy_query"),
        Binding("i", "copy('id')", "Copy id", show=False, id="detail.copy_id"),
        Binding("v", "copy('evidence')", "Copy evidence", show=False, id="detail.copy_evidence"),
        Binding("d", "copy('destination')", "Copy destination", show=False, id="detail.copy_dest"),
    ]

    def __init__(self, resource_id: str) -> None:
        super().__init__()
        self.resource_id = resource_id
        self.resource = self.loaded_graph.resources[resource_id]
        self.records = sorted(self.resource.coverage, key=_sort_key)
        self.crumb = self.resource.name or self.resource.resource_id or resource_id

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        yield Static(safe.content(self._head()), id="resource-head")
        with Vertical(id="detail-body"):
            prompts = [
                Option(self._prompt(record), id=str(index))
                for index, record in enumerate(self.records)
            ]
            controls = OptionList(*prompts, id="controls")
            controls.border_title = "Controls (worst first)"
            yield controls
            yield selectable_text("control-detail", "Selected control (selectable text)")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        controls = self.query_one("#controls", OptionList)
        if self.records:
            controls.highlighted = 0
        else:
            self._show_details(None)
        controls.focus()

    def _head(self) -> str:
        r = self.resource
        dot = safe.sep(ascii_only=self.ascii_only)
        lines = [
            f"{r.name or r.resource_id or r.id}  ({r.type})",
            f"id: {r.id}",
            f"account {r.account}{dot}region {r.region}"
            + (f"{dot}short id {r.resource_id}" if r.resource_id else ""),
        ]
        if r.tags:
            tags = ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items()))
            lines.append(f"tags: {tags}")
        return "\n".join(safe.plain(line) for line in lines)

    def _prompt(self, record: Coverage) -> Content:
        symbol = safe.symbol(record.status, ascii_only=self.ascii_only)
        word = safe.STATUS_WORD[record.status]
        link = "  -> inherited" if record.inherited_from else ""
        extended = " (extended)" if record.expectation != "baseline" else ""
        return Content.assemble(
            (f"{symbol} {word:<8} ", safe.STATUS_STYLE[record.status]),
            safe.content(f"{record.layer:<11}{record.control}{extended}{link}", single_line=True),
        )

    def _details(self, record: Coverage) -> str:
        catalogue: Control | None = CONTROLS_BY_ID.get(record.control)
        lines = [
            f"status:       {safe.STATUS_WORD[record.status]} "
            f"({safe.symbol(record.status, ascii_only=self.ascii_only)})",
            f"layer:        {record.layer}",
            f"control:      {record.control}" + (f" - {catalogue.title}" if catalogue else ""),
            f"expectation:  {record.expectation}",
            f"evidence:     {record.evidence or '-'}",
        ]
        if record.operation:
            lines.append(f"decided by:   {record.operation}")
        lines.append(f"destination:  {record.destination or '-'}")
        if record.inherited_from:
            lines.append(f"inherited from: {record.inherited_from}  (Enter opens it)")
        lines.extend(f"note:         {note}" for note in record.notes)
        if catalogue is not None:
            # This resource's own identifiers filled in (snapshot.queries); what the
            # snapshot lacks stays a named placeholder, listed under each command.
            fix = self._filled("remediation", record, catalogue)
            query = self._filled("query", record, catalogue)
            where = self._filled("where", record, catalogue)
            lines += [
                f"logs land in: {where.text if where else catalogue.logs_land_in}",
                "",
                "remediation (c copies):",
                fix.text if fix else catalogue.remediation,
            ]
            lines += [fix.note()] if fix and fix.note() else []
            lines += [
                "",
                "first-response query (y copies):",
                query.text if query else catalogue.first_query,
            ]
            lines += [query.note()] if query and query.note() else []
        else:
            lines += ["", "remediation and query: control not in this version's catalogue"]
        return safe.plain("\n".join(lines), single_line=False)

    def _show_details(self, record: Coverage | None) -> None:
        area = self.query_one("#control-detail", TextArea)
        area.text = self._details(record) if record else "No coverage records on this resource."

    @property
    def current(self) -> Coverage | None:
        index = self.query_one("#controls", OptionList).highlighted
        if index is None or not 0 <= index < len(self.records):
            return None
        return self.records[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_details(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_follow()

    def action_follow(self) -> None:
        record = self.current
        graph = self.graph
        if record is None or graph is None:
            return
        target = record.inherited_from
        if not target:
            self.notify("This control is not inherited from another resource.", markup=False)
            return
        if target not in graph:
            self.notify(f"{safe.plain(target)} is not in this snapshot.", markup=False)
            return
        self.post_message(OpenResource(target))

    def action_trace(self) -> None:
        from .trace import TraceScreen

        self.app.push_screen(TraceScreen(self.resource_id))

    def action_incident(self) -> None:
        from .incident import IncidentScreen

        self.app.push_screen(IncidentScreen(self.resource_id))

    def _filled(
        self, what: str, record: Coverage, catalogue: Control | None = None
    ) -> queries.Filled | None:
        graph = self.graph
        catalogue = catalogue or CONTROLS_BY_ID.get(record.control)
        if graph is None or catalogue is None:
            return None
        fill = {
            "remediation": queries.remediation,
            "query": queries.first_query,
            "where": queries.logs_land_in,
        }[what]
        return fill(graph, self.resource, record, catalogue)

    def _copy_value(self, what: str) -> tuple[str, str | None]:
        record = self.current
        if what == "id":
            return "resource id", self.resource.id
        if what in ("remediation", "query"):
            label = "remediation command" if what == "remediation" else "first-response query"
            filled = self._filled(what, record) if record else None
            return label, filled.text if filled else None
        if what == "evidence":
            return "evidence", record.evidence if record else None
        return "destination", record.destination if record else None

    def action_copy(self, what: str) -> None:
        label, value = self._copy_value(what)
        if not value:
            self.notify(f"No {label} for this control.", markup=False, severity="warning")
            return
        # The exact value (control characters cleaned), also in ASCII mode.
        self.app.copy_to_clipboard(clean(value))
        self.notify(f"Copied {label}: {safe.plain(value)[:60]}", markup=False)
