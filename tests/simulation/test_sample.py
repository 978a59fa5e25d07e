"""The sample snapshot shipped in the package loads and shows the demo organization."""

from __future__ import annotations

from blindspot.data import DEMO_SNAPSHOT
from snapshot.io import load_snapshot
from snapshot.model import LAYERS, Status


def test_shipped_sample_snapshot_is_a_demo_snapshot_with_gaps_in_every_layer() -> None:
    snapshot = load_snapshot(DEMO_SNAPSHOT)
    assert snapshot.scope.source == "demo"
    assert len(snapshot.accounts) == 4
    statuses = {(str(c.layer), c.status) for r in snapshot.resources for c in r.coverage}
    for layer in LAYERS:
        assert (str(layer), Status.logged) in statuses
        assert (str(layer), Status.missing) in statuses
