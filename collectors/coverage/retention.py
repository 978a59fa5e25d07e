"""How long each destination keeps the logs sent to it: `Coverage.retention_days`.

An incident responder needs to know not only that a source logs, but whether its logs
still hold last month's window. This post-pass runs once per account-region, after the
probes, over every coverage record that names a destination:

- a CloudWatch Logs group of this account and region: `retentionInDays` (absent = never
  expires, stored as 0), from the inventory where the source or the `log-retention` probe
  listed the group, or from the region's listing a probe already read (`ctx.shared`), else
  from `logs:DescribeLogGroups` with `logGroupIdentifiers` (50 names a call, paginated);
- an S3 bucket of this account and region (one the inventory holds, so its owner and
  region are known): the lifecycle rules from the bucket's AWS Config item where it holds
  them (`supplementaryConfiguration.BucketLifecycleConfiguration`, whatever credential the
  run has), else from `s3:GetBucketLifecycleConfiguration`, one call per bucket. The
  shortest `Expiration.Days` of the enabled rules whose filter matches the logs' key
  prefix is the retention; `NoSuchLifecycleConfiguration`, or no such rule,
  means the logs never expire (0). Rules filtered on object tags are skipped: AWS's log
  deliveries do not tag objects. A rule expiring at a fixed `Date` leaves retention unknown.

Whatever cannot be read leaves `retention_days` null (never guessed) and adds an `errors`
entry; destinations in other accounts (a central log-archive bucket) are answered by the
pass of the account that owns them, and the incident plan joins them by destination.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from snapshot.model import Coverage, Status
from snapshot.queries import Destination, parse_destination, s3_log_location

from ..aws.errors import error_code
from ..inventory.base import CollectedResource
from .base import ProbeContext
from .helpers.logs import LOG_GROUP_TYPE, SHARED_LOG_GROUPS
from .items import from_config, lookup, pascal, supplementary

BUCKET = "AWS::S3::Bucket"
#: `logGroupIdentifiers` takes at most this many names a call.
IDENTIFIERS_PER_CALL = 50
NO_LIFECYCLE = "NoSuchLifecycleConfiguration"


def _logging_records(ctx: ProbeContext) -> Iterable[tuple[str, Coverage, Destination]]:
    for resource_id, records in ctx.coverage.items():
        for record in records:
            if record.status not in (Status.logged, Status.partial) or not record.destination:
                continue
            dest = parse_destination(record.destination)
            if dest is not None:
                yield resource_id, record, dest


def _days(value: Any) -> int | None:
    """`retentionInDays` as stored: 0 when absent (never expires), None when unreadable."""
    if value is None:
        return 0
    try:
        days = int(value)
    except (TypeError, ValueError):
        return None
    return days if days > 0 else None


def _known_log_groups(ctx: ProbeContext) -> dict[str, int | None]:
    """Retention of the groups already read: the inventory's, and those a probe listed
    (`describe_log_groups` keeps the region's listing in `ctx.shared`)."""
    groups: dict[str, int | None] = {
        name: _days(group.get("retentionInDays"))
        for name, group in (ctx.shared.get(SHARED_LOG_GROUPS) or {}).items()
    }
    for item in ctx.inventory.of_type(LOG_GROUP_TYPE):
        config = item.configuration or {}
        name = item.resource.resource_id or item.resource.name
        if name:
            groups[name] = _days(config.get("retentionInDays", config.get("RetentionInDays")))
    return groups


def _describe_log_groups(ctx: ProbeContext, names: list[str]) -> dict[str, int | None] | None:
    """Retention of named groups, 50 a call; None when the calls failed (error recorded)."""
    found: dict[str, int | None] = {}
    wanted = set(names)
    try:
        paginator = ctx.client("logs").get_paginator("describe_log_groups")
        for start in range(0, len(names), IDENTIFIERS_PER_CALL):
            batch = names[start : start + IDENTIFIERS_PER_CALL]
            for page in paginator.paginate(logGroupIdentifiers=batch):
                for group in page.get("logGroups") or []:
                    name = group.get("logGroupName")
                    if name in wanted:  # an answer naming other groups is not trusted
                        found[name] = _days(group.get("retentionInDays"))
    except Exception as exc:
        ctx.fail(exc, service="logs", operation="DescribeLogGroups")
        return None
    return found


def _rule_applies(rule: dict[str, Any], key_prefix: str) -> bool:
    """Whether an enabled lifecycle rule's filter selects objects under `key_prefix`."""
    if rule.get("Status") != "Enabled":
        return False
    prefix = rule.get("Prefix")  # the legacy top-level prefix
    rule_filter = rule.get("Filter")
    if rule_filter is not None:
        conditions = rule_filter.get("And", rule_filter)
        if conditions.get("Tag") or conditions.get("Tags"):
            return False  # log deliveries carry no object tags
        prefix = conditions.get("Prefix", prefix)
    return not prefix or key_prefix.startswith(prefix)


def lifecycle_retention(rules: list[dict[str, Any]], key_prefix: str) -> int | None:
    """Days objects under `key_prefix` live: the shortest matching expiration; 0 = never;
    None when a matching rule expires objects at a fixed date (not a number of days)."""
    days: list[int] = []
    for rule in rules:
        if not _rule_applies(rule, key_prefix):
            continue
        expiration = rule.get("Expiration") or {}
        if expiration.get("Days"):
            days.append(int(expiration["Days"]))
        elif expiration.get("Date"):
            return None
    return min(days) if days else 0


def _bucket_rules(ctx: ProbeContext, bucket: str, region: str) -> list[dict[str, Any]] | None:
    """The bucket's lifecycle rules ([] without a configuration); None when unreadable."""
    try:
        answer = ctx.client("s3", region).get_bucket_lifecycle_configuration(Bucket=bucket)
    except Exception as exc:
        if error_code(exc) == NO_LIFECYCLE:
            return []
        ctx.fail(exc, service="s3", operation="GetBucketLifecycleConfiguration")
        return None
    return list(answer.get("Rules") or [])


def _item_filter(predicate: Mapping[str, Any]) -> dict[str, Any]:
    """A lifecycle filter predicate of a Config item as the API's `Filter`."""
    kind = lookup(predicate, "type")
    if kind == "LifecyclePrefixPredicate":
        return {"Prefix": str(lookup(predicate, "prefix") or "")}
    if kind == "LifecycleTagPredicate":
        return {"Tag": pascal(lookup(predicate, "tag") or {})}
    if kind != "LifecycleAndOperator":
        return {}  # object-size predicates: every log object may match
    conditions: dict[str, Any] = {}
    for operand in lookup(predicate, "operands") or []:
        part = _item_filter(operand) if isinstance(operand, Mapping) else {}
        if "Prefix" in part:
            conditions["Prefix"] = part["Prefix"]
        if "Tag" in part:
            conditions.setdefault("Tags", []).append(part["Tag"])
    return {"And": conditions}


def _item_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A lifecycle rule of a Config item (the SDK object's shape) in the API's shape."""
    api: dict[str, Any] = {"Status": str(lookup(rule, "status") or "")}
    if lookup(rule, "prefix") is not None:
        api["Prefix"] = str(lookup(rule, "prefix"))
    predicate = lookup(rule, "filter", "predicate")
    if isinstance(predicate, Mapping):
        api["Filter"] = _item_filter(predicate)
    days = lookup(rule, "expirationInDays")
    if isinstance(days, int) and days > 0:  # the SDK writes -1 for "no expiration in days"
        api["Expiration"] = {"Days": days}
    elif lookup(rule, "expirationDate"):
        api["Expiration"] = {"Date": lookup(rule, "expirationDate")}
    return api


def item_lifecycle_rules(aws: Any, item: CollectedResource) -> list[dict[str, Any]] | None:
    """The bucket's lifecycle rules from its AWS Config item, in the API's shape; None when
    the item is not Config's or does not hold them (the call decides)."""
    if not from_config(aws, item):
        return None
    config = supplementary(item, "BucketLifecycleConfiguration")
    rules = lookup(config, "rules") if isinstance(config, Mapping) else None
    if not isinstance(rules, list):
        return None
    return [_item_rule(rule) for rule in rules if isinstance(rule, Mapping)]


def collect_retention(ctx: ProbeContext) -> None:
    """Set `retention_days` on this account-region's records whose destination it owns."""
    records = list(_logging_records(ctx))
    if not records:
        return
    _log_groups(ctx, records)
    _buckets(ctx, records)


def _log_groups(ctx: ProbeContext, records: list[tuple[str, Coverage, Destination]]) -> None:
    local = [
        (record, dest)
        for _, record, dest in records
        if dest.kind == "logs"
        and dest.log_group
        and dest.account == ctx.account
        and dest.region == ctx.region
    ]
    if not local:
        return
    known = _known_log_groups(ctx)
    missing = sorted(
        {dest.log_group for _, dest in local if dest.log_group and dest.log_group not in known}
    )
    if missing and ctx.aws is not None:
        answered = _describe_log_groups(ctx, missing)
        if answered is not None:
            known.update(answered)
    for record, dest in local:
        days = known.get(dest.log_group or "")
        if days is not None:
            record.retention_days = days


def _buckets(ctx: ProbeContext, records: list[tuple[str, Coverage, Destination]]) -> None:
    held = {
        item.resource.name or item.resource.resource_id: item
        for item in ctx.inventory.of_type(BUCKET)
        if item.resource.account == ctx.account
    }
    by_bucket: dict[str, list[tuple[str, Coverage, Destination]]] = defaultdict(list)
    for resource_id, record, dest in records:
        if dest.kind == "s3" and dest.bucket and dest.bucket in held:
            by_bucket[dest.bucket].append((resource_id, record, dest))
    for bucket, uses in sorted(by_bucket.items()):
        rules = item_lifecycle_rules(ctx.aws, held[bucket])
        if rules is None and ctx.aws is not None:
            rules = _bucket_rules(ctx, bucket, held[bucket].resource.region or ctx.region)
        if rules is None:
            continue
        for resource_id, record, dest in uses:
            item = ctx.inventory.resources.get(resource_id)
            resource = item.resource if item is not None else None
            key_prefix = dest.prefix
            if resource is not None:
                location = s3_log_location(record.control, dest, resource)
                if location:
                    key_prefix = location[len(f"s3://{bucket}/") :]
            days = lifecycle_retention(rules, key_prefix)
            if days is not None:
                record.retention_days = days
