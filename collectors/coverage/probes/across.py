"""Cross-layer probes: how long CloudWatch Logs keep what the other layers send them.

`log-retention` is decided per log group from `retentionInDays` (absent = never expire),
read from the inventory when the source listed log groups (the direct-API source and
Config both carry it in `configuration`), else from one paginated `logs:DescribeLogGroups`.
`log-archive-separation` needs every account's destinations at once, so it is decided in
`..runner.resolve_across` after all regions are collected.
"""

from __future__ import annotations

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ..base import ProbeContext
from ..helpers import CALL_ERRORS, describe_log_groups, ensure_resource, log_group_arn
from ..helpers.logs import LOG_GROUP_TYPE as LOG_GROUP
from ..records import offline_capable, record
from ..resolve import resources_of

#: Retention below this many days is `partial` (Prowler's default threshold, CIS 3.x).
MIN_RETENTION_DAYS = 365


def _list_log_groups(ctx: ProbeContext) -> None:
    """Add the region's log groups the inventory lacks (the helpers' one listing, shared
    with the other probes of the region); a failed listing is recorded in `errors`."""
    try:
        groups = describe_log_groups(ctx)
    except CALL_ERRORS as exc:
        ctx.fail(exc, service="logs", operation="DescribeLogGroups")
        return
    for name, group in groups.items():
        ensure_resource(
            ctx,
            arn=log_group_arn(ctx.region, ctx.account, name),
            type_=LOG_GROUP,
            resource_id=name,
            configuration={
                "logGroupName": clean_single_line(name),
                "retentionInDays": group.get("retentionInDays"),
                "kmsKeyId": group.get("kmsKeyId"),
                "storedBytes": group.get("storedBytes"),
            },
        )


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
