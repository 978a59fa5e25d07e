"""SVG snapshots of the main screens at 80x24 and 160x48 (pytest-textual-snapshot).

Update deliberately with `pytest tests/tui/test_snapshots.py --snapshot-update` after a
visible change, and look at the pictures; the environment is pinned in conftest.py.
"""

from __future__ import annotations

import pytest

from .fixtures import INSTANCE, VPC
from .helpers import settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def _before(*steps):
    async def run_before(pilot):
        app = pilot.app
        await settle(pilot, app)
        for step in steps:
            if callable(step):
                step(app)
            else:
                await pilot.press(*step)
            await settle(pilot, app)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_matrix(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_before())


@pytest.mark.parametrize("size", SIZES)
def test_resource_list_gaps_only(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_before(("l",), ("g", "s")))


@pytest.mark.parametrize("size", SIZES)
def test_resource_detail(snap_compare, make_app, size):
    steps = (lambda app: app.open_resource(VPC), ("down",))
    assert snap_compare(make_app(), terminal_size=size, run_before=_before(*steps))


@pytest.mark.parametrize("size", SIZES)
def test_trace(snap_compare, make_app, size):
    steps = (lambda app: app.open_resource(INSTANCE), ("t",))
    assert snap_compare(make_app(), terminal_size=size, run_before=_before(*steps))


def test_org_tree_expanded_80x24(snap_compare, make_app):
    steps = (("o",), ("down", "enter", "down", "down", "enter"))
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_before(*steps))


def test_matrix_light_theme_80x24(snap_compare, make_app):
    app = make_app(theme="textual-light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before())


def test_detail_no_color_ascii_80x24(snap_compare, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(ascii_only=True)
    steps = (lambda app: app.open_resource(INSTANCE),)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before(*steps))
