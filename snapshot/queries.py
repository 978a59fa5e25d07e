"""The catalogue's remediation commands and queries, filled with one resource's identifiers.

The catalogue (`snapshot/catalogue`) writes its commands once, with placeholders such as
`<instance-id>` or `<eni-id>`. A responder looking at one resource should get a command for
*that* resource: its instance id, the ENIs attached to it (from its relationships), its VPC,
the bucket or log group its logs land in (from the coverage record's destination). This
module does that filling, for the explorer's detail and copy keys, `gaps` and `incident`;
only `blindspot controls` shows the templates as written.

What the snapshot does not hold is never guessed: the placeholder stays, with its name and
why it is left (`<log-bucket: your choice>`, `<ip: your input>`,
`<detector-id: not in snapshot>`), and `Filled.unfilled` lists them so every output can say
which values a human still has to supply.

Values come from AWS or from a snapshot file, so they are hostile: each is cleaned of
control characters and inserted only where it cannot change the meaning of the command
(inside a single-quoted shell word or SQL literal only without a quote; a bare shell word
is quoted with `shlex.quote`; elsewhere, as in a Logs Insights regex, only plain identifier
characters are inserted). A value that fails those rules stays a named placeholder.
"""

from __future__ import annotations

import re
import shlex
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from snapshot.catalogue import CONTROLS_BY_ID, Control
from snapshot.graph import CoverageGraph
from snapshot.model import PSEUDO_TYPES, Coverage, Resource
from snapshot.sanitize import clean_single_line

PLACEHOLDER = re.compile(r"<([^<>\s][^<>]*)>")

#: Values the responder brings (an address, a principal, an indicator): never in a snapshot.
RESPONDER_INPUTS = frozenset(
    {
        "ip",
        "ioc",
        "principal",
        "domain",
        "client ip",
        "client ip or IAM arn",
        "client ip or user",
        "user or client ip",
        "ip or identity",
        "ip or path",
        "request-id or ip",
        "user-or-session",
        "capture.pcap",
        "task-id",
        "job-run-id",
        "t0",
        "t1",
        "yyyy-mm-dd",
    }
)

#: Values the person fixing the gap decides (where logs should go, names of new things).
CHOICES = frozenset(
    {
        "log-bucket",
        "bucket-in-log-archive-account",
        "config-name",
        "config-id",
        "config-role-arn",
        "role-arn",
        "kms-key-arn",
        "format",
        "aws-waf-logs-destination-arn",
        "target-id",
        "filter-id",
        "profile-with-AmazonSSMManagedInstanceCore",
        "script-s3-uri",
        "etag",
        "log file",
        "log",
        "type",
    }
)

#: Characters that mean the same inside and outside any quoting we use.
_PLAIN = re.compile(r"[A-Za-z0-9._:/@+=,-]+")


def placeholder(name: str, reason: str | None = None) -> str:
    """A named placeholder that says why it is left: `<name: reason>`."""
    return f"<{name}: {reason or why_unfilled(name)}>"


#: Parts of a file-name pattern that differ per log file.
PER_FILE = frozenset({"id"})


def why_unfilled(name: str) -> str:
    if name in PER_FILE:
        return "differs per file"
    if name in RESPONDER_INPUTS:
        return "your input"
    if name in CHOICES:
        return "your choice"
    return "not in snapshot"


@dataclass(frozen=True, slots=True)
class Filled:
    """A command or query with what could be filled in, and the names that could not."""

    text: str
    unfilled: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  #: why each of `unfilled` is left, in the same order

    def why(self, name: str) -> str:
        if name in self.unfilled and len(self.reasons) == len(self.unfilled):
            return self.reasons[self.unfilled.index(name)]
        return why_unfilled(name)

    @property
    def complete(self) -> bool:
        return not self.unfilled

    def note(self) -> str:
        """One line for outputs: which placeholders are left and why ("" when none)."""
        if not self.unfilled:
            return ""
        parts = [f"<{name}> ({self.why(name)})" for name in self.unfilled]
        return "placeholders left: " + ", ".join(parts)


@dataclass(slots=True)
class Identifiers:
    """Placeholder name -> the resource's own values (several for e.g. its ENIs)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    _seen: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def add(self, name: str, *values: str | None) -> None:
        for raw in values:
            if not raw:
                continue
            value = clean_single_line(raw)
            seen = self._seen.setdefault(name, set())
            if value not in seen:
                seen.add(value)
                self.values.setdefault(name, []).append(value)

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def get(self, name: str) -> list[str]:
        return self.values.get(name, [])


# -- destinations ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Destination:
    """A coverage record's destination, parsed: an S3 location or a CloudWatch Logs group."""

    kind: str  # "s3" | "logs" | "firehose" | "other"
    arn: str
    bucket: str | None = None
    prefix: str = ""
    log_group: str | None = None
    region: str | None = None
    account: str | None = None

    @property
    def log_group_arn(self) -> str | None:
        if self.kind != "logs" or not self.log_group:
            return None
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.log_group}"


def parse_destination(destination: str | None) -> Destination | None:
    """`arn:aws:s3:::bucket/prefix`, `arn:aws:logs:r:a:log-group:name[:*]`, a Firehose ARN."""
    if not destination:
        return None
    text = clean_single_line(destination.strip())
    if text.startswith("s3://"):
        bucket, _, prefix = text[5:].partition("/")
        return Destination("s3", f"arn:aws:s3:::{text[5:]}", bucket or None, prefix.strip("/"))
    parts = text.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        service, region, account, rest = parts[2], parts[3], parts[4], parts[5]
        if service == "s3":
            bucket, _, prefix = rest.partition("/")
            return Destination("s3", text, bucket or None, prefix.strip("/"))
        if service == "logs" and rest.startswith("log-group:"):
            name = rest[len("log-group:") :]
            if name.endswith(":*"):
                name = name[:-2]
            return Destination("logs", text, log_group=name, region=region, account=account)
        if service == "firehose":
            return Destination("firehose", text, region=region, account=account)
    return Destination("other", text)


# -- identifiers of a resource ------------------------------------------------------------------

_ENI = "AWS::EC2::NetworkInterface"
_VPC = "AWS::EC2::VPC"
_SUBNET = "AWS::EC2::Subnet"
_INSTANCE = "AWS::EC2::Instance"
_TRAIL = "AWS::CloudTrail::Trail"
_ROLE = "AWS::IAM::Role"

#: Resource type -> placeholder names its `name` fills.
_NAME_FILLS: dict[str, tuple[str, ...]] = {
    "AWS::S3::Bucket": ("bucket",),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("name",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("name",),
    "AWS::RDS::DBInstance": ("db-id", "db"),
    "AWS::RDS::DBCluster": ("cluster", "db-id"),
    "AWS::Lambda::Function": ("function",),
    "AWS::CloudTrail::Trail": ("trail-name",),
    "AWS::DynamoDB::Table": ("table",),
    "AWS::EKS::Cluster": ("cluster",),
    "AWS::Redshift::Cluster": ("cluster",),
    "AWS::OpenSearch::Domain": ("domain",),
    "AWS::Elasticsearch::Domain": ("domain",),
    "AWS::NetworkFirewall::Firewall": ("firewall-name",),
    "AWS::ElasticBeanstalk::Environment": ("environment",),
    "AWS::CodeBuild::Project": ("project",),
    "AWS::Glue::Job": ("job",),
    "AWS::Logs::LogGroup": ("log-group",),
    "AWS::AppSync::GraphQLApi": ("name",),
}

#: Resource type -> placeholder names its short `resource_id` fills.
_SHORT_ID_FILLS: dict[str, tuple[str, ...]] = {
    _INSTANCE: ("instance-id",),
    _ENI: ("eni-id",),
    _VPC: ("vpc-id",),
    "AWS::EC2::TransitGateway": ("tgw-id",),
    "AWS::Route53::HostedZone": ("zone-id",),
    "AWS::CloudFront::Distribution": ("distribution-id",),
    "AWS::ApiGateway::RestApi": ("api-id",),
    "AWS::ApiGatewayV2::Api": ("api-id",),
    "AWS::AppSync::GraphQLApi": ("api-id",),
    "AWS::ApiGateway::Stage": ("stage",),
    "AWS::ApiGatewayV2::Stage": ("stage",),
    "AWS::ElastiCache::ReplicationGroup": ("group",),
    "AWS::ElastiCache::CacheCluster": ("group",),
    "AWS::AmazonMQ::Broker": ("broker-id",),
}

#: Resource type -> placeholder names its ARN (the snapshot id) fills.
_ARN_FILLS: dict[str, tuple[str, ...]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("lb-arn",),
    "AWS::CloudTrail::Trail": ("trail-arn",),
    "AWS::DynamoDB::Table": ("table-arn",),
    "AWS::StepFunctions::StateMachine": ("state-machine-arn",),
    "AWS::WAFv2::WebACL": ("web-acl-arn",),
    "AWS::Logs::LogGroup": ("log-group-arn",),
}

_API_ID = re.compile(r"/(?:restapis|apis)/([^/]+)/stages/")


def identifiers(
    graph: CoverageGraph, resource: Resource, record: Coverage | None = None
) -> Identifiers:
    """Every placeholder value the snapshot holds for `resource` (and `record`'s destination).

    Values come from the resource itself, its direct relationships (the ENIs of an
    instance, the VPC it is in, the execution role of a function) and the record's
    destination; nothing is inferred beyond that.
    """
    ids = Identifiers()
    ids.add("account", resource.account)
    if resource.region and resource.region != "global":
        ids.add("region", resource.region)
    if resource.type not in PSEUDO_TYPES:
        ids.add("resource-id", resource.resource_id or resource.name)
        ids.add("AWS::Type", resource.type)
        if resource.id.startswith("arn:"):
            ids.add("resource-arn", resource.id)
    organization = graph.snapshot.scope.organization
    ids.add("org-id", organization)
    for name in _NAME_FILLS.get(resource.type, ()):
        ids.add(name, resource.name or resource.resource_id)
    for name in _SHORT_ID_FILLS.get(resource.type, ()):
        ids.add(name, resource.resource_id or resource.name)
    for name in _ARN_FILLS.get(resource.type, ()):
        if resource.id.startswith("arn:"):
            ids.add(name, resource.id)
    if resource.type == "AWS::Route53::HostedZone" and resource.name:
        ids.add("zone-name", resource.name.rstrip("."))
    if resource.type in ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"):
        match = _API_ID.search(resource.id)
        if match:
            ids.add("api-id", match.group(1))
    _add_neighbours(graph, resource, ids)
    _add_inherited(graph, record, ids)
    _add_trail(graph, resource, record, ids)
    _add_destination(record, ids)
    return ids


#: Types whose flow-log commands name the network itself, not each ENI in it (a VPC may
#: hold thousands of ENIs).
_NETWORKS = frozenset({_VPC, _SUBNET})


def _add_neighbours(graph: CoverageGraph, resource: Resource, ids: Identifiers) -> None:
    if resource.id not in graph:
        return
    for neighbour_id, *_ in graph.neighbours(resource.id):
        neighbour = graph.resources[neighbour_id]
        short = neighbour.resource_id or neighbour.name
        if neighbour.type == _ENI and resource.type not in (_ENI, *_NETWORKS):
            ids.add("eni-id", short)
        elif neighbour.type == _VPC and resource.type != _VPC:
            ids.add("vpc-id", short)
        elif neighbour.type == _INSTANCE and resource.type == _ENI:
            ids.add("instance-id", short)
        elif neighbour.type == _ROLE and resource.type == "AWS::Lambda::Function":
            ids.add("execution-role", neighbour.name or neighbour.resource_id)


def _add_trail(
    graph: CoverageGraph, resource: Resource, record: Coverage | None, ids: Identifiers
) -> None:
    """The trail a data-event record came from, else the account's only trail, if one."""
    if resource.type == _TRAIL:
        return
    inherited = record.inherited_from if record else None
    if inherited and inherited in graph and graph.resources[inherited].type == _TRAIL:
        trail = graph.resources[inherited]
        ids.add("trail-name", trail.name or trail.resource_id)
        ids.add("trail-arn", trail.id)
        return
    trails = _account_trails(graph).get(resource.account, [])
    if len(trails) == 1:
        ids.add("trail-name", trails[0].name or trails[0].resource_id)
        ids.add("trail-arn", trails[0].id)


#: Trails by account, one scan per graph: a scan per record made exporting every gap of a
#: large snapshot (OCSF findings, `gaps`) quadratic (5k resources: 34 of 42 s in the scan).
_TRAILS: weakref.WeakKeyDictionary[CoverageGraph, dict[str, list[Resource]]] = (
    weakref.WeakKeyDictionary()
)


def _account_trails(graph: CoverageGraph) -> dict[str, list[Resource]]:
    found = _TRAILS.get(graph)
    if found is None:
        found = {}
        for trail in graph.iter_resources(types=[_TRAIL]):
            found.setdefault(trail.account, []).append(trail)
        _TRAILS[graph] = found
    return found


def _add_inherited(graph: CoverageGraph, record: Coverage | None, ids: Identifiers) -> None:
    """A record inherited from another resource names it: the ENI, subnet or VPC of a flow
    log, the web ACL whose logging a protected resource shares."""
    inherited = record.inherited_from if record else None
    if not inherited or inherited not in graph:
        return
    source = graph.resources[inherited]
    short = source.resource_id or source.name
    for name in _ARN_FILLS.get(source.type, ()):
        if name not in ids.values and source.id.startswith("arn:"):
            ids.add(name, source.id)
    if source.type == _ENI:
        ids.add("eni-id", short)
    elif source.type == _VPC:
        ids.add("vpc-id", short)
    elif source.type == _SUBNET:
        for neighbour_id, *_ in graph.neighbours(inherited):
            neighbour = graph.resources[neighbour_id]
            if neighbour.type == _VPC:
                ids.add("vpc-id", neighbour.resource_id or neighbour.name)


def _add_destination(record: Coverage | None, ids: Identifiers) -> None:
    dest = parse_destination(record.destination if record else None)
    if dest is None:
        return
    if dest.kind == "s3" and dest.bucket:
        ids.add("dest-bucket", dest.bucket)
        if dest.prefix:
            ids.add("dest-prefix", dest.prefix)
        if record is not None and record.control == "s3-server-access-logs":
            ids.add("target-bucket", dest.bucket)
            ids.add("TargetPrefix", dest.prefix)
    elif dest.kind == "logs" and dest.log_group:
        ids.add("log-group", dest.log_group)
        ids.add("log-group-arn", dest.log_group_arn)


# -- filling --------------------------------------------------------------------------------


def is_shell(template: str) -> bool:
    """Commands (run in a shell) versus queries (SQL or Logs Insights)."""
    return template.lstrip().startswith(("aws ", "tshark "))


def _in_single_quotes(text: str, position: int) -> bool:
    """Whether `position` falls inside a '...' span (SQL literal or shell single-quoting)."""
    return text.count("'", 0, position) % 2 == 1


def _safe_insert(value: str, *, shell: bool, quoted: bool) -> str | None:
    """`value` as it can be inserted at this spot, or None when it cannot be safely."""
    if quoted:
        if "'" in value:
            return value.replace("'", "''") if not shell else None
        return value
    if _PLAIN.fullmatch(value):
        return value
    return shlex.quote(value) if shell else None


def fill(
    template: str,
    ids: Identifiers | Mapping[str, str | list[str]],
    *,
    overrides: Mapping[str, str] | None = None,
    choices: Iterable[str] = (),
) -> Filled:
    """Replace each `<name>` whose value is known; leave the rest as named placeholders.

    `overrides` wins over `ids` for one call (e.g. the destination bucket for `<bucket>` in
    "where the logs land"); `choices` are names that, when unknown, are the user's to
    decide here (where a missing source should send its logs). A name with several values
    (the ENIs of an instance) becomes an `IN (...)` list where the template compares it with
    `= '<name>'`, else its first value.
    """
    if isinstance(ids, Identifiers):
        values = dict(ids.values)
    else:
        values = {
            k: [clean_single_line(x) for x in ([v] if isinstance(v, str) else v)]
            for k, v in ids.items()
        }
    for key, value in (overrides or {}).items():
        values[key] = [clean_single_line(value)]
    shell = is_shell(template)
    unfilled: list[str] = []
    reasons: list[str] = []
    chosen = frozenset(choices)
    out: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        start, end = match.span()
        found = values.get(name) or []
        quoted = _in_single_quotes(template, start)
        replacement: str | None = None
        if len(found) > 1 and not shell and quoted and template[:start].endswith("= '"):
            items = [_safe_insert(v, shell=False, quoted=True) for v in found]
            if all(item is not None for item in items):
                head = template[last : start - 3]
                out.append(head)
                out.append("IN (" + ", ".join(f"'{item}'" for item in items) + ")")
                last = end + 1  # the closing quote of the literal
                continue
        if found:
            replacement = _safe_insert(found[0], shell=shell, quoted=quoted)
        if replacement is None:
            if found:
                reason = "value not safe to paste"
            elif name in chosen:
                reason = "your choice"
            else:
                reason = why_unfilled(name)
            if name not in unfilled:
                unfilled.append(name)
                reasons.append(reason)
            replacement = placeholder(name, reason)
        out.append(template[last:start])
        out.append(replacement)
        last = end
    out.append(template[last:])
    return Filled("".join(out), tuple(unfilled), tuple(reasons))


def _control(control_id: str) -> Control | None:
    return CONTROLS_BY_ID.get(control_id)


#: Per control, placeholders of its remediation that name something *new* (a trail to
#: create): filling them with an existing resource's value would be wrong.
_NEW_IN_REMEDIATION: dict[str, frozenset[str]] = {
    "cloudtrail-management-events": frozenset({"trail-name"}),
}


#: In a remediation, an unknown log group is where the fixed source *should* log: a choice.
_DESTINATION_CHOICES = frozenset({"log-group", "log-group-arn"})


def _own_bucket(resource: Resource) -> dict[str, str]:
    """For a log bucket's own controls, `<log-bucket>` is the bucket itself."""
    if resource.type == "AWS::S3::Bucket" and resource.name:
        return {"log-bucket": resource.name}
    return {}


def remediation(
    graph: CoverageGraph, resource: Resource, record: Coverage, control: Control | None = None
) -> Filled | None:
    """The catalogue's fix for `record`, for this resource (None for a control not catalogued).

    `control` overrides the catalogue row (the explorer passes the one it shows)."""
    control = control or _control(record.control)
    if control is None:
        return None
    ids = identifiers(graph, resource, record)
    for name in _NEW_IN_REMEDIATION.get(record.control, ()):
        ids.values.pop(name, None)
    return fill(control.remediation, ids, choices=_DESTINATION_CHOICES)


def first_query(
    graph: CoverageGraph, resource: Resource, record: Coverage, control: Control | None = None
) -> Filled | None:
    """The catalogue's first-response query, with the resource's identifiers filled in."""
    control = control or _control(record.control)
    if control is None:
        return None
    overrides = _own_bucket(resource) if record.control == "log-archive-separation" else {}
    return fill(control.first_query, identifiers(graph, resource, record), overrides=overrides)


def logs_land_in(
    graph: CoverageGraph, resource: Resource, record: Coverage, control: Control | None = None
) -> Filled | None:
    """Where this record's logs land: the concrete destination where the snapshot has one
    (for S3, the folder AWS's documented layout puts them in), else the filled template."""
    control = control or _control(record.control)
    if control is None:
        return None
    ids = identifiers(graph, resource, record)
    dest = parse_destination(record.destination)
    overrides: dict[str, str] = {}
    if dest is not None and dest.kind == "s3" and dest.bucket:
        org = graph.snapshot.scope.organization if organization_trail(record) else None
        location = s3_log_location(record.control, dest, resource, org)
        if location is not None:
            return Filled(location)
        overrides["bucket"] = dest.bucket
        overrides["target-bucket"] = dest.bucket
        overrides["prefix"] = dest.prefix
    return fill(control.logs_land_in, ids, overrides=overrides)


def organization_trail(record: Coverage) -> bool:
    """Whether a CloudTrail record says its logs come from an organization trail."""
    return record.control.startswith("cloudtrail") and "organization trail" in record.evidence


#: Controls whose logs AWS writes under `<prefix>/AWSLogs/<account>/<service>/<region>/`.
_S3_SERVICE_FOLDER: dict[str, str] = {
    "cloudtrail-management-events": "CloudTrail",
    "cloudtrail-s3-data-events": "CloudTrail",
    "cloudtrail-lambda-data-events": "CloudTrail",
    "cloudtrail-dynamodb-data-events": "CloudTrail",
    "cloudtrail-insights": "CloudTrail-Insight",
    "cloudtrail-integrity": "CloudTrail-Digest",
    "config-recorder": "Config",
    "vpc-flow-logs": "vpcflowlogs",
    "tgw-flow-logs": "vpcflowlogs",
    "elb-access-logs": "elasticloadbalancing",
    "alb-connection-logs": "elasticloadbalancing",
    "redshift-audit-logging": "redshift",
}


def s3_log_location(
    control_id: str, dest: Destination, resource: Resource, organization: str | None = None
) -> str | None:
    """The S3 folder holding this resource's logs, from AWS's documented delivery layouts."""
    if dest.bucket is None:
        return None
    base = f"s3://{dest.bucket}/" + (f"{dest.prefix}/" if dest.prefix else "")
    folder = _S3_SERVICE_FOLDER.get(control_id)
    if folder is not None:
        region = resource.region if resource.region != "global" else "us-east-1"
        org = f"{organization}/" if organization and folder.startswith("CloudTrail") else ""
        return f"{base}AWSLogs/{org}{resource.account}/{folder}/{region}/"
    if control_id in ("s3-server-access-logs", "cloudfront-logging", "resolver-query-logs"):
        return base
    return None


# -- time windows ---------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def summary_placeholders(filled: Iterable[Filled | None]) -> list[tuple[str, str]]:
    """Every (placeholder name, why it is left) in several filled texts, first seen first."""
    seen: list[tuple[str, str]] = []
    for item in filled:
        for name in item.unfilled if item else ():
            pair = (name, item.why(name)) if item else (name, why_unfilled(name))
            if pair not in seen:
                seen.append(pair)
    return seen
