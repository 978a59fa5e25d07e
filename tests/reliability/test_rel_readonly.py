"""Read-only, beyond tests/collectors/test_readonly_guard.py and test_iam_policy.py.

Those prove the guard on the caller's clients and that iam-policy.json lists only reads.
Added here: the guard on the clients of an assumed *member* account (where a write would do
the most harm) and on a probe's client, with proof that no request left (a `before-send`
counter) and that moto's state did not change; and the policy document's own shape (a
`NotAction` or `NotResource` statement, or a Deny-less wildcard, would grant writes that the
action list never shows), plus reads of secret values it must not allow.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from collectors.accounts import plan_accounts
from collectors.aws.session import AwsContext, WriteRefused
from collectors.coverage.base import ProbeContext
from collectors.inventory.base import RegionInventory

ROOT = Path(__file__).resolve().parents[2]
POLICY = json.loads((ROOT / "iam-policy.json").read_text())
HOME = "us-east-1"


def _count_sends(client) -> list[str]:
    sent: list[str] = []
    client.meta.events.register_first(
        "before-send", lambda request, event_name="", **_: sent.append(event_name)
    )
    return sent


@pytest.fixture
def organization(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_aws():
        org = boto3.client("organizations", region_name=HOME)
        org.create_organization(FeatureSet="ALL")
        member = org.create_account(AccountName="member", Email="m@example.com")
        yield member["CreateAccountStatus"]["AccountId"]


def _member_plain_session(member: str) -> boto3.Session:
    credentials = boto3.client("sts", region_name=HOME).assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
        RoleSessionName="test",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=HOME,
    )


def test_a_write_in_an_assumed_member_account_never_leaves(organization) -> None:
    member = organization
    plan = plan_accounts(boto3.Session(region_name=HOME), org=True)
    target = next(t for t in plan.accounts if t.id == member)
    assert target.aws is not None and target.aws.account == member
    guarded = target.aws.client("ec2", HOME)
    sent = _count_sends(guarded)
    plain = _member_plain_session(member).client("ec2")
    before = {vpc["VpcId"] for vpc in plain.describe_vpcs()["Vpcs"]}
    with pytest.raises(WriteRefused, match="ec2:CreateVpc"):
        guarded.create_vpc(CidrBlock="10.66.0.0/16")
    with pytest.raises(WriteRefused, match="s3:DeleteBucket"):
        target.aws.client("s3", HOME).delete_bucket(Bucket="anything")
    assert sent == []  # refused before a request was built, let alone sent
    assert {vpc["VpcId"] for vpc in plain.describe_vpcs()["Vpcs"]} == before
    guarded.describe_vpcs()  # reads through the same client still go out
    assert sent == ["before-send.ec2.DescribeVpcs"]


@mock_aws
def test_a_probe_cannot_write_through_its_context() -> None:
    aws = AwsContext(boto3.Session(region_name=HOME))
    ctx = ProbeContext(aws, "123456789012", HOME, RegionInventory("123456789012", HOME, "api"))
    trails = ctx.client("cloudtrail")
    sent = _count_sends(trails)
    with pytest.raises(WriteRefused):
        trails.create_trail(Name="never", S3BucketName="never")
    with pytest.raises(WriteRefused):
        ctx.client("logs").put_retention_policy(logGroupName="x", retentionInDays=1)
    assert sent == []
    assert boto3.client("cloudtrail", region_name=HOME).describe_trails()["trailList"] == []


def test_every_policy_statement_allows_listed_actions_only() -> None:
    """`NotAction`/`NotResource` would allow everything not listed; only Allow + Action."""
    assert POLICY["Version"] == "2012-10-17"
    for statement in POLICY["Statement"]:
        assert statement["Effect"] == "Allow"
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
        actions = statement["Action"]
        assert isinstance(actions, list) and actions
        assert all(":" in action and "*" not in action for action in actions)


#: Reads of secret or customer data: "read-only" must not mean "reads your secrets".
SECRET_READS = {
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
    "ec2:GetPasswordData",
    "ecr:GetAuthorizationToken",
    "sts:GetSessionToken",
    "sts:GetFederationToken",
    "lambda:GetFunction",  # a signed URL to download the code
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "rds:DownloadDBLogFilePortion",
    "iam:GetCredentialReport",
    "cloudtrail:LookupEvents",
    "athena:GetQueryResults",
}


def test_the_policy_reads_no_secret_or_customer_data() -> None:
    allowed = {action for statement in POLICY["Statement"] for action in statement["Action"]}
    assert not allowed & SECRET_READS


def test_api_gateway_reads_are_scoped_away_from_api_keys() -> None:
    for statement in POLICY["Statement"]:
        if "apigateway:GET" in statement["Action"]:
            resources = statement["Resource"]
            resources = [resources] if isinstance(resources, str) else resources
            assert "*" not in resources
            assert not [r for r in resources if "apikeys" in r or r.endswith("::/*")]
