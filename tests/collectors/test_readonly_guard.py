"""Read-only by construction: a write through any blindspot client is refused before sending."""

from __future__ import annotations

import ast
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from collectors.aws.session import AwsContext, WriteRefused, is_read_operation

COLLECTORS = Path(__file__).resolve().parents[2] / "collectors"


@mock_aws
def test_a_write_is_refused_before_it_is_sent() -> None:
    aws = AwsContext(boto3.Session(region_name="us-east-1"))
    guarded = aws.client("ec2", "us-east-1")
    plain = boto3.client("ec2", region_name="us-east-1")
    before = {v["VpcId"] for v in plain.describe_vpcs()["Vpcs"]}
    with pytest.raises(WriteRefused, match="ec2:CreateVpc"):
        guarded.create_vpc(CidrBlock="10.99.0.0/16")
    after = {v["VpcId"] for v in plain.describe_vpcs()["Vpcs"]}
    assert after == before  # nothing was created: the request never left
    assert ("ec2", "CreateVpc") not in aws.call_log.counts
    # Reads through the same client still work.
    assert guarded.describe_vpcs()["Vpcs"]


@mock_aws
def test_writes_of_every_service_the_collectors_use_are_refused() -> None:
    aws = AwsContext(boto3.Session(region_name="us-east-1"))
    with pytest.raises(WriteRefused):
        aws.client("s3", "us-east-1").create_bucket(Bucket="never-created-b1")
    with pytest.raises(WriteRefused):
        aws.client("iam", "us-east-1").create_role(RoleName="x", AssumeRolePolicyDocument="{}")
    with pytest.raises(WriteRefused):
        aws.client("cloudtrail", "us-east-1").stop_logging(Name="trail")
    assert "never-created-b1" not in {
        b["Name"] for b in boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"]
    }


def _string_arg(node: ast.Call, index: int) -> str | None:
    if len(node.args) > index and isinstance(node.args[index], ast.Constant):
        return str(node.args[index].value)
    return None


def _called_operations() -> set[str]:
    """Operation names given to `get_paginator(...)` / `paginate(client, ...)` in the API
    source's modules."""
    calls = set()
    for path in (COLLECTORS / "inventory" / "api").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "get_paginator":
                name = _string_arg(node, 0)
            elif isinstance(func, ast.Name) and func.id == "paginate":
                name = _string_arg(node, 1)
            else:
                continue
            if name:
                calls.add(name)
    return calls


def test_every_paginated_operation_of_the_api_source_is_a_read() -> None:
    operations = _called_operations()
    assert "describe_instances" in operations and "list_buckets" in operations
    for operation in operations:
        pascal = "".join(part.title() for part in operation.split("_"))
        assert is_read_operation("any", pascal), operation
