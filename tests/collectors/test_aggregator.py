"""A Config aggregator over a three-account organization (moto, assume-role, extension)."""

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
from collectors.inventory.aggregator import AggregatorSource

MANAGEMENT = "123456789012"


@pytest.fixture(scope="module")
def organization():
    """Management + two members; Config on in us-east-1 (management, member 1) and
    eu-west-1 (member 2), off in member 2's us-east-1; an organization aggregator."""
    with mock_aws(), moto_config.registered():
        management = session_for()
        orgs = management.client("organizations")
        orgs.create_organization(FeatureSet="ALL")
        members = [
            orgs.create_account(AccountName=name, Email=f"{name}@example.com")[
                "CreateAccountStatus"
            ]["AccountId"]
            for name in ("prod", "dev")
        ]
        worlds = {}
        management.client("s3").create_bucket(Bucket="org-config-bucket")
        worlds[(MANAGEMENT, "us-east-1")] = build_world(management, "us-east-1", prefix="mgmt")
        turn_config_on(management, "us-east-1", "org-config-bucket")
        prod = session_for(members[0])
        worlds[(members[0], "us-east-1")] = build_world(prod, "us-east-1", full=False, prefix="p")
        turn_config_on(prod, "us-east-1", "org-config-bucket")
        dev = session_for(members[1])
        worlds[(members[1], "eu-west-1")] = build_world(dev, "eu-west-1", full=False, prefix="d")
        turn_config_on(dev, "eu-west-1", "org-config-bucket")
        dark = build_world(dev, "us-east-1", full=False, prefix="dark")  # Config off there
        management.client("config").put_configuration_aggregator(
            ConfigurationAggregatorName="org",
            OrganizationAggregationSource={
                "RoleArn": f"arn:aws:iam::{MANAGEMENT}:role/aggregator",
                "AllAwsRegions": True,
            },
        )
        aws = AwsContext(management, account=MANAGEMENT)
        events: list[tuple[str, dict]] = []
        inventories = AggregatorSource(aws, "org").collect_all(lambda e, d: events.append((e, d)))
        fallback_aws = AwsContext(management, account=MANAGEMENT)
        fallback = AggregatorSource(fallback_aws, "org", use_select=False).collect_all()
        yield {
            "members": members,
            "worlds": worlds,
            "dark": dark,
            "inventories": {(i.account, i.region): i for i in inventories},
            "calls": aws.call_log.total,
            "events": events,
            "fallback": {(i.account, i.region): i for i in fallback},
            "fallback_calls": fallback_aws.call_log.counts,
        }


def test_one_inventory_per_account_region_with_config_on(organization):
    inventories = organization["inventories"]
    prod, dev = organization["members"]
    assert set(inventories) == {(MANAGEMENT, "us-east-1"), (prod, "us-east-1"), (dev, "eu-west-1")}
    assert all(inv.source == "aggregator" for inv in inventories.values())
    assert all(inv.errors == [] for inv in inventories.values())


def test_each_accounts_resources_and_relationships_arrive_without_assuming_roles(organization):
    inventories = organization["inventories"]
    for place, world in organization["worlds"].items():
        inv = inventories[place]
        instance = world.arn("instance", world.instance)
        assert instance in inv.resources
        assert inv.resources[instance].resource.account == place[0]
        edges = {(r.source, r.name, r.target) for r in inv.relationships}
        assert (instance, "Is contained in Vpc", world.arn("vpc", world.vpc)) in edges
        assert "AWS::EC2::Instance" in inv.types_covered


def test_a_region_with_config_off_in_a_member_is_absent(organization):
    dark = organization["dark"]
    everything = {rid for inv in organization["inventories"].values() for rid in inv.resources}
    assert dark.arn("instance", dark.instance) not in everything
    assert (organization["members"][1], "us-east-1") not in organization["inventories"]


def test_the_advanced_query_path_costs_a_few_calls(organization):
    total = sum(len(inv.resources) for inv in organization["inventories"].values())
    assert total > 40
    assert organization["calls"] <= 1 + 1 + total // 100
    assert any(event == "resources" for event, _ in organization["events"])


def test_the_list_and_batch_get_path_finds_the_same_resources(organization):
    fallback, inventories = organization["fallback"], organization["inventories"]
    assert {p: set(i.resources) for p, i in fallback.items() if i.resources} == {
        p: set(i.resources) for p, i in inventories.items()
    }
    operations = {op for _, op in organization["fallback_calls"]}
    assert {"ListAggregateDiscoveredResources", "BatchGetAggregateResourceConfig"} <= operations
    assert "GetAggregateResourceConfig" in operations  # relationships, per resource
    assert all(inv.errors == [] for inv in fallback.values())
    for place, world in organization["worlds"].items():
        edges = {(r.source, r.name, r.target) for r in fallback[place].relationships}
        instance = world.arn("instance", world.instance)
        assert (instance, "Is contained in Vpc", world.arn("vpc", world.vpc)) in edges


def test_an_unknown_aggregator_is_one_error():
    with mock_aws(), moto_config.registered():
        aws = AwsContext(session_for(), account=MANAGEMENT)
        [inv] = AggregatorSource(aws, "nope").collect_all()
        [error] = inv.errors
        assert error.operation == "DescribeConfigurationAggregators"
        assert inv.resources == {}


def stubbed(**kwargs):
    aws = AwsContext(
        boto3.Session(region_name="us-east-1"),
        account=MANAGEMENT,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    return AggregatorSource(aws, "org", **kwargs), Stubber(aws.client("config", "us-east-1"))


AGGREGATOR = {
    "ConfigurationAggregators": [
        {
            "ConfigurationAggregatorName": "org",
            "ConfigurationAggregatorArn": f"arn:aws:config:us-east-1:{MANAGEMENT}:"
            "config-aggregator/config-aggregator-abcdefgh",
            "OrganizationAggregationSource": {
                "RoleArn": f"arn:aws:iam::{MANAGEMENT}:role/aggregator",
                "AllAwsRegions": True,
            },
        }
    ]
}


def test_access_denied_query_falls_back_and_unprocessed_identifiers_are_retried():
    source, stub = stubbed()
    stub.add_response("describe_configuration_aggregators", AGGREGATOR)
    stub.add_client_error(
        "select_aggregate_resource_config", service_error_code="AccessDeniedException"
    )
    ident = {
        "SourceAccountId": "210987654321",
        "SourceRegion": "eu-west-1",
        "ResourceId": "my-bucket",
        "ResourceType": "AWS::S3::Bucket",
        "ResourceName": "my-bucket",
    }
    for resource_type in source_fallback_types():
        response = {"ResourceIdentifiers": [ident] if resource_type == "AWS::S3::Bucket" else []}
        stub.add_response("list_aggregate_discovered_resources", response)
    stub.add_response(
        "batch_get_aggregate_resource_config",
        {"BaseConfigurationItems": [], "UnprocessedResourceIdentifiers": [ident]},
    )
    bucket = {
        "version": "1.3",
        "accountId": "210987654321",
        "configurationItemCaptureTime": datetime(2026, 11, 30, tzinfo=UTC),
        "configurationItemStatus": "OK",
        "arn": "arn:aws:s3:::my-bucket",
        "resourceType": "AWS::S3::Bucket",
        "resourceId": "my-bucket",
        "resourceName": "my-bucket",
        "awsRegion": "eu-west-1",
        "configuration": json.dumps({"name": "my-bucket"}),
        "supplementaryConfiguration": {
            "BucketLoggingConfiguration": json.dumps({"destinationBucketName": "logs"})
        },
    }
    stub.add_response("batch_get_aggregate_resource_config", {"BaseConfigurationItems": [bucket]})
    with stub:
        inventories = {(i.account, i.region): i for i in source.collect_all()}
    stub.assert_no_pending_responses()
    bucket_inv = inventories[("210987654321", "eu-west-1")]
    item = bucket_inv.resources["arn:aws:s3:::my-bucket"]
    assert item.supplementary["BucketLoggingConfiguration"] == {"destinationBucketName": "logs"}
    assert all(inv.errors == [] for inv in inventories.values())  # the fallback recovered


def source_fallback_types():
    from collectors.inventory.config_service import FALLBACK_TYPES

    return FALLBACK_TYPES
