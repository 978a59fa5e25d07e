"""The explorer's ATT&CK screen: techniques x accounts, Enter explains a cell, `b` keeps the
gaps, hostile account names show literally."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from blindspot.data import DEMO_SNAPSHOT
from snapshot.io import load_snapshot
from tui.screens.attack import AttackScreen

from .fixtures import HOSTILE_MARKUP
from .helpers import press, run, screen_text, settle, started


def test_demo_development_shows_blind_network_techniques(make_app):
    async def body():
        app = make_app(snapshot=load_snapshot(DEMO_SNAPSHOT))
        async with started(app, size=(120, 40)) as pilot:
            app.push_screen(AttackScreen())
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, AttackScreen) and screen.document is not None
            table = screen.query_one("#attack", DataTable)
            assert table.row_count == len(screen.document["techniques"])
            development = next(
                a["id"] for a in screen.document["accounts"] if a["name"].endswith("development")
            )
            row = table.get_row_index("T1498.001")  # Direct Network Flood
            column = table.get_column_index(development)
            assert str(table.get_cell_at((row, column))).endswith("BLIND")
            table.cursor_coordinate = (row, column)  # type: ignore[assignment]
            await press(pilot, app, "enter")
            detail = str(screen.query_one("#attack-detail", Static).render())
            assert "Network Traffic Flow: BLIND" in detail
            assert "to close: vpc-flow-logs" in detail
            text = screen_text(app)
            assert "ATT&CK 18" in text and "techniques" in text

    run(body())


def test_gaps_only_hides_fully_covered_techniques(make_app):
    async def body():
        app = make_app(snapshot=load_snapshot(DEMO_SNAPSHOT))
        async with started(app, size=(100, 30)) as pilot:
            app.push_screen(AttackScreen())
            await settle(pilot, app)
            table = app.screen.query_one("#attack", DataTable)
            everything = table.row_count
            await press(pilot, app, "b")
            assert 0 < table.row_count < everything
            keys = {row.value for row in table.rows}
            assert "T1498.001" in keys and "T1098.003" not in keys  # the latter covered everywhere

    run(body())


def test_hostile_account_names_are_plain_text(make_app):
    async def body():
        app = make_app(ascii_only=True)
        async with started(app, size=(100, 30)) as pilot:
            app.push_screen(AttackScreen())
            await settle(pilot, app)
            screen = app.screen
            assert screen.document is not None
            names = [a["name"] for a in screen.document["accounts"]]
            hostile = [n for n in names if HOSTILE_MARKUP in n]
            table = screen.query_one("#attack", DataTable)
            headers = [str(column.label) for column in table.columns.values()]
            if hostile:  # the fixture names an account with markup: shown as typed
                assert any(HOSTILE_MARKUP[:10] in h for h in headers)
            assert "\x1b" not in screen_text(app)

    run(body())


def test_key_a_opens_the_screen_from_the_matrix(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(100, 30)) as pilot:
            await press(pilot, app, "a")
            assert isinstance(app.screen, AttackScreen)
            assert "ATT&CK" in screen_text(app)
            await press(pilot, app, "escape")
            assert not isinstance(app.screen, AttackScreen)

    run(body())


def test_reopening_reuses_the_document_computed_for_the_graph(make_app, monkeypatch):
    """The graph does not change once loaded: `a` again does not map the techniques again."""
    import tui.screens.attack as attack

    calls = []
    real = attack.blind_spots
    monkeypatch.setattr(attack, "blind_spots", lambda snapshot: calls.append(1) or real(snapshot))

    async def body():
        app = make_app(snapshot=load_snapshot(DEMO_SNAPSHOT))
        async with started(app, size=(100, 30)) as pilot:
            documents = []
            for _ in range(2):
                app.push_screen(AttackScreen())
                await settle(pilot, app)
                documents.append(app.screen.document)
                await press(pilot, app, "escape")
            assert documents[0] is not None and documents[0] is documents[1]
            assert calls == [1]

    run(body())
