"""The explorer's queries in snapshot/browse.py: hierarchy, search, matrix, summary."""

from __future__ import annotations

import itertools

from snapshot import browse
from snapshot.graph import CoverageGraph, count_resources
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
    assert root.size == 11  # 19 with the 8 account and account-region pseudo-resources
    assert list(root.children) and root.children[PROD].size == 8
    prod_east = root.children[PROD].children["us-east-1"]
    assert set(prod_east.children) >= {"AWS::EC2::VPC", "AWS::EC2::Instance"}
    assert prod_east.children["AWS::EC2::VPC"].resources == [VPC]
    # Pseudo-resources' controls count towards their scope; they are not a type of their
    # own and not counted as resources.
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


def test_search_sort_by_status_ranks_by_number_of_gaps_then_worst_status_and_is_stable():
    g = graph()
    index = browse.explorer_index(g)
    ordered = index.search("", sort_by_status=True)
    gap_counts = [len(index.gap_layers[index.position(r)]) for r in ordered]
    assert gap_counts == sorted(gap_counts, reverse=True)  # most gaps first
    for many, fewer in itertools.pairwise(ordered):
        a, b = index.position(many), index.position(fewer)
        if len(index.gap_layers[a]) == len(index.gap_layers[b]):
            assert index.worst_rank[a] <= index.worst_rank[b]
    assert index.search("", sort_by_status=False) == index.ids


def test_one_resource_count_everywhere_pseudo_resources_not_counted():
    """The demo said 184, the matrix 172, the tree, list and export 187 for one snapshot."""
    g = graph()
    pseudo = sum(1 for r in g.resources.values() if r.is_pseudo)
    assert pseudo > 0
    real = len(g.resources) - pseudo
    assert g.resource_count == real == count_resources(g.resources.values())
    assert browse.summary(g).resources == real
    assert browse.scope_tree(g).size == real
    rows = browse.explorer_index(g).search_rows("")
    assert len(rows) - rows.pseudo_count == real
    worst = browse.explorer_index(g).search_rows("", sort_by_status=True)
    assert len(worst) - worst.pseudo_count == real


def test_pseudo_resources_list_last():
    """An account pseudo-resource with no records was the first row of "Resources (all)"."""
    g = graph()
    ids = browse.explorer_index(g).ids
    kinds = [g.is_pseudo(rid) for rid in ids]
    assert kinds == sorted(kinds)  # every real resource, then the pseudo-resources
    assert not kinds[0]


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
