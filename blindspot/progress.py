"""Live progress of a collection on stderr: accounts, regions, services, resources, errors.

Three modes, chosen by `make_progress`:
* `live`: a Rich `Live` panel with a `Progress` bar of account-regions, when stderr is a TTY;
* `plain`: a line every few seconds (and one at the end), when stderr is not a TTY (CI logs);
* `quiet`: nothing (`--quiet`).
stdout is never touched, so `blindspot collect -o -` prints only the snapshot.
The callback is called from worker threads: counters are behind a lock.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from snapshot.sanitize import clean_single_line


class CollectProgress:
    """Counts progress events; subclasses show them. Use as a context manager."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accounts = 0
        self.regions_total = 0
        self.regions_done = 0
        self.resources = 0
        #: Errors per account-region: live ones while it runs, the final count once done
        #: (which includes the probes' errors, reported only at the end).
        self.region_errors: dict[str, int] = {}
        self.services: set[str] = set()
        self.current = ""
        self.accounts_seen: set[str] = set()

    def __call__(self, event: str, detail: dict[str, Any]) -> None:
        with self.lock:
            if event == "plan":
                self.accounts = int(detail.get("accounts", 0))
                self.regions_total = int(detail.get("regions", 0))
            elif event == "region-start":
                self.accounts_seen.add(str(detail.get("account")))
                self.current = f"{detail.get('account')}/{detail.get('region')}"
            elif event == "region-done":
                self.regions_done += 1
                key = f"{detail.get('account')}/{detail.get('region')}"
                self.region_errors[key] = int(detail.get("errors", 0))
            elif event == "service":
                self.services.add(str(detail.get("service")))
                self.current = f"{detail.get('account')}/{detail.get('region')} {detail['service']}"
            elif event == "resources":
                self.resources += int(detail.get("count", 0))
            elif event == "error":
                key = f"{detail.get('account')}/{detail.get('region')}"
                self.region_errors[key] = self.region_errors.get(key, 0) + 1
            elif event == "probes":
                self.current = f"{detail.get('account')}/{detail.get('region')} logging probes"
        self.refresh()

    @property
    def errors(self) -> int:
        return sum(self.region_errors.values())

    def summary(self) -> str:
        with self.lock:
            return (
                f"accounts {len(self.accounts_seen)}/{self.accounts}  "
                f"regions {self.regions_done}/{self.regions_total}  "
                f"services {len(self.services)}  resources {self.resources}  "
                f"errors {self.errors}"
            )

    def refresh(self) -> None:
        """Show the new state (nothing here)."""

    def __enter__(self) -> CollectProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class PlainProgress(CollectProgress):
    """A line on stderr at most every `interval` seconds, and one at the end."""

    def __init__(self, stream: TextIO, interval: float = 5.0) -> None:
        super().__init__()
        self.stream = stream
        self.interval = interval
        self._last = time.monotonic()

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.stream.write(f"blindspot: collecting: {self.summary()}\n")
            self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        self.stream.write(f"blindspot: collected: {self.summary()}\n")
        self.stream.flush()


class LiveProgress(CollectProgress):
    """A Rich live panel: a bar of account-regions and the counters under it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.console = Console(file=stream, stderr=True)
        self.bar = Progress(
            TextColumn("collecting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("account-regions"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.task = self.bar.add_task("regions", total=None)
        self.live = Live(self._render(), console=self.console, refresh_per_second=8, transient=True)

    def _render(self) -> Group:
        # Text(), never markup: account ids, regions and service names come from AWS.
        current = Text(clean_single_line(self.current)[:80], style="dim")
        return Group(self.bar, Text(self.summary()), current)

    def refresh(self) -> None:
        self.bar.update(self.task, total=self.regions_total or None, completed=self.regions_done)
        self.live.update(self._render())

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()


def make_progress(quiet: bool = False, stream: TextIO | None = None) -> CollectProgress:
    """The right display for the terminal: quiet, live (a TTY) or plain lines."""
    stream = stream or sys.stderr
    if quiet:
        return CollectProgress()
    if stream.isatty():
        return LiveProgress(stream)
    return PlainProgress(stream)
