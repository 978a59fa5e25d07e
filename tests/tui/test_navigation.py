"""Pilot-driven tests of every explorer action, keyboard only, at 80x24."""

from __future__ import annotations

import csv
import json

from textual.widgets import DataTable, OptionList, TextArea, Tree

from snapshot.model import Layer
from tui.screens.detail import ResourceDetailScreen
from tui.screens.help import HelpScreen
from tui.screens.matrix import MatrixScreen
from tui.screens.resources import ResourceListScreen
from tui.screens.trace import TraceScreen
from tui.screens.tree import OrgTreeScreen
from tui.widgets.resource_table import ResourceTable

from .fixtures import (
    ALB,
    DEV,
    ENI,
    HOSTILE_MARKUP,
    INSTANCE,
    PROD,
    SUBNET,
    VPC,
)
from .helpers import press, run, screen_text, settle, started


def test_first_screen_matrix_worst_first_with_totals_errors_and_time(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)):
            assert isinstance(app.screen, MatrixScreen)
            text = screen_text(app)
            assert "2026-11-30 09:00 UTC" in text
            assert "1 errors" in text and "1 unknown" in text
            table = app.screen.query_one("#matrix", DataTable)
            labels = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
            assert labels == ["dev", "prod", "security", "All accounts"]  # worst first
            assert "✗   0%" in text  # dev: symbol and number, never colour alone

    run(body())


def test_matrix_toggles_account_regions(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "r")
            table = app.screen.query_one("#matrix", DataTable)
            keys = [row.value for row in table.rows]
            assert f"{PROD}/us-east-1" in keys and f"{DEV}/eu-west-1" in keys
            await press(pilot, app, "r")
            assert PROD in [row.value for row in table.rows]

    run(body())


def test_enter_on_a_layer_cell_lists_that_accounts_gaps_in_that_layer(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            # Row "prod" (second), column "net" (name, all, acct, host, db, net).
            await pilot.press("down", *["right"] * 5, "enter")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, ResourceListScreen)
            assert screen.scope_account == PROD and screen.layer_filter is Layer.network
            assert screen.gaps_only
            assert set(screen.rows) == {VPC}  # the only prod resource missing network logs

    run(body())


def test_list_filter_gaps_layer_and_sort(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            screen = app.screen
            assert isinstance(screen, ResourceListScreen)
            everything = len(screen.rows)
            assert everything == 19
            await pilot.press("slash", *"prod-", "enter")
            await settle(pilot, app)
            assert set(screen.rows) >= {VPC, SUBNET, ALB}
            assert all("prod-" in app.graph.resources[r].name for r in screen.rows)
            assert isinstance(app.focused, ResourceTable)
            await press(pilot, app, "g")
            assert SUBNET not in screen.rows  # partial is not a gap
            assert VPC in screen.rows
            await pilot.press("f", "f", "f", "f")  # all -> account -> host -> db -> network
            await settle(pilot, app)
            assert screen.layer_filter is Layer.network
            assert screen.rows == [VPC]
            # gaps off; layer access, serverless, all; sort worst first
            await pilot.press("g", "f", "f", "f", "s")
            await settle(pilot, app)
            assert screen.layer_filter is None and screen.sort_by_status
            await pilot.press("slash", "ctrl+a", "ctrl+k", "enter")
            await settle(pilot, app)
            # Sorted worst first: every missing resource before any logged one.
            ranks = [min_rank(app, r) for r in screen.rows]
            assert ranks == sorted(ranks)
            # A tag value matches too.
            await pilot.press("slash", *"team=platform", "enter")
            await settle(pilot, app)
            assert screen.rows == [VPC]

    run(body())


def min_rank(app, resource_id):
    from snapshot.model import STATUS_SEVERITY

    layers = app.graph.layers(resource_id)
    return min((STATUS_SEVERITY[s] for s in layers.values()), default=9)


def test_list_cursor_and_enter_open_detail_and_escape_returns(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            table = app.screen.query_one(ResourceTable)
            await pilot.press("down", "down", "down")
            assert table.cursor == 3
            expected = table.current
            await press(pilot, app, "enter")
            assert isinstance(app.screen, ResourceDetailScreen)
            assert app.screen.resource_id == expected
            await press(pilot, app, "escape")
            assert isinstance(app.screen, ResourceListScreen)
            await pilot.press("end")
            assert table.cursor == len(table.rows) - 1
            await pilot.press("home")
            assert table.cursor == 0

    run(body())


def test_detail_shows_status_evidence_destination_remediation_and_degrades(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            app.open_resource(VPC)
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, ResourceDetailScreen)
            text = screen_text(app)
            assert "MISSING" in text and "partial" in text  # words, not only colour
            details = screen.query_one("#control-detail", TextArea)
            # Worst first: resolver-query-logs (missing, not in the fixed catalogue).
            assert "resolver-query-logs" in details.text
            assert "not in this version's catalogue" in details.text
            await press(pilot, app, "down")
            assert "vpc-flow-logs" in details.text
            assert "REJECT" in details.text  # evidence
            assert "log-group:/vpc/flow" in details.text  # destination
            assert "aws ec2 create-flow-logs" in details.text  # remediation
            assert "filter action = 'REJECT'" in details.text  # first-response query

    run(body())


def test_detail_copies_remediation_query_and_id(make_app):
    async def body():
        app = make_app()
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        async with started(app, size=(80, 24), notifications=True) as pilot:
            app.open_resource(INSTANCE)
            await settle(pilot, app)
            await pilot.press("c", "y", "i")
            assert copied[0].startswith("aws ssm send-command")
            assert copied[1].startswith("fields @timestamp")
            assert copied[2] == INSTANCE
            await pilot.press("down", "c")  # vpc-flow-logs inherited: remediation exists
            assert len(copied) == 4

    run(body())


def test_inherited_from_link_moves_to_that_resource(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24), notifications=True) as pilot:
            app.open_resource(ENI)
            await settle(pilot, app)
            await press(pilot, app, "enter")
            assert isinstance(app.screen, ResourceDetailScreen)
            assert app.screen.resource_id == SUBNET
            await press(pilot, app, "enter")
            assert app.screen.resource_id == VPC
            # The VPC's worst control is not inherited: Enter stays and says so.
            await press(pilot, app, "enter")
            assert app.screen.resource_id == VPC
            await pilot.press("escape", "escape")
            await settle(pilot, app)
            assert app.screen.resource_id == ENI

    run(body())


def test_trace_depth_gaps_relationships_enter_and_breadcrumb(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            app.open_resource(INSTANCE)
            await settle(pilot, app)
            await press(pilot, app, "t")
            screen = app.screen
            assert isinstance(screen, TraceScreen)
            depth2 = {node.id for node in screen.trace.nodes}
            assert {INSTANCE, ENI, SUBNET, ALB, VPC} <= depth2
            text = screen_text(app)
            assert 'via "Is contained in Subnet"' in text  # relationship names shown
            assert "GAPS:host web-1" in text  # the instance's gap, in words
            assert "Trace (depth 2)" in text.splitlines()[0]
            await press(pilot, app, "minus")
            assert screen.trace.depth == 1
            assert VPC not in {node.id for node in screen.trace.nodes}
            await pilot.press("plus", "plus")
            await settle(pilot, app)
            assert screen.trace.depth == 3
            assert "Trace (depth 3)" in screen_text(app).splitlines()[0]
            tree = screen.query_one(Tree)
            await pilot.press("down")
            target = tree.cursor_node.data
            await press(pilot, app, "enter")
            assert isinstance(app.screen, ResourceDetailScreen)
            assert app.screen.resource_id == target
            await press(pilot, app, "escape")
            assert app.screen is screen

    run(body())


def test_export_list_csv_neutralises_formulas(make_app, tmp_path, snapshot_model):
    snapshot_model.resources[-1].name = '=HYPERLINK("https://evil.example")'

    async def body():
        app = make_app(snapshot=snapshot_model)
        async with started(app, size=(80, 24), notifications=True) as pilot:
            await press(pilot, app, "l", "e")

    run(body())
    (path,) = tmp_path.glob("blindspot-list-*.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 19
    names = {row["name"] for row in rows}
    assert '\'=HYPERLINK("https://evil.example")' in names
    assert not any(name.startswith("=") for name in names)


def test_export_trace_json(make_app, tmp_path):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24), notifications=True) as pilot:
            app.open_resource(SUBNET)
            await settle(pilot, app)
            await press(pilot, app, "t", "e")

    run(body())
    (path,) = tmp_path.glob("blindspot-trace-*.json")
    document = json.loads(path.read_text())
    assert document["root"] == SUBNET and document["depth"] == 2
    assert {node["id"] for node in document["nodes"]} >= {SUBNET, VPC, ENI}


def test_org_tree_loads_lazily_and_opens_resources(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "o")
            assert isinstance(app.screen, OrgTreeScreen)
            tree = app.screen.query_one(Tree)
            accounts = tree.root.children
            assert [n.data.key for n in accounts] == [(PROD,), (DEV,), (SEC,)]
            assert all(not n.children for n in accounts)  # not loaded until expanded
            await pilot.press("down", "enter")  # expand prod
            await settle(pilot, app)
            prod = accounts[0]
            assert prod.is_expanded and prod.children
            assert "account-level controls" in str(prod.children[0].label)
            assert "8 resources" in str(prod.label)  # pseudo-resources not counted
            await pilot.press("down", "enter")  # open prod's account pseudo-resource
            await settle(pilot, app)
            assert isinstance(app.screen, ResourceDetailScreen)
            assert app.screen.resource_id == PROD

    run(body())


SEC = "333333333333"


def test_help_lists_every_key_and_q_quits(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l", "question_mark")
            assert isinstance(app.screen, HelpScreen)
            listed = {description for _, description, _ in app.screen.keys}
            for words in ("Filter", "Gaps", "Layer", "Sort", "Trace", "Export", "Quit"):
                assert words in listed
            assert "Light/dark" in listed and "Back" in listed  # hidden from the footer too
            assert "Filter" in screen_text(app)
            await press(pilot, app, "escape")
            assert isinstance(app.screen, ResourceListScreen)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    run(body())


def test_command_palette_jumps_to_a_resource(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.press(*"prod-orders")
            await pilot.pause(0.5)
            await settle(pilot, app)
            await press(pilot, app, "enter")
            assert isinstance(app.screen, ResourceDetailScreen)
            assert app.screen.resource.name == "prod-orders"

    run(body())


def test_palette_provider_bounds_results(make_app):
    from tests.tui.fixtures import scaled_snapshot
    from tui.commands import MAX_HITS

    async def body():
        app = make_app(snapshot=scaled_snapshot(500))
        async with started(app, size=(80, 24)) as pilot:
            await pilot.press("ctrl+p", *"node")
            await pilot.pause(0.5)
            await settle(pilot, app)
            options = app.screen.query_one(OptionList)
            assert 0 < options.option_count <= MAX_HITS

    run(body())


def test_hostile_names_render_literally_everywhere(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(100, 30), notifications=True) as pilot:
            await press(pilot, app, "l")
            text = screen_text(app)
            assert f"web-1 {HOSTILE_MARKUP}" in text  # markup shown, not parsed
            assert "␛]0;PWNED␇" in text  # escape shown as control pictures
            assert "\x1b" not in text and "\x07" not in text
            app.open_resource(ENI)
            await settle(pilot, app)
            text = screen_text(app)
            assert "[@click=app.quit]x[/]=[link=https://evil.example]x[/link]" in text
            await press(pilot, app, "t")
            assert "␛]0;PWNED␇" in screen_text(app)
            svg = app.export_screenshot()
            assert "\x1b" not in svg and "PWNED" in svg
            assert app.is_running  # nothing quit the app

    run(body())


def test_light_theme_and_ascii_mode(make_app):
    async def body():
        app = make_app(theme="textual-light", ascii_only=True)
        async with started(app, size=(80, 24)) as pilot:
            assert app.theme == "textual-light"
            text = screen_text(app)
            assert "x   0%" in text  # ASCII status symbol for dev
            assert "✗" not in text and "✓" not in text
            await pilot.press("T")
            assert app.theme == "textual-dark"

    run(body())


def test_no_color_keeps_status_words_and_symbols(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            assert app.no_color
            app.open_resource(VPC)
            await settle(pilot, app)
            text = screen_text(app)
            assert "✗ MISSING" in text and "◐ partial" in text

    run(body())


def test_snapshot_file_is_loaded_in_a_worker(tmp_path, snapshot_model):
    from snapshot.io import save_snapshot
    from tui.app import BlindspotApp

    path = save_snapshot(snapshot_model, tmp_path / "snap.json.gz")

    async def body():
        app = BlindspotApp(path)
        async with started(app, size=(80, 24)):
            assert app.graph is not None and len(app.graph) == 19
            assert "dev" in screen_text(app)

    run(body())


def test_unparseable_snapshot_closes_the_app_with_one_line(tmp_path):
    from tui.app import BlindspotApp

    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": 99}')

    async def body():
        app = BlindspotApp(path)
        async with started(app, size=(80, 24)):
            pass
        assert app.return_code == 2
        assert "newer than this blindspot" in app.load_error

    run(body())


def test_mouse_click_moves_the_cursor_and_a_second_click_opens(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            table = app.screen.query_one(ResourceTable)
            await pilot.click(ResourceTable, offset=(20, 4))  # header is line 0: row 3
            assert table.cursor == 3
            expected = table.current
            await pilot.click(ResourceTable, offset=(20, 4))
            await settle(pilot, app)
            assert isinstance(app.screen, ResourceDetailScreen)
            assert app.screen.resource_id == expected

    run(body())


def test_escape_in_the_filter_returns_to_the_list_not_back(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "l")
            screen = app.screen
            await pilot.press("slash", *"dev")
            await settle(pilot, app)
            await press(pilot, app, "escape")
            assert app.screen is screen and isinstance(app.focused, ResourceTable)
            assert screen.text == "dev" and len(screen.rows) < 19
            await press(pilot, app, "escape")
            assert isinstance(app.screen, MatrixScreen)

    run(body())


def test_a_wide_type_node_offers_the_list_instead_of_thousands_of_leaves(make_app):
    from tests.tui.fixtures import scaled_snapshot
    from tui.screens.tree import MAX_LEAVES, MoreLeaf

    async def body():
        app = make_app(snapshot=scaled_snapshot(2000))
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "o")
            tree = app.screen.query_one(Tree)
            prod = tree.root.children[0]
            prod.expand()
            await settle(pilot, app)
            east = next(
                n for n in prod.children if getattr(n.data, "key", None) == (PROD, "us-east-1")
            )
            east.expand()
            await settle(pilot, app)
            instances = next(
                n
                for n in east.children
                if getattr(n.data, "key", ("",))[-1] == "AWS::EC2::Instance"
            )
            instances.expand()
            await settle(pilot, app)
            assert len(instances.children) == MAX_LEAVES + 1
            more = instances.children[-1]
            assert isinstance(more.data, MoreLeaf)
            tree.select_node(more)
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, ResourceListScreen)
            assert screen.scope_type == "AWS::EC2::Instance"
            assert len(screen.rows) == instances.data.size > MAX_LEAVES

    run(body())


def test_keys_can_be_remapped_by_binding_id(make_app):
    from tui.app import parse_keymap

    keymap, problems = parse_keymap("list.gaps=G, bogus, app.list = L, list.gap=x")
    assert keymap == {"list.gaps": "G", "app.list": "L"}
    # Bad entries are reported (the CLI prints them as one warning line), not ignored.
    assert problems[:2] == ["'bogus' is not ID=KEYS", "unknown binding id 'list.gap'"]
    assert problems[2].startswith("valid ids: ") and "list.gaps" in problems[2]

    async def body():
        app = make_app(keymap=keymap)
        async with started(app, size=(80, 24)) as pilot:
            await pilot.press("l")  # no longer bound
            await settle(pilot, app)
            assert isinstance(app.screen, MatrixScreen)
            await pilot.press("L", "G")
            await settle(pilot, app)
            assert isinstance(app.screen, ResourceListScreen) and app.screen.gaps_only

    run(body())


def test_ascii_mode_draws_only_ascii_besides_data_stand_ins(make_app):
    stand_ins = {"␛", "␇", "\ufffd"}  # what sanitize puts in place of control characters

    async def body():
        app = make_app(ascii_only=True)
        async with started(app, size=(80, 24)) as pilot:
            seen = set(screen_text(app))
            for step in (("l",), ("escape", "o", "down", "enter"), ("escape",)):
                await pilot.press(*step)
                await settle(pilot, app)
                seen |= set(screen_text(app))
            for resource_id in (INSTANCE, ENI):
                app.open_resource(resource_id)
                await settle(pilot, app)
                seen |= set(screen_text(app))
                await press(pilot, app, "t")
                seen |= set(screen_text(app))
            assert {c for c in seen if ord(c) > 127} <= stand_ins

    run(body())


def test_a_loader_builds_the_snapshot_behind_the_first_frame_with_progress(make_app):
    import threading

    from tests.tui.fixtures import build_snapshot

    release = threading.Event()

    def loader(progress):
        progress("collecting prod [bold]us-east-1[/")
        release.wait(10)
        return build_snapshot()

    async def body():
        app = make_app(snapshot=None, loader=loader)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(50):
                await pilot.pause(0.05)
                if "collecting prod" in screen_text(app):
                    break
            assert "collecting prod [bold]us-east-1[/" in screen_text(app)  # literal
            assert app.graph is None
            release.set()
            await settle(pilot, app)
            assert app.graph is not None and "All accounts" in screen_text(app)

    run(body())


def test_errors_screen_lists_collection_errors_literally(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            await press(pilot, app, "x")
            table = app.screen.query_one("#errors", DataTable)
            assert table.row_count == 1
            cells = [cell.plain for cell in table.get_row_at(0)]
            assert cells[:3] == [PROD, "eu-west-1", "guardduty:ListDetectors"]
            assert cells[3:] == ["AccessDenied", "denied ␛]0;PWNED␇"]
            await press(pilot, app, "escape")
            assert isinstance(app.screen, MatrixScreen)

    run(body())


def test_trace_walks_on_from_a_related_resource(make_app):
    async def body():
        app = make_app()
        async with started(app, size=(80, 24)) as pilot:
            app.open_resource(SUBNET)
            await settle(pilot, app)
            await press(pilot, app, "t")
            first = app.screen
            await pilot.press("down")
            target = first.query_one(Tree).cursor_node.data
            await press(pilot, app, "t")
            assert isinstance(app.screen, TraceScreen) and app.screen is not first
            assert app.screen.trace.root == target
            await press(pilot, app, "escape")
            assert app.screen is first

    run(body())
