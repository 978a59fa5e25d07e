"""`AccountFacts`: one account's hand-overs and shared reads, passed explicitly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
from moto import mock_aws

from collectors.account_facts import AccountFacts
from collectors.aws.session import AwsContext
from collectors.coverage.base import ProbeContext
from collectors.coverage.trails import trails_covering
from collectors.inventory.api import ApiSource
from collectors.inventory.api.cloudtrail import LISTING
from collectors.inventory.base import RegionInventory

ACCOUNT = "123456789012"
REGION = "us-east-1"


def test_a_hand_over_is_taken_once_and_only_for_its_region() -> None:
    facts = AccountFacts()
    facts.hand_over(LISTING, REGION, {"trailList": []})
    assert facts.take(LISTING, "eu-west-1") is None
    assert facts.take(LISTING, REGION) == {"trailList": []}
    assert facts.take(LISTING, REGION) is None  # a later probe asks again


def test_account_facts_are_shared_by_threads_and_not_between_objects() -> None:
    facts = AccountFacts()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: facts.remember("kind", str(n), n), range(200)))
    assert [facts.recall("kind", str(n)) for n in range(200)] == list(range(200))
    assert AccountFacts().recall("kind", "1") is None  # nothing at module level


@mock_aws
def test_the_trail_listing_reaches_the_probe_only_through_the_accounts_facts() -> None:
    boto3.client("s3", REGION).create_bucket(Bucket="trail-hand-over")
    boto3.client("cloudtrail", REGION).create_trail(Name="main", S3BucketName="trail-hand-over")
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    facts = AccountFacts()
    inventory = ApiSource(aws, regions=[REGION], facts=facts).collect_region(ACCOUNT, REGION)
    assert aws.call_log.counts[("cloudtrail", "DescribeTrails")] == 1
    # Another account's object (or none) does not see it: the probe lists again.
    elsewhere = ProbeContext(aws, ACCOUNT, REGION, inventory, facts=AccountFacts())
    assert [t.name for t in trails_covering(elsewhere, REGION)] == ["main"]
    assert aws.call_log.counts[("cloudtrail", "DescribeTrails")] == 2
    ctx = ProbeContext(aws, ACCOUNT, REGION, RegionInventory(ACCOUNT, REGION, "api"), facts=facts)
    assert [t.name for t in trails_covering(ctx, REGION)] == ["main"]
    assert aws.call_log.counts[("cloudtrail", "DescribeTrails")] == 2  # handed over, not asked
