"""A virtual list of resources: renders only the rows on screen, over an array of ids.

Textual's DataTable measures every cell of every row (15 s to the first frame at 100k rows,
tui-anchors.md section 3.2), so this widget follows Toolong instead: a `ScrollView` using
the Line API whose `render_line` formats one visible row from the id array on demand, and a
cursor move repaints two lines (`refresh_line`), so a keystroke costs the same at 100 rows
as at 100,000. Filtering swaps the id array; the widget never holds more than the ids
(from the resource list, a `snapshot.browse.Rows` view over the search index's ids:
no list of a million ids is built per keystroke, or freed on the UI thread).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from snapshot.graph import CoverageGraph
from snapshot.model import ACCOUNT_TYPE, LAYERS, REGION_TYPE

from .. import safe

#: One letter per layer for the compact status columns (header: A H D N X S).
LAYER_LETTERS = {
    "account": "A",
    "host": "H",
    "database": "D",
    "network": "N",
    "access": "X",
    "serverless": "S",
}


def letter_legend(*, ascii_only: bool = False) -> str:
    """`A account · H host · ...`: what the one-letter layer columns mean."""
    return safe.sep(ascii_only=ascii_only).join(
        f"{letter} {layer}" for layer, letter in LAYER_LETTERS.items()
    )


_PSEUDO_NAMES = {ACCOUNT_TYPE: "Account", REGION_TYPE: "Region"}


def short_type(resource_type: str) -> str:
    """`AWS::EC2::Instance` -> `EC2::Instance`; the pseudo-resources -> `Account`, `Region`."""
    return _PSEUDO_NAMES.get(resource_type) or resource_type.removeprefix("AWS::")


class ResourceTable(ScrollView, can_focus=True):
    """Rows of resources: per-layer status symbols, type, name, account, region."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="table.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open the resource", show=False, id="table.open"),
    ]

    DEFAULT_CSS = """
    ResourceTable { height: 1fr; }
    """

    COMPONENT_CLASSES = {"resource-table--cursor", "resource-table--header"}

    cursor: reactive[int] = reactive(0, repaint=False, always_update=True)

    class Selected(Message):
        """Enter on a row: open that resource."""

        def __init__(self, resource_id: str) -> None:
            super().__init__()
            self.resource_id = resource_id

    class Highlighted(Message):
        """The cursor moved to a row."""

        def __init__(self, resource_id: str | None) -> None:
            super().__init__()
            self.resource_id = resource_id

    def __init__(
        self,
        graph: CoverageGraph,
        *,
        ascii_only: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.graph = graph
        self.ascii_only = ascii_only
        self.rows: Sequence[str] = ()
        #: Rows formatted so far: a keystroke must format the lines it changes, not the list.
        self.rows_formatted = 0

    # -- data -----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[str], *, keep: str | None = None) -> None:
        """Show these resource ids; keep the cursor on `keep` when it is still listed."""
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        cursor = 0
        if keep is not None:
            # A dict look-up and a bisection on a `Rows` view; one C-level scan of a list
            # (about 1 ms at 100k ids) otherwise: per filter change, not per cursor key.
            with contextlib.suppress(ValueError):
                cursor = rows.index(keep)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = cursor
        self.refresh()

    @property
    def current(self) -> str | None:
        """The id under the cursor, or None when the list is empty."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # -- cursor ---------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = round(self.scroll_offset.y)
        page = self._page
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
            self.refresh()
        elif new >= top + page:
            self.scroll_to(y=new - page + 1, animate=False, immediate=True)
            self.refresh()
        else:
            self.refresh_line(old - top + 1)
            self.refresh_line(new - top + 1)
        self.post_message(self.Highlighted(self.current))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * self._page

    def action_jump(self, where: int) -> None:
        self.cursor = len(self.rows) - 1 if where < 0 else where

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to that row; a click on the cursor's row opens it."""
        index = round(self.scroll_offset.y) + event.y - 1
        if event.y < 1 or not 0 <= index < len(self.rows):
            return
        if index == self.cursor:
            self.action_select()
        else:
            self.cursor = index

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    # -- rendering ------------------------------------------------------------------------

    def _columns(self, width: int) -> tuple[int, int, int, int]:
        """Widths of type, name, account, region for this width (0 = hidden)."""
        status = 2 * len(LAYERS)
        account = 13 if width >= 110 else 0
        region = 15 if width >= 96 else 0
        type_width = 26 if width >= 100 else 20
        name = max(8, width - status - type_width - account - region - 1)
        return type_width, name, account, region

    def _header(self, width: int) -> Text:
        type_w, name_w, account_w, region_w = self._columns(width)
        line = Text(no_wrap=True)
        line.append(" ".join(LAYER_LETTERS[str(layer)] for layer in LAYERS) + " ")
        line.append("type".ljust(type_w))
        line.append("name / id".ljust(name_w))
        if account_w:
            line.append("account".ljust(account_w))
        if region_w:
            line.append("region".ljust(region_w))
        return line

    def _row(self, resource_id: str, width: int) -> Text:
        self.rows_formatted += 1
        resource = self.graph.resources[resource_id]
        layers = self.graph.layers(resource_id)
        type_w, name_w, account_w, region_w = self._columns(width)
        a = self.ascii_only
        line = Text(no_wrap=True, overflow="ellipsis")
        for layer in LAYERS:
            status = layers.get(layer)
            if status is None:
                line.append("· " if not self.ascii_only else ". ", style="dim")
            else:
                line.append(
                    safe.symbol(status, ascii_only=self.ascii_only) + " ",
                    style=safe.STATUS_STYLE[status],
                )
        line.append_text(_fit(short_type(resource.type), type_w, ascii_only=a))
        label = resource.name or resource.resource_id or resource_id
        if resource.name and resource.resource_id and resource.resource_id != resource.name:
            label = f"{resource.name} ({resource.resource_id})"
        elif resource.type == REGION_TYPE:
            label = f"{resource.region} ({resource.account})"
        line.append_text(_fit(label, name_w, ascii_only=a))
        if account_w:
            line.append_text(_fit(resource.account, account_w, style="dim", ascii_only=a))
        if region_w:
            line.append_text(_fit(resource.region, region_w, style="dim", ascii_only=a))
        return line

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self._header(width)
            header.stylize(self.get_component_rich_style("resource-table--header"))
            return _strip(header, width, base, self.app.console)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self._row(self.rows[index], width)
        if index == self.cursor:
            cursor_style = base + self.get_component_rich_style("resource-table--cursor")
            return _strip(row, width, cursor_style, self.app.console)
        return _strip(row, width, base, self.app.console)


def _fit(value: str, width: int, *, style: str = "", ascii_only: bool = False) -> Text:
    """A safe cell of exactly `width` cells: cleaned, ellipsised, padded, a space after."""
    cell = safe.text(value, style)
    room = max(1, width - 1)
    if ascii_only and cell.cell_len > room:  # Rich's ellipsis is U+2026
        cell = safe.text(safe.fit(safe.plain(value), room, ascii_only=True), style)
    cell.truncate(room, overflow="ellipsis", pad=True)
    cell.append(" ")
    return cell


def _strip(line: Text, width: int, style: Style, console: Console) -> Strip:
    """One line of exactly `width` cells, the widget's style under the text's own."""
    line.truncate(width, overflow="ellipsis", pad=True)
    segments = [
        Segment(segment.text, style + segment.style if segment.style else style)
        for segment in line.render(console, end="")
    ]
    return Strip(segments, width)
