"""Regenerate the README's screenshots (screenshots/*.svg) from a snapshot file.

    python scripts/screenshots.py [SNAPSHOT] [--out screenshots] [--size 100x32]

SNAPSHOT defaults to the snapshot the demo ships (blindspot/data/demo-small.json.gz);
without it, a seeded synthetic organization (benchmarks.synthetic) stands in. The app is
driven headless with the same keys a user would press, and each screen is saved with
`App.save_screenshot`, so the pictures show exactly what the explorer draws.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _name in ("NO_COLOR", "TEXTUAL_THEME", "FORCE_COLOR", "TEXTUAL_COLOR_SYSTEM"):
    os.environ.pop(_name, None)
os.environ["TEXTUAL_ANIMATIONS"] = "none"

from snapshot import browse  # noqa: E402
from snapshot.io import load_snapshot  # noqa: E402
from snapshot.model import Snapshot  # noqa: E402
from tui.app import BlindspotApp  # noqa: E402
from tui.screens.incident import IncidentScreen  # noqa: E402

#: The snapshot the demo ships (blindspot.data.DEMO_SNAPSHOT), else the name first planned.
DEFAULT_SNAPSHOTS = (
    ROOT / "blindspot" / "data" / "demo-small.json.gz",
    ROOT / "blindspot" / "data" / "sample-snapshot.json.gz",
)


def _snapshot(path: Path | None) -> tuple[Snapshot, str]:
    if path is not None:
        return load_snapshot(path), str(path)
    for default in DEFAULT_SNAPSHOTS:
        if default.exists():
            return load_snapshot(default), str(default.relative_to(ROOT))
    from benchmarks.synthetic import generate

    return generate(resources=300, accounts=3, regions=2, seed=7), "synthetic (seed 7)"


async def _settle(pilot, app) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def _showcase_resource(app: BlindspotApp) -> str:
    """A resource with a gap and related resources: what a responder would open first."""
    graph = app.graph
    assert graph is not None
    for resource_id in browse.explorer_index(graph).search("", gaps_only=True):
        if not graph.is_pseudo(resource_id) and any(graph.neighbours(resource_id)):
            return resource_id
    return browse.explorer_index(graph).ids[0]


def _incident_screen(app: BlindspotApp) -> IncidentScreen:
    """The incident plan for the demo's web server (else the showcase resource), a
    two-hour window 40 days before the snapshot, planned as of the snapshot's time."""
    graph = app.graph
    assert graph is not None
    try:
        subject = graph.resolve("prod-web-1")
    except LookupError:
        subject = _showcase_resource(app)
    now = graph.snapshot.generated_at
    start = (now - timedelta(days=40)).replace(hour=10, minute=0, second=0, microsecond=0)
    stamp = "%Y-%m-%dT%H:%MZ"
    end = start + timedelta(hours=2)
    return IncidentScreen(
        subject, start=start.strftime(stamp), end=end.strftime(stamp), depth=1, now=now
    )


async def capture(snapshot: Snapshot, out: Path, size: tuple[int, int]) -> list[Path]:
    app = BlindspotApp(snapshot=snapshot, export_dir=out)
    written: list[Path] = []

    def save(name: str) -> None:
        written.append(Path(app.save_screenshot(f"{name}.svg", str(out))))

    async with app.run_test(size=size) as pilot:
        await _settle(pilot, app)
        save("01-coverage-matrix")
        await pilot.press("r")
        await _settle(pilot, app)
        save("02-coverage-matrix-regions")
        await pilot.press("r", "l", "g", "s")
        await _settle(pilot, app)
        save("03-resource-list-gaps")
        await pilot.press("escape", "o", "down", "enter", "down", "down", "enter")
        await _settle(pilot, app)
        save("04-organization-tree")
        await pilot.press("escape")
        app.open_resource(_showcase_resource(app))
        await _settle(pilot, app)
        save("05-resource-detail")
        await pilot.press("t")
        await _settle(pilot, app)
        save("06-trace")
        await pilot.press("question_mark")
        await _settle(pilot, app)
        save("07-help")
        await pilot.press("escape")
        while len(app.screen_stack) > 2:  # back to the matrix: the plan's own breadcrumb
            app.pop_screen()
        app.push_screen(_incident_screen(app))
        await _settle(pilot, app)
        save("08-incident-plan")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", nargs="?", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="100x32", help="terminal COLUMNSxROWS")
    args = parser.parse_args(argv)
    columns, rows = (int(part) for part in args.size.lower().split("x"))
    snapshot, source = _snapshot(args.snapshot)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(capture(snapshot, args.out, (columns, rows))):
        print(f"wrote {path} (from {source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
