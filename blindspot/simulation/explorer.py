"""The explorer opened on the demo: the first frame at once, the organization built behind it.

`tui.app.BlindspotApp` runs its `loader` in a worker after the first frame and shows the
loader's progress where the explorer says it is loading; the demo's loader builds and
collects the simulated organization (`run_demo_collection`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from snapshot.io import SnapshotError
from snapshot.model import Snapshot
from tui.app import BlindspotApp

from .collection import progress_line, run_demo_collection


def demo_loader(seed: int, size: str) -> Callable[[Callable[[str], None]], Snapshot]:
    """A `BlindspotApp` loader that builds and collects the demo organization."""

    def load(show: Callable[[str], None]) -> Snapshot:
        def progress(event: str, detail: dict[str, Any]) -> None:
            line = progress_line(event, detail)
            if line:
                show(line)

        try:
            return run_demo_collection(seed, size, progress)
        except Exception as exc:  # one line over the UI, never a traceback
            raise SnapshotError(f"the demo failed ({type(exc).__name__}: {exc})") from exc

    return load


def demo_app(*, seed: int = 7, size: str = "small", **kwargs: Any) -> BlindspotApp:
    """The explorer whose snapshot is the demo organization, collected while it shows.

    The path only names the sub-title; the loader makes the snapshot.
    """
    return BlindspotApp(f"demo-seed-{seed}-{size}", loader=demo_loader(seed, size), **kwargs)
