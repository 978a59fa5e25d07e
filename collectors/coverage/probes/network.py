"""Network-layer probes: VPC and Transit Gateway Flow Logs, DNS query logs, traffic
mirroring and Network Firewall logging.

Flow logs are read once per region (`ec2:DescribeFlowLogs`, paginated) and resolved along
the graph (`..resolve.Topology`): an ENI is covered by a flow log on itself, its subnet or
its VPC (the union of their traffic types: ACCEPT on one and REJECT on another is all
traffic); an instance, load balancer, database or function is as covered as the worst of
its ENIs, or of its subnets when its ENIs are not in the inventory. Prowler counts
VPC-level flow logs only and has no Resolver query-log or traffic-mirroring check.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from snapshot.catalogue import control
from snapshot.model import GLOBAL_REGION, STATUS_SEVERITY, Resource, Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import ensure_resource
from ..items import lookup, pascal, records_here
from ..records import offline_capable, record, unknown
from ..resolve import ENI, SUBNET, VPC, Topology, network_topology, resources_of
from ._common import list_all
from .network_items import (
    firewall_from_items,
    mirroring_from_items,
    resolver_from_items,
    route53_from_items,
)

TRANSIT_GATEWAY = "AWS::EC2::TransitGateway"
FLOW_LOG = "AWS::EC2::FlowLog"
HOSTED_ZONE = "AWS::Route53::HostedZone"
FIREWALL = "AWS::NetworkFirewall::Firewall"
#: Resources that own ENIs, covered through their ENIs (or subnets): the flow-log control's
#: types other than the VPC, subnet and ENI themselves.
ENI_OWNERS = tuple(
    kind for kind in control("vpc-flow-logs").resource_types if kind not in (VPC, SUBNET, ENI)
)


def _worst(statuses: list[Status]) -> Status:
    return min(statuses, key=lambda s: STATUS_SEVERITY.get(s, 99))


# --- VPC Flow Logs ----------------------------------------------------------------------


def flow_log_destination(flow_log: dict[str, Any], account: str, region: str) -> str | None:
    """The ARN flow logs are delivered to (a CloudWatch Logs group is named, not ARN'd)."""
    if flow_log.get("LogDestination"):
        return str(flow_log["LogDestination"])
    if flow_log.get("LogGroupName"):
        return f"arn:aws:logs:{region}:{account}:log-group:{flow_log['LogGroupName']}"
    return None


class FlowLogs:
    """The region's active flow logs, by the short id of the resource they are on."""

    def __init__(
        self,
        ctx: ProbeContext,
        flow_logs: list[dict[str, Any]],
        topology: Topology,
        operation: str = "ec2:DescribeFlowLogs",
    ):
        self.ctx = ctx
        self.topology = topology
        self.operation = operation
        self.by_resource: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for flow_log in flow_logs:
            if str(flow_log.get("FlowLogStatus", "ACTIVE")).upper() == "ACTIVE":
                self.by_resource[str(flow_log.get("ResourceId"))].append(flow_log)

    def decide(self, resource_id: str, placement: list[str] | None = None) -> dict[str, Any]:
        """Status of a VPC, subnet or ENI from flow logs on it, its subnet or its VPC.

        `placement` stands in for the subnets and VPCs of an ENI the inventory does not
        describe (its owner's, e.g. an instance whose ENI type Config does not record).
        """
        chain = self.topology.chain(resource_id)
        if placement and len(chain) == 1:
            chain += [carrier for carrier in placement if carrier not in chain]
        used = [
            (carrier, flow_log)
            for carrier in chain
            for flow_log in self.by_resource.get(self.topology.short_id(carrier), [])
        ]
        traffic = {str(flow_log.get("TrafficType", "")).upper() for _, flow_log in used}
        names = ", ".join(self.topology.short_id(c) for c in chain)
        if not used:
            return {
                "status": Status.missing,
                "evidence": f"{self.operation}: no active flow log on {names}",
                "operation": self.operation,
            }
        complete = "ALL" in traffic or {"ACCEPT", "REJECT"} <= traffic
        status = Status.logged if complete else Status.partial
        used.sort(key=lambda pair: str(pair[1].get("TrafficType")) != "ALL")
        carrier, best = used[0]
        notes = []
        failing = [f for _, f in used if str(f.get("DeliverLogsStatus", "")).upper() == "FAILED"]
        for flow_log in failing:
            notes.append(
                f"{flow_log.get('FlowLogId')} DeliverLogsStatus=FAILED: "
                f"{flow_log.get('DeliverLogsErrorMessage', '')}"
            )
        if failing and len(failing) == len(used):
            status = Status.partial
        if not complete:
            notes.append(f"captures {'/'.join(sorted(traffic))} traffic only")
        evidence = f"{self.operation}: " + "; ".join(
            f"flow log {f.get('FlowLogId')} on {self.topology.short_id(c)}, "
            f"TrafficType={f.get('TrafficType')}, FlowLogStatus={f.get('FlowLogStatus')}"
            for c, f in used
        )
        return {
            "status": status,
            "evidence": evidence,
            "destination": flow_log_destination(best, self.ctx.account, self.ctx.region),
            "inherited_from": carrier if carrier != resource_id else None,
            "operation": self.operation,
            "notes": notes,
        }

    def decide_owner(self, item: CollectedResource) -> dict[str, Any] | None:
        """Status of a resource that owns ENIs: the worst of its ENIs (or subnets, VPCs)."""
        via = sorted(self.topology.enis_of(item.id))
        if not via:
            via = sorted(self.topology.subnets_of(item.id)) or sorted(
                self.topology.vpcs_of(item.id)
            )
        if not via:
            return None
        placement = self.topology.chain(item.id)[1:]
        decisions = {carrier: self.decide(carrier, placement) for carrier in via}
        worst_status = _worst([d["status"] for d in decisions.values()])
        carrier = next(c for c, d in decisions.items() if d["status"] is worst_status)
        decision = dict(decisions[carrier])
        decision["inherited_from"] = carrier
        short = self.topology.short_id(carrier)
        decision["evidence"] = f"via {short}: {decision['evidence']}"
        if len(via) > 1:
            counts: defaultdict[str, int] = defaultdict(int)
            for d in decisions.values():
                counts[d["status"].value] += 1
            summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            decision["notes"] = [*decision.get("notes", []), f"{len(via)} paths: {summary}"]
            if worst_status is Status.missing and counts.get("missing", 0) < len(via):
                decision["status"] = Status.partial
        return decision


def _is_out_of_vpc_function(item: CollectedResource) -> bool:
    """A Lambda function with no VpcConfig: no ENIs in a VPC, flow logs do not apply.

    Config items of older functions carry `vpcConfig.subnetIds` without a `vpcId`: subnet
    ids alone put the function in a VPC.
    """
    vpc_config = lookup(item.configuration, "vpcConfig") or {}
    return item.type == "AWS::Lambda::Function" and not (
        lookup(vpc_config, "vpcId") or lookup(vpc_config, "subnetIds")
    )


def _failed(
    ctx: ProbeContext,
    items: list[CollectedResource],
    control_id: str,
    exc: BaseException,
    call: str,
) -> None:
    """The `service:Operation` that would have decided `items` failed: its error once in
    `errors`, each item `unknown`."""
    service, _, operation = call.partition(":")
    unknown(ctx, [i.id for i in items], control_id, exc, service=service, operation=operation)


def _flow_logs_unknown(
    ctx: ProbeContext,
    items: list[CollectedResource],
    gateways: list[CollectedResource],
    exc: BaseException,
) -> None:
    targets = [i.id for i in items if not _is_out_of_vpc_function(i)]
    unknown(ctx, targets, "vpc-flow-logs", exc, service="ec2", operation="DescribeFlowLogs")
    for item in gateways:
        record(
            ctx,
            item.id,
            "tgw-flow-logs",
            Status.unknown,
            "ec2:DescribeFlowLogs failed (see errors)",
            operation="ec2:DescribeFlowLogs",
        )


@offline_capable
def probe_vpc_flow_logs(ctx: ProbeContext) -> None:
    """Flow logs on VPCs, subnets and ENIs, inherited by the resources that own ENIs."""
    networks = resources_of(ctx.inventory, [VPC, SUBNET, ENI])
    owners = resources_of(ctx.inventory, ENI_OWNERS)
    gateways = resources_of(ctx.inventory, [TRANSIT_GATEWAY])
    if not networks and not owners and not gateways:
        return
    operation = "ec2:DescribeFlowLogs"
    if records_here(ctx, FLOW_LOG):  # AWS Config's AWS::EC2::FlowLog items are all there is
        flow_logs = [pascal(item.configuration) for item in ctx.inventory.of_type(FLOW_LOG)]
        operation = "config:AWS::EC2::FlowLog"
    elif ctx.aws is None:
        return  # absence proves nothing: the runner records `unknown`, naming the call
    else:
        try:
            flow_logs = list_all(ctx.client("ec2"), "describe_flow_logs", "FlowLogs")
        except Exception as exc:
            _flow_logs_unknown(ctx, networks + owners, gateways, exc)
            return
    flows = FlowLogs(ctx, flow_logs, network_topology(ctx.inventory), operation)
    for item in networks:
        record(ctx, item.id, "vpc-flow-logs", **flows.decide(item.id))
    for item in owners:
        if _is_out_of_vpc_function(item):
            record(
                ctx,
                item.id,
                "vpc-flow-logs",
                Status.not_applicable,
                "lambda: function has no VpcConfig (no ENIs in a VPC)",
                operation="lambda:GetFunctionConfiguration",
            )
            continue
        decision = flows.decide_owner(item)
        if decision is None:
            record(
                ctx,
                item.id,
                "vpc-flow-logs",
                Status.unknown,
                "no ENI, subnet or VPC of this resource in the inventory",
            )
        else:
            record(ctx, item.id, "vpc-flow-logs", **decision)
    for item in gateways:
        own = flows.by_resource.get(item.resource.resource_id or "", [])
        if own:
            best = own[0]
            record(
                ctx,
                item.id,
                "tgw-flow-logs",
                Status.logged,
                f"{flows.operation}: flow log {best.get('FlowLogId')} on "
                f"{item.resource.resource_id}, FlowLogStatus={best.get('FlowLogStatus')}",
                destination=flow_log_destination(best, ctx.account, ctx.region),
                operation=flows.operation,
            )
        else:
            record(
                ctx,
                item.id,
                "tgw-flow-logs",
                Status.missing,
                f"{flows.operation}: no active flow log on {item.resource.resource_id}",
                operation=flows.operation,
            )


def probe_transit_gateways(ctx: ProbeContext) -> None:
    """List transit gateways when the inventory source did not (flow logs decide them)."""
    if TRANSIT_GATEWAY in ctx.inventory.types_covered or ctx.inventory.of_type(TRANSIT_GATEWAY):
        return
    try:
        gateways = list_all(ctx.client("ec2"), "describe_transit_gateways", "TransitGateways")
    except Exception as exc:
        ctx.fail(exc, service="ec2", operation="DescribeTransitGateways")
        return
    for tgw in gateways:
        if tgw.get("OwnerId") not in (None, ctx.account):
            continue
        tags = {
            clean_single_line(str(t.get("Key"))): clean_single_line(str(t.get("Value", "")))
            for t in tgw.get("Tags") or []
        }
        tgw_id = tgw["TransitGatewayId"]
        ctx.inventory.add(
            CollectedResource(
                Resource(
                    id=tgw.get("TransitGatewayArn")
                    or f"arn:aws:ec2:{ctx.region}:{ctx.account}:transit-gateway/{tgw_id}",
                    type=TRANSIT_GATEWAY,
                    account=ctx.account,
                    region=ctx.region,
                    name=tags.get("Name", tgw_id),
                    resource_id=tgw_id,
                    tags=tags,
                    source="api",
                ),
                configuration={"transitGatewayId": tgw_id, "state": tgw.get("State")},
            )
        )


# --- Route 53 Resolver and public hosted zone query logs ---------------------------------


@offline_capable
def probe_resolver_query_logs(ctx: ProbeContext) -> None:
    vpcs = resolver_from_items(ctx, resources_of(ctx.inventory, [VPC]))
    if not vpcs:
        return
    client = ctx.client("route53resolver")
    operation = "ListResolverQueryLogConfigAssociations"
    try:
        associations = list_all(
            client,
            "list_resolver_query_log_config_associations",
            "ResolverQueryLogConfigAssociations",
        )
        operation = "ListResolverQueryLogConfigs"
        # The configs only name the destination of an association: none, nothing to name.
        configs = (
            {
                c.get("Id"): c
                for c in list_all(
                    client, "list_resolver_query_log_configs", "ResolverQueryLogConfigs"
                )
            }
            if associations
            else {}
        )
    except Exception as exc:
        _failed(ctx, vpcs, "resolver-query-logs", exc, f"route53resolver:{operation}")
        return
    decide_resolver(
        ctx,
        vpcs,
        associations,
        configs,
        "route53resolver:ListResolverQueryLogConfigAssociations",
        absence_proven=True,
    )


def decide_resolver(
    ctx: ProbeContext,
    vpcs: list[CollectedResource],
    associations: list[dict[str, Any]],
    configs: dict[Any, dict[str, Any]],
    operation: str,
    *,
    absence_proven: bool,
) -> list[CollectedResource]:
    """Each VPC's query-log association; none is `missing` only where absence is proven.

    Returns the VPCs left undecided (none associated, absence not proven)."""
    undecided: list[CollectedResource] = []
    by_vpc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for association in associations:
        by_vpc[str(association.get("ResourceId"))].append(association)
    for vpc in vpcs:
        found = by_vpc.get(vpc.resource.resource_id or "", [])
        active = [a for a in found if a.get("Status") == "ACTIVE"]
        chosen = next(iter(active or found), None)
        if chosen is None and not absence_proven:
            undecided.append(vpc)
            continue
        if chosen is None:
            record(
                ctx,
                vpc.id,
                "resolver-query-logs",
                Status.missing,
                f"{operation}: no query log config associated with {vpc.resource.resource_id}",
                operation=operation,
            )
            continue
        config = configs.get(chosen.get("ResolverQueryLogConfigId"), {})
        state = str(chosen.get("Status"))
        status = (
            Status.logged
            if state == "ACTIVE"
            else Status.partial
            if state == "CREATING"
            else Status.missing
        )
        notes = (
            [f"{chosen.get('Error')}: {chosen.get('ErrorMessage')}"]
            if chosen.get("Error") not in (None, "NONE")
            else []
        )
        record(
            ctx,
            vpc.id,
            "resolver-query-logs",
            status,
            f"{operation}: "
            f"{chosen.get('ResolverQueryLogConfigId')} on {vpc.resource.resource_id}, "
            f"Status={state}",
            destination=config.get("DestinationArn"),
            operation=operation,
            notes=notes,
        )
    return undecided


def _zone_is_private(item: CollectedResource) -> bool:
    """Private zone: Config.PrivateZone (Describe shape) or VPCs (CloudFormation shape)."""
    config = item.configuration or {}
    zone_config = lookup(config, "config") or lookup(config, "HostedZoneConfig") or {}
    return bool(lookup(zone_config, "privateZone") or lookup(config, "VPCs"))


@offline_capable
def probe_route53_query_logs(ctx: ProbeContext) -> None:
    """Query logging on public hosted zones (listed here if the inventory has none)."""
    held = resources_of(ctx.inventory, [HOSTED_ZONE])
    zones = route53_from_items(ctx, held)
    if ctx.aws is None:
        return
    client = ctx.client("route53", "us-east-1")
    if not held and HOSTED_ZONE not in ctx.inventory.types_covered and ctx.region == "us-east-1":
        try:
            listed = list_all(client, "list_hosted_zones", "HostedZones")
        except Exception as exc:
            ctx.fail(exc, service="route53", operation="ListHostedZones")
            return
        for zone in listed:
            zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
            name = clean_single_line(str(zone.get("Name", zone_id)))
            ctx.inventory.add(
                CollectedResource(
                    Resource(
                        id=f"arn:aws:route53:::hostedzone/{zone_id}",
                        type=HOSTED_ZONE,
                        account=ctx.account,
                        region=GLOBAL_REGION,
                        name=name,
                        resource_id=zone_id,
                        source="api",
                    ),
                    configuration={
                        "id": zone["Id"],
                        "name": name,
                        "config": {
                            "privateZone": bool((zone.get("Config") or {}).get("PrivateZone"))
                        },
                    },
                )
            )
        zones = resources_of(ctx.inventory, [HOSTED_ZONE])
    if not zones:
        return
    public = [z for z in zones if not _zone_is_private(z)]
    for zone in zones:
        if zone not in public:
            record(
                ctx,
                zone.id,
                "route53-query-logs",
                Status.not_applicable,
                "route53:ListHostedZones: Config.PrivateZone=true (use Resolver query logs)",
                operation="route53:ListHostedZones",
            )
    if not public:
        return
    try:
        # Unfiltered on purpose: one call for every zone (and moto's HostedZoneId filter
        # raises NoSuchHostedZone).
        configs = list_all(client, "list_query_logging_configs", "QueryLoggingConfigs")
    except Exception as exc:
        _failed(ctx, public, "route53-query-logs", exc, "route53:ListQueryLoggingConfigs")
        return
    by_zone = {str(c.get("HostedZoneId", "")).rsplit("/", 1)[-1]: c for c in configs}
    for zone in public:
        hosted_id = zone.resource.resource_id
        config = by_zone.get(hosted_id or "")
        if config:
            status, said = Status.logged, f"{config.get('Id')} on {hosted_id}"
        else:
            status, said = Status.missing, f"no query logging config for public zone {hosted_id}"
        record(
            ctx,
            zone.id,
            "route53-query-logs",
            status,
            f"route53:ListQueryLoggingConfigs: {said}",
            destination=(config or {}).get("CloudWatchLogsLogGroupArn"),
            operation="route53:ListQueryLoggingConfigs",
        )


# --- traffic mirroring ------------------------------------------------------------------


@offline_capable
def probe_traffic_mirroring(ctx: ProbeContext) -> None:
    enis = mirroring_from_items(ctx, resources_of(ctx.inventory, [ENI]))
    if not enis:
        return
    try:
        sessions = list_all(
            ctx.client("ec2"), "describe_traffic_mirror_sessions", "TrafficMirrorSessions"
        )
    except Exception as exc:
        _failed(ctx, enis, "traffic-mirroring", exc, "ec2:DescribeTrafficMirrorSessions")
        return
    by_eni = {str(s.get("NetworkInterfaceId")): s for s in sessions}
    for eni in enis:
        eni_id = eni.resource.resource_id
        session = by_eni.get(eni_id or "")
        if session:
            target = session.get("TrafficMirrorTargetId")
            status = Status.logged
            said = f"{session.get('TrafficMirrorSessionId')} mirrors {eni_id} to {target}"
        else:
            target, status, said = None, Status.missing, f"no session on {eni_id}"
        record(
            ctx,
            eni.id,
            "traffic-mirroring",
            status,
            f"ec2:DescribeTrafficMirrorSessions: {said}",
            destination=target,
            operation="ec2:DescribeTrafficMirrorSessions",
        )


# --- Network Firewall -------------------------------------------------------------------


def _firewall_destination(ctx: ProbeContext, config: dict[str, Any]) -> str:
    """The ARN of a LogDestinationConfig's bucket[/prefix], log group or delivery stream."""
    where = config.get("LogDestination") or {}
    kind = config.get("LogDestinationType")
    if kind == "S3":
        prefix = where.get("prefix")
        return f"arn:aws:s3:::{where.get('bucketName')}" + (f"/{prefix}" if prefix else "")
    if kind == "CloudWatchLogs":
        return f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{where.get('logGroup')}"
    return (
        f"arn:aws:firehose:{ctx.region}:{ctx.account}:deliverystream/{where.get('deliveryStream')}"
    )


@offline_capable
def probe_network_firewall(ctx: ProbeContext) -> None:
    """Firewalls' logging: AWS Config's logging-configuration items first, then the calls."""
    rest = firewall_from_items(ctx, resources_of(ctx.inventory, [FIREWALL]))
    if ctx.aws is None:
        return
    client = ctx.client("network-firewall")
    if not records_here(ctx, FIREWALL):  # the inventory may lack firewalls: list them
        try:
            listed = list_all(client, "list_firewalls", "Firewalls")
        except Exception as exc:
            _failed(ctx, rest, "network-firewall-logs", exc, "network-firewall:ListFirewalls")
            return
        for firewall in listed:
            arn = firewall["FirewallArn"]
            if arn in ctx.inventory.resources:
                continue
            name = clean_single_line(str(firewall.get("FirewallName", arn)))
            configuration = {"firewallName": name, "firewallArn": arn}
            rest.append(
                ensure_resource(
                    ctx, arn=arn, type_=FIREWALL, resource_id=name, configuration=configuration
                )
            )
    for item in rest:
        try:
            response = client.describe_logging_configuration(FirewallArn=item.id)
        except Exception as exc:
            call = "network-firewall:DescribeLoggingConfiguration"
            _failed(ctx, [item], "network-firewall-logs", exc, call)
            continue
        configs = (response.get("LoggingConfiguration") or {}).get("LogDestinationConfigs") or []
        decide_firewall(ctx, item, configs, "network-firewall:DescribeLoggingConfiguration")


def decide_firewall(
    ctx: ProbeContext, item: CollectedResource, configs: list[dict[str, Any]], operation: str
) -> None:
    by_type = {c.get("LogType"): c for c in configs}
    have = {t for t in ("ALERT", "FLOW") if t in by_type}
    status = (
        Status.logged if have == {"ALERT", "FLOW"} else Status.partial if have else Status.missing
    )
    described = (
        ", ".join(f"{t} -> {_firewall_destination(ctx, c)}" for t, c in sorted(by_type.items()))
        or "no LogDestinationConfigs"
    )
    notes = [f"no {t} logs" for t in ("ALERT", "FLOW") if t not in have] if have else []
    first = by_type.get("FLOW") or by_type.get("ALERT")
    record(
        ctx,
        item.id,
        "network-firewall-logs",
        status,
        f"{operation}: {item.resource.name}: {described}",
        destination=_firewall_destination(ctx, first) if first else None,
        operation=operation,
        notes=notes,
    )


PROBES = (
    probe_transit_gateways,
    probe_vpc_flow_logs,
    probe_resolver_query_logs,
    probe_route53_query_logs,
    probe_traffic_mirroring,
    probe_network_firewall,
)
