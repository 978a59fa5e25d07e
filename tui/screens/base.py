"""What every explorer screen shares: the breadcrumb, `Esc` back, access to the graph."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, TextArea

from snapshot.graph import CoverageGraph

from ..widgets.breadcrumb import Breadcrumb


class ExplorerScreen(Screen[None]):
    """A screen with a crumb in the breadcrumb; `Esc` returns to the previous one."""

    BINDINGS = [Binding("escape", "back", "Back", id="nav.back")]

    #: This screen's part of the breadcrumb (may hold an AWS name; shown through safe).
    crumb: str = ""
    #: What Enter does here, for `?` when a widget's own binding (Tree, DataTable) has it.
    ENTER_HELP: str = ""

    @property
    def graph(self) -> CoverageGraph | None:
        return getattr(self.app, "graph", None)

    @property
    def loaded_graph(self) -> CoverageGraph:
        """The graph, on a screen that opens only once the snapshot is loaded."""
        graph = self.graph
        assert graph is not None, "this screen opens only once the snapshot is loaded"
        return graph

    @property
    def ascii_only(self) -> bool:
        return bool(getattr(self.app, "ascii_only", False))

    def compose_breadcrumb(self) -> ComposeResult:
        yield Breadcrumb(id="breadcrumb")

    def compose_footer(self) -> ComposeResult:
        """The key bar every screen ends with (no command palette in ASCII mode)."""
        yield Footer(compact=True, show_command_palette=not self.ascii_only)

    def refresh_breadcrumb(self) -> None:
        crumbs = [
            screen.crumb
            for screen in self.app.screen_stack
            if isinstance(screen, ExplorerScreen) and screen.crumb
        ]
        for breadcrumb in self.query(Breadcrumb):
            breadcrumb.show(crumbs, ascii_only=self.ascii_only)

    def on_screen_resume(self) -> None:
        self.refresh_breadcrumb()

    @staticmethod
    def accepts_keys(app: object) -> bool:
        """Whether keys still act: not once the app is closing (its `quitting`), so keys
        that came in one burst with `q` act on nothing half-closed. The app's own
        `check_action` asks this too."""
        return not getattr(app, "quitting", False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.accepts_keys(self.app)

    def on_graph_ready(self) -> None:
        """Called by the app when the snapshot has loaded; screens fill themselves here."""

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()


def selectable_text(widget_id: str, title: str) -> TextArea:
    """An empty read-only, wrapped text area under `title`: text a user can select and copy."""
    area = TextArea("", read_only=True, id=widget_id, soft_wrap=True)
    area.border_title = title
    return area
