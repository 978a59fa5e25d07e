"""Serverless-layer probes (lambda-logging, stepfunctions-logging) against moto.

moto never returns Lambda's `LoggingConfig` (moto-matrix.md), so the custom-log-group case is
tested on a Stubber-validated `ListFunctions` response shaped like AWS's, with IAM and Logs
still served by moto.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from collectors.account_facts import AccountFacts
from collectors.aws.session import AwsContext
from collectors.coverage.base import ProbeContext
from collectors.coverage.probes.serverless import (
    LAMBDA_TYPE,
    policies_allow,
    probe_lambda_logging,
    probe_stepfunctions_logging,
)
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.model import Resource, Status

ACCOUNT = "123456789012"
REGION = "us-east-1"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@pytest.fixture
def aws_managed_policies(monkeypatch):
    """AWS-managed policies exist in every real account; moto loads them only on request."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def _ctx(inventory: RegionInventory | None = None) -> ProbeContext:
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    return ProbeContext(
        aws=aws,
        account=ACCOUNT,
        region=REGION,
        inventory=inventory or RegionInventory(ACCOUNT, REGION, "test"),
    )


def _record(ctx: ProbeContext, resource_id: str, control: str):
    records = [c for c in ctx.coverage.get(resource_id, []) if c.control == control]
    assert len(records) == 1, ctx.coverage
    return records[0]


def _role(name: str, *, managed: str | None = None, inline: dict | None = None) -> str:
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    if managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=managed)
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(inline))
    return arn


def _function(name: str, role: str) -> str:
    client = boto3.client("lambda", REGION)
    return client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"fake"},
    )["FunctionArn"]


@mock_aws
def test_lambda_with_basic_execution_role_and_group_is_logged_with_retention_note(
    aws_managed_policies,
):
    role = _role("fn-role", managed=BASIC)
    arn = _function("orders", role)
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="/aws/lambda/orders")
    logs.put_retention_policy(logGroupName="/aws/lambda/orders", retentionInDays=30)
    ctx = _ctx()
    probe_lambda_logging(ctx)
    record = _record(ctx, arn, "lambda-logging")
    assert record.status is Status.logged
    assert "AWSLambdaBasicExecutionRole" in record.evidence
    assert record.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/orders"
    assert any("retention 30 days" in note for note in record.notes)
    assert ctx.inventory.resources[arn].type == LAMBDA_TYPE


@mock_aws
def test_lambda_whose_role_cannot_write_logs_is_missing_even_with_a_group():
    role = _role(
        "no-logs",
        inline={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        },
    )
    arn = _function("silent", role)
    boto3.client("logs", REGION).create_log_group(logGroupName="/aws/lambda/silent")
    ctx = _ctx()
    probe_lambda_logging(ctx)
    record = _record(ctx, arn, "lambda-logging")
    assert record.status is Status.missing
    assert "no policy allows" in record.evidence


@mock_aws
def test_lambda_role_scoped_to_another_group_is_missing_and_to_its_own_is_logged():
    scoped = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/right:*",
            }
        ],
    }
    right = _function("right", _role("r1", inline=scoped))
    wrong = _function("wrong", _role("r2", inline=scoped))
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="/aws/lambda/right")
    logs.create_log_group(logGroupName="/aws/lambda/wrong")
    ctx = _ctx()
    probe_lambda_logging(ctx)
    assert _record(ctx, right, "lambda-logging").status is Status.logged
    assert _record(ctx, wrong, "lambda-logging").status is Status.missing


@mock_aws
def test_lambda_without_group_and_without_create_permission_is_missing():
    inline = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"},
            {"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": "*"},
        ],
    }
    arn = _function("nogroup", _role("r3", inline=inline))
    ctx = _ctx()
    probe_lambda_logging(ctx)
    record = _record(ctx, arn, "lambda-logging")
    assert record.status is Status.missing
    assert "CreateLogGroup" in record.evidence


@mock_aws
def test_lambda_custom_log_group_from_logging_config_on_aws_shaped_response(aws_managed_policies):
    """moto never returns LoggingConfig: ListFunctions is stubbed (shape-validated)."""
    role = _role("fn-role", managed=BASIC)
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="/custom/app")
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:custom"
    ctx = _ctx()
    client = ctx.client("lambda")
    stub = Stubber(client)
    stub.add_response(
        "list_functions",
        {
            "Functions": [
                {
                    "FunctionName": "custom",
                    "FunctionArn": arn,
                    "Role": role,
                    "LoggingConfig": {
                        "LogFormat": "JSON",
                        "ApplicationLogLevel": "INFO",
                        "SystemLogLevel": "WARN",
                        "LogGroup": "/custom/app",
                    },
                }
            ]
        },
    )
    with stub:
        probe_lambda_logging(ctx)
    record = _record(ctx, arn, "lambda-logging")
    assert record.status is Status.logged
    assert record.destination.endswith(":log-group:/custom/app")
    assert any("LoggingConfig.LogGroup=/custom/app" in n for n in record.notes)
    assert any("retention never expires" in n for n in record.notes)


@mock_aws
def test_lambda_access_denied_on_iam_is_unknown_with_an_error(aws_managed_policies):
    arn = _function("denied", _role("r4", managed=BASIC))
    ctx = _ctx()

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetRole")

    ctx.client("iam").meta.events.register("before-call.iam.GetRole", deny)
    probe_lambda_logging(ctx)
    record = _record(ctx, arn, "lambda-logging")
    assert record.status is Status.unknown
    assert "AccessDenied" in record.evidence
    assert [(e.service, e.operation, e.code) for e in ctx.errors] == [
        ("iam", "GetRole", "AccessDenied")
    ]


@mock_aws
def test_lambda_list_denied_marks_inventory_functions_unknown():
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:known"
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    inventory.add(
        CollectedResource(
            Resource(id=arn, type=LAMBDA_TYPE, account=ACCOUNT, region=REGION, name="known")
        )
    )
    ctx = _ctx(inventory)

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("lambda").meta.events.register("before-call.lambda.ListFunctions", deny)
    probe_lambda_logging(ctx)
    assert _record(ctx, arn, "lambda-logging").status is Status.unknown
    assert ctx.errors[0].code == "AccessDeniedException"


def test_policy_evaluation_explicit_deny_and_not_action():
    allow_all = (
        "admin",
        {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
    )
    deny = ("guard", {"Statement": {"Effect": "Deny", "Action": "logs:Put*", "Resource": "*"}})
    target = "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"
    assert policies_allow([allow_all], ["logs:PutLogEvents"], target).allowed
    verdict = policies_allow([allow_all, deny], ["logs:PutLogEvents"], target)
    assert not verdict.allowed and verdict.denied_by == ["guard"]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("ALL", Status.logged), ("ERROR", Status.partial), ("OFF", Status.missing)],
)
@mock_aws
def test_stepfunctions_logging_levels(level, expected):
    role = _role("sfn-role")
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sfn/x:*"
    config = {"level": level, "includeExecutionData": True}
    if level != "OFF":
        config["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}]
    arn = boto3.client("stepfunctions", REGION).create_state_machine(
        name="flow", definition="{}", roleArn=role, loggingConfiguration=config
    )["stateMachineArn"]
    ctx = _ctx()
    probe_stepfunctions_logging(ctx)
    record = _record(ctx, arn, "stepfunctions-logging")
    assert record.status is expected
    assert f"level={level}" in record.evidence
    if level == "OFF":
        assert record.destination is None
    else:
        assert record.destination == group[:-2]
        assert "includeExecutionData=True" in record.notes


@mock_aws
def test_stepfunctions_access_denied_is_unknown():
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:known"
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    inventory.add(
        CollectedResource(
            Resource(
                id=arn,
                type="AWS::StepFunctions::StateMachine",
                account=ACCOUNT,
                region=REGION,
            )
        )
    )
    ctx = _ctx(inventory)

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("stepfunctions").meta.events.register("before-call.*.ListStateMachines", deny)
    probe_stepfunctions_logging(ctx)
    assert _record(ctx, arn, "stepfunctions-logging").status is Status.unknown


@mock_aws
def test_lambda_with_deleted_or_foreign_role():
    gone = _function("orphan", _role("temporary"))
    boto3.client("iam").delete_role(RoleName="temporary")
    ctx = _ctx()
    probe_lambda_logging(ctx)
    record = _record(ctx, gone, "lambda-logging")
    assert record.status is Status.missing
    assert "does not exist" in record.evidence
    foreign = {
        "FunctionName": "foreign",
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:foreign",
        "Role": "arn:aws:iam::210987654321:role/shared",
    }
    ctx = _ctx()
    stub = Stubber(ctx.client("lambda"))
    stub.add_response("list_functions", {"Functions": [foreign]})
    with stub:
        probe_lambda_logging(ctx)
    record = _record(ctx, foreign["FunctionArn"], "lambda-logging")
    assert record.status is Status.unknown
    assert "210987654321" in record.evidence


def _project(name: str, logs_config: dict | None) -> str:
    kwargs = {"logsConfig": logs_config} if logs_config else {}
    return boto3.client("codebuild", REGION).create_project(
        name=name,
        source={"type": "S3", "location": "bucket/src.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "img",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=f"arn:aws:iam::{ACCOUNT}:role/build",
        **kwargs,
    )["project"]["arn"]


@mock_aws
def test_codebuild_logging_default_cloudwatch_s3_and_disabled():
    from collectors.coverage.probes.serverless import probe_codebuild_logging

    default = _project("default-logs", None)
    s3 = _project(
        "s3-logs",
        {
            "cloudWatchLogs": {"status": "DISABLED"},
            "s3Logs": {"status": "ENABLED", "location": "build-logs/p"},
        },
    )
    off = _project(
        "no-logs", {"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}}
    )
    ctx = _ctx()
    probe_codebuild_logging(ctx)
    record = _record(ctx, default, "codebuild-logging")
    assert record.status is Status.logged
    assert record.destination.endswith(":log-group:/aws/codebuild/default-logs")
    assert _record(ctx, s3, "codebuild-logging").destination == "arn:aws:s3:::build-logs/p"
    assert _record(ctx, off, "codebuild-logging").status is Status.missing


@mock_aws
def test_codebuild_denied_is_unknown():
    from collectors.coverage.probes.serverless import probe_codebuild_logging

    arn = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/known"
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    inventory.add(
        CollectedResource(
            Resource(id=arn, type="AWS::CodeBuild::Project", account=ACCOUNT, region=REGION)
        )
    )
    ctx = _ctx(inventory)

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("codebuild").meta.events.register("before-call.*.ListProjects", deny)
    probe_codebuild_logging(ctx)
    assert _record(ctx, arn, "codebuild-logging").status is Status.unknown


@mock_aws
def test_glue_continuous_logging_logged_else_partial():
    from collectors.coverage.probes.serverless import probe_glue_job_logging

    glue = boto3.client("glue", REGION)
    for name, args in (("streamed", {"--enable-continuous-cloudwatch-log": "true"}), ("batch", {})):
        glue.create_job(
            Name=name,
            Role="glue-role",
            DefaultArguments=args,
            Command={"Name": "glueetl", "ScriptLocation": "s3://b/s.py"},
        )
    ctx = _ctx()
    probe_glue_job_logging(ctx)
    base = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/"
    assert _record(ctx, base + "streamed", "glue-job-logging").status is Status.logged
    partial = _record(ctx, base + "batch", "glue-job-logging")
    assert partial.status is Status.partial
    assert "end-of-run" in partial.evidence


@mock_aws
def test_bedrock_invocation_logging_on_the_region_node():
    from collectors.coverage.probes.serverless import probe_bedrock_invocation_logging
    from collectors.coverage.runner import ensure_pseudo_resources
    from snapshot.model import Expectation, region_node_id

    node = region_node_id(ACCOUNT, REGION)
    ctx = _ctx()
    ensure_pseudo_resources(ctx.inventory)
    probe_bedrock_invocation_logging(ctx)
    off = _record(ctx, node, "bedrock-invocation-logging")
    assert off.status is Status.missing and off.expectation is Expectation.extended
    boto3.client("bedrock", REGION).put_model_invocation_logging_configuration(
        loggingConfig={
            "cloudWatchConfig": {
                "logGroupName": "bedrock-calls",
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/b",
            },
            "textDataDeliveryEnabled": True,
        }
    )
    ctx = _ctx()
    ensure_pseudo_resources(ctx.inventory)
    probe_bedrock_invocation_logging(ctx)
    on = _record(ctx, node, "bedrock-invocation-logging")
    assert on.status is Status.logged
    assert on.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:bedrock-calls"


@mock_aws
def test_roles_are_read_once_per_account_across_regions():
    inline = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"],
                "Resource": "*",
            }
        ],
    }
    role = _role("shared-role", inline=inline)
    for region in (REGION, "eu-west-1"):
        boto3.client("lambda", region).create_function(
            FunctionName="fn",
            Runtime="python3.12",
            Role=role,
            Handler="h.h",
            Code={"ZipFile": b"x"},
        )
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    facts = AccountFacts()  # the account's, as the collection driver hands every region
    for region in (REGION, "eu-west-1"):
        ctx = ProbeContext(
            aws=aws,
            account=ACCOUNT,
            region=region,
            inventory=RegionInventory(ACCOUNT, region, "test"),
            facts=facts,
        )
        probe_lambda_logging(ctx)
        arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:fn"
        assert _record(ctx, arn, "lambda-logging").status is Status.logged
    assert aws.call_log.counts[("iam", "GetRole")] == 1
