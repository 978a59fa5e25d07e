"""The explorer's export into a folder it cannot write: an error notification, no crash.

`e` on the list (CSV) and on the trace (JSON) wrote through `write_bytes_atomic`, whose
OSError ended the app. Protection: tui/exporting.py raises `ExportError`, which the two
screens show as an error notification (checked by hand: with the `except OSError` of
`exporting._write` disabled, the app exits with the OSError and this test fails). The tests
run as root here, where permission bits do not stop a write, so the unwritable folders
are a missing one and a path through a regular file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from factories import VPC, small_estate


async def _settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("kind", ["missing", "through-a-file"])
def test_export_into_an_unwritable_folder_is_a_message(tmp_path, kind) -> None:
    from tui.app import BlindspotApp

    if kind == "missing":
        folder = tmp_path / "no" / "such" / "folder"
    else:
        (tmp_path / "file").write_text("x")
        folder = tmp_path / "file" / "sub"
    seen: dict[str, object] = {}

    async def body() -> None:
        app = BlindspotApp(snapshot=small_estate(), export_dir=Path(folder))
        messages: list[str] = []
        notify = app.notify

        def recording(message: str, **kwargs: object) -> None:  # kept, whatever expires
            messages.append(str(message))
            notify(message, **kwargs)  # type: ignore[arg-type]

        app.notify = recording  # type: ignore[method-assign]
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await _settle(pilot, app)
            await pilot.press("l")
            await _settle(pilot, app)
            await pilot.press("e")  # CSV of the list
            await _settle(pilot, app)
            app.open_resource(VPC)
            await _settle(pilot, app)
            await pilot.press("t")
            await _settle(pilot, app)
            await pilot.press("e")  # JSON of the trace
            await _settle(pilot, app)
            seen["running"] = app.is_running
            seen["messages"] = messages

    asyncio.run(body())
    assert seen["running"] is True
    failures = [m for m in seen["messages"] if m.startswith("Export failed")]  # type: ignore[union-attr]
    assert len(failures) == 2, seen["messages"]
    assert all("\n" not in m for m in failures)
