"""The synthetic snapshot generator: deterministic, realistic shape, consistent."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks.synthetic import generate
from snapshot.graph import CoverageGraph
from snapshot.io import dump_snapshot, parse_snapshot
from snapshot.model import ACCOUNT_TYPE, REGION_TYPE, Expectation, Layer, Status

ARN_PATTERNS = {
    "AWS::EC2::VPC": r"arn:aws:ec2:[a-z0-9-]+:\d{12}:vpc/vpc-[0-9a-f]{17}",
    "AWS::EC2::Subnet": r"arn:aws:ec2:[a-z0-9-]+:\d{12}:subnet/subnet-[0-9a-f]{17}",
    "AWS::EC2::NetworkInterface": (
        r"arn:aws:ec2:[a-z0-9-]+:\d{12}:network-interface/eni-[0-9a-f]{17}"
    ),
    "AWS::EC2::Instance": r"arn:aws:ec2:[a-z0-9-]+:\d{12}:instance/i-[0-9a-f]{17}",
    "AWS::EC2::SecurityGroup": r"arn:aws:ec2:[a-z0-9-]+:\d{12}:security-group/sg-[0-9a-f]{17}",
    "AWS::S3::Bucket": r"arn:aws:s3:::[a-z0-9.-]{3,63}",
    "AWS::Lambda::Function": r"arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+",
    "AWS::RDS::DBInstance": r"arn:aws:rds:[a-z0-9-]+:\d{12}:db:[a-z0-9-]+",
    "AWS::IAM::Role": r"arn:aws:iam::\d{12}:role/[A-Za-z0-9_+=,.@-]+",
    "AWS::Logs::LogGroup": r"arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_/.#-]+",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        r"arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/[a-z0-9-]+/[0-9a-f]{16}"
    ),
}


@pytest.fixture(scope="module")
def snap():
    return generate(4000, accounts=3, regions=2, seed=42)


def test_size_and_pseudo_resources(snap):
    types = Counter(r.type for r in snap.resources)
    assert types[ACCOUNT_TYPE] == 3
    assert types[REGION_TYPE] == 6
    assert len(snap.resources) == 4000 + 9
    assert len(snap.accounts) == 3 and all(len(a.regions) == 2 for a in snap.accounts)


def test_deterministic_per_seed():
    a = generate(500, accounts=2, regions=2, seed=1)
    b = generate(500, accounts=2, regions=2, seed=1)
    c = generate(500, accounts=2, regions=2, seed=2)
    assert dump_snapshot(a) == dump_snapshot(b)
    assert dump_snapshot(a) != dump_snapshot(c)


def test_every_kind_present_with_config_style_arns(snap):
    by_type: dict[str, list[str]] = {}
    for r in snap.resources:
        by_type.setdefault(r.type, []).append(r.id)
    for type_, pattern in ARN_PATTERNS.items():
        assert by_type.get(type_), f"no {type_}"
        bad = [i for i in by_type[type_] if not re.fullmatch(pattern, i)]
        assert not bad, f"{type_}: {bad[:3]}"


def test_ids_unique_and_relationships_resolve(snap):
    graph = CoverageGraph(snap)
    assert graph.duplicate_ids == []
    assert graph.dangling_relationships == []
    names = Counter(r.name for r in snap.relationships)
    assert names["Is contained in Vpc"] > 0
    assert names["Is contained in Subnet"] > 0
    assert names["Is associated with SecurityGroup"] > 0
    assert names["Is attached to Instance"] > 0


def test_global_and_bucket_regions(snap):
    for r in snap.resources:
        if r.type in ("AWS::IAM::Role", ACCOUNT_TYPE):
            assert r.region == "global"
        elif r.type == "AWS::S3::Bucket":
            assert r.region in ("us-east-1", "eu-west-1")


def test_coverage_is_realistic(snap):
    records = [c for r in snap.resources for c in r.coverage]
    statuses = Counter(c.status for c in records)
    for status in (Status.logged, Status.partial, Status.missing, Status.unknown):
        assert statuses[status] > 0, status
    assert {c.layer for c in records} == set(Layer)
    assert any(c.expectation is Expectation.extended for c in records)
    assert any(c.inherited_from for c in records)
    assert any(c.destination for c in records)
    assert all(c.evidence for c in records)
    controls = {c.control for c in records}
    assert {
        "cloudtrail-management-events",
        "vpc-flow-logs",
        "s3-server-access-logs",
        "elb-access-logs",
        "rds-log-exports",
        "lambda-logging",
        "cloudwatch-agent",
        "config-recorder",
    } <= controls
    assert snap.errors  # the unknowns have errors behind them


def test_inherited_flow_logs_point_at_real_parents(snap):
    ids = {r.id for r in snap.resources}
    by_id = {r.id: r for r in snap.resources}
    for r in snap.resources:
        for c in r.coverage:
            if c.control == "vpc-flow-logs" and c.inherited_from:
                assert c.inherited_from in ids
                parent = by_id[c.inherited_from]
                parent_status = next(
                    x.status for x in parent.coverage if x.control == "vpc-flow-logs"
                )
                assert c.status == parent_status


def test_round_trips_through_a_file(snap):
    again = parse_snapshot(dump_snapshot(snap))
    assert len(again.resources) == len(snap.resources)
    assert len(again.relationships) == len(snap.relationships)


def test_tiny_and_invalid_sizes():
    tiny = generate(0, accounts=1, regions=1, seed=0)
    assert [r.type for r in tiny.resources] == [ACCOUNT_TYPE, REGION_TYPE]
    with pytest.raises(ValueError):
        generate(10, accounts=0)


def test_controls_match_the_catalogue(snap):
    """Synthetic records use the catalogue's ids, layers and expectations, so the explorer
    shows their remediation and queries as it does for collected snapshots."""
    from snapshot.catalogue import CONTROLS_BY_ID

    seen = {(c.control, c.layer, c.expectation) for r in snap.resources for c in r.coverage}
    for control_id, layer, expectation in sorted(seen):
        row = CONTROLS_BY_ID.get(control_id)
        assert row is not None, f"{control_id} is not in the catalogue"
        assert (row.layer, row.expectation) == (layer, expectation), control_id
