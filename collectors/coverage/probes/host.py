"""Probes of the `host` layer: CloudWatch agent and SSM on EC2, EKS and ECS logging.

The CloudWatch agent leaves no configuration flag anywhere in AWS, so `cloudwatch-agent`
is decided from circumstantial evidence, each piece read once per region:

1. SSM inventory lists the agent package (`ssm:GetInventory` filtered on
   `AWS:Application.Name`; Linux package `amazon-cloudwatch-agent`, Windows
   `Amazon CloudWatch Agent`);
2. the agent publishes metrics in the `CWAgent` namespace with an `InstanceId` dimension
   (`cloudwatch:ListMetrics`, `RecentlyActive=PT3H`);
3. the agent's default log stream name is the instance id (`{instance_id}`): a bounded
   look at the most recently written streams of the region's non-AWS-service log groups
   (`logs:DescribeLogGroups`, then `logs:DescribeLogStreams` on at most
   `MAX_STREAM_GROUPS` groups, ordered by last event);
4. the instance profile's role may write logs (CloudWatchAgentServerPolicy or any policy
   allowing `logs:PutLogEvents`): the agent *could* ship logs, nothing shows it does:
   `partial`.

Any of 1-3 means `logged`. Without them, `missing` needs 2 and 3 to have been read: SSM
inventory is absent wherever instances are not SSM-managed, so its failure is recorded as
an error and a note, not as `unknown`; a failure of 2 or 3 makes the instance `unknown`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from snapshot.model import REGION_TYPE, Resource, Status, region_node_id
from snapshot.sanitize import clean_single_line

from ...aws.errors import error_code
from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..records import mark_unknown, offline_capable, record
from ._common import list_all
from .serverless import (
    CALL_ERRORS,
    PolicyReader,
    RoleReadError,
    describe_log_groups,
    ensure_resource,
    log_group_arn,
)

INSTANCE_TYPE = "AWS::EC2::Instance"
EKS_TYPE = "AWS::EKS::Cluster"
TASK_DEFINITION_TYPE = "AWS::ECS::TaskDefinition"

AGENT_PACKAGES = ("amazon-cloudwatch-agent", "Amazon CloudWatch Agent")
#: Log groups AWS services create for themselves: never the agent's.
SERVICE_GROUP_PREFIXES = (
    "/aws/",
    "API-Gateway-Execution-Logs_",
    "aws-waf-logs-",
    "aws-controltower/",
    "RDSOSMetrics",
)
#: Names agent-configured groups usually have: looked at first within the bound.
AGENT_GROUP_HINTS = re.compile(
    r"cwagent|cloudwatch-agent|/var/log|syslog|messages|secure|auth|ec2|instance|host|os",
    re.IGNORECASE,
)
#: Bound of DescribeLogStreams calls per region for the log-stream evidence.
MAX_STREAM_GROUPS = 20
INSTANCE_ID_RE = re.compile(r"i-[0-9a-f]{8,17}")

EKS_REQUIRED = ("api", "audit", "authenticator")
EKS_ALL = ("api", "audit", "authenticator", "controllerManager", "scheduler")
#: ECS log drivers that ship logs off the container instance.
SHIPPING_DRIVERS = frozenset({"awslogs", "awsfirelens", "splunk", "fluentd", "gelf", "syslog"})


def _live_instances(ctx: ProbeContext) -> list[CollectedResource]:
    return [
        item
        for item in ctx.inventory.of_type(INSTANCE_TYPE)
        if ((item.configuration.get("state") or {}).get("name") or "running") != "terminated"
    ]


def _instance_id(item: CollectedResource) -> str:
    return (
        item.configuration.get("instanceId")
        or item.resource.resource_id
        or item.id.rsplit("/", 1)[-1]
    )


# --------------------------------------------------------------------------- CloudWatch agent


def _ssm_agent_instances(ctx: ProbeContext) -> set[str]:
    """Instances whose SSM inventory lists the CloudWatch agent package."""
    found: set[str] = set()
    paginator = ctx.client("ssm").get_paginator("get_inventory")
    pages = paginator.paginate(
        Filters=[{"Key": "AWS:Application.Name", "Values": list(AGENT_PACKAGES), "Type": "Equal"}],
        ResultAttributes=[{"TypeName": "AWS:Application"}],
    )
    for page in pages:
        for entity in page.get("Entities", []):
            data = (entity.get("Data") or {}).get("AWS:Application") or {}
            content = data.get("Content")
            names = {str(entry.get("Name", "")).lower() for entry in content or []}
            if content is None or names & {p.lower() for p in AGENT_PACKAGES}:
                found.add(entity["Id"])
    return found


def _cwagent_metric_instances(ctx: ProbeContext) -> set[str]:
    found: set[str] = set()
    paginator = ctx.client("cloudwatch").get_paginator("list_metrics")
    for page in paginator.paginate(Namespace="CWAgent", RecentlyActive="PT3H"):
        for metric in page.get("Metrics", []):
            for dimension in metric.get("Dimensions", []):
                if dimension.get("Name") == "InstanceId":
                    found.add(dimension.get("Value", ""))
    return found


def _stream_instances(ctx: ProbeContext, wanted: set[str]) -> tuple[dict[str, str], int, int]:
    """Instance id -> log group of a stream named after it; groups checked; groups eligible."""
    groups = sorted(
        (name for name in describe_log_groups(ctx) if not name.startswith(SERVICE_GROUP_PREFIXES)),
        key=lambda name: (not AGENT_GROUP_HINTS.search(name), name),
    )
    logs = ctx.client("logs")
    found: dict[str, str] = {}
    checked = groups[:MAX_STREAM_GROUPS]
    for group in checked:
        response = logs.describe_log_streams(
            logGroupName=group, orderBy="LastEventTime", descending=True, limit=50
        )
        for stream in response.get("logStreams", []):
            for instance_id in INSTANCE_ID_RE.findall(stream.get("logStreamName", "")):
                if instance_id in wanted:
                    found.setdefault(instance_id, group)
    return found, len(checked), len(groups)


class _ProfileRoles:
    """Instance profile ARN -> its role's policies (iam:GetInstanceProfile, once each)."""

    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx
        self.reader = PolicyReader(ctx)
        self._roles: dict[str, str | RoleReadError | None] = {}

    def verdict(self, profile_arn: str) -> tuple[bool, str]:
        """(may write logs, explanation); raises RoleReadError."""
        if profile_arn not in self._roles:
            name = profile_arn.rsplit("/", 1)[-1]
            try:
                profile = self.ctx.client("iam").get_instance_profile(InstanceProfileName=name)
                roles = profile["InstanceProfile"].get("Roles") or []
                self._roles[profile_arn] = roles[0]["Arn"] if roles else None
            except CALL_ERRORS as exc:
                self.ctx.fail(exc, service="iam", operation="GetInstanceProfile")
                self._roles[profile_arn] = RoleReadError("GetInstanceProfile", exc)
        role_arn = self._roles[profile_arn]
        if isinstance(role_arn, RoleReadError):
            raise role_arn
        if role_arn is None:
            return False, "instance profile has no role"
        role = self.reader.role(role_arn)
        role_name = clean_single_line(role_arn.rsplit("/", 1)[-1])
        verdict = role.allow(("logs:PutLogEvents",), None)
        if not verdict.allowed:
            return False, f"role {role_name} may not logs:PutLogEvents"
        via = [n for n in role.managed_names if n == "CloudWatchAgentServerPolicy"]
        return True, f"role {role_name} allows logs:PutLogEvents via " + ", ".join(
            via or verdict.allowed_by
        )


def probe_cloudwatch_agent(ctx: ProbeContext) -> None:
    """cloudwatch-agent: evidence that each EC2 instance runs the CloudWatch agent."""
    instances = _live_instances(ctx)
    if not instances:
        return
    ids = {_instance_id(item): item for item in instances}
    failures: dict[str, str] = {}
    ssm_found: set[str] = set()
    metric_found: set[str] = set()
    stream_found: dict[str, str] = {}
    checked = eligible = 0
    try:
        ssm_found = _ssm_agent_instances(ctx)
    except CALL_ERRORS as exc:
        failures["ssm:GetInventory"] = ctx.fail(exc, service="ssm", operation="GetInventory").code
    try:
        metric_found = _cwagent_metric_instances(ctx)
    except CALL_ERRORS as exc:
        failures["cloudwatch:ListMetrics"] = ctx.fail(
            exc, service="cloudwatch", operation="ListMetrics"
        ).code
    try:
        stream_found, checked, eligible = _stream_instances(ctx, set(ids))
    except CALL_ERRORS as exc:
        failures["logs:DescribeLogStreams"] = ctx.fail(
            exc, service="logs", operation="DescribeLogStreams"
        ).code
    profiles = _ProfileRoles(ctx)
    for instance_id, item in ids.items():
        _decide_agent(
            ctx,
            item,
            instance_id,
            profiles,
            failures,
            ssm=instance_id in ssm_found,
            metric=instance_id in metric_found,
            stream_group=stream_found.get(instance_id),
            bounded=(checked, eligible),
        )


def _decide_agent(
    ctx: ProbeContext,
    item: CollectedResource,
    instance_id: str,
    profiles: _ProfileRoles,
    failures: dict[str, str],
    *,
    ssm: bool,
    metric: bool,
    stream_group: str | None,
    bounded: tuple[int, int],
) -> None:
    control_id = "cloudwatch-agent"
    shown = clean_single_line(instance_id)
    evidence: list[tuple[str, str]] = []
    if ssm:
        evidence.append(
            (
                "ssm:GetInventory",
                f"ssm:GetInventory: AWS:Application lists amazon-cloudwatch-agent on {shown}",
            )
        )
    if metric:
        evidence.append(
            (
                "cloudwatch:ListMetrics",
                f"cloudwatch:ListMetrics: CWAgent metrics with "
                f"InstanceId={shown} in the last 3 hours",
            )
        )
    if stream_group:
        evidence.append(
            (
                "logs:DescribeLogStreams",
                f"logs:DescribeLogStreams: stream named {shown} in "
                f"log group {clean_single_line(stream_group)}",
            )
        )
    notes = [f"{op} failed ({code})" for op, code in failures.items()]
    checked, eligible = bounded
    if eligible > checked:
        notes.append(f"log streams checked in {checked} of {eligible} log groups")
    destination = log_group_arn(ctx.region, ctx.account, stream_group) if stream_group else None
    if evidence:
        operation, sentence = evidence[0]
        record(
            ctx,
            item.id,
            control_id,
            Status.logged,
            sentence,
            destination=destination,
            operation=operation,
            notes=[s for _, s in evidence[1:]] + notes,
        )
        return
    profile_arn = (item.configuration.get("iamInstanceProfile") or {}).get("arn")
    profile_note = None
    if profile_arn:
        try:
            allowed, why = profiles.verdict(profile_arn)
        except RoleReadError as exc:
            allowed, why = False, None
            profile_note = f"instance profile not read: iam:{exc.operation} failed ({exc.code})"
        if allowed:
            record(
                ctx,
                item.id,
                control_id,
                Status.partial,
                f"iam:GetInstanceProfile: {why}, but no agent metrics, log streams or SSM "
                f"inventory entry for {shown}",
                operation="iam:GetInstanceProfile",
                notes=notes,
            )
            return
        if why:
            notes.append(f"instance profile: {why}")
    if profile_note:
        notes.append(profile_note)
    hard_failures = {op: code for op, code in failures.items() if op != "ssm:GetInventory"}
    if hard_failures:
        op, code = next(iter(hard_failures.items()))
        record(
            ctx,
            item.id,
            control_id,
            Status.unknown,
            f"{op} failed ({code}); no other evidence of the CloudWatch agent on {shown}",
            operation=op,
            notes=notes,
        )
        return
    record(
        ctx,
        item.id,
        control_id,
        Status.missing,
        f"cloudwatch:ListMetrics/logs:DescribeLogStreams: no CWAgent metric, log stream or "
        f"SSM inventory entry for {shown}",
        operation="cloudwatch:ListMetrics",
        notes=notes,
    )


# --------------------------------------------------------------------------- SSM


_PING_STATUS = {"Online": Status.logged, "ConnectionLost": Status.partial}


def probe_ssm_managed(ctx: ProbeContext) -> None:
    """ssm-managed: the instance is registered with Systems Manager and online."""
    instances = _live_instances(ctx)
    if not instances:
        return
    info: dict[str, dict[str, Any]] = {}
    try:
        paginator = ctx.client("ssm").get_paginator("describe_instance_information")
        for page in paginator.paginate():
            for entry in page.get("InstanceInformationList", []):
                info[entry["InstanceId"]] = entry
    except CALL_ERRORS as exc:
        error = ctx.fail(exc, service="ssm", operation="DescribeInstanceInformation")
        for item in instances:
            record(
                ctx,
                item.id,
                "ssm-managed",
                Status.unknown,
                f"ssm:DescribeInstanceInformation failed ({error.code})",
                operation="ssm:DescribeInstanceInformation",
            )
        return
    for item in instances:
        instance_id = _instance_id(item)
        entry = info.get(instance_id)
        shown = clean_single_line(instance_id)
        if entry is None:
            record(
                ctx,
                item.id,
                "ssm-managed",
                Status.missing,
                f"ssm:DescribeInstanceInformation: {shown} is not a managed instance",
                operation="ssm:DescribeInstanceInformation",
            )
            continue
        ping = str(entry.get("PingStatus") or "")
        notes = []
        if entry.get("AgentVersion"):
            notes.append(f"SSM agent {clean_single_line(str(entry['AgentVersion']))}")
        record(
            ctx,
            item.id,
            "ssm-managed",
            _PING_STATUS.get(ping, Status.missing),
            f"ssm:DescribeInstanceInformation: {shown} PingStatus={clean_single_line(ping)}",
            operation="ssm:DescribeInstanceInformation",
            notes=notes,
        )


SESSION_DOCUMENT = "SSM-SessionManagerRunShell"


def _region_node(ctx: ProbeContext) -> str:
    node = region_node_id(ctx.account, ctx.region)
    if node not in ctx.inventory.resources:
        ctx.inventory.add(
            CollectedResource(
                Resource(
                    id=node,
                    type=REGION_TYPE,
                    account=ctx.account,
                    region=ctx.region,
                    name=ctx.region,
                )
            )
        )
    return node


def probe_ssm_session_logging(ctx: ProbeContext) -> None:
    """ssm-session-logging: Session Manager preferences send session output somewhere."""
    node = _region_node(ctx)
    operation = "ssm:GetDocument"
    try:
        document = ctx.client("ssm").get_document(Name=SESSION_DOCUMENT, DocumentFormat="JSON")
    except CALL_ERRORS as exc:
        if error_code(exc) == "InvalidDocument":
            record(
                ctx,
                node,
                "ssm-session-logging",
                Status.missing,
                f"ssm:GetDocument: {SESSION_DOCUMENT} does not exist (Session Manager "
                "preferences never saved, sessions are not logged)",
                operation=operation,
            )
            return
        error = ctx.fail(exc, service="ssm", operation="GetDocument")
        record(
            ctx,
            node,
            "ssm-session-logging",
            Status.unknown,
            f"ssm:GetDocument {SESSION_DOCUMENT} failed ({error.code})",
            operation=operation,
        )
        return
    try:
        content = json.loads(document.get("Content") or "{}")
    except ValueError:
        content = {}
    inputs = content.get("inputs") if isinstance(content, dict) else None
    inputs = inputs if isinstance(inputs, dict) else {}
    bucket = str(inputs.get("s3BucketName") or "")
    prefix = str(inputs.get("s3KeyPrefix") or "")
    group = str(inputs.get("cloudWatchLogGroupName") or "")
    notes = []
    if bucket and not inputs.get("s3EncryptionEnabled"):
        notes.append("s3EncryptionEnabled=false")
    if group:
        streaming = inputs.get("cloudWatchStreamingEnabled")
        notes.append(f"cloudWatchStreamingEnabled={bool(streaming)}")
    if group:
        destination = log_group_arn(ctx.region, ctx.account, group)
    elif bucket:
        destination = f"arn:aws:s3:::{bucket}/{prefix}".rstrip("/")
    else:
        destination = None
    if not destination:
        record(
            ctx,
            node,
            "ssm-session-logging",
            Status.missing,
            f"ssm:GetDocument: {SESSION_DOCUMENT} inputs.s3BucketName and "
            "inputs.cloudWatchLogGroupName are empty",
            operation=operation,
        )
        return
    fields = ", ".join(
        f"{key}={clean_single_line(value)}"
        for key, value in (("s3BucketName", bucket), ("cloudWatchLogGroupName", group))
        if value
    )
    record(
        ctx,
        node,
        "ssm-session-logging",
        Status.logged,
        f"ssm:GetDocument: {SESSION_DOCUMENT} inputs {fields}",
        destination=clean_single_line(destination),
        operation=operation,
        notes=notes,
    )


# --------------------------------------------------------------------------- EKS


def _eks_clusters(ctx: ProbeContext) -> dict[str, dict[str, Any]]:
    """Cluster ARN -> {name, logging}; from the inventory where it covered EKS, else listed."""
    clusters: dict[str, dict[str, Any]] = {}
    for item in ctx.inventory.of_type(EKS_TYPE):
        config = item.configuration
        logging = config.get("logging")
        if logging is None and isinstance(config.get("Logging"), dict):
            # AWS Config records EKS in its CloudFormation shape:
            # Logging.ClusterLogging.EnabledTypes[].Type
            enabled = (config["Logging"].get("ClusterLogging") or {}).get("EnabledTypes") or []
            types = [t.get("Type") for t in enabled if isinstance(t, dict)]
            logging = {"clusterLogging": [{"types": types, "enabled": True}]}
        if logging is None:
            continue  # not in the configuration item: read below, or unknown offline
        clusters[item.id] = {
            "name": item.resource.resource_id or item.resource.name,
            "logging": logging,
        }
    if EKS_TYPE in ctx.inventory.types_covered or ctx.aws is None:
        return clusters
    client = ctx.client("eks")
    for page in client.get_paginator("list_clusters").paginate():
        for name in page.get("clusters", []):
            cluster = client.describe_cluster(name=name)["cluster"]
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
        error = ctx.fail(exc, service="eks", operation="DescribeCluster")
        mark_unknown(
            ctx,
            (EKS_TYPE,),
            control_id,
            f"eks:ListClusters/DescribeCluster failed ({error.code})",
            operation="eks:DescribeCluster",
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
        record(
            ctx,
            arn,
            control_id,
            status,
            f"eks:DescribeCluster: logging.clusterLogging enabled types={shown}",
            destination=(
                log_group_arn(ctx.region, ctx.account, f"/aws/eks/{name}/cluster")
                if enabled
                else None
            ),
            operation="eks:DescribeCluster",
            notes=notes,
        )


# --------------------------------------------------------------------------- ECS


def _task_definition_arns(ctx: ProbeContext) -> list[str]:
    """The latest ACTIVE revision of every family, plus task definitions in the inventory."""
    latest: dict[str, tuple[int, str]] = {}
    paginator = ctx.client("ecs").get_paginator("list_task_definitions")
    for page in paginator.paginate(status="ACTIVE"):
        for arn in page.get("taskDefinitionArns", []):
            family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
            number = int(revision) if revision.isdigit() else 0
            if family not in latest or latest[family][0] < number:
                latest[family] = (number, arn)
    arns = [arn for _, arn in latest.values()]
    for item in ctx.inventory.of_type(TASK_DEFINITION_TYPE):
        if item.id not in arns:
            arns.append(item.id)
    return arns


def probe_ecs_task_logging(ctx: ProbeContext) -> None:
    """ecs-task-logging: every container definition has a log driver that ships logs."""
    control_id = "ecs-task-logging"
    client = ctx.client("ecs")
    try:
        arns = _task_definition_arns(ctx)
    except CALL_ERRORS as exc:
        error = ctx.fail(exc, service="ecs", operation="ListTaskDefinitions")
        mark_unknown(
            ctx,
            (TASK_DEFINITION_TYPE,),
            control_id,
            f"ecs:ListTaskDefinitions failed ({error.code})",
            operation="ecs:ListTaskDefinitions",
        )
        return
    for arn in arns:
        short = arn.rsplit("/", 1)[-1]
        ensure_resource(ctx, arn=arn, type_=TASK_DEFINITION_TYPE, resource_id=short, name=short)
        try:
            definition = client.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        except CALL_ERRORS as exc:
            error = ctx.fail(exc, service="ecs", operation="DescribeTaskDefinition")
            record(
                ctx,
                arn,
                control_id,
                Status.unknown,
                f"ecs:DescribeTaskDefinition failed ({error.code})",
                operation="ecs:DescribeTaskDefinition",
            )
            continue
        _decide_task_definition(ctx, arn, definition)


def _decide_task_definition(ctx: ProbeContext, arn: str, definition: dict[str, Any]) -> None:
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
        "ecs:DescribeTaskDefinition: containerDefinitions[].logConfiguration.logDriver "
        + (", ".join(parts) if parts else "(no containers)"),
        destination=destination,
        operation="ecs:DescribeTaskDefinition",
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


def probe_elasticbeanstalk_logging(ctx: ProbeContext) -> None:
    """elasticbeanstalk-logging: instance logs streamed to CloudWatch Logs (StreamLogs)."""
    control_id = "elasticbeanstalk-logging"
    operation = "elasticbeanstalk:DescribeConfigurationSettings"
    client = ctx.client("elasticbeanstalk")
    try:
        environments = list_all(
            client, "describe_environments", "Environments", IncludeDeleted=False
        )
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="elasticbeanstalk", operation="DescribeEnvironments").code
        mark_unknown(
            ctx,
            (BEANSTALK_ENV,),
            control_id,
            f"elasticbeanstalk:DescribeEnvironments failed ({code})",
            operation="elasticbeanstalk:DescribeEnvironments",
        )
        return
    for env in environments:
        name, app = env["EnvironmentName"], env.get("ApplicationName", "")
        arn = env.get("EnvironmentArn") or (
            f"arn:aws:elasticbeanstalk:{ctx.region}:{ctx.account}:environment/{app}/{name}"
        )
        ensure_resource(
            ctx, arn=arn, type_=BEANSTALK_ENV, resource_id=env.get("EnvironmentId", name), name=name
        )
        try:
            settings = (
                client.describe_configuration_settings(
                    ApplicationName=app, EnvironmentName=name
                ).get("ConfigurationSettings")
                or []
            )
        except CALL_ERRORS as exc:
            code = ctx.fail(
                exc, service="elasticbeanstalk", operation="DescribeConfigurationSettings"
            ).code
            record(
                ctx,
                arn,
                control_id,
                Status.unknown,
                f"{operation} failed ({code})",
                operation=operation,
            )
            continue
        options = {
            (o.get("Namespace"), o.get("OptionName")): str(o.get("Value", ""))
            for setting in settings
            for o in setting.get("OptionSettings") or []
        }
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


PROBES = (
    probe_cloudwatch_agent,
    probe_ssm_managed,
    probe_ssm_session_logging,
    probe_eks_control_plane_logs,
    probe_ecs_task_logging,
    probe_elasticbeanstalk_logging,
)
