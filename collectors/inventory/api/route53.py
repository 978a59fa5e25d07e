"""Route 53 hosted zones (global: once per account, region "global")."""

from __future__ import annotations

from snapshot.model import GLOBAL_REGION
from snapshot.sanitize import clean_single_line

from ._common import ApiRegion, paginate, to_config_shape

HOSTED_ZONE = "AWS::Route53::HostedZone"
TYPES = (HOSTED_ZONE,)
GLOBAL = True


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("route53", "us-east-1")
    with ctx.listing("route53", "ListHostedZones", HOSTED_ZONE):
        for zone in paginate(client, "list_hosted_zones", "HostedZones"):
            zone_id = zone["Id"].rsplit("/", 1)[-1]
            ctx.add(
                HOSTED_ZONE,
                f"arn:aws:route53:::hostedzone/{zone_id}",
                resource_id=zone_id,
                name=clean_single_line(zone.get("Name", "")),
                region=GLOBAL_REGION,
                configuration=to_config_shape(zone),
            )
