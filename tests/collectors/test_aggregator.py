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
        # Log sources whose own configuration items are the evidence of logging.
        vpc = worlds[(members[0], "us-east-1")].vpc
        prod.client("ec2", "us-east-1").create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType="REJECT",
            LogDestinationType="cloud-watch-logs",
            LogGroupName="flow-logs",
            DeliverLogsPermissionArn=f"arn:aws:iam::{members[0]}:role/flow-logs",
        )
        detector = prod.client("guardduty", "us-east-1").create_detector(Enable=True)
        management.client("config").put_configuration_aggregator(
            ConfigurationAggregatorName="org",
            OrganizationAggregationSource={
                "RoleArn": f"arn:aws:iam::{MANAGEMENT}:role/aggregator",
                "AllAwsRegions": True,
            },
        )
        aws = AwsContext(management, account=MANAGEMENT)
        events: list[tuple[str, dict]] = []
        source = AggregatorSource(aws, "org")
        inventories = source.collect_all(lambda e, d: events.append((e, d)))
        split_aws = AwsContext(management, account=MANAGEMENT)
        split = AggregatorSource(split_aws, "org", split_account_at=5, workers=2)
        split_inventories = split.collect_all()
        fallback_aws = AwsContext(management, account=MANAGEMENT)
        fallback = AggregatorSource(fallback_aws, "org", use_select=False).collect_all()
        yield {
            "members": members,
            "worlds": worlds,
            "dark": dark,
            "inventories": {(i.account, i.region): i for i in inventories},
            "calls": aws.call_log.counts,
            "partitions": source.partitions,
            "split": {(i.account, i.region): i for i in split_inventories},
            "split_partitions": split.partitions,
            "split_calls": split_aws.call_log.counts,
            "detector": detector["DetectorId"],
            "vpc": vpc,
            "events": events,
            "fallback": {(i.account, i.region): i for i in fallback},
            "fallback_calls": fallback_aws.call_log.counts,
        }


def test_one_inventory_per_account_and_region_seen(organization):
    inventories = organization["inventories"]
    prod, dev = organization["members"]
    accounts = {MANAGEMENT, prod, dev}
    assert set(inventories) == {(a, r) for a in accounts for r in ("us-east-1", "eu-west-1")}
    holding = {place for place, inv in inventories.items() if inv.resources}
    assert holding == {(MANAGEMENT, "us-east-1"), (prod, "us-east-1"), (dev, "eu-west-1")}
    assert all(inv.source == "aggregator" for inv in inventories.values())
    assert all(inv.errors == [] for inv in inventories.values())
    assert next(iter(inventories)) == (MANAGEMENT, "us-east-1")  # the run's errors go there


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
    # Present (its region-level controls are then not known), but empty.
    assert organization["inventories"][(organization["members"][1], "us-east-1")].resources == {}


def test_one_query_per_account_after_one_count(organization):
    calls = organization["calls"]
    total = sum(len(inv.resources) for inv in organization["inventories"].values())
    assert total > 40
    assert calls[("config", "DescribeConfigurationAggregators")] == 1
    assert calls[("config", "DescribeConfigurationAggregatorSourcesStatus")] == 1
    assert calls[("organizations", "ListAccounts")] == 1
    # One GROUP BY accountId count, then one cursor per account that holds items (each
    # fits in a page of 100 here).
    assert [p.account for p in organization["partitions"]] == sorted(
        {place[0] for place, inv in organization["inventories"].items() if inv.resources}
    )
    assert all("WHERE accountId = '" in p.expression for p in organization["partitions"])
    assert calls[("config", "SelectAggregateResourceConfig")] == 1 + len(organization["partitions"])
    assert sum(calls.values()) <= 3 + 1 + len(organization["partitions"]) + total // 100
    assert any(event == "resources" for event, _ in organization["events"])


def test_large_accounts_are_split_by_resource_type_with_the_same_result(organization):
    split, whole = organization["split"], organization["inventories"]
    assert {p: set(i.resources) for p, i in split.items()} == {
        p: set(i.resources) for p, i in whole.items()
    }
    partitions = organization["split_partitions"]
    assert len(partitions) > len(organization["partitions"])
    assert all("AND resourceType IN (" in p.expression for p in partitions)
    # Each group holds at most 5 items unless one type alone holds more.
    assert all(p.expected <= 5 or p.expression.count("'AWS::") == 1 for p in partitions)
    counts = organization["split_calls"]
    accounts = len(organization["partitions"])
    # The account count, one type count per split account, then the partitions.
    assert counts[("config", "SelectAggregateResourceConfig")] == 1 + accounts + len(partitions)


def test_log_source_items_arrive_with_their_configuration(organization):
    prod = organization["members"][0]
    inventory = organization["inventories"][(prod, "us-east-1")]
    [flow_log] = inventory.of_type("AWS::EC2::FlowLog")
    assert flow_log.configuration["resourceId"] == organization["vpc"]
    assert flow_log.configuration["trafficType"] == "REJECT"
    [detector] = inventory.of_type("AWS::GuardDuty::Detector")
    assert detector.configuration == {
        "Id": organization["detector"],
        "Enable": True,
        "FindingPublishingFrequency": "SIX_HOURS",
    }
    [recorder] = inventory.of_type("AWS::Config::ConfigurationRecorder")
    assert recorder.configuration["Recording"] is True
    assert recorder.configuration["RecordingGroup"]["AllSupported"] is True
    # Member 2 records in eu-west-1 only: no recorder item from its us-east-1.
    dev = organization["members"][1]
    assert organization["inventories"][(dev, "eu-west-1")].of_type(
        "AWS::Config::ConfigurationRecorder"
    )
    assert not organization["inventories"][(dev, "us-east-1")].resources


def test_the_list_and_batch_get_path_finds_the_same_resources(organization):
    fallback, inventories = organization["fallback"], organization["inventories"]
    assert {p: set(i.resources) for p, i in fallback.items() if i.resources} == {
        p: set(i.resources) for p, i in inventories.items() if i.resources
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
    """A source whose config client is stubbed; Organizations refuses to list accounts."""
    aws = AwsContext(
        boto3.Session(region_name="us-east-1"),
        account=MANAGEMENT,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    orgs = Stubber(aws.client("organizations", "us-east-1"))
    orgs.add_client_error("list_accounts", service_error_code="AccessDeniedException")
    orgs.activate()
    return AggregatorSource(aws, "org", **kwargs), Stubber(aws.client("config", "us-east-1"))


SOURCES_OK = {
    "AggregatedSourceStatusList": [
        {
            "SourceId": "o-abcdefghij",
            "SourceType": "ORGANIZATION",
            "AwsRegion": "eu-west-1",
            "LastUpdateStatus": "SUCCEEDED",
        }
    ]
}


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
    stub.add_response("describe_configuration_aggregator_sources_status", SOURCES_OK)
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
    from collectors.inventory.aggregator import LOG_SOURCE_TYPES
    from collectors.inventory.config_service import FALLBACK_TYPES

    return list(dict.fromkeys((*FALLBACK_TYPES, *LOG_SOURCE_TYPES)))


def test_type_groups_stay_under_the_split_size_and_the_expression_limit():
    from collectors.inventory.aggregator import MAX_EXPRESSION, type_group_expressions

    counts = {f"AWS::Svc{i}::Type{i}": 30 for i in range(300)}
    counts["AWS::EC2::Instance"] = 500  # alone above the limit: a group of its own
    partitions = type_group_expressions("111122223333", counts, 100)
    listed = [t for p in partitions for t in p.expression.split("IN (", 1)[1].split("'")[1::2]]
    assert sorted(listed) == sorted(counts)  # every type exactly once
    assert all(len(p.expression) <= MAX_EXPRESSION for p in partitions)
    assert all(p.expected <= 100 or p.expression.count("'AWS::") == 1 for p in partitions)
    assert any(p.expected == 500 for p in partitions)
    assert all("WHERE accountId = '111122223333' AND resourceType IN (" in p.expression
               for p in partitions)  # fmt: skip


def test_literals_are_quoted():
    from collectors.inventory.aggregator import account_expression, quote

    assert quote("o'brien") == "'o''brien'"
    assert account_expression("1' OR '1'='1").endswith("WHERE accountId = '1'' OR ''1''=''1'")


def test_a_failed_aggregation_source_is_one_error_and_the_items_still_arrive():
    source, stub = stubbed()
    stub.add_response("describe_configuration_aggregators", AGGREGATOR)
    failed = {
        "AggregatedSourceStatusList": [
            *SOURCES_OK["AggregatedSourceStatusList"],
            {
                "SourceId": "o-abcdefghij",
                "SourceType": "ORGANIZATION",
                "AwsRegion": "ap-south-1",
                "LastUpdateStatus": "FAILED",
                "LastErrorCode": "OrganizationAccessDeniedException",
                "LastErrorMessage": "\x1b[31mdenied",
            },
        ]
    }
    stub.add_response("describe_configuration_aggregator_sources_status", failed)
    stub.add_response(
        "select_aggregate_resource_config",
        {"Results": [json.dumps({"accountId": "210987654321", "COUNT(*)": 1})]},
    )
    row = {
        "accountId": "210987654321",
        "awsRegion": "eu-west-1",
        "resourceType": "AWS::GuardDuty::Detector",
        "resourceId": "d1",
        "arn": "arn:aws:guardduty:eu-west-1:210987654321:detector/d1",
        "configuration": {"Id": "d1", "Enable": False},
        "supplementaryConfiguration": {},
    }
    stub.add_response("select_aggregate_resource_config", {"Results": [json.dumps(row)]})
    with stub:
        inventories = source.collect_all()
    stub.assert_no_pending_responses()
    [error] = [e for inv in inventories for e in inv.errors]
    assert error.code == "AggregationSourceFailed"
    assert "ap-south-1" in error.message and "\x1b" not in error.message
    assert source.scope.regions == {"eu-west-1", "ap-south-1"}
    by_place = {(i.account, i.region): i for i in inventories}
    [detector] = by_place[("210987654321", "eu-west-1")].of_type("AWS::GuardDuty::Detector")
    assert detector.configuration["Enable"] is False
    # The caller's own account appears in the region the items came from and at home.
    assert {(MANAGEMENT, "eu-west-1"), (MANAGEMENT, "us-east-1")} <= set(by_place)


class CountingClient:
    """Answers the two GROUP BY counts of a million-item aggregator (no item is built)."""

    def __init__(self, per_account: dict[str, int], per_type: dict[str, dict[str, int]]):
        self.per_account, self.per_type = per_account, per_type
        self.expressions: list[str] = []

    def get_paginator(self, name):
        assert name == "select_aggregate_resource_config"
        return self

    def paginate(self, *, ConfigurationAggregatorName, Expression, PaginationConfig):
        self.expressions.append(Expression)
        if "GROUP BY accountId" in Expression:
            rows = [{"accountId": a, "COUNT(*)": n} for a, n in self.per_account.items()]
        else:
            account = Expression.split("accountId = '")[1].split("'")[0]
            rows = [{"resourceType": t, "COUNT(*)": n} for t, n in self.per_type[account].items()]
        for start in range(0, len(rows), 100):
            yield {"Results": [json.dumps(r) for r in rows[start : start + 100]]}


def test_a_million_items_are_read_through_short_cursors():
    accounts = {f"{100000000000 + i}": 950 for i in range(1000)}
    big = "100000000007"
    accounts[big] = 50_000
    per_type = {big: {f"AWS::Svc{i}::Thing": 2_000 for i in range(25)}}
    client = CountingClient(accounts, per_type)
    source = AggregatorSource(AwsContext(boto3.Session(region_name="us-east-1")), "org")
    partitions = source.plan_partitions(client)
    assert sum(p.expected for p in partitions) == sum(accounts.values()) == 999_050
    # 999 accounts of 950 items: one cursor each (10 pages); the 50,000-item account: 5
    # cursors of 10,000 items (100 pages each), never one cursor of 10,000 pages.
    assert len(partitions) == 999 + 5
    assert max(p.expected for p in partitions) == 10_000
    # Planning: two queries, the account count (10 pages of 100 groups) and the split
    # account's type count; then 1,004 cursors, ~10,000 pages in all, 4 read at a time.
    assert len(client.expressions) == 2
