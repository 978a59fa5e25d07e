"""Accounts and regions: caller, organization through assume-role, lists, enabled regions."""

from __future__ import annotations

import os

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from collectors.accounts import NoCredentials, enabled_regions, plan_accounts
from collectors.aws.session import AwsContext, CallLog

MANAGEMENT = "123456789012"


@pytest.fixture(autouse=True)
def _separate_moto_accounts(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)  # or every account collapses into one


def _organization(members: int = 2) -> list[str]:
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    return [
        org.create_account(AccountName=f"member-{i}", Email=f"m{i}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(members)
    ]


@mock_aws
def test_the_caller_account_by_default() -> None:
    plan = plan_accounts(boto3.Session(region_name="eu-west-1"))
    assert plan.caller == MANAGEMENT
    assert [(t.id, t.regions) for t in plan.accounts] == [(MANAGEMENT, ["eu-west-1"])]
    assert plan.accounts[0].aws is not None and not plan.errors
    assert plan.accounts[0].name == ""  # no alias, no organization: no name


@mock_aws
def test_outside_an_organization_the_account_alias_names_the_account() -> None:
    boto3.client("iam", region_name="us-east-1").create_account_alias(AccountAlias="prod-main")
    plan = plan_accounts(boto3.Session(region_name="us-east-1"))
    assert plan.accounts[0].name == "prod-main"


@mock_aws
def test_an_organization_is_entered_through_assume_role_with_one_call_log() -> None:
    members = _organization(2)
    log = CallLog()
    plan = plan_accounts(
        boto3.Session(region_name="us-east-1"),
        org=True,
        regions=["us-east-1", "eu-west-1"],
        call_log=log,
    )
    by_id = {t.id: t for t in plan.accounts}
    assert set(by_id) == {MANAGEMENT, *members}
    assert by_id[MANAGEMENT].role == "management" and by_id[MANAGEMENT].name == "master"
    assert {by_id[m].name for m in members} == {"member-0", "member-1"}
    assert plan.organization and plan.organization.startswith("o-")
    for member in members:
        aws = by_id[member].aws
        assert aws is not None and aws.call_log is log
        # The member's credentials really are the member's (moto keeps a backend each).
        assert aws.client("sts", "us-east-1").get_caller_identity()["Account"] == member
        assert by_id[member].regions == ["us-east-1", "eu-west-1"]
        # Refreshable: a collection outlasting the role session's hour does not fail.
        assert aws.session.get_credentials().method == "blindspot-assume-role"
        assert aws.session.get_credentials().refresh_needed() is False
    assert log.counts[("sts", "AssumeRole")] == 2  # never into the caller's own account


@mock_aws
def test_a_refused_assume_role_is_an_error_and_the_others_go_on() -> None:
    members = _organization(2)
    refused = members[1]
    session = boto3.Session(region_name="us-east-1")

    def deny(params, **_):
        if refused in params.get("RoleArn", ""):
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole"
            )

    session.events.register("before-parameter-build.sts.AssumeRole", deny)
    plan = plan_accounts(session, org=True)
    by_id = {t.id: t for t in plan.accounts}
    assert by_id[refused].aws is None and by_id[refused].regions == []
    assert by_id[members[0]].aws is not None
    assert [(e.account, e.service, e.operation, e.code) for e in plan.errors] == [
        (refused, "sts", "AssumeRole", "AccessDenied")
    ]


@mock_aws
def test_org_outside_an_organization_is_an_error_and_the_caller_is_collected() -> None:
    plan = plan_accounts(boto3.Session(region_name="us-east-1"), org=True)
    assert [(t.id, t.aws is not None) for t in plan.accounts] == [(MANAGEMENT, True)]
    assert plan.organization is None
    assert [(e.account, e.service, e.operation, e.code) for e in plan.errors] == [
        (MANAGEMENT, "organizations", "DescribeOrganization", "AWSOrganizationsNotInUseException")
    ]


@mock_aws
def test_org_list_refused_falls_back_to_the_account_list() -> None:
    members = _organization(2)
    session = boto3.Session(region_name="us-east-1")

    def deny(**_):
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}},
            "ListAccounts",
        )

    session.events.register("before-parameter-build.organizations.ListAccounts", deny)
    plan = plan_accounts(session, org=True, accounts=[members[0]])
    assert [(t.id, t.aws is not None) for t in plan.accounts] == [(members[0], True)]
    assert [(e.service, e.operation, e.code) for e in plan.errors] == [
        ("organizations", "ListAccounts", "AccessDeniedException")
    ]


@mock_aws
def test_an_account_list_filters_and_assumes() -> None:
    members = _organization(2)
    plan = plan_accounts(boto3.Session(region_name="us-east-1"), accounts=[members[0]])
    assert [t.id for t in plan.accounts] == [members[0]]
    assert plan.accounts[0].aws is not None
    org_plan = plan_accounts(
        boto3.Session(region_name="us-east-1"), org=True, accounts=[MANAGEMENT, members[1]]
    )
    assert {t.id for t in org_plan.accounts} == {MANAGEMENT, members[1]}


@mock_aws
def test_all_regions_falls_back_to_describe_regions() -> None:
    # moto has no account:ListRegions (404): DescribeRegions answers instead.
    plan = plan_accounts(boto3.Session(region_name="us-east-1"), regions="all")
    regions = plan.accounts[0].regions
    assert "us-east-1" in regions and "eu-west-1" in regions and regions == sorted(regions)
    assert not plan.errors


def test_all_regions_prefers_account_list_regions_with_enabled_statuses() -> None:
    aws = AwsContext(boto3.Session(region_name="us-east-1"))
    client = aws.client("account", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response(
            "list_regions",
            {
                "Regions": [
                    {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
                    {"RegionName": "af-south-1", "RegionOptStatus": "ENABLED"},
                ]
            },
            {"RegionOptStatusContains": ["ENABLED", "ENABLED_BY_DEFAULT"]},
        )
        assert enabled_regions(aws, "us-east-1") == ["af-south-1", "us-east-1"]
        stub.assert_no_pending_responses()


def test_no_credentials_is_one_clear_error(monkeypatch, tmp_path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.fspath(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.fspath(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(NoCredentials, match="no AWS credentials"):
        plan_accounts(boto3.Session(region_name="us-east-1"))


@mock_aws
def test_member_sessions_share_one_model_loader() -> None:
    """A thousand members must not parse every service model a thousand times (~100 MB an
    account with a loader each); the members share the caller's loader, so a model parsed
    for one account is reused for the next."""
    _organization(3)
    session = boto3.Session(region_name="us-east-1")
    plan = plan_accounts(session, org=True)
    loaders = {
        id(target.aws.session._session.get_component("data_loader"))
        for target in plan.accounts
        if target.aws is not None
    }
    assert loaders == {id(session._session.get_component("data_loader"))}
    members = [t for t in plan.accounts if t.id != plan.caller]
    first = members[0].aws.session._session.get_service_model("ec2")
    second = members[1].aws.session._session.get_service_model("ec2")
    # One parsed document behind both accounts' models.
    assert first._service_description is second._service_description


@mock_aws
def test_shard_enters_only_its_accounts() -> None:
    from collectors.shard import Shard

    members = _organization(4)
    everyone = sorted([MANAGEMENT, *members])
    log = CallLog()
    plan = plan_accounts(
        boto3.Session(region_name="us-east-1"), org=True, shard=Shard(2, 2), call_log=log
    )
    assert [t.id for t in plan.accounts] == everyone[1::2]
    assert log.counts[("sts", "AssumeRole")] == len([a for a in everyone[1::2] if a != MANAGEMENT])
