"""Cross-layer and cross-account controls: log retention, log-archive separation, and an
organization trail extended to member accounts by `resolve_across`.

moto does not show an organization trail to member accounts (AWS does, as a shadow trail),
so the member's own probe finds no trail; `resolve_across` must then credit the trail seen
from the management account.
"""

from __future__ import annotations

import boto3
import pytest
from inventory_helpers import ACCOUNT, denied, inventory_from_moto, one, run_probes
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.probes.across import probe_log_retention
from collectors.coverage.runner import probe_region, resolve_across
from snapshot.model import Account, Expectation, Resource, Scope, Snapshot, Status

REGION = "us-east-1"


@pytest.fixture
def session():
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _group_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:logs:{REGION}:{account}:log-group:{name}"


def test_log_retention_never_expire_and_a_year_logged_short_partial(session):
    logs = session.client("logs")
    for name in ("forever", "year", "week"):
        logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName="year", retentionInDays=400)
    logs.put_retention_policy(logGroupName="week", retentionInDays=7)
    inventory = inventory_from_moto(session, types=("AWS::Logs::LogGroup",))
    ctx = run_probes(session, inventory, probe_log_retention)

    forever = one(ctx, _group_arn("forever"), "log-retention")
    assert forever.status is Status.logged and "never expire" in forever.evidence
    assert forever.expectation is Expectation.extended
    assert one(ctx, _group_arn("year"), "log-retention").status is Status.logged
    week = one(ctx, _group_arn("week"), "log-retention")
    assert week.status is Status.partial and "retentionInDays=7" in week.evidence


def test_log_retention_lists_groups_when_the_inventory_source_did_not(session):
    session.client("logs").create_log_group(logGroupName="late")
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    ctx = run_probes(session, inventory, probe_log_retention)
    assert inventory.resources[_group_arn("late")].type == "AWS::Logs::LogGroup"
    assert one(ctx, _group_arn("late"), "log-retention").status is Status.logged


def test_log_groups_denied_is_an_error_not_a_missing_record(session):
    session.client("logs").create_log_group(logGroupName="hidden")
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    aws = AwsContext(session, account=ACCOUNT)
    with denied(aws, "logs", "DescribeLogGroups"):
        ctx = run_probes(session, inventory, probe_log_retention, aws=aws)
    assert [(e.operation, e.code) for e in ctx.errors] == [("DescribeLogGroups", "AccessDenied")]
    assert not any(c.control == "log-retention" for r in ctx.coverage.values() for c in r)


# --- the cross-account pass ----------------------------------------------------------------


def _member_session(management: boto3.Session, account: str) -> boto3.Session:
    credentials = management.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="blindspot",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def _snapshot(accounts: dict[str, boto3.Session], roles: dict[str, str]) -> Snapshot:
    """Collect each account's region like the orchestrator does, into one snapshot."""
    resources: list[Resource] = []
    for account, session in accounts.items():
        inventory = inventory_from_moto(
            session, account, REGION, types=("AWS::EC2::VPC", "AWS::S3::Bucket")
        )
        coverage, _ = probe_region(AwsContext(session, account=account), inventory)
        for item in inventory.resources.values():
            item.resource.coverage = coverage.get(item.id, [])
            resources.append(item.resource)
    return Snapshot(
        scope=Scope(source="api", regions=[REGION], accounts=list(accounts)),
        accounts=[Account(id=a, role=roles.get(a)) for a in accounts],
        resources=resources,
    )


def _region_record(snapshot: Snapshot, account: str, control: str):
    region = next(r for r in snapshot.resources if r.id == f"{account}/{REGION}")
    return next(c for c in region.coverage if c.control == control)


@pytest.fixture
def organization(session):
    org = session.client("organizations")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(AccountName="workload", Email="w@example.com")[
        "CreateAccountStatus"
    ]["AccountId"]
    archive = org.create_account(AccountName="log-archive", Email="l@example.com")[
        "CreateAccountStatus"
    ]["AccountId"]
    return {
        "management": session,
        "member": (member, _member_session(session, member)),
        "archive": (archive, _member_session(session, archive)),
    }


def test_org_trail_in_management_account_covers_member_accounts(organization):
    management = organization["management"]
    member, member_session = organization["member"]
    management.client("s3").create_bucket(Bucket="org-trail-logs")
    trail = management.client("cloudtrail").create_trail(
        Name="org-trail",
        S3BucketName="org-trail-logs",
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
    )["TrailARN"]
    management.client("cloudtrail").start_logging(Name="org-trail")
    member_session.client("ec2").create_vpc(CidrBlock="10.1.0.0/16")

    snapshot = _snapshot({ACCOUNT: management, member: member_session}, {})
    before = _region_record(snapshot, member, "cloudtrail-management-events")
    assert before.status is Status.missing  # moto hides the org trail from the member

    resolve_across(snapshot)
    after = _region_record(snapshot, member, "cloudtrail-management-events")
    assert after.status is Status.logged
    assert after.inherited_from == trail
    assert "organization trail" in after.evidence and ACCOUNT in after.evidence
    vpcs = [r for r in snapshot.resources if r.account == member and r.type == "AWS::EC2::VPC"]
    assert vpcs
    for vpc in vpcs:
        record = next(c for c in vpc.coverage if c.control == "cloudtrail-management-events")
        assert record.status is Status.logged
        assert record.inherited_from == f"{member}/{REGION}"


def test_without_an_org_trail_member_accounts_stay_missing(organization):
    member, member_session = organization["member"]
    snapshot = _snapshot({ACCOUNT: organization["management"], member: member_session}, {})
    resolve_across(snapshot)
    assert _region_record(snapshot, member, "cloudtrail-management-events").status is (
        Status.missing
    )


def test_log_archive_separation_of_trail_buckets(organization):
    management = organization["management"]
    archive, archive_session = organization["archive"]
    archive_session.client("s3").create_bucket(Bucket="central-logs")
    management.client("s3").create_bucket(Bucket="local-logs")
    cloudtrail = management.client("cloudtrail")
    for name, bucket in (("to-archive", "central-logs"), ("local", "local-logs")):
        cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True)
        cloudtrail.start_logging(Name=name)

    snapshot = _snapshot({ACCOUNT: management, archive: archive_session}, {})
    resolve_across(snapshot)
    by_id = {r.id: r for r in snapshot.resources}
    central = [
        c
        for c in by_id["arn:aws:s3:::central-logs"].coverage
        if c.control == "log-archive-separation"
    ]
    local = [
        c
        for c in by_id["arn:aws:s3:::local-logs"].coverage
        if c.control == "log-archive-separation"
    ]
    assert [c.status for c in central] == [Status.logged]
    assert ACCOUNT in central[0].evidence and archive in central[0].evidence
    assert [c.status for c in local] == [Status.missing]
    assert local[0].expectation is Expectation.extended


def test_log_archive_role_is_logged_and_resolving_twice_does_not_duplicate(organization):
    archive, archive_session = organization["archive"]
    archive_session.client("s3").create_bucket(Bucket="own-logs")
    cloudtrail = archive_session.client("cloudtrail")
    cloudtrail.create_trail(Name="own", S3BucketName="own-logs", IsMultiRegionTrail=True)
    cloudtrail.start_logging(Name="own")
    snapshot = _snapshot({archive: archive_session}, {archive: "log-archive"})
    resolve_across(snapshot)
    resolve_across(snapshot)
    bucket = next(r for r in snapshot.resources if r.id == "arn:aws:s3:::own-logs")
    records = [c for c in bucket.coverage if c.control == "log-archive-separation"]
    assert [c.status for c in records] == [Status.logged]
    assert "log-archive account" in records[0].evidence
