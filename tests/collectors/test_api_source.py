"""The direct-API inventory source against moto: every family, Config names, failures."""

from __future__ import annotations

import boto3
import pytest
from api_world import World, build_world
from botocore.exceptions import ClientError
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.inventory.api import API_TYPES, ApiSource, choose_global_region
from collectors.inventory.api._common import REDACTED, to_config_shape
from collectors.inventory.base import RegionInventory
from snapshot.model import Origin

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _client(service: str, region: str):
    return boto3.client(service, region_name=region)


def _collect(session: boto3.Session | None = None, region: str = REGION, **kwargs):
    session = session or boto3.Session(region_name=REGION)
    aws = AwsContext(session, account=ACCOUNT)
    source = ApiSource(aws, regions=kwargs.pop("regions", [region]), **kwargs)
    return source.collect_region(ACCOUNT, region), aws


def _edges(inventory: RegionInventory) -> set[tuple[str, str, str]]:
    return {(rel.source, rel.name, rel.target) for rel in inventory.relationships}


@pytest.fixture(scope="module")
def world() -> tuple[World, RegionInventory, AwsContext]:
    with mock_aws():
        created = build_world(_client, ACCOUNT, REGION)
        inventory, aws = _collect()
    return created, inventory, aws


def test_every_family_is_found_with_config_type_names(world) -> None:
    created, inventory, _ = world
    expected_types = {
        "vpc": "AWS::EC2::VPC",
        "subnet_a": "AWS::EC2::Subnet",
        "sg": "AWS::EC2::SecurityGroup",
        "igw": "AWS::EC2::InternetGateway",
        "nat": "AWS::EC2::NatGateway",
        "tgw": "AWS::EC2::TransitGateway",
        "instance": "AWS::EC2::Instance",
        "instance_eni": "AWS::EC2::NetworkInterface",
        "alb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "tg": "AWS::ElasticLoadBalancingV2::TargetGroup",
        "listener": "AWS::ElasticLoadBalancingV2::Listener",
        "clb": "AWS::ElasticLoadBalancing::LoadBalancer",
        "db": "AWS::RDS::DBInstance",
        "db_subnet_group": "AWS::RDS::DBSubnetGroup",
        "cluster": "AWS::RDS::DBCluster",
        "function": "AWS::Lambda::Function",
        "bucket": "AWS::S3::Bucket",
        "trail": "AWS::CloudTrail::Trail",
        "log_group": "AWS::Logs::LogGroup",
        "web_acl": "AWS::WAFv2::WebACL",
        "edge_acl": "AWS::WAFv2::WebACL",
        "rest_api": "AWS::ApiGateway::RestApi",
        "rest_stage": "AWS::ApiGateway::Stage",
        "http_api": "AWS::ApiGatewayV2::Api",
        "http_stage": "AWS::ApiGatewayV2::Stage",
        "eks": "AWS::EKS::Cluster",
        "table": "AWS::DynamoDB::Table",
        "role": "AWS::IAM::Role",
        "profile": "AWS::IAM::InstanceProfile",
        "zone": "AWS::Route53::HostedZone",
        "distribution": "AWS::CloudFront::Distribution",
    }
    for key, type_ in expected_types.items():
        assert created.ids[key] in inventory.resources, key
        assert inventory.resources[created.ids[key]].type == type_, key
    assert not inventory.errors
    assert inventory.types_covered == set(API_TYPES)


def test_resource_records_follow_config(world) -> None:
    created, inventory, _ = world
    vpc = inventory.resources[created.ids["vpc"]]
    assert vpc.resource.resource_id == created.ids["vpc"].rsplit("/", 1)[1]
    assert vpc.resource.name == "w-vpc"
    assert vpc.configuration["vpcId"] == vpc.resource.resource_id  # camelCase like Config
    bucket = inventory.resources[created.ids["bucket"]]
    assert bucket.resource.region == REGION
    assert bucket.resource.tags == {"team": "sec"}
    for global_key in ("role", "profile", "zone", "distribution"):
        assert inventory.resources[created.ids[global_key]].resource.region == "global"
    assert inventory.resources[created.ids["log_group"]].id.endswith(":log-group:/w/app")
    assert all(item.resource.source == "api" for item in inventory.resources.values())


def test_lambda_environment_values_are_redacted(world) -> None:
    created, inventory, _ = world
    function = inventory.resources[created.ids["function"]]
    assert function.configuration["environment"]["variables"] == {"DB_PASSWORD": REDACTED}
    assert "hunter2" not in repr(function.configuration)


def test_relationships_are_named_as_aws_config_names_them(world) -> None:
    created, inventory, _ = world
    ids = created.ids
    edges = _edges(inventory)
    expected = {
        (ids["subnet_a"], "Is contained in Vpc", ids["vpc"]),
        (ids["sg"], "Is contained in Vpc", ids["vpc"]),
        (ids["instance"], "Is contained in Subnet", ids["subnet_a"]),
        (ids["instance"], "Is contained in Vpc", ids["vpc"]),
        (ids["instance"], "Is associated with SecurityGroup", ids["sg"]),
        (ids["instance"], "Contains NetworkInterface", ids["instance_eni"]),
        (ids["instance"], "Is associated with InstanceProfile", ids["profile"]),
        (ids["instance_eni"], "Is attached to Instance", ids["instance"]),
        (ids["instance_eni"], "Is contained in Subnet", ids["subnet_a"]),
        (ids["instance_eni"], "Is associated with SecurityGroup", ids["sg"]),
        (ids["igw"], "Is attached to Vpc", ids["vpc"]),
        (ids["nat"], "Is contained in Subnet", ids["subnet_a"]),
        (ids["alb"], "Is attached to Subnet", ids["subnet_a"]),
        (ids["alb"], "Is attached to Subnet", ids["subnet_b"]),
        (ids["alb"], "Is contained in Vpc", ids["vpc"]),
        (ids["alb"], "Is associated with SecurityGroup", ids["sg"]),
        (ids["clb"], "Is attached to Subnet", ids["subnet_a"]),
        (ids["clb"], "Is associated with Instance", ids["instance"]),
        (ids["tg"], "Is contained in Vpc", ids["vpc"]),
        (ids["tg"], "Is associated with LoadBalancer", ids["alb"]),
        (ids["tg"], "Is associated with Instance", ids["instance"]),
        (ids["listener"], "Is associated with LoadBalancer", ids["alb"]),
        (ids["db"], "Is associated with SecurityGroup", ids["sg"]),
        (ids["db"], "Is associated with DBSubnetGroup", ids["db_subnet_group"]),
        (ids["cluster"], "Contains DBInstance", ids["cluster_member"]),
        (ids["function"], "Is associated with Role", ids["role"]),
        (ids["function"], "Is contained in Subnet", ids["subnet_b"]),
        (ids["function"], "Is associated with SecurityGroup", ids["sg"]),
        (ids["rest_stage"], "Is contained in RestApi", ids["rest_api"]),
        (ids["http_stage"], "Is contained in Api", ids["http_api"]),
        (ids["web_acl"], "Is associated with LoadBalancer", ids["alb"]),
        (ids["distribution"], "Is associated with WebACL", ids["edge_acl"]),
        (ids["eks"], "Is contained in Subnet", ids["subnet_a"]),
        (ids["eks"], "Is associated with SecurityGroup", ids["sg"]),
        (ids["eks"], "Is associated with Role", ids["role"]),
        (ids["profile"], "Is associated with Role", ids["role"]),
    }
    assert expected <= edges, expected - edges
    # Only direct relationships, as Config records them: no reverse edge is invented.
    assert (ids["vpc"], "Contains Subnet", ids["subnet_a"]) not in edges
    assert all(rel.origin in (Origin.api, Origin.inferred) for rel in inventory.relationships)


def test_eni_owners_are_inferred_from_the_description(world) -> None:
    created, inventory, _ = world
    ids = created.ids
    inferred = {
        (rel.source, rel.name, rel.target)
        for rel in inventory.relationships
        if rel.origin == Origin.inferred
    }
    assert (ids["alb_eni"], "Is attached to LoadBalancer", ids["alb"]) in inferred
    assert (ids["lambda_eni"], "Is attached to Function", ids["function"]) in inferred
    # RDS ENIs name no instance: the one DB in the VPC holding the ENI's groups owns it.
    assert (ids["rds_eni"], "Is attached to DBInstance", ids["db"]) in inferred
    # An instance's own ENI gets no invented owner.
    assert not any(source == ids["instance_eni"] for source, _, _ in inferred)


def test_paginated_listings_use_paginators(world) -> None:
    _, _, aws = world
    actions = aws.call_log.actions()
    assert {"ec2:DescribeInstances", "s3:ListBuckets", "iam:ListRoles"} <= actions
    assert all(action.split(":")[1].startswith(("Describe", "List", "Get")) for action in actions)


@mock_aws
def test_an_empty_region_gives_no_resources_and_no_errors() -> None:
    inventory, _ = _collect(region="eu-west-1", regions=["us-east-1", "eu-west-1"])
    # moto gives every region a default VPC with its subnets and security group.
    types = {item.type for item in inventory.resources.values()}
    assert types <= {"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup"}
    assert not inventory.errors
    assert not inventory.relationships or all(
        rel.name == "Is contained in Vpc" for rel in inventory.relationships
    )
    # Not the global region: IAM, CloudFront and Route 53 were not even listed.
    assert "AWS::IAM::Role" not in inventory.types_covered


def _bucket_regions(inventory: RegionInventory) -> dict[str | None, str]:
    return {i.resource.resource_id: i.resource.region for i in inventory.of_type("AWS::S3::Bucket")}


@mock_aws
def test_buckets_land_in_their_own_region_once() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="east-bucket-b1")
    s3.create_bucket(
        Bucket="west-bucket-b1", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3.create_bucket(
        Bucket="far-bucket-b1", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
    )
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    source = ApiSource(aws, regions=["us-east-1", "eu-west-1"])
    east = source.collect_region(ACCOUNT, "us-east-1")
    west = source.collect_region(ACCOUNT, "eu-west-1")
    east_buckets = {
        i.resource.resource_id: i.resource.region for i in east.of_type("AWS::S3::Bucket")
    }
    west_buckets = {
        i.resource.resource_id: i.resource.region for i in west.of_type("AWS::S3::Bucket")
    }
    # A bucket in a region not collected is reported by the global region, with its region.
    assert east_buckets == {"east-bucket-b1": "us-east-1", "far-bucket-b1": "ap-south-1"}
    assert west_buckets == {"west-bucket-b1": "eu-west-1"}
    # Listed once per account (both regions reuse it): at most one placing call per bucket.
    s3_calls = aws.call_log.counts[("s3", "ListBuckets")]
    s3_calls += aws.call_log.counts[("s3", "GetBucketLocation")]
    assert s3_calls <= 1 + 3


def _deny(service: str, operation: str):
    def handler(model, **_):
        if model.name == operation:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "denied by SCP"}},
                operation,
            )

    return f"before-call.{service}.{operation}", handler


@mock_aws
def test_a_denied_service_becomes_an_error_and_the_rest_goes_on() -> None:
    build_world(_client, ACCOUNT, REGION)
    session = boto3.Session(region_name=REGION)
    session.events.register(*_deny("lambda", "ListFunctions"))
    inventory, _ = _collect(session)
    assert [(e.service, e.operation, e.code) for e in inventory.errors] == [
        ("lambda", "ListFunctions", "AccessDeniedException")
    ]
    assert inventory.errors[0].message == "denied by SCP"
    assert "AWS::Lambda::Function" not in inventory.types_covered
    assert not inventory.of_type("AWS::Lambda::Function")
    assert inventory.of_type("AWS::EC2::Instance")  # the rest was collected
    assert "AWS::EC2::Instance" in inventory.types_covered


@mock_aws
def test_skip_types_leaves_what_config_covers() -> None:
    build_world(_client, ACCOUNT, REGION)
    inventory, aws = _collect(skip_types={"AWS::Lambda::Function", "AWS::EC2::Instance"})
    assert not inventory.of_type("AWS::Lambda::Function", "AWS::EC2::Instance")
    assert inventory.of_type("AWS::EC2::VPC")
    assert ("lambda", "ListFunctions") not in aws.call_log.counts


def test_to_config_shape_lowercases_member_names_but_not_user_keys() -> None:
    shaped = to_config_shape(
        {
            "VpcId": "vpc-1",
            "Tags": [{"Key": "Name", "Value": "x"}],
            "Environment": {"Variables": {"API_KEY": "v"}},
            "Nested": [{"SubnetId": "s"}],
        }
    )
    assert shaped == {
        "vpcId": "vpc-1",
        "tags": [{"key": "Name", "value": "x"}],
        "environment": {"variables": {"API_KEY": "v"}},
        "nested": [{"subnetId": "s"}],
    }


def test_global_region_prefers_us_east_1() -> None:
    assert choose_global_region(["eu-west-1", "us-east-1"]) == "us-east-1"
    assert choose_global_region(["eu-west-1", "ap-south-1"]) == "eu-west-1"


@mock_aws
def test_hostile_names_and_tags_are_cleaned() -> None:
    # A JSON service: EC2's XML cannot even carry an ESC byte.
    apigw = boto3.client("apigateway", region_name=REGION)
    api = apigw.create_rest_api(name="evil\x1b[2Jname", tags={"k\x07": "v\x1b]0;title\x07"})["id"]
    inventory, _ = _collect()
    resource = inventory.resources[f"arn:aws:apigateway:{REGION}::/restapis/{api}"].resource
    assert resource.name.startswith("evil") and "\x1b" not in resource.name
    assert resource.tags and all(
        "\x1b" not in k + v and "\x07" not in k + v for k, v in resource.tags.items()
    )


@mock_aws
def test_terminated_instances_and_deleted_nat_gateways_are_left_out() -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    gone, kept = (
        i["InstanceId"]
        for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2)["Instances"]
    )
    ec2.terminate_instances(InstanceIds=[gone])
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    nats = [
        ec2.create_nat_gateway(
            SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"]
        )["NatGateway"]["NatGatewayId"]
        for _ in range(2)
    ]
    ec2.delete_nat_gateway(NatGatewayId=nats[1])
    inventory, _ = _collect()
    assert [i.resource.resource_id for i in inventory.of_type("AWS::EC2::Instance")] == [kept]
    assert [i.resource.resource_id for i in inventory.of_type("AWS::EC2::NatGateway")] == [nats[0]]


def test_an_unreachable_endpoint_is_an_error_and_the_rest_goes_on(monkeypatch) -> None:
    # A service not offered in a region (or a firewall) looks like this to the SDK.
    monkeypatch.setenv("AWS_ENDPOINT_URL_EKS", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("BLINDSPOT_CONNECT_TIMEOUT", "1")
    with mock_aws():
        inventory, _ = _collect()
    assert [(e.service, e.operation, e.code) for e in inventory.errors] == [
        ("eks", "ListClusters", "EndpointUnreachable")
    ]
    assert "AWS::EKS::Cluster" not in inventory.types_covered
    assert inventory.of_type("AWS::EC2::VPC")
