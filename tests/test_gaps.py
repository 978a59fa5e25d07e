"""`blindspot gaps`: every missing or unknown baseline control, with its filled-in fix."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from blindspot.cli import main
from snapshot.graph import CoverageGraph
from snapshot.io import load_snapshot
from snapshot.model import Expectation, Status
from snapshot.render.gaps import build_gaps, render

DEMO = Path(__file__).resolve().parents[1] / "blindspot" / "data" / "demo-small.json.gz"


@pytest.fixture(scope="module")
def demo() -> CoverageGraph:
    return CoverageGraph(load_snapshot(DEMO))


def _expected(graph: CoverageGraph) -> set[tuple[str, str]]:
    return {
        (resource.id, record.control)
        for resource in graph.resources.values()
        for record in resource.coverage
        if record.expectation == Expectation.baseline
        and record.status in (Status.missing, Status.unknown)
    }


def test_every_demo_gap_is_listed_with_a_filled_remediation(demo):
    rows = build_gaps(demo)
    assert {(row.resource_id, row.control) for row in rows} == _expected(demo)
    assert len(rows) == len(_expected(demo)) > 50
    for row in rows:
        assert row.remediation is not None, row
        # Only the fixer's own decisions are left: nothing the snapshot should have named.
        assert all(row.remediation.why(n) == "your choice" for n in row.remediation.unfilled), (
            row.control,
            row.remediation.text,
        )


def test_flow_log_gap_names_the_subnets_vpc(demo):
    rows = [r for r in build_gaps(demo) if r.control == "vpc-flow-logs"]
    subnet = next(r for r in rows if r.resource_type == "AWS::EC2::Subnet")
    vpc = next(
        demo.resources[n].resource_id
        for n, *_ in demo.neighbours(subnet.resource_id)
        if demo.resources[n].type == "AWS::EC2::VPC"
    )
    assert f"--resource-ids {vpc} " in subnet.remediation.text


def test_filters(demo):
    network = build_gaps(demo, layers=["network"])
    assert network and all(row.layer == "network" for row in network)
    account = network[0].account
    only = build_gaps(demo, accounts=[account])
    assert only and {row.account for row in only} == {account}


def test_formats_agree(demo):
    rows = build_gaps(demo, layers=["access"])
    document = json.loads(render(rows, "json"))
    assert document["count"] == len(rows) == len(document["gaps"])
    table = list(csv.reader(io.StringIO(render(rows, "csv"))))
    assert len(table) == len(rows) + 1 and table[0][-2] == "remediation"
    markdown = render(rows, "markdown")
    assert markdown.count("```sh") == len(rows)
    text = render(rows, "table", ascii_only=True)
    assert text.isascii() or "MISSING" in text
    assert "Placeholders left" in text or "Every remediation is filled in" in text


def test_cli(capsys):
    assert main(["gaps", str(DEMO), "--layer", "network", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] > 0
    assert main(["gaps", str(DEMO), "--account", "no-such-account"]) == 2
    assert "no account 'no-such-account'" in capsys.readouterr().err


def test_every_output_states_as_of_only_when_present(demo):
    """A snapshot of a past time (`collect --as-of`) says so in report, gaps, diff and
    incident; an ordinary one prints exactly what it printed before."""
    from datetime import UTC, datetime

    from snapshot.incident import build_plan
    from snapshot.render import diff as diff_render
    from snapshot.render import incident as incident_render
    from snapshot.render import report as report_render

    past = demo.snapshot.model_copy(update={"as_of": datetime(2026, 10, 5, tzinfo=UTC)})
    then = CoverageGraph(past)
    stamp = "2026-10-05T00:00:00Z"
    for fmt in ("table", "markdown", "json"):
        assert stamp in report_render.render(report_render.build_report(then), fmt)
        assert stamp not in report_render.render(report_render.build_report(demo), fmt)
    rows = build_gaps(then, layers=["access"])
    for fmt in ("table", "markdown", "json", "csv"):
        assert stamp in render(rows, fmt, as_of=stamp)
        assert "as_of" not in render(rows, fmt).lower().replace("as of", "")
    changes = diff_render.diff_snapshots(demo.snapshot, past)
    assert "as of 2026-10-05" in diff_render.render(changes, "table")
    assert "as of" not in diff_render.render(
        diff_render.diff_snapshots(demo.snapshot, demo.snapshot), "table"
    )
    root = then.resolve("prod-web-1")
    plan = build_plan(
        then, root, datetime(2026, 10, 4, tzinfo=UTC), datetime(2026, 10, 5, tzinfo=UTC)
    )
    assert f"Coverage as of: {stamp}" in incident_render.render(plan, "markdown")
    assert json.loads(incident_render.render(plan, "json"))["as_of"] == stamp
