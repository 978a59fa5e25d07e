"""CloudTrail management, data and Insights events, and trail integrity, on moto.

moto quirks: a fresh trail returns no event selectors (AWS returns the
default "all management events" selector; the probe treats both the same way, with a note);
`HasCustomEventSelectors` is always false, so the probe always reads the selectors; an
organization trail is not visible from member accounts (see test_across.py).
"""

from __future__ import annotations

import json

import boto3
import pytest
from inventory_helpers import ACCOUNT, denied, inventory_from_moto, one, region_id, run_probes
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.probes.account import inherit_region_controls, probe_cloudtrail
from snapshot.model import Expectation, Status

REGION = "us-east-1"
TYPES = ("AWS::EC2::VPC", "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::DynamoDB::Table")
TRAIL_BUCKET = "trail-bucket"


@pytest.fixture
def aws_env():
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        s3 = session.client("s3")
        for bucket in (TRAIL_BUCKET, "data-a", "data-b"):
            s3.create_bucket(Bucket=bucket)
        yield session


def _trail(session, name="main", *, multi=True, start=True, **kwargs) -> str:
    client = session.client("cloudtrail")
    arn = client.create_trail(
        Name=name, S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=multi, **kwargs
    )["TrailARN"]
    if start:
        client.start_logging(Name=name)
    return arn


def _probe(session, *probes):
    inventory = inventory_from_moto(session, types=TYPES)
    ctx = run_probes(session, inventory, *probes or (probe_cloudtrail,))
    return ctx, inventory


def _vpc_id(inventory) -> str:
    return inventory.of_type("AWS::EC2::VPC")[0].id


# --- management events ------------------------------------------------------------------


def test_logging_multi_region_trail_records_management_events(aws_env):
    trail = _trail(aws_env)
    ctx, inventory = _probe(aws_env, probe_cloudtrail, inherit_region_controls)
    region = one(ctx, region_id(), "cloudtrail-management-events")
    assert region.status is Status.logged
    assert region.expectation is Expectation.baseline
    assert "main" in region.evidence and "read+write" in region.evidence
    assert region.destination == f"arn:aws:s3:::{TRAIL_BUCKET}"
    # copied onto every resource of the region, naming the region
    vpc = one(ctx, _vpc_id(inventory), "cloudtrail-management-events")
    assert vpc.status is Status.logged
    assert vpc.inherited_from == region_id()
    # the trail itself became a resource of its home region
    assert inventory.resources[trail].type == "AWS::CloudTrail::Trail"


def test_no_trail_is_missing(aws_env):
    ctx, inventory = _probe(aws_env, probe_cloudtrail, inherit_region_controls)
    region = one(ctx, region_id(), "cloudtrail-management-events")
    assert region.status is Status.missing
    assert "no trail covers us-east-1" in region.evidence
    assert one(ctx, _vpc_id(inventory), "cloudtrail-management-events").status is Status.missing


def test_trail_that_is_not_logging_is_missing(aws_env):
    _trail(aws_env, start=False)
    ctx, _ = _probe(aws_env)
    region = one(ctx, region_id(), "cloudtrail-management-events")
    assert region.status is Status.missing
    assert "IsLogging=False" in region.evidence


def test_single_region_trail_elsewhere_does_not_cover_this_region(aws_env):
    client = aws_env.client("cloudtrail", region_name="eu-west-1")
    aws_env.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="eu-trail", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    client.create_trail(Name="eu-trail", S3BucketName="eu-trail", IsMultiRegionTrail=False)
    client.start_logging(Name="eu-trail")
    ctx, _ = _probe(aws_env)
    assert one(ctx, region_id(), "cloudtrail-management-events").status is Status.missing


def test_write_only_management_events_are_partial(aws_env):
    _trail(aws_env)
    aws_env.client("cloudtrail").put_event_selectors(
        TrailName="main",
        EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}],
    )
    ctx, _ = _probe(aws_env)
    region = one(ctx, region_id(), "cloudtrail-management-events")
    assert region.status is Status.partial
    assert "write-only" in region.evidence


def test_advanced_selectors_management_read_only_is_partial_and_without_readonly_logged(aws_env):
    _trail(aws_env)
    client = aws_env.client("cloudtrail")
    client.put_event_selectors(
        TrailName="main",
        AdvancedEventSelectors=[
            {
                "Name": "reads",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]},
                    {"Field": "readOnly", "Equals": ["true"]},
                ],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    assert one(ctx, region_id(), "cloudtrail-management-events").status is Status.partial

    client.put_event_selectors(
        TrailName="main",
        AdvancedEventSelectors=[
            {
                "Name": "all",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    assert one(ctx, region_id(), "cloudtrail-management-events").status is Status.logged


def test_describe_trails_denied_is_unknown_not_missing(aws_env):
    _trail(aws_env)
    inventory = inventory_from_moto(aws_env, types=TYPES)
    aws = AwsContext(aws_env, account=ACCOUNT)
    with denied(aws, "cloudtrail", "DescribeTrails"):
        ctx = run_probes(aws_env, inventory, probe_cloudtrail, inherit_region_controls, aws=aws)
    region = one(ctx, region_id(), "cloudtrail-management-events")
    assert region.status is Status.unknown and "AccessDenied" in region.evidence
    assert one(ctx, _vpc_id(inventory), "cloudtrail-management-events").status is Status.unknown
    assert one(ctx, "arn:aws:s3:::data-a", "cloudtrail-s3-data-events").status is Status.unknown
    assert {(e.service, e.operation, e.code) for e in ctx.errors} == {
        ("cloudtrail", "DescribeTrails", "AccessDenied")
    }


def test_trail_status_denied_is_unknown(aws_env):
    _trail(aws_env)
    inventory = inventory_from_moto(aws_env, types=TYPES)
    aws = AwsContext(aws_env, account=ACCOUNT)
    with denied(aws, "cloudtrail", "GetTrailStatus"):
        ctx = run_probes(aws_env, inventory, probe_cloudtrail, aws=aws)
    region = one(ctx, region_id(), "cloudtrail-management-events")
    assert region.status is Status.unknown
    assert "GetTrailStatus AccessDenied" in region.evidence


# --- S3 data events -----------------------------------------------------------------------


def _selectors(session, basic=None, advanced=None):
    kwargs = {"EventSelectors": basic} if basic else {"AdvancedEventSelectors": advanced}
    session.client("cloudtrail").put_event_selectors(TrailName="main", **kwargs)


def _s3_status(ctx, bucket):
    return one(ctx, f"arn:aws:s3:::{bucket}", "cloudtrail-s3-data-events")


def test_basic_selector_for_all_buckets_logs_every_bucket(aws_env):
    trail = _trail(aws_env)
    _selectors(
        aws_env,
        basic=[
            {
                "ReadWriteType": "All",
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    for bucket in ("data-a", "data-b"):
        record = _s3_status(ctx, bucket)
        assert record.status is Status.logged
        assert record.inherited_from == trail
        assert "arn:aws:s3" in record.evidence


def test_basic_selector_for_one_bucket_and_a_prefix_of_another(aws_env):
    _trail(aws_env)
    _selectors(
        aws_env,
        basic=[
            {
                "ReadWriteType": "All",
                "DataResources": [
                    {
                        "Type": "AWS::S3::Object",
                        "Values": ["arn:aws:s3:::data-a/", "arn:aws:s3:::data-b/logs/"],
                    }
                ],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    assert _s3_status(ctx, "data-a").status is Status.logged
    assert _s3_status(ctx, "data-b").status is Status.partial
    missing = _s3_status(ctx, TRAIL_BUCKET)
    assert missing.status is Status.missing and missing.inherited_from is None


def test_read_only_basic_selector_is_partial(aws_env):
    _trail(aws_env)
    _selectors(
        aws_env,
        basic=[
            {
                "ReadWriteType": "ReadOnly",
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::"]}],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    record = _s3_status(ctx, "data-a")
    assert record.status is Status.partial
    assert "write=none" in " ".join(record.notes)


def test_advanced_selectors_startswith_and_notstartswith(aws_env):
    _trail(aws_env)
    _selectors(
        aws_env,
        advanced=[
            {
                "Name": "all but data-b",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::data-b/"]},
                ],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    assert _s3_status(ctx, "data-a").status is Status.logged
    assert _s3_status(ctx, "data-b").status is Status.missing


def test_advanced_selector_write_only_on_one_bucket_is_partial(aws_env):
    _trail(aws_env)
    _selectors(
        aws_env,
        advanced=[
            {
                "Name": "writes to data-a",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::data-a/"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                ],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    assert _s3_status(ctx, "data-a").status is Status.partial
    assert _s3_status(ctx, "data-b").status is Status.missing


def test_selectors_of_a_trail_that_is_not_logging_do_not_count(aws_env):
    _trail(aws_env, start=False)
    _selectors(
        aws_env,
        basic=[{"DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}],
    )
    ctx, _ = _probe(aws_env)
    record = _s3_status(ctx, "data-a")
    assert record.status is Status.missing
    assert any("IsLogging=False" in note for note in record.notes)


# --- Lambda and DynamoDB data events --------------------------------------------------------


def _function(session) -> str:
    iam = session.client("iam")
    role = iam.create_role(
        RoleName="fn-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    return session.client("lambda").create_function(
        FunctionName="fn",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"def handler(e, c): pass"},
    )["FunctionArn"]


def _table(session, name="orders") -> str:
    return session.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableArn"]


def test_lambda_and_dynamodb_data_events(aws_env):
    function = _function(aws_env)
    logged_table = _table(aws_env, "orders")
    other_table = _table(aws_env, "sessions")
    _trail(aws_env)
    _selectors(
        aws_env,
        basic=[
            {
                "ReadWriteType": "All",
                "DataResources": [
                    {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]},
                    {"Type": "AWS::DynamoDB::Table", "Values": [logged_table]},
                ],
            }
        ],
    )
    ctx, _ = _probe(aws_env)
    fn = one(ctx, function, "cloudtrail-lambda-data-events")
    assert fn.status is Status.logged and fn.expectation is Expectation.extended
    assert one(ctx, logged_table, "cloudtrail-dynamodb-data-events").status is Status.logged
    assert one(ctx, other_table, "cloudtrail-dynamodb-data-events").status is Status.missing


def test_no_data_event_selector_leaves_functions_missing(aws_env):
    function = _function(aws_env)
    _trail(aws_env)
    ctx, _ = _probe(aws_env)
    assert one(ctx, function, "cloudtrail-lambda-data-events").status is Status.missing


# --- Insights and integrity ----------------------------------------------------------------


def test_insights_both_types_logged_one_partial_none_missing(aws_env):
    _trail(aws_env)
    ctx, _ = _probe(aws_env)
    assert one(ctx, region_id(), "cloudtrail-insights").status is Status.missing

    aws_env.client("cloudtrail").put_insight_selectors(
        TrailName="main", InsightSelectors=[{"InsightType": "ApiCallRateInsight"}]
    )
    ctx, _ = _probe(aws_env)
    insights = one(ctx, region_id(), "cloudtrail-insights")
    assert insights.status is Status.partial and insights.expectation is Expectation.extended

    aws_env.client("cloudtrail").put_insight_selectors(
        TrailName="main", InsightSelectors=[{"InsightType": "ApiErrorRateInsight"}]
    )  # moto appends instead of replacing: both types now
    ctx, _ = _probe(aws_env)
    assert one(ctx, region_id(), "cloudtrail-insights").status is Status.logged


def test_integrity_validation_and_kms(aws_env):
    key = aws_env.client("kms").create_key()["KeyMetadata"]["Arn"]
    full = _trail(aws_env, "full", EnableLogFileValidation=True, KmsKeyId=key)
    half = _trail(aws_env, "half", EnableLogFileValidation=True)
    bare = _trail(aws_env, "bare")
    ctx, _ = _probe(aws_env)
    assert one(ctx, full, "cloudtrail-integrity").status is Status.logged
    assert one(ctx, half, "cloudtrail-integrity").status is Status.partial
    record = one(ctx, bare, "cloudtrail-integrity")
    assert record.status is Status.missing
    assert "LogFileValidationEnabled=False" in record.evidence
    assert any("CloudWatch Logs" in note for note in record.notes)


def test_global_resources_need_a_trail_with_global_service_events(aws_env):
    _trail(aws_env, multi=False, IncludeGlobalServiceEvents=False)  # multi-region needs them
    aws_env.client("iam").create_role(
        RoleName="admin", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )
    inventory = inventory_from_moto(aws_env, types=(*TYPES, "AWS::IAM::Role"))
    ctx = run_probes(aws_env, inventory, probe_cloudtrail, inherit_region_controls)
    role = f"arn:aws:iam::{ACCOUNT}:role/admin"
    assert inventory.resources[role].resource.region == "global"
    assert one(ctx, region_id(), "cloudtrail-management-events").status is Status.logged
    global_record = one(ctx, role, "cloudtrail-management-events")
    assert global_record.status is Status.missing
    assert global_record.inherited_from == region_id()


def test_advanced_selectors_for_one_function_and_filtered_table_events(aws_env):
    function = _function(aws_env)
    table = _table(aws_env, "orders")
    _trail(aws_env)
    _selectors(
        aws_env,
        advanced=[
            {
                "Name": "one function",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
                    {"Field": "resources.ARN", "Equals": [function]},
                ],
            },
            {
                "Name": "table deletes",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]},
                    {"Field": "eventName", "Equals": ["DeleteItem"]},
                ],
            },
        ],
    )
    ctx, _ = _probe(aws_env)
    fn = one(ctx, function, "cloudtrail-lambda-data-events")
    assert fn.status is Status.logged and "one function" in fn.evidence
    orders = one(ctx, table, "cloudtrail-dynamodb-data-events")
    assert orders.status is Status.partial
    assert "filtered on eventName" in orders.evidence
