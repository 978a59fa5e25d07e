"""A large snapshot's matrix is on screen before its details; then all is as before."""

from __future__ import annotations

import threading
import time

from textual.widgets import DataTable, Static

import snapshot.io
from snapshot.index import cache
from snapshot.io import save_snapshot
from tui.app import BlindspotApp
from tui.screens.matrix import MatrixScreen

from .fixtures import build_snapshot
from .helpers import press, run, settle


def _cells(app: BlindspotApp) -> tuple[str, list[list[str]]]:
    table = app.screen.query_one("#matrix", DataTable)
    rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    summary = str(app.screen.query_one("#summary", Static).render())
    return summary, rows


async def _wait(pilot, condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


def test_matrix_before_details_then_the_same_screen(tmp_path, monkeypatch):
    path = save_snapshot(build_snapshot(), tmp_path / "estate.json")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BLINDSPOT_NO_CACHE", raising=False)

    async def reference() -> tuple[str, list[list[str]]]:
        app = BlindspotApp(path)  # a small file: read in one step, as before
        async with app.run_test(size=(100, 30)) as pilot:
            await _wait(pilot, lambda: app.graph is not None)
            await settle(pilot, app)
            assert app.preview is None
            return _cells(app)

    expected: list = []

    async def collect() -> None:
        expected.append(await reference())

    run(collect())

    monkeypatch.setattr(cache, "PREVIEW_MIN_BYTES", 0)
    gate = threading.Event()
    real_open = snapshot.io.open_snapshot

    def held_open(*args, **kwargs):
        gate.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(snapshot.io, "open_snapshot", held_open)

    async def body() -> None:
        app = BlindspotApp(path)
        async with app.run_test(size=(100, 30)) as pilot:
            await _wait(pilot, lambda: app.preview is not None)
            await pilot.pause()
            assert app.graph is None and not app.preview.cached
            assert isinstance(app.screen, MatrixScreen)
            assert _cells(app) == expected[0]
            table = app.screen.query_one("#matrix", DataTable)
            await pilot.press("down", "right")
            cursor = table.cursor_coordinate
            # Keys that need the details say so, and leave the matrix where it is.
            for key in ("l", "enter", "o", "slash"):
                await pilot.press(key)
                assert isinstance(app.screen, MatrixScreen)
            messages = [n.message for n in app._notifications]
            assert messages and all(m == "The snapshot is still loading." for m in messages)
            # The regions view is in the preview too.
            await pilot.press("r")
            await pilot.pause()
            regions = _cells(app)[1]
            assert any("/" not in row[0] and " " in row[0] for row in regions)
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("down", "right")
            cursor = table.cursor_coordinate
            gate.set()
            await _wait(pilot, lambda: app.graph is not None)
            await settle(pilot, app)
            assert _cells(app) == expected[0]
            assert table.cursor_coordinate == cursor  # the same figures: not redrawn
            await press(pilot, app, "l")
            assert type(app.screen).__name__ == "ResourceListScreen"

    run(body())

    async def second() -> None:
        monkeypatch.setattr(snapshot.io, "open_snapshot", real_open)
        app = BlindspotApp(path)
        async with app.run_test(size=(100, 30)) as pilot:
            await _wait(pilot, lambda: app.graph is not None)
            await settle(pilot, app)
            assert app.preview is not None and app.preview.cached  # the index cache
            assert _cells(app) == expected[0]

    run(second())
