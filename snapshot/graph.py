"""The resource graph: a snapshot turned into something a responder can question.

Nodes are resources (pseudo-resources for accounts and account-regions included); every
relationship is a directed edge, and traversals walk both successors and predecessors,
because AWS Config records most relationships in one direction only (since 2021 a security
group no longer lists its instances) while a responder needs to travel both ways.

Traversals use plain adjacency lists of shared edge tuples, built in one pass; the networkx
`MultiDiGraph` (`CoverageGraph.graph`, for export and graph algorithms) is built from them
on first use. Building the networkx graph was 70 % of the graph build at 100k resources
(one attribute dict and several nested dicts per edge), and traces, rollups, the report
and the explorer never need it.

Account and region pseudo-resources are where account- and region-level controls live, not
hops of a trace: through them every resource of a region would be two hops from every other.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx

from snapshot.io import gc_paused
from snapshot.model import (
    ACCOUNT_TYPE,
    LAYERS,
    PSEUDO_TYPES,
    REGION_TYPE,
    STATUS_SEVERITY,
    Expectation,
    Layer,
    Origin,
    Relationship,
    Resource,
    Snapshot,
    Status,
    account_node_id,
    region_node_id,
)

SCOPE_RELATIONSHIP = "Is contained in Region"
_ADJACENCY_LOCK = threading.Lock()
REGION_IN_ACCOUNT = "Is contained in Account"


@dataclass(slots=True)
class Counts:
    """Resource-layer statuses counted over a set of resources."""

    logged: int = 0
    partial: int = 0
    missing: int = 0
    unknown: int = 0

    def add(self, status: Status, n: int = 1) -> None:
        if status is Status.logged:
            self.logged += n
        elif status is Status.partial:
            self.partial += n
        elif status is Status.missing:
            self.missing += n
        elif status is Status.unknown:
            self.unknown += n

    def merge(self, other: Counts) -> None:
        self.logged += other.logged
        self.partial += other.partial
        self.missing += other.missing
        self.unknown += other.unknown

    @property
    def total(self) -> int:
        return self.logged + self.partial + self.missing + self.unknown

    @property
    def gaps(self) -> int:
        return self.missing + self.unknown

    @property
    def coverage_pct(self) -> float | None:
        """100 * (logged + 0.5 * partial) / (logged + partial + missing + unknown).

        None when nothing was counted: "no resources of this layer" is not 0 % covered.
        """
        total = self.total
        if not total:
            return None
        return round(100.0 * (self.logged + 0.5 * self.partial) / total, 1)

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "logged": self.logged,
            "partial": self.partial,
            "missing": self.missing,
            "unknown": self.unknown,
            "coverage_pct": self.coverage_pct,
        }


LayerCounts = dict[Layer, Counts]

#: One relationship: (source id, target id, AWS Config name, origin).
Edge = tuple[str, str, str, Origin]


def empty_layer_counts() -> LayerCounts:
    return {layer: Counts() for layer in LAYERS}


def worst(statuses: Iterable[Status]) -> Status | None:
    """The worst of some statuses (missing < unknown < partial < logged); None if none count."""
    result: Status | None = None
    best_rank = 99
    for status in statuses:
        rank = STATUS_SEVERITY.get(status)
        if rank is not None and rank < best_rank:
            result, best_rank = status, rank
    return result


def layer_statuses(resource: Resource) -> dict[Layer, Status]:
    """A resource's status per layer: the worst of its baseline controls in that layer.

    `extended` controls and `not_applicable` records do not count. A layer with no baseline
    control on this resource is absent from the result.
    """
    result: dict[Layer, Status] = {}
    for record in resource.coverage:
        if record.expectation is not Expectation.baseline:
            continue
        rank = STATUS_SEVERITY.get(record.status)
        if rank is None:
            continue
        current = result.get(record.layer)
        if current is None or rank < STATUS_SEVERITY[current]:
            result[record.layer] = record.status
    return result


def arn_kind(resource_id: str) -> tuple[str, str] | None:
    """(service, resource kind) of an ARN, e.g. ("ec2", "volume"); None for other ids."""
    parts = resource_id.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[2], parts[5].split("/", 1)[0].split(":", 1)[0]


def count_resources(resources: Iterable[Resource]) -> int:
    """How many resources there are: the one count every command and screen shows.

    Account and account-region pseudo-resources are not counted: they hold the account-
    and region-level controls (CloudTrail, Config, GuardDuty, ...) but are not resources
    a user owns, and some snapshots carry them while the graph adds the missing ones, so
    counting them gave 172, 184 and 187 for the same demo on different screens.
    """
    return sum(1 for resource in resources if resource.type not in PSEUDO_TYPES)


class ResolveError(LookupError):
    """A resource reference that matches nothing, or more than one resource."""


@dataclass(slots=True)
class TraceNode:
    id: str
    depth: int
    resource: Resource
    layers: dict[Layer, Status]
    via: str | None = None  # the node it was reached from (None for the root)
    via_name: str | None = None  # relationship name of that hop

    @property
    def gaps(self) -> list[Layer]:
        return [
            layer
            for layer, status in self.layers.items()
            if status in (Status.missing, Status.unknown)
        ]

    def as_dict(self) -> dict[str, object]:
        """The node as JSON output shows it (`Trace.as_dict` and the streamed trace export)."""
        return {
            "id": self.id,
            "type": self.resource.type,
            "name": self.resource.name,
            "account": self.resource.account,
            "region": self.resource.region,
            "depth": self.depth,
            "layers": {str(k): str(v) for k, v in self.layers.items()},
            "gaps": [str(layer) for layer in self.gaps],
        }


@dataclass(slots=True)
class TraceEdge:
    source: str
    target: str
    name: str
    origin: str


@dataclass(slots=True)
class Trace:
    root: str
    depth: int
    nodes: list[TraceNode] = field(default_factory=list)
    edges: list[TraceEdge] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "root": self.root,
            "depth": self.depth,
            "nodes": [node.as_dict() for node in self.nodes],
            "edges": [
                {"source": e.source, "target": e.target, "name": e.name, "origin": e.origin}
                for e in self.edges
            ],
        }


class CoverageGraph:
    """A snapshot's resources and relationships as a queryable graph.

    Relationships whose ends are not in the snapshot are kept out of the graph and counted
    in `dangling_relationships` (a snapshot from elsewhere may be inconsistent), or in
    `outside_relationships` when the target is of a kind the snapshot holds none of (not
    inventoried: AWS Config relates instances to EBS volumes, which are not); duplicate
    resource ids keep the first occurrence and are counted in `duplicate_ids`.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.resources: dict[str, Resource] = {}
        self.duplicate_ids: list[str] = []
        self.dangling_relationships: list[Relationship] = []
        #: Relationships to a kind of resource the snapshot holds none of (an instance's
        #: EBS volumes, which AWS Config relates but blindspot does not inventory): left
        #: out of the graph like dangling ones, but expected, so nothing to warn about.
        self.outside_relationships: list[Relationship] = []
        self._edges: list[Edge] | None = None
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        self._nx: nx.MultiDiGraph | None = None
        self._layers: dict[str, dict[Layer, Status]] = {}
        self._by_name: dict[str, list[str]] | None = None
        self._by_short_id: dict[str, list[str]] | None = None
        with gc_paused(keep=True):  # see snapshot.io.gc_paused: most of the build otherwise
            self._build()

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        """Resources by id, pseudo-resources, dangling relationships and layer statuses.

        The adjacency and the edge list are built on first use (`edges`, traversals): the
        report needs neither, and at a million resources they are 1.7 million tuples.
        """
        resources = self.resources
        for resource in self.snapshot.resources:
            if resource.id in resources:
                self.duplicate_ids.append(resource.id)
                continue
            resources[resource.id] = resource
        self._ensure_pseudo_resources()
        dangling = self.dangling_relationships
        kinds: set[tuple[str, str]] | None = None
        for rel in self.snapshot.relationships:
            if rel.source not in resources or rel.target not in resources:
                if rel.source in resources:
                    if kinds is None:  # built once, only for a snapshot with such edges
                        kinds = {kind for rid in resources if (kind := arn_kind(rid))}
                    kind = arn_kind(rel.target)
                    if kind is not None and kind not in kinds:
                        self.outside_relationships.append(rel)
                        continue
                dangling.append(rel)
        # One dict per distinct combination of statuses (a few hundred at a million
        # resources), found by the records' (layer, status, expectation) signature.
        layers = self._layers
        shared: dict[tuple[object, ...], dict[Layer, Status]] = {}
        for resource_id, resource in resources.items():
            signature = tuple([(r.layer, r.status, r.expectation) for r in resource.coverage])
            statuses = shared.get(signature)
            if statuses is None:
                statuses = shared[signature] = layer_statuses(resource)
            layers[resource_id] = statuses

    @property
    def edges(self) -> list[Edge]:
        """Every relationship kept, as (source, target, name, origin), in file order; the
        scope edges that the graph adds itself are not listed (see `scope_edges`)."""
        if self._edges is None:
            self._build_adjacency()
        assert self._edges is not None
        return self._edges

    def _build_adjacency(self) -> None:
        with _ADJACENCY_LOCK, gc_paused(keep=True):
            if self._edges is not None:
                return
            resources = self.resources
            edges: list[Edge] = []
            out_edges, in_edges = self._out, self._in
            names: dict[str, str] = {}  # one string object per relationship name
            for rel in self.snapshot.relationships:
                source, target = rel.source, rel.target
                if source not in resources or target not in resources:
                    continue
                name = names.setdefault(rel.name, rel.name)
                edge = (source, target, name, rel.origin)
                edges.append(edge)
                if rel.origin is Origin.scope:  # a scope edge written into the file: not a hop
                    continue
                outgoing = out_edges.get(source)
                if outgoing is None:
                    out_edges[source] = [edge]
                else:
                    outgoing.append(edge)
                incoming = in_edges.get(target)
                if incoming is None:
                    in_edges[target] = [edge]
                else:
                    incoming.append(edge)
            self._edges = edges

    def scope_edges(self) -> Iterator[Edge]:
        """Every resource hangs off its account-region, every region off its account.

        These edges are where account- and region-level controls attach; they are part of
        the exported graph but never hops of a trace, so they are made on demand.
        """
        resources = self.resources
        for resource in resources.values():
            if resource.type == ACCOUNT_TYPE:
                continue
            if resource.type == REGION_TYPE:
                parent = account_node_id(resource.account)
                name = REGION_IN_ACCOUNT
            else:
                parent = region_node_id(resource.account, resource.region)
                name = SCOPE_RELATIONSHIP
            if parent in resources and parent != resource.id:
                yield (resource.id, parent, name, Origin.scope)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The whole graph as a networkx `MultiDiGraph` (scope edges included), built once.

        Edge attributes `name` and `origin`; node ids are resource ids.
        """
        if self._nx is None:
            graph = nx.MultiDiGraph()
            with gc_paused(keep=True):
                graph.add_nodes_from(self.resources)
                graph.add_edges_from(
                    (source, target, {"name": name, "origin": origin})
                    for source, target, name, origin in (*self.edges, *self.scope_edges())
                )
            self._nx = graph
        return self._nx

    def number_of_edges(self) -> int:
        """Relationships plus scope edges: the edge count of `graph`, without building it."""
        left_out = len(self.dangling_relationships) + len(self.outside_relationships)
        kept = len(self.snapshot.relationships) - left_out
        return kept + sum(1 for _ in self.scope_edges())

    def _ensure_pseudo_resources(self) -> None:
        """Add account and account-region pseudo-resources a snapshot may lack."""
        resources = self.resources
        seen_regions: set[tuple[str, str]] = set()
        seen_accounts: set[str] = set()
        for resource in resources.values():
            if resource.type not in PSEUDO_TYPES:
                seen_regions.add((resource.account, resource.region))
            seen_accounts.add(resource.account)
        for known in self.snapshot.accounts:
            seen_accounts.add(known.id)
            for region in known.regions:
                seen_regions.add((known.id, region))
        names = {known.id: known.name for known in self.snapshot.accounts}
        for account in sorted(seen_accounts):
            node = account_node_id(account)
            if node not in resources:
                resources[node] = Resource(
                    id=node,
                    type=ACCOUNT_TYPE,
                    account=account,
                    region="global",
                    name=names.get(account) or account,
                )
        for account, region in sorted(seen_regions):
            node = region_node_id(account, region)
            if node not in resources:
                resources[node] = Resource(
                    id=node, type=REGION_TYPE, account=account, region=region, name=region
                )

    # -- lookups --------------------------------------------------------------------------

    def __contains__(self, resource_id: object) -> bool:
        return resource_id in self.resources

    def __len__(self) -> int:
        return len(self.resources)

    @property
    def resource_count(self) -> int:
        """Resources, pseudo-resources not counted (`count_resources`); computed once."""
        count: int | None = self.__dict__.get("_resource_count")
        if count is None:
            count = self.__dict__["_resource_count"] = count_resources(self.resources.values())
        return count

    def resource(self, resource_id: str) -> Resource:
        return self.resources[resource_id]

    def layers(self, resource_id: str) -> dict[Layer, Status]:
        """The resource's status per layer (worst baseline control), cached at build time."""
        return self._layers[resource_id]

    def is_pseudo(self, resource_id: str) -> bool:
        return self.resources[resource_id].type in PSEUDO_TYPES

    def _name_indexes(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        if self._by_name is None or self._by_short_id is None:
            by_name: dict[str, list[str]] = defaultdict(list)
            by_short: dict[str, list[str]] = defaultdict(list)
            for resource_id, resource in self.resources.items():
                if resource.name:
                    by_name[resource.name].append(resource_id)
                if resource.resource_id:
                    by_short[resource.resource_id].append(resource_id)
            self._by_name, self._by_short_id = dict(by_name), dict(by_short)
        return self._by_name, self._by_short_id

    def resolve(self, reference: str) -> str:
        """Find a resource by id/ARN, short resource id (vpc-0abc) or unique name."""
        if reference in self.resources:
            return reference
        by_name, by_short = self._name_indexes()
        for index, kind in ((by_short, "resource id"), (by_name, "name")):
            matches = index.get(reference, [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                shown = ", ".join(sorted(matches)[:5])
                raise ResolveError(
                    f"{reference!r} matches {len(matches)} resources by {kind} ({shown}"
                    f"{', ...' if len(matches) > 5 else ''}); use the full id"
                )
        raise ResolveError(f"no resource matches {reference!r} (by id, ARN, resource id or name)")

    # -- traversal ------------------------------------------------------------------------

    def neighbours(self, resource_id: str) -> Iterator[tuple[str, str, str, str, Origin]]:
        """Direct relationships of a resource in both directions, pseudo-resources excluded.

        Yields (neighbour, source, target, name, origin) where source/target give the
        relationship's own direction.
        """
        if self._edges is None:
            self._build_adjacency()
        for source, target, name, origin in self._out.get(resource_id, ()):
            yield target, source, target, name, origin
        for source, target, name, origin in self._in.get(resource_id, ()):
            yield source, source, target, name, origin

    def trace(
        self,
        resource_id: str,
        depth: int = 2,
        *,
        relationship_names: Iterable[str] | None = None,
        resource_types: Iterable[str] | None = None,
        max_nodes: int | None = None,
    ) -> Trace:
        """Resources related to `resource_id` within `depth` hops (breadth first).

        `relationship_names` limits which relationships are followed (case-insensitive,
        surrounding spaces ignored, so "Is contained in " and "is contained in vpc" both
        work as prefixes of AWS Config's wording); `resource_types` limits which resources
        are entered (the root always is). Account and region pseudo-resources are never
        hops. `max_nodes` bounds the result for interactive use.
        """
        if depth < 0:
            raise ValueError("depth must be 0 or more")
        name_filters = (
            [n.strip().lower() for n in relationship_names if n.strip()]
            if relationship_names
            else None
        )
        type_filter = set(resource_types) if resource_types else None
        root = self.resources[resource_id]
        trace = Trace(root=resource_id, depth=depth)
        trace.nodes.append(TraceNode(resource_id, 0, root, self._layers[resource_id]))
        seen = {resource_id}
        seen_edges: set[tuple[str, str, str]] = set()
        queue: deque[tuple[str, int]] = deque([(resource_id, 0)])
        while queue:
            current, level = queue.popleft()
            if level >= depth:
                continue
            for neighbour, source, target, name, origin in self.neighbours(current):
                resource = self.resources[neighbour]
                if resource.type in PSEUDO_TYPES:
                    continue
                if name_filters is not None and not any(
                    name.strip().lower().startswith(f) for f in name_filters
                ):
                    continue
                if type_filter is not None and resource.type not in type_filter:
                    continue
                key = (source, target, name)
                if key not in seen_edges:
                    seen_edges.add(key)
                    trace.edges.append(TraceEdge(source, target, name, str(origin)))
                if neighbour in seen:
                    continue
                if max_nodes is not None and len(trace.nodes) >= max_nodes:
                    continue
                seen.add(neighbour)
                trace.nodes.append(
                    TraceNode(
                        neighbour, level + 1, resource, self._layers[neighbour], current, name
                    )
                )
                queue.append((neighbour, level + 1))
        # Edges to nodes dropped by max_nodes would dangle; keep only edges inside the trace.
        if max_nodes is not None:
            trace.edges = [e for e in trace.edges if e.source in seen and e.target in seen]
        return trace

    # -- rollups --------------------------------------------------------------------------

    def iter_resources(
        self,
        *,
        accounts: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
    ) -> Iterator[Resource]:
        account_set = set(accounts) if accounts else None
        region_set = set(regions) if regions else None
        type_set = set(types) if types else None
        for resource in self.resources.values():
            if account_set is not None and resource.account not in account_set:
                continue
            if region_set is not None and resource.region not in region_set:
                continue
            if type_set is not None and resource.type not in type_set:
                continue
            yield resource

    def rollup(
        self,
        by: str | None = None,
        *,
        accounts: Iterable[str] | None = None,
        layers: Iterable[Layer] | None = None,
    ) -> dict[str, LayerCounts]:
        """Counts of resource-layer statuses grouped by `account`, `region`, `type`, or
        `account-region`; `by=None` gives one group, `"*"`, the totals."""
        layer_set = set(layers) if layers else None
        groups: dict[str, LayerCounts] = {}
        for resource in self.iter_resources(accounts=accounts):
            if by is None:
                key = "*"
            elif by == "account":
                key = resource.account
            elif by == "region":
                key = resource.region
            elif by == "type":
                key = resource.type
            elif by == "account-region":
                key = f"{resource.account}/{resource.region}"
            else:
                raise ValueError(f"cannot group by {by!r}")
            statuses = self._layers[resource.id]
            if not statuses:
                continue
            counts = groups.get(key)
            if counts is None:
                counts = groups[key] = empty_layer_counts()
            for layer, status in statuses.items():
                if layer_set is None or layer in layer_set:
                    counts[layer].add(status)
        return groups

    def totals(
        self, *, accounts: Iterable[str] | None = None, layers: Iterable[Layer] | None = None
    ) -> LayerCounts:
        return self.rollup(None, accounts=accounts, layers=layers).get("*") or (
            empty_layer_counts()
        )


def overall(counts: LayerCounts, layers: Iterable[Layer] | None = None) -> Counts:
    """All layers' counts added together (the figure `--fail-under` compares)."""
    result = Counts()
    for layer in layers or LAYERS:
        result.merge(counts[layer])
    return result
