"""DynamoDB tables (data events for them come from CloudTrail; see the account probes)."""

from __future__ import annotations

from typing import Any

from ._common import ApiRegion, arn
from ._family import add_described, each_listed

TABLE = "AWS::DynamoDB::Table"
TYPES = (TABLE,)
GLOBAL = False


def collect(ctx: ApiRegion) -> None:
    def add_table(client: Any, name: str) -> None:
        table: dict = {"TableName": name}  # kept, named, when DescribeTable fails
        with ctx.detail("dynamodb", "DescribeTable"):
            table = client.describe_table(TableName=name)["Table"]
        tid = table.get("TableArn") or arn("dynamodb", ctx.region, ctx.account, f"table/{name}")
        add_described(ctx, TABLE, tid, table, "TableName")

    each_listed(ctx, "dynamodb", ("ListTables", "list_tables", "TableNames"), TABLE, add_table)
