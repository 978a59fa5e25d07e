"""CloudWatch Logs log groups (retention and KMS are in `configuration`).

Config's ARN for a log group has no `:*` suffix (`logGroupArn`, not `arn`).
"""

from __future__ import annotations

from ._common import ApiRegion, arn, paginate, to_config_shape

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
    client = ctx.client("logs")
    with ctx.listing("logs", "DescribeLogGroups", LOG_GROUP):
        for group in paginate(client, "describe_log_groups", "logGroups"):
            ctx.add(
                LOG_GROUP,
                log_group_arn(ctx, group),
                resource_id=group["logGroupName"],
                name=group["logGroupName"],
                configuration=to_config_shape(group),
            )
