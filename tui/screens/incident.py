"""Incident plan: for one resource and its neighbours, the logs that hold a time window,
where they are, and the queries to pull them (the explorer's `blindspot incident`).

The responder types the window (ISO 8601; UTC when no zone is given) and presses Enter;
the plan is built in a thread worker from the loaded snapshot (`snapshot.incident`) and
shown as the same Markdown `blindspot incident` prints, in a read-only text area so any
query can be selected and copied; `ctrl+y` copies the whole plan.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static, TextArea

from snapshot.incident import IncidentPlan, PlanError, build_plan
from snapshot.queries import iso
from snapshot.render.incident import render_markdown
from snapshot.times import parse_time

from .. import safe
from .base import ExplorerScreen, selectable_text

DEFAULT_DEPTH = 2


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class IncidentScreen(ExplorerScreen):
    """Window in, plan out: sources, retention against the window, queries, blind spots."""

    DEFAULT_CSS = """
    IncidentScreen #incident-window { height: 3; }
    IncidentScreen #incident-window Input { width: 1fr; }
    IncidentScreen #incident-status { height: auto; max-height: 2; padding: 0 1; }
    IncidentScreen #incident-plan { height: 1fr; }
    """

    BINDINGS = [
        Binding("ctrl+y", "copy_plan", "Copy plan", id="incident.copy"),
        Binding("ctrl+r", "plan", "Plan", id="incident.plan"),
    ]

    def __init__(
        self,
        resource_id: str,
        *,
        start: str = "",
        end: str = "",
        depth: int = DEFAULT_DEPTH,
        now: datetime | None = None,
    ) -> None:
        super().__init__()
        self.resource_id = resource_id
        self.depth = depth
        self.now = now
        self.plan: IncidentPlan | None = None
        self._start_text = start
        self._end_text = end
        self._generation = 0
        graph = self.graph
        resource = graph.resources.get(resource_id) if graph is not None else None
        name = (resource.name or resource.resource_id) if resource is not None else None
        self.crumb = f"Incident: {name or resource_id}"

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        moment = _hour(self.now or datetime.now(UTC))
        with Horizontal(id="incident-window"):
            start = Input(
                self._start_text,
                placeholder=f"from, e.g. {iso(moment - timedelta(hours=2))}",
                id="incident-from",
            )
            start.border_title = "From (ISO 8601, UTC)"
            yield start
            end = Input(self._end_text, placeholder=f"to, e.g. {iso(moment)}", id="incident-to")
            end.border_title = "To"
            yield end
        yield Static(
            safe.content(
                f"Type the window, Enter plans (depth {self.depth}); Tab reaches the plan."
            ),
            id="incident-status",
        )
        yield selectable_text("incident-plan", "Plan (selectable text; ctrl+y copies it all)")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        if self._start_text and self._end_text:
            self.action_plan()
        else:
            self.query_one("#incident-from", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "incident-from" and not self.query_one("#incident-to", Input).value:
            self.query_one("#incident-to", Input).focus()
            return
        self.action_plan()

    def _status(self, text: str) -> None:
        self.query_one("#incident-status", Static).update(safe.content(text, single_line=True))

    def action_plan(self) -> None:
        graph = self.graph
        if graph is None:
            self._status("The snapshot is still loading.")
            return
        try:
            start = parse_time(self.query_one("#incident-from", Input).value)
            end = parse_time(self.query_one("#incident-to", Input).value)
        except ValueError as exc:
            self._status(f"{exc} (use e.g. 2026-11-30T10:00Z)")
            return
        self._generation += 1
        self._status("Planning...")
        self._build(self._generation, start, end)

    @work(thread=True, exclusive=True, group="incident")
    def _build(self, generation: int, start: datetime, end: datetime) -> None:
        graph = self.loaded_graph
        try:
            plan = build_plan(graph, self.resource_id, start, end, depth=self.depth, now=self.now)
        except PlanError as exc:
            self.app.call_from_thread(self._status, str(exc))
            return
        self.app.call_from_thread(self._show, generation, plan)

    def _show(self, generation: int, plan: IncidentPlan) -> None:
        if generation != self._generation:
            return  # an older window's plan: a newer one is on its way
        self.plan = plan
        area = self.query_one("#incident-plan", TextArea)
        area.text = safe.plain(render_markdown(plan), single_line=False)
        area.scroll_home(animate=False)
        logging = sum(
            1
            for entry in plan.resources
            for source in entry.sources
            if source.status in ("logged", "partial")
        )
        lost = sum(
            1
            for entry in plan.resources
            for source in entry.sources
            if source.covers_window is False
        )
        self._status(
            f"{len(plan.resources)} resources, {logging} logging sources ({lost} no longer "
            f"hold the window), {len(plan.blind_spots)} blind spots"
        )

    def action_copy_plan(self) -> None:
        if self.plan is None:
            self.notify("No plan yet: type the window and press Enter.", markup=False)
            return
        self.app.copy_to_clipboard(safe.plain(render_markdown(self.plan), single_line=False))
        self.notify("Copied the incident plan (Markdown).", markup=False)
