"""The explorer's incident screen (`i` on a resource) and the filled-in detail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from textual.widgets import Input, Static, TextArea

from tui.screens.detail import ResourceDetailScreen
from tui.screens.incident import IncidentScreen

from .fixtures import INSTANCE, VPC
from .helpers import press, run, screen_text, settle, started

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _type_window(pilot, app, start: str, end: str) -> None:
    app.screen.query_one("#incident-from", Input).value = start
    app.screen.query_one("#incident-to", Input).value = end
    app.screen.query_one("#incident-to", Input).focus()
    await press(pilot, app, "enter")


def test_detail_key_opens_the_plan_for_a_typed_window(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(100, 30)) as pilot:
            app.open_resource(INSTANCE)
            await settle(pilot, app)
            assert isinstance(app.screen, ResourceDetailScreen)
            await press(pilot, app, "I")
            screen = app.screen
            assert isinstance(screen, IncidentScreen)
            assert screen.focused is screen.query_one("#incident-from", Input)
            await _type_window(pilot, app, "2026-11-30T10:00Z", "2026-11-30T12:00Z")
            plan = screen.query_one("#incident-plan", TextArea).text
            assert plan.startswith("## Incident plan:")
            assert "2026-11-30T10:00:00Z to 2026-11-30T12:00:00Z" in plan
            assert screen.plan is not None and screen.plan.subject == INSTANCE
            status = str(screen.query_one("#incident-status", Static).render())
            assert "resources" in status and "blind spots" in status

    run(body())


def test_bad_window_says_so_and_plans_nothing(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(100, 30)) as pilot:
            app.push_screen(IncidentScreen(INSTANCE))
            await settle(pilot, app)
            await _type_window(pilot, app, "last tuesday", "2026-11-30T12:00Z")
            assert app.screen.plan is None
            assert "not an ISO 8601 time" in screen_text(app)
            await _type_window(pilot, app, "2026-11-30T12:00Z", "2026-11-30T10:00Z")
            assert app.screen.plan is None
            assert "before it starts" in screen_text(app)

    run(body())


def test_list_key_i_opens_the_incident_screen(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(100, 30)) as pilot:
            await press(pilot, app, "l", "i")
            assert isinstance(app.screen, IncidentScreen)

    run(body())


def test_copy_plan(make_app):
    async def body():
        app = make_app()
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        async with started(app, size=(100, 30)) as pilot:
            app.push_screen(
                IncidentScreen(
                    INSTANCE, start="2026-11-30T10:00Z", end="2026-11-30T12:00Z", now=NOW
                )
            )
            await settle(pilot, app)
            await pilot.press("ctrl+y")
            assert copied and copied[0].startswith("## Incident plan:")

    run(body())


def test_detail_fills_the_resource_into_the_catalogue_command(
    make_app, fixed_catalogue, monkeypatch
):
    control = fixed_catalogue["vpc-flow-logs"]
    # setitem: undone after the test (the fixed catalogue is shared with the SVG tests).
    monkeypatch.setitem(
        fixed_catalogue,
        "vpc-flow-logs",
        replace(
            control,
            remediation="aws ec2 create-flow-logs --resource-ids <vpc-id> "
            "--log-destination arn:aws:s3:::<log-bucket>",
        ),
    )

    async def body():
        app = make_app()
        async with started(app, size=(100, 30)) as pilot:
            app.open_resource(VPC)
            await settle(pilot, app)
            await press(pilot, app, "down")
            details = app.screen.query_one("#control-detail", TextArea).text
            assert "--resource-ids vpc-0prod" in details
            assert "<log-bucket: your choice>" in details
            assert "placeholders left: <log-bucket> (your choice)" in details

    run(body())


@pytest.mark.parametrize("size", [(100, 30)])
def test_incident_screen_svg(snap_compare, make_app, size):
    async def run_before(pilot):
        app = pilot.app
        await settle(pilot, app)
        app.push_screen(
            IncidentScreen(INSTANCE, start="2026-11-30T10:00Z", end="2026-11-30T12:00Z", now=NOW)
        )
        await settle(pilot, app)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_header_says_as_of_only_for_a_past_snapshot(make_app, snapshot_model):
    async def body(snapshot, expected):
        app = make_app(snapshot=snapshot)
        async with started(app, size=(100, 30)):
            assert ("as of 2026-10-05T00:00:00Z" in app.sub_title) is expected

    past = snapshot_model.model_copy(update={"as_of": datetime(2026, 10, 5, tzinfo=UTC)})
    run(body(past, True))
    run(body(snapshot_model, False))
