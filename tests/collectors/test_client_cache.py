"""Only the most recently used accounts keep their botocore clients (`RecentContexts`).

A client costs about 0.4 MB (botocore builds a class per client); an organization run kept
every account's clients to its end. Contexts that fall out of the recent ones drop theirs,
and make them again, working, when used again.
"""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from collectors.aws.session import AwsContext, RecentContexts


@pytest.fixture
def session(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def test_only_the_recent_contexts_keep_clients(session):
    recent = RecentContexts(2)
    contexts = [AwsContext(session, account=f"{i:012d}", recent=recent) for i in range(5)]
    for aws in contexts:
        aws.client("ec2", "us-east-1")
        aws.client("s3", "us-east-1")
    assert [len(aws._clients) for aws in contexts] == [0, 0, 0, 2, 2]


def test_using_a_context_keeps_it_and_a_dropped_one_works_again(session):
    recent = RecentContexts(2)
    first, second, third = (
        AwsContext(session, account=f"{i:012d}", recent=recent) for i in (1, 2, 3)
    )
    ec2 = first.client("ec2", "us-east-1")
    second.client("ec2", "us-east-1")
    assert first.client("ec2", "us-east-1") is ec2  # fetched again: the most recent now
    third.client("ec2", "us-east-1")  # drops `second`, the least recent
    assert first._clients and not second._clients and third._clients
    # A dropped context makes its client again, guarded and counted like the first.
    assert second.client("ec2", "us-east-1").describe_vpcs()["Vpcs"]
    assert second.call_log.counts[("ec2", "DescribeVpcs")] == 1
    assert not first._clients  # `first` was the least recent then
