"""Probes of the `serverless` layer: Lambda function logging and Step Functions logging.

Lambda logging is decided from three facts, read in batches per region:

* the function's configuration (`lambda:ListFunctions`, which returns `Role` and
  `LoggingConfig` for every function in one paginated call);
* whether the execution role may write logs: its attached managed policies, inline policies
  and permissions boundary are read (`iam:GetRole`, `ListAttachedRolePolicies`,
  `ListRolePolicies`/`GetRolePolicy`, `GetPolicy`/`GetPolicyVersion`) and evaluated here for
  `logs:CreateLogStream` and `logs:PutLogEvents` on the function's log group, wildcards
  included. `iam:SimulatePrincipalPolicy` would do it in one call but is not a read by name,
  and blindspot's guard only lets reads through;
* the log group (`logs:DescribeLogGroups`, one paginated call): existence and retention.

A role that cannot write means `missing` even where the group exists (nothing new arrives).

The IAM evaluation (`..helpers.iam`: `PolicyReader`, `policies_allow`) is shared with the
host layer, which asks the same question of EC2 instance-profile roles for the CloudWatch
agent.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...aws.errors import error_code
from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import (
    CALL_ERRORS,
    LOG_GROUP_TYPE,
    ItemPolicyReader,
    NoCredential,
    PolicyReader,
    RolePolicies,
    RoleReadError,
    describe_log_groups,
    ensure_resource,
    log_group_arn,
    policies_allow,
    retention_note,
)
from ..items import camel, from_config, has, item_operation, lookup, no_credential
from ..records import call_failed, listing_failed, offline_capable, record
from ._common import config_first, in_batches, list_all

LAMBDA_TYPE = "AWS::Lambda::Function"
STATE_MACHINE_TYPE = "AWS::StepFunctions::StateMachine"

#: Actions a function's role needs to deliver logs to an existing group.
LAMBDA_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")

#: The IAM evaluation lives in `..helpers`; these two names are still imported from here.
__all__ = ["PolicyReader", "policies_allow"]


# --------------------------------------------------------------------------- Lambda


def _list_functions(ctx: ProbeContext) -> list[dict[str, Any]]:
    return list_all(ctx.client("lambda"), "list_functions", "Functions")


def _function_from_inventory(item: CollectedResource) -> dict[str, Any]:
    """The few fields the probe needs, from an AWS Config-shaped Lambda configuration."""
    config = item.configuration or {}
    logging = config.get("loggingConfig") or {}
    return {
        "FunctionArn": item.id,
        "FunctionName": config.get("functionName") or item.resource.resource_id or item.id,
        "Role": config.get("role"),
        "LoggingConfig": {
            "LogGroup": logging.get("logGroup"),
            "LogFormat": logging.get("logFormat"),
            "ApplicationLogLevel": logging.get("applicationLogLevel"),
        },
    }


@offline_capable
def probe_lambda_logging(ctx: ProbeContext) -> None:
    """lambda-logging: execution role may write logs to the function's log group.

    Without a credential for the account, AWS Config's items decide: the function's `role`
    and `loggingConfig`, the role's `AWS::IAM::Role` item and the customer-managed
    policies' `AWS::IAM::Policy` items (`ItemPolicyReader`); a policy no item holds (an
    AWS-managed one) leaves the function `unknown`, naming iam:GetPolicyVersion.
    """
    control = "lambda-logging"
    functions: dict[str, dict[str, Any]] = {}
    for item in ctx.inventory.of_type(LAMBDA_TYPE):
        functions[item.id] = _function_from_inventory(item)
    if ctx.aws is None:
        _lambda_from_items(ctx, functions)
        return
    try:
        if LAMBDA_TYPE not in ctx.inventory.types_covered:
            functions.update({fn["FunctionArn"]: fn for fn in _list_functions(ctx)})
    except CALL_ERRORS as exc:
        listing_failed(ctx, [LAMBDA_TYPE], control, exc, "lambda:ListFunctions")
        return
    if not functions:
        return
    groups: dict[str, dict[str, Any]] | None
    groups_error = None
    try:
        groups = describe_log_groups(ctx)
    except CALL_ERRORS as exc:
        groups = None
        groups_error = ctx.fail(exc, service="logs", operation="DescribeLogGroups").code
    reader = _ItemsFirstReader(ctx)
    for arn, fn in functions.items():
        name = fn.get("FunctionName") or arn.rsplit(":", 1)[-1]
        ensure_resource(
            ctx,
            arn=arn,
            type_=LAMBDA_TYPE,
            resource_id=name,
            name=name,
        )
        _decide_lambda(ctx, reader, arn, fn, groups, groups_error)


class _ItemsFirstReader:
    """A role AWS Config recorded with its policies (`rolePolicyList`,
    `attachedManagedPolicies`) is read from the items, with no IAM call; any other role, or
    one relying on a policy no item holds (an AWS-managed one), through the IAM API."""

    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx
        self.items = ItemPolicyReader(ctx.inventory)
        self.api = PolicyReader(ctx)
        inventory = ctx.inventory
        self.recorded = {
            name
            for item in [*inventory.resources.values(), *inventory.account_items.values()]
            if item.type == ROLE_TYPE
            and from_config(ctx.aws, item)
            and any(has(item.configuration, f) for f in _ROLE_FIELDS)
            for name in (item.id, lookup(item.configuration, "arn"))
            if isinstance(name, str)
        }

    def role(self, role_arn: str) -> RolePolicies:
        if role_arn in self.recorded:
            try:
                return self.items.role(role_arn)
            except NoCredential:
                pass
        return self.api.role(role_arn)


ROLE_TYPE = "AWS::IAM::Role"
_ROLE_FIELDS = ("rolePolicyList", "attachedManagedPolicies")


def _lambda_from_items(ctx: ProbeContext, functions: dict[str, dict[str, Any]]) -> None:
    groups: dict[str, dict[str, Any]] | None = None
    groups_error: str | None = "no credential: logs:DescribeLogGroups not made"
    if LOG_GROUP_TYPE in ctx.inventory.types_covered:
        groups, groups_error = describe_log_groups(ctx), None
    reader = ItemPolicyReader(ctx.inventory)
    for arn, fn in functions.items():
        _decide_lambda(ctx, reader, arn, fn, groups, groups_error)


def _decide_lambda(
    ctx: ProbeContext,
    reader: _ItemsFirstReader | ItemPolicyReader,
    arn: str,
    fn: dict[str, Any],
    groups: dict[str, dict[str, Any]] | None,
    groups_error: str | None,
) -> None:
    control = "lambda-logging"
    name = clean_single_line(fn.get("FunctionName") or arn.rsplit(":", 1)[-1])
    logging_config = fn.get("LoggingConfig") or {}
    custom_group = logging_config.get("LogGroup")
    group_name = custom_group or f"/aws/lambda/{fn.get('FunctionName')}"
    shown_group = clean_single_line(group_name)
    destination = log_group_arn(ctx.region, ctx.account, group_name)
    notes: list[str] = []
    if custom_group:
        notes.append(f"LoggingConfig.LogGroup={shown_group} (custom log group)")
    if logging_config.get("LogFormat"):
        notes.append(
            f"LogFormat={logging_config['LogFormat']}"
            + (
                f", ApplicationLogLevel={logging_config['ApplicationLogLevel']}"
                if logging_config.get("ApplicationLogLevel")
                else ""
            )
        )
    group = None if groups is None else groups.get(group_name)
    if groups is None:
        notes.append(f"log group not checked: logs:DescribeLogGroups failed ({groups_error})")
    elif group is None:
        notes.append(f"log group {shown_group} does not exist yet (created on first invoke)")
    else:
        note = retention_note(group)
        if note:
            notes.append(f"{shown_group}: {note}")
    status, evidence, operation = _lambda_verdict(
        ctx, reader, fn, name, destination, shown_group, group, groups, notes
    )
    record(
        ctx,
        arn,
        control,
        status,
        evidence,
        destination=destination,
        operation=operation,
        notes=notes,
    )


def _lambda_verdict(
    ctx: ProbeContext,
    reader: _ItemsFirstReader | ItemPolicyReader,
    fn: dict[str, Any],
    name: str,
    destination: str,
    shown_group: str,
    group: dict[str, Any] | None,
    groups: dict[str, dict[str, Any]] | None,
    notes: list[str],
) -> tuple[Status, str, str]:
    """(status, evidence, operation) of lambda-logging; adds to `notes`."""
    role_arn = fn.get("Role")
    if not role_arn:
        return (
            Status.unknown,
            f"lambda:ListFunctions: {name} has no Role in its configuration",
            "lambda:ListFunctions",
        )
    role_name = clean_single_line(role_arn.rsplit("/", 1)[-1])
    role_account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ctx.account
    if role_account != ctx.account:
        return (
            Status.unknown,
            f"lambda:ListFunctions: execution role {role_name} is in account "
            f"{clean_single_line(role_account)}, whose policies are not read from here",
            "lambda:ListFunctions",
        )
    try:
        role = reader.role(role_arn)
    except NoCredential as exc:
        notes.append(f"execution role {role_name}: a policy it needs is in no item")
        evidence = no_credential(ctx.account, f"iam:{exc.operation} {exc.subject}")
        return Status.unknown, evidence, f"iam:{exc.operation}"
    except RoleReadError as exc:
        if exc.code == "NoSuchEntity" and exc.operation == "GetRole":
            reason, status = f"execution role {role_name} does not exist", Status.missing
        else:
            reason = f"could not read execution role {role_name} ({exc.code})"
            status = Status.unknown
        return status, f"iam:{exc.operation}: {reason}", f"iam:{exc.operation}"
    stream = f"{destination}:log-stream:2000/01/01/[$LATEST]0"
    verdict = role.allow(LAMBDA_LOG_ACTIONS, stream)
    if verdict.conditional:
        notes.append("an allowing statement has a Condition (not evaluated)")
    if not verdict.allowed:
        why = (
            f"denied by {', '.join(verdict.denied_by)}"
            if verdict.denied_by
            else "no policy allows logs:CreateLogStream and logs:PutLogEvents on " + shown_group
        )
        return (
            Status.missing,
            f"iam:GetRolePolicy/GetPolicyVersion: execution role {role_name}: {why}",
            "iam:GetPolicyVersion",
        )
    creates = group is not None or groups is None
    if not creates and not role.allow(("logs:CreateLogGroup",), destination).allowed:
        return (
            Status.missing,
            f"logs:DescribeLogGroups: no group {shown_group}, and execution role "
            f"{role_name} may not logs:CreateLogGroup",
            "logs:DescribeLogGroups",
        )
    return (
        Status.logged,
        f"iam:GetPolicyVersion: execution role {role_name} allows logs:PutLogEvents on "
        f"{shown_group} via {', '.join(verdict.allowed_by)}",
        "iam:GetPolicyVersion",
    )


# --------------------------------------------------------------------------- Step Functions

_SFN_LEVEL_STATUS = {
    "ALL": Status.logged,
    "ERROR": Status.partial,
    "FATAL": Status.partial,
    "OFF": Status.missing,
}


@offline_capable
def probe_stepfunctions_logging(ctx: ProbeContext) -> None:
    """stepfunctions-logging: loggingConfiguration.level of every state machine.

    AWS Config records `LoggingConfiguration` (CloudFormation shape): its item decides,
    whatever the credential; states:DescribeStateMachine reads the others.
    """
    control = "stepfunctions-logging"
    operation = item_operation(STATE_MACHINE_TYPE, "LoggingConfiguration")
    split = config_first(ctx, [STATE_MACHINE_TYPE], control, "LoggingConfiguration")
    for item in split.deciding:
        described = {
            "loggingConfiguration": camel(lookup(item.configuration, "LoggingConfiguration")),
            "type": lookup(item.configuration, "StateMachineType")
            or lookup(item.configuration, "type"),
        }
        _decide_state_machine(ctx, item.id, described, operation)
    machines = split.read_listing(
        "states:ListStateMachines",
        "stepfunctions",
        ("list_state_machines", "stateMachines"),
        lambda item: {"stateMachineArn": item.id, "name": item.resource.name},
        key=lambda machine: str(machine["stateMachineArn"]),
    )
    if machines is None:
        return
    client = ctx.client("stepfunctions")
    arns = {str(m["stateMachineArn"]): str(m.get("name", "")) for m in machines}
    for item in split.rest:
        arns.setdefault(item.id, item.resource.name)
    for arn, name in arns.items():
        ensure_resource(ctx, arn=arn, type_=STATE_MACHINE_TYPE, resource_id=name or arn, name=name)
        try:
            described = client.describe_state_machine(stateMachineArn=arn)
        except CALL_ERRORS as exc:
            call_failed(ctx, arn, control, exc, "states:DescribeStateMachine")
            continue
        _decide_state_machine(ctx, arn, described, "states:DescribeStateMachine")


def _decide_state_machine(
    ctx: ProbeContext, arn: str, described: dict[str, Any], operation: str
) -> None:
    logging = described.get("loggingConfiguration") or {}
    level = str(logging.get("level") or "OFF")
    destinations = [
        (d.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")
        for d in logging.get("destinations") or []
    ]
    destination = next((d for d in destinations if d), None)
    if destination and destination.endswith(":*"):
        destination = destination[:-2]
    notes = []
    if level != "OFF":
        notes.append(f"includeExecutionData={bool(logging.get('includeExecutionData'))}")
    if described.get("type") == "EXPRESS":
        notes.append("EXPRESS workflow: execution history exists only in these logs")
    record(
        ctx,
        arn,
        "stepfunctions-logging",
        status=_SFN_LEVEL_STATUS.get(level, Status.unknown),
        evidence=f"{operation}: loggingConfiguration.level={clean_single_line(level)}",
        destination=destination,
        operation=operation,
        notes=notes,
    )


# --------------------------------------------------------------------------- beyond Prowler's
# serverless checks: CodeBuild, Glue and Bedrock (Prowler has each; the list does not).

CODEBUILD_TYPE = "AWS::CodeBuild::Project"
GLUE_JOB_TYPE = "AWS::Glue::Job"
_CODEBUILD_BATCH = 100  # BatchGetProjects takes at most 100 names


@offline_capable
def probe_codebuild_logging(ctx: ProbeContext) -> None:
    """codebuild-logging: build logs to CloudWatch Logs or S3 (logsConfig).

    AWS Config records the project's `logsConfig`: its item decides, whatever the
    credential; codebuild:BatchGetProjects reads the others.
    """
    control = "codebuild-logging"
    operation = "codebuild:BatchGetProjects"
    split = config_first(ctx, [CODEBUILD_TYPE], control, "logsConfig")
    for item in split.deciding:
        project = {"logsConfig": camel(lookup(item.configuration, "logsConfig"))}
        name = str(lookup(item.configuration, "name") or item.resource.name)
        _decide_project(ctx, item.id, name, project, item_operation(CODEBUILD_TYPE, "logsConfig"))
    if not split.needs_call():
        return
    client = ctx.client("codebuild")
    decided = {item.resource.name for item in split.deciding}

    def read() -> list[dict[str, Any]]:
        names = split.listed_or_rest(
            lambda: list_all(client, "list_projects", "projects"), lambda item: item.resource.name
        )
        return in_batches(
            [name for name in names if name not in decided],
            _CODEBUILD_BATCH,
            lambda batch: client.batch_get_projects(names=batch).get("projects", []),
        )

    for project in split.read(operation, read) or []:
        arn, name = project["arn"], project.get("name", "")
        ensure_resource(
            ctx,
            arn=arn,
            type_=CODEBUILD_TYPE,
            resource_id=name,
            name=name,
            tags={t.get("key", ""): t.get("value", "") for t in project.get("tags") or []},
        )
        _decide_project(ctx, arn, name, project, operation)


def _decide_project(
    ctx: ProbeContext, arn: str, name: str, project: dict[str, Any], operation: str
) -> None:
    control = "codebuild-logging"
    logs = project.get("logsConfig") or {}
    cloudwatch = logs.get("cloudWatchLogs") or {}
    s3 = logs.get("s3Logs") or {}
    if cloudwatch.get("status", "ENABLED") == "ENABLED":
        group = cloudwatch.get("groupName") or f"/aws/codebuild/{name}"
        record(
            ctx,
            arn,
            control,
            Status.logged,
            f"{operation}: logsConfig.cloudWatchLogs.status=ENABLED (group "
            f"{clean_single_line(group)})",
            destination=log_group_arn(ctx.region, ctx.account, group),
            operation=operation,
        )
    elif s3.get("status") == "ENABLED" and s3.get("location"):
        record(
            ctx,
            arn,
            control,
            Status.logged,
            f"{operation}: logsConfig.s3Logs.status=ENABLED",
            destination=f"arn:aws:s3:::{clean_single_line(str(s3['location']))}",
            operation=operation,
            notes=["s3Logs.encryptionDisabled=true"] if s3.get("encryptionDisabled") else [],
        )
    else:
        record(
            ctx,
            arn,
            control,
            Status.missing,
            f"{operation}: logsConfig.cloudWatchLogs.status=DISABLED and s3Logs.status=DISABLED",
            operation=operation,
        )


@offline_capable
def probe_glue_job_logging(ctx: ProbeContext) -> None:
    """glue-job-logging: continuous CloudWatch logging of Glue ETL jobs.

    Every Glue job run writes its output and error streams to /aws-glue/jobs/output and
    /aws-glue/jobs/error when it ends; only continuous logging
    (`--enable-continuous-cloudwatch-log`) streams driver and executor logs while the job
    runs, which is what an investigation of a long or killed run needs: without it, `partial`.
    """
    control = "glue-job-logging"
    operation = "glue:GetJobs"
    split = config_first(ctx, [GLUE_JOB_TYPE], control, "DefaultArguments", "Command")
    for item in split.deciding:
        job = {"DefaultArguments": lookup(item.configuration, "DefaultArguments") or {}}
        _decide_job(ctx, item.id, job, item_operation(GLUE_JOB_TYPE, "DefaultArguments"))
    if not split.needs_call():
        return
    base = f"arn:aws:glue:{ctx.region}:{ctx.account}:job/"
    jobs = split.read(
        operation,
        lambda: list_all(ctx.client("glue"), "get_jobs", "Jobs"),
        key=lambda job: base + str(job["Name"]),
    )
    for job in jobs or []:
        name = job["Name"]
        arn = base + name
        ensure_resource(ctx, arn=arn, type_=GLUE_JOB_TYPE, resource_id=name, name=name)
        _decide_job(ctx, arn, job, operation)


def _decide_job(ctx: ProbeContext, arn: str, job: dict[str, Any], operation: str) -> None:
    control = "glue-job-logging"
    arguments = job.get("DefaultArguments") or {}
    continuous = str(arguments.get("--enable-continuous-cloudwatch-log", "")).lower()
    group = arguments.get("--continuous-log-logGroup") or "/aws-glue/jobs/logs-v2"
    if continuous == "true":
        record(
            ctx,
            arn,
            control,
            Status.logged,
            f"{operation}: DefaultArguments --enable-continuous-cloudwatch-log=true",
            destination=log_group_arn(ctx.region, ctx.account, str(group)),
            operation=operation,
        )
    else:
        record(
            ctx,
            arn,
            control,
            Status.partial,
            f"{operation}: DefaultArguments --enable-continuous-cloudwatch-log not set: "
            "only end-of-run output/error logs",
            destination=log_group_arn(ctx.region, ctx.account, "/aws-glue/jobs/output"),
            operation=operation,
        )


def probe_bedrock_invocation_logging(ctx: ProbeContext) -> None:
    """bedrock-invocation-logging: model invocation logging of the region (extended)."""
    from snapshot.model import region_node_id

    control = "bedrock-invocation-logging"
    operation = "bedrock:GetModelInvocationLoggingConfiguration"
    node = region_node_id(ctx.account, ctx.region)
    if node not in ctx.inventory.resources:
        return  # the runner adds the region node; a bare test inventory has none
    try:
        config = (
            ctx.client("bedrock").get_model_invocation_logging_configuration().get("loggingConfig")
            or {}
        )
    except CALL_ERRORS as exc:
        if error_code(exc) == "EndpointUnreachable":
            record(
                ctx,
                node,
                control,
                Status.not_applicable,
                "bedrock: no endpoint in this region (Bedrock is not offered here)",
                operation=operation,
            )
            return
        call_failed(ctx, node, control, exc, operation)
        return
    group = (config.get("cloudWatchConfig") or {}).get("logGroupName")
    bucket = (config.get("s3Config") or {}).get("bucketName")
    if not group and not bucket:
        record(
            ctx,
            node,
            control,
            Status.missing,
            f"{operation}: no loggingConfig (model invocations are not logged)",
            operation=operation,
        )
        return
    destination = (
        log_group_arn(ctx.region, ctx.account, group) if group else f"arn:aws:s3:::{bucket}"
    )
    notes = (
        []
        if config.get("textDataDeliveryEnabled")
        else ["textDataDeliveryEnabled=false: prompts and completions are not kept"]
    )
    record(
        ctx,
        node,
        control,
        Status.logged,
        f"{operation}: loggingConfig to "
        + ("cloudWatchConfig.logGroupName" if group else "s3Config.bucketName"),
        destination=clean_single_line(destination),
        operation=operation,
        notes=notes,
    )


PROBES = (
    probe_lambda_logging,
    probe_stepfunctions_logging,
    probe_codebuild_logging,
    probe_glue_job_logging,
    probe_bedrock_invocation_logging,
)
