"""CloudFront distributions (global: read once per account, region "global").

`ListDistributions` already carries `WebACLId` and origins; the logging probe reads
`distributionConfig.logging` with `GetDistributionConfig` itself.
"""

from __future__ import annotations

from snapshot.model import GLOBAL_REGION

from ._common import ApiRegion, to_config_shape

DISTRIBUTION = "AWS::CloudFront::Distribution"
TYPES = (DISTRIBUTION,)
GLOBAL = True


def web_acl_target(ctx: ApiRegion, web_acl_id: str) -> str:
    """A WAFv2 web ACL is named by its ARN; a classic (global) WAF ACL by a bare id."""
    if web_acl_id.startswith("arn:"):
        return web_acl_id
    return f"arn:aws:waf::{ctx.account}:webacl/{web_acl_id}"


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("cloudfront", "us-east-1")
    with ctx.listing("cloudfront", "ListDistributions", DISTRIBUTION):
        for page in client.get_paginator("list_distributions").paginate():
            for distribution in (page.get("DistributionList") or {}).get("Items") or []:
                did = distribution["ARN"]
                ctx.add(
                    DISTRIBUTION,
                    did,
                    resource_id=distribution["Id"],
                    name=distribution.get("DomainName", distribution["Id"]),
                    region=GLOBAL_REGION,
                    configuration=to_config_shape(distribution),
                )
                web_acl = distribution.get("WebACLId")
                if web_acl:
                    ctx.relate(did, web_acl_target(ctx, web_acl), "Is associated with WebACL")
