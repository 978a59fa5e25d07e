"""Retention of every destination the snapshot names (collectors/coverage/retention.py):
log group `retentionInDays` and S3 lifecycle expiration, set on the coverage records as
`retention_days` (0 = never expires, null = not known)."""

from __future__ import annotations

import boto3
import pytest
from inventory_helpers import ACCOUNT, denied, inventory_from_moto, region_id
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.base import ProbeContext
from collectors.coverage.retention import collect_retention, lifecycle_retention
from collectors.coverage.runner import probe_region
from collectors.inventory.base import RegionInventory
from snapshot.model import Coverage, Layer, Status

REGION = "us-east-1"
TYPES = (
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::S3::Bucket",
    "AWS::CloudTrail::Trail",
    "AWS::Logs::LogGroup",
)


def _expire(days: int, prefix: str = "") -> dict:
    return {
        "ID": f"expire-{days}",
        "Status": "Enabled",
        "Filter": {"Prefix": prefix},
        "Expiration": {"Days": days},
    }


@pytest.fixture
def world():
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        s3 = session.client("s3")
        for bucket in ("flows-30", "trail-forever"):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_lifecycle_configuration(
            Bucket="flows-30", LifecycleConfiguration={"Rules": [_expire(30, "AWSLogs/")]}
        )
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        ec2.create_flow_logs(
            ResourceType="VPC",
            ResourceIds=[vpc],
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::flows-30",
        )
        logs = session.client("logs")
        logs.create_log_group(logGroupName="/subnet/flows")
        logs.put_retention_policy(logGroupName="/subnet/flows", retentionInDays=14)
        ec2.create_flow_logs(
            ResourceType="Subnet",
            ResourceIds=[subnet],
            TrafficType="ALL",
            LogGroupName="/subnet/flows",
            DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
        )
        trail = session.client("cloudtrail")
        trail.create_trail(Name="main", S3BucketName="trail-forever", IsMultiRegionTrail=True)
        trail.start_logging(Name="main")
        yield session, vpc, subnet


def _by_destination(coverage: dict[str, list[Coverage]], control: str) -> dict[str, set]:
    found: dict[str, set] = {}
    for records in coverage.values():
        for record in records:
            if record.control == control and record.destination:
                found.setdefault(record.destination, set()).add(record.retention_days)
    return found


def test_probe_region_sets_retention_of_buckets_and_groups(world):
    session, *_ = world
    aws = AwsContext(session, account=ACCOUNT)
    coverage, errors = probe_region(aws, inventory_from_moto(session, types=TYPES))
    flows = _by_destination(coverage, "vpc-flow-logs")
    assert flows["arn:aws:s3:::flows-30"] == {30}  # lifecycle rule on AWSLogs/
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/subnet/flows"
    assert [days for dest, days in flows.items() if dest.startswith(group)] == [{14}]
    trail = _by_destination(coverage, "cloudtrail-management-events")
    assert trail["arn:aws:s3:::trail-forever"] == {0}  # NoSuchLifecycleConfiguration: forever
    assert not [e for e in errors if e.operation == "GetBucketLifecycleConfiguration"]


def test_unreadable_lifecycle_is_unknown_with_an_error(world):
    session, *_ = world
    inventory = inventory_from_moto(session, types=("AWS::S3::Bucket",))
    ctx = ProbeContext(AwsContext(session, account=ACCOUNT), ACCOUNT, REGION, inventory)
    record = ctx.add(
        region_id(),
        layer=Layer.network,
        control="vpc-flow-logs",
        status=Status.logged,
        evidence="test",
        destination="arn:aws:s3:::flows-30",
    )
    with denied(ctx.aws, "s3", "GetBucketLifecycleConfiguration"):
        collect_retention(ctx)
    assert record.retention_days is None
    refused = [e for e in ctx.errors if e.operation == "GetBucketLifecycleConfiguration"]
    assert refused and refused[0].code == "AccessDenied"
    collect_retention(ctx)  # readable again: decided
    assert record.retention_days == 30


def _lonely_context(session, destination: str) -> tuple[ProbeContext, Coverage]:
    """A region whose inventory does not list the destination log group."""
    inventory = RegionInventory(ACCOUNT, REGION, "api")
    ctx = ProbeContext(AwsContext(session, account=ACCOUNT), ACCOUNT, REGION, inventory)
    record = ctx.add(
        region_id(),
        layer=Layer.network,
        control="vpc-flow-logs",
        status=Status.logged,
        evidence="test",
        destination=destination,
    )
    return ctx, record


def test_group_missing_from_inventory_is_described(world):
    session, *_ = world
    ctx, record = _lonely_context(
        session, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/subnet/flows:*"
    )
    collect_retention(ctx)
    assert record.retention_days == 14
    assert not ctx.errors


def test_describe_failure_leaves_retention_unknown(world):
    session, *_ = world
    ctx, record = _lonely_context(
        session, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/subnet/flows"
    )
    with denied(ctx.aws, "logs", "DescribeLogGroups"):
        collect_retention(ctx)
    assert record.retention_days is None
    assert [e.operation for e in ctx.errors] == ["DescribeLogGroups"]


def test_other_accounts_destinations_are_left_to_their_owner(world):
    session, *_ = world
    ctx, record = _lonely_context(session, f"arn:aws:logs:{REGION}:999999999999:log-group:/central")
    collect_retention(ctx)
    assert record.retention_days is None and not ctx.errors


@pytest.mark.parametrize(
    ("rules", "prefix", "expected"),
    [
        ([], "AWSLogs/", 0),
        ([_expire(30, "AWSLogs/")], "AWSLogs/1/CloudTrail/", 30),
        ([_expire(30, "other/")], "AWSLogs/", 0),  # another prefix: not these logs
        ([_expire(30), _expire(7, "AWSLogs/")], "AWSLogs/", 7),  # the shortest wins
        ([{**_expire(5), "Status": "Disabled"}], "AWSLogs/", 0),
        (
            [
                {
                    "Status": "Enabled",
                    "Filter": {"Tag": {"Key": "k", "Value": "v"}},
                    "Expiration": {"Days": 1},
                }
            ],
            "",
            0,
        ),
        (
            [
                {
                    "Status": "Enabled",
                    "Filter": {"And": {"Prefix": "AWSLogs/", "ObjectSizeGreaterThan": 1}},
                    "Expiration": {"Days": 9},
                }
            ],
            "AWSLogs/x/",
            9,
        ),
        ([{"Status": "Enabled", "Prefix": "AWSLogs/", "Expiration": {"Days": 3}}], "AWSLogs/", 3),
        (
            [{"Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2027-01-01T00:00:00Z"}}],
            "",
            None,
        ),
    ],
)
def test_lifecycle_rules(rules, prefix, expected):
    assert lifecycle_retention(rules, prefix) == expected
