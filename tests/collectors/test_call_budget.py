"""Fixed calls per account-region are made once: what the inventory read, the probes reuse.

`collect()` over one moto account in two regions, AWS Config on in one of them: the
recorder reads and the region's trail listing are handed from the inventory to the probes,
and look-ups that could not decide anything (logging configurations with no web ACL,
resolver query-log configs with no association, recorder status with no recorder) are not
made. Statuses are those the probes decide without the hand-over.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from collectors.account_facts import AccountFacts
from collectors.aws.session import AwsContext
from collectors.collect import CollectOptions, collect
from collectors.coverage.base import ProbeContext
from collectors.coverage.probes.serverless import PolicyReader
from collectors.inventory.base import RegionInventory
from snapshot.model import Status, region_node_id

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture(autouse=True)
def _one_moto_account(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)


def _config_on(region: str) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="config-delivery-budget")
    config = boto3.client("config", region_name=region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "config-delivery-budget"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _trail() -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="trail-budget")
    cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
    cloudtrail.create_trail(Name="main", S3BucketName="trail-budget", IsMultiRegionTrail=True)
    cloudtrail.start_logging(Name="main")


def _status(result, region: str, control: str) -> Status:
    resource = next(r for r in result.snapshot.resources if r.id == region_node_id(ACCOUNT, region))
    return next(c.status for c in resource.coverage if c.control == control)


@mock_aws
def test_fixed_reads_are_made_once_per_account_region() -> None:
    _config_on("us-east-1")
    _trail()
    result = collect(
        CollectOptions(source="auto", regions=REGIONS, session=boto3.Session("us-east-1"))
    )
    counts = result.call_log.counts
    # Inventory and config-recorder probe share one read per region...
    assert counts[("config", "DescribeConfigurationRecorders")] == 2
    # ...and the status exists only where a recorder does.
    assert counts[("config", "DescribeConfigurationRecorderStatus")] == 1
    # One trail listing per region for the API inventory and the CloudTrail probe.
    assert counts[("cloudtrail", "DescribeTrails")] == 2
    # No web ACL, no resolver association: nothing to look their logging up for.
    assert counts[("wafv2", "ListLoggingConfigurations")] == 0
    assert counts[("route53resolver", "ListResolverQueryLogConfigs")] == 0
    # The decisions are the probes' own.
    assert _status(result, "us-east-1", "config-recorder") in (Status.logged, Status.partial)
    assert _status(result, "eu-west-1", "config-recorder") is Status.missing
    assert _status(result, "us-east-1", "cloudtrail-management-events") is Status.logged
    assert _status(result, "eu-west-1", "cloudtrail-management-events") is Status.logged
    trails = [r for r in result.snapshot.resources if r.type == "AWS::CloudTrail::Trail"]
    assert [t.region for t in trails] == ["us-east-1"]  # its shadow in eu-west-1 is no trail


@mock_aws
def test_a_managed_policy_is_read_once_per_account() -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
    }
    policy = iam.create_policy(PolicyName="write-logs", PolicyDocument=json.dumps(document))
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arns = []
    for name in ("east-role", "west-role"):
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=name, PolicyArn=policy["Policy"]["Arn"])
        arns.append(role["Role"]["Arn"])
    aws = AwsContext(boto3.Session(region_name="us-east-1"), account=ACCOUNT)
    facts = AccountFacts()  # the account's, as the collection driver hands every region
    for region, arn in zip(REGIONS, arns, strict=True):
        inventory = RegionInventory(account=ACCOUNT, region=region, source="api")
        PolicyReader(ProbeContext(aws, ACCOUNT, region, inventory, facts=facts)).role(arn)
    assert aws.call_log.counts[("iam", "GetRole")] == 2
    assert aws.call_log.counts[("iam", "GetPolicy")] == 1
    assert aws.call_log.counts[("iam", "GetPolicyVersion")] == 1


def test_config_items_spare_the_per_bucket_calls() -> None:
    """Where Config records buckets, their tags and logging come from the item."""
    from blindspot.simulation import moto_config  # Config's read APIs over moto's state

    with mock_aws(), moto_config.registered():
        _spare_the_per_bucket_calls()


def _spare_the_per_bucket_calls() -> None:
    _config_on("us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="access-logs-budget")
    s3.create_bucket(Bucket="tagged-budget")
    s3.put_bucket_tagging(
        Bucket="tagged-budget", Tagging={"TagSet": [{"Key": "team", "Value": "a"}]}
    )
    s3.put_bucket_acl(Bucket="access-logs-budget", ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket="tagged-budget",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs-budget", "TargetPrefix": "t/"}
        },
    )
    result = collect(
        CollectOptions(source="auto", regions=["us-east-1"], session=boto3.Session("us-east-1"))
    )
    bucket = next(r for r in result.snapshot.resources if r.id == "arn:aws:s3:::tagged-budget")
    assert bucket.source == "config"
    assert bucket.tags == {"team": "a"}
    logging = next(c for c in bucket.coverage if c.control == "s3-server-access-logs")
    assert logging.status is Status.logged
    assert "BucketLoggingConfiguration" in logging.evidence
    counts = result.call_log.counts
    assert counts[("s3", "GetBucketTagging")] == 0
    assert counts[("s3", "GetBucketLogging")] == 0
    assert counts[("s3", "GetBucketLocation")] == 0
