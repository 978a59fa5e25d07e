"""Explorer steps: the Textual app driven headless (`App.run_test`) on a snapshot file.

Latency is measured the way tui-anchors.md 3.5 describes: from the key event handed to the
app's driver to the first compositor update after it (`App._display`, wrapped here; private
API, measured not asserted), plus the time to render that screen's strips, which headless
Textual skips and a real driver does. Where a key starts a thread worker (filter, trace),
the frame counted is the first one after that worker finished: the one showing the answer.
`Pilot.press` is not used for timing: it waits for idle with polling sleeps and adds a
fixed ~60 ms per key on this machine whatever the key does.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

#: Keys typed into the list filter, one at a time (a name fragment).
FILTER_TEXT = "api-0"
CURSOR_PRESSES = 30
#: Times the trace goes from depth 2 to 3 (`+`) and back (`-`).
TRACE_REPEATS = 5
#: Give up waiting for a frame after this long (a key that changes nothing draws nothing).
FRAME_TIMEOUT = 10.0
#: How long a key that should start a worker gets to start it.
WORKER_START_TIMEOUT = 2.0


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 2)


class _Frames:
    """Times of the compositor updates the app hands to its (headless) driver, and the
    workers it starts (so that a key's worker can be waited for)."""

    def __init__(self, app: Any) -> None:
        self.times: list[float] = []
        self.workers: list[Any] = []
        display, add_worker = app._display, app.workers.add_worker

        def timed_display(*args: Any, **kwargs: Any) -> Any:
            self.times.append(time.perf_counter())
            return display(*args, **kwargs)

        def recorded_add_worker(worker: Any, *args: Any, **kwargs: Any) -> Any:
            self.workers.append(worker)
            return add_worker(worker, *args, **kwargs)

        app._display = timed_display
        app.workers.add_worker = recorded_add_worker

    async def after(self, moment: float) -> float | None:
        """The time of the first frame produced after `moment` (waiting for it)."""
        deadline = time.perf_counter() + FRAME_TIMEOUT
        while time.perf_counter() < deadline:
            index = bisect.bisect_right(self.times, moment)
            if index < len(self.times):
                return self.times[index]
            await asyncio.sleep(0.0005)
        return None

    async def worker_done(self, started_before: int) -> None:
        """Wait for a worker started after the first `started_before`, then for it to end."""
        deadline = time.perf_counter() + WORKER_START_TIMEOUT
        while len(self.workers) <= started_before and time.perf_counter() < deadline:
            await asyncio.sleep(0.0005)
        for worker in self.workers[started_before:]:
            with contextlib.suppress(Exception):
                await worker.wait()


async def _key(app: Any, frames: _Frames, key: str, *, workers: bool = False) -> float:
    """Seconds from sending `key` to the frame showing its effect, rendered."""
    from textual import events

    seen = len(frames.workers)
    start = time.perf_counter()
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    moment = start
    if workers:
        await frames.worker_done(seen)
        moment = time.perf_counter()
    shown = await frames.after(moment)
    if shown is None:
        return float("nan")
    render_start = time.perf_counter()
    app.screen._compositor.render_strips()
    return shown - start + (time.perf_counter() - render_start)


async def _settle(pilot: Any, app: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def _session(path: str) -> dict[str, Any]:
    from tui.app import BlindspotApp

    figures: dict[str, Any] = {}
    app = BlindspotApp(path)
    frames = _Frames(app)
    t0 = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        while not frames.times:
            await asyncio.sleep(0.001)
        figures["first_frame_s"] = frames.times[0] - t0
        # The matrix comes first for a large file (from the index cache or a lean pass,
        # snapshot.index.cache), its details behind it; for a small one, with the graph.
        while app.preview is None and app.graph is None and app.load_error is None:
            await asyncio.sleep(0.002)
        matrix = time.perf_counter()
        shown = await frames.after(matrix)
        app.screen._compositor.render_strips()
        figures["matrix_shown_s"] = (shown or matrix) - t0
        figures["matrix_source"] = (
            "graph" if app.preview is None else "index cache" if app.preview.cached else "lean pass"
        )
        figures["cpu_at_matrix_s"] = time.process_time()
        while app.graph is None and app.load_error is None:
            await asyncio.sleep(0.002)
        loaded = time.perf_counter()
        figures["cpu_at_details_s"] = time.process_time()
        figures["snapshot_loaded_s"] = loaded - t0
        shown = await frames.after(loaded)
        app.screen._compositor.render_strips()
        figures["matrix_after_load_s"] = (shown or loaded) - loaded
        await _settle(pilot, app)  # the background index and tree warm-up
        figures["idle_after_start_s"] = time.perf_counter() - t0

        figures["open_list_ms"] = _ms(await _key(app, frames, "l", workers=True))
        await _settle(pilot, app)
        moves = [await _key(app, frames, "down") for _ in range(CURSOR_PRESSES)]
        figures["list_key_median_ms"] = _ms(statistics.median(moves))
        figures["list_key_max_ms"] = _ms(max(moves))

        await _key(app, frames, "slash")
        await _settle(pilot, app)
        filters = []
        for char in FILTER_TEXT:
            filters.append(await _key(app, frames, char, workers=True))
            await _settle(pilot, app)
        figures["filter_key_median_ms"] = _ms(statistics.median(filters))
        figures["filter_key_max_ms"] = _ms(max(filters))

        graph = app.graph
        assert graph is not None  # loaded above
        root = next(
            (rid for rid, r in graph.resources.items() if r.type == "AWS::EC2::Instance"),
            next(iter(graph.resources)),
        )
        start = time.perf_counter()
        app.open_resource(root)
        await frames.after(start)
        app.screen._compositor.render_strips()
        figures["open_resource_ms"] = _ms(time.perf_counter() - start)
        await _settle(pilot, app)

        figures["trace_depth2_ms"] = _ms(await _key(app, frames, "t", workers=True))
        await _settle(pilot, app)
        deeper = []
        for _ in range(TRACE_REPEATS):
            deeper.append(await _key(app, frames, "plus", workers=True))
            await _settle(pilot, app)
            await _key(app, frames, "minus", workers=True)
            await _settle(pilot, app)
        figures["trace_depth3_ms"] = _ms(statistics.median(deeper))
        figures["trace_depth3_max_ms"] = _ms(max(deeper))
        figures["screen_after_trace"] = type(app.screen).__name__
    return figures


def explore(path: str) -> dict[str, Any]:
    """Start the explorer on `path`, then list, cursor, filter, open a resource, trace.

    `import_s` is the import of the app (Textual included) in this fresh process: a user's
    first frame comes that much after `blindspot explore` starts, plus interpreter start-up.
    """
    start = time.perf_counter()
    import tui.app  # noqa: F401

    imported = time.perf_counter() - start
    return {"import_s": imported, **asyncio.run(_session(path))}


STEPS: dict[str, Callable[..., dict[str, Any]]] = {"explore": explore}
