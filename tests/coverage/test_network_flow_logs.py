"""VPC and Transit Gateway Flow Logs through the real probe, on moto, resolved along the graph.

moto's flow logs round-trip TrafficType and status; for a CloudWatch Logs destination its
`LogDestination` is null (AWS gives the log group ARN), so the probe builds the group's ARN.
"""

from __future__ import annotations

import boto3
import pytest
from inventory_helpers import ACCOUNT, denied, inventory_from_moto, one, run_probes
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.probes.network import probe_transit_gateways, probe_vpc_flow_logs
from snapshot.model import Expectation, Layer, Status

REGION = "us-east-1"
TYPES = ("AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::NetworkInterface", "AWS::EC2::Instance")


def arn(kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{rid}"


@pytest.fixture
def network():
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        instance = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet
        )["Instances"][0]
        eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
        session.client("s3").create_bucket(Bucket="flow-log-bucket")
        yield {
            "session": session,
            "ec2": ec2,
            "vpc": vpc,
            "subnet": subnet,
            "eni": eni,
            "instance": instance["InstanceId"],
        }


def _flow_log(net, resource_type: str, resource_id: str, traffic: str = "ALL") -> str:
    response = net["ec2"].create_flow_logs(
        ResourceType=resource_type,
        ResourceIds=[resource_id],
        TrafficType=traffic,
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-log-bucket",
    )
    assert not response.get("Unsuccessful"), response
    return response["FlowLogIds"][0]


def _probe(net):
    inventory = inventory_from_moto(net["session"], types=TYPES)
    return run_probes(net["session"], inventory, probe_vpc_flow_logs)


def test_vpc_flow_log_covers_vpc_and_is_inherited_by_subnet_eni_and_instance(network):
    flow_log = _flow_log(network, "VPC", network["vpc"])
    ctx = _probe(network)

    vpc = one(ctx, arn("vpc", network["vpc"]), "vpc-flow-logs")
    assert vpc.status is Status.logged
    assert vpc.layer is Layer.network and vpc.expectation is Expectation.baseline
    assert vpc.inherited_from is None
    assert flow_log in vpc.evidence and "TrafficType=ALL" in vpc.evidence
    assert vpc.destination == "arn:aws:s3:::flow-log-bucket"

    subnet = one(ctx, arn("subnet", network["subnet"]), "vpc-flow-logs")
    assert subnet.status is Status.logged
    assert subnet.inherited_from == arn("vpc", network["vpc"])

    eni = one(ctx, arn("network-interface", network["eni"]), "vpc-flow-logs")
    assert eni.status is Status.logged
    assert eni.inherited_from == arn("vpc", network["vpc"])

    instance = one(ctx, arn("instance", network["instance"]), "vpc-flow-logs")
    assert instance.status is Status.logged
    assert instance.inherited_from == arn("network-interface", network["eni"])
    assert network["eni"] in instance.evidence


def test_no_flow_log_is_missing_everywhere(network):
    ctx = _probe(network)
    for rid in (
        arn("vpc", network["vpc"]),
        arn("subnet", network["subnet"]),
        arn("network-interface", network["eni"]),
        arn("instance", network["instance"]),
    ):
        record = one(ctx, rid, "vpc-flow-logs")
        assert record.status is Status.missing, rid
        assert "no active flow log" in record.evidence


def test_reject_only_flow_log_is_partial(network):
    _flow_log(network, "VPC", network["vpc"], traffic="REJECT")
    ctx = _probe(network)
    vpc = one(ctx, arn("vpc", network["vpc"]), "vpc-flow-logs")
    assert vpc.status is Status.partial
    assert "TrafficType=REJECT" in vpc.evidence
    assert one(ctx, arn("instance", network["instance"]), "vpc-flow-logs").status is (
        Status.partial
    )


def test_accept_on_subnet_and_reject_on_vpc_together_are_all_traffic(network):
    _flow_log(network, "VPC", network["vpc"], traffic="REJECT")
    _flow_log(network, "Subnet", network["subnet"], traffic="ACCEPT")
    ctx = _probe(network)
    assert one(ctx, arn("vpc", network["vpc"]), "vpc-flow-logs").status is Status.partial
    assert one(ctx, arn("subnet", network["subnet"]), "vpc-flow-logs").status is Status.logged


def test_subnet_flow_log_covers_the_subnet_not_the_vpc(network):
    _flow_log(network, "Subnet", network["subnet"])
    ctx = _probe(network)
    assert one(ctx, arn("vpc", network["vpc"]), "vpc-flow-logs").status is Status.missing
    eni = one(ctx, arn("network-interface", network["eni"]), "vpc-flow-logs")
    assert eni.status is Status.logged
    assert eni.inherited_from == arn("subnet", network["subnet"])


def test_eni_flow_log_is_on_the_eni_itself(network):
    _flow_log(network, "NetworkInterface", network["eni"])
    ctx = _probe(network)
    eni = one(ctx, arn("network-interface", network["eni"]), "vpc-flow-logs")
    assert eni.status is Status.logged and eni.inherited_from is None
    assert one(ctx, arn("subnet", network["subnet"]), "vpc-flow-logs").status is Status.missing


def test_cloudwatch_logs_destination_is_the_log_group_arn(network):
    network["ec2"].create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[network["vpc"]],
        TrafficType="ALL",
        LogGroupName="vpc-flow",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow",
    )
    ctx = _probe(network)
    vpc = one(ctx, arn("vpc", network["vpc"]), "vpc-flow-logs")
    assert vpc.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:vpc-flow"


def test_access_denied_is_unknown_with_an_error(network):
    _flow_log(network, "VPC", network["vpc"])
    inventory = inventory_from_moto(network["session"], types=TYPES)
    aws = AwsContext(network["session"], account=ACCOUNT)
    with denied(aws, "ec2", "DescribeFlowLogs"):
        ctx = run_probes(network["session"], inventory, probe_vpc_flow_logs, aws=aws)
    vpc = one(ctx, arn("vpc", network["vpc"]), "vpc-flow-logs")
    assert vpc.status is Status.unknown
    assert "AccessDenied" in vpc.evidence
    assert [e.operation for e in ctx.errors] == ["DescribeFlowLogs"]
    assert ctx.errors[0].code == "AccessDenied"


def test_transit_gateway_flow_logs(network):
    ec2 = network["ec2"]
    logged = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    bare = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    _flow_log(network, "TransitGateway", logged)
    inventory = inventory_from_moto(network["session"], types=("AWS::EC2::TransitGateway",))
    ctx = run_probes(network["session"], inventory, probe_transit_gateways, probe_vpc_flow_logs)
    by_short = {i.resource.resource_id: i.id for i in inventory.of_type("AWS::EC2::TransitGateway")}
    assert one(ctx, by_short[logged], "tgw-flow-logs").status is Status.logged
    missing = one(ctx, by_short[bare], "tgw-flow-logs")
    assert missing.status is Status.missing and bare in missing.evidence


def test_load_balancer_in_two_subnets_with_one_logged_is_partial(network):
    ec2 = network["ec2"]
    other = ec2.create_subnet(
        VpcId=network["vpc"], CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b"
    )["Subnet"]["SubnetId"]
    lb = (
        network["session"]
        .client("elbv2")
        .create_load_balancer(Name="web", Subnets=[network["subnet"], other], Type="application")[
            "LoadBalancers"
        ][0]["LoadBalancerArn"]
    )
    _flow_log(network, "Subnet", network["subnet"])
    inventory = inventory_from_moto(
        network["session"], types=(*TYPES, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    )
    ctx = run_probes(network["session"], inventory, probe_vpc_flow_logs)
    record = one(ctx, lb, "vpc-flow-logs")
    assert record.status is Status.partial
    assert record.inherited_from == arn("subnet", other)  # the path without a flow log
    assert any("2 paths" in note for note in record.notes)


def test_function_outside_any_vpc_is_not_applicable(network):
    session = network["session"]
    role = session.client("iam").create_role(
        RoleName="fn", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}'
    )["Role"]["Arn"]
    function = session.client("lambda").create_function(
        FunctionName="outside",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"def handler(e, c): pass"},
    )["FunctionArn"]
    inventory = inventory_from_moto(session, types=(*TYPES, "AWS::Lambda::Function"))
    ctx = run_probes(session, inventory, probe_vpc_flow_logs)
    assert one(ctx, function, "vpc-flow-logs").status is Status.not_applicable


def test_offline_source_decides_from_config_flow_log_items():
    """A Config-files inventory: AWS::EC2::FlowLog items decide without any AWS call."""
    from collectors.coverage.base import ProbeContext
    from collectors.inventory.base import CollectedResource, RegionInventory
    from snapshot.model import Relationship, Resource

    inventory = RegionInventory(account=ACCOUNT, region=REGION, source="config-files")
    vpc, subnet = arn("vpc", "vpc-1"), arn("subnet", "subnet-1")
    for rid, rtype, short in (
        (vpc, "AWS::EC2::VPC", "vpc-1"),
        (subnet, "AWS::EC2::Subnet", "subnet-1"),
    ):
        inventory.add(
            CollectedResource(
                Resource(id=rid, type=rtype, account=ACCOUNT, region=REGION, resource_id=short)
            )
        )
    inventory.relationships.append(
        Relationship(source=subnet, target=vpc, name="Is contained in Vpc")
    )
    inventory.add(
        CollectedResource(
            Resource(
                id=arn("flow-log", "fl-1"),
                type="AWS::EC2::FlowLog",
                account=ACCOUNT,
                region=REGION,
                resource_id="fl-1",
            ),
            configuration={
                "flowLogId": "fl-1",
                "resourceId": "vpc-1",
                "trafficType": "ALL",
                "flowLogStatus": "ACTIVE",
                "logDestination": "arn:aws:s3:::b",
            },
        )
    )
    ctx = ProbeContext(None, ACCOUNT, REGION, inventory)
    probe_vpc_flow_logs(ctx)
    record = one(ctx, subnet, "vpc-flow-logs")
    assert record.status is Status.logged and record.inherited_from == vpc
    assert record.evidence.startswith("config:AWS::EC2::FlowLog: flow log fl-1 on vpc-1")


def test_instance_whose_enis_are_not_in_the_inventory_uses_its_own_subnet(network):
    """A Config inventory that does not record ENIs still names them in the instance's CI."""
    _flow_log(network, "Subnet", network["subnet"])
    inventory = inventory_from_moto(
        network["session"], types=("AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::Instance")
    )
    assert not inventory.of_type("AWS::EC2::NetworkInterface")
    ctx = run_probes(network["session"], inventory, probe_vpc_flow_logs)
    record = one(ctx, arn("instance", network["instance"]), "vpc-flow-logs")
    assert record.status is Status.logged
    assert record.inherited_from == arn("network-interface", network["eni"])
    assert network["subnet"] in record.evidence
