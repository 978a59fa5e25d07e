"""Trace: the resources related to one resource, to depth N, with their gaps."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, Tree

from snapshot.graph import Trace, TraceNode
from snapshot.model import LAYERS

from .. import safe
from ..exporting import ExportError, export_trace
from ..messages import OpenResource
from ..widgets.resource_table import LAYER_LETTERS, letter_legend, short_type
from ..widgets.safe_tree import SafeTree
from .base import ExplorerScreen

#: A trace shown interactively stops at this many resources (the rest is counted).
MAX_TRACE_NODES = 500
MAX_DEPTH = 6


def node_label(node: TraceNode, *, ascii_only: bool = False) -> Text:
    """`H✗ N◐ GAPS:host web-1 EC2::Instance  via "Is attached to NetworkInterface"`.

    Per-layer letters and symbols first, gaps in words (NO_COLOR), then the resource and
    the relationship that reached it, which is the part an 80-column terminal may cut.
    """
    label = Text(no_wrap=True)
    for layer in LAYERS:
        status = node.layers.get(layer)
        if status is not None:
            label.append(
                f"{LAYER_LETTERS[str(layer)]}{safe.symbol(status, ascii_only=ascii_only)} ",
                style=safe.STATUS_STYLE[status],
            )
    if not node.layers:
        label.append("(no controls) ", style="dim")
    gaps = node.gaps
    if gaps:
        label.append("GAPS:" + ",".join(map(str, gaps)) + " ", style=safe.GAP_STYLE)
    resource = node.resource
    label.append_text(safe.text(resource.name or resource.resource_id or node.id, "bold"))
    label.append(" ")
    label.append_text(safe.text(short_type(resource.type), "dim"))
    if node.via_name:
        label.append("  via ", style="dim")
        label.append_text(safe.text(f'"{node.via_name}"', "italic"))
    return label


class TraceScreen(ExplorerScreen):
    """Related resources as a tree (each reached from its parent), gaps flagged in words.

    The breadth-first walk is `CoverageGraph.trace` (pseudo-resources never hops); it runs in
    a thread worker with a loading indicator, bounded by `MAX_TRACE_NODES`.
    """

    ENTER_HELP = "Open the highlighted resource"

    BINDINGS = [
        Binding("plus,equals_sign", "depth(1)", "Deeper", key_display="+", id="trace.deeper"),
        Binding("minus", "depth(-1)", "Shallower", key_display="-", id="trace.shallower"),
        Binding("t", "retrace", "Re-trace here", id="trace.from_here"),
        Binding("i", "incident", "Incident plan", show=False, id="trace.incident"),
        Binding("e", "export", "Export", id="trace.export"),
    ]

    def __init__(self, resource_id: str, depth: int = 2) -> None:
        super().__init__()
        self.resource_id = resource_id
        self.depth = depth
        self.trace: Trace | None = None
        self._generation = 0
        self.crumb = self._crumb()

    def _crumb(self) -> str:
        return f"Trace (depth {self.depth})"

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        yield Static(id="trace-status")
        yield Static(safe.content(letter_legend(ascii_only=self.ascii_only)), classes="letters")
        tree = SafeTree("trace", ascii_only=self.ascii_only, id="trace")
        tree.auto_expand = False
        yield tree
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        self.query_one("#trace", Tree).focus()
        self._start()

    def _start(self) -> None:
        self._generation += 1
        self.crumb = self._crumb()
        self.refresh_breadcrumb()
        self.query_one("#trace", Tree).loading = True
        self.query_one("#trace-status", Static).update(
            safe.content(
                f"Tracing to depth {self.depth}{safe.ellipsis(ascii_only=self.ascii_only)}"
            )
        )
        self._run_trace(self._generation, self.depth)

    @work(thread=True, exclusive=True, group="trace", exit_on_error=False)
    def _run_trace(self, generation: int, depth: int) -> None:
        graph = self.graph
        if graph is None:
            return
        trace = graph.trace(self.resource_id, depth, max_nodes=MAX_TRACE_NODES)
        self.app.call_from_thread(self._show, generation, trace)

    def _show(self, generation: int, trace: Trace) -> None:
        if generation != self._generation:
            return
        self.trace = trace
        tree = self.query_one("#trace", Tree)
        tree.clear()
        children: dict[str, list[TraceNode]] = defaultdict(list)
        for node in trace.nodes[1:]:
            if node.via is not None:
                children[node.via].append(node)
        root = trace.nodes[0]
        tree.root.set_label(node_label(root, ascii_only=self.ascii_only))
        tree.root.data = root.id
        stack = [(tree.root, root.id)]
        while stack:
            parent, parent_id = stack.pop()
            for child in children.get(parent_id, ()):
                branch = parent.add(
                    node_label(child, ascii_only=self.ascii_only),
                    data=child.id,
                    expand=True,
                    allow_expand=bool(children.get(child.id)),
                )
                stack.append((branch, child.id))
        tree.root.expand()
        tree.loading = False
        with_gaps = sum(1 for node in trace.nodes if node.gaps)
        dot = safe.sep(ascii_only=self.ascii_only)
        capped = f" (stopped at {MAX_TRACE_NODES})" if len(trace.nodes) >= MAX_TRACE_NODES else ""
        self.query_one("#trace-status", Static).update(
            safe.content(
                f"depth {trace.depth}{dot}{len(trace.nodes)} resources{capped}{dot}"
                f"{with_gaps} with gaps{dot}+/- depth{dot}Enter opens{dot}e exports",
                single_line=True,
            )
        )

    def action_depth(self, delta: int) -> None:
        depth = max(1, min(MAX_DEPTH, self.depth + delta))
        if depth != self.depth:
            self.depth = depth
            self._start()

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
        event.stop()
        resource_id = event.node.data
        if resource_id:
            self.post_message(OpenResource(resource_id))

    def action_retrace(self) -> None:
        """Walk on: trace again, rooted at the highlighted resource."""
        node = self.query_one("#trace", Tree).cursor_node
        if node is not None and node.data and node.data != self.resource_id:
            self.app.push_screen(TraceScreen(node.data, self.depth))

    def action_incident(self) -> None:
        """The incident plan for the highlighted resource, as deep as this trace."""
        from .incident import IncidentScreen

        node = self.query_one("#trace", Tree).cursor_node
        target = node.data if node is not None and node.data else self.resource_id
        self.app.push_screen(IncidentScreen(target, depth=self.depth))

    def action_export(self) -> None:
        if self.trace is None:
            self.notify("The trace is still running.", markup=False)
            return
        try:
            path = export_trace(self.trace, folder=getattr(self.app, "export_dir", None))
        except ExportError as exc:  # an unwritable folder is a message, not a crash
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Exported the trace to {path}", markup=False)
