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
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from test_access_probes import _distribution
from test_database_probes import _log_delivery, _redshift
from test_host_probes import _eks, _task_definition
from test_serverless_probes import _project, _role

from collectors.aws.session import AwsContext
from collectors.coverage.base import Probe, ProbeContext
from collectors.coverage.items import pascal
from collectors.coverage.probes.access_api import probe_appsync_logging
from collectors.coverage.probes.access_edge import probe_cloudfront_logging
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
OPENSEARCH = "AWS::OpenSearch::Domain"
APPSYNC = "AWS::AppSync::GraphQLApi"
DISTRIBUTION = "AWS::CloudFront::Distribution"


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
    names = {"id": arn, "type": type_, "name": name, "resource_id": resource_id or name}
    resource = Resource(account=ACCOUNT, region=REGION, source=source, **names)
    return CollectedResource(resource, configuration, supplementary or {})


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


Built = tuple[str, CollectedResource, CollectedResource, tuple[str, ...]]


def _built(
    type_: str, arn: str, name: str, base: dict[str, Any], field: dict[str, Any], *calls: str
) -> Built:
    """(ARN, the item holding the deciding `field`, the item without it, the calls)."""
    holding = _item(type_, arn, name, {**base, **field}, resource_id=base.get("id"))
    return arn, holding, _item(type_, arn, name, base, resource_id=base.get("id")), calls


def _state_machine() -> Built:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sfn/flow:*"
    logging = {
        "level": "ERROR",
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
    }
    arn = boto3.client("stepfunctions", REGION).create_state_machine(
        name="flow", definition="{}", roleArn=_role("sfn"), loggingConfiguration=logging
    )["stateMachineArn"]
    field = {"LoggingConfiguration": pascal(logging)}
    calls = ("DescribeStateMachine", "ListStateMachines")
    return _built("AWS::StepFunctions::StateMachine", arn, "flow", {}, field, *calls)


def _build_project() -> Built:
    logs = {"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}}
    arn = _project("build", logs)
    calls = ("BatchGetProjects", "ListProjects")
    return _built("AWS::CodeBuild::Project", arn, "build", {}, {"logsConfig": logs}, *calls)


def _glue_job() -> Built:
    arguments = {"--enable-continuous-cloudwatch-log": "true"}
    command = {"Name": "glueetl", "ScriptLocation": "s3://b/s.py"}
    glue = boto3.client("glue", REGION)
    glue.create_job(Name="etl", Role="glue-role", DefaultArguments=arguments, Command=command)
    field = {"Command": command, "DefaultArguments": arguments}
    arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/etl"
    return _built("AWS::Glue::Job", arn, "etl", {}, field, "GetJobs")


def _redshift_cluster() -> Built:
    boto3.client("s3", REGION).create_bucket(Bucket="audit-logs")
    arn = _redshift("dw")
    boto3.client("redshift", REGION).enable_logging(ClusterIdentifier="dw", BucketName="audit-logs")
    status = json.dumps({"loggingEnabled": True, "bucketName": "audit-logs"})
    lacking = _item("AWS::Redshift::Cluster", arn, "dw", {"clusterIdentifier": "dw"})
    holding = _item(
        lacking.type, arn, "dw", lacking.configuration, supplementary={"LoggingStatus": status}
    )
    return arn, holding, lacking, ("DescribeLoggingStatus", "DescribeClusters")


def _replication_group() -> Built:
    delivery = _log_delivery("slow-log")
    arn = boto3.client("elasticache", REGION).create_replication_group(
        ReplicationGroupId="rg",
        ReplicationGroupDescription="d",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
        LogDeliveryConfigurations=[delivery],
    )["ReplicationGroup"]["ARN"]
    field = {"LogDeliveryConfigurations": [{**delivery, "Status": "active"}]}
    calls = ("DescribeReplicationGroups", "DescribeCacheClusters")
    return _built("AWS::ElastiCache::ReplicationGroup", arn, "rg", {}, field, *calls)


def _domain() -> Built:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:os"
    options = {"ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": group, "Enabled": True}}
    client = boto3.client("opensearch", REGION)
    arn = client.create_domain(DomainName="search", LogPublishingOptions=options)
    base, field = {"DomainName": "search"}, {"LogPublishingOptions": options}
    calls = ("DescribeDomains", "ListDomainNames")
    return _built(OPENSEARCH, arn["DomainStatus"]["ARN"], "search", base, field, *calls)


BROKER = {
    "HostInstanceType": "mq.t3.micro",
    "DeploymentMode": "SINGLE_INSTANCE",
    "PubliclyAccessible": False,
    "AutoMinorVersionUpgrade": True,
    "Users": [{"Username": "admin", "Password": "Passw0rd12345"}],
}


def _broker() -> Built:
    mq = boto3.client("mq", REGION)
    created = mq.create_broker(
        BrokerName="queue",
        EngineType="RABBITMQ",
        EngineVersion="3.13",
        Logs={"General": True},
        **BROKER,
    )
    base = {"id": created["BrokerId"], "BrokerName": "queue", "EngineType": "RABBITMQ"}
    field, calls = {"Logs": {"General": True}}, ("DescribeBroker", "ListBrokers")
    return _built("AWS::AmazonMQ::Broker", created["BrokerArn"], "queue", base, field, *calls)


def _graphql_api() -> Built:
    log_config = {"fieldLogLevel": "ERROR", "cloudWatchLogsRoleArn": _role("appsync")}
    api = boto3.client("appsync", REGION).create_graphql_api(
        name="graph", authenticationType="API_KEY", logConfig=log_config
    )["graphqlApi"]
    field = {"ApiId": api["apiId"], "LogConfig": {"FieldLogLevel": "ERROR"}}
    return _built(APPSYNC, api["arn"], "graph", {"id": api["apiId"]}, field, "ListGraphqlApis")


def _task() -> Built:
    arn = _task_definition("web", ["awslogs", None])
    shipped = {"LogDriver": "awslogs", "Options": {"awslogs-group": "/ecs/web"}}
    containers = [{"Name": "c0", "LogConfiguration": shipped}, {"Name": "c1"}]
    calls = ("DescribeTaskDefinition", "ListTaskDefinitions")
    field = {"ContainerDefinitions": containers}
    return _built("AWS::ECS::TaskDefinition", arn, "web", {"Family": "web"}, field, *calls)


def _cluster() -> Built:
    arn = _eks("k8s", ["api", "audit"])
    enabled = [{"Type": "api"}, {"Type": "audit"}]
    field = {"Logging": {"ClusterLogging": {"EnabledTypes": enabled}}}
    calls = ("DescribeCluster", "ListClusters")
    return _built("AWS::EKS::Cluster", arn, "k8s", {"Name": "k8s"}, field, *calls)


def _edge() -> Built:
    arn, distribution_id = _distribution(True)
    logging = {"enabled": True, "bucket": "cf-logs.s3.amazonaws.com", "prefix": "edge/"}
    field = {"distributionConfig": {"logging": logging}}
    base = {"id": distribution_id}
    return _built(DISTRIBUTION, arn, distribution_id, base, field, "GetDistributionConfig")


CASES = [
    (_state_machine, probe_stepfunctions_logging, "stepfunctions-logging", Status.partial),
    (_build_project, probe_codebuild_logging, "codebuild-logging", Status.missing),
    (_glue_job, probe_glue_job_logging, "glue-job-logging", Status.logged),
    (_redshift_cluster, probe_redshift_audit_logging, "redshift-audit-logging", Status.logged),
    (
        _replication_group,
        probe_elasticache_log_delivery,
        "elasticache-log-delivery",
        Status.partial,
    ),
    (_domain, probe_opensearch_log_publishing, "opensearch-log-publishing", Status.partial),
    (_broker, probe_mq_broker_logging, "mq-broker-logging", Status.logged),
    (_graphql_api, probe_appsync_logging, "appsync-logging", Status.partial),
    (_task, probe_ecs_task_logging, "ecs-task-logging", Status.partial),
    (_cluster, probe_eks_control_plane_logs, "eks-control-plane-logs", Status.partial),
    (_edge, probe_cloudfront_logging, "cloudfront-logging", Status.logged),
]


@pytest.mark.parametrize(("build", "probe", "control", "verdict"), CASES, ids=[c[2] for c in CASES])
def test_an_item_holding_the_field_spares_the_call(build, probe, control, verdict) -> None:
    """The API's verdict, equal from an item holding the field (none of the calls made)
    and from an item lacking it (the first of the calls made)."""
    with mock_aws():
        arn, holding, lacking, calls = build()
        # The direct-API source: the probe lists (CloudFront decides what the inventory has).
        api = CollectedResource(lacking.resource.model_copy(update={"source": "api"}))
        ctx, counts = _run(probe, _inventory(api, source="api"))
        assert _one(ctx, arn, control).status is verdict
        assert _calls(counts, calls[0]) >= 1
        ctx, counts = _run(probe, _inventory(holding))
        decided = _one(ctx, arn, control)
        assert decided.status is verdict, decided
        assert decided.operation and decided.operation.startswith("config:"), decided
        assert {op: _calls(counts, op) for op in calls} == dict.fromkeys(calls, 0)
        ctx, counts = _run(probe, _inventory(lacking))
        assert _one(ctx, arn, control).status is verdict
        assert _calls(counts, calls[0]) >= 1


ALLOW_LOGS = {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}
LOGS_WRITE = {"Version": "2012-10-17", "Statement": [ALLOW_LOGS]}


@mock_aws
def test_lambda_role_recorded_by_config_is_read_from_its_item() -> None:
    role = _role("fn-role", inline=LOGS_WRITE)
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn"
    function = {"functionName": "fn", "role": role}
    recorded = {
        "roleName": "fn-role",
        "arn": role,
        "attachedManagedPolicies": [],
        "rolePolicyList": [{"policyName": "inline", "policyDocument": json.dumps(LOGS_WRITE)}],
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
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="app/syslog")
    logs.create_log_stream(logGroupName="app/syslog", logStreamName=instance)
    ec2 = _item("AWS::EC2::Instance", arn, instance, {"state": {"name": "running"}})
    listed = {
        "amazon-cloudwatch-agent": ("config:AWS::SSM::ManagedInstanceInventory AWS:Application", 0),
        "amazon-ssm-agent": ("logs:DescribeLogStreams", 1),  # the log stream, read by the calls
    }
    for package, (operation, calls) in listed.items():
        applications = {package: {"Name": package}}
        inventory = _inventory(ec2, _ssm_inventory(instance, applications))
        ctx, counts = _run(probe_cloudwatch_agent, inventory)
        decided = _one(ctx, arn, "cloudwatch-agent")
        assert decided.status is Status.logged
        assert decided.operation == operation
        assert _calls(counts, "ListMetrics") == _calls(counts, "DescribeLogStreams") == calls
        assert (sum(counts.values()) == 0) is (calls == 0)  # from the item: no call at all
