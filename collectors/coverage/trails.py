"""CloudTrail as data: which trails cover a region, and what their event selectors select.

Used by the account probe for management, S3/Lambda/DynamoDB data and Insights events. The
selector logic follows the CloudTrail API reference for `EventSelector`/`DataResource`
(basic selectors: `arn:aws:s3` or `arn:aws:s3:::` for every bucket, `arn:aws:s3:::bucket/`
for a bucket, `arn:aws:s3:::bucket/prefix` for a prefix; `arn:aws:lambda` /
`arn:aws:dynamodb` for every function / table, else one ARN) and `AdvancedFieldSelector`
(`eventCategory`, `resources.type`, `resources.ARN` with Equals/StartsWith/EndsWith and
their negations, `readOnly`; other fields such as `eventName` narrow a selector to part of
the events). Trail facts are read once per account and trail (`AccountFacts`, kind
`TRAIL_FACT`) and reused by every region, since a multi-region trail shows up in all of them
(shadow trails). Where the trail's AWS Config item holds a fact (`item_facts`: `IsLogging`,
the selectors, or `hasCustomEventSelectors` / `hasInsightSelectors` = false, i.e. AWS's
default selectors and no Insights), it is read from the item, whatever credential the run
has; only the facts the item lacks are calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from snapshot.model import GLOBAL_REGION

from ..aws.errors import error_code
from ..inventory.api.cloudtrail import LISTING
from ..inventory.base import CollectedResource
from .base import ProbeContext
from .items import from_config, has, item_operation, lookup, pascal


class Scope(IntEnum):
    """How much of a resource's events a selector selects."""

    none = 0
    part = 1
    all = 2


@dataclass
class TrailFacts:
    """One trail: its DescribeTrails item plus status, selectors and insight selectors."""

    trail: dict[str, Any]
    is_logging: bool | None = None
    status: dict[str, Any] = field(default_factory=dict)
    basic: list[dict[str, Any]] = field(default_factory=list)
    advanced: list[dict[str, Any]] = field(default_factory=list)
    insight_types: list[str] = field(default_factory=list)
    #: Error codes of the calls that failed, by operation name.
    failed: dict[str, str] = field(default_factory=dict)
    #: The reads (operation names) whose facts came from the trail's AWS Config item.
    from_item: set[str] = field(default_factory=set)

    def read_by(self, operation: str) -> str:
        """How a record names the source of a fact: the call, or the item's field."""
        if operation in self.from_item:
            return item_operation("AWS::CloudTrail::Trail", _ITEM_FIELDS[operation])
        return f"cloudtrail:{operation}"

    @property
    def arn(self) -> str:
        return str(self.trail.get("TrailARN") or self.trail.get("Name") or "")

    @property
    def name(self) -> str:
        return str(self.trail.get("Name") or self.arn)

    @property
    def home_region(self) -> str:
        return str(self.trail.get("HomeRegion") or "")

    @property
    def multi_region(self) -> bool:
        return bool(self.trail.get("IsMultiRegionTrail"))

    @property
    def organization(self) -> bool:
        return bool(self.trail.get("IsOrganizationTrail"))

    @property
    def selectors_known(self) -> bool:
        return "GetEventSelectors" not in self.failed

    def covers(self, region: str) -> bool:
        if region == GLOBAL_REGION:
            return bool(self.trail.get("IncludeGlobalServiceEvents", True)) and (
                self.multi_region or self.home_region == "us-east-1"
            )
        return self.multi_region or self.home_region == region

    @property
    def destination(self) -> str | None:
        bucket = self.trail.get("S3BucketName")
        if bucket:
            prefix = self.trail.get("S3KeyPrefix")
            return f"arn:aws:s3:::{bucket}/{prefix}" if prefix else f"arn:aws:s3:::{bucket}"
        return self.trail.get("CloudWatchLogsLogGroupArn")

    def describe(self) -> str:
        kind = "organization trail" if self.organization else "trail"
        where = "multi-region" if self.multi_region else f"single-region {self.home_region}"
        return f"{kind} {self.name} ({where})"


#: The `AccountFacts` kind of a trail's facts, read once for the account's every region.
TRAIL_FACT = "cloudtrail:trail"
#: What `TrailFacts.failed` says of a fact its item lacks (the call is not made from items).
NOT_IN_ITEM = "NoCredential"
#: The per-trail reads, by operation name.
_CALLS = ("GetTrailStatus", "GetEventSelectors", "GetInsightSelectors")
#: The item fields that stand for each read.
_ITEM_FIELDS = {
    "GetTrailStatus": "IsLogging",
    "GetEventSelectors": "EventSelectors",
    "GetInsightSelectors": "InsightSelectors",
}
#: The selectors a trail has when it has no custom ones (AWS's default).
DEFAULT_SELECTORS = [{"ReadWriteType": "All", "IncludeManagementEvents": True}]

#: Describe-shape trail fields and their CloudFormation-shape spellings.
_TRAIL_FIELDS = {
    "Name": ("name", "TrailName"),
    "TrailARN": ("trailARN", "Arn"),
    "HomeRegion": ("homeRegion",),
    "IsMultiRegionTrail": ("isMultiRegionTrail",),
    "IncludeGlobalServiceEvents": ("includeGlobalServiceEvents",),
    "IsOrganizationTrail": ("isOrganizationTrail",),
    "LogFileValidationEnabled": ("logFileValidationEnabled", "EnableLogFileValidation"),
    "KmsKeyId": ("kmsKeyId", "KMSKeyId"),
    "S3BucketName": ("s3BucketName",),
    "S3KeyPrefix": ("s3KeyPrefix",),
    "CloudWatchLogsLogGroupArn": ("cloudWatchLogsLogGroupArn",),
}


def item_facts(item: CollectedResource) -> TrailFacts:
    """A trail's AWS Config item as facts; those it does not hold are marked failed
    (`NOT_IN_ITEM`), naming the call that reads them."""
    config = item.configuration
    trail: dict[str, Any] = {}
    for key, spellings in _TRAIL_FIELDS.items():
        found = (lookup(config, spelling) for spelling in spellings)
        value = next((v for v in found if v is not None), None)
        if value is not None:
            trail[key] = value
    trail.setdefault("Name", item.resource.name or item.resource.resource_id)
    trail["TrailARN"] = item.id if item.id.startswith("arn:") else trail.get("TrailARN", item.id)
    trail.setdefault("HomeRegion", item.resource.region)
    facts = TrailFacts(trail=trail)
    logging = lookup(config, "IsLogging")
    if isinstance(logging, bool):
        facts.is_logging = logging
    else:
        facts.failed["GetTrailStatus"] = NOT_IN_ITEM
    if has(config, "EventSelectors") or has(config, "AdvancedEventSelectors"):
        facts.basic = pascal(lookup(config, "EventSelectors") or [])
        facts.advanced = pascal(lookup(config, "AdvancedEventSelectors") or [])
    elif lookup(config, "hasCustomEventSelectors") is False:
        facts.basic = [dict(s) for s in DEFAULT_SELECTORS]
    else:
        facts.failed["GetEventSelectors"] = NOT_IN_ITEM
    if has(config, "InsightSelectors"):
        facts.insight_types = sorted(
            {str(lookup(s, "InsightType")) for s in lookup(config, "InsightSelectors") or []}
        )
    elif lookup(config, "hasInsightSelectors") is not False:
        facts.failed["GetInsightSelectors"] = NOT_IN_ITEM
    return facts


def _trail_item(ctx: ProbeContext, key: str) -> TrailFacts | None:
    """The facts the trail's AWS Config item holds, if the inventory has Config's item."""
    item = ctx.inventory.resources.get(key) or ctx.inventory.account_items.get(key)
    if item is None or not from_config(ctx.aws, item):
        return None
    return item_facts(item)


def _facts(ctx: ProbeContext, trail: dict[str, Any]) -> TrailFacts:
    """Status, selectors and insight selectors of a trail: from its AWS Config item where
    it holds them, else read in the trail's home region."""
    key = str(trail.get("TrailARN") or trail.get("Name"))
    cached = ctx.facts.recall(TRAIL_FACT, key)
    if cached is not None:
        return cached
    facts = TrailFacts(trail=trail)
    held = _trail_item(ctx, key)
    if held is not None:
        facts.is_logging = held.is_logging
        facts.basic, facts.advanced = held.basic, held.advanced
        facts.insight_types = held.insight_types
        facts.from_item = {op for op in _CALLS if op not in held.failed}
    ask = set(held.failed) if held is not None else set(_CALLS)
    client: Any = ctx.client("cloudtrail", facts.home_region or ctx.region) if ask else None
    if "GetTrailStatus" in ask:
        try:
            facts.status = client.get_trail_status(Name=key)
            facts.is_logging = bool(facts.status.get("IsLogging"))
        except Exception as exc:
            facts.failed["GetTrailStatus"] = _failed(ctx, exc, "GetTrailStatus")
    if "GetEventSelectors" in ask:
        try:
            selectors = client.get_event_selectors(TrailName=key)
            facts.basic = selectors.get("EventSelectors") or []
            facts.advanced = selectors.get("AdvancedEventSelectors") or []
        except Exception as exc:
            facts.failed["GetEventSelectors"] = _failed(ctx, exc, "GetEventSelectors")
    if "GetInsightSelectors" in ask:
        try:
            insights = client.get_insight_selectors(TrailName=key)
            facts.insight_types = sorted(
                {
                    s["InsightType"]
                    for s in insights.get("InsightSelectors") or []
                    if "InsightType" in s
                }
            )
        except Exception as exc:
            if error_code(exc) != "InsightNotEnabledException":  # AWS's "no insight selectors"
                facts.failed["GetInsightSelectors"] = _failed(ctx, exc, "GetInsightSelectors")
    ctx.facts.remember(TRAIL_FACT, key, facts)
    return facts


def _failed(ctx: ProbeContext, exc: BaseException, operation: str) -> str:
    return ctx.fail(exc, service="cloudtrail", operation=operation).code


def trails_covering(ctx: ProbeContext, region: str) -> list[TrailFacts]:
    """Every trail that records events of `region` (raises when DescribeTrails fails).

    `includeShadowTrails` returns multi-region trails homed elsewhere and, on AWS, the
    organization trail in member accounts, so one call per region finds them all (the
    direct-API inventory hands over the response when it listed the region's trails).
    """
    api_region = "us-east-1" if region == GLOBAL_REGION else region
    # The direct-API inventory of this account-region may have made the same call already.
    response = ctx.facts.take(LISTING, api_region)
    if response is None:
        client = ctx.client("cloudtrail", api_region)
        response = client.describe_trails(includeShadowTrails=True)
    trails = response.get("trailList") or []
    return [facts for facts in (_facts(ctx, t) for t in trails) if facts.covers(region)]


# --- management events ----------------------------------------------------------------


def _field(selector: dict[str, Any], name: str) -> dict[str, Any] | None:
    for field_selector in selector.get("FieldSelectors") or []:
        if field_selector.get("Field") == name:
            return field_selector
    return None


def _read_write(selector: dict[str, Any]) -> set[str]:
    """Which of read / write events an advanced selector's `readOnly` field keeps."""
    read_only = _field(selector, "readOnly")
    if read_only is None:
        return {"read", "write"}
    equals = {str(v).lower() for v in read_only.get("Equals") or []}
    not_equals = {str(v).lower() for v in read_only.get("NotEquals") or []}
    kept = {"read", "write"}
    if equals:
        kept = {"read" if v == "true" else "write" for v in equals}
    if "true" in not_equals:
        kept.discard("read")
    if "false" in not_equals:
        kept.discard("write")
    return kept


def _basic_read_write(selector: dict[str, Any]) -> set[str]:
    return {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}.get(
        str(selector.get("ReadWriteType") or "All"), {"read", "write"}
    )


def management_events(facts: TrailFacts) -> tuple[set[str], list[str]]:
    """Which management events (read, write) a trail records, and notes on exclusions."""
    notes: list[str] = []
    if not facts.basic and not facts.advanced:
        notes.append(f"{facts.name}: no event selectors returned (AWS default: all management)")
        return {"read", "write"}, notes
    kept: set[str] = set()
    for selector in facts.basic:
        if selector.get("IncludeManagementEvents", True):
            kept |= _basic_read_write(selector)
            for source in selector.get("ExcludeManagementEventSources") or []:
                notes.append(f"{facts.name}: excludes management events of {source}")
    for selector in facts.advanced:
        category = _field(selector, "eventCategory")
        if category is None or "Management" not in (category.get("Equals") or []):
            continue
        kept |= _read_write(selector)
        source = _field(selector, "eventSource")
        if source is not None and source.get("NotEquals"):
            notes.append(
                f"{facts.name}: excludes management events of {', '.join(source['NotEquals'])}"
            )
    return kept, notes


# --- data events ------------------------------------------------------------------------


@dataclass(frozen=True)
class DataKind:
    """A data-event resource type: its selector type and how its ARNs are matched."""

    selector_type: str  # AWS::S3::Object
    service: str  # s3, lambda, dynamodb (the "select every resource" value's service)
    object_level: bool  # selector ARNs name objects inside the resource (S3)


S3_OBJECTS = DataKind("AWS::S3::Object", "s3", True)
LAMBDA_FUNCTIONS = DataKind("AWS::Lambda::Function", "lambda", False)
DYNAMODB_TABLES = DataKind("AWS::DynamoDB::Table", "dynamodb", False)


def resource_prefix(kind: DataKind, resource_arn: str) -> str:
    """The ARN prefix of every event of one resource: `arn:aws:s3:::bucket/` or the ARN."""
    return resource_arn.rstrip("/") + "/" if kind.object_level else resource_arn


def _is_every_resource(kind: DataKind, value: str) -> bool:
    parts = value.rstrip("/").split(":")
    return (
        len(parts) >= 3
        and parts[0] == "arn"
        and parts[2] == kind.service
        and not any(p for p in parts[3:] if p != "*/*")
    )


def _positive(kind: DataKind, operator: str, value: str, prefix: str) -> Scope:
    """How much of the resource an Equals/StartsWith/EndsWith value selects."""
    if _is_every_resource(kind, value):
        return Scope.all
    if kind.object_level:  # values name objects: arn:aws:s3:::bucket/key
        if operator == "StartsWith":
            if prefix.startswith(value):
                return Scope.all
            return Scope.part if value.startswith(prefix) else Scope.none
        if operator == "Equals":
            return Scope.part if value.startswith(prefix) else Scope.none
        return Scope.part if operator == "EndsWith" else Scope.none
    if operator == "Equals":
        if value == prefix:
            return Scope.all
        return Scope.part if value.startswith(prefix + ":") else Scope.none  # one version
    if operator == "StartsWith":
        if prefix.startswith(value):
            return Scope.all
        return Scope.part if value.startswith(prefix + ":") else Scope.none
    if operator == "EndsWith":
        return Scope.all if prefix.endswith(value) else Scope.none
    return Scope.none


def _negative(kind: DataKind, operator: str, value: str, prefix: str) -> Scope:
    """How much of the resource a NotEquals/NotStartsWith/NotEndsWith value leaves."""
    if _is_every_resource(kind, value):
        return Scope.none
    if operator == "NotStartsWith" and prefix.startswith(value):
        return Scope.none
    if kind.object_level:
        if operator == "NotEndsWith":
            return Scope.part
        return Scope.part if value.startswith(prefix) else Scope.all
    if operator == "NotEquals" and value == prefix:
        return Scope.none
    if operator == "NotEndsWith" and prefix.endswith(value):
        return Scope.none
    return Scope.part if value.startswith(prefix + ":") else Scope.all


def _arn_scope(kind: DataKind, arn_field: dict[str, Any] | None, prefix: str) -> Scope:
    if arn_field is None:
        return Scope.all
    positives = [
        _positive(kind, op, str(v), prefix)
        for op in ("Equals", "StartsWith", "EndsWith")
        for v in arn_field.get(op) or []
    ]
    scope = max(positives) if positives else Scope.all
    for op in ("NotEquals", "NotStartsWith", "NotEndsWith"):
        for value in arn_field.get(op) or []:
            scope = min(scope, _negative(kind, op, str(value), prefix))
    return scope


_KNOWN_FIELDS = {"eventCategory", "resources.type", "resources.ARN", "readOnly"}


def data_events(
    facts: TrailFacts, kind: DataKind, resource_arn: str
) -> tuple[dict[str, Scope], list[str]]:
    """How much of one resource's read and write data events a trail's selectors select."""
    prefix = resource_prefix(kind, resource_arn)
    result = {"read": Scope.none, "write": Scope.none}
    matched: list[str] = []
    for selector in facts.basic:
        for data in selector.get("DataResources") or []:
            if data.get("Type") != kind.selector_type:
                continue
            scope = max(
                (
                    _positive(kind, "StartsWith" if kind.object_level else "Equals", str(v), prefix)
                    for v in data.get("Values") or []
                ),
                default=Scope.none,
            )
            if scope is Scope.none:
                continue
            for rw in _basic_read_write(selector):
                result[rw] = max(result[rw], scope)
            values = ", ".join(str(v) for v in data.get("Values") or [])
            matched.append(
                f"{facts.name} DataResources {kind.selector_type} [{values}] "
                f"ReadWriteType={selector.get('ReadWriteType', 'All')}"
            )
    for selector in facts.advanced:
        category = _field(selector, "eventCategory")
        rtype = _field(selector, "resources.type")
        if category is None or "Data" not in (category.get("Equals") or []):
            continue
        if rtype is None or kind.selector_type not in (rtype.get("Equals") or []):
            continue
        scope = _arn_scope(kind, _field(selector, "resources.ARN"), prefix)
        narrowing = [
            str(f.get("Field"))
            for f in selector.get("FieldSelectors") or []
            if f.get("Field") not in _KNOWN_FIELDS
        ]
        if narrowing and scope is Scope.all:
            scope = Scope.part
        if scope is Scope.none:
            continue
        kept = _read_write(selector)
        for rw in kept:
            result[rw] = max(result[rw], scope)
        label = selector.get("Name") or "advanced selector"
        extra = f", filtered on {', '.join(narrowing)}" if narrowing else ""
        matched.append(
            f"{facts.name} advanced '{label}' {kind.selector_type} "
            f"({'+'.join(sorted(kept))}, {scope.name}{extra})"
        )
    return result, matched
