"""`blindspot demo --drift`: two real collections of the demo a week apart.

One end-to-end run (a build and two collections: about a minute on a loaded 2-core
machine): the changes made between them are the ones `diff` reports, worse and better.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from blindspot.simulation.drift import DRIFT_DAYS, Drift, drift_path, run_demo_drift
from snapshot.graph import CoverageGraph
from snapshot.render.diff import diff_snapshots

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drift() -> Drift:
    return run_demo_drift(seed=7, size="small")


def test_logging_turned_off_and_on_shows_in_diff(drift: Drift) -> None:
    assert len(drift.changes) == 4
    assert any("deleted" in c or "stopped" in c for c in drift.changes)
    assert any("turned on" in c for c in drift.changes)
    changes = diff_snapshots(drift.before, drift.after).controls
    worse = {(c.control, c.new) for c in changes if c.direction == "worse"}
    better = {(c.control, c.new) for c in changes if c.direction == "better"}
    assert ("vpc-flow-logs", "missing") in worse  # production's flow logs deleted
    # Development's turned on: partial, the delivery to its new log group not yet seen.
    assert {("vpc-flow-logs", "partial"), ("vpc-flow-logs", "logged")} & better
    assert ("s3-server-access-logs", "logged") in better


def test_the_second_snapshot_is_a_week_later_and_both_are_clean(drift: Drift) -> None:
    assert drift.after.generated_at - drift.before.generated_at == timedelta(days=DRIFT_DAYS)
    for snapshot in (drift.before, drift.after):
        assert CoverageGraph(snapshot).dangling_relationships == []


def test_drift_file_names() -> None:
    assert drift_path("demo.json.gz") == "demo.week-later.json.gz"
    assert drift_path("out/demo.json") == "out/demo.week-later.json"
    assert drift_path("demo") == "demo.week-later.json"
