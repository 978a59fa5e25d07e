"""Helpers for the explorer's Pilot tests: screen text, waiting for workers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from textual.app import App
from textual.pilot import Pilot


def screen_text(app: App) -> str:
    """What the terminal shows now, as plain lines (what a user reads)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def settle(pilot: Pilot, app: App) -> None:
    """Wait until workers are done and the screen has processed their results."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot, app: App, *keys: str) -> None:
    """Press each key in turn, `settle` after each (what it opens is then ready)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot, app)


@contextlib.asynccontextmanager
async def started(app: App, **options: Any) -> AsyncIterator[Pilot]:
    """`app.run_test(**options)`, settled: the first screen is drawn and the snapshot in."""
    async with app.run_test(**options) as pilot:
        await settle(pilot, app)
        yield pilot


def run(coroutine) -> None:
    """Run one async test body (no pytest-asyncio needed)."""
    import asyncio

    asyncio.run(coroutine)
