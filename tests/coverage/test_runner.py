"""The runner: every layer's probes over one region, failures contained, offline sources."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from inventory_helpers import ACCOUNT, inventory_from_moto, region_id
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage import runner
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.catalogue import CONTROLS_BY_ID
from snapshot.model import ACCOUNT_TYPE, REGION_TYPE, Resource, Status

REGION = "us-east-1"


@pytest.fixture
def environment():
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet)
        s3 = session.client("s3")
        s3.create_bucket(Bucket="runner-log-bucket")
        ec2.create_flow_logs(
            ResourceType="VPC",
            ResourceIds=[vpc],
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::runner-log-bucket",
        )
        cloudtrail = session.client("cloudtrail")
        cloudtrail.create_trail(
            Name="main", S3BucketName="runner-log-bucket", IsMultiRegionTrail=True
        )
        cloudtrail.start_logging(Name="main")
        session.client("logs").create_log_group(logGroupName="app")
        yield session, f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"


def test_probe_region_runs_every_layer_and_records_match_the_catalogue(environment):
    session, vpc = environment
    inventory = inventory_from_moto(session)
    coverage, errors = runner.probe_region(AwsContext(session, account=ACCOUNT), inventory)

    assert region_id() in coverage and ACCOUNT in inventory.resources
    flow = [c for c in coverage[vpc] if c.control == "vpc-flow-logs"]
    assert [c.status for c in flow] == [Status.logged]
    management = [c for c in coverage[vpc] if c.control == "cloudtrail-management-events"]
    assert [(c.status, c.inherited_from) for c in management] == [(Status.logged, region_id())]
    # every record names a catalogue control, with the catalogue's layer and expectation
    for resource_id, records in coverage.items():
        for record in records:
            row = CONTROLS_BY_ID.get(record.control)
            assert row is not None, f"{record.control} on {resource_id} not in the catalogue"
            assert (record.layer, record.expectation) == (row.layer, row.expectation)
    # resources probes added (the trail, log groups) also got the region's records
    trail = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"
    assert {c.control for c in coverage[trail]} >= {
        "cloudtrail-integrity",
        "cloudtrail-management-events",
        "config-recorder",
    }
    # moto gaps surface as errors, not exceptions
    assert all(e.account == ACCOUNT and e.region == REGION for e in errors)


def test_a_probe_that_raises_is_an_error_and_the_others_still_run(environment):
    session, vpc = environment

    def probe_broken(ctx):
        raise ValueError("bug in a probe")

    broken_layer = SimpleNamespace(
        __name__="collectors.coverage.probes.bad", PROBES=(probe_broken,)
    )
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    coverage, errors = runner.probe_region(
        AwsContext(session, account=ACCOUNT), inventory, (broken_layer, *runner.PROBE_MODULES)
    )
    broken = [e for e in errors if e.operation == "bad.probe_broken"]
    assert len(broken) == 1 and broken[0].code == "ValueError"
    assert broken[0].message == "bug in a probe"
    assert any(c.control == "vpc-flow-logs" for c in coverage[vpc])
    assert any(c.control == "cloudtrail-management-events" for c in coverage[region_id()])


def _offline_inventory() -> RegionInventory:
    inventory = RegionInventory(account=ACCOUNT, region=REGION, source="config-files")
    vpc = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-1"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"
    inventory.add(
        CollectedResource(
            Resource(
                id=vpc, type="AWS::EC2::VPC", account=ACCOUNT, region=REGION, resource_id="vpc-1"
            )
        )
    )
    inventory.add(
        CollectedResource(
            Resource(
                id=group,
                type="AWS::Logs::LogGroup",
                account=ACCOUNT,
                region=REGION,
                resource_id="app",
            ),
            configuration={"logGroupName": "app", "retentionInDays": 3},
        )
    )
    inventory.types_covered.add("AWS::Logs::LogGroup")
    return inventory


def test_offline_source_runs_offline_probes_and_marks_the_rest_unknown():
    inventory = _offline_inventory()
    coverage, errors = runner.probe_region(None, inventory)
    vpc = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-1"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"

    retention = [c for c in coverage[group] if c.control == "log-retention"]
    assert [c.status for c in retention] == [Status.partial]  # decided from the inventory
    flow = [c for c in coverage[vpc] if c.control == "vpc-flow-logs"]
    assert [(c.status, c.evidence, c.operation) for c in flow] == [
        (
            Status.unknown,
            f"no credential for account {ACCOUNT}: ec2:DescribeFlowLogs not made",
            "ec2:DescribeFlowLogs",
        )
    ]
    trail = [c for c in coverage[region_id()] if c.control == "cloudtrail-management-events"]
    assert [c.status for c in trail] == [Status.unknown]
    inherited = [c for c in coverage[vpc] if c.control == "cloudtrail-management-events"]
    assert [(c.status, c.inherited_from) for c in inherited] == [(Status.unknown, region_id())]
    assert not any(c.status is Status.missing for records in coverage.values() for c in records)
    assert not errors


def test_ensure_pseudo_resources_adds_account_and_region_once():
    inventory = RegionInventory(account=ACCOUNT, region=REGION, source="api")
    runner.ensure_pseudo_resources(inventory)
    runner.ensure_pseudo_resources(inventory)
    types = sorted(item.type for item in inventory.resources.values())
    assert types == sorted([ACCOUNT_TYPE, REGION_TYPE])
    assert inventory.resources[region_id()].resource.region == REGION


def test_destination_resource_id():
    assert runner.destination_resource_id("arn:aws:s3:::bucket/prefix/x") == "arn:aws:s3:::bucket"
    assert runner.destination_resource_id("arn:aws:s3:::bucket") == "arn:aws:s3:::bucket"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/x"
    assert runner.destination_resource_id(group + ":*") == group
    assert runner.destination_resource_id("arn:aws:firehose:r:1:deliverystream/x") is None
