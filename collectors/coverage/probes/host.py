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

Any of 1-3 means `logged`. Without them, `missing` needs every source that could have
shown the agent to have answered: 2 and 3 always, and 1 for instances SSM manages (an
instance `ssm:DescribeInstanceInformation` does not list has no SSM inventory, so a failed
`ssm:GetInventory` cannot hide its agent). A failure that could hide the agent makes the
instance `unknown`, never `missing`.

AWS Config's `AWS::SSM::ManagedInstanceInventory` items stand in for 1, whatever the
credential: an instance whose item lists the agent is `logged` with no call. The others
need 2 and 3, which are calls: without a credential for the account such an instance is
`unknown`, naming them. `ssm-managed` keeps its call where there is a credential: the item
says the instance reports to SSM, not its PingStatus.
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
from ..helpers import (
    CALL_ERRORS,
    PolicyReader,
    RoleReadError,
    describe_log_groups,
    log_group_arn,
)
from ..items import from_config, item_operation, lookup, no_credential
from ..records import call_failed, call_failed_each, offline_capable, record, skipped
from ._common import shared_read
from .host_platforms import (
    probe_ecs_task_logging,
    probe_eks_control_plane_logs,
    probe_elasticbeanstalk_logging,
)

INSTANCE_TYPE = "AWS::EC2::Instance"

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
INVENTORY_TYPE = "AWS::SSM::ManagedInstanceInventory"
#: ctx.shared key: ssm:DescribeInstanceInformation's answer (or its exception), read once
#: per region for the agent and the SSM probes.
SHARED_SSM_INFO = "host.ssm-instance-information"


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


# --------------------------------------------------------------------------- SSM facts


def _instance_information(ctx: ProbeContext) -> dict[str, dict[str, Any]]:
    """Managed instances by id (ssm:DescribeInstanceInformation, once per region).

    Raises the call's exception, also for the second probe that asks; only the SSM probe
    records it as an error.
    """

    def read() -> dict[str, dict[str, Any]]:
        paginator = ctx.client("ssm").get_paginator("describe_instance_information")
        return {
            entry["InstanceId"]: entry
            for page in paginator.paginate()
            for entry in page.get("InstanceInformationList", [])
        }

    return shared_read(ctx, SHARED_SSM_INFO, read)


def _inventory_items(ctx: ProbeContext) -> dict[str, CollectedResource]:
    """AWS Config's SSM inventory items by the managed instance id they describe."""
    found: dict[str, CollectedResource] = {}
    for item in ctx.inventory.of_type(INVENTORY_TYPE):
        if not from_config(ctx.aws, item):
            continue
        content = lookup(item.configuration, "AWS:InstanceInformation", "Content")
        ids = list(content) if isinstance(content, dict) else []
        ids.append(str(item.resource.resource_id or ""))
        for instance_id in ids:
            if INSTANCE_ID_RE.fullmatch(str(instance_id)):
                found.setdefault(str(instance_id), item)
    return found


def _applications(item: CollectedResource) -> set[str]:
    """Lower-cased application names of an inventory item's AWS:Application content."""
    content = lookup(item.configuration, "AWS:Application", "Content")
    entries = content.values() if isinstance(content, dict) else content or []
    names = set(content) if isinstance(content, dict) else set()
    names |= {str(lookup(e, "Name") or "") for e in entries if isinstance(e, dict)}
    return {name.lower() for name in names if name}


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


@offline_capable
def probe_cloudwatch_agent(ctx: ProbeContext) -> None:
    """cloudwatch-agent: evidence that each EC2 instance runs the CloudWatch agent."""
    instances = _live_instances(ctx)
    if not instances:
        return
    ids = _agent_from_items(ctx, {_instance_id(item): item for item in instances})
    if not ids:
        return
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
    try:
        managed: set[str] | None = set(_instance_information(ctx))
    except CALL_ERRORS:
        managed = None  # the SSM probe records the error
    if "ssm:GetInventory" not in failures:
        managed = set()  # inventory read: nothing it could have shown is hidden
    profiles = _ProfileRoles(ctx)
    for instance_id, item in ids.items():
        inventory_hidden = managed is None or instance_id in managed
        unmanaged = "ssm:GetInventory" in failures and not inventory_hidden
        _decide_agent(
            ctx,
            item,
            instance_id,
            profiles,
            {
                op: code
                for op, code in failures.items()
                if op != "ssm:GetInventory" or inventory_hidden
            },
            ssm=instance_id in ssm_found,
            metric=instance_id in metric_found,
            stream_group=stream_found.get(instance_id),
            bounded=(checked, eligible),
            inventory_unread_unmanaged=unmanaged,
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
    inventory_unread_unmanaged: bool = False,
) -> None:
    """`inventory_unread_unmanaged`: ssm:GetInventory failed, but SSM does not manage the
    instance, so it has no inventory that could have shown the agent: a `missing` then rests
    on the sources that answered, and its evidence says so rather than citing the inventory."""
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
    if failures:  # a source that could have shown the agent did not answer
        op, code = min(failures.items(), key=lambda failure: failure[0] == "ssm:GetInventory")
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
    absent = (
        f"no CWAgent metric or log stream for {shown}, and ssm:DescribeInstanceInformation "
        "does not list it (no SSM inventory to show the agent; ssm:GetInventory failed and "
        "was not needed)"
        if inventory_unread_unmanaged
        else f"no CWAgent metric, log stream or SSM inventory entry for {shown}"
    )
    record(
        ctx,
        item.id,
        control_id,
        Status.missing,
        f"cloudwatch:ListMetrics/logs:DescribeLogStreams: {absent}",
        operation="cloudwatch:ListMetrics",
        notes=notes,
    )


def _agent_from_items(
    ctx: ProbeContext, ids: dict[str, CollectedResource]
) -> dict[str, CollectedResource]:
    """Instances whose SSM inventory item (AWS Config's record) lists the agent: `logged`
    with no call. Returns the others, which need the calls; without a credential those are
    `unknown`, naming them, and none is returned."""
    inventory = _inventory_items(ctx)
    operation = item_operation(INVENTORY_TYPE, "AWS:Application")
    rest: dict[str, CollectedResource] = {}
    for instance_id, item in ids.items():
        found = inventory.get(instance_id)
        shown = clean_single_line(instance_id)
        if found is not None and _applications(found) & {p.lower() for p in AGENT_PACKAGES}:
            record(
                ctx,
                item.id,
                "cloudwatch-agent",
                Status.logged,
                f"{operation}: lists amazon-cloudwatch-agent on {shown}",
                operation=operation,
            )
        elif ctx.aws is not None:
            rest[instance_id] = item
        else:
            note = (
                f"{operation} of {shown} lists no CloudWatch agent package"
                if found is not None
                else f"no {INVENTORY_TYPE} item for {shown}"
            )
            call = "cloudwatch:ListMetrics CWAgent; logs:DescribeLogStreams"
            record(
                ctx,
                item.id,
                "cloudwatch-agent",
                Status.unknown,
                no_credential(ctx.account, call),
                operation="cloudwatch:ListMetrics",
                notes=[note],
            )
    return rest


# --------------------------------------------------------------------------- SSM


_PING_STATUS = {"Online": Status.logged, "ConnectionLost": Status.partial}


@offline_capable
def probe_ssm_managed(ctx: ProbeContext) -> None:
    """ssm-managed: the instance is registered with Systems Manager and online."""
    instances = _live_instances(ctx)
    if not instances:
        return
    if ctx.aws is None:
        _managed_from_items(ctx, instances)
        return
    try:
        info = _instance_information(ctx)
    except CALL_ERRORS as exc:
        call_failed_each(
            ctx, [i.id for i in instances], "ssm-managed", exc, "ssm:DescribeInstanceInformation"
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


def _managed_from_items(ctx: ProbeContext, instances: list[CollectedResource]) -> None:
    """No credential: an SSM inventory item shows the instance reports to SSM."""
    inventory = _inventory_items(ctx)
    operation = item_operation(INVENTORY_TYPE, "AWS:InstanceInformation")
    for item in instances:
        instance_id = _instance_id(item)
        found = inventory.get(instance_id)
        if found is None:
            skipped(ctx, [item.id], "ssm-managed")
            continue
        record(
            ctx,
            item.id,
            "ssm-managed",
            Status.logged,
            f"{operation}: {clean_single_line(instance_id)} reports inventory to Systems Manager",
            operation=operation,
            notes=["PingStatus is not in the item: ssm:DescribeInstanceInformation not made"],
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
        call_failed(
            ctx,
            node,
            "ssm-session-logging",
            exc,
            "ssm:GetDocument",
            what=f"ssm:GetDocument {SESSION_DOCUMENT}",
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


PROBES = (
    probe_cloudwatch_agent,
    probe_ssm_managed,
    probe_ssm_session_logging,
    probe_eks_control_plane_logs,
    probe_ecs_task_logging,
    probe_elasticbeanstalk_logging,
)
