"""Resolver and public hosted zone query logs, traffic mirroring and Network Firewall
logging, through the real probes on moto.

moto quirks: `list_query_logging_configs(HostedZoneId=...)` raises
NoSuchHostedZone, so the probe lists without the filter; `create_query_logging_config` wants
the log group ARN with its `:*` suffix; `create_firewall_policy` is not implemented but
`create_firewall` accepts a made-up policy ARN; traffic-mirror sessions exist from 5.2.5.
"""

from __future__ import annotations

import boto3
import pytest
from inventory_helpers import ACCOUNT, denied, inventory_from_moto, one, run_probes
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.probes.network import (
    probe_network_firewall,
    probe_resolver_query_logs,
    probe_route53_query_logs,
    probe_traffic_mirroring,
)
from snapshot.model import Expectation, Status

REGION = "us-east-1"


@pytest.fixture
def session():
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _vpc(session) -> str:
    return session.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def _vpc_arn(vpc: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"


# --- Route 53 Resolver query logs ----------------------------------------------------------


def test_resolver_query_logging_per_vpc(session):
    logged, bare = _vpc(session), _vpc(session)
    session.client("s3").create_bucket(Bucket="dns-logs")
    resolver = session.client("route53resolver")
    config = resolver.create_resolver_query_log_config(
        Name="dns", DestinationArn="arn:aws:s3:::dns-logs", CreatorRequestId="1"
    )["ResolverQueryLogConfig"]["Id"]
    resolver.associate_resolver_query_log_config(ResolverQueryLogConfigId=config, ResourceId=logged)
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    ctx = run_probes(session, inventory, probe_resolver_query_logs)

    record = one(ctx, _vpc_arn(logged), "resolver-query-logs")
    assert record.status is Status.logged
    assert config in record.evidence and "Status=ACTIVE" in record.evidence
    assert record.destination == "arn:aws:s3:::dns-logs"
    missing = one(ctx, _vpc_arn(bare), "resolver-query-logs")
    assert missing.status is Status.missing and bare in missing.evidence


def test_resolver_denied_is_unknown(session):
    vpc = _vpc(session)
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    aws = AwsContext(session, account=ACCOUNT)
    with denied(aws, "route53resolver", "ListResolverQueryLogConfigAssociations"):
        ctx = run_probes(session, inventory, probe_resolver_query_logs, aws=aws)
    assert one(ctx, _vpc_arn(vpc), "resolver-query-logs").status is Status.unknown
    assert ctx.errors[0].code == "AccessDenied"


# --- Route 53 public hosted zone query logs ------------------------------------------------


def _zone(session, name: str, private: bool = False) -> str:
    kwargs = {}
    if private:
        kwargs = {
            "VPC": {"VPCRegion": REGION, "VPCId": _vpc(session)},
            "HostedZoneConfig": {"PrivateZone": True},
        }
    zone = session.client("route53").create_hosted_zone(Name=name, CallerReference=name, **kwargs)[
        "HostedZone"
    ]["Id"]
    return zone.rsplit("/", 1)[-1]


def test_public_zone_query_logging_and_private_zone_not_applicable(session):
    logged = _zone(session, "logged.example.com")
    bare = _zone(session, "bare.example.com")
    private = _zone(session, "internal.example", private=True)
    logs = session.client("logs")
    logs.create_log_group(logGroupName="/aws/route53/logged.example.com")
    group_arn = logs.describe_log_groups(logGroupNamePrefix="/aws/route53/")["logGroups"][0]["arn"]
    session.client("route53").create_query_logging_config(
        HostedZoneId=logged, CloudWatchLogsLogGroupArn=group_arn
    )
    inventory = inventory_from_moto(session, types=("AWS::Route53::HostedZone",))
    ctx = run_probes(session, inventory, probe_route53_query_logs)

    record = one(ctx, f"arn:aws:route53:::hostedzone/{logged}", "route53-query-logs")
    assert record.status is Status.logged and record.destination == group_arn
    missing = one(ctx, f"arn:aws:route53:::hostedzone/{bare}", "route53-query-logs")
    assert missing.status is Status.missing
    na = one(ctx, f"arn:aws:route53:::hostedzone/{private}", "route53-query-logs")
    assert na.status is Status.not_applicable


def test_probe_lists_zones_itself_when_the_inventory_has_none(session):
    zone = _zone(session, "solo.example.com")
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    ctx = run_probes(session, inventory, probe_route53_query_logs)
    zone_arn = f"arn:aws:route53:::hostedzone/{zone}"
    assert inventory.resources[zone_arn].resource.region == "global"
    assert one(ctx, zone_arn, "route53-query-logs").status is Status.missing


# --- traffic mirroring ---------------------------------------------------------------------


def test_traffic_mirror_session_per_eni(session):
    ec2 = session.client("ec2")
    vpc = _vpc(session)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    source = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    target_eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    target = ec2.create_traffic_mirror_target(NetworkInterfaceId=target_eni["NetworkInterfaceId"])[
        "TrafficMirrorTarget"
    ]["TrafficMirrorTargetId"]
    mirror_filter = ec2.create_traffic_mirror_filter()["TrafficMirrorFilter"][
        "TrafficMirrorFilterId"
    ]
    session_id = ec2.create_traffic_mirror_session(
        NetworkInterfaceId=source["NetworkInterfaceId"],
        TrafficMirrorTargetId=target,
        TrafficMirrorFilterId=mirror_filter,
        SessionNumber=1,
    )["TrafficMirrorSession"]["TrafficMirrorSessionId"]
    inventory = inventory_from_moto(session, types=("AWS::EC2::NetworkInterface",))
    ctx = run_probes(session, inventory, probe_traffic_mirroring)

    eni_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/"
    mirrored = one(ctx, eni_arn + source["NetworkInterfaceId"], "traffic-mirroring")
    assert mirrored.status is Status.logged and mirrored.expectation is Expectation.extended
    assert session_id in mirrored.evidence and mirrored.destination == target
    other = one(ctx, eni_arn + target_eni["NetworkInterfaceId"], "traffic-mirroring")
    assert other.status is Status.missing


# --- Network Firewall ----------------------------------------------------------------------


def _firewall(session, name: str) -> str:
    vpc = _vpc(session)
    subnet = session.client("ec2").create_subnet(VpcId=vpc, CidrBlock="10.0.9.0/24")["Subnet"]
    return session.client("network-firewall").create_firewall(
        FirewallName=name,
        FirewallPolicyArn=f"arn:aws:network-firewall:{REGION}:{ACCOUNT}:firewall-policy/p",
        VpcId=vpc,
        SubnetMappings=[{"SubnetId": subnet["SubnetId"]}],
    )["Firewall"]["FirewallArn"]


def _log(session, arn: str, *types: str) -> None:
    session.client("network-firewall").update_logging_configuration(
        FirewallArn=arn,
        LoggingConfiguration={
            "LogDestinationConfigs": [
                {
                    "LogType": log_type,
                    "LogDestinationType": "S3",
                    "LogDestination": {"bucketName": "fw-logs", "prefix": log_type.lower()},
                }
                for log_type in types
            ]
        },
    )


def test_network_firewall_alert_and_flow_logged_one_partial_none_missing(session):
    both, alert_only, bare = (_firewall(session, n) for n in ("both", "alerts", "bare"))
    _log(session, both, "ALERT", "FLOW")
    _log(session, alert_only, "ALERT")
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    ctx = run_probes(session, inventory, probe_network_firewall)

    record = one(ctx, both, "network-firewall-logs")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::fw-logs/flow"
    assert inventory.resources[both].type == "AWS::NetworkFirewall::Firewall"
    partial = one(ctx, alert_only, "network-firewall-logs")
    assert partial.status is Status.partial and "no FLOW logs" in partial.notes
    assert one(ctx, bare, "network-firewall-logs").status is Status.missing


def test_network_firewall_logging_denied_is_unknown(session):
    arn = _firewall(session, "denied")
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    aws = AwsContext(session, account=ACCOUNT)
    with denied(aws, "network-firewall", "DescribeLoggingConfiguration"):
        ctx = run_probes(session, inventory, probe_network_firewall, aws=aws)
    assert one(ctx, arn, "network-firewall-logs").status is Status.unknown
