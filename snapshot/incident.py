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
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from snapshot import queries
from snapshot.catalogue import CONTROLS_BY_ID
from snapshot.graph import CoverageGraph
from snapshot.model import Coverage, Expectation, Resource, Status
from snapshot.sanitize import clean_single_line

#: CloudTrail event history (lookup-events) keeps management events this many days.
EVENT_HISTORY_DAYS = 90

#: Where CloudTrail records the events of global services (IAM, CloudFront, Route 53).
GLOBAL_EVENTS_REGION = "us-east-1"

#: Logs Insights returns at most this many rows a query.
INSIGHTS_LIMIT = 10000

LOGGING = (Status.logged, Status.partial)
BLIND = (Status.missing, Status.unknown)


class PlanError(ValueError):
    """A window or depth the plan cannot be made for; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PlanError(
                f"the window ends ({queries.iso(self.end)}) before it starts "
                f"({queries.iso(self.start)})"
            )

    def age_days(self, now: datetime) -> float:
        """How old the window's start is: the retention a destination needs to hold it."""
        return max(0.0, (now - self.start).total_seconds() / 86400)

    def days(self) -> list[datetime]:
        """Each UTC day the window touches (for daily partitions)."""
        first = self.start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        out = []
        day = first
        while day <= self.end:
            out.append(day)
            day += timedelta(days=1)
        return out


@dataclass(slots=True)
class Query:
    """One command or query to run, with what it needs (a table, credentials) in `note`."""

    engine: str  # logs-insights | athena | cloudtrail-lookup | config-history | s3-listing
    text: str
    note: str = ""
    placeholders: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "text": self.text,
            "note": self.note,
            "placeholders": self.placeholders,
        }


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
        return {
            "layer": self.layer,
            "control": self.control,
            "status": str(self.status),
            "expectation": self.expectation,
            "destination": self.destination,
            "where": self.where,
            "inherited_from": self.inherited_from,
            "retention_days": self.retention_days,
            "covers_window": self.covers_window,
            "query": self.queries[0].text if self.queries else None,
            "queries": [query.as_dict() for query in self.queries],
        }


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
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "account": self.account,
            "region": self.region,
            "hops": self.hops,
            "via": self.via,
            "sources": [source.as_dict() for source in self.sources],
        }


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
        return {
            "resource": self.resource,
            "name": self.name,
            "layer": self.layer,
            "control": self.control,
            "status": str(self.status),
            "expectation": self.expectation,
            "why": self.why,
        }


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
        source.queries = list(_queries(graph, resource, record, dest, ids, window, now))
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


def _q(value: str) -> str:
    """A shell word."""
    return shlex.quote(value)


def _lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _insights_list(values: list[str]) -> str:
    return "[" + ", ".join('"' + v.replace('"', "") + '"' for v in values) + "]"


_PLAIN = re.compile(r"[A-Za-z0-9._:/@+=-]+")


def _short_id(resource: Resource) -> str | None:
    """The identifier CloudTrail records for the resource (instance id, bucket name, ...)."""
    value = clean_single_line(resource.resource_id or resource.name or "")
    return value if value and _PLAIN.fullmatch(value) else None


def _insights_query(record: Coverage, resource: Resource, ids: queries.Identifiers) -> str:
    """A Logs Insights query for one source, filtered to this resource where the log says
    which resource a line is about (flow logs: interfaceId; the agent: the stream named
    after the instance); the group itself is the resource's otherwise."""
    tail = f" | sort @timestamp asc | limit {INSIGHTS_LIMIT}"
    if record.control in ("vpc-flow-logs", "tgw-flow-logs"):
        fields = (
            "fields @timestamp, interfaceId, srcAddr, srcPort, dstAddr, dstPort, protocol, "
            "packets, bytes, action"
        )
        enis = [e for e in ids.get("eni-id") if _PLAIN.fullmatch(e)]
        whole_network = resource.type in ("AWS::EC2::VPC", "AWS::EC2::Subnet")
        if enis and not whole_network:
            return f"{fields} | filter interfaceId in {_insights_list(enis)}{tail}"
        return fields + tail
    if record.control == "cloudwatch-agent":
        instance = ids.first("instance-id")
        if instance and _PLAIN.fullmatch(instance):
            stream = f"filter @logStream like /{instance}/"
            return f"fields @timestamp, @logStream, @message | {stream}{tail}"
    if record.control == "resolver-query-logs":
        vpc = ids.first("vpc-id")
        fields = "fields @timestamp, vpc_id, srcaddr, query_name, query_type, rcode"
        if vpc and _PLAIN.fullmatch(vpc):
            return f'{fields} | filter vpc_id = "{vpc}"{tail}'
        return fields + tail
    if record.control == "lambda-logging":
        return "fields @timestamp, @requestId, @message" + tail
    return "fields @timestamp, @logStream, @message" + tail


def _logs_query(
    record: Coverage,
    resource: Resource,
    dest: queries.Destination,
    ids: queries.Identifiers,
    window: Window,
) -> Query:
    assert dest.log_group is not None
    query = _insights_query(record, resource, ids)
    region = dest.region or resource.region
    text = (
        f"aws logs start-query --region {_q(region)} --log-group-name {_q(dest.log_group)} "
        f"--start-time {queries.epoch(window.start)} --end-time {queries.epoch(window.end)} "
        f"--query-string {_q(query)}"
    )
    note = "then: aws logs get-query-results --query-id <queryId from the answer>"
    if dest.account and dest.account != resource.account:
        note += f"; the group is in account {dest.account}: run with its credentials"
    return Query("logs-insights", text, note)


def _day_bounds(window: Window, fmt: str) -> tuple[str, str]:
    days = window.days()
    return days[0].strftime(fmt), days[-1].strftime(fmt)


def _athena_note(table: str, location: str | None, doc: str) -> str:
    where = f" over {location}" if location else ""
    return f"Athena table {table} as created by the Athena documentation's {doc}{where}"


def _cloudtrail_athena(
    record: Coverage, resource: Resource, window: Window, location: str | None
) -> Query:
    first, last = _day_bounds(window, "%Y/%m/%d")
    conditions = [
        f'"timestamp" BETWEEN {_lit(first)} AND {_lit(last)}',
        f"eventtime BETWEEN {_lit(queries.iso(window.start))} AND {_lit(queries.iso(window.end))}",
    ]
    short = _short_id(resource)
    if record.control == "cloudtrail-s3-data-events" and short:
        conditions.append("eventsource = 's3.amazonaws.com'")
        conditions.append(f"json_extract_scalar(requestparameters, '$.bucketName') = {_lit(short)}")
    elif record.control == "cloudtrail-lambda-data-events" and short:
        conditions.append("eventsource = 'lambda.amazonaws.com'")
        like = _lit("%" + short + "%")
        conditions.append(f"json_extract_scalar(requestparameters, '$.functionName') LIKE {like}")
    elif record.control == "cloudtrail-insights":
        conditions.append("eventtype = 'AwsCloudTrailInsight'")
    elif short and not resource.is_pseudo:
        like = _lit("%" + short + "%")
        conditions.append(f"(requestparameters LIKE {like} OR responseelements LIKE {like})")
    sql = (
        "SELECT eventtime, eventsource, eventname, useridentity.arn AS principal, "
        "sourceipaddress, useragent, errorcode FROM cloudtrail_logs_pp WHERE "
        + " AND ".join(conditions)
        + " ORDER BY eventtime"
    )
    note = _athena_note(
        "cloudtrail_logs_pp", location, "CloudTrail partition-projection DDL (partition timestamp)"
    )
    return Query("athena", sql, note)


def _flow_athena(
    resource: Resource, ids: queries.Identifiers, window: Window, location: str | None
) -> Query:
    first, last = _day_bounds(window, "%Y/%m/%d")
    conditions = [
        f"accid = {_lit(resource.account)}",
        f"region = {_lit(resource.region)}",
        f"day BETWEEN {_lit(first)} AND {_lit(last)}",
        f"start <= {queries.epoch(window.end)}",
        f'"end" >= {queries.epoch(window.start)}',
    ]
    enis = [e for e in ids.get("eni-id") if _PLAIN.fullmatch(e)]
    if enis and resource.type not in ("AWS::EC2::VPC", "AWS::EC2::Subnet"):
        conditions.append("interface_id IN (" + ", ".join(_lit(e) for e in enis) + ")")
    sql = (
        "SELECT from_unixtime(start) AS flow_start, interface_id, srcaddr, srcport, dstaddr, "
        "dstport, protocol, packets, bytes, action FROM vpc_flow_logs WHERE "
        + " AND ".join(conditions)
        + " ORDER BY start"
    )
    note = _athena_note(
        "vpc_flow_logs",
        location,
        "VPC flow logs partition-projection DDL (partitions accid, region, day)",
    )
    return Query("athena", sql, note)


def _alb_athena(resource: Resource, window: Window, location: str | None) -> Query:
    first, last = _day_bounds(window, "%Y/%m/%d")
    start, end = _lit(queries.iso(window.start)), _lit(queries.iso(window.end))
    conditions = [
        f"day BETWEEN {_lit(first)} AND {_lit(last)}",
        f"from_iso8601_timestamp(time) BETWEEN from_iso8601_timestamp({start})"
        f" AND from_iso8601_timestamp({end})",
    ]
    marker = "loadbalancer/"
    if marker in resource.id:
        conditions.append(f"elb = {_lit(resource.id.split(marker, 1)[1])}")
    sql = (
        "SELECT time, client_ip, client_port, request_verb, request_url, elb_status_code, "
        "target_ip, user_agent FROM alb_access_logs WHERE "
        + " AND ".join(conditions)
        + " ORDER BY time"
    )
    note = _athena_note(
        "alb_access_logs", location, "ALB access logs partition-projection DDL (partition day)"
    )
    return Query("athena", sql, note)


def _s3_access_athena(resource: Resource, window: Window, location: str | None) -> Query:
    first, last = _day_bounds(window, "%Y/%m/%d")
    fmt = "'dd/MMM/yyyy:HH:mm:ss Z'"
    conditions = [
        f'"timestamp" BETWEEN {_lit(first)} AND {_lit(last)}',
        f"parse_datetime(requestdatetime, {fmt}) BETWEEN "
        f"from_iso8601_timestamp({_lit(queries.iso(window.start))}) AND "
        f"from_iso8601_timestamp({_lit(queries.iso(window.end))})",
    ]
    short = _short_id(resource)
    if short:
        conditions.append(f"bucket_name = {_lit(short)}")
    sql = (
        "SELECT requestdatetime, remoteip, requester, operation, key, httpstatus, useragent "
        "FROM s3_access_logs WHERE " + " AND ".join(conditions) + " ORDER BY requestdatetime"
    )
    note = _athena_note(
        "s3_access_logs",
        location,
        "S3 server access logs DDL with date-based partitioning (partition timestamp)",
    )
    return Query("athena", sql, note)


def _cloudfront_athena(window: Window, location: str | None) -> Query:
    first, last = _day_bounds(window, "%Y-%m-%d")
    sql = (
        'SELECT "date", time, c_ip, cs_method, cs_host, cs_uri_stem, sc_status, cs_user_agent '
        f'FROM cloudfront_standard_logs WHERE "date" BETWEEN DATE {_lit(first)} AND '
        f"DATE {_lit(last)} AND concat(CAST(\"date\" AS varchar), 'T', time, 'Z') BETWEEN "
        f"{_lit(queries.iso(window.start))} AND {_lit(queries.iso(window.end))} "
        'ORDER BY "date", time'
    )
    note = _athena_note(
        "cloudfront_standard_logs",
        location,
        "CloudFront standard (legacy) log DDL; legacy logs have no date folders, so the date "
        "column, not a partition, bounds the scan",
    )
    return Query("athena", sql, note)


def _resolver_athena(ids: queries.Identifiers, window: Window, location: str | None) -> Query:
    first, last = _day_bounds(window, "%Y/%m/%d")
    conditions = [
        f'"date" BETWEEN {_lit(first)} AND {_lit(last)}',
        f"query_timestamp BETWEEN {_lit(queries.iso(window.start))} AND "
        f"{_lit(queries.iso(window.end))}",
    ]
    vpc = ids.first("vpc-id")
    if vpc:
        conditions.append(f"vpc = {_lit(vpc)}")
    sql = (
        "SELECT query_timestamp, srcaddr, query_name, query_type, rcode FROM r53_rlogs WHERE "
        + " AND ".join(conditions)
        + " ORDER BY query_timestamp"
    )
    note = _athena_note(
        "r53_rlogs", location, "Resolver query logs partition-projection DDL (partitions date, vpc)"
    )
    return Query("athena", sql, note)


def _listing(dest: queries.Destination, location: str | None) -> Query:
    assert dest.bucket is not None
    prefix = location[len(f"s3://{dest.bucket}/") :] if location else dest.prefix
    text = f"aws s3api list-objects-v2 --bucket {_q(dest.bucket)}"
    if prefix:
        text += f" --prefix {_q(prefix)}"
    return Query("s3-listing", text, "lists the delivered log files; no table is documented")


def _lookup_events(resource: Resource, window: Window, now: datetime) -> Query | None:
    short = _short_id(resource)
    if resource.is_pseudo or not short or not resource.region:
        return None
    # Global services (IAM, CloudFront, Route 53) record their events in us-east-1.
    region = GLOBAL_EVENTS_REGION if resource.region == "global" else resource.region
    text = (
        f"aws cloudtrail lookup-events --region {_q(region)} --lookup-attributes "
        f"{_q(f'AttributeKey=ResourceName,AttributeValue={short}')} "
        f"--start-time {queries.iso(window.start)} --end-time {queries.iso(window.end)}"
    )
    held = window.age_days(now) <= EVENT_HISTORY_DAYS
    note = f"CloudTrail event history keeps {EVENT_HISTORY_DAYS} days of management events: " + (
        "it holds this window" if held else "this window is older; use the trail's bucket"
    )
    return Query("cloudtrail-lookup", text, note)


def _config_history(resource: Resource, window: Window) -> Query | None:
    short = _short_id(resource)
    if resource.is_pseudo or not short or resource.region in ("", "global"):
        return None
    text = (
        f"aws configservice get-resource-config-history --region {_q(resource.region)} "
        f"--resource-type {_q(resource.type)} --resource-id {_q(short)} "
        f"--earlier-time {queries.iso(window.start)} --later-time {queries.iso(window.end)}"
    )
    note = "configuration items recorded in the window (before/after state of the resource)"
    return Query("config-history", text, note)


_CLOUDTRAIL = {
    "cloudtrail-management-events",
    "cloudtrail-s3-data-events",
    "cloudtrail-lambda-data-events",
    "cloudtrail-dynamodb-data-events",
    "cloudtrail-insights",
}


def _queries(
    graph: CoverageGraph,
    resource: Resource,
    record: Coverage,
    dest: queries.Destination | None,
    ids: queries.Identifiers,
    window: Window,
    now: datetime,
) -> Iterator[Query]:
    control = record.control
    if control == "config-recorder":
        query = _config_history(resource, window)
        if query:
            yield query
        return
    lookup = (
        _lookup_events(resource, window, now) if control == "cloudtrail-management-events" else None
    )
    if lookup is not None and window.age_days(now) <= EVENT_HISTORY_DAYS:
        yield lookup  # runs as it is, no table needed
        lookup = None
    if dest is not None and dest.kind == "logs" and dest.log_group:
        yield _logs_query(record, resource, dest, ids, window)
    elif dest is not None and dest.kind == "s3" and dest.bucket:
        organization = (
            graph.snapshot.scope.organization if queries.organization_trail(record) else None
        )
        location = queries.s3_log_location(control, dest, resource, organization)
        if control in _CLOUDTRAIL:
            yield _cloudtrail_athena(record, resource, window, location)
        elif control in ("vpc-flow-logs", "tgw-flow-logs"):
            yield _flow_athena(resource, ids, window, location)
        elif control == "elb-access-logs":
            yield _alb_athena(resource, window, location)
        elif control == "s3-server-access-logs":
            yield _s3_access_athena(resource, window, location)
        elif control == "cloudfront-logging":
            yield _cloudfront_athena(window, location)
        elif control == "resolver-query-logs":
            yield _resolver_athena(ids, window, location)
        else:
            yield _listing(dest, location)
    if lookup is not None:
        yield lookup


def baseline_blind_spots(plan: IncidentPlan) -> list[BlindSpot]:
    return [spot for spot in plan.blind_spots if spot.expectation == Expectation.baseline]
