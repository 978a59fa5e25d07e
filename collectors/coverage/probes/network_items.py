"""Network-layer controls decided from AWS Config's items.

The network probes (`.network`) read these first, whatever credential the run has: each
returns the resources its items did not decide, which the probe asks the API about, or,
with no credential for the account, records `unknown` here. The evaluation is the probe's
own (`decide_resolver`, `decide_firewall`); the facts come from the log-source
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
from ..helpers import CALL_ERRORS
from ..items import from_config, item_operation, lookup, pascal, records_here
from ..records import record, skipped
from ._common import list_all

ASSOCIATION = "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation"
QUERY_LOG_CONFIG = "AWS::Route53Resolver::ResolverQueryLoggingConfig"
MIRROR_SESSION = "AWS::EC2::TrafficMirrorSession"
FIREWALL = "AWS::NetworkFirewall::Firewall"
FIREWALL_LOGGING = "AWS::NetworkFirewall::LoggingConfiguration"


def _config_items(ctx: ProbeContext, resource_type: str) -> list[CollectedResource]:
    return [i for i in ctx.inventory.of_type(resource_type) if from_config(ctx.aws, i)]


def _rest(
    ctx: ProbeContext, rest: list[CollectedResource], control_id: str
) -> list[CollectedResource]:
    """What the items left undecided: the caller's to ask, or, with no credential for the
    account, `unknown` here naming the call not made (nothing left to ask)."""
    if ctx.aws is None:
        skipped(ctx, [item.id for item in rest], control_id)
        return []
    return rest


def resolver_from_items(
    ctx: ProbeContext, vpcs: list[CollectedResource]
) -> list[CollectedResource]:
    """VPCs decided by their query-log association items; returns the VPCs left to ask."""
    from .network import decide_resolver

    associations = [pascal(i.configuration) for i in _config_items(ctx, ASSOCIATION)]
    configs = {
        lookup(i.configuration, "Id") or i.resource.resource_id: pascal(i.configuration)
        for i in _config_items(ctx, QUERY_LOG_CONFIG)
    }
    unnamed = {a.get("ResolverQueryLogConfigId") for a in associations} - set(configs)
    if unnamed and ctx.aws is not None:  # the destination is in the config: one listing
        try:
            listed = list_all(
                ctx.client("route53resolver"),
                "list_resolver_query_log_configs",
                "ResolverQueryLogConfigs",
            )
            configs.update({c.get("Id"): c for c in listed})
        except CALL_ERRORS as exc:  # the status stands; only the destination is not known
            ctx.fail(exc, service="route53resolver", operation="ListResolverQueryLogConfigs")
    rest = decide_resolver(
        ctx,
        vpcs,
        associations,
        configs,
        item_operation(ASSOCIATION, "ResourceId, Status"),
        absence_proven=records_here(ctx, ASSOCIATION),
    )
    return _rest(ctx, rest, "resolver-query-logs")


def route53_from_items(
    ctx: ProbeContext, zones: list[CollectedResource]
) -> list[CollectedResource]:
    """Zones AWS Config's items decide (private, or `QueryLoggingConfig` set); returns the
    zones left to ask (a public zone whose item does not carry the field, or no item)."""
    from .network import _zone_is_private

    operation = item_operation("AWS::Route53::HostedZone", "QueryLoggingConfig")
    rest: list[CollectedResource] = []
    for zone in zones:
        group = lookup(zone.configuration, "QueryLoggingConfig", "CloudWatchLogsLogGroupArn")
        if not from_config(ctx.aws, zone):
            rest.append(zone)
        elif _zone_is_private(zone):
            record(
                ctx,
                zone.id,
                "route53-query-logs",
                Status.not_applicable,
                f"{item_operation('AWS::Route53::HostedZone', 'VPCs')}: private zone "
                "(use Resolver query logs)",
                operation=operation,
            )
        elif group:
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
            rest.append(zone)
    return _rest(ctx, rest, "route53-query-logs")


def mirroring_from_items(
    ctx: ProbeContext, enis: list[CollectedResource]
) -> list[CollectedResource]:
    """ENIs decided by AWS Config's mirror-session items; returns the ENIs left to ask."""
    sessions = {
        str(lookup(s.configuration, "NetworkInterfaceId")): s
        for s in _config_items(ctx, MIRROR_SESSION)
    }
    recorded = records_here(ctx, MIRROR_SESSION)
    operation = item_operation(MIRROR_SESSION, "NetworkInterfaceId")
    rest: list[CollectedResource] = []
    for eni in enis:
        session = sessions.get(eni.resource.resource_id or "")
        if session is not None:
            target = lookup(session.configuration, "TrafficMirrorTargetId")
            status = Status.logged
            evidence = (
                f"{operation}: {session.resource.resource_id} mirrors "
                f"{eni.resource.resource_id} to {target}"
            )
        elif recorded:
            target, status = None, Status.missing
            evidence = (
                f"config: AWS Config records {MIRROR_SESSION} here and holds none on "
                f"{eni.resource.resource_id}"
            )
        else:
            rest.append(eni)
            continue
        record(
            ctx,
            eni.id,
            "traffic-mirroring",
            status,
            evidence,
            destination=str(target) if target else None,
            operation=operation,
        )
    return _rest(ctx, rest, "traffic-mirroring")


def firewall_from_items(
    ctx: ProbeContext, firewalls: list[CollectedResource]
) -> list[CollectedResource]:
    """Firewalls decided by a logging-configuration item; returns the firewalls left to ask."""
    from .network import decide_firewall

    by_firewall: dict[str, Any] = {
        str(lookup(i.configuration, "FirewallArn")): lookup(i.configuration, "LoggingConfiguration")
        for i in _config_items(ctx, FIREWALL_LOGGING)
    }
    operation = item_operation(FIREWALL_LOGGING, "LoggingConfiguration")
    rest: list[CollectedResource] = []
    for firewall in firewalls:
        logging = by_firewall.get(firewall.id)
        if logging is None:
            rest.append(firewall)
            continue
        configs = pascal(lookup(logging, "LogDestinationConfigs") or [])
        decide_firewall(ctx, firewall, configs, operation)
    return _rest(ctx, rest, "network-firewall-logs")
