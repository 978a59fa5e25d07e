"""With a credential, AWS Config's item decides where it holds the setting: no Describe call.

Each case builds one resource in moto, decides it three ways with a credential and counts
the calls: by the direct API (an empty `api` inventory: the probe lists and describes), from
a Config item that holds the deciding field (the Describe call is not made, the verdict is
the API's), and from a Config item that lacks it (the call is made, same verdict).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.base import Probe, ProbeContext
from collectors.coverage.probes.access_api import probe_appsync_logging
from collectors.coverage.probes.database import (
    probe_elasticache_log_delivery,
    probe_mq_broker_logging,
    probe_opensearch_log_publishing,
    probe_redshift_audit_logging,
)
from collectors.coverage.probes.host import (
    probe_cloudwatch_agent,
    probe_ecs_task_logging,
    probe_eks_control_plane_logs,
    probe_elasticbeanstalk_logging,
)
from collectors.coverage.probes.serverless import (
    probe_codebuild_logging,
    probe_glue_job_logging,
    probe_lambda_logging,
    probe_stepfunctions_logging,
)
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.model import Coverage, Resource, Status

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _item(
    type_: str,
    arn: str,
    name: str,
    configuration: dict[str, Any],
    *,
    supplementary: dict[str, Any] | None = None,
    source: str = "config",
    resource_id: str | None = None,
) -> CollectedResource:
    return CollectedResource(
        Resource(
            id=arn,
            type=type_,
            account=ACCOUNT,
            region=REGION,
            name=name,
            resource_id=resource_id or name,
            source=source,
        ),
        configuration=configuration,
        supplementary=supplementary or {},
    )


#: Types AWS Config's recorder records beside the items' own (no item: none exists).
RECORDED = {"AWS::ElastiCache::CacheCluster"}


def _inventory(*items: CollectedResource, source: str = "config") -> RegionInventory:
    """An inventory that is AWS Config's complete record of the items' types."""
    inventory = RegionInventory(ACCOUNT, REGION, source)
    for item in items:
        inventory.add(item)
    if source == "config":
        inventory.types_covered |= {item.type for item in items} | RECORDED
    return inventory


def _run(probe: Probe, inventory: RegionInventory) -> tuple[ProbeContext, Counter]:
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    ctx = ProbeContext(aws, ACCOUNT, REGION, inventory)
    probe(ctx)
    return ctx, aws.call_log.counts


def _calls(counts: Counter, operation: str) -> int:
    return sum(n for (_, op), n in counts.items() if op == operation)


def _one(ctx: ProbeContext, arn: str, control: str) -> Coverage:
    found = [c for c in ctx.coverage.get(arn, []) if c.control == control]
    assert len(found) == 1, ctx.coverage
    return found[0]


def _three_ways(
    probe: Probe,
    control: str,
    arn: str,
    holding: CollectedResource,
    lacking: CollectedResource,
    *calls: str,
    api: RegionInventory | None = None,
) -> Status:
    """The API's verdict, equal from an item holding the field (none of `calls` made) and
    from an item lacking it (the first of `calls` made). Returns the verdict."""
    ctx, counts = _run(probe, api or _inventory(source="api"))
    expected = _one(ctx, arn, control).status
    assert _calls(counts, calls[0]) >= 1
    ctx, counts = _run(probe, _inventory(holding))
    decided = _one(ctx, arn, control)
    assert decided.status is expected, decided
    assert decided.operation and decided.operation.startswith("config:"), decided
    assert {op: _calls(counts, op) for op in calls} == dict.fromkeys(calls, 0)
    ctx, counts = _run(probe, _inventory(lacking))
    assert _one(ctx, arn, control).status is expected
    assert _calls(counts, calls[0]) >= 1
    return expected


# --------------------------------------------------------------------------- serverless


@mock_aws
def test_step_functions_logging_from_the_item() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sfn/flow:*"
    arn = boto3.client("stepfunctions", REGION).create_state_machine(
        name="flow",
        definition="{}",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
        loggingConfiguration={
            "level": "ERROR",
            "includeExecutionData": True,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
        },
    )["stateMachineArn"]
    type_ = "AWS::StepFunctions::StateMachine"
    logging = {
        "Level": "ERROR",
        "IncludeExecutionData": True,
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": group}}],
    }
    holding = _item(
        type_, arn, "flow", {"StateMachineName": "flow", "LoggingConfiguration": logging}
    )
    lacking = _item(type_, arn, "flow", {"StateMachineName": "flow"})
    verdict = _three_ways(
        probe_stepfunctions_logging,
        "stepfunctions-logging",
        arn,
        holding,
        lacking,
        "DescribeStateMachine",
        "ListStateMachines",
    )
    assert verdict is Status.partial


@mock_aws
def test_codebuild_logging_from_the_item() -> None:
    arn = boto3.client("codebuild", REGION).create_project(
        name="build",
        source={"type": "S3", "location": "bucket/src.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "img",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=f"arn:aws:iam::{ACCOUNT}:role/build",
        logsConfig={"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}},
    )["project"]["arn"]
    type_ = "AWS::CodeBuild::Project"
    logs = {"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}}
    holding = _item(type_, arn, "build", {"name": "build", "logsConfig": logs})
    lacking = _item(type_, arn, "build", {"name": "build"})
    verdict = _three_ways(
        probe_codebuild_logging,
        "codebuild-logging",
        arn,
        holding,
        lacking,
        "BatchGetProjects",
        "ListProjects",
    )
    assert verdict is Status.missing


@mock_aws
def test_glue_job_logging_from_the_item() -> None:
    arguments = {"--enable-continuous-cloudwatch-log": "true"}
    command = {"Name": "glueetl", "ScriptLocation": "s3://b/s.py"}
    boto3.client("glue", REGION).create_job(
        Name="etl", Role="glue-role", DefaultArguments=arguments, Command=command
    )
    arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/etl"
    type_ = "AWS::Glue::Job"
    holding = _item(
        type_, arn, "etl", {"Name": "etl", "Command": command, "DefaultArguments": arguments}
    )
    lacking = _item(type_, arn, "etl", {"Name": "etl"})
    verdict = _three_ways(
        probe_glue_job_logging, "glue-job-logging", arn, holding, lacking, "GetJobs"
    )
    assert verdict is Status.logged


LOGS_WRITE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"],
            "Resource": "*",
        }
    ],
}


@mock_aws
def test_lambda_role_recorded_by_config_is_read_from_its_item() -> None:
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="fn-role", PolicyName="logs", PolicyDocument=json.dumps(LOGS_WRITE)
    )
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn"
    function = {"functionName": "fn", "role": role}
    recorded = {
        "roleName": "fn-role",
        "arn": role,
        "attachedManagedPolicies": [],
        "rolePolicyList": [{"policyName": "logs", "policyDocument": json.dumps(LOGS_WRITE)}],
    }
    type_, role_type = "AWS::Lambda::Function", "AWS::IAM::Role"
    api = _inventory(_item(type_, arn, "fn", function, source="api"), source="api")
    api.types_covered.add(type_)
    holding = _item(role_type, role, "fn-role", recorded)
    lacking = _item(role_type, role, "fn-role", {"roleName": "fn-role", "arn": role})
    ctx, counts = _run(probe_lambda_logging, api)
    expected = _one(ctx, arn, "lambda-logging").status
    assert expected is Status.logged and _calls(counts, "GetRole") == 1
    for role_item, calls in ((holding, 0), (lacking, 1)):
        inventory = _inventory(_item(type_, arn, "fn", function), role_item)
        ctx, counts = _run(probe_lambda_logging, inventory)
        assert _one(ctx, arn, "lambda-logging").status is expected
        assert _calls(counts, "GetRole") == calls
        assert _calls(counts, "GetRolePolicy") == calls


# --------------------------------------------------------------------------- database


@mock_aws
def test_redshift_logging_status_from_the_supplementary_configuration() -> None:
    redshift = boto3.client("redshift", REGION)
    boto3.client("s3", REGION).create_bucket(Bucket="audit-logs")
    redshift.create_cluster(
        ClusterIdentifier="dw",
        NodeType="dc2.large",
        MasterUsername="admin",
        MasterUserPassword="Passw0rd1",
        ClusterType="single-node",
    )
    redshift.enable_logging(ClusterIdentifier="dw", BucketName="audit-logs", S3KeyPrefix="rs/")
    arn = f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:dw"
    type_ = "AWS::Redshift::Cluster"
    status = {"loggingEnabled": True, "bucketName": "audit-logs", "s3KeyPrefix": "rs/"}
    holding = _item(
        type_,
        arn,
        "dw",
        {"clusterIdentifier": "dw"},
        supplementary={"LoggingStatus": json.dumps(status)},
    )
    lacking = _item(type_, arn, "dw", {"clusterIdentifier": "dw"})
    verdict = _three_ways(
        probe_redshift_audit_logging,
        "redshift-audit-logging",
        arn,
        holding,
        lacking,
        "DescribeLoggingStatus",
        "DescribeClusters",
    )
    assert verdict is Status.logged


@mock_aws
def test_elasticache_log_delivery_from_the_item() -> None:
    delivery = {
        "LogType": "slow-log",
        "DestinationType": "cloudwatch-logs",
        "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "redis-logs"}},
        "LogFormat": "json",
    }
    arn = boto3.client("elasticache", REGION).create_replication_group(
        ReplicationGroupId="rg",
        ReplicationGroupDescription="d",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
        LogDeliveryConfigurations=[delivery],
    )["ReplicationGroup"]["ARN"]
    type_ = "AWS::ElastiCache::ReplicationGroup"
    holding = _item(
        type_,
        arn,
        "rg",
        {
            "ReplicationGroupId": "rg",
            "LogDeliveryConfigurations": [{**delivery, "Status": "active"}],
        },
    )
    lacking = _item(type_, arn, "rg", {"ReplicationGroupId": "rg"})
    verdict = _three_ways(
        probe_elasticache_log_delivery,
        "elasticache-log-delivery",
        arn,
        holding,
        lacking,
        "DescribeReplicationGroups",
        "DescribeCacheClusters",
    )
    assert verdict is Status.partial


@mock_aws
def test_opensearch_log_publishing_from_the_item() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:os"
    options = {"ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": group, "Enabled": True}}
    arn = boto3.client("opensearch", REGION).create_domain(
        DomainName="search", LogPublishingOptions=options
    )["DomainStatus"]["ARN"]
    type_ = "AWS::OpenSearch::Domain"
    holding = _item(type_, arn, "search", {"DomainName": "search", "LogPublishingOptions": options})
    lacking = _item(type_, arn, "search", {"DomainName": "search"})
    verdict = _three_ways(
        probe_opensearch_log_publishing,
        "opensearch-log-publishing",
        arn,
        holding,
        lacking,
        "DescribeDomains",
        "ListDomainNames",
    )
    assert verdict is Status.partial


@mock_aws
def test_mq_broker_logging_from_the_item() -> None:
    created = boto3.client("mq", REGION).create_broker(
        BrokerName="queue",
        EngineType="RABBITMQ",
        EngineVersion="3.13",
        HostInstanceType="mq.t3.micro",
        DeploymentMode="SINGLE_INSTANCE",
        PubliclyAccessible=False,
        AutoMinorVersionUpgrade=True,
        Users=[{"Username": "admin", "Password": "Passw0rd12345"}],
        Logs={"General": True},
    )
    arn, broker_id = created["BrokerArn"], created["BrokerId"]
    type_ = "AWS::AmazonMQ::Broker"
    base = {"BrokerName": "queue", "BrokerId": broker_id, "EngineType": "RABBITMQ"}
    holding = _item(type_, arn, "queue", {**base, "Logs": {"General": True}}, resource_id=broker_id)
    lacking = _item(type_, arn, "queue", base, resource_id=broker_id)
    verdict = _three_ways(
        probe_mq_broker_logging,
        "mq-broker-logging",
        arn,
        holding,
        lacking,
        "DescribeBroker",
        "ListBrokers",
    )
    assert verdict is Status.logged


# --------------------------------------------------------------------------- access


@mock_aws
def test_appsync_log_config_from_the_item() -> None:
    api = boto3.client("appsync", REGION).create_graphql_api(
        name="graph",
        authenticationType="API_KEY",
        logConfig={
            "fieldLogLevel": "ERROR",
            "cloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/appsync",
        },
    )["graphqlApi"]
    arn, api_id = api["arn"], api["apiId"]
    type_ = "AWS::AppSync::GraphQLApi"
    holding = _item(
        type_,
        arn,
        "graph",
        {"ApiId": api_id, "Name": "graph", "LogConfig": {"FieldLogLevel": "ERROR"}},
        resource_id=api_id,
    )
    lacking = _item(type_, arn, "graph", {}, resource_id=api_id)
    verdict = _three_ways(
        probe_appsync_logging, "appsync-logging", arn, holding, lacking, "ListGraphqlApis"
    )
    assert verdict is Status.partial


# --------------------------------------------------------------------------- host


@mock_aws
def test_ecs_task_definition_from_the_item() -> None:
    arn = boto3.client("ecs", REGION).register_task_definition(
        family="web",
        containerDefinitions=[
            {
                "name": "app",
                "image": "img",
                "memory": 128,
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs"}},
            },
            {"name": "sidecar", "image": "img", "memory": 128},
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    type_ = "AWS::ECS::TaskDefinition"
    containers = [
        {
            "Name": "app",
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "/ecs"}},
        },
        {"Name": "sidecar"},
    ]
    holding = _item(type_, arn, "web", {"Family": "web", "ContainerDefinitions": containers})
    lacking = _item(type_, arn, "web", {"Family": "web"})
    verdict = _three_ways(
        probe_ecs_task_logging,
        "ecs-task-logging",
        arn,
        holding,
        lacking,
        "DescribeTaskDefinition",
        "ListTaskDefinitions",
    )
    assert verdict is Status.partial


@mock_aws
def test_eks_item_without_logging_is_described() -> None:
    arn = boto3.client("eks", REGION).create_cluster(
        name="k8s",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks",
        resourcesVpcConfig={},
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
    )["cluster"]["arn"]
    type_ = "AWS::EKS::Cluster"
    enabled = [{"Type": "api"}, {"Type": "audit"}]
    holding = _item(
        type_, arn, "k8s", {"Name": "k8s", "Logging": {"ClusterLogging": {"EnabledTypes": enabled}}}
    )
    lacking = _item(type_, arn, "k8s", {"Name": "k8s"})
    verdict = _three_ways(
        probe_eks_control_plane_logs,
        "eks-control-plane-logs",
        arn,
        holding,
        lacking,
        "DescribeCluster",
        "ListClusters",
    )
    assert verdict is Status.partial


def test_beanstalk_option_settings_from_the_item() -> None:
    arn = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/app/web-prod"
    namespace = "aws:elasticbeanstalk:cloudwatch:logs"
    type_ = "AWS::ElasticBeanstalk::Environment"
    settings = {namespace: {"StreamLogs": {"value": "true"}}}
    holding = _item(
        type_, arn, "web-prod", {"environmentName": "web-prod", "optionSettings": settings}
    )
    with mock_aws():
        ctx, counts = _run(probe_elasticbeanstalk_logging, _inventory(holding))
    decided = _one(ctx, arn, "elasticbeanstalk-logging")
    assert decided.status is Status.logged
    assert _calls(counts, "DescribeEnvironments") == 0
    assert _calls(counts, "DescribeConfigurationSettings") == 0
    lacking = _item(type_, arn, "web-prod", {"environmentName": "web-prod"})
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    ctx = ProbeContext(aws, ACCOUNT, REGION, _inventory(lacking))
    stub = Stubber(ctx.client("elasticbeanstalk"))
    environment = {"EnvironmentName": "web-prod", "ApplicationName": "app", "EnvironmentArn": arn}
    stub.add_response("describe_environments", {"Environments": [environment]})
    option = {"Namespace": namespace, "OptionName": "StreamLogs", "Value": "true"}
    stub.add_response(
        "describe_configuration_settings",
        {"ConfigurationSettings": [{"OptionSettings": [option]}]},
    )
    with stub:
        probe_elasticbeanstalk_logging(ctx)
    stub.assert_no_pending_responses()  # both calls made
    assert _one(ctx, arn, "elasticbeanstalk-logging").status is decided.status


def _ssm_inventory(instance: str, applications: dict[str, Any]) -> CollectedResource:
    return _item(
        "AWS::SSM::ManagedInstanceInventory",
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:managed-instance-inventory/{instance}",
        instance,
        {
            "AWS:InstanceInformation": {"Content": {instance: {"InstanceId": instance}}},
            "AWS:Application": {"Content": applications},
        },
    )


@mock_aws
def test_cloudwatch_agent_listed_by_the_config_inventory_item_needs_no_call() -> None:
    instance = "i-0123456789abcdef0"
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance}"
    boto3.client("cloudwatch", REGION).put_metric_data(
        Namespace="CWAgent",
        MetricData=[
            {
                "MetricName": "mem_used_percent",
                "Value": 1.0,
                "Dimensions": [{"Name": "InstanceId", "Value": instance}],
            }
        ],
    )
    ec2 = {"instanceId": instance, "state": {"name": "running"}}
    agent = {"amazon-cloudwatch-agent": {"Name": "amazon-cloudwatch-agent"}}
    ctx, counts = _run(
        probe_cloudwatch_agent,
        _inventory(
            _item("AWS::EC2::Instance", arn, instance, ec2), _ssm_inventory(instance, agent)
        ),
    )
    decided = _one(ctx, arn, "cloudwatch-agent")
    assert decided.status is Status.logged
    assert decided.operation == "config:AWS::SSM::ManagedInstanceInventory AWS:Application"
    assert sum(counts.values()) == 0  # no GetInventory, ListMetrics or DescribeLogStreams
    other = {"amazon-ssm-agent": {"Name": "amazon-ssm-agent"}}
    ctx, counts = _run(
        probe_cloudwatch_agent,
        _inventory(
            _item("AWS::EC2::Instance", arn, instance, ec2), _ssm_inventory(instance, other)
        ),
    )
    record = _one(ctx, arn, "cloudwatch-agent")
    assert record.status is Status.logged  # the CWAgent metric, read by the call
    assert record.operation == "cloudwatch:ListMetrics"
    assert _calls(counts, "ListMetrics") == 1
