"""CloudTrail trails homed in the region (shadow copies of multi-region trails excluded)."""

from __future__ import annotations

from ._common import ApiRegion, to_config_shape

TRAIL = "AWS::CloudTrail::Trail"
TYPES = (TRAIL,)
GLOBAL = False


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("cloudtrail")
    with ctx.listing("cloudtrail", "DescribeTrails", TRAIL):
        # DescribeTrails has no paginator; it returns every trail in one response.
        response = client.describe_trails(includeShadowTrails=False)
        for trail in response.get("trailList") or []:
            if trail.get("HomeRegion") not in (None, ctx.region):
                continue
            ctx.add(
                TRAIL,
                trail["TrailARN"],
                resource_id=trail["Name"],
                name=trail["Name"],
                configuration=to_config_shape(trail),
            )
