"""DynamoDB tables (data events for them come from CloudTrail; see the account probes)."""

from __future__ import annotations

from ._common import ApiRegion, arn, paginate, to_config_shape

TABLE = "AWS::DynamoDB::Table"
TYPES = (TABLE,)
GLOBAL = False


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("dynamodb")
    with ctx.listing("dynamodb", "ListTables", TABLE):
        for name in paginate(client, "list_tables", "TableNames"):
            table: dict = {"TableName": name}
            with ctx.detail("dynamodb", "DescribeTable"):
                table = client.describe_table(TableName=name)["Table"]
            ctx.add(
                TABLE,
                table.get("TableArn") or arn("dynamodb", ctx.region, ctx.account, f"table/{name}"),
                resource_id=name,
                name=name,
                configuration=to_config_shape(table),
            )
