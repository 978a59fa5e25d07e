"""Cross-layer probes: how long CloudWatch Logs keep what the other layers send them.

`log-retention` is decided per log group from `retentionInDays` (absent = never expire),
read from the inventory when the source listed log groups (the direct-API source and
Config both carry it in `configuration`), else from one paginated `logs:DescribeLogGroups`.
`log-archive-separation` needs every account's destinations at once, so it is decided in
`..runner.resolve_across` after all regions are collected.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Resource, Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..records import offline_capable, record
from ..resolve import resources_of

LOG_GROUP = "AWS::Logs::LogGroup"
#: Retention below this many days is `partial` (Prowler's default threshold, CIS 3.x).
MIN_RETENTION_DAYS = 365


def log_group_arn(group: dict[str, Any], account: str, region: str) -> str:
    """Config's id for a log group: `logGroupArn`, i.e. the ARN without the `:*` suffix."""
    if group.get("logGroupArn"):
        return str(group["logGroupArn"])
    if group.get("arn"):
        return str(group["arn"]).removesuffix(":*")
    return f"arn:aws:logs:{region}:{account}:log-group:{group['logGroupName']}"


def _list_log_groups(ctx: ProbeContext) -> bool:
    """Add the region's log groups to the inventory; False when the call failed."""
    try:
        paginator = ctx.client("logs").get_paginator("describe_log_groups")
        groups = [g for page in paginator.paginate() for g in page.get("logGroups") or []]
    except Exception as exc:
        ctx.fail(exc, service="logs", operation="DescribeLogGroups")
        return False
    for group in groups:
        name = clean_single_line(str(group.get("logGroupName", "")))
        ctx.inventory.add(
            CollectedResource(
                Resource(
                    id=log_group_arn(group, ctx.account, ctx.region),
                    type=LOG_GROUP,
                    account=ctx.account,
                    region=ctx.region,
                    name=name,
                    resource_id=name,
                    source="api",
                ),
                configuration={
                    "logGroupName": name,
                    "retentionInDays": group.get("retentionInDays"),
                    "kmsKeyId": group.get("kmsKeyId"),
                    "storedBytes": group.get("storedBytes"),
                },
            )
        )
    return True


@offline_capable
def probe_log_retention(ctx: ProbeContext) -> None:
    """Retention of every log group (decides offline too, from the inventory)."""
    if LOG_GROUP not in ctx.inventory.types_covered and ctx.aws is not None:
        _list_log_groups(ctx)
    for item in resources_of(ctx.inventory, [LOG_GROUP]):
        config = item.configuration or {}
        days = config.get("retentionInDays", config.get("RetentionInDays"))
        name = item.resource.resource_id or item.resource.name
        notes = [] if config.get("kmsKeyId") else ["not encrypted with a KMS key (kmsKeyId)"]
        if days is None:
            status = Status.logged
            evidence = f"logs:DescribeLogGroups: {name} retentionInDays not set (never expire)"
        elif int(days) >= MIN_RETENTION_DAYS:
            status = Status.logged
            evidence = f"logs:DescribeLogGroups: {name} retentionInDays={days}"
        else:
            status = Status.partial
            evidence = (
                f"logs:DescribeLogGroups: {name} retentionInDays={days} "
                f"(< {MIN_RETENTION_DAYS} days)"
            )
        record(
            ctx,
            item.id,
            "log-retention",
            status,
            evidence,
            destination=item.id,
            operation="logs:DescribeLogGroups",
            notes=notes,
        )


PROBES = (probe_log_retention,)
