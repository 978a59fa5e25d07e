"""The incident window and the ready-to-run queries that pull one log source's records for it.

CloudWatch Logs Insights through `aws logs start-query` (epoch seconds), Athena SQL with
partition predicates for S3-delivered logs (tables as the Athena documentation's
partition-projection DDL names them), CloudTrail `lookup-events` (the 90-day event history),
AWS Config `get-resource-config-history`, or a listing of the destination when no table fits.
Every value from the snapshot is quoted for the shell or the query language it lands in:
a resource name is hostile text. The plan that picks the sources is `snapshot/incident.py`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from snapshot import queries
from snapshot.graph import CoverageGraph
from snapshot.model import Coverage, Resource
from snapshot.plain import field_dict
from snapshot.sanitize import clean_single_line

#: CloudTrail event history (lookup-events) keeps management events this many days.
EVENT_HISTORY_DAYS = 90

#: Where CloudTrail records the events of global services (IAM, CloudFront, Route 53).
GLOBAL_EVENTS_REGION = "us-east-1"

#: Logs Insights returns at most this many rows a query.
INSIGHTS_LIMIT = 10000


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
        return field_dict(self)


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


@dataclass(frozen=True, slots=True)
class _AthenaTable:
    """A table as a DDL of the Athena documentation (`doc`) creates it, and what to read."""

    name: str
    columns: str
    order: str
    doc: str

    def query(self, conditions: list[str], location: str | None) -> Query:
        """`SELECT columns FROM name WHERE <conditions, AND-ed> ORDER BY order`, with its note."""
        where = " AND ".join(conditions)
        sql = f"SELECT {self.columns} FROM {self.name} WHERE {where} ORDER BY {self.order}"
        return Query("athena", sql, _athena_note(self.name, location, self.doc))


_CLOUDTRAIL_TABLE = _AthenaTable(
    "cloudtrail_logs_pp",
    "eventtime, eventsource, eventname, useridentity.arn AS principal, "
    "sourceipaddress, useragent, errorcode",
    "eventtime",
    "CloudTrail partition-projection DDL (partition timestamp)",
)
_FLOW_TABLE = _AthenaTable(
    "vpc_flow_logs",
    "from_unixtime(start) AS flow_start, interface_id, srcaddr, srcport, dstaddr, "
    "dstport, protocol, packets, bytes, action",
    "start",
    "VPC flow logs partition-projection DDL (partitions accid, region, day)",
)
_ALB_TABLE = _AthenaTable(
    "alb_access_logs",
    "time, client_ip, client_port, request_verb, request_url, elb_status_code, "
    "target_ip, user_agent",
    "time",
    "ALB access logs partition-projection DDL (partition day)",
)
_S3_ACCESS_TABLE = _AthenaTable(
    "s3_access_logs",
    "requestdatetime, remoteip, requester, operation, key, httpstatus, useragent",
    "requestdatetime",
    "S3 server access logs DDL with date-based partitioning (partition timestamp)",
)
_RESOLVER_TABLE = _AthenaTable(
    "r53_rlogs",
    "query_timestamp, srcaddr, query_name, query_type, rcode",
    "query_timestamp",
    "Resolver query logs partition-projection DDL (partitions date, vpc)",
)


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
    return _CLOUDTRAIL_TABLE.query(conditions, location)


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
    return _FLOW_TABLE.query(conditions, location)


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
    return _ALB_TABLE.query(conditions, location)


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
    return _S3_ACCESS_TABLE.query(conditions, location)


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
    return _RESOLVER_TABLE.query(conditions, location)


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


def source_queries(
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
