"""Inheritance along the resource graph, shared by every probe.

Coverage is often configured on one resource and holds for others: a VPC's flow log covers
its subnets and their ENIs; an instance's network traffic is its ENIs' traffic; a region's
trail and Config recorder hold for every resource of the region. This module answers
"which subnets, VPCs and ENIs does this resource sit on" from the inventory, using AWS
Config's relationship names first (whatever source produced them) and the resource's
Config-shaped `configuration` as a fallback (a source that recorded no relationships, or an
owner such as a load balancer whose ENIs Config does not list), so that every probe walks
the graph the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from snapshot.model import PSEUDO_TYPES, Relationship

from ..inventory.base import CollectedResource, RegionInventory

VPC = "AWS::EC2::VPC"
SUBNET = "AWS::EC2::Subnet"
ENI = "AWS::EC2::NetworkInterface"
INSTANCE = "AWS::EC2::Instance"

#: ARN resource kinds of EC2 ids, to recognise a relationship target that is not in the
#: inventory (`arn:aws:ec2:r:acct:subnet/subnet-1`).
_EC2_KIND = {"vpc": VPC, "subnet": SUBNET, "network-interface": ENI, "instance": INSTANCE}
_EC2_ARN = re.compile(r"^arn:[^:]+:ec2:[^:]*:[^:]*:(?P<kind>[a-z-]+)/(?P<id>[\w-]+)$")
#: ENI descriptions AWS writes for the ENIs it creates on behalf of a service.
_ELB_ENI = re.compile(r"^ELB (?:(?P<v2>(?:app|net|gwy)/[^/]+/[0-9a-f]+)|(?P<classic>[\w-]+))$")
_LAMBDA_ENI = re.compile(r"^AWS Lambda VPC ENI-(?P<name>.+)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-")


def region_resources(inventory: RegionInventory) -> Iterator[CollectedResource]:
    """The inventory's real resources (the account and region pseudo-resources left out)."""
    for item in inventory.resources.values():
        if item.type not in PSEUDO_TYPES:
            yield item


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k)[:1].lower() + str(k)[1:]: v for k, v in value.items()}
    return value


def _get(config: dict[str, Any], *path: str) -> Any:
    """A nested configuration value, tolerant of PascalCase keys (raw API items)."""
    value: Any = config
    for key in path:
        if not isinstance(value, dict):
            return None
        value = _lower_keys(value).get(key)
    return value


@dataclass
class Topology:
    """Where each resource sits in the network: its ENIs, subnets and VPCs (resource ids)."""

    inventory: RegionInventory
    by_short_id: dict[str, str] = field(default_factory=dict)
    subnets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    vpcs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    enis: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def short_id(self, resource_id: str) -> str:
        item = self.inventory.resources.get(resource_id)
        if item is not None and item.resource.resource_id:
            return item.resource.resource_id
        match = _EC2_ARN.match(resource_id)
        return match.group("id") if match else resource_id

    def kind(self, resource_id: str) -> str | None:
        item = self.inventory.resources.get(resource_id)
        if item is not None:
            return item.type
        match = _EC2_ARN.match(resource_id)
        return _EC2_KIND.get(match.group("kind")) if match else None

    def resolve(self, short_or_arn: str | None) -> str | None:
        """The inventory id of `vpc-1` / `subnet-1` / an ARN (an EC2 ARN when not listed)."""
        if not short_or_arn:
            return None
        if short_or_arn in self.inventory.resources:
            return short_or_arn
        return self.by_short_id.get(short_or_arn)

    def subnets_of(self, resource_id: str) -> set[str]:
        return set(self.subnets.get(resource_id, ()))

    def vpcs_of(self, resource_id: str) -> set[str]:
        found = set(self.vpcs.get(resource_id, ()))
        if not found:
            for subnet in self.subnets.get(resource_id, ()):
                found |= self.vpcs.get(subnet, set())
        return found

    def enis_of(self, resource_id: str) -> set[str]:
        return set(self.enis.get(resource_id, ()))

    def chain(self, resource_id: str) -> list[str]:
        """The resource, then its subnets, then its VPCs: where a flow log may cover it."""
        result = [resource_id]
        for subnet in sorted(self.subnets_of(resource_id)):
            if subnet not in result:
                result.append(subnet)
        for vpc in sorted(self.vpcs_of(resource_id)):
            if vpc not in result:
                result.append(vpc)
        return result


def _link(topology: Topology, source: str, target: str | None) -> None:
    if not target or target == source:
        return
    kind = topology.kind(target)
    if kind == SUBNET:
        topology.subnets[source].add(target)
    elif kind == VPC:
        topology.vpcs[source].add(target)
    elif kind == ENI and topology.kind(source) != ENI:
        topology.enis[source].add(target)
    elif topology.kind(source) == ENI and kind is not None:
        # "Is attached to Instance" (Config), "Is attached to LoadBalancer" / NatGateway /
        # VPCEndpoint / Function (owners inferred by the direct-API source)
        topology.enis[target].add(source)


def _from_relationship(topology: Topology, rel: Relationship) -> None:
    name = rel.name.strip()
    if name.startswith(("Is contained in", "Is attached to", "Contains NetworkInterface")):
        _link(topology, rel.source, topology.resolve(rel.target) or rel.target)


def _from_configuration(topology: Topology, item: CollectedResource) -> None:
    config = item.configuration or {}
    source = item.id
    resolve = topology.resolve
    _link(topology, source, resolve(_get(config, "vpcId")))
    _link(topology, source, resolve(_get(config, "subnetId")))
    for eni in _get(config, "networkInterfaces") or []:
        _link(topology, source, resolve(_get(eni, "networkInterfaceId")))
    instance = _get(config, "attachment", "instanceId")
    if instance and item.type == ENI:
        _link(topology, source, resolve(instance))
    for zone in _get(config, "availabilityZones") or []:  # ELBv2
        _link(topology, source, resolve(_get(zone, "subnetId")))
    for subnet in _get(config, "subnets") or []:  # classic ELB: a list of subnet ids
        if isinstance(subnet, str):
            _link(topology, source, resolve(subnet))
    _link(topology, source, resolve(_get(config, "vPCId")))  # classic ELB's VPCId
    vpc_config = _get(config, "vpcConfig") or {}  # Lambda
    _link(topology, source, resolve(_get(vpc_config, "vpcId")))
    for subnet in _get(vpc_config, "subnetIds") or []:
        _link(topology, source, resolve(subnet))
    group = _get(config, "dBSubnetGroup") or {}  # RDS
    _link(topology, source, resolve(_get(group, "vpcId")))
    for subnet in _get(group, "subnets") or []:
        _link(topology, source, resolve(_get(subnet, "subnetIdentifier")))


def _owner_of_service_eni(topology: Topology, item: CollectedResource) -> str | None:
    """The load balancer or function an AWS-managed ENI belongs to, from its description."""
    description = str(_get(item.configuration or {}, "description") or "")
    match = _ELB_ENI.match(description)
    if match:
        for other in topology.inventory.of_type(
            "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"
        ):
            if match.group("v2") and other.id.endswith("loadbalancer/" + match.group("v2")):
                return other.id
            if match.group("classic") and other.resource.resource_id == match.group("classic"):
                return other.id
    match = _LAMBDA_ENI.match(description)
    if match:
        for other in topology.inventory.of_type("AWS::Lambda::Function"):
            if other.resource.resource_id == match.group("name") or other.resource.name == (
                match.group("name")
            ):
                return other.id
    return None


def network_topology(inventory: RegionInventory) -> Topology:
    """Build the ENI / subnet / VPC topology of one account-region's inventory."""
    topology = Topology(inventory)
    for item in inventory.resources.values():
        if item.type in (VPC, SUBNET, ENI, INSTANCE) and item.resource.resource_id:
            topology.by_short_id.setdefault(item.resource.resource_id, item.id)
    for rel in inventory.relationships:
        if rel.source in inventory.resources:
            _from_relationship(topology, rel)
    for item in region_resources(inventory):
        _from_configuration(topology, item)
        if item.type == ENI:
            owner = _owner_of_service_eni(topology, item)
            if owner:
                topology.enis[owner].add(item.id)
    return topology


def resources_of(inventory: RegionInventory, types: Iterable[str]) -> list[CollectedResource]:
    """The inventory's resources of some types, in a stable order."""
    return sorted(inventory.of_type(*types), key=lambda item: item.id)
