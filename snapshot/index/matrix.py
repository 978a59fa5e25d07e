"""The coverage matrix of a snapshot file in one lean pass, before its details are read.

The explorer's first screen (accounts x layers, and the figures above it) needs, of each
resource, its id, type, account, region and its coverage records' layer, status and
expectation: a tenth of the file. `count_matrix` streams the file in the reader's `matrix`
mode (msgspec skips every other field without building it, nothing is kept but the ids
seen and a count per account, region and combination of layer statuses) and gives the
figures `snapshot.browse.summary` and `coverage_matrix` give for the whole graph, computed
by those same functions: `MatrixCounts` answers the few questions they ask of a graph
exactly as `CoverageGraph` does (duplicate ids keep the first, pseudo-resources, worst
baseline status per layer). Measured at a million resources: 5.0-5.4 s of CPU against
18 s for the records and 9 s more for the graph. The details are read afterwards, by
`open_snapshot`; that pass checks the whole file as always, so a file this pass reads
without complaint can still be refused there, with the usual one-line error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from snapshot import browse
from snapshot.graph import CoverageGraph, LayerCounts, empty_layer_counts, layer_statuses
from snapshot.model import PSEUDO_TYPES, Expectation, Layer, Snapshot, Status

#: The ways the matrix groups its rows (`coverage_matrix`'s `by`).
GROUPINGS = ("account", "account-region")


class _Account(NamedTuple):
    """Stands for a resource where `browse.summary` only asks for its account."""

    account: str


@dataclass(slots=True)
class Preview:
    """The matrix screen's figures, read before the details: the summary line and the
    rows for each grouping, and the SHA-256 of the content they were computed from."""

    summary: browse.SnapshotSummary
    rows: dict[str, list[browse.MatrixRow]]
    digest: str = ""
    #: True when read from the index cache (its digest is then checked by the full read).
    cached: bool = False


class MatrixCounts:
    """The fold of `matrix` mode, and the part of a `CoverageGraph` the matrix reads.

    Folding keeps, per distinct resource id (the first occurrence, as the graph does), one
    count per (account, region, layer statuses). The statuses are computed once per
    distinct tuple of coverage records (`layer_statuses`, as the graph does), found by
    hashing the tuple: its strings are the type's own (`MatrixCoverageRecord`), hashed
    once. A million resources fall into a few thousand keys.
    """

    def __init__(self) -> None:
        self.start()
        self.snapshot: Snapshot | None = None

    def start(self) -> None:
        self.ids: set[str] = set()
        self.pseudo = 0
        #: Coverage records (as a tuple) -> index of their layer statuses in `_statuses`.
        self._signatures: dict[tuple[Any, ...], int] = {}
        self._statuses: list[dict[Layer, Status]] = []
        self._known: dict[tuple[tuple[Layer, Status], ...], int] = {}
        self._groups: dict[tuple[str, str, int], int] = {}

    def __call__(self, records: list[Any]) -> None:
        ids, add_id = self.ids, self.ids.add
        signatures, signature = self._signatures.get, self._signature
        groups, count = self._groups, self._groups.get
        pseudo = 0
        for record in records:
            rid = record.id
            if rid in ids:
                continue
            add_id(rid)
            if record.type in PSEUDO_TYPES:
                pseudo += 1
            index = signatures(record.coverage)
            if index is None:
                index = signature(record.coverage)
            key = (record.account, record.region, index)
            groups[key] = count(key, 0) + 1
        self.pseudo += pseudo

    def _signature(self, coverage: tuple[Any, ...]) -> int:
        """The index of these records' layer statuses (`layer_statuses`, as the graph
        computes them), the same index for the same statuses."""
        records = [
            _Coverage(Layer(item.layer), Status(item.status), Expectation(item.expectation))
            for item in coverage
        ]
        statuses = layer_statuses(cast(Any, _Resource(records)))
        index = self._known.setdefault(tuple(statuses.items()), len(self._statuses))
        if index == len(self._statuses):
            self._statuses.append(statuses)
        self._signatures[coverage] = index
        return index

    # -- what browse.summary and browse.coverage_matrix ask of a graph -------------------

    @property
    def resources(self) -> Mapping[str, _Account]:
        """One stand-in per account that holds a resource (the graph adds an account
        pseudo-resource for every account the snapshot names, and `summary` counts the
        accounts of all of them)."""
        assert self.snapshot is not None
        accounts = {account for account, _, _ in self._groups}
        accounts.update(account.id for account in self.snapshot.accounts)
        return {account: _Account(account) for account in accounts}

    @property
    def resource_count(self) -> int:
        return len(self.ids) - self.pseudo

    def rollup(self, by: str | None = None) -> dict[str, LayerCounts]:
        """`CoverageGraph.rollup` for `account`, `account-region` or the totals (`None`)."""
        groups: dict[str, LayerCounts] = {}
        for (account, region, index), n in self._groups.items():
            statuses = self._statuses[index]
            if not statuses:
                continue
            key = "*" if by is None else account if by == "account" else f"{account}/{region}"
            counts = groups.get(key)
            if counts is None:
                counts = groups[key] = empty_layer_counts()
            for layer, status in statuses.items():
                counts[layer].add(status, n)
        return groups

    def totals(self) -> LayerCounts:
        return self.rollup(None).get("*") or empty_layer_counts()

    def preview(self) -> Preview:
        graph = cast(CoverageGraph, self)  # the questions above, answered alike
        rows = {by: browse.coverage_matrix(graph, by) for by in GROUPINGS}
        return Preview(browse.summary(graph), rows)


class _Coverage(NamedTuple):
    """Stands for a coverage record where `layer_statuses` reads these three."""

    layer: Layer
    status: Status
    expectation: Expectation


class _Resource(NamedTuple):
    """Stands for a resource where `layer_statuses` only reads its coverage."""

    coverage: list[_Coverage]


def count_matrix(read: Any) -> Preview:
    """The matrix figures of a snapshot file, in one lean pass.

    `read(mode, fold=...)` is `snapshot.io`'s streamed reader of the file (its errors,
    bounds and version check included); raises what it raises.
    """
    counts = MatrixCounts()
    counts.snapshot = read("matrix", fold=counts)
    return counts.preview()
