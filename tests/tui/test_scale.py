"""The resource list costs the same per keystroke at 100 and at 100k resources.

The default run proves it structurally (a keystroke formats only the rows on screen,
whatever the number of rows); the `benchmark` test measures it on synthetic organizations
(benchmarks.synthetic) of 100 and 100k resources and prints the figures:
`pytest -m benchmark -s tests/tui/test_scale.py`.
"""

from __future__ import annotations

import statistics
import time

import pytest

from tui.app import BlindspotApp
from tui.widgets.resource_table import ResourceTable

from .fixtures import scaled_snapshot
from .helpers import press, run, settle, started


@pytest.mark.parametrize("extra", [80, 20_000])
def test_a_keystroke_formats_only_visible_rows(extra):
    async def body():
        app = BlindspotApp(snapshot=scaled_snapshot(extra))
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            table = app.screen.query_one(ResourceTable)
            assert len(table.rows) == extra + 19
            visible = table.scrollable_content_region.height
            app.screen._compositor.render_strips()
            before = table.rows_formatted
            for _ in range(5):
                await pilot.press("down")
            await pilot.pause()
            app.screen._compositor.render_strips()
            # Each move repaints the old and the new cursor line, never the whole list.
            assert 0 < table.rows_formatted - before <= 2 * 5 + visible
            before = table.rows_formatted
            await pilot.press("pagedown")
            await pilot.pause()
            app.screen._compositor.render_strips()
            assert table.rows_formatted - before <= 2 * visible

    run(body())


async def _measure(snapshot, presses: int = 30) -> dict[str, float]:
    app = BlindspotApp(snapshot=snapshot)
    async with app.run_test(size=(80, 24)) as pilot:
        t0 = time.perf_counter()
        await settle(pilot, app)
        first_screen = time.perf_counter() - t0
        await press(pilot, app, "l")
        moves = []
        for _ in range(presses):
            t = time.perf_counter()
            await pilot.press("down")
            app.screen._compositor.render_strips()
            moves.append(time.perf_counter() - t)
        table = app.screen.query_one(ResourceTable)
        direct = []
        for _ in range(presses):
            t = time.perf_counter()
            table.action_cursor(1)  # the key's handler, then the lines it repaints
            for y in range(table.scrollable_content_region.height):
                table.render_line(y)
            direct.append(time.perf_counter() - t)
        await pilot.press("slash")
        filters = []
        for char in "web-1":
            t = time.perf_counter()
            await pilot.press(char)
            await settle(pilot, app)
            app.screen._compositor.render_strips()
            filters.append(time.perf_counter() - t)
    return {
        "load+first screen s": first_screen,
        "cursor key median ms": 1000 * statistics.median(moves),
        "cursor key max ms": 1000 * max(moves),
        "cursor handler+render ms": 1000 * statistics.median(direct),
        "filter key median ms": 1000 * statistics.median(filters),
        "filter key max ms": 1000 * max(filters),
    }


@pytest.mark.benchmark
def test_keystroke_cost_at_100_and_100k(capsys):
    from benchmarks.synthetic import generate

    figures = {}
    for size in (100, 100_000):
        snapshot = generate(resources=size, accounts=10, regions=3, seed=1)
        figures[size] = _measure_sync(snapshot)
    with capsys.disabled():
        for size, values in figures.items():
            shown = ", ".join(f"{k} {v:.1f}" for k, v in values.items())
            print(f"\n{size:>7} synthetic resources: {shown}")
    small, large = figures[100], figures[100_000]
    assert large["cursor key median ms"] < 5 * max(small["cursor key median ms"], 2.0)


def _measure_sync(snapshot):
    import asyncio

    return asyncio.run(_measure(snapshot))
