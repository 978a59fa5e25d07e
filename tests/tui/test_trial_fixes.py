"""What a newcomer's trial of the explorer found, each checked on the screen.

One resource count on every screen, the matrix's Enter always listing gaps, the tree's
account-level leaf, the CSV's unique columns, gaps drawn bold or reversed (never dim) in
every theme and without colour, no non-ASCII glyph with `--ascii`, and layouts that fit
80x24 and 60x20.
"""

from __future__ import annotations

import csv

import pytest
from textual.widgets import DataTable, Tree

from snapshot.graph import CoverageGraph
from snapshot.model import REGION_TYPE
from tui.screens.matrix import MatrixScreen
from tui.screens.resources import ResourceListScreen

from .fixtures import DEV, PROD, build_snapshot
from .helpers import press, run, screen_text, settle, started


def _real_count() -> int:
    return CoverageGraph(build_snapshot()).resource_count


def test_one_resource_count_on_matrix_tree_and_list(make_app):
    """The trial saw 172 on the matrix, 187 in the tree and list for one snapshot."""
    real = _real_count()

    async def body():
        app = make_app()
        async with started(app, size=(100, 30)) as pilot:
            assert f"{real} resources" in screen_text(app)
            await press(pilot, app, "o")
            tree = app.screen.query_one(Tree)
            assert f"{real} resources" in str(tree.root.label)
            await pilot.press("escape", "l")
            await settle(pilot, app)
            text = screen_text(app)
            assert f"{real} resources + " in text and "account/region-level" in text
            assert app.screen.counts()[0] == real

    run(body())


def test_matrix_enter_on_name_and_all_columns_lists_gaps(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            for column_moves in ([], ["right"]):  # the account name, then "all"
                table = app.screen.query_one("#matrix", DataTable)
                table.move_cursor(row=1, column=0)  # prod
                await pilot.press(*column_moves, "enter")
                await settle(pilot, app)
                screen = app.screen
                assert isinstance(screen, ResourceListScreen)
                assert screen.scope_account == PROD and screen.gaps_only
                assert screen.layer_filter is None
                graph = app.graph
                assert graph is not None and len(screen.rows) > 0
                for rid in screen.rows:
                    statuses = graph.layers(rid).values()
                    assert any(str(s) in ("missing", "unknown") for s in statuses)
                await press(pilot, app, "escape")
                assert isinstance(app.screen, MatrixScreen)

    run(body())


def test_resources_all_does_not_start_with_a_pseudo_resource(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            graph = app.graph
            assert graph is not None
            assert not graph.is_pseudo(app.screen.rows[0])
            assert graph.is_pseudo(app.screen.rows[-1])

    run(body())


def test_tree_account_level_leaf_lists_the_account_region_records(make_app):
    """An account whose own pseudo-resource holds nothing: the leaf opens its regions."""
    snapshot = build_snapshot()
    account = next(r for r in snapshot.resources if r.id == DEV)
    account.coverage = []  # as collectors write it: the controls live on the regions

    async def body():
        app = make_app(snapshot=snapshot)
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "o")
            tree = app.screen.query_one(Tree)
            dev = next(n for n in tree.root.children if n.data.key == (DEV,))
            dev.expand()
            await settle(pilot, app)
            leaf = dev.children[0]
            assert "account-level controls" in str(leaf.label)
            tree.select_node(leaf)
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, ResourceListScreen)
            assert screen.scope_account == DEV and screen.scope_type == REGION_TYPE
            assert screen.rows and all(app.graph.is_pseudo(rid) for rid in screen.rows)
            assert f"({len(screen.rows)} regions)" in str(leaf.label)  # what it opens

    run(body())


def test_list_csv_has_unique_column_names(make_app, tmp_path):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24), notifications=True) as pilot:
            await press(pilot, app, "l", "e")

    run(body())
    (path,) = tmp_path.glob("blindspot-list-*.csv")
    header = next(csv.reader(path.open()))
    assert len(header) == len(set(header)), header
    assert "account_id" in header and "account_layer" in header


def _luminance(color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(style) -> float:
    light, dark = sorted((_luminance(style.color), _luminance(style.bgcolor)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _gap_segments(app):
    return [
        segment
        for strip in app.screen._compositor.render_strips()
        for segment in strip
        if segment.text.strip().startswith("✗")  # the cells (the legend explains ✗ too)
    ]


@pytest.mark.parametrize(
    ("theme", "no_color"),
    [("textual-dark", False), ("textual-light", False), ("textual-dark", True)],
    ids=["dark", "light", "NO_COLOR"],
)
def test_gaps_are_bold_reversed_and_high_contrast_in_every_theme(
    make_app, monkeypatch, theme, no_color
):
    """With NO_COLOR the ✗ cells were grey 237 on 234/235, the dimmest on the screen."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")

    async def body():
        app = make_app(theme=theme)
        async with started(app, size=(80, 24)):
            segments = _gap_segments(app)
            assert segments
            for segment in segments:
                style = segment.style
                assert style.bold and style.reverse and not style.dim, (segment.text, style)
                # WCAG: 4.5:1 for text without colour; 3:1 (bold text, UI parts) where the
                # red block is a second cue.
                floor = 7.0 if no_color else 3.0
                assert _contrast(style) >= floor, (segment.text, style, _contrast(style))

    run(body())


@pytest.mark.parametrize(
    ("keys", "enter"),
    [((), "List this cell's gaps"), (("l",), "Open the resource"), (("o",), "Expand or fold")],
    ids=["matrix", "list", "tree"],
)
def test_help_lists_the_apps_own_keys_with_ids_and_what_enter_does(make_app, keys, enter):
    """`?` listed Textual's generic bindings ("super+c", "Page Left") and Enter as "Select"."""

    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, *keys, "question_mark")
            listed = app.screen.keys
            descriptions = {description for _, description, _ in listed}
            assert not any(key.startswith(("super", "shift")) for key, _, _ in listed)
            assert "Page Left" not in descriptions and "Select" not in descriptions
            (enter_line,) = [d for key, d, _ in listed if key == "enter"]
            assert enter_line.startswith(enter)
            ids = {binding_id for _, _, binding_id in listed}
            assert "app.quit" in ids and "app.help" in ids
            text = screen_text(app)
            assert "BLINDSPOT_KEYMAP" in text and "app.quit" in text
            await pilot.press("q")  # quits from the help too
            await pilot.pause()
        assert app.return_code == 0

    run(body())


def test_invalid_keymap_entry_is_reported_in_one_line(tmp_path, monkeypatch, capsys):
    import argparse

    from blindspot.commands import explore
    from snapshot.io import save_snapshot

    path = save_snapshot(build_snapshot(), tmp_path / "s.json")
    monkeypatch.setenv("BLINDSPOT_KEYMAP", "list.gap=G")
    ran = []
    monkeypatch.setattr("tui.app.BlindspotApp.run", lambda self, **kw: ran.append(kw))
    args = argparse.Namespace(file=str(path), ascii=False, no_mouse=True)
    explore.run(args)
    err = capsys.readouterr().err
    assert ran and err.count("\n") == 1
    assert "BLINDSPOT_KEYMAP" in err and "unknown binding id 'list.gap'" in err
    assert "list.gaps" in err  # the valid ids are listed


def test_edges_to_kinds_never_inventoried_raise_no_warning(make_app):
    """Config relates instances to EBS volumes, which are not inventoried: expected, no toast
    over the legend; an edge to a missing resource of a kind the snapshot holds still warns."""
    from snapshot.model import Relationship

    from .fixtures import INSTANCE

    snapshot = build_snapshot()
    volume = f"arn:aws:ec2:us-east-1:{PROD}:volume/vol-0abc"
    snapshot.relationships.append(
        Relationship(source=INSTANCE, target=volume, name="Is attached to Volume")
    )
    graph = CoverageGraph(snapshot)
    assert graph.dangling_relationships == [] and len(graph.outside_relationships) == 1

    async def body():
        app = make_app(snapshot=snapshot)
        async with started(app, size=(80, 24), notifications=True):
            assert not app._notifications

    run(body())
    gone = f"arn:aws:ec2:us-east-1:{PROD}:vpc/vpc-gone"
    snapshot.relationships.append(
        Relationship(source=INSTANCE, target=gone, name="Is contained in Vpc")
    )
    assert len(CoverageGraph(snapshot).dangling_relationships) == 1


SCREENS = [
    ("matrix", ()),
    ("regions", ("r",)),
    ("errors", ("x",)),
    ("list", ("escape", "escape", "l")),
    ("export toast", ("e",)),
    ("tree", ("escape", "o", "down", "enter")),
    ("help", ("question_mark",)),
    ("detail", ("escape", "escape", "l", "enter")),
    ("trace", ("t",)),
]


async def _walk(app, pilot):
    """Yield (screen name, screen text) for every screen of SCREENS, in one session."""
    await settle(pilot, app)
    for name, keys in SCREENS:
        await press(pilot, app, *keys)
        yield name, screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_ascii_mode_draws_only_ascii_on_every_screen(make_app, size):
    """`--ascii` still drew ▌ ▇ ▁ ↑↓←→ … and the control pictures of hostile names."""

    async def body():
        app = make_app(ascii_only=True)
        async with app.run_test(size=size, notifications=True) as pilot:
            async for name, text in _walk(app, pilot):
                bad = sorted({char for char in text if not char.isascii()})
                assert not bad, (name, bad)

    run(body())


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_key_hint_is_on_every_screen_and_status_lines_never_wrap(make_app, size):
    async def body():
        app = make_app()
        async with app.run_test(size=size, notifications=True) as pilot:
            async for name, text in _walk(app, pilot):
                first = text.splitlines()[0]
                if name != "help":  # the help is a modal over the screen's crumb line
                    assert first.rstrip().endswith("? keys  q quit"), (name, first)
                for widget_id in ("#summary", "#list-status", "#trace-status", "#legend"):
                    for widget in app.screen.query(widget_id):
                        assert widget.size.height == 1, (name, widget_id)

    run(body())


def test_80x24_errors_show_the_message_and_regions_show_serverless(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "r")
            assert "srvless" in screen_text(app)
            await press(pilot, app, "x")
            text = screen_text(app)
            assert "denied ␛]0;PWNED␇" in text  # the message, whole, under the table
            assert "AccessDenied" in text

    run(body())


def test_long_account_names_are_cut_with_an_ellipsis_not_the_layer_columns(make_app):
    snapshot = build_snapshot()
    long_name = "production-payments-platform-eu-and-us-shared-services"
    for account in snapshot.accounts:
        if account.id == PROD:
            account.name = long_name

    async def body():
        app = make_app(snapshot=snapshot)
        async with started(app, size=(80, 24)) as pilot:
            for toggle in ((), ("r",)):
                await press(pilot, app, *toggle)
                text = screen_text(app)
                assert "srvless" in text and long_name not in text
                assert "producti" in text and "…" in text
                if toggle:
                    assert "… us-east-1" in text  # the region is kept

    run(body())


def test_list_and_trace_explain_the_layer_letters(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            assert "A account · H host · D database · N network" in screen_text(app)
            await press(pilot, app, "t")
            assert "A account · H host" in screen_text(app)

    run(body())


def test_sort_worst_first_shows_the_resources_with_most_gaps_at_the_top(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await pilot.press("l", "down", "down", "down")
            await settle(pilot, app)
            await press(pilot, app, "s")
            screen = app.screen
            table = screen.query_one("#resources")
            graph = app.graph
            assert graph is not None and table.cursor == 0
            gaps = [
                sum(str(s) in ("missing", "unknown") for s in graph.layers(rid).values())
                for rid in screen.rows
            ]
            assert gaps[0] == max(gaps) and gaps == sorted(gaps, reverse=True)

    run(body())
