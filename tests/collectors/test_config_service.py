"""The AWS Config source of one account-region: moto (with the Config extension) and Stubber."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from config_world import build_world, session_for, turn_config_on
from moto import mock_aws

from blindspot.simulation import moto_config
from collectors.aws.session import AwsContext
from collectors.inventory.config_service import (
    MAX_EXPRESSION,
    ConfigServiceSource,
    RecorderState,
    read_recorder,
    select_expressions,
    supported_types,
)
from snapshot.model import Origin

ACCOUNT = "123456789012"


def edges_of(inventory):
    return {(r.source, r.name, r.target): r for r in inventory.relationships}


class TestRecorderOnUnderMoto:
    """One region with Config recording everything, one with Config off (same account)."""

    @pytest.fixture(scope="class")
    def collected(self):
        with mock_aws(), moto_config.registered():
            session = session_for()
            world = build_world(session, "us-east-1")
            build_world(session, "eu-west-1", full=False, prefix="off")
            turn_config_on(session, "us-east-1", world.bucket)
            aws = AwsContext(session, account=ACCOUNT)
            events: list[tuple[str, dict]] = []
            source = ConfigServiceSource(aws)
            on = source.collect_region(ACCOUNT, "us-east-1", lambda e, d: events.append((e, d)))
            calls_on = aws.call_log.total
            off = source.collect_region(ACCOUNT, "eu-west-1")
            fallback_aws = AwsContext(session, account=ACCOUNT)
            fallback = ConfigServiceSource(fallback_aws, use_select=False).collect_region(
                ACCOUNT, "us-east-1"
            )
            yield world, on, off, fallback, calls_on, events, fallback_aws

    def test_everything_created_is_found_by_its_arn(self, collected):
        world, on, *_ = collected
        expected = {
            world.arn("vpc", world.vpc),
            world.arn("subnet", world.subnets[0]),
            world.arn("subnet", world.subnets[1]),
            world.arn("security-group", world.security_group),
            world.arn("instance", world.instance),
            world.arn("network-interface", world.instance_eni),
            world.arn("natgateway", world.nat),
            world.alb_arn,
            world.db_arn,
            world.cluster_arn,
            world.function_arn,
            world.role_arn,
            f"arn:aws:s3:::{world.bucket}",
        }
        assert expected <= set(on.resources)
        assert on.source == "config" and on.errors == []
        instance = on.resources[world.arn("instance", world.instance)]
        assert instance.resource.name == "w-web-1"
        assert instance.resource.source == "config"

    def test_relationships_come_named_as_config_names_them(self, collected):
        world, on, *_ = collected
        edges = edges_of(on)
        instance = world.arn("instance", world.instance)
        assert (instance, "Is contained in Vpc", world.arn("vpc", world.vpc)) in edges
        assert (instance, "Contains NetworkInterface",
                world.arn("network-interface", world.instance_eni)) in edges  # fmt: skip
        subnet = world.arn("subnet", world.subnets[0])
        assert (world.function_arn, "Is contained in Subnet", subnet) in edges
        assert (world.function_arn, "Is associated with Role", world.role_arn) in edges
        assert (world.cluster_arn, "Contains DBInstance",
                world.db_arn.replace("w-orders", "w-reports-1")) in edges  # fmt: skip
        assert (world.alb_arn, "Is attached to Subnet", subnet) in edges

    def test_eni_owners_are_inferred(self, collected):
        world, on, *_ = collected
        owners = {(r.name, r.target) for r in on.relationships if r.origin == Origin.inferred}
        assert ("Is attached to LoadBalancer", world.alb_arn) in owners
        assert ("Is attached to Function", world.function_arn) in owners
        nat = f"arn:aws:ec2:us-east-1:{ACCOUNT}:natgateway/{world.nat}"
        assert ("Is attached to NatGateway", nat) in owners
        assert ("Is attached to DBInstance", world.db_arn) in owners

    def test_logging_state_in_supplementary_configuration_is_kept(self, collected):
        world, on, *_ = collected
        bucket = on.resources[f"arn:aws:s3:::{world.bucket}"]
        assert "BucketLoggingConfiguration" in bucket.supplementary
        alb = on.resources[world.alb_arn]
        assert isinstance(alb.supplementary["LoadBalancerAttributes"], list)
        function = on.resources[world.function_arn]
        assert function.configuration["environment"]["variables"] == {"API_TOKEN": "<redacted>"}

    def test_types_covered_are_what_the_recorder_records(self, collected):
        _, on, *_ = collected
        assert on.types_covered == set(supported_types())
        assert {"AWS::EC2::Instance", "AWS::IAM::Role"} <= on.types_covered

    def test_few_calls_per_resource(self, collected):
        _, on, _, _, calls_on, events, _ = collected
        # 2 recorder calls + one advanced query (a page per 100 rows)
        assert calls_on <= 2 + 1 + len(on.resources) // 100
        assert calls_on / len(on.resources) <= 1.5
        assert ("resources", {"account": ACCOUNT, "region": "us-east-1",
                              "count": len(on.resources)}) in events  # fmt: skip

    def test_a_region_with_config_off_yields_nothing_through_config(self, collected):
        _, _, off, *_ = collected
        assert off.resources == {} and off.relationships == []
        assert off.types_covered == set()
        assert off.errors == []

    def test_list_and_batch_get_path_finds_the_same_graph(self, collected):
        world, on, _, fallback, _, _, fallback_aws = collected
        assert set(fallback.resources) == set(on.resources)
        instance = world.arn("instance", world.instance)
        assert (instance, "Is contained in Vpc", world.arn("vpc", world.vpc)) in edges_of(fallback)
        assert set(edges_of(fallback)) == set(edges_of(on))
        operations = {op for _, op in fallback_aws.call_log.counts}
        assert {"ListDiscoveredResources", "BatchGetResourceConfig",
                "GetResourceConfigHistory"} <= operations  # fmt: skip
        assert "SelectResourceConfig" not in operations


def test_recorder_with_a_type_list_covers_only_those_types():
    with mock_aws(), moto_config.registered():
        session = session_for()
        world = build_world(session, "us-east-1", full=False)
        session.client("s3").create_bucket(Bucket="cfg-bucket")
        turn_config_on(
            session, "us-east-1", "cfg-bucket", allSupported=False,
            includeGlobalResourceTypes=False,
            resourceTypes=["AWS::EC2::VPC", "AWS::EC2::Instance"],
        )  # fmt: skip
        inv = ConfigServiceSource(AwsContext(session)).collect_region(ACCOUNT, "us-east-1")
        assert inv.types_covered == {"AWS::EC2::VPC", "AWS::EC2::Instance"}
        assert {r.resource.type for r in inv.resources.values()} == {
            "AWS::EC2::VPC",
            "AWS::EC2::Instance",
        }
        assert world.arn("instance", world.instance) in inv.resources


def test_a_stopped_recorder_means_config_off():
    with mock_aws(), moto_config.registered():
        session = session_for()
        build_world(session, "us-east-1", full=False)
        session.client("s3").create_bucket(Bucket="cfg-bucket")
        turn_config_on(session, "us-east-1", "cfg-bucket")
        session.client("config").stop_configuration_recorder(ConfigurationRecorderName="default")
        inv = ConfigServiceSource(AwsContext(session)).collect_region(ACCOUNT, "us-east-1")
        assert (inv.resources, inv.types_covered, inv.errors) == ({}, set(), [])


# ------------------------------------------------------------- Stubber-validated shapes


def stubbed_source(**kwargs):
    aws = AwsContext(
        boto3.Session(region_name="us-east-1"),
        account=ACCOUNT,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    client = aws.client("config", "us-east-1")
    return ConfigServiceSource(aws, **kwargs), Stubber(client)


RECORDER = {
    "ConfigurationRecorders": [
        {
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {
                "allSupported": False,
                "includeGlobalResourceTypes": False,
                "resourceTypes": ["AWS::EC2::Instance", "AWS::EC2::VPC"],
                "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
            },
        }
    ]
}
STATUS = {"ConfigurationRecordersStatus": [{"name": "default", "recording": True}]}
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def base_item(rtype: str, rid: str, arn: str, configuration: dict) -> dict:
    return {
        "version": "1.3",
        "accountId": ACCOUNT,
        "configurationItemCaptureTime": NOW,
        "configurationItemStatus": "OK",
        "configurationStateId": "1764493200000",
        "arn": arn,
        "resourceType": rtype,
        "resourceId": rid,
        "awsRegion": "us-east-1",
        "availabilityZone": "us-east-1a",
        "configuration": json.dumps(configuration),
        "supplementaryConfiguration": {},
    }


def test_access_denied_on_the_recorder_is_an_error_and_the_run_goes_on():
    source, stub = stubbed_source()
    stub.add_client_error(
        "describe_configuration_recorders",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform: config:DescribeConfigurationRecorders",
        http_status_code=400,
    )
    with stub:
        inv = source.collect_region(ACCOUNT, "us-east-1")
    [error] = inv.errors
    assert (error.code, error.operation, error.region) == (
        "AccessDeniedException",
        "DescribeConfigurationRecorders",
        "us-east-1",
    )
    assert inv.types_covered == set() and inv.resources == {}
    stub.assert_no_pending_responses()


def test_throttled_query_falls_back_to_list_and_batch_get_retrying_unprocessed_keys():
    source, stub = stubbed_source()
    vpc_arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-1"
    inst_arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"
    stub.add_response("describe_configuration_recorders", RECORDER)
    stub.add_response("describe_configuration_recorder_status", STATUS)
    stub.add_client_error(
        "select_resource_config", service_error_code="ThrottlingException", http_status_code=400
    )
    stub.add_response(
        "list_discovered_resources",
        {"resourceIdentifiers": [{"resourceType": "AWS::EC2::Instance", "resourceId": "i-1"}]},
        {"resourceType": "AWS::EC2::Instance", "limit": 100},
    )
    stub.add_response(
        "list_discovered_resources",
        {"resourceIdentifiers": [{"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1"}]},
        {"resourceType": "AWS::EC2::VPC", "limit": 100},
    )
    keys = [
        {"resourceType": "AWS::EC2::Instance", "resourceId": "i-1"},
        {"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1"},
    ]
    stub.add_response(
        "batch_get_resource_config",
        {
            "baseConfigurationItems": [
                base_item("AWS::EC2::VPC", "vpc-1", vpc_arn, {"vpcId": "vpc-1"})
            ],
            "unprocessedResourceKeys": [keys[0]],
        },
        {"resourceKeys": keys},
    )
    stub.add_response(
        "get_resource_config_history",
        {"configurationItems": []},
        {"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1", "limit": 1},
    )
    stub.add_response(
        "batch_get_resource_config",
        {
            "baseConfigurationItems": [
                base_item("AWS::EC2::Instance", "i-1", inst_arn, {"instanceId": "i-1"})
            ],
        },
        {"resourceKeys": [keys[0]]},
    )
    history = base_item("AWS::EC2::Instance", "i-1", inst_arn, {"instanceId": "i-1"})
    history.pop("supplementaryConfiguration")
    history.update(
        tags={"Name": "web"},
        relationships=[
            {
                "resourceType": "AWS::EC2::VPC",
                "resourceId": "vpc-1",
                "relationshipName": "Is contained in Vpc",
            }
        ],
    )
    stub.add_response(
        "get_resource_config_history",
        {"configurationItems": [history]},
        {"resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "limit": 1},
    )
    events: list[tuple[str, dict]] = []
    with stub:
        inv = source.collect_region(ACCOUNT, "us-east-1", lambda e, d: events.append((e, d)))
    stub.assert_no_pending_responses()
    # the fallback recovered everything: a progress event, not an error
    assert inv.errors == []
    assert ("fallback", "ThrottlingException") in {(e, d.get("code")) for e, d in events}
    assert set(inv.resources) == {vpc_arn, inst_arn}
    assert inv.resources[inst_arn].resource.name == "web"
    assert [(r.source, r.name, r.target) for r in inv.relationships] == [
        (inst_arn, "Is contained in Vpc", vpc_arn)
    ]
    assert inv.types_covered == {"AWS::EC2::Instance", "AWS::EC2::VPC"}


def test_advanced_query_rows_as_aws_returns_them():
    source, stub = stubbed_source()
    stub.add_response("describe_configuration_recorders", RECORDER)
    stub.add_response("describe_configuration_recorder_status", STATUS)
    row = {
        "resourceId": "i-2",
        "resourceType": "AWS::EC2::Instance",
        "arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-2",
        "accountId": ACCOUNT,
        "awsRegion": "us-east-1",
        "configurationItemCaptureTime": "2026-11-30T09:00:00.000Z",
        "configurationItemStatus": "OK",
        "tags": [{"key": "Name", "value": "batch\x1b[31m"}],
        "configuration": {"instanceId": "i-2"},
        "supplementaryConfiguration": {},
        # a relationship without its name: the verb Config uses for the pair is supplied
        "relationships": [{"resourceId": "subnet-9", "resourceType": "AWS::EC2::Subnet"}],
    }
    stub.add_response(
        "select_resource_config",
        {"Results": [json.dumps(row)], "QueryInfo": {"SelectFields": [{"Name": "resourceId"}]}},
    )
    with stub:
        inv = source.collect_region(ACCOUNT, "us-east-1")
    stub.assert_no_pending_responses()
    [res] = inv.resources.values()
    assert res.resource.name == "batch␛[31m"
    [rel] = inv.relationships
    assert (rel.name, rel.target, rel.raw) == (
        "Is contained in Subnet",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/subnet-9",
        None,
    )


def test_expressions_stay_within_the_api_limit():
    expressions = list(select_expressions(sorted(supported_types())))
    assert len(expressions) > 1
    assert all(len(e) <= MAX_EXPRESSION for e in expressions)
    assert all("WHERE resourceType IN (" in e for e in expressions)
    listed = {t for e in expressions for t in e.split("IN (")[1].rstrip(")").split(", ")}
    assert listed == {f"'{t}'" for t in supported_types()}
    assert next(select_expressions(None)).startswith("SELECT resourceId")


@pytest.mark.parametrize(
    ("group", "covered"),
    [
        ({"allSupported": True, "includeGlobalResourceTypes": True}, "all"),
        ({"allSupported": True, "includeGlobalResourceTypes": False}, "all-but-global"),
        (
            {
                "allSupported": False,
                "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::Volume"]},
                "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
            },
            "all-but-volume",
        ),
        ({"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]}, "bucket"),
    ],
)
def test_recording_groups(group, covered):
    class Client:
        def describe_configuration_recorders(self):
            return {"ConfigurationRecorders": [{"name": "r", "recordingGroup": group}]}

        def describe_configuration_recorder_status(self):
            return {"ConfigurationRecordersStatus": [{"name": "r", "recording": True}]}

    types = read_recorder(Client()).covered_types()
    everything = supported_types()
    expected = {
        "all": everything,
        "all-but-global": everything - {"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role",
                                        "AWS::IAM::Policy"},
        "all-but-volume": everything - {"AWS::EC2::Volume"},
        "bucket": {"AWS::S3::Bucket"},
    }[covered]  # fmt: skip
    assert types == expected


def test_no_recorder_is_off():
    assert RecorderState().covered_types() == frozenset()
    assert not RecorderState(exists=True, recording=False, all_supported=True).on


def test_failures_on_the_fallback_path_are_errors_and_uncover_their_types():
    source, stub = stubbed_source(use_select=False)
    stub.add_response("describe_configuration_recorders", RECORDER)
    stub.add_response("describe_configuration_recorder_status", STATUS)
    stub.add_client_error("list_discovered_resources", service_error_code="AccessDeniedException")
    stub.add_response(
        "list_discovered_resources",
        {"resourceIdentifiers": [{"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1"}]},
    )
    stub.add_client_error("batch_get_resource_config", service_error_code="ThrottlingException")
    with stub:
        inv = source.collect_region(ACCOUNT, "us-east-1")
    stub.assert_no_pending_responses()
    assert [(e.operation, e.code) for e in inv.errors] == [
        ("ListDiscoveredResources", "AccessDeniedException"),
        ("BatchGetResourceConfig", "ThrottlingException"),
    ]
    assert inv.types_covered == set()  # neither type was collected completely
    assert inv.resources == {}
