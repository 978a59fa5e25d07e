"""Queries the explorer asks of a coverage graph: hierarchy with counts, and fast search.

They live in `collectors/` (not in the Textual app) so that widgets hold no business logic
and the same answers are available headless. Both structures are built once per graph in
O(N) and cached on it: `scope_tree` gives organization -> account -> region -> type ->
resources with counts per node (the explorer's tree loads children lazily from it), and
`explorer_index` gives flat arrays a filter keystroke scans with C-level loops, narrowing
the previous keystroke's matches when the text grows (`ExplorerIndex`).
"""

from __future__ import annotations

import contextlib
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, groupby, repeat
from operator import contains, eq
from typing import TYPE_CHECKING, TypeAlias, TypedDict, overload

from snapshot.graph import CoverageGraph, LayerCounts, empty_layer_counts, overall
from snapshot.model import (
    ACCOUNT_TYPE,
    LAYERS,
    PSEUDO_TYPES,
    REGION_TYPE,
    STATUS_SEVERITY,
    Layer,
    Resource,
    Status,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack


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


class SearchOptions(TypedDict, total=False):
    """The options of `ExplorerIndex.search_positions` (and so of `search`, `search_rows`)."""

    gaps_only: bool
    layer: Layer | None
    sort_by_status: bool
    account: str | None
    region: str | None
    resource_type: str | None
    incremental: bool
    should_stop: Callable[[], bool] | None


class SearchCancelled(Exception):
    """Raised by `ExplorerIndex.search` when its `should_stop` callback says to give up."""


#: Positions scanned between two `should_stop` checks (a few ms of work), so that a stale
#: search gives the GIL back to the newer one within milliseconds.
_CHUNK = 1 << 15
#: Text matches kept for incremental filtering: entries, and positions in all (as a
#: multiple of the index size; 4 bytes each, so 2 is 8 MB at 1M resources).
_CACHE_ENTRIES = 8
_CACHE_POSITIONS = 2
#: An unscoped search narrows kept matches only when they are fewer than this share of
#: all resources; above it, the plain scan of every haystack is as fast.
_WORTH_NARROWING = 0.8

_Scope = tuple[str | None, str | None, str | None]
#: Ascending or sorted positions into `ExplorerIndex.ids`: a range when nothing is
#: filtered out, else an unsigned 32-bit array (4 bytes a position, freed in O(1)).
Positions: TypeAlias = "range | array[int]"


def _positions(values: Iterable[int]) -> array[int]:
    return array("I", values)


def _haystack(rid: str, resource: Resource) -> str:
    """What the filter searches: name, id, short id, type and tags, lower case."""
    tags = " ".join(f"{k}={v}" for k, v in resource.tags.items())
    short = resource.resource_id or ""
    return f"{resource.name}\n{rid}\n{short}\n{resource.type}\n{tags}".lower()


def _scan_text(rid: str, resource: Resource) -> str:
    """The fields of `_haystack` a text without a newline can match beyond the type.

    A text without a newline is in the haystack iff it is in one of its newline-separated
    fields (lower-casing a field alone gives the same characters as in the haystack: no
    case mapping looks across a newline), so a field held by another kept field (the
    name or short id inside the ARN) and the type (matched per type run) can go.
    """
    rid_l = rid.lower()
    fields = [rid_l]
    for field_ in (resource.name.lower(), (resource.resource_id or "").lower()):
        if field_ not in rid_l and field_ not in fields:
            fields.append(field_)
    fields.append(" ".join(f"{k}={v}" for k, v in resource.tags.items()).lower())
    return "\n".join(fields)


class ExplorerIndex:
    """Precomputed arrays that let the explorer filter 1M resources per keystroke.

    Built once (O(N)) from a graph: resource ids in a stable order (type, name, id), a
    lower-case haystack per resource (name, id, type, tag keys and values), and the rank of
    its worst layer. `search` then runs C-level loops (`itertools.compress` over
    `operator.contains`) over plain lists, with no model attribute access and no Python
    bytecode per resource, and `search_rows` answers with a view over `ids` (no list of a
    million ids to build, or to free when the next keystroke replaces it).

    Filtering is incremental: the positions matching a scope and a text are kept (a few
    recent ones), and a text that contains a kept one (the user typed one more character,
    or pasted around it) is searched only among that text's matches, which hold every
    match of the longer text (if `old` is in `new` and `new` is in a haystack, so is
    `old`). Filtering a subsequence keeps its order, so the result is the full scan's,
    identically. Anything else (a shorter or different text) scans the whole scope.
    """

    def __init__(self, graph: CoverageGraph) -> None:
        resources = graph.resources
        # Pseudo-resources (accounts, account-regions) last: not resources of their own
        # (`count_resources`), and an account's often holds no record at all.
        order = sorted(
            resources,
            key=lambda rid: (
                resources[rid].type in PSEUDO_TYPES,
                resources[rid].type,
                resources[rid].name,
                rid,
            ),
        )
        self.ids: list[str] = order
        # Built in a loop of their own, so that they lie next to each other in memory in
        # the order a scan reads them (measured ~15 % faster to scan at 100k than when
        # allocated between the objects of the loop below).
        self.haystacks: list[str] = [_haystack(rid, resources[rid]) for rid in order]
        # What a scan reads for a text without a newline (any typed one): the haystack's
        # fields but the type (matched once per type run, below) and the name or short id
        # when the id (the ARN) already holds it: 90 characters instead of 149 on average
        # (synthetic 100k), ~40 % less to scan.
        self._texts: list[str] = [_scan_text(rid, resources[rid]) for rid in order]
        self.worst_rank: list[int] = []
        self.gap_layers: list[frozenset[Layer]] = []
        self.layer_sets: list[frozenset[Layer]] = []
        self.accounts: list[str] = [resources[rid].account for rid in order]
        self.regions: list[str] = [resources[rid].region for rid in order]
        self.types: list[str] = [resources[rid].type for rid in order]
        gap_statuses = (Status.missing, Status.unknown)
        for rid in order:
            statuses = graph.layers(rid)
            self.layer_sets.append(frozenset(statuses))
            self.gap_layers.append(
                frozenset(layer for layer, status in statuses.items() if status in gap_statuses)
            )
            self.worst_rank.append(
                min((STATUS_SEVERITY[s] for s in statuses.values()), default=_NO_LAYERS_RANK)
            )
        # "Worst first": most layers with a gap first, then the worst status (one int per
        # resource, so the sort key is a C-level list look-up).
        self.gap_rank: list[int] = [
            (len(LAYERS) - len(gaps)) * (_NO_LAYERS_RANK + 1) + rank
            for gaps, rank in zip(self.gap_layers, self.worst_rank, strict=True)
        ]
        self._position = {rid: i for i, rid in enumerate(order)}
        #: Positions from here on are pseudo-resources (they sort last).
        self.pseudo_start = sum(1 for t in self.types if t not in PSEUDO_TYPES)
        # (lower-case type, first position, end): one run per type, in the `ids` order.
        self._type_runs: list[tuple[str, int, int]] = []
        start = 0
        for resource_type, run in groupby(self.types):
            stop = start + sum(1 for _ in run)
            self._type_runs.append((resource_type.lower(), start, stop))
            start = stop
        # (scope, needle) -> ascending positions matching both; most recently used last.
        self._matches: OrderedDict[tuple[_Scope, str], Positions] = OrderedDict()
        self._matches_lock = threading.Lock()
        #: The work searches did: how many scanned haystacks (a search answered from the
        #: cache scans none), and how many positions the last of them read. What makes a
        #: keystroke fast is scanning less, so tests and benchmarks check these.
        self.scans = 0
        self.last_scan_size = 0

    def position(self, resource_id: str) -> int:
        """The position of a resource in `ids` (KeyError if it is not indexed)."""
        return self._position[resource_id]

    def search(
        self, text: str = "", *, limit: int | None = None, **options: Unpack[SearchOptions]
    ) -> list[str]:
        """Ids of resources whose name, id, type or a tag contains `text` (case-insensitive).

        `account`, `region` and `resource_type` restrict to one scope (exact match);
        `gaps_only` keeps resources with a missing or unknown layer (that layer, when
        `layer` is given); `layer` keeps resources the layer applies to; `sort_by_status`
        puts the worst first: most layers with a gap (missing or unknown), then the worst
        status (stable, so ties keep the type/name order).

        `incremental=False` ignores (and does not update) the kept matches: a full scan,
        for tests. `should_stop` is called between chunks of the scan; when it returns
        true the search raises `SearchCancelled` (a newer keystroke made it stale).
        """
        positions = self.search_positions(text, **options)
        if limit is not None:
            positions = positions[:limit]
        return list(map(self.ids.__getitem__, positions))

    def search_rows(self, text: str = "", **options: Unpack[SearchOptions]) -> Rows:
        """`search`'s answer as a `Rows` view over `ids` (the same options but `limit`)."""
        positions = self.search_positions(text, **options)
        return Rows(self, positions, ascending=not options.get("sort_by_status"))

    def search_positions(
        self,
        text: str = "",
        *,
        gaps_only: bool = False,
        layer: Layer | None = None,
        sort_by_status: bool = False,
        account: str | None = None,
        region: str | None = None,
        resource_type: str | None = None,
        incremental: bool = True,
        should_stop: Callable[[], bool] | None = None,
    ) -> Positions:
        """`search`'s answer as positions into `ids`."""
        needle = text.strip().lower()
        positions = self._text_positions(
            (account, region, resource_type), needle, incremental, should_stop
        )
        gap_layers, layer_sets = self.gap_layers, self.layer_sets
        if layer is not None:
            sets = gap_layers if gaps_only else layer_sets
            positions = _positions(
                compress(positions, map(contains, map(sets.__getitem__, positions), repeat(layer)))
            )
        elif gaps_only:
            positions = _positions(compress(positions, map(gap_layers.__getitem__, positions)))
        if sort_by_status:
            positions = _positions(sorted(positions, key=self.gap_rank.__getitem__))
        return positions

    # -- text matching --------------------------------------------------------------------

    def _text_positions(
        self,
        scope: _Scope,
        needle: str,
        incremental: bool,
        should_stop: Callable[[], bool] | None,
    ) -> Positions:
        """Positions (ascending) in `scope` whose haystack contains `needle`."""
        everywhere = scope == (None, None, None)
        if everywhere and not needle:
            return range(len(self.ids))
        base: Positions | None = None
        if incremental:
            base, exact = self._narrowest(scope, needle)
            if exact:
                return base  # type: ignore[return-value]
            if everywhere and base is not None and len(base) > _WORTH_NARROWING * len(self.ids):
                base = None  # a slice of all the haystacks scans faster than most of them
        if base is None:
            base = range(len(self.ids)) if everywhere else self._scope_positions(scope)
            if incremental and not everywhere:
                self._remember(scope, "", base)
        if not needle:
            return base
        self.scans += 1
        self.last_scan_size = len(base)
        positions = self._scan(needle, base, should_stop)
        if incremental:
            self._remember(scope, needle, positions)
        return positions

    def _scope_positions(self, scope: _Scope) -> Positions:
        positions: Positions = range(len(self.ids))
        for wanted, values in zip(scope, (self.accounts, self.regions, self.types), strict=True):
            if wanted is not None:
                positions = _positions(
                    compress(positions, map(eq, map(values.__getitem__, positions), repeat(wanted)))
                )
        return positions

    def _scan(
        self, needle: str, base: Positions, should_stop: Callable[[], bool] | None
    ) -> Positions:
        """The positions of `base` (ascending) whose haystack contains `needle`.

        Resources are ordered by type, so each type is one run of positions: a type whose
        name contains `needle` takes its whole run unscanned (its haystack holds the type
        between two newlines, so it matches; `"a"` matches every `AWS::` type), and the
        other runs are scanned in chunks, each one C-level pass (`compress` over
        `map(contains, ...)`), with `should_stop` checked between chunks.
        """
        if "\n" in needle:  # could span fields: scan the whole haystacks
            return self._scan_run(needle, base, should_stop, self.haystacks)
        pieces: list[Positions] = []
        whole = True
        for resource_type, start, stop in self._type_runs:
            run = base[bisect_left(base, start) : bisect_left(base, stop)]
            if not run:
                continue
            if needle in resource_type:
                pieces.append(run)
            else:
                whole = False
                pieces.append(self._scan_run(needle, run, should_stop, self._texts))
        if whole:
            return base  # every type matched: nothing to copy
        found = _positions(())
        for piece in pieces:
            found.extend(piece)
        return found

    def _scan_run(
        self,
        needle: str,
        base: Positions,
        should_stop: Callable[[], bool] | None,
        haystacks: list[str],
    ) -> array[int]:
        found = _positions(())
        for start in range(0, len(base), _CHUNK):
            if should_stop is not None and should_stop():
                raise SearchCancelled
            chunk = base[start : start + _CHUNK]
            if isinstance(chunk, range):
                # A slice of the haystacks themselves: no per-position lookup.
                texts: Iterable[str] = haystacks[chunk.start : chunk.stop]
            else:
                texts = map(haystacks.__getitem__, chunk)
            found.extend(compress(chunk, map(contains, texts, repeat(needle))))
        return found

    def _narrowest(self, scope: _Scope, needle: str) -> tuple[Positions | None, bool]:
        """The fewest kept positions in `scope` for a text contained in `needle`, and
        whether that text is `needle` itself."""
        best: Positions | None = None
        with self._matches_lock:
            exact = self._matches.get((scope, needle))
            if exact is not None:
                self._matches.move_to_end((scope, needle))
                return exact, True
            for (kept_scope, kept_needle), positions in self._matches.items():
                if (
                    kept_scope == scope
                    and kept_needle in needle
                    and (best is None or len(positions) < len(best))
                ):
                    best = positions
        return best, False

    def _remember(self, scope: _Scope, needle: str, positions: Positions) -> None:
        budget = _CACHE_POSITIONS * len(self.ids)
        with self._matches_lock:
            self._matches[(scope, needle)] = positions
            self._matches.move_to_end((scope, needle))
            total = sum(map(len, self._matches.values()))
            while len(self._matches) > _CACHE_ENTRIES or total > budget:
                _, dropped = self._matches.popitem(last=False)
                total -= len(dropped)


class Rows(Sequence[str]):
    """A search's resource ids as a view: positions into an index's `ids`, no copy.

    Indexing, `len`, iteration and `index` (the table keeps its cursor on a resource with
    it) cost the same for 10 rows as for 1M; it equals any sequence of the same ids.
    """

    __slots__ = ("_ascending", "_ids", "_index", "_positions")

    def __init__(self, index: ExplorerIndex, positions: Positions, *, ascending: bool) -> None:
        self._index = index
        self._ids = index.ids
        self._positions = positions
        self._ascending = ascending

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, item: int) -> str: ...
    @overload
    def __getitem__(self, item: slice) -> list[str]: ...
    def __getitem__(self, item: int | slice) -> str | list[str]:
        if isinstance(item, slice):
            return list(map(self._ids.__getitem__, self._positions[item]))
        return self._ids[self._positions[item]]

    def __iter__(self) -> Iterator[str]:
        return map(self._ids.__getitem__, self._positions)

    def __contains__(self, value: object) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """The row of resource id `value` (ValueError when it is not listed)."""
        found = self._index._position.get(value) if isinstance(value, str) else None
        positions = self._positions
        start, stop, _ = slice(start, stop).indices(len(positions))
        row = -1
        if found is not None:
            if isinstance(positions, range):
                row = found - positions.start
            elif self._ascending:
                row = bisect_left(positions, found, start, stop)
            else:
                with contextlib.suppress(ValueError):
                    row = positions.index(found, start, stop)  # a C loop over 4-byte ints
            if start <= row < stop and positions[row] == found:
                return row
        raise ValueError(f"{value!r} is not listed")

    @property
    def pseudo_count(self) -> int:
        """Listed account and account-region pseudo-resources (not counted as resources)."""
        positions, start = self._positions, self._index.pseudo_start
        if isinstance(positions, range):
            return max(0, positions.stop - max(positions.start, start))
        if self._ascending:
            return len(positions) - bisect_left(positions, start)
        return sum(map(start.__le__, positions))  # a C loop; only for "worst first"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(other) == len(self) and all(map(eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({len(self)} resources)"


def explorer_index(graph: CoverageGraph) -> ExplorerIndex:
    """The explorer's search index, built on first use and cached on the graph.

    Thread-safe: the explorer builds it in a worker while the first screen is shown, and a
    screen asking for it meanwhile waits for that build instead of starting another. The
    graph's adjacency (built on first use, see `CoverageGraph.edges`) is built then too,
    so that the first trace a user opens does not pay for it (seconds at 1M resources).
    """
    with _BUILD_LOCK:
        index = graph.__dict__.get("_explorer_index")
        if index is None:
            index = graph.__dict__["_explorer_index"] = ExplorerIndex(graph)
            graph.edges  # noqa: B018 (builds the adjacency)
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
        real = resource.type not in PSEUDO_TYPES
        for node in path:
            node.size += real  # pseudo-resources' controls count, they themselves do not
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
        resources=graph.resource_count,
        accounts=len({r.account for r in graph.resources.values()}),
        errors=len(snapshot.errors),
        unknown=sum(counts.unknown for counts in totals.values()),
        totals=totals,
        overall_pct=overall(totals).coverage_pct,
    )
