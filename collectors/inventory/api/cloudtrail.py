"""CloudTrail trails homed in the region (shadow copies of multi-region trails excluded).

One `DescribeTrails(includeShadowTrails=True)` per region serves both this listing and the
CloudTrail probe of the same account-region (which needs the shadow trails too): the
response is handed over to it through the account's `AccountFacts` (`LISTING`), so the
region is not asked twice. The
trails listed here are the non-shadow ones: homed in the region and owned by the account
(a shadow trail is a multi-region trail's copy in another region, or an organization
trail's copy in a member account).
"""

from __future__ import annotations

from ._common import ApiRegion, to_config_shape

TRAIL = "AWS::CloudTrail::Trail"
TYPES = (TRAIL,)
GLOBAL = False

#: The hand-over (`AccountFacts`) of the region's `DescribeTrails(includeShadowTrails=True)`
#: response, taken by the CloudTrail probe of the same account-region.
LISTING = "cloudtrail:DescribeTrails"


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("cloudtrail")
    with ctx.listing("cloudtrail", "DescribeTrails", TRAIL):
        # DescribeTrails has no paginator; it returns every trail in one response.
        response = client.describe_trails(includeShadowTrails=True)
        ctx.facts.hand_over(LISTING, ctx.region, response)
        for trail in response.get("trailList") or []:
            if trail.get("HomeRegion") not in (None, ctx.region):
                continue  # a multi-region trail's shadow
            if _account_of(str(trail.get("TrailARN") or "")) not in ("", ctx.account):
                continue  # an organization trail's copy in this member account
            ctx.add(
                TRAIL,
                trail["TrailARN"],
                resource_id=trail["Name"],
                name=trail["Name"],
                configuration=to_config_shape(trail),
            )
