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

The IAM evaluation (`PolicyReader`, `policies_allow`) is shared with the host layer, which
asks the same question of EC2 instance-profile roles for the CloudWatch agent.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from snapshot.model import Resource, Status
from snapshot.sanitize import clean_single_line

from ...aws.errors import error_code
from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..records import mark_unknown, record
from ._common import list_all

#: What a probe catches from an AWS call: API errors, transport errors, and moto's
#: NotImplementedError for calls it lacks. Never the read-only guard's WriteRefused.
CALL_ERRORS: tuple[type[BaseException], ...] = (ClientError, BotoCoreError, NotImplementedError)

LAMBDA_TYPE = "AWS::Lambda::Function"
STATE_MACHINE_TYPE = "AWS::StepFunctions::StateMachine"

#: Actions a function's role needs to deliver logs to an existing group.
LAMBDA_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


# --------------------------------------------------------------------------- IAM policies


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcard (`*` any run of characters, `?` one character) as a regex."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.IGNORECASE if ignore_case else 0)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_policy_document(document: Any) -> dict[str, Any]:
    """A policy document as a dict, whether boto3 decoded it or it is (URL-encoded) JSON."""
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _matches_any(patterns: Iterable[Any], value: str, ignore_case: bool) -> bool:
    return any(isinstance(p, str) and _wildcard(p, ignore_case).fullmatch(value) for p in patterns)


def _statement_applies(statement: dict[str, Any], action: str, resource: str | None) -> bool:
    if "Action" in statement:
        action_ok = _matches_any(_as_list(statement["Action"]), action, True)
    elif "NotAction" in statement:
        action_ok = not _matches_any(_as_list(statement["NotAction"]), action, True)
    else:
        action_ok = False
    if not action_ok:
        return False
    if resource is None:  # any resource will do: the statement needs to name some
        return "Resource" in statement or "NotResource" in statement
    if "Resource" in statement:
        return _matches_any(_as_list(statement["Resource"]), resource, False)
    if "NotResource" in statement:
        return not _matches_any(_as_list(statement["NotResource"]), resource, False)
    return False


@dataclass
class PolicyVerdict:
    """Whether a set of identity policies allows actions, and which policy said so."""

    allowed: bool
    allowed_by: list[str] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    conditional: bool = False


def policies_allow(
    policies: Iterable[tuple[str, dict[str, Any]]],
    actions: Iterable[str],
    resource: str | None,
) -> PolicyVerdict:
    """Evaluate identity policies for every action on one resource (None = any resource).

    Explicit Deny wins; an Allow with a Condition counts as an allow (conditions depend on
    the request) and is reported as `conditional`. Service control policies and session
    policies are outside a role's own documents and are not evaluated.
    """
    policies = list(policies)
    verdict = PolicyVerdict(allowed=True)
    for action in actions:
        allowed_here = False
        for name, document in policies:
            for statement in _as_list(document.get("Statement")):
                if not isinstance(statement, dict):
                    continue
                if not _statement_applies(statement, action, resource):
                    continue
                if statement.get("Effect") == "Deny" and not statement.get("Condition"):
                    verdict.denied_by.append(name)
                elif statement.get("Effect") == "Allow":
                    allowed_here = True
                    if statement.get("Condition"):
                        verdict.conditional = True
                    if name not in verdict.allowed_by:
                        verdict.allowed_by.append(name)
        if not allowed_here:
            verdict.allowed = False
    if verdict.denied_by:
        verdict.allowed = False
    return verdict


@dataclass
class RolePolicies:
    """A role's identity policies as (name, document) pairs, and its permissions boundary."""

    role_arn: str
    policies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    managed_names: list[str] = field(default_factory=list)
    boundary: tuple[str, dict[str, Any]] | None = None

    def allow(self, actions: Iterable[str], resource: str | None) -> PolicyVerdict:
        actions = tuple(actions)
        verdict = policies_allow(self.policies, actions, resource)
        if verdict.allowed and self.boundary is not None:
            bounded = policies_allow([self.boundary], actions, resource)
            if not bounded.allowed:
                verdict.allowed = False
                verdict.denied_by.append(f"permissions boundary {self.boundary[0]}")
        return verdict


class RoleReadError(Exception):
    """Reading a role's policies failed; carries the operation and the original error."""

    def __init__(self, operation: str, exc: BaseException) -> None:
        super().__init__(f"{operation}: {error_code(exc)}")
        self.operation = operation
        self.exc = exc
        self.code = error_code(exc)


#: Roles already read, per account (AwsContext): IAM is global, so the probes of an account's
#: other regions reuse them instead of reading the same role again. Failures are not kept.
_ACCOUNT_ROLES: weakref.WeakKeyDictionary[Any, dict[str, RolePolicies]] = (
    weakref.WeakKeyDictionary()
)
#: Managed policies' default documents already read, per account (AwsContext): the same
#: policy (AWSLambdaBasicExecutionRole...) is attached to roles probed in several regions.
_ACCOUNT_POLICIES: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)
_ACCOUNT_ROLES_LOCK = threading.Lock()


class PolicyReader:
    """Reads IAM roles' policies once per account (roles and managed policies are shared)."""

    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx
        self._roles: dict[str, RolePolicies | RoleReadError] = {}
        self._managed: dict[str, dict[str, Any]] = {}
        self._iam: Any = None

    @property
    def iam(self) -> Any:
        if self._iam is None:
            self._iam = self.ctx.client("iam")
        return self._iam

    def role(self, role_arn: str) -> RolePolicies:
        """The role's policies; raises RoleReadError (recorded once in ctx.errors)."""
        cached = self._roles.get(role_arn)
        account_roles = None
        if cached is None and self.ctx.aws is not None:
            with _ACCOUNT_ROLES_LOCK:
                account_roles = _ACCOUNT_ROLES.setdefault(self.ctx.aws, {})
                cached = account_roles.get(role_arn)
        if cached is None:
            try:
                cached = self._read_role(role_arn)
                if account_roles is not None:
                    with _ACCOUNT_ROLES_LOCK:
                        account_roles[role_arn] = cached
            except RoleReadError as exc:
                self.ctx.fail(exc.exc, service="iam", operation=exc.operation)
                cached = exc
            self._roles[role_arn] = cached
        if isinstance(cached, RoleReadError):
            raise cached
        return cached

    def _call(self, operation: str, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.iam, method)(**kwargs)
        except CALL_ERRORS as exc:
            raise RoleReadError(operation, exc) from exc

    def _pages(self, operation: str, method: str, key: str, **kwargs: Any) -> Iterator[Any]:
        try:
            for page in self.iam.get_paginator(method).paginate(**kwargs):
                yield from page.get(key, [])
        except CALL_ERRORS as exc:
            raise RoleReadError(operation, exc) from exc

    def _managed_document(self, policy_arn: str) -> dict[str, Any]:
        if policy_arn not in self._managed and self.ctx.aws is not None:
            with _ACCOUNT_ROLES_LOCK:
                shared = _ACCOUNT_POLICIES.setdefault(self.ctx.aws, {})
                if policy_arn in shared:
                    self._managed[policy_arn] = shared[policy_arn]
        if policy_arn not in self._managed:
            policy = self._call("GetPolicy", "get_policy", PolicyArn=policy_arn)["Policy"]
            version = self._call(
                "GetPolicyVersion",
                "get_policy_version",
                PolicyArn=policy_arn,
                VersionId=policy["DefaultVersionId"],
            )["PolicyVersion"]
            self._managed[policy_arn] = parse_policy_document(version.get("Document"))
            if self.ctx.aws is not None:
                with _ACCOUNT_ROLES_LOCK:
                    _ACCOUNT_POLICIES.setdefault(self.ctx.aws, {})[policy_arn] = self._managed[
                        policy_arn
                    ]
        return self._managed[policy_arn]

    def _read_role(self, role_arn: str) -> RolePolicies:
        name = role_arn.rsplit("/", 1)[-1]
        role = self._call("GetRole", "get_role", RoleName=name)["Role"]
        result = RolePolicies(role_arn=role_arn)
        for attached in self._pages(
            "ListAttachedRolePolicies",
            "list_attached_role_policies",
            "AttachedPolicies",
            RoleName=name,
        ):
            arn = attached["PolicyArn"]
            policy_name = clean_single_line(attached.get("PolicyName") or arn)
            result.managed_names.append(policy_name)
            result.policies.append((policy_name, self._managed_document(arn)))
        for inline in self._pages(
            "ListRolePolicies", "list_role_policies", "PolicyNames", RoleName=name
        ):
            document = self._call(
                "GetRolePolicy", "get_role_policy", RoleName=name, PolicyName=inline
            ).get("PolicyDocument")
            result.policies.append(
                (f"inline {clean_single_line(inline)}", parse_policy_document(document))
            )
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            result.boundary = (
                clean_single_line(boundary.rsplit("/", 1)[-1]),
                self._managed_document(boundary),
            )
        return result


# --------------------------------------------------------------------------- shared helpers


def log_group_arn(region: str, account: str, name: str) -> str:
    """A log group's ARN as CloudWatch Logs reports it in `logGroupArn` (no `:*`)."""
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def ensure_resource(
    ctx: ProbeContext,
    *,
    arn: str,
    type_: str,
    resource_id: str,
    name: str = "",
    tags: dict[str, str] | None = None,
    configuration: dict[str, Any] | None = None,
    region: str | None = None,
) -> CollectedResource:
    """The inventory's record for `arn`, adding one (cleaned) when the source lacked it."""
    existing = ctx.inventory.resources.get(arn)
    if existing is not None:
        return existing
    item = CollectedResource(
        Resource(
            id=arn,
            type=type_,
            account=ctx.account,
            region=region or ctx.region,
            name=clean_single_line(name or resource_id),
            resource_id=clean_single_line(resource_id),
            tags={
                clean_single_line(str(k)): clean_single_line(str(v))
                for k, v in (tags or {}).items()
            },
            source="api",
        ),
        configuration=configuration or {},
    )
    ctx.inventory.add(item)
    return item


LOG_GROUP_TYPE = "AWS::Logs::LogGroup"
#: Key of the region's log groups in `ProbeContext.shared` (read once, used by several probes).
SHARED_LOG_GROUPS = "logs:DescribeLogGroups"


def describe_log_groups(ctx: ProbeContext) -> dict[str, dict[str, Any]]:
    """Every log group of the region by name; raises CALL_ERRORS.

    From the inventory when its source listed log groups completely (Config-shaped
    `configuration` has the same `logGroupName`/`retentionInDays` keys), else one paginated
    call, kept in `ctx.shared` for the other probes of the region.
    """
    if LOG_GROUP_TYPE in ctx.inventory.types_covered:
        return {
            str(item.configuration.get("logGroupName") or item.resource.resource_id): {
                **item.configuration
            }
            for item in ctx.inventory.of_type(LOG_GROUP_TYPE)
        }
    cached = ctx.shared.get(SHARED_LOG_GROUPS)
    if cached is not None:
        return cached
    groups: dict[str, dict[str, Any]] = {}
    paginator = ctx.client("logs").get_paginator("describe_log_groups")
    for page in paginator.paginate():
        for group in page.get("logGroups", []):
            groups[group["logGroupName"]] = group
    ctx.shared[SHARED_LOG_GROUPS] = groups
    return groups


def retention_note(group: dict[str, Any] | None) -> str | None:
    if group is None:
        return None
    days = group.get("retentionInDays")
    return f"retention {days} days" if days else "retention never expires"


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


def probe_lambda_logging(ctx: ProbeContext) -> None:
    """lambda-logging: execution role may write logs to the function's log group."""
    control = "lambda-logging"
    functions: dict[str, dict[str, Any]] = {}
    for item in ctx.inventory.of_type(LAMBDA_TYPE):
        functions[item.id] = _function_from_inventory(item)
    try:
        if LAMBDA_TYPE not in ctx.inventory.types_covered:
            functions.update({fn["FunctionArn"]: fn for fn in _list_functions(ctx)})
    except CALL_ERRORS as exc:
        error = ctx.fail(exc, service="lambda", operation="ListFunctions")
        mark_unknown(
            ctx,
            [LAMBDA_TYPE],
            control,
            f"lambda:ListFunctions failed ({error.code})",
            operation="lambda:ListFunctions",
        )
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
    reader = PolicyReader(ctx)
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


def _decide_lambda(
    ctx: ProbeContext,
    reader: PolicyReader,
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
    role_arn = fn.get("Role")
    if not role_arn:
        record(
            ctx,
            arn,
            control,
            status=Status.unknown,
            evidence=f"lambda:ListFunctions: {name} has no Role in its configuration",
            destination=destination,
            operation="lambda:ListFunctions",
            notes=notes,
        )
        return
    role_name = clean_single_line(role_arn.rsplit("/", 1)[-1])
    role_account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ctx.account
    if role_account != ctx.account:
        record(
            ctx,
            arn,
            control,
            status=Status.unknown,
            evidence=(
                f"lambda:ListFunctions: execution role {role_name} is in account "
                f"{clean_single_line(role_account)}, whose policies are not read from here"
            ),
            destination=destination,
            operation="lambda:ListFunctions",
            notes=notes,
        )
        return
    try:
        role = reader.role(role_arn)
    except RoleReadError as exc:
        gone = exc.code == "NoSuchEntity" and exc.operation == "GetRole"
        status = Status.missing if gone else Status.unknown
        reason = (
            f"execution role {role_name} does not exist"
            if status is Status.missing
            else f"could not read execution role {role_name} ({exc.code})"
        )
        record(
            ctx,
            arn,
            control,
            status=status,
            evidence=f"iam:{exc.operation}: {reason}",
            destination=destination,
            operation=f"iam:{exc.operation}",
            notes=notes,
        )
        return
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
        record(
            ctx,
            arn,
            control,
            status=Status.missing,
            evidence=f"iam:GetRolePolicy/GetPolicyVersion: execution role {role_name}: {why}",
            destination=destination,
            operation="iam:GetPolicyVersion",
            notes=notes,
        )
        return
    if group is None and groups is not None:
        create = role.allow(("logs:CreateLogGroup",), destination)
        if not create.allowed:
            record(
                ctx,
                arn,
                control,
                status=Status.missing,
                evidence=(
                    f"logs:DescribeLogGroups: no group {shown_group}, and execution role "
                    f"{role_name} may not logs:CreateLogGroup"
                ),
                destination=destination,
                operation="logs:DescribeLogGroups",
                notes=notes,
            )
            return
    record(
        ctx,
        arn,
        control,
        status=Status.logged,
        evidence=(
            f"iam:GetPolicyVersion: execution role {role_name} allows logs:PutLogEvents on "
            f"{shown_group} via {', '.join(verdict.allowed_by)}"
        ),
        destination=destination,
        operation="iam:GetPolicyVersion",
        notes=notes,
    )


# --------------------------------------------------------------------------- Step Functions

_SFN_LEVEL_STATUS = {
    "ALL": Status.logged,
    "ERROR": Status.partial,
    "FATAL": Status.partial,
    "OFF": Status.missing,
}


def probe_stepfunctions_logging(ctx: ProbeContext) -> None:
    """stepfunctions-logging: loggingConfiguration.level of every state machine."""
    control = "stepfunctions-logging"
    client = ctx.client("stepfunctions")
    arns: dict[str, str] = {}
    try:
        for page in client.get_paginator("list_state_machines").paginate():
            for machine in page.get("stateMachines", []):
                arns[machine["stateMachineArn"]] = machine.get("name", "")
    except CALL_ERRORS as exc:
        error = ctx.fail(exc, service="states", operation="ListStateMachines")
        mark_unknown(
            ctx,
            [STATE_MACHINE_TYPE],
            control,
            f"states:ListStateMachines failed ({error.code})",
            operation="states:ListStateMachines",
        )
        return
    for item in ctx.inventory.of_type(STATE_MACHINE_TYPE):
        arns.setdefault(item.id, item.resource.name)
    for arn, name in arns.items():
        ensure_resource(ctx, arn=arn, type_=STATE_MACHINE_TYPE, resource_id=name or arn, name=name)
        try:
            described = client.describe_state_machine(stateMachineArn=arn)
        except CALL_ERRORS as exc:
            error = ctx.fail(exc, service="states", operation="DescribeStateMachine")
            record(
                ctx,
                arn,
                control,
                status=Status.unknown,
                evidence=f"states:DescribeStateMachine failed ({error.code})",
                operation="states:DescribeStateMachine",
            )
            continue
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
            control,
            status=_SFN_LEVEL_STATUS.get(level, Status.unknown),
            evidence=f"states:DescribeStateMachine: loggingConfiguration.level={level}",
            destination=destination,
            operation="states:DescribeStateMachine",
            notes=notes,
        )


# --------------------------------------------------------------------------- beyond Prowler's
# serverless checks: CodeBuild, Glue and Bedrock (Prowler has each; the list does not).

CODEBUILD_TYPE = "AWS::CodeBuild::Project"
GLUE_JOB_TYPE = "AWS::Glue::Job"
_CODEBUILD_BATCH = 100  # BatchGetProjects takes at most 100 names


def probe_codebuild_logging(ctx: ProbeContext) -> None:
    """codebuild-logging: build logs to CloudWatch Logs or S3 (logsConfig)."""
    control = "codebuild-logging"
    operation = "codebuild:BatchGetProjects"
    client = ctx.client("codebuild")
    try:
        names = list_all(client, "list_projects", "projects")
        projects = []
        for start in range(0, len(names), _CODEBUILD_BATCH):
            batch = names[start : start + _CODEBUILD_BATCH]
            projects.extend(client.batch_get_projects(names=batch).get("projects", []))
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="codebuild", operation="BatchGetProjects").code
        mark_unknown(
            ctx, (CODEBUILD_TYPE,), control, f"{operation} failed ({code})", operation=operation
        )
        return
    for project in projects:
        arn, name = project["arn"], project.get("name", "")
        ensure_resource(
            ctx,
            arn=arn,
            type_=CODEBUILD_TYPE,
            resource_id=name,
            name=name,
            tags={t.get("key", ""): t.get("value", "") for t in project.get("tags") or []},
        )
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
                f"{operation}: logsConfig.cloudWatchLogs.status=DISABLED and "
                "s3Logs.status=DISABLED",
                operation=operation,
            )


def probe_glue_job_logging(ctx: ProbeContext) -> None:
    """glue-job-logging: continuous CloudWatch logging of Glue ETL jobs.

    Every Glue job run writes its output and error streams to /aws-glue/jobs/output and
    /aws-glue/jobs/error when it ends; only continuous logging
    (`--enable-continuous-cloudwatch-log`) streams driver and executor logs while the job
    runs, which is what an investigation of a long or killed run needs: without it, `partial`.
    """
    control = "glue-job-logging"
    operation = "glue:GetJobs"
    try:
        jobs = list_all(ctx.client("glue"), "get_jobs", "Jobs")
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="glue", operation="GetJobs").code
        mark_unknown(
            ctx, (GLUE_JOB_TYPE,), control, f"{operation} failed ({code})", operation=operation
        )
        return
    for job in jobs:
        name = job["Name"]
        arn = f"arn:aws:glue:{ctx.region}:{ctx.account}:job/{name}"
        ensure_resource(ctx, arn=arn, type_=GLUE_JOB_TYPE, resource_id=name, name=name)
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
        code = ctx.fail(
            exc, service="bedrock", operation="GetModelInvocationLoggingConfiguration"
        ).code
        record(
            ctx, node, control, Status.unknown, f"{operation} failed ({code})", operation=operation
        )
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
