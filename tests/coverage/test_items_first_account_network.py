"""Account and network probes: with a credential, AWS Config's item decides where it holds
the setting, and the probe's call is made only for what the items leave undecided.

Each case builds the setting in moto and decides it three ways with a credential, counting
calls: by the direct API (the probe lists and describes), from Config items that hold the
deciding fields (none of the probe's calls made, the API's verdict), and from Config items
that lack them (the call is made, the same verdict).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3
from moto import mock_aws

from collectors.account_facts import AccountFacts
from collectors.aws.session import AwsContext
from collectors.coverage.base import Probe, ProbeContext
from collectors.coverage.probes.account import probe_cloudtrail
from collectors.coverage.probes.account_detection import probe_guardduty
from collectors.coverage.probes.network import probe_route53_query_logs, probe_vpc_flow_logs
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.model import GLOBAL_REGION, Coverage, Layer, Resource, Status, region_node_id

ACCOUNT = "123456789012"
REGION = "us-east-1"
REGION_ID = region_node_id(ACCOUNT, REGION)


def _item(
    type_: str,
    arn: str,
    resource_id: str,
    configuration: dict[str, Any],
    *,
    source: str = "config",
    region: str = REGION,
) -> CollectedResource:
    return CollectedResource(
        Resource(
            id=arn,
            type=type_,
            account=ACCOUNT,
            region=region,
            name=resource_id,
            resource_id=resource_id,
            source=source,
        ),
        configuration=configuration,
    )


def _inventory(*items: CollectedResource, source: str = "config") -> RegionInventory:
    """An inventory holding the items; a Config source covers (records) their types."""
    inventory = RegionInventory(ACCOUNT, REGION, source)
    for item in items:
        inventory.add(item)
        if source == "config":
            inventory.types_covered.add(item.type)
    return inventory


def _run(probe: Probe, inventory: RegionInventory) -> tuple[ProbeContext, Counter]:
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    ctx = ProbeContext(aws, ACCOUNT, REGION, inventory, facts=AccountFacts())
    probe(ctx)
    return ctx, aws.call_log.counts


def _calls(counts: Counter, *operations: str) -> dict[str, int]:
    return {op: sum(n for (_, name), n in counts.items() if name == op) for op in operations}


def _one(ctx: ProbeContext, resource_id: str, control: str) -> Coverage:
    found = [c for c in ctx.coverage.get(resource_id, []) if c.control == control]
    assert len(found) == 1, ctx.coverage
    return found[0]


def _three_ways(
    probe: Probe,
    control: str,
    resource_id: str,
    api: RegionInventory,
    holding: RegionInventory,
    lacking: RegionInventory,
    *calls: str,
) -> Status:
    """The API's verdict; the same from items holding the fields (none of `calls` made) and
    from items lacking them (the first of `calls` made). Returns the verdict."""
    ctx, counts = _run(probe, api)
    expected = _one(ctx, resource_id, control).status
    assert _calls(counts, calls[0])[calls[0]] >= 1
    ctx, counts = _run(probe, holding)
    decided = _one(ctx, resource_id, control)
    assert decided.status is expected, decided
    assert decided.operation and decided.operation.startswith("config:"), decided
    assert _calls(counts, *calls) == dict.fromkeys(calls, 0)
    ctx, counts = _run(probe, lacking)
    assert _one(ctx, resource_id, control).status is expected
    assert _calls(counts, calls[0])[calls[0]] >= 1
    return expected


# --------------------------------------------------------------------------- account layer


@mock_aws
def test_guardduty_from_the_detector_item() -> None:
    detector = boto3.client("guardduty", REGION).create_detector(Enable=True)["DetectorId"]
    arn = f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector}"
    type_ = "AWS::GuardDuty::Detector"
    verdict = _three_ways(
        probe_guardduty,
        "guardduty",
        REGION_ID,
        _inventory(source="api"),
        _inventory(_item(type_, arn, detector, {"Id": detector, "Enable": True})),
        _inventory(_item(type_, arn, detector, {"Id": detector})),
        "ListDetectors",
        "GetDetector",
    )
    assert verdict is Status.logged


@mock_aws
def test_guardduty_without_an_item_where_config_does_not_record_detectors_asks() -> None:
    _, counts = _run(probe_guardduty, _inventory())
    assert _calls(counts, "ListDetectors") == {"ListDetectors": 1}


def _trail() -> str:
    boto3.client("s3", REGION).create_bucket(Bucket="trail-items-first")
    cloudtrail = boto3.client("cloudtrail", REGION)
    arn = cloudtrail.create_trail(
        Name="main", S3BucketName="trail-items-first", IsMultiRegionTrail=True
    )["TrailARN"]
    cloudtrail.start_logging(Name="main")
    return str(arn)


@mock_aws
def test_cloudtrail_status_and_selectors_from_the_trail_item() -> None:
    arn = _trail()
    type_ = "AWS::CloudTrail::Trail"
    describe_shape = {
        "name": "main",
        "trailARN": arn,
        "homeRegion": REGION,
        "isMultiRegionTrail": True,
        "s3BucketName": "trail-items-first",
    }
    schema_shape = {
        "TrailName": "main",
        "IsMultiRegionTrail": True,
        "S3BucketName": "trail-items-first",
        "IsLogging": True,
        "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
        "InsightSelectors": [],
    }
    reads = ("GetEventSelectors", "GetTrailStatus", "GetInsightSelectors")
    verdict = _three_ways(
        probe_cloudtrail,
        "cloudtrail-management-events",
        REGION_ID,
        _inventory(source="api"),
        _inventory(_item(type_, arn, "main", schema_shape)),
        _inventory(_item(type_, arn, "main", describe_shape)),
        *reads,
    )
    assert verdict is Status.logged
    # The Describe-shape item holds none of the three: each is read, once.
    _, counts = _run(probe_cloudtrail, _inventory(_item(type_, arn, "main", describe_shape)))
    assert _calls(counts, *reads) == dict.fromkeys(reads, 1)


@mock_aws
def test_a_trail_item_saying_no_custom_selectors_spares_the_selector_reads() -> None:
    arn = _trail()
    item = _item(
        "AWS::CloudTrail::Trail",
        arn,
        "main",
        {
            "name": "main",
            "trailARN": arn,
            "isMultiRegionTrail": True,
            "hasCustomEventSelectors": False,
            "hasInsightSelectors": False,
        },
    )
    ctx, counts = _run(probe_cloudtrail, _inventory(item))
    reads = ("GetTrailStatus", "GetEventSelectors", "GetInsightSelectors")
    assert _calls(counts, *reads) == {
        "GetTrailStatus": 1,  # the item does not say whether it logs
        "GetEventSelectors": 0,
        "GetInsightSelectors": 0,
    }
    assert _one(ctx, REGION_ID, "cloudtrail-management-events").status is Status.logged
    assert _one(ctx, REGION_ID, "cloudtrail-insights").status is Status.missing


# --------------------------------------------------------------------------- network layer


@mock_aws
def test_vpc_flow_logs_from_the_flow_log_items() -> None:
    boto3.client("s3", REGION).create_bucket(Bucket="flow-logs")
    ec2 = boto3.client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    flow_log = ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs",
    )["FlowLogIds"][0]
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"

    def vpc_item(source: str = "config") -> CollectedResource:
        return _item("AWS::EC2::VPC", arn, vpc, {"vpcId": vpc}, source=source)

    flow_log_item = _item(
        "AWS::EC2::FlowLog",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/{flow_log}",
        flow_log,
        {
            "flowLogId": flow_log,
            "resourceId": vpc,
            "trafficType": "ALL",
            "flowLogStatus": "ACTIVE",
            "logDestination": "arn:aws:s3:::flow-logs",
        },
    )
    verdict = _three_ways(
        probe_vpc_flow_logs,
        "vpc-flow-logs",
        arn,
        _inventory(vpc_item("api"), source="api"),
        _inventory(vpc_item(), flow_log_item),
        _inventory(vpc_item()),  # Config does not record flow logs here: absence proves nothing
        "DescribeFlowLogs",
    )
    assert verdict is Status.logged


@mock_aws
def test_route53_query_logging_from_the_zone_item() -> None:
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="/aws/route53/logged.example.com")
    group = logs.describe_log_groups(logGroupNamePrefix="/aws/route53/")["logGroups"][0]["arn"]
    route53 = boto3.client("route53", REGION)
    zone = route53.create_hosted_zone(Name="logged.example.com", CallerReference="z")
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    route53.create_query_logging_config(HostedZoneId=zone_id, CloudWatchLogsLogGroupArn=group)
    arn = f"arn:aws:route53:::hostedzone/{zone_id}"

    def zone_item(configuration: dict[str, Any], source: str = "config") -> CollectedResource:
        return _item(
            "AWS::Route53::HostedZone",
            arn,
            zone_id,
            {"Id": zone_id, "Name": "logged.example.com", **configuration},
            source=source,
            region=GLOBAL_REGION,
        )

    holding = {"QueryLoggingConfig": {"CloudWatchLogsLogGroupArn": group}}
    verdict = _three_ways(
        probe_route53_query_logs,
        "route53-query-logs",
        arn,
        _inventory(zone_item({}, "api"), source="api"),
        _inventory(zone_item(holding)),
        _inventory(zone_item({})),
        "ListQueryLoggingConfigs",
    )
    assert verdict is Status.logged


# --------------------------------------------------------------------------- retention


@mock_aws
def test_bucket_lifecycle_retention_from_the_bucket_item() -> None:
    from moto.s3.models import s3_backends

    from collectors.coverage.retention import collect_retention

    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="flows-30")
    rule = {
        "ID": "expire-30",
        "Status": "Enabled",
        "Filter": {"Prefix": "AWSLogs/"},
        "Expiration": {"Days": 30},
    }
    s3.put_bucket_lifecycle_configuration(
        Bucket="flows-30", LifecycleConfiguration={"Rules": [rule]}
    )
    # AWS Config's item of the bucket (moto's own Config adapter writes it as Config does).
    bucket = s3_backends[ACCOUNT]["aws"].buckets["flows-30"]
    held = bucket.to_config_dict()["supplementaryConfiguration"]
    assert "BucketLifecycleConfiguration" in held

    def decide(supplementary: dict[str, Any], source: str = "config") -> tuple[int | None, int]:
        item = _item("AWS::S3::Bucket", "arn:aws:s3:::flows-30", "flows-30", {}, source=source)
        item.supplementary = supplementary
        ctx, _ = _run(lambda ctx: None, _inventory(item, source=source))
        record = ctx.add(
            REGION_ID,
            layer=Layer.network,
            control="vpc-flow-logs",
            status=Status.logged,
            evidence="test",
            destination="arn:aws:s3:::flows-30/AWSLogs/flows",
        )
        assert ctx.aws is not None
        collect_retention(ctx)
        calls = _calls(ctx.aws.call_log.counts, "GetBucketLifecycleConfiguration")
        return record.retention_days, calls["GetBucketLifecycleConfiguration"]

    assert decide({}, source="api") == (30, 1)  # the API's answer
    assert decide(held) == (30, 0)  # the item holds the rules: no call, the same days
    assert decide({}) == (30, 1)  # an item without them: the call


@mock_aws
def test_config_recorder_from_its_own_item() -> None:
    from collectors.coverage.probes.account import probe_config_recorder

    role = (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    )
    group = {"allSupported": True, "includeGlobalResourceTypes": True}
    boto3.client("s3", REGION).create_bucket(Bucket="config-items-first")
    config = boto3.client("config", REGION)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": role, "recordingGroup": group}
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "config-items-first"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    def recorder(**fields: Any) -> CollectedResource:
        arn = f"arn:aws:config:{REGION}:{ACCOUNT}:configuration-recorder/default"
        configuration = {"Name": "default", "RoleARN": role, **fields}
        return _item("AWS::Config::ConfigurationRecorder", arn, "default", configuration)

    holding = recorder(RecordingGroup={"AllSupported": True, "IncludeGlobalResourceTypes": True})
    holding.configuration["Recording"] = True
    verdict = _three_ways(
        probe_config_recorder,
        "config-recorder",
        REGION_ID,
        _inventory(source="api"),
        _inventory(holding),
        _inventory(recorder(RecordingGroup=group)),  # no Recording: the status is a call
        "DescribeConfigurationRecorderStatus",
        "DescribeConfigurationRecorders",
    )
    assert verdict is Status.logged


@mock_aws
def test_resolver_query_logging_from_the_association_item_names_its_destination() -> None:
    from collectors.coverage.probes.network import probe_resolver_query_logs

    vpc = boto3.client("ec2", REGION).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    boto3.client("s3", REGION).create_bucket(Bucket="dns-logs")
    resolver = boto3.client("route53resolver", REGION)
    config = resolver.create_resolver_query_log_config(
        Name="dns", DestinationArn="arn:aws:s3:::dns-logs", CreatorRequestId="1"
    )["ResolverQueryLogConfig"]["Id"]
    association = resolver.associate_resolver_query_log_config(
        ResolverQueryLogConfigId=config, ResourceId=vpc
    )["ResolverQueryLogConfigAssociation"]
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"

    def vpc_item(source: str = "config") -> CollectedResource:
        return _item("AWS::EC2::VPC", arn, vpc, {"vpcId": vpc}, source=source)

    held = _item(
        "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation",
        f"arn:aws:route53resolver:{REGION}:{ACCOUNT}:association/{association['Id']}",
        association["Id"],
        {"ResolverQueryLogConfigId": config, "ResourceId": vpc, "Status": "ACTIVE"},
    )
    verdict = _three_ways(
        probe_resolver_query_logs,
        "resolver-query-logs",
        arn,
        _inventory(vpc_item("api"), source="api"),
        _inventory(vpc_item(), held),
        _inventory(vpc_item()),  # Config does not record associations here
        "ListResolverQueryLogConfigAssociations",
    )
    assert verdict is Status.logged
    # The config (its destination) is not an item here: one listing names it.
    ctx, counts = _run(probe_resolver_query_logs, _inventory(vpc_item(), held))
    assert _calls(counts, "ListResolverQueryLogConfigs") == {"ListResolverQueryLogConfigs": 1}
    assert _one(ctx, arn, "resolver-query-logs").destination == "arn:aws:s3:::dns-logs"
