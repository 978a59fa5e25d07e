"""Placing buckets in their regions with few calls: BucketRegion, the region filter, fallback.

botocore's ListBuckets output has `BucketRegion` per bucket (AWS returns it when the request
carries a parameter such as `MaxBuckets`); moto 5.2 omits it but applies the `BucketRegion`
request filter. Both shapes are covered: moto for what it returns, a botocore Stubber for
the other.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.inventory.api import ApiSource, s3
from collectors.inventory.api._common import AccountShared, ApiRegion
from collectors.inventory.base import RegionInventory

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _ctx(aws: AwsContext, regions: list[str] = REGIONS) -> ApiRegion:
    return ApiRegion(
        aws=aws,
        inventory=RegionInventory(account=ACCOUNT, region=regions[0], source="api"),
        is_global_region=True,
        shared=AccountShared(regions, regions[0]),
    )


def _placed(buckets: list[dict]) -> dict[str, str]:
    return {bucket["Name"]: bucket["Region"] for bucket in buckets}


def _moto_returns_bucket_region() -> bool:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="probe-bucket-region")
    listed = client.list_buckets(MaxBuckets=10)["Buckets"]
    client.delete_bucket(Bucket="probe-bucket-region")
    return all("BucketRegion" in bucket for bucket in listed)


@mock_aws
def test_moto_buckets_are_placed_with_few_calls() -> None:
    with_region = _moto_returns_bucket_region()
    east = boto3.client("s3", region_name="us-east-1")
    for n in range(5):
        east.create_bucket(Bucket=f"east-bucket-{n}")
    for n in range(3):
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=f"west-bucket-{n}",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
    boto3.client("s3", region_name="ap-south-1").create_bucket(
        Bucket="far-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
    )
    aws = AwsContext(boto3.Session(region_name="us-east-1"), account=ACCOUNT)
    placed = _placed(s3.list_account_buckets(_ctx(aws)))
    assert placed == {
        **{f"east-bucket-{n}": "us-east-1" for n in range(5)},
        **{f"west-bucket-{n}": "eu-west-1" for n in range(3)},
        "far-bucket": "ap-south-1",
    }
    counts = aws.call_log.counts
    if with_region:  # BucketRegion in the listing: nothing else is asked
        assert counts[("s3", "ListBuckets")] == 1
        assert counts[("s3", "GetBucketLocation")] == 0
    else:  # moto 5.2: one filtered listing per collected region, the rest located one by one
        assert counts[("s3", "ListBuckets")] == 1 + len(REGIONS)
        assert counts[("s3", "GetBucketLocation")] == 1  # far-bucket, in no collected region


@mock_aws
def test_few_buckets_are_located_one_by_one() -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="only-bucket")
    aws = AwsContext(boto3.Session(region_name="us-east-1"), account=ACCOUNT)
    assert _placed(s3.list_account_buckets(_ctx(aws))) == {"only-bucket": "us-east-1"}
    # One bucket, two regions: GetBucketLocation (if needed) is cheaper than two listings.
    assert aws.call_log.counts[("s3", "ListBuckets")] == 1


def _stubbed(aws: AwsContext, region: str) -> Stubber:
    stubber = Stubber(aws.client("s3", region))
    stubber.activate()
    return stubber


def test_bucket_region_in_the_listing_needs_no_other_call() -> None:
    aws = AwsContext(boto3.Session(region_name="us-east-1", aws_access_key_id="a",
                                   aws_secret_access_key="b"), account=ACCOUNT)  # fmt: skip
    stubber = _stubbed(aws, "us-east-1")
    stubber.add_response(
        "list_buckets",
        {
            "Buckets": [
                {"Name": f"b-{n}", "CreationDate": WHEN, "BucketRegion": region}
                for n, region in enumerate(["us-east-1", "eu-west-1", "ap-south-1"] * 3)
            ],
            "Owner": {"ID": "owner"},
        },
        {"MaxBuckets": 1000},
    )
    placed = _placed(s3.list_account_buckets(_ctx(aws)))
    stubber.assert_no_pending_responses()
    assert placed["b-0"] == "us-east-1" and placed["b-1"] == "eu-west-1"
    assert placed["b-8"] == "ap-south-1" and len(placed) == 9
    assert dict(aws.call_log.counts) == {("s3", "ListBuckets"): 1}


def test_an_ignored_region_filter_is_not_trusted() -> None:
    """An endpoint that answers every region with every bucket: located one by one."""
    aws = AwsContext(boto3.Session(region_name="us-east-1", aws_access_key_id="a",
                                   aws_secret_access_key="b"), account=ACCOUNT)  # fmt: skip
    names = [f"b-{n}" for n in range(4)]
    every = {"Buckets": [{"Name": name, "CreationDate": WHEN} for name in names]}
    east, west = _stubbed(aws, "us-east-1"), _stubbed(aws, "eu-west-1")
    east.add_response("list_buckets", every, {"MaxBuckets": 1000})
    east.add_response("list_buckets", every, {"MaxBuckets": 1000, "BucketRegion": "us-east-1"})
    west.add_response("list_buckets", every, {"MaxBuckets": 1000, "BucketRegion": "eu-west-1"})
    for name, location in zip(names, [None, "EU", "eu-west-1", "ap-south-1"], strict=True):
        answer = {"LocationConstraint": location} if location else {}
        east.add_response("get_bucket_location", answer, {"Bucket": name})
    placed = _placed(s3.list_account_buckets(_ctx(aws)))
    east.assert_no_pending_responses()
    west.assert_no_pending_responses()
    assert placed == {
        "b-0": "us-east-1",
        "b-1": "eu-west-1",
        "b-2": "eu-west-1",
        "b-3": "ap-south-1",
    }


@mock_aws
def test_each_region_reports_its_own_buckets() -> None:
    for n in range(4):
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=f"west-bucket-{n}",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
    aws = AwsContext(boto3.Session(region_name="us-east-1"), account=ACCOUNT)
    source = ApiSource(aws, regions=REGIONS)
    east = source.collect_region(ACCOUNT, "us-east-1")
    west = source.collect_region(ACCOUNT, "eu-west-1")
    assert not east.of_type(s3.BUCKET)
    assert {item.resource.region for item in west.of_type(s3.BUCKET)} == {"eu-west-1"}
    assert len(west.of_type(s3.BUCKET)) == 4
    assert not east.errors and not west.errors
