"""`blindspot demo --aggregator`: the demo organization judged from its AWS Config aggregator.

The management account's organization aggregator holds the items of every recorder of the
organization (management and production in us-east-1, security in both regions). The
collection starts from the management account's credentials without `--org`: no role is
assumed into any member, so every member verdict rests on the items alone. Each planned
control of the demo is then either decided as planned, or `unknown` with a reason; never
decided otherwise, and a resource Config never recorded is simply not there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from blindspot.commands import demo
from blindspot.simulation import moto_config
from blindspot.simulation.collection import collect_organization
from blindspot.simulation.environment import simulated_aws
from blindspot.simulation.foundation import CONFIG_ON
from blindspot.simulation.org import DemoOrg, build_organization
from blindspot.simulation.truth import Planned
from collectors.collect import CollectOptions, CollectResult, collect
from snapshot.io import load_snapshot
from snapshot.model import GLOBAL_REGION, REGION_TYPE, Scope, Snapshot, Status

SEED = 7

#: What the demo's recorded items decide, per control: the planned states an item proves.
#: (An item without CloudFront logging or a hosted zone without a QueryLoggingConfig does
#: not prove `missing`: CloudFront's logging v2 and Route 53 query logging configured
#: elsewhere are not in the item, so those stay `unknown` without a credential.)
DECIDED_FROM_ITEMS: dict[str, frozenset[str]] = {
    "vpc-flow-logs": frozenset({"logged"}),  # AWS::EC2::FlowLog items
    "s3-server-access-logs": frozenset({"logged", "missing"}),  # BucketLoggingConfiguration
    "elb-access-logs": frozenset({"missing"}),  # LoadBalancerAttributes
    "apigateway-access-logs": frozenset({"logged", "missing"}),  # Stage accessLogSettings
    "rds-log-exports": frozenset({"logged", "partial"}),  # enabledCloudwatchLogsExports
    "cloudtrail-management-events": frozenset({"logged"}),  # trails (org trail across)
    "config-recorder": frozenset({"logged"}),  # AWS::Config::ConfigurationRecorder
    "guardduty": frozenset({"logged"}),  # AWS::GuardDuty::Detector
    "stepfunctions-logging": frozenset({"logged"}),  # LoggingConfiguration
    "resolver-query-logs": frozenset({"logged"}),  # query-log config associations
    "route53-query-logs": frozenset({"logged"}),  # HostedZone QueryLoggingConfig
    "cloudfront-logging": frozenset({"logged"}),  # distributionConfig.logging
}


@pytest.fixture(scope="module")
def runs() -> dict[str, object]:
    """The organization, collected through the aggregator alone and with `--org` too."""
    with simulated_aws(SEED), moto_config.registered():
        org = build_organization(SEED, "small")
        with moto_config.frozen():
            alone = collect_organization(org, aggregator=True)
            with_roles = collect(
                CollectOptions(
                    session=org.session("management"),
                    regions=list(org.regions),
                    aggregator=org.facts["aggregator"],
                    org=True,
                    role_name=org.member_role_name,
                    workers=4,
                )
            )
        yield {"org": org, "alone": alone, "with_roles": with_roles}


@pytest.fixture(scope="module")
def aggregated(runs) -> tuple[DemoOrg, CollectResult]:
    return runs["org"], runs["alone"]


def _recorded(org: DemoOrg, planned: Planned) -> bool:
    """Whether a recorder of the planned resource's account records its region."""
    role = next(role for role, account in org.accounts.items() if account.id == planned.account)
    region = org.regions[0] if planned.region == GLOBAL_REGION else planned.region
    return (role, org.regions.index(region)) in CONFIG_ON


def _found(result: CollectResult) -> dict[tuple[str, str], tuple[Status, str]]:
    return {
        (resource.id, cov.control): (cov.status, cov.evidence)
        for resource in result.snapshot.resources
        for cov in resource.coverage
    }


def test_no_role_is_assumed_and_the_aggregator_is_read_in_few_calls(aggregated) -> None:
    org, result = aggregated
    counts = result.call_log.counts
    assert ("sts", "AssumeRole") not in counts
    assert counts[("config", "DescribeConfigurationAggregators")] == 1
    # One count by account, then one query per account that records anything (3 of 4).
    assert counts[("config", "SelectAggregateResourceConfig")] == 1 + 3
    assert result.snapshot.scope.source == "aggregator"
    assert result.snapshot.scope.aggregator == org.facts["aggregator"]


def test_every_account_and_region_appears_named(aggregated) -> None:
    org, result = aggregated
    snapshot = result.snapshot
    assert {a.id: a.name for a in snapshot.accounts} == org.account_names
    regions = {(r.account, r.region) for r in snapshot.resources if r.type == REGION_TYPE}
    assert regions == {(a, r) for a in org.account_ids.values() for r in org.regions}


def test_the_ground_truth_holds_or_is_unknown_with_a_reason(aggregated) -> None:
    org, result = aggregated
    found = _found(result)
    wrong, unexplained, absent = [], [], []
    for planned in org.ground_truth:
        status, evidence = found.get((planned.arn, planned.control), (None, ""))
        if status is None:
            absent.append(planned)
        elif status is Status.unknown:
            if not evidence.strip():
                unexplained.append(planned)
        elif status.value != planned.state:
            wrong.append((planned.control, planned.arn, planned.state, status.value))
    assert not wrong
    assert not unexplained
    # Only resources no recorder records are missing from the snapshot altogether.
    assert all(not _recorded(org, planned) for planned in absent), [
        (p.control, p.arn) for p in absent if _recorded(org, p)
    ]


def test_controls_config_records_are_decided_from_the_items(aggregated) -> None:
    org, result = aggregated
    found = _found(result)
    checked = [
        planned
        for planned in org.ground_truth
        if planned.state in DECIDED_FROM_ITEMS.get(planned.control, ()) and _recorded(org, planned)
    ]
    exercised = {(p.control, p.state) for p in checked}
    assert exercised == {(c, state) for c, states in DECIDED_FROM_ITEMS.items() for state in states}
    undecided = [
        (p.control, p.arn, p.state, found.get((p.arn, p.control)))
        for p in checked
        if found.get((p.arn, p.control), (None,))[0] != Status(p.state)
    ]
    assert not undecided


def test_member_controls_without_items_say_why(aggregated) -> None:
    org, result = aggregated
    development = org.account_ids["development"]
    region = next(
        r for r in result.snapshot.resources if r.type == REGION_TYPE and r.account == development
    )
    # Nothing of it is recorded: its controls are not known (the organization trail, seen
    # in the management account, is credited across accounts and names its source).
    assert {cov.control for cov in region.coverage} >= {"config-recorder", "guardduty"}
    for cov in region.coverage:
        assert (cov.status is Status.unknown and cov.evidence) or cov.inherited_from, cov


def test_demo_command_writes_the_aggregated_snapshot(tmp_path: Path, monkeypatch) -> None:
    calls: list[dict] = []

    def fake(seed, size, progress, aggregator=False):
        calls.append({"seed": seed, "size": size, "aggregator": aggregator})
        return Snapshot(scope=Scope(source="aggregator"))

    monkeypatch.setattr("blindspot.simulation.collection.run_demo_collection", fake)
    out = tmp_path / "agg.json"
    args = argparse.Namespace(
        no_ui=True, output=str(out), seed=3, size="small", quiet=True, fast_exit=False,
        aggregator=True,
    )  # fmt: skip
    assert demo.run(args) == 0
    assert calls == [{"seed": 3, "size": "small", "aggregator": True}]
    assert load_snapshot(out).resources == []


def test_the_explorer_demo_loads_through_the_aggregator(monkeypatch) -> None:
    from blindspot.simulation import explorer

    calls: list[bool] = []

    def fake(seed, size, progress, aggregator=False):
        calls.append(aggregator)
        return Snapshot(scope=Scope(source="demo"))

    monkeypatch.setattr(explorer, "run_demo_collection", fake)
    app = explorer.demo_app(seed=7, size="small", aggregator=True)
    assert app._loader is not None
    app._loader(lambda line: None)
    assert calls == [True]


def test_with_org_the_roles_fill_what_config_does_not_hold(runs) -> None:
    org, result = runs["org"], runs["with_roles"]
    counts = result.call_log.counts
    assert counts[("sts", "AssumeRole")] == 3  # once per member, for the calls items leave
    found = _found(result)
    wrong, absent = [], []
    for planned in org.ground_truth:
        status, evidence = found.get((planned.arn, planned.control), (None, ""))
        if status is None:
            absent.append((planned.control, planned.arn))
        elif status is not Status.unknown and status.value != planned.state:
            wrong.append((planned.control, planned.arn, planned.state, status.value))
        elif status is Status.unknown:
            assert evidence.strip()
    assert not wrong
    # Account-regions no recorder records were listed through the role.
    assert not absent
    sources = {(s.account, s.region): s.source for s in result.snapshot.scope.sources}
    development = org.account_ids["development"]
    assert {sources[(development, r)] for r in org.regions} == {"api"}


def test_drift_and_aggregator_together_are_a_usage_error(capsys) -> None:
    from blindspot.cli import main

    assert main(["demo", "--drift", "--aggregator"]) == 2
    assert "--aggregator" in capsys.readouterr().err
