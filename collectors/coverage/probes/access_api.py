"""Access-layer probes of the API front doors: API Gateway stages and AppSync APIs.

Both are read from the configuration item where it holds the setting (AWS Config records
stages' `accessLogSettings` / `methodSettings` and AppSync's `LogConfig`), else from the
API; with no credential for the account, what no item holds is `unknown`, naming the call.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS, ensure_resource, log_group_arn
from ..items import camel, from_config, item_operation, lookup
from ..records import call_failed_each, offline_capable, record
from ._common import config_first, list_all
from .access_common import (
    REST_STAGE,
    V2_API,
    V2_STAGE,
)

# --------------------------------------------------------------------------- API Gateway


def _stages(ctx: ProbeContext) -> list[dict[str, Any]]:
    """Every stage as {arn, kind (rest|http|websocket), api, name, config}, Config-shaped."""
    stages: list[dict[str, Any]] = []
    protocols = {
        item.id: str(item.configuration.get("protocolType") or "")
        for item in ctx.inventory.of_type(V2_API)
    }
    if REST_STAGE not in ctx.inventory.types_covered and ctx.aws is not None:
        client = ctx.client("apigateway")
        for api in list_all(client, "get_rest_apis", "items"):
            for stage in client.get_stages(restApiId=api["id"]).get("item") or []:
                config = {**stage, "restApiId": api["id"]}
                _add_stage(ctx, REST_STAGE, f"restapis/{api['id']}", api.get("name"), config)
    if V2_STAGE not in ctx.inventory.types_covered and ctx.aws is not None:
        client = ctx.client("apigatewayv2")
        for api in list_all(client, "get_apis", "Items"):
            api_arn = f"arn:aws:apigateway:{ctx.region}::/apis/{api['ApiId']}"
            protocols[api_arn] = api.get("ProtocolType", "")
            for stage in list_all(client, "get_stages", "Items", ApiId=api["ApiId"]):
                config = _lower_first(stage)
                config["accessLogSettings"] = _lower_first(stage.get("AccessLogSettings")) or None
                config["defaultRouteSettings"] = _lower_first(stage.get("DefaultRouteSettings"))
                config["apiId"] = api["ApiId"]
                _add_stage(ctx, V2_STAGE, f"apis/{api['ApiId']}", api.get("Name"), config)
    for item in ctx.inventory.of_type(REST_STAGE):
        stages.append(
            {
                "arn": item.id,
                "kind": "rest",
                "config": item.configuration,
                "operation": _stage_source(ctx, item),
                "api": item.configuration.get("restApiId")
                or item.id.split("/restapis/", 1)[-1].split("/", 1)[0],
            }
        )
    for item in ctx.inventory.of_type(V2_STAGE):
        api_id = item.configuration.get("apiId") or item.id.split("/apis/", 1)[-1].split("/")[0]
        protocol = protocols.get(f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}", "")
        stages.append(
            {
                "arn": item.id,
                "kind": "websocket" if protocol == "WEBSOCKET" else "http",
                "config": item.configuration,
                "operation": _stage_source(ctx, item),
                "api": api_id,
            }
        )
    return stages


def _lower_first(value: dict[str, Any] | None) -> dict[str, Any]:
    """The keys of one level with a lower-case first letter (the shape AWS Config uses)."""
    return {k[:1].lower() + k[1:]: v for k, v in (value or {}).items()}


def _add_stage(
    ctx: ProbeContext, type_: str, api_path: str, api_name: str | None, config: dict[str, Any]
) -> None:
    """A stage the API listed, added to the inventory in AWS Config's shape."""
    stage = str(config["stageName"])
    api_id = api_path.rsplit("/", 1)[-1]
    ensure_resource(
        ctx,
        arn=f"arn:aws:apigateway:{ctx.region}::/{api_path}/stages/{stage}",
        type_=type_,
        resource_id=stage,
        name=f"{api_name or api_id}/{stage}",
        configuration=config,
    )


def _stage_source(ctx: ProbeContext, item: CollectedResource) -> str:
    if from_config(ctx.aws, item):
        return item_operation(item.type, "")
    return "apigateway:GetStages"


def _stage_name(stage: dict[str, Any]) -> str:
    return clean_single_line(
        str(stage["config"].get("stageName") or stage["arn"].rsplit("/", 1)[-1])
    )


@offline_capable
def probe_apigateway_logs(ctx: ProbeContext) -> None:
    """apigateway-access-logs and apigateway-execution-logs of every REST/HTTP/WS stage."""
    try:
        stages = _stages(ctx)
    except CALL_ERRORS as exc:
        call_failed_each(
            ctx,
            [item.id for item in ctx.inventory.of_type(REST_STAGE, V2_STAGE)],
            ("apigateway-access-logs", "apigateway-execution-logs"),
            exc,
            "apigateway:GetStages",
            what="apigateway:GetRestApis/GetApis/GetStages",
        )
        return
    for stage in stages:
        _decide_access_log(ctx, stage)
        _decide_execution_log(ctx, stage)


def _decide_access_log(ctx: ProbeContext, stage: dict[str, Any]) -> None:
    operation = stage.get("operation") or "apigateway:GetStages"
    settings = stage["config"].get("accessLogSettings") or {}
    destination = settings.get("destinationArn")
    field = "accessLogSettings" if stage["kind"] == "rest" else "AccessLogSettings"
    name = _stage_name(stage)
    if not destination:
        record(
            ctx,
            stage["arn"],
            "apigateway-access-logs",
            Status.missing,
            f"{operation}: stage {name} has no {field}.destinationArn",
            operation=operation,
        )
        return
    shown = clean_single_line(str(destination))
    log_format = str(settings.get("format") or "")
    if log_format and "sourceIp" not in log_format:
        record(
            ctx,
            stage["arn"],
            "apigateway-access-logs",
            Status.partial,
            f"{operation}: stage {name} {field}.destinationArn={shown}, but the format lacks "
            "$context.identity.sourceIp",
            destination=shown.removesuffix(":*"),
            operation=operation,
        )
        return
    record(
        ctx,
        stage["arn"],
        "apigateway-access-logs",
        Status.logged,
        f"{operation}: stage {name} {field}.destinationArn={shown}",
        destination=shown.removesuffix(":*"),
        operation=operation,
    )


_EXECUTION_LEVEL = {"INFO": Status.logged, "ERROR": Status.partial}


def _decide_execution_log(ctx: ProbeContext, stage: dict[str, Any]) -> None:
    operation = stage.get("operation") or "apigateway:GetStages"
    name = _stage_name(stage)
    if stage["kind"] == "http":
        record(
            ctx,
            stage["arn"],
            "apigateway-execution-logs",
            Status.not_applicable,
            f"{operation}: HTTP API stage {name} has no execution logs (access logs only)",
            operation=operation,
        )
        return
    notes: list[str] = []
    if stage["kind"] == "rest":
        methods = stage["config"].get("methodSettings") or {}
        default = methods.get("*/*") or {}
        level = str(default.get("loggingLevel") or "OFF")
        field = "methodSettings['*/*'].loggingLevel"
        group = f"API-Gateway-Execution-Logs_{stage['api']}/{name}"
        if default.get("dataTraceEnabled"):
            notes.append("dataTraceEnabled=true: full requests and responses are logged")
        overrides = sorted(
            {
                str(s.get("loggingLevel"))
                for key, s in methods.items()
                if key != "*/*" and str(s.get("loggingLevel") or "OFF") != "OFF"
            }
        )
        if level == "OFF" and overrides:
            record(
                ctx,
                stage["arn"],
                "apigateway-execution-logs",
                Status.partial,
                f"{operation}: stage {name} {field}=OFF, some methods log ({','.join(overrides)})",
                destination=log_group_arn(ctx.region, ctx.account, group),
                operation=operation,
                notes=notes,
            )
            return
    else:
        route = stage["config"].get("defaultRouteSettings") or {}
        level = str(route.get("loggingLevel") or "OFF")
        field = "DefaultRouteSettings.LoggingLevel"
        group = f"/aws/apigateway/{stage['api']}/{name}"
    status = _EXECUTION_LEVEL.get(level, Status.missing)
    record(
        ctx,
        stage["arn"],
        "apigateway-execution-logs",
        status,
        f"{operation}: stage {name} {field}={clean_single_line(level)}",
        destination=log_group_arn(ctx.region, ctx.account, group)
        if status is not Status.missing
        else None,
        operation=operation,
        notes=notes,
    )


# --------------------------------------------------------------------------- AppSync

APPSYNC_API = "AWS::AppSync::GraphQLApi"
_APPSYNC_LEVEL = {
    "ALL": Status.logged,
    "INFO": Status.logged,
    "DEBUG": Status.logged,
    "ERROR": Status.partial,
}


@offline_capable
def probe_appsync_logging(ctx: ProbeContext) -> None:
    """appsync-logging: field-level resolver logging of each GraphQL API.

    AWS Config records the API's `LogConfig` (CloudFormation shape): its item decides,
    whatever the credential; appsync:ListGraphqlApis reads the others.
    """
    control_id = "appsync-logging"
    operation = "appsync:ListGraphqlApis"
    split = config_first(ctx, [APPSYNC_API], control_id, "LogConfig", "ApiId")
    for item in split.deciding:
        api = {
            "arn": item.id,
            "apiId": lookup(item.configuration, "ApiId") or item.resource.resource_id,
            "name": lookup(item.configuration, "Name") or item.resource.name,
            "logConfig": camel(lookup(item.configuration, "LogConfig") or {}),
        }
        _decide_api(ctx, api, item_operation(APPSYNC_API, "LogConfig.FieldLogLevel"))
    if not split.needs_call():
        return
    client = ctx.client("appsync")
    apis = split.read(
        operation,
        lambda: list_all(client, "list_graphql_apis", "graphqlApis"),
        key=lambda api: str(api["arn"]),
    )
    for api in apis or []:
        arn, api_id = api["arn"], api["apiId"]
        name = api.get("name", api_id)
        ensure_resource(
            ctx, arn=arn, type_=APPSYNC_API, resource_id=api_id, name=name, tags=api.get("tags")
        )
        _decide_api(ctx, api, operation)


def _decide_api(ctx: ProbeContext, api: dict[str, Any], operation: str) -> None:
    """An API without a LogConfig logs nothing (fieldLogLevel NONE)."""
    arn, api_id = str(api["arn"]), str(api["apiId"])
    name = str(api.get("name") or api_id)
    level = str((api.get("logConfig") or {}).get("fieldLogLevel") or "NONE")
    status = _APPSYNC_LEVEL.get(level, Status.missing)
    record(
        ctx,
        arn,
        "appsync-logging",
        status,
        f"{operation}: API {clean_single_line(name)} logConfig.fieldLogLevel="
        f"{clean_single_line(level)}",
        destination=log_group_arn(ctx.region, ctx.account, f"/aws/appsync/apis/{api_id}")
        if status is not Status.missing
        else None,
        operation=operation,
    )
