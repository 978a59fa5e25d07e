"""`?`: every key of the screen underneath and of the app, and what the symbols mean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from snapshot.model import Status

from .. import safe


class HelpScreen(ModalScreen[None]):
    """A list of keys, built from the live bindings (so remapped keys show as remapped)."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, keys: list[tuple[str, str]], *, ascii_only: bool = False) -> None:
        super().__init__()
        self.keys = keys
        self.ascii_only = ascii_only

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.keys), default=4) + 2
        lines = ["Keys (Esc closes)", ""]
        lines += [f"{key:<{width}}{description}" for key, description in self.keys]
        lines += ["", "Status symbols (always with a word or a percentage):"]
        lines += [
            f"  {safe.symbol(status, ascii_only=self.ascii_only)}  {safe.STATUS_WORD[status]}"
            for status in Status
        ]
        lines += [
            "",
            "Layers in lists and traces: A account, H host, D database, N network,",
            "X access, S serverless. Coverage % = (logged + partial/2) / counted.",
        ]
        with VerticalScroll(id="help-body"):
            yield Static(safe.content("\n".join(lines)), id="help-text")
