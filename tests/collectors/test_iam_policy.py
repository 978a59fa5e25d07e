"""iam-policy.json: every call collect makes is allowed, and nothing but reads is."""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore.session
import pytest
from api_world import build_world
from moto import mock_aws

from collectors.accounts import plan_accounts
from collectors.aws.session import CallLog
from collectors.collect import CollectOptions, collect
from scripts.iam_policy import (
    IAM_ONLY_READS,
    iam_actions,
    is_read_action,
    load_policy,
    scan_actions,
)

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "iam-policy.json"


@pytest.fixture(scope="module")
def policy() -> set[str]:
    return load_policy(POLICY)


@pytest.fixture(scope="module")
def recorded_calls() -> set[tuple[str, str]]:
    """Every operation one full `collect` (inventory, probes, org, Config) makes in moto."""
    with mock_aws():
        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        org.create_account(AccountName="member", Email="member@example.com")
        build_world(lambda s, r: boto3.client(s, region_name=r), "123456789012", "us-east-1")
        result = collect(
            CollectOptions(
                org=True,
                regions=["us-east-1", "eu-west-1"],
                source="auto",
                session=boto3.Session(region_name="us-east-1"),
                workers=4,
            )
        )
        # `--regions all` (account:ListRegions, ec2:DescribeRegions) without 30 regions' cost.
        regions_log = CallLog()
        plan_accounts(boto3.Session(region_name="us-east-1"), regions="all", call_log=regions_log)
    return set(result.call_log.counts) | set(regions_log.counts)


def test_every_recorded_call_is_allowed_by_the_policy(recorded_calls, policy) -> None:
    assert len(recorded_calls) > 40  # the run really exercised the collectors
    missing = {
        action
        for service, operation in recorded_calls
        for action in iam_actions(service, operation)
        if action not in policy
    }
    assert not missing, f"add to iam-policy.json: {sorted(missing)}"


def test_the_policy_holds_only_read_actions_and_no_wildcards(policy) -> None:
    assert policy
    assert not [action for action in policy if "*" in action]
    assert not [action for action in policy if not is_read_action(action)]


#: botocore service names whose IAM prefix is not their own name.
SERVICES_OF_PREFIX = {
    "elasticloadbalancing": ("elb", "elbv2"),
    "es": ("opensearch", "es"),
    "states": ("stepfunctions",),
    "apigateway": ("apigateway", "apigatewayv2"),
}


def test_every_policy_action_is_a_real_operation(policy) -> None:
    session = botocore.session.get_session()
    for action in sorted(policy - IAM_ONLY_READS):
        prefix, _, operation = action.partition(":")
        models = [
            session.get_service_model(name) for name in SERVICES_OF_PREFIX.get(prefix, (prefix,))
        ]
        assert any(operation in model.operation_names for model in models), action


def test_the_policy_covers_every_operation_the_source_calls(policy) -> None:
    # The static scan catches calls the moto run cannot reach (services moto lacks).
    missing = scan_actions(ROOT / "collectors") - policy
    assert not missing, f"regenerate: python -m scripts.iam_policy > iam-policy.json {missing}"


def test_data_reads_are_never_allowed(policy) -> None:
    assert not {"s3:GetObject", "dynamodb:GetItem", "dynamodb:Scan", "logs:GetLogEvents"} & policy
