"""API Gateway: REST APIs with their stages (v1) and HTTP/WebSocket APIs with stages (v2).

ARNs are the ones AWS Config reports: `arn:aws:apigateway:<region>::/restapis/<id>` and
`.../restapis/<id>/stages/<name>`; `/apis/<id>` for v2. A stage "Is contained in" its API.
"""

from __future__ import annotations

from ._common import ApiRegion, paginate, tags_from, to_config_shape

REST_API = "AWS::ApiGateway::RestApi"
REST_STAGE = "AWS::ApiGateway::Stage"
V2_API = "AWS::ApiGatewayV2::Api"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
TYPES = (REST_API, REST_STAGE, V2_API, V2_STAGE)
GLOBAL = False


def api_arn(ctx: ApiRegion, path: str) -> str:
    return f"arn:aws:apigateway:{ctx.region}::{path}"


def collect(ctx: ApiRegion) -> None:
    if ctx.wants(REST_API, REST_STAGE):
        _rest(ctx)
    if ctx.wants(V2_API, V2_STAGE):
        _v2(ctx)


def _rest(ctx: ApiRegion) -> None:
    client = ctx.client("apigateway")
    with ctx.listing("apigateway", "GetRestApis", REST_API, REST_STAGE):
        for api in paginate(client, "get_rest_apis", "items"):
            aid = api_arn(ctx, f"/restapis/{api['id']}")
            ctx.add(
                REST_API,
                aid,
                resource_id=api["id"],
                name=api.get("name", ""),
                tags=tags_from(api.get("tags")),
                configuration=to_config_shape(api),
            )
            with ctx.detail("apigateway", "GetStages"):
                for stage in client.get_stages(restApiId=api["id"]).get("item") or []:
                    sid = f"{aid}/stages/{stage['stageName']}"
                    ctx.add(
                        REST_STAGE,
                        sid,
                        resource_id=stage["stageName"],
                        name=f"{api.get('name', api['id'])}/{stage['stageName']}",
                        tags=tags_from(stage.get("tags")),
                        configuration={**to_config_shape(stage), "restApiId": api["id"]},
                    )
                    ctx.relate(sid, aid, "Is contained in RestApi")


def _v2(ctx: ApiRegion) -> None:
    client = ctx.client("apigatewayv2")
    with ctx.listing("apigateway", "GetApis", V2_API, V2_STAGE):
        for api in paginate(client, "get_apis", "Items"):
            aid = api_arn(ctx, f"/apis/{api['ApiId']}")
            ctx.add(
                V2_API,
                aid,
                resource_id=api["ApiId"],
                name=api.get("Name", ""),
                tags=tags_from(api.get("Tags")),
                configuration=to_config_shape(api),
            )
            with ctx.detail("apigateway", "GetStages"):
                for stage in paginate(client, "get_stages", "Items", ApiId=api["ApiId"]):
                    sid = f"{aid}/stages/{stage['StageName']}"
                    ctx.add(
                        V2_STAGE,
                        sid,
                        resource_id=stage["StageName"],
                        name=f"{api.get('Name', api['ApiId'])}/{stage['StageName']}",
                        tags=tags_from(stage.get("Tags")),
                        configuration={**to_config_shape(stage), "apiId": api["ApiId"]},
                    )
                    ctx.relate(sid, aid, "Is contained in Api")
