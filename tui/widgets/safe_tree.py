"""A Tree that never parses labels as markup and can draw with ASCII only."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Tree

from .. import safe

ASCII_LINES = {
    "default": ("  ", "| ", "`-", "|-"),
    "bold": ("  ", "| ", "`-", "|-"),
    "double": ("  ", "| ", "`-", "|-"),
}


class SafeTree(Tree[Any]):
    """`Tree` whose string labels become plain `Text` (Tree.add(str) parses Rich markup:
    `[link=...]` emits a real hyperlink and `[/]` raises MarkupError)."""

    def __init__(self, label: str | Text, *, ascii_only: bool = False, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        if ascii_only:
            self.ICON_NODE = "+ "
            self.ICON_NODE_EXPANDED = "- "
            self.LINES = ASCII_LINES

    def process_label(self, label: str | Text) -> Text:
        if isinstance(label, Text):
            return label
        return safe.text(label)
