"""Log-group and resource helpers every probe module shares.

`describe_log_groups` reads the region's log groups once (from the inventory where its
source listed them completely, else one paginated call kept in `ProbeContext.shared`);
`ensure_resource` adds a resource a probe found that the inventory source lacked.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from snapshot.model import Resource
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext

#: What a probe catches from an AWS call: API errors, transport errors, and moto's
#: NotImplementedError for calls it lacks. Never the read-only guard's WriteRefused.
CALL_ERRORS: tuple[type[BaseException], ...] = (ClientError, BotoCoreError, NotImplementedError)


def log_group_arn(region: str, account: str, name: str) -> str:
    """A log group's ARN as CloudWatch Logs reports it in `logGroupArn` (no `:*`)."""
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def ensure_resource(
    ctx: ProbeContext,
    *,
    arn: str,
    type_: str,
    resource_id: str,
    name: str = "",
    tags: dict[str, str] | None = None,
    configuration: dict[str, Any] | None = None,
    region: str | None = None,
) -> CollectedResource:
    """The inventory's record for `arn`, adding one (cleaned) when the source lacked it."""
    existing = ctx.inventory.resources.get(arn)
    if existing is not None:
        return existing
    item = CollectedResource(
        Resource(
            id=arn,
            type=type_,
            account=ctx.account,
            region=region or ctx.region,
            name=clean_single_line(name or resource_id),
            resource_id=clean_single_line(resource_id),
            tags={
                clean_single_line(str(k)): clean_single_line(str(v))
                for k, v in (tags or {}).items()
            },
            source="api",
        ),
        configuration=configuration or {},
    )
    ctx.inventory.add(item)
    return item


LOG_GROUP_TYPE = "AWS::Logs::LogGroup"
#: Key of the region's log groups in `ProbeContext.shared` (read once, used by several probes).
SHARED_LOG_GROUPS = "logs:DescribeLogGroups"


def describe_log_groups(ctx: ProbeContext) -> dict[str, dict[str, Any]]:
    """Every log group of the region by name; raises CALL_ERRORS.

    From the inventory when its source listed log groups completely (Config-shaped
    `configuration` has the same `logGroupName`/`retentionInDays` keys), else one paginated
    call, kept in `ctx.shared` for the other probes of the region.
    """
    if LOG_GROUP_TYPE in ctx.inventory.types_covered:
        return {
            str(item.configuration.get("logGroupName") or item.resource.resource_id): {
                **item.configuration
            }
            for item in ctx.inventory.of_type(LOG_GROUP_TYPE)
        }
    cached = ctx.shared.get(SHARED_LOG_GROUPS)
    if cached is not None:
        return cached
    groups: dict[str, dict[str, Any]] = {}
    paginator = ctx.client("logs").get_paginator("describe_log_groups")
    for page in paginator.paginate():
        for group in page.get("logGroups", []):
            groups[group["logGroupName"]] = group
    ctx.shared[SHARED_LOG_GROUPS] = groups
    return groups


def retention_note(group: dict[str, Any] | None) -> str | None:
    if group is None:
        return None
    days = group.get("retentionInDays")
    return f"retention {days} days" if days else "retention never expires"
