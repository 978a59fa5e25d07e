"""CloudWatch Logs log groups (retention and KMS are in `configuration`).

Config's ARN for a log group has no `:*` suffix (`logGroupArn`, not `arn`).
"""

from __future__ import annotations

from typing import Any

from ._common import ApiRegion, arn
from ._family import add_described, each_listed

LOG_GROUP = "AWS::Logs::LogGroup"
TYPES = (LOG_GROUP,)
GLOBAL = False


def log_group_arn(ctx: ApiRegion, group: dict) -> str:
    if group.get("logGroupArn"):
        return group["logGroupArn"]
    if group.get("arn"):
        return str(group["arn"]).removesuffix(":*")
    return arn("logs", ctx.region, ctx.account, f"log-group:{group['logGroupName']}")


def collect(ctx: ApiRegion) -> None:
    def add_group(_client: Any, group: dict) -> None:
        add_described(ctx, LOG_GROUP, log_group_arn(ctx, group), group, "logGroupName")

    listing = ("DescribeLogGroups", "describe_log_groups", "logGroups")
    each_listed(ctx, "logs", listing, LOG_GROUP, add_group)
