"""Incremental filtering in `ExplorerIndex.search` gives exactly the full scan's answer.

A query that contains an earlier one (one more character typed) is searched only among
the earlier query's matches; these tests check, on random edit sequences over a small
synthetic estate, that the result is the same list (same ids, same order) as a full scan
and as a naive reference, whatever the scope, layer, gaps and sort options.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import generate
from snapshot import browse
from snapshot.graph import CoverageGraph
from snapshot.model import LAYERS, Layer


@pytest.fixture(scope="module")
def graph() -> CoverageGraph:
    return CoverageGraph(generate(resources=300, accounts=2, regions=2, seed=7))


def reference(index: browse.ExplorerIndex, text: str, **options) -> list[str]:
    """The filter as the explorer defines it, written as plainly as possible."""
    needle = text.strip().lower()
    rows = []
    for i in range(len(index.ids)):
        if needle not in index.haystacks[i]:
            continue
        if options.get("account") not in (None, index.accounts[i]):
            continue
        if options.get("region") not in (None, index.regions[i]):
            continue
        if options.get("resource_type") not in (None, index.types[i]):
            continue
        layer = options.get("layer")
        gaps = options.get("gaps_only", False)
        if layer is not None and layer not in (index.gap_layers if gaps else index.layer_sets)[i]:
            continue
        if layer is None and gaps and not index.gap_layers[i]:
            continue
        rows.append(i)
    if options.get("sort_by_status"):
        rows.sort(key=lambda i: index.gap_rank[i])
    ids = [index.ids[i] for i in rows]
    limit = options.get("limit")
    return ids if limit is None else ids[:limit]


# Characters the synthetic haystacks are made of, upper case (the filter ignores case),
# spaces (stripped at the ends), and characters whose lower case is longer ("İ") or that
# never match.
ALPHABET = "api-0123456789abcdefsw:=/ .\nAPIVXİß_"

edits = st.one_of(
    st.tuples(st.just("type"), st.sampled_from(ALPHABET)),
    st.tuples(st.just("backspace"), st.just("")),
    st.tuples(st.just("insert"), st.tuples(st.integers(0, 20), st.sampled_from(ALPHABET))),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("replace"), st.text(ALPHABET, max_size=6)),
    st.tuples(st.just("options"), st.integers(0, 2**16)),
)


def apply(text: str, edit: tuple) -> str:
    kind, arg = edit
    if kind == "type":
        return text + arg
    if kind == "backspace":
        return text[:-1]
    if kind == "insert":
        at, char = arg
        at = min(at, len(text))
        return text[:at] + char + text[at:]
    if kind == "delete":
        return text[:arg] + text[arg + 1 :] if arg < len(text) else text
    if kind == "replace":
        return arg
    return text


def options_from(seed: int, index: browse.ExplorerIndex) -> dict:
    """A deterministic choice of scope and filters from one integer."""
    accounts = sorted(set(index.accounts))
    regions = sorted(set(index.regions))
    types = sorted(set(index.types))
    layers: list[Layer | None] = [None, *LAYERS]
    pick = [seed >> shift for shift in range(0, 16, 3)]
    options: dict = {
        "gaps_only": bool(pick[0] & 1),
        "sort_by_status": bool(pick[0] & 2),
        "layer": layers[pick[1] % len(layers)],
    }
    if pick[2] % 3 == 0:
        options["account"] = accounts[pick[2] % len(accounts)]
    if pick[3] % 3 == 0:
        options["region"] = regions[pick[3] % len(regions)]
    if pick[4] % 4 == 0:
        options["resource_type"] = types[pick[4] % len(types)]
    if pick[5] % 5 == 0:
        options["limit"] = pick[5] % 7
    return options


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(edits, max_size=25), start=st.integers(0, 2**16))
def test_incremental_equals_full_scan(graph, edits, start):
    index = browse.ExplorerIndex(graph)  # a fresh cache per example
    text, options = "", options_from(start, index)
    for edit in [("type", ""), *edits]:
        text = apply(text, edit)
        if edit[0] == "options":
            options = options_from(edit[1], index)
        incremental = index.search(text, **options)
        full = index.search(text, incremental=False, **options)
        assert incremental == full
        assert incremental == reference(index, text, **options)
        if "limit" not in options:
            rows = index.search_rows(text, **options)
            assert list(rows) == incremental and rows == incremental and len(rows) == len(full)


@settings(max_examples=100, deadline=None)
@given(queries=st.lists(st.text(ALPHABET, max_size=5), max_size=12))
def test_any_order_of_queries_over_a_shared_index(queries):
    """Queries in any order (other screens, the palette) share the index's kept matches."""
    index = browse.ExplorerIndex(_small_graph())
    for text in queries:
        assert index.search(text) == reference(index, text)


_GRAPH: list[CoverageGraph] = []


def _small_graph() -> CoverageGraph:
    if not _GRAPH:
        _GRAPH.append(CoverageGraph(generate(resources=120, accounts=2, regions=1, seed=3)))
    return _GRAPH[0]


def test_a_longer_query_scans_only_the_previous_matches(graph):
    index = browse.ExplorerIndex(graph)
    first = index.search("api")
    assert (index.scans, index.last_scan_size) == (1, len(index.ids))  # a full scan
    assert 0 < len(first) < len(index.ids) // 2
    second = index.search("api-alb")
    assert (index.scans, index.last_scan_size) == (2, len(first))  # the previous matches only
    assert set(second) <= set(first)
    assert 0 < len(second) < len(first)
    assert index.search("api") == first  # back to a kept query: no scan at all
    assert index.scans == 2
    index.search("web")  # unrelated: a full scan again
    assert (index.scans, index.last_scan_size) == (3, len(index.ids))


def test_a_scoped_list_narrows_its_scope_once(graph):
    index = browse.ExplorerIndex(graph)
    account = index.accounts[-1]
    in_scope = index.accounts.count(account)
    index.search("a", account=account)
    assert (index.scans, index.last_scan_size) == (1, in_scope)
    index.search("b", account=account)
    # the account's positions, never all of them
    assert (index.scans, index.last_scan_size) == (2, in_scope)


def test_a_stale_search_is_cancelled_and_leaves_nothing_behind(graph):
    index = browse.ExplorerIndex(graph)
    with pytest.raises(browse.SearchCancelled):
        index.search("api", should_stop=lambda: True)
    assert index.search("api-0") == reference(index, "api-0")
    assert index.search("", should_stop=lambda: True) == index.ids  # nothing to scan


def test_kept_matches_are_bounded(graph):
    index = browse.ExplorerIndex(graph)
    for text in ("api-0", "web-0", "etl-0", "auth", "batch", "worker", "reports", "billing", "x"):
        index.search(text)
        index.search(text, account=index.accounts[0])
    assert len(index._matches) <= browse._CACHE_ENTRIES
    assert sum(map(len, index._matches.values())) <= browse._CACHE_POSITIONS * len(index.ids)


@pytest.mark.parametrize("sort_by_status", [False, True])
@pytest.mark.parametrize("text", ["", "api", "zzzz-none"])
def test_rows_view_behaves_like_the_list(graph, text, sort_by_status):
    index = browse.ExplorerIndex(graph)
    listed = index.search(text, sort_by_status=sort_by_status)
    rows = index.search_rows(text, sort_by_status=sort_by_status)
    assert rows == listed and listed == list(rows) and len(rows) == len(listed)
    assert rows[:3] == listed[:3] and rows[-2:] == listed[-2:]
    for row, rid in enumerate(listed):
        assert rows[row] == rid and rows.index(rid) == row and rid in rows
    for rid in set(index.ids) - set(listed):
        assert rid not in rows
        with pytest.raises(ValueError):
            rows.index(rid)
    assert "not-an-id" not in rows and 42 not in rows
    if len(listed) > 4:
        rid = listed[3]
        assert rows.index(rid, 2, 5) == 3
        with pytest.raises(ValueError):
            rows.index(rid, 4)
        with pytest.raises(ValueError):
            rows.index(rid, 0, 3)
    assert rows != [*listed, "extra"] and rows != "text"


ODD = "aΣς\nİi̇ßs:-"


@pytest.fixture(scope="module")
def odd_graph() -> CoverageGraph:
    """The fixture estate plus resources whose names, ids, types and tags hold newlines,
    context-dependent lower cases (final sigma), longer lower cases and duplicates."""
    from .fixtures import build_snapshot

    snapshot = build_snapshot()
    base = snapshot.resources[0]
    odd = [
        ("ΣAΣ\nx", "arn:odd:1", "\u03c3a\u03c2", "AWS::Odd::ΣType", {"K\nΣ": "İx"}),
        ("i-0a", "arn:odd:i-0a", "i-0a", "AWS::EC2::Instance", {}),
        ("", "arn:odd:3", None, "Odd\nType", {"a": ""}),
        ("ARN:ODD:4", "arn:odd:4", "ODD:4", "AWS::S3::Bucket", {"team": "x\ny"}),
    ]
    for name, rid, short, rtype, tags in odd:
        snapshot.resources.append(
            base.model_copy(
                update={"id": rid, "name": name, "resource_id": short, "type": rtype, "tags": tags}
            )
        )
    return CoverageGraph(snapshot)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(ODD, min_size=0, max_size=5), min_size=1, max_size=8))
def test_odd_strings_match_as_the_whole_haystack_does(odd_graph, texts):
    index = browse.ExplorerIndex(odd_graph)
    for text in texts:
        assert index.search(text) == reference(index, text)
        assert index.search(text, incremental=False) == reference(index, text)
