"""The relationships of parsed configuration items, with ARNs as targets.

Config names a target by resource id or name (Lambda -> IAM role by the role's name only);
the index of everything gathered turns that into the target's ARN in the source's region.
An ENI's owner, which Config does not record (load balancer, NAT gateway, Lambda, RDS, VPC
endpoint ...), is inferred from `interfaceType`, `description` and `requesterId`, as
Workload Discovery on AWS does (origin `inferred`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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
    p = partition
    if match := re.match(r"^ELB ((?:app|net|gwy)/[^/\s]+/[0-9a-f]+)$", description):
        return (
            f"arn:{p}:elasticloadbalancing:{region}:{account}:loadbalancer/{match.group(1)}",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        )
    if match := re.match(r"^ELB ([A-Za-z0-9-]+)$", description):
        return (
            f"arn:{p}:elasticloadbalancing:{region}:{account}:loadbalancer/{match.group(1)}",
            "AWS::ElasticLoadBalancing::LoadBalancer",
        )
    nat = interface_type == "nat_gateway" or description.startswith("Interface for NAT Gateway")
    if nat and (match := re.search(r"\b(nat-[0-9a-f]+)\b", description)):
        return (
            f"arn:{p}:ec2:{region}:{account}:natgateway/{match.group(1)}",
            "AWS::EC2::NatGateway",
        )
    if description.startswith("AWS Lambda VPC ENI-"):
        function = _UUID_SUFFIX.sub("", description[len("AWS Lambda VPC ENI-") :])
        if function:
            return (
                f"arn:{p}:lambda:{region}:{account}:function:{function}",
                "AWS::Lambda::Function",
            )
    endpoint = interface_type in ("vpc_endpoint", "gateway_load_balancer_endpoint", "interface")
    if endpoint and (match := re.search(r"\b(vpce-[0-9a-f]+)\b", description)):
        return (
            f"arn:{p}:ec2:{region}:{account}:vpc-endpoint/{match.group(1)}",
            "AWS::EC2::VPCEndpoint",
        )
    if match := re.match(r"^ES ([a-z][a-z0-9-]+)$", description):
        return (
            f"arn:{p}:es:{region}:{account}:domain/{match.group(1)}",
            "AWS::Elasticsearch::Domain",
        )
    if match := re.match(r"^EFS mount target for (fs-[0-9a-f]+)", description):
        return (
            f"arn:{p}:elasticfilesystem:{region}:{account}:file-system/{match.group(1)}",
            "AWS::EFS::FileSystem",
        )
    if match := re.search(r"\b(tgw-attach-[0-9a-f]+)\b", description):
        return (
            f"arn:{p}:ec2:{region}:{account}:transit-gateway-attachment/{match.group(1)}",
            "AWS::EC2::TransitGatewayAttachment",
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
