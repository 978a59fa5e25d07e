"""The graph core on small, hand-checkable snapshots (tests/factories.py)."""

from __future__ import annotations

import pytest
from factories import (
    A1,
    A2,
    BUCKET,
    DB,
    ENI,
    FUNCTION,
    INSTANCE,
    R1,
    SG,
    SUBNET,
    VPC,
    cov,
    rel,
    resource,
    small_estate,
    snapshot,
)

from snapshot.graph import Counts, CoverageGraph, ResolveError, layer_statuses, overall, worst
from snapshot.model import ACCOUNT_TYPE, REGION_TYPE, Layer, Status, region_node_id


@pytest.fixture
def graph() -> CoverageGraph:
    return CoverageGraph(small_estate())


# -- layer status ---------------------------------------------------------------------------


def test_layer_status_is_worst_baseline_control():
    r = resource(
        "x",
        "AWS::EC2::Instance",
        cov("host", "logged", "a"),
        cov("host", "partial", "b"),
        cov("network", "unknown", "c"),
        cov("network", "missing", "d"),
    )
    assert layer_statuses(r) == {Layer.host: Status.partial, Layer.network: Status.missing}


def test_worst_order_is_missing_unknown_partial_logged():
    assert worst([Status.logged, Status.unknown, Status.partial]) is Status.unknown
    assert worst([Status.logged, Status.partial]) is Status.partial
    assert worst([Status.unknown, Status.missing]) is Status.missing
    assert worst([Status.not_applicable]) is None
    assert worst([]) is None


def test_extended_and_not_applicable_are_ignored():
    r = resource(
        "x",
        "AWS::S3::Bucket",
        cov("access", "logged", "a"),
        cov("access", "missing", "b", expectation="extended"),
        cov("access", "not_applicable", "c"),
        cov("account", "missing", "d", expectation="extended"),
        cov("host", "not_applicable", "e"),
    )
    assert layer_statuses(r) == {Layer.access: Status.logged}


def test_layers_cached_per_resource(graph):
    assert graph.layers(INSTANCE) == {Layer.host: Status.missing, Layer.network: Status.logged}
    assert graph.layers(SG) == {}
    assert graph.layers(FUNCTION) == {Layer.serverless: Status.unknown}
    assert graph.layers(region_node_id(A1, R1)) == {Layer.account: Status.partial}


# -- coverage_pct -----------------------------------------------------------------------------


def test_coverage_pct_formula():
    c = Counts(logged=3, partial=2, missing=4, unknown=1)
    assert c.total == 10
    assert c.coverage_pct == pytest.approx(100 * (3 + 0.5 * 2) / 10)
    assert Counts(logged=1, partial=1).coverage_pct == 75.0
    assert Counts(unknown=2).coverage_pct == 0.0


def test_coverage_pct_is_none_when_nothing_counted():
    assert Counts().coverage_pct is None
    assert Counts().as_dict() == {
        "logged": 0,
        "partial": 0,
        "missing": 0,
        "unknown": 0,
        "coverage_pct": None,
    }


# -- rollups ----------------------------------------------------------------------------------


def test_totals_of_small_estate(graph):
    totals = graph.totals()
    assert totals[Layer.network].as_dict() == {
        "logged": 4,
        "partial": 0,
        "missing": 0,
        "unknown": 0,
        "coverage_pct": 100.0,
    }
    assert (totals[Layer.account].partial, totals[Layer.account].missing) == (1, 1)
    assert totals[Layer.host].missing == 1
    assert totals[Layer.access].partial == 1  # the not_applicable on the function is ignored
    assert totals[Layer.serverless].unknown == 1
    assert totals[Layer.database].logged == 1
    everything = overall(totals)
    assert (everything.logged, everything.partial, everything.missing, everything.unknown) == (
        5,
        2,
        2,
        1,
    )
    assert everything.coverage_pct == 60.0


def test_rollup_by_account(graph):
    by_account = graph.rollup("account")
    assert set(by_account) == {A1, A2}
    assert overall(by_account[A1]).coverage_pct == 62.5  # (4 + 0.5*2) / 8
    assert overall(by_account[A2]).coverage_pct == 50.0
    assert by_account[A2][Layer.database].logged == 1


def test_rollup_by_type_and_region(graph):
    by_type = graph.rollup("type")
    assert by_type["AWS::EC2::Instance"][Layer.host].missing == 1
    assert by_type["AWS::EC2::Instance"][Layer.network].logged == 1
    assert "AWS::EC2::SecurityGroup" not in by_type  # nothing to score
    assert by_type[REGION_TYPE][Layer.account].total == 2
    by_region = graph.rollup("region")
    assert overall(by_region[R1]).total == 10


def test_rollup_filters_accounts_and_layers(graph):
    only = graph.totals(accounts=[A2], layers=[Layer.database])
    assert only[Layer.database].logged == 1
    assert only[Layer.account].total == 0  # layer not selected
    assert graph.totals(accounts=[A2])[Layer.network].total == 0


def test_rollup_rejects_unknown_grouping(graph):
    with pytest.raises(ValueError):
        graph.rollup("colour")


# -- pseudo-resources, dangling and duplicates ------------------------------------------------


def test_pseudo_resources_are_added(graph):
    assert graph.resource(A2).type == ACCOUNT_TYPE
    assert graph.resource(A2).name == "data"
    assert graph.resource(region_node_id(A2, R1)).type == REGION_TYPE
    assert graph.is_pseudo(A1) and not graph.is_pseudo(VPC)


def test_dangling_relationships_and_duplicate_ids_are_counted():
    vpc = resource(VPC, "AWS::EC2::VPC", cov("network", "logged"))
    duplicate = resource(VPC, "AWS::EC2::VPC", cov("network", "missing"))
    snap = snapshot(
        [vpc, duplicate, resource(SUBNET, "AWS::EC2::Subnet")],
        [
            rel(SUBNET, VPC, "Is contained in Vpc"),
            rel(SUBNET, "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-gone", "Is contained in Vpc"),
        ],
    )
    graph = CoverageGraph(snap)
    assert graph.duplicate_ids == [VPC]
    assert graph.layers(VPC) == {Layer.network: Status.logged}  # first occurrence kept
    assert len(graph.dangling_relationships) == 1
    assert graph.dangling_relationships[0].target.endswith("vpc-gone")
    assert [n[0] for n in graph.neighbours(SUBNET)] == [VPC]


def test_clean_graph_has_no_dangling_or_duplicates(graph):
    assert graph.duplicate_ids == []
    assert graph.dangling_relationships == []


# -- resolve ----------------------------------------------------------------------------------


def test_resolve_by_arn_short_id_and_name(graph):
    assert graph.resolve(VPC) == VPC
    assert graph.resolve("vpc-1") == VPC
    assert graph.resolve("web-1") == INSTANCE
    assert graph.resolve("orders") == DB


def test_resolve_unknown_and_ambiguous():
    snap = snapshot(
        [
            resource(VPC, "AWS::EC2::VPC", name="shared"),
            resource(SUBNET, "AWS::EC2::Subnet", name="shared"),
        ]
    )
    graph = CoverageGraph(snap)
    with pytest.raises(ResolveError, match="matches 2 resources"):
        graph.resolve("shared")
    with pytest.raises(ResolveError, match="no resource matches"):
        graph.resolve("nothing-here")


# -- trace ------------------------------------------------------------------------------------


def test_trace_depth_zero_is_the_root_alone(graph):
    trace = graph.trace(INSTANCE, 0)
    assert [n.id for n in trace.nodes] == [INSTANCE]
    assert trace.edges == []


def test_trace_depth_one_walks_both_directions(graph):
    trace = graph.trace(SG, 1)
    ids = {n.id for n in trace.nodes}
    # SG -> VPC is outgoing; ENI -> SG and instance -> SG are incoming.
    assert ids == {SG, VPC, ENI, INSTANCE}
    assert {n.depth for n in trace.nodes if n.id != SG} == {1}


def test_trace_depth_two_reaches_further(graph):
    trace = graph.trace(BUCKET, 2)
    assert [n.id for n in trace.nodes] == [BUCKET]  # isolated: no relationship, only scope
    trace = graph.trace(VPC, 2)
    depths = {n.id: n.depth for n in trace.nodes}
    assert depths[VPC] == 0
    assert depths[SUBNET] == 1 and depths[SG] == 1 and depths[ENI] == 1
    assert depths[INSTANCE] == 2


def test_pseudo_resources_are_never_hops(graph):
    trace = graph.trace(INSTANCE, 5)
    ids = {n.id for n in trace.nodes}
    assert A1 not in ids and region_node_id(A1, R1) not in ids
    assert BUCKET not in ids and FUNCTION not in ids  # same region, but only via the region
    assert DB not in ids


def test_trace_relationship_filter(graph):
    trace = graph.trace(INSTANCE, 3, relationship_names=["is contained in"])
    ids = {n.id for n in trace.nodes}
    # ENI via "Is contained in Subnet", SG backwards via its "Is contained in Vpc".
    assert ids == {INSTANCE, SUBNET, VPC, ENI, SG}
    assert next(n for n in trace.nodes if n.id == SG).depth == 3  # not 1 via association
    assert all(e.name.startswith("Is contained in") for e in trace.edges)


def test_trace_type_filter(graph):
    trace = graph.trace(INSTANCE, 3, resource_types=["AWS::EC2::SecurityGroup"])
    assert {n.id for n in trace.nodes} == {INSTANCE, SG}


def test_trace_max_nodes_keeps_edges_inside(graph):
    trace = graph.trace(VPC, 3, max_nodes=2)
    ids = {n.id for n in trace.nodes}
    assert len(ids) == 2
    assert all(e.source in ids and e.target in ids for e in trace.edges)


def test_trace_rejects_negative_depth(graph):
    with pytest.raises(ValueError):
        graph.trace(VPC, -1)


def test_trace_gaps_and_via(graph):
    trace = graph.trace(ENI, 1)
    node = next(n for n in trace.nodes if n.id == INSTANCE)
    assert node.gaps == [Layer.host]
    assert node.via == ENI
    assert node.via_name in {"Is attached to Instance", "Contains NetworkInterface"}
    as_dict = trace.as_dict()
    assert as_dict["root"] == ENI
    assert {e["name"] for e in as_dict["edges"]} >= {"Is attached to Instance"}
