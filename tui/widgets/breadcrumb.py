"""Where the user is: the crumbs of every explorer screen on the stack."""

from __future__ import annotations

from textual.widgets import Static

from .. import safe


class Breadcrumb(Static):
    """One line, e.g. `Organization > prod > Resources > web-1 > Trace (depth 2)`.

    Crumbs are built from screen titles that may hold AWS names, so they go through
    `safe.content` like any other data.
    """

    DEFAULT_CSS = """
    Breadcrumb { height: 1; }
    """

    def show(self, crumbs: list[str], *, ascii_only: bool = False) -> None:
        separator = " > " if ascii_only else " \u203a "
        self.update(safe.content(separator.join(crumbs), single_line=True))
