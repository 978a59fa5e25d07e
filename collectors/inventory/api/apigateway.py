"""API Gateway: REST APIs with their stages (v1) and HTTP/WebSocket APIs with stages (v2).

ARNs are the ones AWS Config reports: `arn:aws:apigateway:<region>::/restapis/<id>` and
`.../restapis/<id>/stages/<name>`; `/apis/<id>` for v2. A stage "Is contained in" its API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ._common import ApiRegion, paginate, tags_from, to_config_shape


def api_arn(ctx: ApiRegion, path: str) -> str:
    return f"arn:aws:apigateway:{ctx.region}::{path}"


@dataclass(frozen=True)
class _Flavour:
    """REST (v1) or HTTP/WebSocket (v2): the same shape, named in two casings."""

    api_type: str
    stage_type: str
    client: str
    operation: str  # the listing's API name, as the calls are recorded
    list_operation: str  # the paginated listing of the APIs (boto3's name)
    items: str
    id_key: str
    name_key: str
    tags_key: str
    stage_key: str
    path: str  # the ARN path of an API: /restapis/ or /apis/
    parent_key: str  # the API's id in a stage's configuration, as Config names it
    relationship: str
    stages: Callable[[Any, str], Iterable[dict[str, Any]]]


def _rest_stages(client: Any, api_id: str) -> Iterable[dict[str, Any]]:
    # GetStages (v1) answers every stage at once: it takes no page token.
    return client.get_stages(restApiId=api_id).get("item") or []


def _v2_stages(client: Any, api_id: str) -> Iterable[dict[str, Any]]:
    return paginate(client, "get_stages", "Items", ApiId=api_id)


REST = _Flavour(
    "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "apigateway", "GetRestApis",
    "get_rest_apis", "items", "id", "name", "tags", "stageName", "/restapis/", "restApiId",
    "Is contained in RestApi", _rest_stages,
)  # fmt: skip
V2 = _Flavour(
    "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "apigatewayv2", "GetApis",
    "get_apis", "Items", "ApiId", "Name", "Tags", "StageName", "/apis/", "apiId",
    "Is contained in Api", _v2_stages,
)  # fmt: skip
TYPES = (REST.api_type, REST.stage_type, V2.api_type, V2.stage_type)
GLOBAL = False


def collect(ctx: ApiRegion) -> None:
    for kind in (REST, V2):
        if ctx.wants(kind.api_type, kind.stage_type):
            _collect(ctx, kind)


def _collect(ctx: ApiRegion, kind: _Flavour) -> None:
    client = ctx.client(kind.client)
    with ctx.listing("apigateway", kind.operation, kind.api_type, kind.stage_type):
        for api in paginate(client, kind.list_operation, kind.items):
            api_id = api[kind.id_key]
            aid = api_arn(ctx, f"{kind.path}{api_id}")
            ctx.add(
                kind.api_type,
                aid,
                resource_id=api_id,
                name=api.get(kind.name_key, ""),
                tags=tags_from(api.get(kind.tags_key)),
                configuration=to_config_shape(api),
            )
            with ctx.detail("apigateway", "GetStages"):
                for stage in kind.stages(client, api_id):
                    stage_name = stage[kind.stage_key]
                    sid = f"{aid}/stages/{stage_name}"
                    ctx.add(
                        kind.stage_type,
                        sid,
                        resource_id=stage_name,
                        name=f"{api.get(kind.name_key, api_id)}/{stage_name}",
                        tags=tags_from(stage.get(kind.tags_key)),
                        configuration={**to_config_shape(stage), kind.parent_key: api_id},
                    )
                    ctx.relate(sid, aid, kind.relationship)
