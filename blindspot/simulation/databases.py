"""Databases of the demo organization: RDS instances with and without log exports, DynamoDB.

Planned coverage (database layer): `prod-orders-db` (PostgreSQL) exports `postgresql` and
`upgrade` logs to CloudWatch Logs; `prod-reporting-db` (MySQL) exports only `error`
(partial: no audit, general or slow-query log); `dev-orders-db` exports nothing.
The DynamoDB table `prod-orders` backs the orders API.
"""

from __future__ import annotations

from functools import partial

from .accounts import BuildContext, SimAccount, record_planned
from .naming import tag_list, tags
from .network import Vpc

#: The planned log exports of an RDS instance.
_record_rds = partial(
    record_planned,
    resource_type="AWS::RDS::DBInstance",
    control="rds-log-exports",
    layer="database",
)


def _subnet_group(account: SimAccount, region: str, vpc: Vpc, name: str, prefix: str) -> str:
    account.client("rds", region).create_db_subnet_group(
        DBSubnetGroupName=name,
        DBSubnetGroupDescription=f"data subnets of {vpc.name}",
        SubnetIds=vpc.subnet_ids(prefix),
    )
    return name


def create_db(
    account: SimAccount,
    region: str,
    name: str,
    engine: str,
    subnet_group: str,
    security_group: str,
    exports: list[str],
    tag_values: dict[str, str],
) -> str:
    """An RDS instance; returns its ARN."""
    return account.client("rds", region).create_db_instance(
        DBInstanceIdentifier=name,
        Engine=engine,
        DBInstanceClass="db.t4g.medium",
        AllocatedStorage=100,
        MasterUsername="app_admin",
        MasterUserPassword="not-a-real-password-0",
        DBSubnetGroupName=subnet_group,
        VpcSecurityGroupIds=[security_group],
        StorageEncrypted=True,
        EnableCloudwatchLogsExports=exports,
        Tags=tag_list(tag_values),
    )["DBInstance"]["DBInstanceArn"]


def build_databases(ctx: BuildContext, vpcs: dict[tuple[str, str], Vpc]) -> None:
    prod = ctx.account("production")
    dev = ctx.account("development")
    east = ctx.regions[0]
    vpc = vpcs[("production", east)]
    group = _subnet_group(prod, east, vpc, "prod-data", "prod-data")
    sg = vpc.security_groups["prod-data-sg"]
    plans = (
        (prod, "prod-orders-db", "postgres", ["postgresql", "upgrade"], "payments", "logged"),
        (prod, "prod-reporting-db", "mysql", ["error"], "data", "partial"),
    )
    for account, name, engine, exports, team, state in plans:
        arn = create_db(
            account,
            east,
            name,
            engine,
            group,
            sg,
            exports,
            tags("production", team, "cc-1042", name),
        )
        _record_rds(
            ctx, account, east, resource_id=name, arn=arn, state=state, detail=",".join(exports)
        )
    dev_vpc = vpcs[("development", east)]
    dev_group = _subnet_group(dev, east, dev_vpc, "dev-data", "dev-data")
    arn = create_db(
        dev,
        east,
        "dev-orders-db",
        "postgres",
        dev_group,
        dev_vpc.security_groups["dev-data-sg"],
        [],
        tags("development", "payments", "cc-2077", "dev-orders-db"),
    )
    _record_rds(
        ctx,
        dev,
        east,
        resource_id="dev-orders-db",
        arn=arn,
        state="missing",
        detail="no log exports",
    )

    table = prod.client("dynamodb", east).create_table(
        TableName="prod-orders",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=tag_list(tags("production", "payments", "cc-1042")),
    )["TableDescription"]["TableArn"]
    ctx.facts["prod_orders_table"] = table
    ctx.truth.add(
        account=prod.id,
        region=east,
        resource_type="AWS::DynamoDB::Table",
        resource_id="prod-orders",
        arn=table,
        layer="account",
        control="cloudtrail-dynamodb-data-events",
        state="missing",
        detail="no data-event selector for the table",
    )
