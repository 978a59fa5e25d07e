"""The explorer opened on the demo: the first frame at once, the organization built behind it.

`tui.app.BlindspotApp` runs its `loader` in a worker after the first frame and shows the
loader's progress where the explorer says it is loading; the demo's loader builds and
collects the simulated organization (`run_demo_collection`).

Progress is what a user waiting 20-40 s needs to see moving: the build step, then the
account-regions done out of all, the resources found so far and what is being collected
now. Every collector event goes through `DemoProgress`, and the explorer's callback raises
`tui.app.LoadCancelled` once the user quit: the build and the collector's worker threads
stop at their next event instead of running on for seconds behind a closed screen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from snapshot.io import SnapshotError
from snapshot.model import Snapshot
from tui.app import BlindspotApp

from .collection import run_demo_collection

#: Seconds between two progress lines (each is a round trip to the UI thread).
PROGRESS_INTERVAL = 0.2


class DemoProgress:
    """Collector events -> one progress line, shown at most every `PROGRESS_INTERVAL`.

    Called from the collector's worker threads (counters behind a lock). `show` is the
    explorer's callback; it raises when the user quit, and that is how the collection is
    cancelled, so it is called on every event that is due, never swallowed here.
    """

    def __init__(self, show: Callable[[str], None], interval: float = PROGRESS_INTERVAL) -> None:
        self.show = show
        self.interval = interval
        self.lock = threading.Lock()
        self.accounts = 0
        self.regions = 0
        self.done = 0
        self.resources = 0
        self.current = ""
        self._last = 0.0

    def line(self, event: str, detail: dict[str, Any]) -> str:
        """The line for the state after `event` (updates the counters)."""
        with self.lock:
            if event == "build":
                if detail.get("step") == "done":
                    return "Demo organization built; listing its accounts…"
                return (
                    "Building the demo organization in moto: "
                    f"{detail.get('step')} ({detail.get('done')}/{detail.get('total')})…"
                )
            if event == "plan":
                self.accounts = int(detail.get("accounts") or 0)
                self.regions = int(detail.get("regions") or 0)
            elif event == "region-done":
                self.done += 1
            elif event == "resources":
                self.resources += int(detail.get("count") or 0)
            elif event == "service":
                self.current = f"{detail.get('account')} {detail.get('region')} {detail['service']}"
            elif event == "probes":
                self.current = f"{detail.get('account')} {detail.get('region')} logging probes"
            elif event in ("region-start", "region"):
                self.current = f"{detail.get('account')} {detail.get('region')}"
            now = f" · {self.current}" if self.current else ""
            # Short: at 80 columns what is being collected now must still show.
            return (
                f"Collecting {self.accounts} accounts: {self.done}/{self.regions} regions "
                f"done, {self.resources:,} resources{now}…"
            )

    def __call__(self, event: str, detail: dict[str, Any]) -> None:
        line = self.line(event, detail)
        now = time.monotonic()
        due = event in ("build", "plan", "region-done") or now - self._last >= self.interval
        if due:
            self._last = now
            self.show(line)


def demo_loader(
    seed: int, size: str, aggregator: bool = False
) -> Callable[[Callable[[str], None]], Snapshot]:
    """A `BlindspotApp` loader that builds and collects the demo organization (through its
    AWS Config aggregator with `aggregator`)."""

    def load(show: Callable[[str], None]) -> Snapshot:
        try:
            return run_demo_collection(seed, size, DemoProgress(show), aggregator=aggregator)
        except Exception as exc:  # one line over the UI, never a traceback
            raise SnapshotError(f"the demo failed ({type(exc).__name__}: {exc})") from exc

    return load


def demo_app(
    *, seed: int = 7, size: str = "small", aggregator: bool = False, **kwargs: Any
) -> BlindspotApp:
    """The explorer whose snapshot is the demo organization, collected while it shows.

    The path only names the sub-title; the loader makes the snapshot.
    """
    kwargs.setdefault("loading_message", "Starting the demo organization in moto")
    name = f"demo-seed-{seed}-{size}{'-aggregator' if aggregator else ''}"
    return BlindspotApp(name, loader=demo_loader(seed, size, aggregator), **kwargs)
