"""WAFv2 web ACLs and what they protect.

REGIONAL web ACLs are read in every region; CLOUDFRONT-scope ones only through us-east-1,
once per account (in the account's global region). What an ACL protects is asked per
protectable resource with `GetWebACLForResource` (ALBs and API Gateway REST stages of the
inventory), once the region's other families are listed: it costs one call per such
resource, is skipped when the region has no REGIONAL ACL, and unlike
`ListResourcesForWebACL` it is also served by moto, so tests see the edges. CloudFront
names its ACL itself (see cloudfront.py).
"""

from __future__ import annotations

from typing import Any

from ...aws import paging
from ._common import ApiRegion, to_config_shape

WEB_ACL = "AWS::WAFv2::WebACL"
TYPES = (WEB_ACL,)
GLOBAL = False

#: Protectable resource types -> the relationship name of the ACL -> resource edge.
PROTECTED = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Is associated with LoadBalancer",
    "AWS::ApiGateway::Stage": "Is associated with Stage",
}


def _list_web_acls(client: Any, scope: str) -> list[dict[str, Any]]:
    """ListWebACLs has no botocore paginator; WAF hands out a marker on the last page too."""
    return list(
        paging.items(
            client.list_web_acls,
            "WebACLs",
            token="NextMarker",
            empty_page_ends=True,
            Scope=scope,
            Limit=100,
        )
    )


def collect(ctx: ApiRegion) -> None:
    _scope(ctx, "REGIONAL", ctx.region)
    if ctx.is_global_region:
        _scope(ctx, "CLOUDFRONT", "us-east-1")


def _scope(ctx: ApiRegion, scope: str, region: str) -> None:
    client = ctx.client("wafv2", region)
    with ctx.listing("wafv2", "ListWebACLs", WEB_ACL):
        for acl in _list_web_acls(client, scope):
            aid = acl["ARN"]
            ctx.add(
                WEB_ACL,
                aid,
                resource_id=acl.get("Id"),
                name=acl.get("Name", ""),
                region=region,
                configuration={**to_config_shape(acl), "scope": scope},
            )


def link_protected(ctx: ApiRegion) -> None:
    """WebACL -> each ALB / REST stage it protects (GetWebACLForResource per resource)."""
    regional = [
        item
        for item in ctx.of_type(WEB_ACL)
        if item.configuration.get("scope") == "REGIONAL" and item.resource.region == ctx.region
    ]
    if not regional:
        return
    client = ctx.client("wafv2")
    for resource_type, relationship in PROTECTED.items():
        for item in ctx.of_type(resource_type):
            if resource_type == "AWS::ElasticLoadBalancingV2::LoadBalancer" and (
                item.configuration.get("type") not in (None, "application")
            ):
                continue  # only ALBs can carry a web ACL
            with ctx.detail("wafv2", "GetWebACLForResource"):
                acl = client.get_web_acl_for_resource(ResourceArn=item.id).get("WebACL")
                if acl and acl.get("ARN"):
                    ctx.relate(acl["ARN"], item.id, relationship)
