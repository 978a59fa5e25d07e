"""Building probe inputs from moto: a region's inventory, a probe context, denied calls.

`inventory_from_moto` uses the real direct-API inventory source (`collectors.inventory.api.
ApiSource`) when it is importable, so probes are tested on the inventory they get in
production; otherwise (or with `api=False`) a minimal builder lists the EC2 network,
instances, buckets, functions and tables the same way (Config type names, ARNs, camelCase
configuration, Config relationship names).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from collectors.aws.session import AwsContext
from collectors.coverage.base import Probe, ProbeContext
from collectors.coverage.runner import ensure_pseudo_resources
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.model import Coverage, Relationship, Resource, region_node_id

ACCOUNT = "123456789012"


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k)[:1].lower() + str(k)[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _minimal_inventory(session: boto3.Session, account: str, region: str) -> RegionInventory:
    inventory = RegionInventory(account=account, region=region, source="api")
    ec2 = session.client("ec2", region_name=region)

    def ec2_arn(kind: str, rid: str) -> str:
        return f"arn:aws:ec2:{region}:{account}:{kind}/{rid}"

    def add(rtype: str, rid: str, short: str, config: dict[str, Any], rregion: str = region):
        inventory.add(
            CollectedResource(
                Resource(
                    id=rid,
                    type=rtype,
                    account=account,
                    region=rregion,
                    name=short,
                    resource_id=short,
                    source="api",
                ),
                configuration=_camel(config),
            )
        )

    def relate(source: str, target: str, name: str) -> None:
        inventory.relationships.append(Relationship(source=source, target=target, name=name))

    for vpc in ec2.describe_vpcs()["Vpcs"]:
        add("AWS::EC2::VPC", ec2_arn("vpc", vpc["VpcId"]), vpc["VpcId"], vpc)
    for subnet in ec2.describe_subnets()["Subnets"]:
        sid = ec2_arn("subnet", subnet["SubnetId"])
        add("AWS::EC2::Subnet", sid, subnet["SubnetId"], subnet)
        relate(sid, ec2_arn("vpc", subnet["VpcId"]), "Is contained in Vpc")
    for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]:
        eid = ec2_arn("network-interface", eni["NetworkInterfaceId"])
        add("AWS::EC2::NetworkInterface", eid, eni["NetworkInterfaceId"], eni)
        relate(eid, ec2_arn("subnet", eni["SubnetId"]), "Is contained in Subnet")
        relate(eid, ec2_arn("vpc", eni["VpcId"]), "Is contained in Vpc")
        if (eni.get("Attachment") or {}).get("InstanceId"):
            relate(
                eid, ec2_arn("instance", eni["Attachment"]["InstanceId"]), "Is attached to Instance"
            )
    for reservation in ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            iid = ec2_arn("instance", instance["InstanceId"])
            add("AWS::EC2::Instance", iid, instance["InstanceId"], instance)
            relate(iid, ec2_arn("subnet", instance["SubnetId"]), "Is contained in Subnet")
            relate(iid, ec2_arn("vpc", instance["VpcId"]), "Is contained in Vpc")
    s3 = session.client("s3", region_name=region)
    for bucket in s3.list_buckets().get("Buckets", []):
        where = s3.get_bucket_location(Bucket=bucket["Name"]).get("LocationConstraint")
        if (where or "us-east-1") == region:
            add("AWS::S3::Bucket", f"arn:aws:s3:::{bucket['Name']}", bucket["Name"], {})
    for function in session.client("lambda", region_name=region).list_functions()["Functions"]:
        add("AWS::Lambda::Function", function["FunctionArn"], function["FunctionName"], function)
    dynamodb = session.client("dynamodb", region_name=region)
    for table in dynamodb.list_tables()["TableNames"]:
        detail = dynamodb.describe_table(TableName=table)["Table"]
        add("AWS::DynamoDB::Table", detail["TableArn"], table, {"tableName": table})
    return inventory


def inventory_from_moto(
    session: boto3.Session,
    account: str = ACCOUNT,
    region: str = "us-east-1",
    *,
    types: tuple[str, ...] = (),
    api: bool = True,
) -> RegionInventory:
    """The inventory of one moto account-region, with its pseudo-resources.

    `types` limits the real source to some AWS Config types (faster; default all).
    """
    inventory = None
    if api:
        try:
            from collectors.inventory.api import API_TYPES, ApiSource
        except ImportError:
            ApiSource = None
        if ApiSource is not None:
            aws = AwsContext(session, account=account)
            skip = API_TYPES - set(types) if types else frozenset()
            inventory = ApiSource(aws, regions=[region]).collect_region(
                account, region, skip_types=skip
            )
    if inventory is None:
        inventory = _minimal_inventory(session, account, region)
    ensure_pseudo_resources(inventory)
    return inventory


def run_probes(
    session: boto3.Session,
    inventory: RegionInventory,
    *probes: Probe,
    aws: AwsContext | None = None,
) -> ProbeContext:
    """Run probes on an inventory through a guarded AwsContext; returns the context."""
    ctx = ProbeContext(
        aws if aws is not None else AwsContext(session, account=inventory.account),
        inventory.account,
        inventory.region,
        inventory,
    )
    for probe in probes:
        probe(ctx)
    return ctx


def records(ctx: ProbeContext, resource_id: str, control: str) -> list[Coverage]:
    return [c for c in ctx.coverage.get(resource_id, []) if c.control == control]


def one(ctx: ProbeContext, resource_id: str, control: str) -> Coverage:
    """The single record of a control on a resource (fails if none or several)."""
    found = records(ctx, resource_id, control)
    assert len(found) == 1, f"{control} on {resource_id}: {found}"
    return found[0]


def region_id(account: str = ACCOUNT, region: str = "us-east-1") -> str:
    return region_node_id(account, region)


@contextlib.contextmanager
def denied(
    aws: AwsContext,
    service: str,
    operation: str,
    region: str = "us-east-1",
    code: str = "AccessDenied",
) -> Iterator[None]:
    """Make one operation of one guarded client fail as AWS does when a policy denies it."""
    client = aws.client(service, region)

    def refuse(model: Any, **_: Any) -> None:
        if model.name == operation:
            raise ClientError(
                {"Error": {"Code": code, "Message": f"not authorized to perform {operation}"}},
                operation,
            )

    client.meta.events.register(f"before-call.*.{operation}", refuse, unique_id="test-deny")
    try:
        yield
    finally:
        client.meta.events.unregister(f"before-call.*.{operation}", unique_id="test-deny")
