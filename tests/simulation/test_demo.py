"""`blindspot demo --no-ui -o FILE`: the simulated organization, collected by the real collectors.

One end-to-end run (tens of seconds on a loaded 2-core machine): the snapshot must show all
six layers with both logged and missing resources, across four accounts and two regions,
and agree with the ground truth the builder recorded, control by control.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import pytest

from blindspot.cli import main
from blindspot.commands import demo
from blindspot.simulation.org import demo_organization
from snapshot.io import load_snapshot
from snapshot.model import LAYERS, Snapshot, Status


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Snapshot]:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    args = argparse.Namespace(
        no_ui=True, output=str(path), seed=7, size="small", quiet=True, fast_exit=False
    )
    assert demo.run(args) == 0
    return path, load_snapshot(path)


def test_snapshot_spans_four_accounts_and_two_regions(written: tuple[Path, Snapshot]) -> None:
    _, snapshot = written
    assert snapshot.scope.source == "demo"
    assert len(snapshot.accounts) == 4
    names = {account.name for account in snapshot.accounts}
    assert {name.rsplit("-", 1)[1] for name in names} == {
        "management",
        "security",
        "production",
        "development",
    }
    regions = {r.region for r in snapshot.resources} - {"global"}
    assert regions == {"us-east-1", "eu-west-1"}


def test_every_layer_has_logged_and_missing_resources(written: tuple[Path, Snapshot]) -> None:
    _, snapshot = written
    seen: dict[str, set[Status]] = defaultdict(set)
    for resource in snapshot.resources:
        for coverage in resource.coverage:
            seen[str(coverage.layer)].add(coverage.status)
    for layer in LAYERS:
        assert {Status.logged, Status.missing} <= seen[str(layer)], layer


def test_probes_agree_with_the_ground_truth(written: tuple[Path, Snapshot]) -> None:
    _, snapshot = written
    found = {
        (resource.id, coverage.control): coverage.status.value
        for resource in snapshot.resources
        for coverage in resource.coverage
    }
    with demo_organization(seed=7, size="small") as org:
        planned = list(org.ground_truth)
    assert len(planned) > 50
    disagreements = [
        (p.control, p.arn, p.state, found.get((p.arn, p.control), "absent"))
        for p in planned
        if found.get((p.arn, p.control)) != p.state
    ]
    assert not disagreements


def test_hostile_tags_arrive_inert(written: tuple[Path, Snapshot]) -> None:
    path, snapshot = written
    values = {value for resource in snapshot.resources for value in resource.tags.values()}
    assert "[@click=app.quit]pwn[/]" in values  # kept as text, for the explorer to escape
    names = {resource.name for resource in snapshot.resources}
    assert "dev-[@click=app.quit]scratch[/]-box [bold]" in names
    assert "\x1b" not in path.read_text(encoding="utf-8")  # control characters stripped
    assert "\\u001b" not in path.read_text(encoding="utf-8")


def test_no_ui_without_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-ui"]) == 2
    assert "needs -o FILE" in capsys.readouterr().err


def test_demo_snapshot_is_consistent(written: tuple[Path, Snapshot]) -> None:
    """Every relationship names a resource of the snapshot (11 did: targets named by the
    API inventory's id in the moto Config extension, and instance -> EBS volume edges; the
    volume edges Config itself reports are kept, as outside the inventory)."""
    from snapshot.graph import CoverageGraph

    _, snapshot = written
    graph = CoverageGraph(snapshot)
    assert graph.dangling_relationships == []
    assert {rel.name for rel in graph.outside_relationships} <= {"Is attached to Volume"}
