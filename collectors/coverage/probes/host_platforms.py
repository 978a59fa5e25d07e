"""Host-layer probes of the platforms that run workloads: EKS, ECS and Elastic Beanstalk.

Each reads the setting from the resource's configuration item where the item holds it
(AWS Config records EKS `Logging`, ECS `ContainerDefinitions[].LogConfiguration` and the
Beanstalk environment's `optionSettings`), and otherwise from the Describe call; with no
credential for the account the call is not made and the control is `unknown`, naming it.
The evaluation is one function per control (`_decide_*`), whatever the source.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS, ensure_resource, log_group_arn
from ..items import camel, is_config_source, item_operation, lookup
from ..records import call_failed, listing_failed, offline_capable, record
from ._common import Split, config_first, list_all

EKS_TYPE = "AWS::EKS::Cluster"
TASK_DEFINITION_TYPE = "AWS::ECS::TaskDefinition"
EKS_REQUIRED = ("api", "audit", "authenticator")
EKS_ALL = ("api", "audit", "authenticator", "controllerManager", "scheduler")
#: ECS log drivers that ship logs off the container instance.
SHIPPING_DRIVERS = frozenset({"awslogs", "awsfirelens", "splunk", "fluentd", "gelf", "syslog"})


# --------------------------------------------------------------------------- EKS


def _item_logging(config: dict[str, Any]) -> dict[str, Any] | None:
    """The item's control-plane logging in the Describe shape, or None when it has none."""
    logging = config.get("logging")
    if logging is None and isinstance(config.get("Logging"), dict):
        # AWS Config records EKS in its CloudFormation shape:
        # Logging.ClusterLogging.EnabledTypes[].Type
        enabled = (config["Logging"].get("ClusterLogging") or {}).get("EnabledTypes") or []
        types = [t.get("Type") for t in enabled if isinstance(t, dict)]
        logging = {"clusterLogging": [{"types": types, "enabled": True}]}
    return logging


def _eks_clusters(ctx: ProbeContext) -> dict[str, dict[str, Any]]:
    """Cluster ARN -> {name, logging}: from the item where it holds the logging, else
    eks:DescribeCluster (clusters listed where the inventory did not cover EKS)."""
    clusters: dict[str, dict[str, Any]] = {}
    lacking: dict[str, str | None] = {}  # name -> the item's ARN
    for item in ctx.inventory.of_type(EKS_TYPE):
        name = item.resource.resource_id or item.resource.name
        logging = _item_logging(item.configuration)
        if logging is None:
            lacking[name] = item.id  # not in the configuration item: described below
            continue
        clusters[item.id] = {
            "name": name,
            "logging": logging,
            "operation": (
                item_operation(EKS_TYPE, "Logging.ClusterLogging.EnabledTypes")
                if ctx.aws is None or is_config_source(ctx.inventory)
                else "eks:DescribeCluster"
            ),
        }
    if ctx.aws is None:
        return clusters  # what no item holds: the runner names the call not made
    client = ctx.client("eks")
    if EKS_TYPE not in ctx.inventory.types_covered:
        known = {cluster["name"] for cluster in clusters.values()}
        listed = list_all(client, "list_clusters", "clusters")
        lacking = {n: lacking.get(n) for n in listed if n not in known}
    for name, arn in lacking.items():
        try:
            cluster = client.describe_cluster(name=name)["cluster"]
        except CALL_ERRORS as exc:
            if arn is None:
                raise
            call_failed(ctx, arn, "eks-control-plane-logs", exc, "eks:DescribeCluster")
            continue
        clusters[cluster["arn"]] = {
            "name": name,
            "logging": cluster.get("logging"),
            "tags": cluster.get("tags"),
        }
    return clusters


@offline_capable
def probe_eks_control_plane_logs(ctx: ProbeContext) -> None:
    """eks-control-plane-logs: api, audit and authenticator log types enabled."""
    control_id = "eks-control-plane-logs"
    try:
        clusters = _eks_clusters(ctx)
    except CALL_ERRORS as exc:
        listing_failed(
            ctx,
            (EKS_TYPE,),
            control_id,
            exc,
            "eks:DescribeCluster",
            what="eks:ListClusters/DescribeCluster",
        )
        return
    for arn, cluster in clusters.items():
        name = cluster["name"] or arn.rsplit("/", 1)[-1]
        ensure_resource(
            ctx, arn=arn, type_=EKS_TYPE, resource_id=name, name=name, tags=cluster.get("tags")
        )
        logging = cluster.get("logging") or {}
        entries = logging.get("clusterLogging") or []
        enabled = {t for entry in entries if entry.get("enabled") for t in entry.get("types") or []}
        missing = [t for t in EKS_REQUIRED if t not in enabled]
        shown = ",".join(t for t in EKS_ALL if t in enabled) or "none"
        if not missing:
            status = Status.logged
        elif enabled:
            status = Status.partial
        else:
            status = Status.missing
        notes = []
        if missing and enabled:
            notes.append("not enabled: " + ", ".join(missing))
        others = [t for t in ("controllerManager", "scheduler") if t not in enabled]
        if status is Status.logged and others:
            notes.append("also available: " + ", ".join(others))
        operation = cluster.get("operation") or "eks:DescribeCluster"
        record(
            ctx,
            arn,
            control_id,
            status,
            f"{operation}: logging.clusterLogging enabled types={shown}",
            destination=(
                log_group_arn(ctx.region, ctx.account, f"/aws/eks/{name}/cluster")
                if enabled
                else None
            ),
            operation=operation,
            notes=notes,
        )


# --------------------------------------------------------------------------- ECS


def _task_definition_arns(split: Split) -> list[str]:
    """The latest ACTIVE revision of every family, plus the task definitions whose item
    lacks the container definitions; only those where the inventory is AWS Config's
    complete record of task definitions (no listing)."""
    arns = [item.id for item in split.rest]
    if not split.lists():
        return arns
    latest: dict[str, tuple[int, str]] = {}
    paginator = split.ctx.client("ecs").get_paginator("list_task_definitions")
    for page in paginator.paginate(status="ACTIVE"):
        for arn in page.get("taskDefinitionArns", []):
            family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
            number = int(revision) if revision.isdigit() else 0
            if family not in latest or latest[family][0] < number:
                latest[family] = (number, arn)
    listed = [arn for _, arn in latest.values()]
    return listed + [arn for arn in arns if arn not in listed]


@offline_capable
def probe_ecs_task_logging(ctx: ProbeContext) -> None:
    """ecs-task-logging: every container definition has a log driver that ships logs.

    AWS Config records the task definition whole (CloudFormation shape,
    `ContainerDefinitions[].LogConfiguration`): its item decides, whatever the credential;
    ecs:DescribeTaskDefinition reads the others.
    """
    control_id = "ecs-task-logging"
    operation = item_operation(TASK_DEFINITION_TYPE, "ContainerDefinitions[].LogConfiguration")
    split = config_first(ctx, [TASK_DEFINITION_TYPE], control_id, "ContainerDefinitions")
    for item in split.deciding:
        definition = {
            "containerDefinitions": camel(lookup(item.configuration, "ContainerDefinitions"))
        }
        _decide_task_definition(ctx, item.id, definition, operation)
    if not split.needs_call():
        return
    client = ctx.client("ecs")
    arns = split.read("ecs:ListTaskDefinitions", lambda: _task_definition_arns(split), key=str)
    for arn in arns or []:
        short = arn.rsplit("/", 1)[-1]
        ensure_resource(ctx, arn=arn, type_=TASK_DEFINITION_TYPE, resource_id=short, name=short)
        try:
            definition = client.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        except CALL_ERRORS as exc:
            call_failed(ctx, arn, control_id, exc, "ecs:DescribeTaskDefinition")
            continue
        _decide_task_definition(ctx, arn, definition)


def _decide_task_definition(
    ctx: ProbeContext,
    arn: str,
    definition: dict[str, Any],
    operation: str = "ecs:DescribeTaskDefinition",
) -> None:
    containers = definition.get("containerDefinitions") or []
    shipped: list[str] = []
    unshipped: list[str] = []
    destination = None
    for container in containers:
        name = clean_single_line(str(container.get("name", "?")))
        config = container.get("logConfiguration") or {}
        driver = config.get("logDriver")
        if driver in SHIPPING_DRIVERS:
            shipped.append(f"{name}={driver}")
            options = config.get("options") or {}
            if driver == "awslogs" and destination is None and options.get("awslogs-group"):
                destination = log_group_arn(
                    options.get("awslogs-region") or ctx.region,
                    ctx.account,
                    clean_single_line(str(options["awslogs-group"])),
                )
        else:
            unshipped.append(f"{name}={driver or 'none'}")
    if containers and not unshipped:
        status = Status.logged
    elif shipped:
        status = Status.partial
    else:
        status = Status.missing
    blocking = [
        clean_single_line(str(c.get("name", "?")))
        for c in containers
        if (c.get("logConfiguration") or {}).get("logDriver")
        and ((c.get("logConfiguration") or {}).get("options") or {}).get("mode") != "non-blocking"
    ]
    parts = shipped + unshipped
    record(
        ctx,
        arn,
        "ecs-task-logging",
        status,
        f"{operation}: containerDefinitions[].logConfiguration.logDriver "
        + (", ".join(parts) if parts else "(no containers)"),
        destination=destination,
        operation=operation,
        notes=(
            [f"not shipped off the host: {', '.join(unshipped)}"] if unshipped and shipped else []
        )
        + (
            [
                f"log driver in blocking mode (default; a slow destination stalls the task): "
                f"{', '.join(blocking)}"
            ]
            if blocking
            else []
        ),
    )


# --------------------------------------------------------------------------- Elastic Beanstalk

BEANSTALK_ENV = "AWS::ElasticBeanstalk::Environment"
_STREAM_NAMESPACE = "aws:elasticbeanstalk:cloudwatch:logs"


@offline_capable
def probe_elasticbeanstalk_logging(ctx: ProbeContext) -> None:
    """elasticbeanstalk-logging: instance logs streamed to CloudWatch Logs (StreamLogs).

    AWS Config records the environment's option settings (`optionSettings[namespace]
    [option].value`): its item decides, whatever the credential; the others are read with
    elasticbeanstalk:DescribeConfigurationSettings.
    """
    control_id = "elasticbeanstalk-logging"
    split = config_first(ctx, [BEANSTALK_ENV], control_id, ("optionSettings", _STREAM_NAMESPACE))
    for item in split.deciding:
        _environment_from_item(ctx, item)
    if not split.needs_call():
        return
    client = ctx.client("elasticbeanstalk")
    environments = split.read(
        "elasticbeanstalk:DescribeEnvironments",
        lambda: list_all(client, "describe_environments", "Environments", IncludeDeleted=False),
        key=lambda env: _environment_arn(ctx, env),
    )
    for env in environments or []:
        name, app = env["EnvironmentName"], env.get("ApplicationName", "")
        arn = _environment_arn(ctx, env)
        ensure_resource(
            ctx, arn=arn, type_=BEANSTALK_ENV, resource_id=env.get("EnvironmentId", name), name=name
        )
        operation = "elasticbeanstalk:DescribeConfigurationSettings"
        try:
            settings = (
                client.describe_configuration_settings(
                    ApplicationName=app, EnvironmentName=name
                ).get("ConfigurationSettings")
                or []
            )
        except CALL_ERRORS as exc:
            call_failed(ctx, arn, control_id, exc, operation)
            continue
        options = {
            (o.get("Namespace"), o.get("OptionName")): str(o.get("Value", ""))
            for setting in settings
            for o in setting.get("OptionSettings") or []
        }
        _decide_environment(ctx, arn, name, options, operation)


def _environment_arn(ctx: ProbeContext, env: dict[str, Any]) -> str:
    name, app = env["EnvironmentName"], env.get("ApplicationName", "")
    return str(
        env.get("EnvironmentArn")
        or f"arn:aws:elasticbeanstalk:{ctx.region}:{ctx.account}:environment/{app}/{name}"
    )


def _environment_from_item(ctx: ProbeContext, item: CollectedResource) -> None:
    operation = item_operation(BEANSTALK_ENV, f"optionSettings['{_STREAM_NAMESPACE}']")
    settings = lookup(item.configuration, "optionSettings")
    options = {
        (namespace, option): str(lookup(value, "value", default=""))
        for namespace, group in settings.items()
        if isinstance(group, dict)
        for option, value in group.items()
    }
    name = str(lookup(item.configuration, "environmentName") or item.resource.name)
    _decide_environment(ctx, item.id, name, options, operation)


def _decide_environment(
    ctx: ProbeContext, arn: str, name: str, options: dict[tuple[Any, Any], str], operation: str
) -> None:
    control_id = "elasticbeanstalk-logging"
    stream = options.get((_STREAM_NAMESPACE, "StreamLogs"), "false").lower() == "true"
    shown = clean_single_line(name)
    notes = []
    retention = options.get((_STREAM_NAMESPACE, "RetentionInDays"))
    if stream and retention:
        notes.append(f"RetentionInDays={clean_single_line(retention)}")
    if stream:
        record(
            ctx,
            arn,
            control_id,
            Status.logged,
            f"{operation}: environment {shown} {_STREAM_NAMESPACE} StreamLogs=true",
            destination=log_group_arn(ctx.region, ctx.account, f"/aws/elasticbeanstalk/{name}"),
            operation=operation,
            notes=notes,
        )
    else:
        record(
            ctx,
            arn,
            control_id,
            Status.missing,
            f"{operation}: environment {shown} {_STREAM_NAMESPACE} StreamLogs=false",
            operation=operation,
        )
