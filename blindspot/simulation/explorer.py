"""The explorer opened on the demo: the first frame at once, the organization built behind it.

`tui.app.BlindspotApp` loads a snapshot (file or object) in a worker after its first frame;
`DemoApp` loads by building and collecting the simulated organization instead
(`run_demo_collection`), and shows the progress where the explorer says it is loading (the
matrix screen's summary line) and in the sub-title. Once the snapshot exists, it hands over
to the same `SnapshotLoaded` message the file loader posts.

Should the explorer grow a `loader` hook of its own, this subclass shrinks to passing one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.css.query import NoMatches
from textual.widgets import Static

from collectors import browse
from collectors.graph import CoverageGraph
from tui import app as tui_app
from tui.app import BlindspotApp
from tui.messages import SnapshotFailed, SnapshotLoaded

from .collection import progress_line, run_demo_collection


class DemoApp(BlindspotApp):
    """The explorer whose snapshot is the demo organization, collected while it shows."""

    # Textual resolves a relative CSS_PATH against the subclass's module: point at tui's.
    CSS_PATH = str(Path(tui_app.__file__).with_name(str(BlindspotApp.CSS_PATH)))

    def __init__(self, *, seed: int = 7, size: str = "small", **kwargs: Any) -> None:
        # BlindspotApp wants a path or a snapshot; the path only names the sub-title.
        super().__init__(f"demo-seed-{seed}-{size}", **kwargs)
        self.demo_seed = seed
        self.demo_size = size

    def show_progress(self, line: str) -> None:
        self.sub_title = line
        with contextlib.suppress(NoMatches):
            self.screen.query_one("#summary", Static).update(Text(line))

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        def progress(event: str, detail: dict[str, Any]) -> None:
            line = progress_line(event, detail)
            if line:
                self.call_from_thread(self.show_progress, line)

        try:
            snapshot = run_demo_collection(self.demo_seed, self.demo_size, progress)
            graph = CoverageGraph(snapshot)
        except Exception as exc:  # one line, never a traceback over the UI
            self.post_message(SnapshotFailed(f"the demo failed ({type(exc).__name__}: {exc})"))
            return
        self.post_message(SnapshotLoaded(graph))
        browse.explorer_index(graph)
        browse.scope_tree(graph)
