"""The explorer's queries in snapshot/browse.py: hierarchy, search, matrix, summary."""

from __future__ import annotations

from snapshot import browse
from snapshot.graph import CoverageGraph
from snapshot.model import Layer

from .fixtures import (
    ALB,
    BUCKET,
    DEV,
    DEV_VPC,
    ENI,
    INSTANCE,
    PROD,
    SUBNET,
    VPC,
    build_snapshot,
)


def graph() -> CoverageGraph:
    return CoverageGraph(build_snapshot())


def test_scope_tree_counts_and_levels():
    root = browse.scope_tree(graph())
    assert root.size == 19
    assert list(root.children) and root.children[PROD].size == 11
    prod_east = root.children[PROD].children["us-east-1"]
    assert set(prod_east.children) >= {"AWS::EC2::VPC", "AWS::EC2::Instance"}
    assert prod_east.children["AWS::EC2::VPC"].resources == [VPC]
    # Pseudo-resources count towards their scope but are not a type of their own.
    assert "blindspot::Account::Region" not in prod_east.children
    network = root.children[DEV].counts[Layer.network]
    assert (network.missing, network.logged) == (1, 0)


def test_scope_tree_is_cached():
    g = graph()
    assert browse.scope_tree(g) is browse.scope_tree(g)


def test_search_text_matches_name_id_type_and_tags():
    index = browse.explorer_index(graph())
    assert index.search("prod-vpc") == [VPC]
    assert index.search("VPC-0DEV") == [DEV_VPC]  # short id, any case
    assert set(index.search("AWS::EC2::VPC")) == {VPC, DEV_VPC}
    assert index.search("team=platform") == [VPC]
    assert index.search("nothing-like-this") == []


def test_search_filters_scope_gaps_layer_and_limit():
    index = browse.explorer_index(graph())
    assert set(index.search("", account=DEV, resource_type="AWS::EC2::VPC")) == {DEV_VPC}
    gaps_network = set(index.search("", gaps_only=True, layer=Layer.network))
    assert gaps_network == {VPC, DEV_VPC}  # partial (subnet, ENI) is not a gap
    network = set(index.search("", layer=Layer.network))
    assert {SUBNET, ENI, INSTANCE} <= network and ALB not in network
    assert BUCKET not in index.search("", gaps_only=True, layer=Layer.access)
    assert len(index.search("", limit=3)) == 3


def test_search_sort_by_status_puts_missing_first_and_is_stable():
    index = browse.explorer_index(graph())
    ordered = index.search("", sort_by_status=True)
    ranks = [index.worst_rank[index.ids.index(r)] for r in ordered]
    assert ranks == sorted(ranks)
    assert index.search("", sort_by_status=False) == index.ids


def test_coverage_matrix_worst_first_by_account_and_region():
    g = graph()
    rows = browse.coverage_matrix(g)
    assert [r.label for r in rows] == ["dev", "prod", "security"]
    assert rows[0].overall_pct == 0.0
    regions = browse.coverage_matrix(g, "account-region")
    assert {r.key for r in regions} >= {f"{PROD}/us-east-1", f"{DEV}/eu-west-1"}
    pcts = [r.overall_pct for r in regions if r.overall_pct is not None]
    assert pcts == sorted(pcts)


def test_summary_counts_errors_unknowns_and_time():
    info = browse.summary(graph())
    assert info.generated_at == "2026-11-30 09:00 UTC"
    assert (info.resources, info.accounts, info.errors) == (11, 3, 1)
    assert info.unknown == 1  # prod eu-west-1 GuardDuty
