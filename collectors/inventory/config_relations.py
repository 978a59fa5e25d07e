"""The relationships of parsed configuration items, with ARNs as targets.

Config names a target by resource id or name (Lambda -> IAM role by the role's name only);
the index of everything gathered turns that into the target's ARN in the source's region.
An ENI's owner, which Config does not record (load balancer, NAT gateway, Lambda, RDS, VPC
endpoint ...), is inferred from `interfaceType`, `description` and `requesterId`, as
Workload Discovery on AWS does (origin `inferred`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from snapshot.model import GLOBAL_REGION, Origin, Relationship
from snapshot.sanitize import clean_single_line

from .config_item_fields import (
    GLOBAL_TYPES,
    ParsedItem,
    arn_for,
    arn_partition,
    default_verb,
    normalise_relationship_name,
    short_type_name,
)

_UUID_SUFFIX = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _any_eni(_interface_type: str, _description: str) -> bool:
    return True


def _nat_eni(interface_type: str, description: str) -> bool:
    return interface_type == "nat_gateway" or description.startswith("Interface for NAT Gateway")


def _endpoint_eni(interface_type: str, _description: str) -> bool:
    return interface_type in ("vpc_endpoint", "gateway_load_balancer_endpoint", "interface")


def _same(name: str) -> str:
    return name


def _no_uuid(name: str) -> str:
    """A Lambda ENI's description ends the function name with a UUID."""
    return _UUID_SUFFIX.sub("", name)


@dataclass(frozen=True)
class _Owner:
    """A kind of ENI owner: an ENI it `applies` to (by interfaceType and description) whose
    description `pattern` captures a name is owned by `arn:P:service:R:A:path<name>`."""

    pattern: str
    service: str
    path: str
    type: str
    applies: Callable[[str, str], bool] = _any_eni
    name: Callable[[str], str] = _same  # the captured text to the name ("": not this kind)


_ELB = "elasticloadbalancing"
_ELB_V2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
_ELB_CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
_FUNCTION = "AWS::Lambda::Function"
_EFS = "AWS::EFS::FileSystem"
_TGW_ATTACHMENT = "AWS::EC2::TransitGatewayAttachment"

#: The owners an ENI's description names, the first that names one winning.
_ENI_OWNERS = (
    _Owner(r"^ELB ((?:app|net|gwy)/[^/\s]+/[0-9a-f]+)$", _ELB, "loadbalancer/", _ELB_V2),
    _Owner(r"^ELB ([A-Za-z0-9-]+)$", _ELB, "loadbalancer/", _ELB_CLASSIC),
    _Owner(r"\b(nat-[0-9a-f]+)\b", "ec2", "natgateway/", "AWS::EC2::NatGateway", _nat_eni),
    _Owner(r"(?s)^AWS Lambda VPC ENI-(.*)", "lambda", "function:", _FUNCTION, name=_no_uuid),
    _Owner(r"\b(vpce-[0-9a-f]+)\b", "ec2", "vpc-endpoint/", "AWS::EC2::VPCEndpoint", _endpoint_eni),
    _Owner(r"^ES ([a-z][a-z0-9-]+)$", "es", "domain/", "AWS::Elasticsearch::Domain"),
    _Owner(r"^EFS mount target for (fs-[0-9a-f]+)", "elasticfilesystem", "file-system/", _EFS),
    _Owner(r"\b(tgw-attach-[0-9a-f]+)\b", "ec2", "transit-gateway-attachment/", _TGW_ATTACHMENT),
)


@dataclass
class TargetIndex:
    """Resources by (account, region, type, resourceId) and by name, to resolve targets.

    The region is part of the key: a relationship that names its target by short id (a KMS
    key `test`, a subnet) means the target in the source's own region (global types: in
    "global"), never a same-named resource of another region.
    """

    by_id: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    by_name: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    #: Ids by (account, type, resourceId or name) in any region, for global sources.
    anywhere: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    #: RDS instances per (account, region) with their VPC and security groups, for ENIs.
    databases: dict[tuple[str, str], list[tuple[str, str, frozenset[str]]]] = field(
        default_factory=dict
    )

    def add(self, parsed: ParsedItem) -> None:
        res = parsed.resource
        if res.resource_id:
            self.by_id[(res.account, res.region, res.type, res.resource_id)] = res.id
        if res.name:
            self.by_name.setdefault((res.account, res.region, res.type, res.name), res.id)
        for key in {res.resource_id, res.name} - {None, ""}:
            self.anywhere.setdefault((res.account, res.type, str(key)), set()).add(res.id)
        if res.type == "AWS::RDS::DBInstance":
            cfg = parsed.collected.configuration
            subnet_group = _lookup(cfg, "dBSubnetGroup")
            vpc = _lookup(subnet_group, "vpcId") or ""
            groups = frozenset(
                str(_lookup(g, "vpcSecurityGroupId"))
                for g in _lookup(cfg, "vpcSecurityGroups") or []
                if isinstance(g, Mapping)
            )
            self.databases.setdefault((res.account, res.region), []).append(
                (res.id, str(vpc), groups)
            )

    def resolve(
        self, account: str, region: str, resource_type: str, rid: str | None, name: str | None
    ) -> str:
        """The target in `region`; from a global source (a CloudFront distribution), the
        target in the one region that holds it (its web ACL lives in us-east-1)."""
        for key, table in ((rid, self.by_id), (name, self.by_name), (rid, self.by_name)):
            if key and (found := table.get((account, region, resource_type, key))):
                return found
        if region == GLOBAL_REGION:
            for key in (rid, name):
                matches = self.anywhere.get((account, resource_type, key or ""), set())
                if len(matches) == 1:
                    return next(iter(matches))
        return ""


def _lookup(value: Any, key: str) -> Any:
    """A field of a configuration whatever its key case (`dBSubnetGroup`, `DBSubnetGroup`)."""
    if not isinstance(value, Mapping):
        return None
    wanted = key.lower()
    return next((v for k, v in value.items() if str(k).lower() == wanted and v is not None), None)


def infer_eni_owner(
    configuration: Mapping[str, Any], *, account: str, region: str, partition: str = "aws"
) -> tuple[str, str] | None:
    """The (ARN, Config type) of the service resource that owns a requester-managed ENI.

    Decided from the ENI's `interfaceType`, `description` and `requesterId` as EC2 sets them:
    "ELB app/NAME/ID" (ALB), "ELB net/NAME/ID" (NLB), "ELB NAME" (classic ELB),
    "Interface for NAT Gateway nat-..." / interfaceType nat_gateway, "AWS Lambda VPC ENI-
    FUNCTION-UUID" / interfaceType lambda, "VPC Endpoint Interface vpce-...", "ES DOMAIN",
    "EFS mount target for fs-...", "Network Interface for Transit Gateway Attachment ...".
    RDS ENIs name no instance ("RDSNetworkInterface"): see `_rds_owner`.
    """
    description = str(configuration.get("description") or "")
    interface_type = str(configuration.get("interfaceType") or "")
    for owner in _ENI_OWNERS:
        if not owner.applies(interface_type, description):
            continue
        match = re.search(owner.pattern, description)
        name = owner.name(match.group(1)) if match else ""
        if name:
            return (
                f"arn:{partition}:{owner.service}:{region}:{account}:{owner.path}{name}",
                owner.type,
            )
    return None


def _is_rds_eni(configuration: Mapping[str, Any]) -> bool:
    return (
        str(configuration.get("description") or "") == "RDSNetworkInterface"
        or str(configuration.get("requesterId") or "") == "amazon-rds"
        or str(configuration.get("interfaceType") or "") == "rds"
    )


def _rds_owner(parsed: ParsedItem, index: TargetIndex) -> str:
    """The one RDS instance in the ENI's VPC sharing its security groups, if exactly one."""
    res, cfg = parsed.resource, parsed.collected.configuration
    vpc = str(cfg.get("vpcId") or "")
    groups = {str(g.get("groupId")) for g in cfg.get("groups") or [] if isinstance(g, Mapping)}
    candidates = [
        db_id
        for db_id, db_vpc, db_groups in index.databases.get((res.account, res.region), [])
        if db_vpc == vpc and groups and groups <= db_groups
    ]
    return candidates[0] if len(candidates) == 1 else ""


def _role_from_configuration(parsed: ParsedItem, target_type: str, name: str | None) -> str:
    """A role's ARN (path included) found in the item's configuration, when the names match.

    Relationships name a role only by name (`codebuild-RDK-service-role`) while the
    configuration holds its ARN with its path (`role/service-role/codebuild-RDK-...`):
    the ARN is taken from there rather than rebuilt without the path.
    """
    if target_type != "AWS::IAM::Role" or not name:
        return ""
    for value in _strings(parsed.collected.configuration, depth=3):
        if value.startswith("arn:") and ":role/" in value and value.rsplit("/", 1)[-1] == name:
            return value
    return ""


def _strings(value: Any, depth: int) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif depth > 0 and isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth - 1)
    elif depth > 0 and isinstance(value, list):
        for item in value[:50]:
            yield from _strings(item, depth - 1)


def resolve_relationships(
    parsed: ParsedItem, index: TargetIndex, source: str
) -> list[Relationship]:
    """The item's relationships with ARNs as targets and Config's qualified names."""
    res = parsed.resource
    partition = arn_partition(res.id)
    out: list[Relationship] = []
    for rel in parsed.relationships:
        target_type = str(rel.get("resourceType") or "")
        raw = str(rel.get("relationshipName") or rel.get("name") or "")
        named = raw or f"{default_verb(res.type, target_type)} "
        rid = rel.get("resourceId")
        rname = rel.get("resourceName")
        rid = str(rid) if rid else None
        rname = str(rname) if rname else None
        if not target_type or not (rid or rname):
            continue
        target_region = GLOBAL_REGION if target_type in GLOBAL_TYPES else res.region
        target = (
            index.resolve(res.account, target_region, target_type, rid, rname)
            or _role_from_configuration(parsed, target_type, rname)
            or arn_for(
                target_type,
                account=res.account,
                region=target_region,
                resource_id=rid,
                resource_name=rname,
                partition=partition,
            )
        )
        if target == res.id:
            continue
        out.append(
            Relationship(
                source=res.id,
                target=clean_single_line(target),
                name=clean_single_line(normalise_relationship_name(named, target_type)),
                origin=Origin.config,
                raw=clean_single_line(raw) if raw else None,
            )
        )
    if res.type == "AWS::EC2::NetworkInterface":
        cfg = parsed.collected.configuration
        owner = infer_eni_owner(cfg, account=res.account, region=res.region, partition=partition)
        owner_id, owner_type = owner if owner else ("", "")
        if not owner and _is_rds_eni(cfg):
            owner_id, owner_type = _rds_owner(parsed, index), "AWS::RDS::DBInstance"
        if owner_id and owner_id not in {r.target for r in out}:
            out.append(
                Relationship(
                    source=res.id,
                    target=clean_single_line(owner_id),
                    name=f"Is attached to {short_type_name(owner_type)}",
                    origin=Origin.inferred,
                )
            )
    return out
