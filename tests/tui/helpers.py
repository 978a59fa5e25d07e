"""Helpers for the explorer's Pilot tests: screen text, waiting for workers."""

from __future__ import annotations

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


def run(coroutine) -> None:
    """Run one async test body (no pytest-asyncio needed)."""
    import asyncio

    asyncio.run(coroutine)
