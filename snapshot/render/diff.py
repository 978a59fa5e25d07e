"""What changed between two snapshots: resources that appeared or vanished, and controls
whose status changed, appeared or disappeared on resources present in both.

A responder's question is "which logs did we lose (or gain) since last week?", so every
control change is classed as `worse`, `better` or `same` by the severity order the layer
status uses (missing < unknown < partial < logged; `not_applicable` counts as neither),
and the overall coverage of both snapshots is given side by side.

A control is keyed by (layer, control id) on a resource; when one resource carries several
records of the same control (one per trail, say), the worst one stands for it, as for layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from snapshot.graph import Counts, layer_statuses
from snapshot.model import STATUS_SEVERITY, Resource, Snapshot, Status
from snapshot.plain import field_dict
from snapshot.render import names
from snapshot.render.dispatch import writer_for
from snapshot.render.streaming import iter_json_document
from snapshot.sanitize import short_line, shorten

FORMATS = tuple(names("diff"))


@dataclass(slots=True)
class ResourceChange:
    id: str
    type: str
    account: str
    region: str
    name: str
    gaps: list[str]  # layers missing/unknown on the resource (in the snapshot that has it)


@dataclass(slots=True)
class ControlChange:
    resource: str
    type: str
    layer: str
    control: str
    old: str | None  # None: the control was not evaluated on this resource before
    new: str | None  # None: it is no longer evaluated
    change: str  # changed | appeared | vanished
    direction: str  # better | worse | same


@dataclass(slots=True)
class SnapshotDiff:
    old_generated_at: str
    new_generated_at: str
    old_coverage_pct: float | None
    new_coverage_pct: float | None
    #: The past times the two snapshots describe (`collect --as-of`), when they do.
    old_as_of: str | None = None
    new_as_of: str | None = None
    appeared: list[ResourceChange] = field(default_factory=list)
    vanished: list[ResourceChange] = field(default_factory=list)
    controls: list[ControlChange] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        count = {"worse": 0, "better": 0, "same": 0}
        for change in self.controls:
            count[change.direction] += 1
        return {
            "resources_appeared": len(self.appeared),
            "resources_vanished": len(self.vanished),
            "controls_changed": len(self.controls),
            "worse": count["worse"],
            "better": count["better"],
        }

    def as_dict(self, *, lazy: bool = False) -> dict[str, object]:
        """The JSON document; with `lazy`, its long lists are generators (streaming.py)."""
        wrap: Callable[[Iterator[dict[str, object]]], object] = (lambda it: it) if lazy else list
        return {
            "old": {
                "generated_at": self.old_generated_at,
                "coverage_pct": self.old_coverage_pct,
                **({"as_of": self.old_as_of} if self.old_as_of else {}),
            },
            "new": {
                "generated_at": self.new_generated_at,
                "coverage_pct": self.new_coverage_pct,
                **({"as_of": self.new_as_of} if self.new_as_of else {}),
            },
            "summary": self.summary(),
            "resources": {
                "appeared": wrap(field_dict(r) for r in self.appeared),
                "vanished": wrap(field_dict(r) for r in self.vanished),
            },
            "controls": wrap(field_dict(c) for c in self.controls),
        }


#: Where an absent or not_applicable control ranks: between the gaps (missing, unknown) and
#: coverage (partial, logged), so a control that appears as `missing` is a new gap (worse)
#: and one that appears as `logged` is new coverage (better); likewise when one vanishes.
_NEUTRAL = 1.5


def _rank(status: str | None) -> float:
    """Severity for comparison: missing 0 < unknown 1 < absent 1.5 < partial 2 < logged 3."""
    if status is None:
        return _NEUTRAL
    return STATUS_SEVERITY.get(Status(status), _NEUTRAL)


def _direction(old: str | None, new: str | None) -> str:
    before, after = _rank(old), _rank(new)
    if after > before:
        return "better"
    if after < before:
        return "worse"
    return "same"


def _controls(resource: Resource) -> dict[tuple[str, str], str]:
    result: dict[tuple[str, str], str] = {}
    for record in resource.coverage:
        key = (str(record.layer), record.control)
        current = result.get(key)
        if current is None or _rank(record.status) < _rank(current):
            result[key] = str(record.status)
    return result


def _index(snapshot: Snapshot) -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for resource in snapshot.resources:
        resources.setdefault(resource.id, resource)  # first wins, as in CoverageGraph
    return resources


def _resource_change(resource: Resource) -> ResourceChange:
    statuses = layer_statuses(resource)
    gaps = [str(layer) for layer, s in statuses.items() if s in (Status.missing, Status.unknown)]
    return ResourceChange(
        resource.id, resource.type, resource.account, resource.region, resource.name, gaps
    )


def _coverage_pct(resources: dict[str, Resource]) -> float | None:
    """Overall coverage as `CoverageGraph.totals` counts it, without building a graph."""
    counts = Counts()
    for resource in resources.values():
        for status in layer_statuses(resource).values():
            counts.add(status)
    return counts.coverage_pct


def diff_snapshots(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    before, after = _index(old), _index(new)
    result = SnapshotDiff(
        old.generated_at.isoformat(),
        new.generated_at.isoformat(),
        _coverage_pct(before),
        _coverage_pct(after),
        old.as_of.isoformat() if old.as_of else None,
        new.as_of.isoformat() if new.as_of else None,
    )
    result.appeared = [_resource_change(after[i]) for i in sorted(after.keys() - before.keys())]
    result.vanished = [_resource_change(before[i]) for i in sorted(before.keys() - after.keys())]
    for resource_id in sorted(before.keys() & after.keys()):
        old_controls = _controls(before[resource_id])
        new_controls = _controls(after[resource_id])
        if old_controls == new_controls:
            continue
        for key in sorted(old_controls.keys() | new_controls.keys()):
            was, now = old_controls.get(key), new_controls.get(key)
            if was == now:
                continue
            change = "changed" if was and now else ("appeared" if now else "vanished")
            result.controls.append(
                ControlChange(
                    resource_id,
                    after[resource_id].type,
                    key[0],
                    key[1],
                    was,
                    now,
                    change,
                    _direction(was, now),
                )
            )
    return result


# -- rendering ------------------------------------------------------------------------------


def iter_json(result: SnapshotDiff) -> Iterator[str]:
    """`as_dict`'s document in pieces, one change at a time (bounded memory at any size)."""
    document = result.as_dict(lazy=True)
    return iter_json_document(document)


def render_json(result: SnapshotDiff) -> str:
    return "".join(iter_json(result))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _table(rows: list[list[str]]) -> list[str]:
    # Human format: a cell is cut with a marker, so one 1 MB id does not pad every row of
    # its column to a megabyte (1,000 changes of one such resource wrote 1 GB).
    rows = [[short_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in rows]


def render_table(result: SnapshotDiff) -> str:
    s = result.summary()
    lines = [
        f"old {result.old_generated_at}  coverage {_pct(result.old_coverage_pct)}"
        + (f"  (as of {result.old_as_of})" if result.old_as_of else ""),
        f"new {result.new_generated_at}  coverage {_pct(result.new_coverage_pct)}"
        + (f"  (as of {result.new_as_of})" if result.new_as_of else ""),
        f"{s['resources_appeared']} resources appeared, {s['resources_vanished']} vanished; "
        f"{s['controls_changed']} control changes ({s['worse']} worse, {s['better']} better)",
    ]
    if result.controls:
        lines += ["", "Control changes", ""]
        rows = [["CHANGE", "RESOURCE", "LAYER", "CONTROL", "OLD", "NEW"]]
        order = {"worse": 0, "same": 1, "better": 2}
        for c in sorted(result.controls, key=lambda c: (order[c.direction], c.resource)):
            rows.append(
                [
                    c.direction if c.change == "changed" else f"{c.change} ({c.direction})",
                    shorten(c.resource),
                    c.layer,
                    shorten(c.control),
                    c.old or "-",
                    c.new or "-",
                ]
            )
        lines += _table(rows)
    for title, items in (
        ("Resources appeared", result.appeared),
        ("Resources vanished", result.vanished),
    ):
        if not items:
            continue
        lines += ["", title, ""]
        rows = [["RESOURCE", "TYPE", "ACCOUNT", "REGION", "GAPS"]]
        rows += [
            [
                *(shorten(v) for v in (r.id, r.type, r.account, r.region)),
                ", ".join(r.gaps) or "-",
            ]
            for r in items
        ]
        lines += _table(rows)
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json}


def iter_render(result: SnapshotDiff, fmt: str) -> Iterator[str]:
    """The diff in `fmt`, in pieces to write as they come."""
    if fmt == "json":
        return iter_json(result)
    return iter([render(result, fmt)])


def render(result: SnapshotDiff, fmt: str) -> str:
    renderer = writer_for(RENDERERS, fmt, "diff")
    return renderer(result)
