"""Queries the explorer asks of a coverage graph: hierarchy with counts, and fast search.

They live in `collectors/` (not in the Textual app) so that widgets hold no business logic
and the same answers are available headless. Both structures are built once per graph in
O(N) and cached on it: `scope_tree` gives organization -> account -> region -> type ->
resources with counts per node (the explorer's tree loads children lazily from it), and
`explorer_index` gives flat arrays a filter keystroke scans with one list comprehension.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from .graph import CoverageGraph, LayerCounts, empty_layer_counts, overall
from .model import ACCOUNT_TYPE, REGION_TYPE, STATUS_SEVERITY, Layer, Status


@dataclass(slots=True)
class ScopeNode:
    """One node of the organization -> account -> region -> type hierarchy, with its counts.

    `resources` is filled only at the type level; `size` counts the resources below.
    """

    key: tuple[str, ...]
    counts: LayerCounts
    children: dict[str, ScopeNode] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)
    size: int = 0


_BUILD_LOCK = threading.RLock()

#: Sort ranks of a resource's worst layer for "sort by status": gaps first, no layers last.
_NO_LAYERS_RANK = len(STATUS_SEVERITY)


class ExplorerIndex:
    """Precomputed arrays that let the explorer filter 100k resources per keystroke.

    Built once (O(N)) from a graph: resource ids in a stable order (type, name, id), a
    lower-case haystack per resource (name, id, type, tag keys and values), and the rank of
    its worst layer. `search` is then one list comprehension over plain lists, with no
    model attribute access in the loop.
    """

    def __init__(self, graph: CoverageGraph) -> None:
        resources = graph.resources
        order = sorted(resources, key=lambda rid: (resources[rid].type, resources[rid].name, rid))
        self.ids: list[str] = order
        self.haystacks: list[str] = []
        self.worst_rank: list[int] = []
        self.gap_layers: list[frozenset[Layer]] = []
        self.layer_sets: list[frozenset[Layer]] = []
        self.accounts: list[str] = [resources[rid].account for rid in order]
        self.regions: list[str] = [resources[rid].region for rid in order]
        self.types: list[str] = [resources[rid].type for rid in order]
        gap_statuses = (Status.missing, Status.unknown)
        for rid in order:
            resource = resources[rid]
            tags = " ".join(f"{k}={v}" for k, v in resource.tags.items())
            short = resource.resource_id or ""
            self.haystacks.append(
                f"{resource.name}\n{rid}\n{short}\n{resource.type}\n{tags}".lower()
            )
            statuses = graph.layers(rid)
            self.layer_sets.append(frozenset(statuses))
            self.gap_layers.append(
                frozenset(layer for layer, status in statuses.items() if status in gap_statuses)
            )
            self.worst_rank.append(
                min((STATUS_SEVERITY[s] for s in statuses.values()), default=_NO_LAYERS_RANK)
            )

    def search(
        self,
        text: str = "",
        *,
        gaps_only: bool = False,
        layer: Layer | None = None,
        sort_by_status: bool = False,
        limit: int | None = None,
        account: str | None = None,
        region: str | None = None,
        resource_type: str | None = None,
    ) -> list[str]:
        """Ids of resources whose name, id, type or a tag contains `text` (case-insensitive).

        `account`, `region` and `resource_type` restrict to one scope (exact match);
        `gaps_only` keeps resources with a missing or unknown layer (that layer, when
        `layer` is given); `layer` keeps resources the layer applies to; `sort_by_status`
        puts the worst first (stable, so ties keep the type/name order).
        """
        needle = text.strip().lower()
        haystacks, gap_layers, layer_sets = self.haystacks, self.gap_layers, self.layer_sets
        positions: Iterable[int] = range(len(self.ids))
        for wanted, values in (
            (account, self.accounts),
            (region, self.regions),
            (resource_type, self.types),
        ):
            if wanted is not None:
                positions = [i for i in positions if values[i] == wanted]
        if needle:
            positions = [i for i in positions if needle in haystacks[i]]
        if layer is not None:
            positions = (
                [i for i in positions if layer in gap_layers[i]]
                if gaps_only
                else [i for i in positions if layer in layer_sets[i]]
            )
        elif gaps_only:
            positions = [i for i in positions if gap_layers[i]]
        if sort_by_status:
            ranks = self.worst_rank
            positions = sorted(positions, key=ranks.__getitem__)
        ids = self.ids
        if limit is not None:
            result: list[str] = []
            for i in positions:
                if len(result) >= limit:
                    break
                result.append(ids[i])
            return result
        return [ids[i] for i in positions]


def explorer_index(graph: CoverageGraph) -> ExplorerIndex:
    """The explorer's search index, built on first use and cached on the graph.

    Thread-safe: the explorer builds it in a worker while the first screen is shown, and a
    screen asking for it meanwhile waits for that build instead of starting another.
    """
    with _BUILD_LOCK:
        index = graph.__dict__.get("_explorer_index")
        if index is None:
            index = graph.__dict__["_explorer_index"] = ExplorerIndex(graph)
        return index


def scope_tree(graph: CoverageGraph) -> ScopeNode:
    """Organization -> account -> region -> type -> resource ids, with counts per node.

    Built once in O(N) and cached, so that the explorer's tree can show counts and coverage
    on every node and load children lazily. Pseudo-resources count towards their account
    (account pseudo-resource) or region (region pseudo-resource) but are not listed as a
    type of their own.
    """
    with _BUILD_LOCK:
        cached = graph.__dict__.get("_scope_tree")
        if cached is None:
            cached = graph.__dict__["_scope_tree"] = _build_scope_tree(graph)
        return cached


def _build_scope_tree(graph: CoverageGraph) -> ScopeNode:
    root = ScopeNode((), empty_layer_counts())
    for rid, resource in graph.resources.items():
        statuses = graph.layers(rid)
        account = root.children.get(resource.account)
        if account is None:
            account = root.children[resource.account] = ScopeNode(
                (resource.account,), empty_layer_counts()
            )
        path = [root, account]
        if resource.type != ACCOUNT_TYPE:
            region = account.children.get(resource.region)
            if region is None:
                region = account.children[resource.region] = ScopeNode(
                    (resource.account, resource.region), empty_layer_counts()
                )
            path.append(region)
            if resource.type != REGION_TYPE:
                kind = region.children.get(resource.type)
                if kind is None:
                    kind = region.children[resource.type] = ScopeNode(
                        (resource.account, resource.region, resource.type), empty_layer_counts()
                    )
                kind.resources.append(rid)
                path.append(kind)
        for node in path:
            node.size += 1
            for layer, status in statuses.items():
                node.counts[layer].add(status)
    return root


@dataclass(slots=True)
class MatrixRow:
    """One row of the coverage matrix: an account or an account-region and its layers."""

    key: str  # account id, or "account/region"
    label: str  # account name (and region)
    counts: LayerCounts
    overall_pct: float | None


def coverage_matrix(graph: CoverageGraph, by: str = "account") -> list[MatrixRow]:
    """Rows of accounts (`by="account"`) or account-regions, worst overall coverage first.

    Rows with nothing counted sort last; ties keep the key order, so the matrix is stable.
    """

    names = {account.id: account.name for account in graph.snapshot.accounts}
    rows = []
    for key, counts in graph.rollup(by).items():
        account, _, region = key.partition("/")
        name = names.get(account) or account
        label = f"{name} {region}" if region else name
        rows.append(MatrixRow(key, label, counts, overall(counts).coverage_pct))
    rows.sort(key=lambda r: (r.overall_pct is None, r.overall_pct or 0.0, r.key))
    return rows


@dataclass(slots=True)
class SnapshotSummary:
    """The figures the explorer's first screen shows beside the matrix."""

    generated_at: str
    resources: int
    accounts: int
    errors: int
    unknown: int
    totals: LayerCounts
    overall_pct: float | None


def summary(graph: CoverageGraph) -> SnapshotSummary:
    """Resource count (pseudo-resources excluded), errors, unknown statuses and totals."""

    totals = graph.totals()
    snapshot = graph.snapshot
    return SnapshotSummary(
        generated_at=snapshot.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        resources=sum(1 for r in graph.resources.values() if not r.is_pseudo),
        accounts=len({r.account for r in graph.resources.values()}),
        errors=len(snapshot.errors),
        unknown=sum(counts.unknown for counts in totals.values()),
        totals=totals,
        overall_pct=overall(totals).coverage_pct,
    )
