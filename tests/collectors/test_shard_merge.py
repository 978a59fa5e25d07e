"""`collect --shard I/N` + `blindspot merge` on the demo organization: the merged report
equals the unsharded one, every account is in exactly one shard, and the cross-account pass
(organization trail -> member accounts) is redone after the merge."""

from __future__ import annotations

import pytest

from blindspot.simulation import moto_config
from blindspot.simulation.collection import collect_organization
from blindspot.simulation.environment import simulated_aws
from blindspot.simulation.org import build_organization
from collectors.coverage.runner import resolve_across
from collectors.shard import Shard
from snapshot.graph import CoverageGraph
from snapshot.merge import merge_snapshots
from snapshot.model import Snapshot
from snapshot.render.report import build_report, render


@pytest.mark.parametrize(
    ("text", "expected"), [("1/4", Shard(1, 4)), ("4/4", Shard(4, 4)), (" 2/3", Shard(2, 3))]
)
def test_shard_parse(text, expected):
    assert Shard.parse(text) == expected


@pytest.mark.parametrize("text", ["0/4", "5/4", "1", "a/b", "1/0", "-1/2"])
def test_shard_parse_refuses(text):
    with pytest.raises(ValueError):
        Shard.parse(text)


def test_shards_partition_the_accounts():
    class Target:
        def __init__(self, id_: str) -> None:
            self.id = id_

    targets = [Target(f"{n:012d}") for n in (7, 3, 11, 5, 2, 13, 1)]
    parts = [Shard(i, 3).select(targets) for i in (1, 2, 3)]
    ids = [t.id for part in parts for t in part]
    assert sorted(ids) == sorted(t.id for t in targets)  # each exactly once
    assert max(map(len, parts)) - min(map(len, parts)) <= 1  # balanced
    assert [t.id for t in Shard(2, 3).select(list(reversed(targets)))] == [t.id for t in parts[1]]


def _report(snapshot: Snapshot) -> str:
    return render(build_report(CoverageGraph(snapshot)), "json")


@pytest.fixture(scope="module")
def collected() -> tuple[Snapshot, list[Snapshot], str]:
    with simulated_aws(7), moto_config.registered():
        org = build_organization(7, "small")
        whole = collect_organization(org).snapshot
        shards = [collect_organization(org, shard=Shard(i, 2)).snapshot for i in (1, 2)]
    return whole, shards, org.management_account_id


def test_each_shard_collects_only_its_accounts(collected):
    whole, shards, _ = collected
    seen = [{account.id for account in shard.accounts} for shard in shards]
    assert seen[0].isdisjoint(seen[1])
    assert seen[0] | seen[1] == {account.id for account in whole.accounts}
    for shard, accounts in zip(shards, seen, strict=True):
        assert {resource.account for resource in shard.resources} <= accounts


def test_merged_shards_report_equals_the_unsharded_report(collected):
    whole, shards, management = collected
    merged = merge_snapshots(shards).snapshot
    # Before the cross-account pass, the shard without the management account cannot know
    # that the organization trail covers its accounts; the pass after the merge decides it.
    assert _trail_statuses(merged) != _trail_statuses(whole)
    resolve_across(merged)
    assert _report(merged) == _report(whole)
    assert _trail_statuses(merged) == _trail_statuses(whole)
    assert any(account != management for account, _ in _trail_statuses(merged))


def _trail_statuses(snapshot: Snapshot) -> dict[tuple[str, str], str]:
    return {
        (r.account, r.region): c.status
        for r in snapshot.resources
        for c in r.coverage
        if r.is_pseudo and c.control == "cloudtrail-management-events"
    }


def test_workers_take_the_regions_of_many_accounts_before_the_next_region_of_one():
    from collectors.collect import interleaved

    class Target:
        def __init__(self, id_: str) -> None:
            self.id = id_

    a, b, c = Target("a"), Target("b"), Target("c")
    tasks = [(a, "r1", None), (a, "r2", None), (a, "r3", None), (b, "r1", None), (c, "r1", None)]
    order = [(tasks[i][0].id, tasks[i][1]) for i in interleaved(tasks)]  # type: ignore[arg-type]
    assert order == [("a", "r1"), ("b", "r1"), ("c", "r1"), ("a", "r2"), ("a", "r3")]
