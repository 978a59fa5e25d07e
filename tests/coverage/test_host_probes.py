"""Host-layer probes against moto, with the real direct-API inventory source.

moto lacks SSM `GetInventory` and `DescribeInstanceInformation` (moto-matrix.md): those
decisions are tested on Stubber-validated responses shaped like AWS's, while the other
evidence (CWAgent metrics, log streams, IAM) is still served by moto.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.base import ProbeContext
from collectors.coverage.probes.host import (
    probe_cloudwatch_agent,
    probe_ecs_task_logging,
    probe_eks_control_plane_logs,
    probe_ssm_managed,
    probe_ssm_session_logging,
)
from collectors.inventory.api import API_TYPES, ApiSource
from snapshot.model import Expectation, Status, region_node_id

ACCOUNT = "123456789012"
REGION = "us-east-1"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _ctx(*types: str) -> ProbeContext:
    """A probe context whose inventory is collected by the real ApiSource (only `types`)."""
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    inventory = ApiSource(aws, regions=[REGION]).collect_region(
        ACCOUNT, REGION, skip_types=API_TYPES - set(types)
    )
    return ProbeContext(aws=aws, account=ACCOUNT, region=REGION, inventory=inventory)


def _record(ctx: ProbeContext, resource_id: str, control: str):
    records = [c for c in ctx.coverage.get(resource_id, []) if c.control == control]
    assert len(records) == 1, ctx.coverage
    return records[0]


def _instance(profile: str | None = None) -> tuple[str, str]:
    ec2 = boto3.client("ec2", REGION)
    kwargs = {"IamInstanceProfile": {"Name": profile}} if profile else {}
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, **kwargs)[
        "Instances"
    ][0]
    iid = instance["InstanceId"]
    return iid, f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{iid}"


def _profile(name: str, inline: dict | None) -> str:
    iam = boto3.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(inline))
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return name


def _stub_empty_ssm_inventory(ctx: ProbeContext) -> Stubber:
    stub = Stubber(ctx.client("ssm"))
    stub.add_response("get_inventory", {"Entities": []})
    stub.activate()
    return stub


LOGS_WRITE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
            "Resource": "*",
        }
    ],
}


@mock_aws
def test_cwagent_metric_means_logged():
    iid, arn = _instance()
    boto3.client("cloudwatch", REGION).put_metric_data(
        Namespace="CWAgent",
        MetricData=[
            {
                "MetricName": "mem_used_percent",
                "Value": 12.0,
                "Dimensions": [{"Name": "InstanceId", "Value": iid}],
            }
        ],
    )
    ctx = _ctx("AWS::EC2::Instance")
    _stub_empty_ssm_inventory(ctx)
    probe_cloudwatch_agent(ctx)
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.logged
    assert f"InstanceId={iid}" in record.evidence
    assert record.operation == "cloudwatch:ListMetrics"


@mock_aws
def test_log_stream_named_after_instance_means_logged_with_destination():
    iid, arn = _instance()
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="app/syslog")
    logs.create_log_stream(logGroupName="app/syslog", logStreamName=iid)
    logs.create_log_group(logGroupName="/aws/lambda/ignored")
    ctx = _ctx("AWS::EC2::Instance")
    _stub_empty_ssm_inventory(ctx)
    probe_cloudwatch_agent(ctx)
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.logged
    assert "app/syslog" in record.evidence
    assert record.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app/syslog"


@mock_aws
def test_ssm_inventory_agent_package_means_logged_on_aws_shaped_response():
    """moto lacks ssm:GetInventory: the response is stubbed (validated by botocore)."""
    iid, arn = _instance()
    ctx = _ctx("AWS::EC2::Instance")
    stub = Stubber(ctx.client("ssm"))
    stub.add_response(
        "get_inventory",
        {
            "Entities": [
                {
                    "Id": iid,
                    "Data": {
                        "AWS:Application": {
                            "TypeName": "AWS:Application",
                            "SchemaVersion": "1.1",
                            "CaptureTime": "2026-11-30T08:00:00Z",
                            "Content": [
                                {"Name": "amazon-cloudwatch-agent", "Version": "1.300049.1"}
                            ],
                        }
                    },
                }
            ]
        },
        {
            "Filters": [
                {
                    "Key": "AWS:Application.Name",
                    "Values": ["amazon-cloudwatch-agent", "Amazon CloudWatch Agent"],
                    "Type": "Equal",
                }
            ],
            "ResultAttributes": [{"TypeName": "AWS:Application"}],
        },
    )
    with stub:
        probe_cloudwatch_agent(ctx)
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.logged
    assert record.operation == "ssm:GetInventory"


@mock_aws
def test_profile_that_only_permits_logs_is_partial_and_nothing_is_missing():
    _, with_profile = _instance(_profile("agent-role", LOGS_WRITE))
    _, bare = _instance(_profile("bare-role", None))
    ctx = _ctx("AWS::EC2::Instance")
    _stub_empty_ssm_inventory(ctx)
    probe_cloudwatch_agent(ctx)
    partial = _record(ctx, with_profile, "cloudwatch-agent")
    assert partial.status is Status.partial
    assert "agent-role allows logs:PutLogEvents" in partial.evidence
    missing = _record(ctx, bare, "cloudwatch-agent")
    assert missing.status is Status.missing
    assert any("bare-role may not" in note for note in missing.notes)


@mock_aws
def test_ssm_inventory_unavailable_is_a_note_and_metrics_failure_is_unknown():
    _, arn = _instance()
    ctx = _ctx("AWS::EC2::Instance")

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListMetrics")

    ctx.client("cloudwatch").meta.events.register("before-call.cloudwatch.ListMetrics", deny)
    probe_cloudwatch_agent(ctx)  # moto: GetInventory raises NotImplementedError
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.unknown
    assert "AccessDenied" in record.evidence
    assert any(n.startswith("ssm:GetInventory failed") for n in record.notes)
    assert {e.operation for e in ctx.errors} == {"GetInventory", "ListMetrics"}


def _instance_information(iid: str, ping: str) -> dict:
    return {
        "InstanceInformationList": [
            {
                "InstanceId": iid,
                "PingStatus": ping,
                "AgentVersion": "3.3.0.0",
                "PlatformType": "Linux",
                "ResourceType": "EC2Instance",
            }
        ]
    }


@pytest.mark.parametrize(
    ("ping", "expected"), [("Online", Status.logged), ("ConnectionLost", Status.partial)]
)
@mock_aws
def test_ssm_managed_on_aws_shaped_response(ping, expected):
    """moto lacks DescribeInstanceInformation: stubbed, shape-validated."""
    iid, arn = _instance()
    _, other = _instance()
    ctx = _ctx("AWS::EC2::Instance")
    stub = Stubber(ctx.client("ssm"))
    stub.add_response("describe_instance_information", _instance_information(iid, ping))
    with stub:
        probe_ssm_managed(ctx)
    record = _record(ctx, arn, "ssm-managed")
    assert record.status is expected
    assert record.expectation is Expectation.extended
    assert f"PingStatus={ping}" in record.evidence
    assert _record(ctx, other, "ssm-managed").status is Status.missing


@mock_aws
def test_ssm_managed_unavailable_is_unknown():
    _, arn = _instance()
    ctx = _ctx("AWS::EC2::Instance")
    probe_ssm_managed(ctx)  # moto raises NotImplementedError
    assert _record(ctx, arn, "ssm-managed").status is Status.unknown
    assert ctx.errors[0].operation == "DescribeInstanceInformation"


def _session_document(inputs: dict) -> None:
    boto3.client("ssm", REGION).create_document(
        Name="SSM-SessionManagerRunShell",
        DocumentType="Session",
        DocumentFormat="JSON",
        Content=json.dumps(
            {
                "schemaVersion": "1.0",
                "description": "prefs",
                "sessionType": "Standard_Stream",
                "inputs": inputs,
            }
        ),
    )


@mock_aws
def test_session_logging_to_cloudwatch_is_logged_on_the_region_node():
    _session_document(
        {
            "s3BucketName": "",
            "cloudWatchLogGroupName": "ssm-sessions",
            "cloudWatchStreamingEnabled": True,
        }
    )
    ctx = _ctx()
    probe_ssm_session_logging(ctx)
    record = _record(ctx, region_node_id(ACCOUNT, REGION), "ssm-session-logging")
    assert record.status is Status.logged
    assert record.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:ssm-sessions"
    assert "cloudWatchStreamingEnabled=True" in record.notes


@mock_aws
def test_session_logging_empty_preferences_or_no_document_is_missing():
    ctx = _ctx()
    probe_ssm_session_logging(ctx)
    node = region_node_id(ACCOUNT, REGION)
    assert _record(ctx, node, "ssm-session-logging").status is Status.missing
    _session_document({"s3BucketName": "", "cloudWatchLogGroupName": ""})
    ctx = _ctx()
    probe_ssm_session_logging(ctx)
    record = _record(ctx, node, "ssm-session-logging")
    assert record.status is Status.missing
    assert "empty" in record.evidence


@mock_aws
def test_session_logging_access_denied_is_unknown():
    ctx = _ctx()

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("ssm").meta.events.register("before-call.ssm.GetDocument", deny)
    probe_ssm_session_logging(ctx)
    record = _record(ctx, region_node_id(ACCOUNT, REGION), "ssm-session-logging")
    assert record.status is Status.unknown
    assert ctx.errors[0].code == "AccessDeniedException"


def _eks(name: str, types: list[str]) -> str:
    role = f"arn:aws:iam::{ACCOUNT}:role/eks"
    logging = (
        {"clusterLogging": [{"types": types, "enabled": True}]}
        if types
        else {"clusterLogging": [{"types": ["api", "audit"], "enabled": False}]}
    )
    return boto3.client("eks", REGION).create_cluster(
        name=name, roleArn=role, resourcesVpcConfig={}, logging=logging
    )["cluster"]["arn"]


@mock_aws
def test_eks_control_plane_logs_all_some_none():
    full = _eks("full", ["api", "audit", "authenticator"])
    some = _eks("some", ["api"])
    none = _eks("none", [])
    for ctx in (_ctx("AWS::EKS::Cluster"), _ctx()):  # from the inventory, and listed itself
        probe_eks_control_plane_logs(ctx)
        record = _record(ctx, full, "eks-control-plane-logs")
        assert record.status is Status.logged
        assert record.destination == (
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/eks/full/cluster"
        )
        partial = _record(ctx, some, "eks-control-plane-logs")
        assert partial.status is Status.partial
        assert "not enabled: audit, authenticator" in partial.notes
        assert _record(ctx, none, "eks-control-plane-logs").status is Status.missing


@mock_aws
def test_eks_access_denied_is_unknown():
    arn = _eks("k", ["api"])
    ctx = _ctx("AWS::EKS::Cluster")
    ctx.inventory.types_covered.discard("AWS::EKS::Cluster")

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("eks").meta.events.register("before-call.eks.ListClusters", deny)
    probe_eks_control_plane_logs(ctx)
    assert _record(ctx, arn, "eks-control-plane-logs").status is Status.unknown


def _task_definition(family: str, drivers: list[str | None]) -> str:
    containers = []
    for index, driver in enumerate(drivers):
        container = {"name": f"c{index}", "image": "img", "memory": 128}
        if driver:
            container["logConfiguration"] = {
                "logDriver": driver,
                "options": {"awslogs-group": f"/ecs/{family}"},
            }
        containers.append(container)
    return boto3.client("ecs", REGION).register_task_definition(
        family=family, containerDefinitions=containers
    )["taskDefinition"]["taskDefinitionArn"]


@mock_aws
def test_ecs_task_logging_latest_revision_all_some_none():
    _task_definition("web", [None])
    web = _task_definition("web", ["awslogs", "awslogs"])  # revision 2 is the one decided
    mixed = _task_definition("mixed", ["awslogs", "json-file"])
    bare = _task_definition("bare", [None])
    ctx = _ctx()
    probe_ecs_task_logging(ctx)
    record = _record(ctx, web, "ecs-task-logging")
    assert record.status is Status.logged
    assert record.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web"
    assert f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:1" not in ctx.coverage
    assert _record(ctx, mixed, "ecs-task-logging").status is Status.partial
    assert _record(ctx, bare, "ecs-task-logging").status is Status.missing
    assert ctx.inventory.resources[web].type == "AWS::ECS::TaskDefinition"


def test_eks_offline_from_a_config_item_in_cloudformation_shape():
    from collectors.inventory.base import CollectedResource, RegionInventory
    from snapshot.model import Resource

    arn = f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/cfg"
    inventory = RegionInventory(ACCOUNT, REGION, "config-files")
    inventory.add(
        CollectedResource(
            Resource(
                id=arn, type="AWS::EKS::Cluster", account=ACCOUNT, region=REGION, resource_id="cfg"
            ),
            configuration={
                "Name": "cfg",
                "Logging": {
                    "ClusterLogging": {"EnabledTypes": [{"Type": "api"}, {"Type": "audit"}]}
                },
            },
        )
    )
    ctx = ProbeContext(aws=None, account=ACCOUNT, region=REGION, inventory=inventory)
    probe_eks_control_plane_logs(ctx)
    record = _record(ctx, arn, "eks-control-plane-logs")
    assert record.status is Status.partial
    assert "types=api,audit" in record.evidence


@mock_aws
def test_ecs_describe_denied_is_unknown():
    arn = _task_definition("guarded", ["awslogs"])
    ctx = _ctx()

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("ecs").meta.events.register("before-call.ecs.DescribeTaskDefinition", deny)
    probe_ecs_task_logging(ctx)
    record = _record(ctx, arn, "ecs-task-logging")
    assert record.status is Status.unknown
    assert "AccessDeniedException" in record.evidence


@pytest.mark.parametrize(
    ("value", "expected"), [("true", Status.logged), ("false", Status.missing)]
)
@mock_aws
def test_elasticbeanstalk_stream_logs_on_aws_shaped_response(value, expected):
    """moto lacks DescribeConfigurationSettings: that call is stubbed, shape-validated."""
    from collectors.coverage.probes.host import probe_elasticbeanstalk_logging

    arn = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/app/web-prod"
    ctx = _ctx()
    stub = Stubber(ctx.client("elasticbeanstalk"))
    stub.add_response(
        "describe_environments",
        {
            "Environments": [
                {
                    "EnvironmentName": "web-prod",
                    "EnvironmentId": "e-abc123",
                    "ApplicationName": "app",
                    "EnvironmentArn": arn,
                }
            ]
        },
    )
    stub.add_response(
        "describe_configuration_settings",
        {
            "ConfigurationSettings": [
                {
                    "ApplicationName": "app",
                    "EnvironmentName": "web-prod",
                    "OptionSettings": [
                        {
                            "Namespace": "aws:elasticbeanstalk:cloudwatch:logs",
                            "OptionName": "StreamLogs",
                            "Value": value,
                        },
                        {
                            "Namespace": "aws:elasticbeanstalk:cloudwatch:logs",
                            "OptionName": "RetentionInDays",
                            "Value": "90",
                        },
                    ],
                }
            ]
        },
        {"ApplicationName": "app", "EnvironmentName": "web-prod"},
    )
    with stub:
        probe_elasticbeanstalk_logging(ctx)
    record = _record(ctx, arn, "elasticbeanstalk-logging")
    assert record.status is expected
    assert f"StreamLogs={value}" in record.evidence
    if expected is Status.logged:
        assert record.destination.endswith(":log-group:/aws/elasticbeanstalk/web-prod")
        assert "RetentionInDays=90" in record.notes


@mock_aws
def test_ecs_blocking_mode_is_a_note():
    arn = _task_definition("blocky", ["awslogs"])
    ctx = _ctx()
    probe_ecs_task_logging(ctx)
    record = _record(ctx, arn, "ecs-task-logging")
    assert record.status is Status.logged
    assert any("blocking mode" in note for note in record.notes)


@mock_aws
def test_log_stream_check_is_bounded_and_looks_at_agent_like_groups_first(monkeypatch):
    import collectors.coverage.probes.host as host

    monkeypatch.setattr(host, "MAX_STREAM_GROUPS", 2)
    iid, arn = _instance()
    logs = boto3.client("logs", REGION)
    for name in ("aaa-app", "bbb-app", "zzz/var/log/secure"):
        logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName="zzz/var/log/secure", logStreamName=iid)
    ctx = _ctx("AWS::EC2::Instance")
    _stub_empty_ssm_inventory(ctx)
    probe_cloudwatch_agent(ctx)
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.logged  # the hinted group came first despite its name
    assert "log streams checked in 2 of 3 log groups" in record.notes


@mock_aws
def test_failed_inventory_of_an_instance_ssm_does_not_manage_is_said_not_cited():
    """ssm:GetInventory fails and DescribeInstanceInformation lists no instance (stubbed: moto
    lacks both): the instance has no SSM inventory that could show the agent, so `missing`
    rests on the CWAgent metrics and log streams moto answered, and the evidence says the
    inventory was not needed instead of citing it."""
    _, arn = _instance()
    ctx = _ctx("AWS::EC2::Instance")
    stub = Stubber(ctx.client("ssm"))
    stub.add_client_error("get_inventory", "AccessDeniedException", "no")
    stub.add_response("describe_instance_information", {"InstanceInformationList": []})
    stub.activate()
    probe_cloudwatch_agent(ctx)
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.missing
    assert "ssm:DescribeInstanceInformation does not list it" in record.evidence
    assert "ssm:GetInventory failed and was not needed" in record.evidence
    assert "SSM inventory entry" not in record.evidence
    assert {e.operation for e in ctx.errors} == {"GetInventory"}


@mock_aws
def test_failed_inventory_of_an_instance_ssm_manages_is_unknown():
    iid, arn = _instance()
    ctx = _ctx("AWS::EC2::Instance")
    stub = Stubber(ctx.client("ssm"))
    stub.add_client_error("get_inventory", "AccessDeniedException", "no")
    stub.add_response("describe_instance_information", _instance_information(iid, "Online"))
    stub.activate()
    probe_cloudwatch_agent(ctx)
    record = _record(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.unknown
    assert record.evidence.startswith("ssm:GetInventory failed (AccessDeniedException)")
