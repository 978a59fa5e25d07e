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

    # `q` quits here as everywhere (the app's id, so a keymap remaps both); Esc and ?
    # close the help.
    BINDINGS = [
        Binding("escape,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("q", "app.quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        keys: list[tuple[str, str, str]],
        *,
        ascii_only: bool = False,
        all_ids: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        #: (key, what it does here, binding id for BLINDSPOT_KEYMAP or "").
        self.keys = keys
        self.ascii_only = ascii_only
        self.all_ids = all_ids or {}

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _, _ in self.keys), default=4) + 2
        id_width = max((len(binding_id) for _, _, binding_id in self.keys), default=0) + 2
        lines = ["Keys on this screen (Esc closes; id: the name for BLINDSPOT_KEYMAP)", ""]
        lines.append(f"{'key':<{width}}{'id':<{id_width}}what it does")
        lines += [
            f"{key:<{width}}{binding_id:<{id_width}}{description}"
            for key, description, binding_id in self.keys
        ]
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
        if self.all_ids:
            lines += [
                "",
                "Every remappable key, e.g. BLINDSPOT_KEYMAP='list.gaps=G,app.quit=ctrl+q':",
            ]
            lines += [f"  {binding_id:<24}{text}" for binding_id, text in self.all_ids.items()]
        with VerticalScroll(id="help-body"):
            yield Static(safe.content("\n".join(lines)), id="help-text")
