"""Explorer steps: the Textual app driven headless (`App.run_test`) on a snapshot file.

Timing follows tui-anchors.md 3.5: headless Textual skips painting, so after each key the
step waits for the app's workers and message queues (`settle`) and then renders the screen's
strips itself (`_compositor.render_strips`, what the driver would encode), and that is the
latency. The first frame is the first compositor update the app hands to its driver
(`App._display`, wrapped here; private API, measured not asserted).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

#: Keys pressed for the filter benchmark, one at a time (a name fragment and an id fragment).
FILTER_TEXT = "api-0"
CURSOR_PRESSES = 30


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 2)


async def _settle(pilot: Any, app: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def _render(app: Any) -> None:
    app.screen._compositor.render_strips()


async def _session(path: str) -> dict[str, Any]:
    from tui.app import BlindspotApp

    figures: dict[str, Any] = {}
    app = BlindspotApp(path)
    frames: list[float] = []
    original_display = app._display

    def display(*args: Any, **kwargs: Any) -> Any:
        frames.append(time.perf_counter())
        return original_display(*args, **kwargs)

    app._display = display  # type: ignore[method-assign]
    t0 = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        while not frames:
            await asyncio.sleep(0.001)
        figures["first_frame_s"] = frames[0] - t0
        while app.graph is None and app.load_error is None:
            await asyncio.sleep(0.005)
        loaded = time.perf_counter()
        figures["snapshot_loaded_s"] = loaded - t0
        await pilot.pause()
        _render(app)
        figures["matrix_after_load_s"] = time.perf_counter() - loaded
        await _settle(pilot, app)  # the background index and tree warm-up
        figures["idle_after_start_s"] = time.perf_counter() - t0

        t = time.perf_counter()
        await pilot.press("l")
        await _settle(pilot, app)
        _render(app)
        figures["open_list_ms"] = _ms(time.perf_counter() - t)

        moves = []
        for _ in range(CURSOR_PRESSES):
            t = time.perf_counter()
            await pilot.press("down")
            _render(app)
            moves.append(time.perf_counter() - t)
        figures["list_key_median_ms"] = _ms(statistics.median(moves))
        figures["list_key_max_ms"] = _ms(max(moves))

        await pilot.press("slash")
        await _settle(pilot, app)
        filters = []
        for char in FILTER_TEXT:
            t = time.perf_counter()
            await pilot.press(char)
            await _settle(pilot, app)
            _render(app)
            filters.append(time.perf_counter() - t)
        figures["filter_key_median_ms"] = _ms(statistics.median(filters))
        figures["filter_key_max_ms"] = _ms(max(filters))

        graph = app.graph
        root = next(
            (rid for rid, r in graph.resources.items() if r.type == "AWS::EC2::Instance"),
            next(iter(graph.resources)),
        )
        t = time.perf_counter()
        app.open_resource(root)
        await _settle(pilot, app)
        _render(app)
        figures["open_resource_ms"] = _ms(time.perf_counter() - t)

        t = time.perf_counter()
        await pilot.press("t")
        await _settle(pilot, app)
        _render(app)
        figures["trace_depth2_ms"] = _ms(time.perf_counter() - t)
        t = time.perf_counter()
        await pilot.press("plus")
        await _settle(pilot, app)
        _render(app)
        figures["trace_depth3_ms"] = _ms(time.perf_counter() - t)
        figures["screen_after_trace"] = type(app.screen).__name__
    return figures


def explore(path: str) -> dict[str, Any]:
    """Start the explorer on `path`, then list, cursor, filter, open a resource, trace."""
    return asyncio.run(_session(path))


STEPS: dict[str, Callable[..., dict[str, Any]]] = {"explore": explore}
