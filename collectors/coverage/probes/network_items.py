"""Network-layer controls decided from AWS Config's items, for runs with no credential.

The network probe (`.network`) calls these when `ctx.aws is None`. The evaluation is the
probe's own (`decide_resolver`, `decide_firewall`); the facts come from the log-source
items AWS Config records: `AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation`
(and `...ResolverQueryLoggingConfig` for the destination), `AWS::EC2::TrafficMirrorSession`,
`AWS::NetworkFirewall::LoggingConfiguration` where a source provides it, and a hosted
zone's own `QueryLoggingConfig`. A resource without a log-source item is `missing` only
where Config records that log-source type in the region (`Recording`); elsewhere `unknown`,
naming the call not made.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..items import Recording, item_operation, lookup, pascal
from ..records import record, skipped

ASSOCIATION = "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation"
QUERY_LOG_CONFIG = "AWS::Route53Resolver::ResolverQueryLoggingConfig"
MIRROR_SESSION = "AWS::EC2::TrafficMirrorSession"
FIREWALL = "AWS::NetworkFirewall::Firewall"
FIREWALL_LOGGING = "AWS::NetworkFirewall::LoggingConfiguration"


def resolver_from_items(ctx: ProbeContext, vpcs: list[CollectedResource]) -> None:
    from .network import decide_resolver

    associations = [pascal(i.configuration) for i in ctx.inventory.of_type(ASSOCIATION)]
    configs = {
        lookup(i.configuration, "Id") or i.resource.resource_id: pascal(i.configuration)
        for i in ctx.inventory.of_type(QUERY_LOG_CONFIG)
    }
    decide_resolver(
        ctx,
        vpcs,
        associations,
        configs,
        item_operation(ASSOCIATION, "ResourceId, Status"),
        absence_proven=bool(Recording.of(ctx.inventory).records(ASSOCIATION)),
    )


def route53_from_items(ctx: ProbeContext, zones: list[CollectedResource]) -> None:
    from .network import _zone_is_private

    operation = item_operation("AWS::Route53::HostedZone", "QueryLoggingConfig")
    for zone in zones:
        if _zone_is_private(zone):
            record(
                ctx,
                zone.id,
                "route53-query-logs",
                Status.not_applicable,
                f"{item_operation('AWS::Route53::HostedZone', 'VPCs')}: private zone "
                "(use Resolver query logs)",
                operation=operation,
            )
            continue
        group = lookup(zone.configuration, "QueryLoggingConfig", "CloudWatchLogsLogGroupArn")
        if group:
            record(
                ctx,
                zone.id,
                "route53-query-logs",
                Status.logged,
                f"{operation}: CloudWatchLogsLogGroupArn set on {zone.resource.resource_id}",
                destination=str(group).removesuffix(":*"),
                operation=operation,
            )
        else:  # older items do not carry the field: absence proves nothing
            skipped(ctx, [zone.id], "route53-query-logs")


def mirroring_from_items(ctx: ProbeContext, enis: list[CollectedResource]) -> None:
    sessions = {
        str(lookup(s.configuration, "NetworkInterfaceId")): s
        for s in ctx.inventory.of_type(MIRROR_SESSION)
    }
    recorded = Recording.of(ctx.inventory).records(MIRROR_SESSION)
    operation = item_operation(MIRROR_SESSION, "NetworkInterfaceId")
    for eni in enis:
        session = sessions.get(eni.resource.resource_id or "")
        if session is not None:
            target = lookup(session.configuration, "TrafficMirrorTargetId")
            record(
                ctx,
                eni.id,
                "traffic-mirroring",
                Status.logged,
                f"{operation}: {session.resource.resource_id} mirrors "
                f"{eni.resource.resource_id} to {target}",
                destination=str(target) if target else None,
                operation=operation,
            )
        elif recorded:
            record(
                ctx,
                eni.id,
                "traffic-mirroring",
                Status.missing,
                f"config: AWS Config records {MIRROR_SESSION} here and holds none on "
                f"{eni.resource.resource_id}",
                operation=operation,
            )
        else:
            skipped(ctx, [eni.id], "traffic-mirroring")


def firewall_from_items(ctx: ProbeContext) -> None:
    from .network import decide_firewall

    by_firewall: dict[str, Any] = {
        str(lookup(i.configuration, "FirewallArn")): lookup(i.configuration, "LoggingConfiguration")
        for i in ctx.inventory.of_type(FIREWALL_LOGGING)
    }
    operation = item_operation(FIREWALL_LOGGING, "LoggingConfiguration")
    for firewall in ctx.inventory.of_type(FIREWALL):
        logging = by_firewall.get(firewall.id)
        if logging is None:
            skipped(ctx, [firewall.id], "network-firewall-logs")
            continue
        configs = pascal(lookup(logging, "LogDestinationConfigs") or [])
        decide_firewall(ctx, firewall, configs, operation)
