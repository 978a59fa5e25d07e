"""The moto AWS Config extension: Config's read APIs serve moto's EC2/ELB/RDS/Lambda state.

It relies on moto internals (pinned moto>=5.2.5,<5.3): these tests fail when it stops
serving EC2 items, relationships, or the recorder rules.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from config_world import build_world, session_for, turn_config_on
from moto import mock_aws
from moto.config.models import ConfigBackend
from moto.config.responses import ConfigResponse

from blindspot.simulation import moto_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="class")
def world():
    with mock_aws(), moto_config.registered():
        session = session_for()
        w = build_world(session, "us-east-1")
        turn_config_on(session, "us-east-1", w.bucket)
        yield w, session.client("config", region_name="us-east-1")


class TestOneRegionWithConfigOn:
    """One account-region, recorder on: a module-sized world shared by read-only tests."""

    def test_ec2_instances_are_listed_and_carry_their_relationships(self, world):
        w, config = world
        listed = config.list_discovered_resources(resourceType="AWS::EC2::Instance")
        assert [i["resourceId"] for i in listed["resourceIdentifiers"]] == [w.instance]
        [item] = config.get_resource_config_history(
            resourceType="AWS::EC2::Instance", resourceId=w.instance, limit=1
        )["configurationItems"]
        assert item["arn"] == w.arn("instance", w.instance)
        rels = {(r["relationshipName"], r["resourceId"]) for r in item["relationships"]}
        assert ("Is contained in Vpc", w.vpc) in rels
        assert ("Is contained in Subnet", w.subnets[0]) in rels
        assert ("Is associated with SecurityGroup", w.security_group) in rels
        assert ("Contains NetworkInterface", w.instance_eni) in rels
        assert json.loads(item["configuration"])["instanceId"] == w.instance

    def test_batch_get_returns_base_items_without_relationships_as_aws_does(self, world):
        w, config = world
        response = config.batch_get_resource_config(
            resourceKeys=[
                {"resourceType": "AWS::EC2::VPC", "resourceId": w.vpc},
                {"resourceType": "AWS::Lambda::Function", "resourceId": "w-orders-api"},
                {"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-doesnotexist"},
            ]
        )
        items = {i["resourceId"]: i for i in response["baseConfigurationItems"]}
        assert set(items) == {w.vpc, "w-orders-api"}
        assert all("relationships" not in i for i in items.values())
        assert isinstance(items[w.vpc]["configuration"], str)

    def test_mixed_naming_styles_and_role_by_name_like_real_config(self, world):
        _, config = world
        rows = config.select_resource_config(
            Expression="SELECT resourceId, relationships "
            "WHERE resourceType = 'AWS::Lambda::Function'"
        )["Results"]
        [row] = [json.loads(r) for r in rows]
        role = next(r for r in row["relationships"] if r["resourceType"] == "AWS::IAM::Role")
        assert role == {"resourceName": "w-fn-role", "resourceType": "AWS::IAM::Role",
                        "name": "Is associated with "}  # fmt: skip
        rows = config.select_resource_config(
            Expression="SELECT relationships WHERE resourceType = 'AWS::RDS::DBCluster'"
        )["Results"]
        names = {r["name"] for r in json.loads(rows[0])["relationships"]}
        assert names == {"Is associated with ", "Contains "}

    def test_service_managed_enis_look_like_ec2s(self, world):
        w, config = world
        rows = [
            json.loads(r)
            for r in config.get_paginator("select_resource_config")
            .paginate(
                Expression="SELECT configuration WHERE resourceType = 'AWS::EC2::NetworkInterface'"
            )
            .build_full_result()["Results"]
        ]
        descriptions = {r["configuration"]["description"] for r in rows}
        alb_suffix = w.alb_arn.split(":loadbalancer/")[1]
        assert f"ELB {alb_suffix}" in descriptions
        assert f"Interface for NAT Gateway {w.nat}" in descriptions
        assert "RDSNetworkInterface" in descriptions
        assert any(d.startswith("AWS Lambda VPC ENI-w-orders-api-") for d in descriptions)

    def test_select_filters_by_type_paginates_and_returns_json_strings(self, world):
        _, config = world
        first = config.select_resource_config(
            Expression="SELECT resourceId, resourceType WHERE resourceType IN "
            "('AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup')",
            Limit=3,
        )
        assert all(isinstance(r, str) for r in first["Results"])
        assert [f["Name"] for f in first["QueryInfo"]["SelectFields"]] == [
            "resourceId",
            "resourceType",
        ]
        assert len(first["Results"]) == 3 and first["NextToken"]
        everything = (
            config.get_paginator("select_resource_config")
            .paginate(
                Expression="SELECT resourceType WHERE resourceType IN "
                "('AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup')",
                PaginationConfig={"PageSize": 3},
            )
            .build_full_result()["Results"]
        )
        types = {json.loads(r)["resourceType"] for r in everything}
        assert types == {"AWS::EC2::Subnet", "AWS::EC2::SecurityGroup"}
        assert len(everything) > 3

    def test_an_invalid_query_is_refused(self, world):
        _, config = world
        with pytest.raises(ClientError):
            config.select_resource_config(Expression="DELETE everything")


def test_region_with_config_off_serves_nothing():
    with mock_aws(), moto_config.registered():
        session = session_for()
        build_world(session, "eu-west-1", full=False)
        config = session.client("config", region_name="eu-west-1")
        assert (
            config.list_discovered_resources(resourceType="AWS::EC2::VPC")["resourceIdentifiers"]
            == []
        )
        assert config.select_resource_config(Expression="SELECT resourceId")["Results"] == []


def test_recorder_resource_type_list_is_honoured():
    with mock_aws(), moto_config.registered():
        session = session_for()
        w = build_world(session, "us-east-1", full=False)
        session.client("s3").create_bucket(Bucket="cfg-bucket")
        turn_config_on(
            session, "us-east-1", "cfg-bucket", allSupported=False,
            includeGlobalResourceTypes=False, resourceTypes=["AWS::EC2::VPC"],
        )  # fmt: skip
        config = session.client("config", region_name="us-east-1")
        rows = [json.loads(r) for r in config.select_resource_config(
            Expression="SELECT resourceType, resourceId")["Results"]]  # fmt: skip
        assert {r["resourceType"] for r in rows} == {"AWS::EC2::VPC"}
        assert w.vpc in {r["resourceId"] for r in rows}


def test_recorder_exclusions_are_honoured():
    with mock_aws(), moto_config.registered():
        session = session_for()
        build_world(session, "us-east-1", full=False)
        session.client("s3").create_bucket(Bucket="cfg-bucket")
        turn_config_on(
            session,
            "us-east-1",
            "cfg-bucket",
            allSupported=False,
            includeGlobalResourceTypes=False,
            exclusionByResourceTypes={"resourceTypes": ["AWS::EC2::Instance"]},
            recordingStrategy={"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
        )
        config = session.client("config", region_name="us-east-1")
        rows = config.get_paginator("select_resource_config").paginate(
            Expression="SELECT resourceType"
        )
        types = {json.loads(r)["resourceType"] for r in rows.build_full_result()["Results"]}
        assert "AWS::EC2::Instance" not in types
        assert {"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::S3::Bucket"} <= types


def test_other_types_are_served_from_blindspots_direct_api_collectors():
    with mock_aws(), moto_config.registered():
        session = session_for()
        session.client("s3").create_bucket(Bucket="trail-bucket")
        session.client("cloudtrail").create_trail(Name="org-trail", S3BucketName="trail-bucket")
        session.client("logs").create_log_group(logGroupName="/aws/lambda/orders")
        turn_config_on(session, "us-east-1", "trail-bucket")
        config = session.client("config", region_name="us-east-1")
        rows = config.get_paginator("select_resource_config").paginate(
            Expression="SELECT resourceType, resourceId, arn WHERE resourceType IN "
            "('AWS::CloudTrail::Trail', 'AWS::Logs::LogGroup')"
        )
        found = {
            (row["resourceType"], row["arn"])
            for row in map(json.loads, rows.build_full_result()["Results"])
        }
        account = main_id()
        assert ("AWS::CloudTrail::Trail",
                f"arn:aws:cloudtrail:us-east-1:{account}:trail/org-trail") in found  # fmt: skip
        assert any(t == "AWS::Logs::LogGroup" and "/aws/lambda/orders" in a for t, a in found)
        listed = config.list_discovered_resources(resourceType="AWS::CloudTrail::Trail")
        assert len(listed["resourceIdentifiers"]) == 1


def test_aggregate_calls_span_the_aggregators_accounts():
    with mock_aws(), moto_config.registered():
        member = "222233334444"
        main = session_for()
        other = session_for(member)
        w_main = build_world(main, "us-east-1", full=False, prefix="m")
        w_member = build_world(other, "eu-west-1", full=False, prefix="x")
        main.client("s3").create_bucket(Bucket="cfg-main")
        turn_config_on(main, "us-east-1", "cfg-main")
        turn_config_on(other, "eu-west-1", "cfg-main")
        config = main.client("config", region_name="us-east-1")
        config.put_configuration_aggregator(
            ConfigurationAggregatorName="org",
            AccountAggregationSources=[
                {"AccountIds": [main_id(), member], "AwsRegions": ["us-east-1", "eu-west-1"]}
            ],
        )
        rows = [
            json.loads(r)
            for r in config.get_paginator("select_aggregate_resource_config")
            .paginate(
                ConfigurationAggregatorName="org",
                Expression="SELECT resourceId, accountId, awsRegion "
                "WHERE resourceType = 'AWS::EC2::Instance'",
            )
            .build_full_result()["Results"]
        ]
        assert {(r["resourceId"], r["accountId"], r["awsRegion"]) for r in rows} == {
            (w_main.instance, main_id(), "us-east-1"),
            (w_member.instance, member, "eu-west-1"),
        }
        listed = config.list_aggregate_discovered_resources(
            ConfigurationAggregatorName="org", ResourceType="AWS::EC2::VPC"
        )["ResourceIdentifiers"]
        assert {(i["SourceAccountId"], i["ResourceId"]) for i in listed} >= {
            (member, w_member.vpc),
            (main_id(), w_main.vpc),
        }
        got = config.batch_get_aggregate_resource_config(
            ConfigurationAggregatorName="org",
            ResourceIdentifiers=[
                {"SourceAccountId": member, "SourceRegion": "eu-west-1",
                 "ResourceId": w_member.vpc, "ResourceType": "AWS::EC2::VPC"},
                {"SourceAccountId": member, "SourceRegion": "us-east-1",
                 "ResourceId": w_member.vpc, "ResourceType": "AWS::EC2::VPC"},
            ],
        )  # fmt: skip
        assert [i["accountId"] for i in got["BaseConfigurationItems"]] == [member]
        assert len(got["UnprocessedResourceIdentifiers"]) == 1


def main_id() -> str:
    return boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]


def test_unregistering_restores_stock_moto():
    stock_list = ConfigBackend.list_discovered_resources
    assert "select_aggregate_resource_config" not in ConfigResponse.__dict__
    with moto_config.registered():
        assert ConfigBackend.list_discovered_resources is not stock_list
        assert "select_aggregate_resource_config" in ConfigResponse.__dict__
    assert ConfigBackend.list_discovered_resources is stock_list
    assert "select_aggregate_resource_config" not in ConfigResponse.__dict__
    assert not moto_config.is_installed()


@pytest.mark.slow
def test_works_under_threaded_moto_server_through_aws_endpoint_url(monkeypatch):
    from moto.server import ThreadedMotoServer

    from collectors.aws.session import AwsContext
    from collectors.inventory.config_service import ConfigServiceSource

    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with moto_config.registered():
            session = boto3.Session(region_name="us-east-1")
            world = build_world(session, "us-east-1", full=False)
            session.client("s3").create_bucket(Bucket="server-config")
            session.client("cloudtrail").create_trail(
                Name="org-trail", S3BucketName="server-config"
            )
            turn_config_on(session, "us-east-1", "server-config")
            inv = ConfigServiceSource(AwsContext(session)).collect_region(
                world.account, "us-east-1"
            )
        instance = world.arn("instance", world.instance)
        assert instance in inv.resources
        # served from the direct-API collectors, called back through the server itself
        assert f"arn:aws:cloudtrail:us-east-1:{world.account}:trail/org-trail" in inv.resources
        assert (instance, "Is contained in Vpc", world.arn("vpc", world.vpc)) in {
            (r.source, r.name, r.target) for r in inv.relationships
        }
        assert inv.errors == []
    finally:
        server.stop()
