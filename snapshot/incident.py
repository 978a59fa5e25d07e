"""An incident plan: for one resource and everything within N hops of it, which logs exist,
where they are, whether they still hold the incident window, and what to run to pull them.

A responder's question is not "what is my coverage today" but "this instance was
compromised between 10:00 and 12:00 last Tuesday: for it and its neighbours, what can I
still read, and how". The plan answers it from a snapshot alone:

- every log source of each resource (its coverage records), with its destination and the
  destination's retention (`retention_days`, collected by `collectors/coverage/retention.py`;
  for a log group the snapshot also holds as a resource, its `log-retention` record);
- `covers_window`: true when the destination keeps logs at least as long as the window's
  start is old, false when it keeps them for less, null when retention is not known or the
  source is not logging (never guessed);
- a ready-to-run query per source with the window and the resource's identifiers filled in:
  CloudWatch Logs Insights through `aws logs start-query` (epoch seconds), Athena SQL with
  partition predicates for S3-delivered logs (tables as the Athena documentation's
  partition-projection DDL names them), CloudTrail `lookup-events` (the 90-day event
  history), AWS Config `get-resource-config-history`;
- the blind spots: missing and unknown sources, and what they hide.

A snapshot says what was logging when it was collected (or at `as_of`); a source switched on
after the incident still shows as logging. The plan states the snapshot's time so the
responder can judge, and `collect --as-of` gives a snapshot of the incident time itself.
The window and the queries are built in `snapshot/incident_queries.py`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from snapshot import queries
from snapshot.catalogue import CONTROLS_BY_ID
from snapshot.graph import CoverageGraph
from snapshot.incident_queries import (
    PlanError,
    Query,
    Window,
    source_queries,
)
from snapshot.model import Coverage, Expectation, Resource, Status
from snapshot.plain import field_dict
from snapshot.sanitize import clean_single_line

__all__ = [
    "BlindSpot",
    "IncidentPlan",
    "PlanError",
    "ResourcePlan",
    "Source",
    "Window",
    "baseline_blind_spots",
    "build_plan",
    "covers",
]

LOGGING = (Status.logged, Status.partial)
BLIND = (Status.missing, Status.unknown)


@dataclass(slots=True)
class Source:
    layer: str
    control: str
    status: Status
    expectation: str
    destination: str | None
    where: str | None
    inherited_from: str | None
    retention_days: int | None
    covers_window: bool | None
    queries: list[Query] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return field_dict(
            self,
            leave=("queries",),
            status=str(self.status),
            query=self.queries[0].text if self.queries else None,
            queries=[query.as_dict() for query in self.queries],
        )


@dataclass(slots=True)
class ResourcePlan:
    id: str
    type: str
    name: str
    account: str
    region: str
    hops: int
    via: str | None
    sources: list[Source] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return field_dict(self, sources=[source.as_dict() for source in self.sources])


@dataclass(frozen=True, slots=True)
class BlindSpot:
    resource: str
    name: str
    layer: str
    control: str
    status: Status
    expectation: str
    why: str

    def as_dict(self) -> dict[str, object]:
        return field_dict(self, status=str(self.status))


@dataclass(slots=True)
class IncidentPlan:
    subject: str
    subject_name: str
    window: Window
    now: datetime
    depth: int
    snapshot_time: datetime
    as_of: datetime | None
    resources: list[ResourcePlan] = field(default_factory=list)
    blind_spots: list[BlindSpot] = field(default_factory=list)

    def placeholders(self) -> list[str]:
        names: list[str] = []
        for resource in self.resources:
            for source in resource.sources:
                for query in source.queries:
                    names.extend(n for n in query.placeholders if n not in names)
        return names

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "subject_name": self.subject_name,
            "window": {
                "from": queries.iso(self.window.start),
                "to": queries.iso(self.window.end),
                "age_days": round(self.window.age_days(self.now), 2),
            },
            "as_of": queries.iso(self.as_of) if self.as_of else None,
            "snapshot_time": queries.iso(self.snapshot_time),
            "planned_at": queries.iso(self.now),
            "depth": self.depth,
            "resources": [resource.as_dict() for resource in self.resources],
            "blind_spots": [spot.as_dict() for spot in self.blind_spots],
            "placeholders_left": self.placeholders(),
        }


# -- building -------------------------------------------------------------------------------


def build_plan(
    graph: CoverageGraph,
    resource_id: str,
    start: datetime,
    end: datetime,
    *,
    depth: int = 2,
    now: datetime | None = None,
) -> IncidentPlan:
    """The plan for `resource_id` (already resolved) and its neighbours within `depth` hops."""
    if depth < 0:
        raise PlanError("depth must be 0 or more")
    window = Window(start.astimezone(UTC), end.astimezone(UTC))
    now = (now or datetime.now(UTC)).astimezone(UTC)
    snapshot = graph.snapshot
    root = graph.resources[resource_id]
    plan = IncidentPlan(
        subject=resource_id,
        subject_name=clean_single_line(root.name or root.resource_id or resource_id),
        window=window,
        now=now,
        depth=depth,
        snapshot_time=snapshot.generated_at,
        as_of=snapshot.as_of,
    )
    retention = {**_log_group_retention(graph), **_destination_retention(graph)}
    trace = graph.trace(resource_id, depth)
    for node in trace.nodes:
        resource = node.resource
        entry = ResourcePlan(
            id=resource.id,
            type=resource.type,
            name=clean_single_line(resource.name or resource.resource_id or resource.id),
            account=resource.account,
            region=resource.region,
            hops=node.depth,
            via=node.via,
        )
        for record in resource.coverage:
            if record.status == Status.not_applicable:
                continue
            entry.sources.append(_source(graph, resource, record, window, now, retention))
            if record.status in BLIND:
                plan.blind_spots.append(_blind_spot(resource, record, entry.name))
        plan.resources.append(entry)
    hops = {entry.id: entry.hops for entry in plan.resources}
    plan.blind_spots.sort(key=lambda b: (b.expectation != Expectation.baseline, hops[b.resource]))
    return plan


_RETENTION_EVIDENCE = re.compile(r"retentionInDays=(\d+)")


def _log_group_retention(graph: CoverageGraph) -> dict[str, int]:
    """Log group name -> retention days (0 = never expires) from the snapshot's log groups.

    Reads each group's `log-retention` record: its `retention_days` where the collector set
    it, else the retention its probe wrote in the evidence (`retentionInDays=30`,
    `retentionInDays not set (never expire)`), so snapshots made before retention was a
    field still answer.
    """
    found: dict[str, int] = {}
    for resource in graph.iter_resources(types=["AWS::Logs::LogGroup"]):
        for record in resource.coverage:
            if record.control != "log-retention" or record.status not in LOGGING:
                continue
            days = record.retention_days
            if days is None:
                match = _RETENTION_EVIDENCE.search(record.evidence)
                if match:
                    days = int(match.group(1))
                elif "retentionInDays not set" in record.evidence:
                    days = 0
            if days is not None:
                name = resource.name or resource.resource_id or ""
                found[f"{resource.account}:{resource.region}:{name}"] = days
    return found


def _destination_retention(graph: CoverageGraph) -> dict[str, int]:
    """Destination -> retention days, from every record the collector decided it on.

    Retention is read by the account that owns a destination; a record of another account
    sending to the same bucket or group (a member account's trail into the log archive)
    takes it from there.
    """
    found: dict[str, int] = {}
    for resource in graph.resources.values():
        for record in resource.coverage:
            if record.retention_days is not None and record.destination:
                found.setdefault(record.destination.removesuffix(":*"), record.retention_days)
    return found


def _retention(
    record: Coverage,
    destination: str | None,
    dest: queries.Destination | None,
    retention: dict[str, int],
) -> int | None:
    if record.retention_days is not None:
        return record.retention_days
    if destination and destination.removesuffix(":*") in retention:
        return retention[destination.removesuffix(":*")]
    if dest is not None and dest.kind == "logs" and dest.log_group:
        return retention.get(f"{dest.account}:{dest.region}:{dest.log_group}")
    return None


def covers(retention_days: int | None, window: Window, now: datetime) -> bool | None:
    """Whether a destination keeping logs `retention_days` (0 = forever) still holds the
    window's start; None when the retention is not known."""
    if retention_days is None:
        return None
    if retention_days == 0:
        return True
    return math.ceil(window.age_days(now)) <= retention_days


def _source(
    graph: CoverageGraph,
    resource: Resource,
    record: Coverage,
    window: Window,
    now: datetime,
    retention: dict[str, int],
) -> Source:
    destination = record.destination or _inherited_destination(graph, record)
    dest = queries.parse_destination(destination)
    days = _retention(record, destination, dest, retention)
    logging = record.status in LOGGING
    where = _where(graph, resource, record, dest) if logging else None
    source = Source(
        layer=str(record.layer),
        control=record.control,
        status=record.status,
        expectation=str(record.expectation),
        destination=clean_single_line(destination) if destination else None,
        where=where,
        inherited_from=record.inherited_from,
        retention_days=days,
        covers_window=covers(days, window, now) if logging else None,
    )
    if logging:
        ids = queries.identifiers(graph, resource, record)
        source.queries = list(source_queries(graph, resource, record, dest, ids, window, now))
    return source


#: How far `_inherited_destination` follows records inherited from inherited records.
_MAX_INHERITANCE = 4


def _inherited_destination(graph: CoverageGraph, record: Coverage) -> str | None:
    """A record inherited from another resource (an instance's flow log through its ENI,
    the ENI's through its VPC) without a destination of its own: the destination of the
    same control there, following the chain a few links."""
    current: Coverage | None = record
    for _ in range(_MAX_INHERITANCE):
        source = current.inherited_from if current else None
        if not source or source not in graph:
            return None
        current = next(
            (c for c in graph.resources[source].coverage if c.control == record.control), None
        )
        if current is not None and current.destination:
            return current.destination
    return None


def _where(
    graph: CoverageGraph, resource: Resource, record: Coverage, dest: queries.Destination | None
) -> str:
    """The log group, or the S3 folder of AWS's documented layout, holding this source."""
    if dest is None:
        return "destination not in snapshot"
    if dest.kind == "logs" and dest.log_group:
        return f"CloudWatch Logs group {dest.log_group} ({dest.region}, account {dest.account})"
    if dest.kind == "s3" and dest.bucket:
        organization = (
            graph.snapshot.scope.organization if queries.organization_trail(record) else None
        )
        location = queries.s3_log_location(record.control, dest, resource, organization)
        return location or f"s3://{dest.bucket}/{dest.prefix}"
    return dest.arn


def _blind_spot(resource: Resource, record: Coverage, name: str) -> BlindSpot:
    control = CONTROLS_BY_ID.get(record.control)
    title = control.title if control else record.control
    hides = ", ".join(control.attack_data_components) if control else ""
    why = f"{title}: {record.status}"
    if hides:
        why += f"; without it: {hides}"
    if record.evidence:
        why += f" (evidence: {clean_single_line(record.evidence)})"
    return BlindSpot(
        resource=resource.id,
        name=name,
        layer=str(record.layer),
        control=record.control,
        status=record.status,
        expectation=str(record.expectation),
        why=why,
    )


# -- queries --------------------------------------------------------------------------------


def baseline_blind_spots(plan: IncidentPlan) -> list[BlindSpot]:
    return [spot for spot in plan.blind_spots if spot.expectation == Expectation.baseline]
