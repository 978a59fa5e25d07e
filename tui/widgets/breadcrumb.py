"""Where the user is: the crumbs of every explorer screen on the stack, and the two keys
a newcomer needs (`? keys`, `q quit`), always visible whatever the footer can fit."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from .. import safe

#: Shown at the right of the crumb line on every screen: at 60 columns the footer had
#: room for neither `? Keys` nor `q Quit`.
KEY_HINT = "? keys  q quit"


class Breadcrumb(Static):
    """One line, e.g. `Organization > prod > Resources > web-1 > Trace (depth 2)`, with
    the key hint at the right; long crumbs (AWS names) are cut from the left with an
    ellipsis so that the current screen's crumb and the hint stay visible.

    Crumbs are built from screen titles that may hold AWS names, so they go through
    `safe.text` like any other data.
    """

    DEFAULT_CSS = """
    Breadcrumb { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._crumbs: list[str] = []
        self._ascii = False

    def show(self, crumbs: list[str], *, ascii_only: bool = False) -> None:
        self._crumbs, self._ascii = crumbs, ascii_only
        self._render_line()

    def on_resize(self) -> None:
        self._render_line()

    def _render_line(self) -> None:
        separator = " > " if self._ascii else " \u203a "
        trail = safe.plain(separator.join(self._crumbs))
        width = max(0, self.content_region.width or self.size.width)
        hint = KEY_HINT if width >= len(KEY_HINT) + 12 else ""
        room = max(1, width - len(hint) - 2) if hint else max(1, width)
        if len(trail) > room:
            cut = safe.ellipsis(ascii_only=self._ascii)
            trail = cut + trail[len(trail) - room + len(cut) :]
        line = Text(trail, no_wrap=True)
        if hint:
            line.append(" " * max(1, width - len(trail) - len(hint)))
            line.append(hint, style="not bold")
        self.update(line)
