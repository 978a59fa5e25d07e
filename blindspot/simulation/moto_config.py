"""A moto extension that makes AWS Config's read APIs serve what moto's other services hold.

Stock moto 5.2 indexes only S3 buckets, IAM roles/policies and SNS topics in Config, runs no
advanced query, and returns no relationships. The Config inventory
path cannot be tested, nor the demo run through it, without more. This module patches
`moto.config.models.ConfigBackend` (and the response class where moto does not decode the
JSON body) so that, for each account and region:

* configuration items are built on request from moto's own EC2 (VPC, Subnet,
  SecurityGroup, Instance, NetworkInterface, InternetGateway, NatGateway), ELBv2,
  RDS (DBInstance, DBCluster), Lambda, IAM (Role) and S3 (Bucket) state, **with
  relationships** in Config's wording and mixed styles as real Config writes them
  (qualified for EC2/ELBv2/RDS instances, bare verb with a trailing space for Lambda and
  RDS clusters; Lambda -> role by name only);
* the service-managed ENIs real AWS creates for load balancers, NAT gateways, Lambda
  functions and RDS instances are served too (moto creates none, or bare ones), with the
  `description`/`interfaceType`/`requesterId` EC2 gives them;
* only types the region's configuration recorder records are served, and nothing when the
  recorder is off or absent, as in real AWS;
* `ListDiscoveredResources`, `BatchGetResourceConfig`, `GetResourceConfigHistory`,
  `SelectResourceConfig` (a subset: `SELECT f[, ...] [WHERE resourceType = 'T' | IN (...)]`,
  rows as JSON strings, `Limit`/`NextToken`), and the aggregate calls
  (`SelectAggregateResourceConfig` and `GetAggregateResourceConfig` added,
  `ListAggregateDiscoveredResources`, `BatchGetAggregateResourceConfig`) spanning the
  aggregator's accounts (or every account of the organization for an organization
  aggregator) and regions.

Use `with registered(): ...` (or `install()` / `uninstall()`), in-process under `mock_aws`
or `ThreadedMotoServer`. It relies on moto internals (pinned `moto>=5.2.5,<5.3`);
tests/collectors/test_moto_config_ext.py fails when it stops serving EC2 items.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from collectors.aws.session import AwsContext
from collectors.inventory.api import API_TYPES, ApiSource

#: The log-source types served natively, by builder family: their items are the evidence of
#: flow logs, recorders, detectors, state-machine logging and Resolver query logging.
LOG_SOURCE_FAMILIES = {
    "flowlogs": "AWS::EC2::FlowLog",
    "recorders": "AWS::Config::ConfigurationRecorder",
    "guardduty": "AWS::GuardDuty::Detector",
    "stepfunctions": "AWS::StepFunctions::StateMachine",
    "resolver": "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation",
}
_ENI = "AWS::EC2::NetworkInterface"
#: The EC2 types `_ec2_items` builds, with the resource part of their ARNs.
_EC2_ARN_PATHS = {
    "AWS::EC2::VPC": "vpc",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::SecurityGroup": "security-group",
    "AWS::EC2::Instance": "instance",
    "AWS::EC2::NetworkInterface": "network-interface",
    "AWS::EC2::NatGateway": "natgateway",
    "AWS::EC2::InternetGateway": "internet-gateway",
}
#: What each item builder (`_BUILDERS`) produces; service-managed ENIs come with their owners.
_BUILDER_TYPES: dict[str, frozenset[str]] = {
    "ec2": frozenset(_EC2_ARN_PATHS),
    "elbv2": frozenset({"AWS::ElasticLoadBalancingV2::LoadBalancer", _ENI}),
    "rds": frozenset({"AWS::RDS::DBInstance", "AWS::RDS::DBCluster", _ENI}),
    "lambda": frozenset({"AWS::Lambda::Function", _ENI}),
    "iam": frozenset({"AWS::IAM::Role"}),
    "s3": frozenset({"AWS::S3::Bucket"}),
    **{family: frozenset({rtype}) for family, rtype in LOG_SOURCE_FAMILIES.items()},
}
#: The types this extension serves natively (the others come from blindspot's API source).
SERVED_TYPES: frozenset[str] = frozenset().union(*_BUILDER_TYPES.values())
GLOBAL_TYPES = frozenset({"AWS::IAM::Role"})

Item = dict[str, Any]
Rel = tuple[str, str, str | None, str | None]  # (relationshipName, resourceType, resourceId, name)


# --------------------------------------------------------------------------- items


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _item(
    account: str,
    region: str,
    rtype: str,
    rid: str,
    arn: str,
    *,
    name: str | None = None,
    configuration: dict[str, Any] | None = None,
    supplementary: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    relationships: list[Rel] = (),  # type: ignore[assignment]
    zone: str = "Not Applicable",
) -> Item:
    item: Item = {
        "version": "1.3",
        "accountId": account,
        "configurationItemCaptureTime": _now(),
        "configurationItemStatus": "ResourceDiscovered",
        "configurationStateId": "1",
        "configurationItemMD5Hash": "",
        "arn": arn,
        "resourceType": rtype,
        "resourceId": rid,
        "awsRegion": "global" if rtype in GLOBAL_TYPES else region,
        "availabilityZone": zone,
        "tags": tags or {},
        "relatedEvents": [],
        "relationships": [
            {
                "resourceType": target_type,
                **({"resourceId": target_id} if target_id else {}),
                **({"resourceName": target_name} if target_name else {}),
                "relationshipName": rel_name,
            }
            for rel_name, target_type, target_id, target_name in relationships
        ],
        "configuration": configuration or {},
        "supplementaryConfiguration": supplementary or {},
    }
    if name:
        item["resourceName"] = name
    return item


def _ec2_tags(resource: Any) -> dict[str, str]:
    with contextlib.suppress(Exception):
        return {t["key"]: t["value"] for t in resource.get_tags()}
    return {}


def _ec2_item(account: str, region: str, rtype: str, resource: Any, **fields: Any) -> Item:
    """The item of an EC2 `resource` of type `rtype`: its id, ARN and tags."""
    rid = resource.id
    arn = f"arn:aws:ec2:{region}:{account}:{_EC2_ARN_PATHS[rtype]}/{rid}"
    return _item(account, region, rtype, rid, arn, tags=_ec2_tags(resource), **fields)


def _arn_item(account: str, region: str, rtype: str, resource: Any, **fields: Any) -> Item:
    """The item of a `resource` AWS Config identifies by its ARN; named by its name."""
    return _item(account, region, rtype, resource.arn, resource.arn, name=resource.name, **fields)


def _fake_eni_id(*parts: str) -> str:
    return "eni-" + hashlib.sha1("/".join(parts).encode()).hexdigest()[:17]


def _eni_item(
    account: str,
    region: str,
    eni_id: str,
    *,
    subnet_id: str,
    vpc_id: str,
    groups: list[str],
    description: str,
    interface_type: str,
    requester_id: str | None,
    instance_id: str | None = None,
) -> Item:
    rels: list[Rel] = []
    if instance_id:
        rels.append(("Is attached to Instance", "AWS::EC2::Instance", instance_id, None))
    rels += [
        ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", g, None) for g in groups
    ]
    rels += [
        ("Is contained in Subnet", "AWS::EC2::Subnet", subnet_id, None),
        ("Is contained in Vpc", "AWS::EC2::VPC", vpc_id, None),
    ]
    configuration = {
        "networkInterfaceId": eni_id,
        "interfaceType": interface_type,
        "description": description,
        "requesterManaged": requester_id is not None,
        "groups": [{"groupId": g} for g in groups],
        "subnetId": subnet_id,
        "vpcId": vpc_id,
        "ownerId": account,
    }
    if requester_id:
        configuration["requesterId"] = requester_id
    if instance_id:
        configuration["attachment"] = {"instanceId": instance_id, "instanceOwnerId": account}
    return _item(
        account,
        region,
        "AWS::EC2::NetworkInterface",
        eni_id,
        f"arn:aws:ec2:{region}:{account}:network-interface/{eni_id}",
        configuration=configuration,
        relationships=rels,
    )


def _on_backend(
    module: str, backends: str = "", *, created_only: bool = True
) -> Callable[[Callable[[str, str, Any], list[Item]]], Callable[[str, str], list[Item]]]:
    """A builder of the items in moto's backend of `module` (`backends`, by default
    `<module>_backends`) in an account-region, given that backend. With `created_only`, no
    items where moto has not made that backend yet (reading must not create one); otherwise
    none only in a region moto does not know."""

    def wrap(build: Callable[[str, str, Any], list[Item]]) -> Callable[[str, str], list[Item]]:
        @functools.wraps(build)
        def items(account: str, region: str) -> list[Item]:
            models = importlib.import_module(f"moto.{module}.models")
            per_account = getattr(models, backends or f"{module}_backends")[account]
            # moto's `in` also holds for a region it knows but has no backend for yet.
            known = (
                dict.__contains__(per_account, region) if created_only else region in per_account
            )
            if not known:
                return []
            return build(account, region, per_account[region])

        return items

    return wrap


@_on_backend("ec2", created_only=False)
def _ec2_items(account: str, region: str, ec2: Any) -> list[Item]:
    items: list[Item] = []

    def add(rtype: str, resource: Any, configuration: dict[str, Any], **fields: Any) -> None:
        items.append(
            _ec2_item(account, region, rtype, resource, configuration=configuration, **fields)
        )

    for vpc in list(ec2.vpcs.values()):
        rels: list[Rel] = [
            ("Is attached to InternetGateway", "AWS::EC2::InternetGateway", igw.id, None)
            for igw in ec2.internet_gateways.values()
            if igw.vpc is not None and igw.vpc.id == vpc.id
        ]
        configuration = {
            "vpcId": vpc.id,
            "cidrBlock": vpc.cidr_block,
            "isDefault": bool(vpc.is_default),
            "state": "available",
        }
        add("AWS::EC2::VPC", vpc, configuration, relationships=rels)
    for subnets in list(ec2.subnets.values()):
        for subnet in list(subnets.values()):
            configuration = {
                "subnetId": subnet.id,
                "vpcId": subnet.vpc_id,
                "cidrBlock": subnet.cidr_block,
                "availabilityZone": subnet.availability_zone,
            }
            in_vpc: list[Rel] = [("Is contained in Vpc", "AWS::EC2::VPC", subnet.vpc_id, None)]
            zone = subnet.availability_zone
            add("AWS::EC2::Subnet", subnet, configuration, zone=zone, relationships=in_vpc)
    for vpc_groups in list(ec2.groups.values()):
        for group in list(vpc_groups.values()):
            rels = (
                [("Is contained in Vpc", "AWS::EC2::VPC", group.vpc_id, None)]
                if group.vpc_id
                else []
            )
            configuration = {
                "groupId": group.id,
                "groupName": group.name,
                "vpcId": group.vpc_id,
                "description": group.description,
            }
            add(
                "AWS::EC2::SecurityGroup", group, configuration, name=group.name, relationships=rels
            )
    nat_enis = {}
    for nat in list(ec2.nat_gateways.values()):
        eni = getattr(nat, "_eni", None)
        if eni is not None:
            nat_enis[eni.id] = nat.id
        rels = [
            ("Is contained in Subnet", "AWS::EC2::Subnet", nat.subnet_id, None),
            ("Is contained in Vpc", "AWS::EC2::VPC", nat.vpc_id, None),
        ]
        configuration = {
            "natGatewayId": nat.id,
            "subnetId": nat.subnet_id,
            "vpcId": nat.vpc_id,
            "state": nat.state,
        }
        add("AWS::EC2::NatGateway", nat, configuration, relationships=rels)
    for igw in list(ec2.internet_gateways.values()):
        attachments: list[dict[str, str]] = (
            [{"vpcId": igw.vpc.id, "state": "available"}] if igw.vpc else []
        )
        configuration = {"internetGatewayId": igw.id, "attachments": attachments}
        add("AWS::EC2::InternetGateway", igw, configuration)
    for eni in list(ec2.enis.values()):
        groups = [g.id for g in getattr(eni, "_group_set", [])]
        if eni.id in nat_enis:
            nat_id = nat_enis[eni.id]
            description, kind, requester = (
                f"Interface for NAT Gateway {nat_id}",
                "nat_gateway",
                "amazon-nat",
            )
        else:
            description, kind, requester = eni.description or "", "interface", None
        attached = getattr(eni, "instance", None)
        instance = attached.id if attached is not None else None
        items.append(
            _eni_item(
                account,
                region,
                eni.id,
                subnet_id=eni.subnet.id,
                vpc_id=eni.subnet.vpc_id,
                groups=groups,
                description=description,
                interface_type=kind,
                requester_id=requester,
                instance_id=instance,
            )
        )
    for instance in ec2.all_instances():
        if instance.state == "terminated":
            continue
        groups = [g.id for g in instance.security_groups]
        enis = [eni.id for eni in instance.nics.values()]
        volumes = [v.volume_id for v in instance.block_device_mapping.values()]
        rels = [("Contains NetworkInterface", "AWS::EC2::NetworkInterface", e, None) for e in enis]
        rels += [
            ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", g, None) for g in groups
        ]
        rels += [("Is attached to Volume", "AWS::EC2::Volume", v, None) for v in volumes]
        if instance.subnet_id:
            rels.append(("Is contained in Subnet", "AWS::EC2::Subnet", instance.subnet_id, None))
        if instance.vpc_id:
            rels.append(("Is contained in Vpc", "AWS::EC2::VPC", instance.vpc_id, None))
        profile = getattr(instance, "iam_instance_profile", None) or None
        configuration = {
            "instanceId": instance.id,
            "instanceType": instance.instance_type,
            "imageId": instance.image_id,
            "subnetId": instance.subnet_id,
            "vpcId": instance.vpc_id,
            "state": {"name": instance.state},
            "securityGroups": [{"groupId": g} for g in groups],
            "iamInstanceProfile": profile,
            "networkInterfaces": [{"networkInterfaceId": e} for e in enis],
        }
        zone = str(getattr(instance.placement, "zone", "") or "Not Applicable")
        add("AWS::EC2::Instance", instance, configuration, zone=zone, relationships=rels)
    return items


@_on_backend("elbv2", created_only=False)
def _elbv2_items(account: str, region: str, elbv2: Any) -> list[Item]:
    items: list[Item] = []
    for lb in list(elbv2.load_balancers.values()):
        subnets = list(lb.subnets)
        rels: list[Rel] = [
            ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", g, None)
            for g in lb.security_groups
        ]
        rels += [("Is attached to Subnet", "AWS::EC2::Subnet", s.id, None) for s in subnets]
        rels.append(("Is contained in Vpc", "AWS::EC2::VPC", lb.vpc_id, None))
        attributes = [{"key": k, "value": str(v)} for k, v in sorted(lb.attrs.items())]
        kind = {"application": "app", "network": "net", "gateway": "gwy"}.get(lb.type, "app")
        lb_suffix = lb.arn.split(":loadbalancer/", 1)[-1]
        items.append(
            _arn_item(
                account,
                region,
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                lb,
                configuration={
                    "loadBalancerArn": lb.arn,
                    "loadBalancerName": lb.name,
                    "type": lb.type,
                    "scheme": lb.scheme,
                    "vpcId": lb.vpc_id,
                    "dNSName": lb.dns_name,
                    "securityGroups": list(lb.security_groups),
                    "availabilityZones": [
                        {"subnetId": s.id, "zoneName": s.availability_zone} for s in subnets
                    ],
                },
                supplementary={"LoadBalancerAttributes": attributes},
                tags=dict(lb.tags),
                relationships=rels,
            )
        )
        for subnet in subnets:
            if kind == "gwy":
                continue
            items.append(
                _eni_item(
                    account,
                    region,
                    _fake_eni_id(lb.arn, subnet.id),
                    subnet_id=subnet.id,
                    vpc_id=subnet.vpc_id,
                    groups=list(lb.security_groups),
                    description=f"ELB {lb_suffix}",
                    interface_type="interface",
                    requester_id="amazon-elb",
                )
            )
    return items


@_on_backend("rds", created_only=False)
def _rds_items(account: str, region: str, rds: Any) -> list[Item]:
    from moto.ec2.models import ec2_backends

    items: list[Item] = []
    for db in list(rds.databases.values()):
        group = getattr(db, "db_subnet_group", None)
        # moto 5.2 gives every instance the same DbiResourceId; AWS's are unique per instance.
        unique = f"{account}/{region}/{db.db_instance_identifier}"
        resource_id = "db-" + hashlib.sha1(unique.encode()).hexdigest()[:26].upper()
        group_name = getattr(group, "subnet_name", None) if group else None
        subnets = [s for s in getattr(group, "_subnets", None) or []] if group else []
        vpc_id = subnets[0].vpc_id if subnets else None
        sgs = list(getattr(db, "vpc_security_group_ids", None) or [])
        rels: list[Rel] = []
        if group_name:
            rels.append(
                ("Is associated with DBSubnetGroup", "AWS::RDS::DBSubnetGroup", group_name, None)
            )
        rels += [
            ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", g, None) for g in sgs
        ]
        arn = f"arn:aws:rds:{region}:{account}:db:{db.db_instance_identifier}"
        items.append(
            _item(
                account,
                region,
                "AWS::RDS::DBInstance",
                resource_id,
                arn,
                name=db.db_instance_identifier,
                configuration={
                    "dBInstanceIdentifier": db.db_instance_identifier,
                    "dBInstanceArn": arn,
                    "engine": db.engine,
                    "dbiResourceId": resource_id,
                    "dBClusterIdentifier": getattr(db, "db_cluster_identifier", None),
                    "dBSubnetGroup": {"dBSubnetGroupName": group_name, "vpcId": vpc_id},
                    "vpcSecurityGroups": [
                        {"vpcSecurityGroupId": g, "status": "active"} for g in sgs
                    ],
                    "enabledCloudwatchLogsExports": list(
                        getattr(db, "enabled_cloudwatch_logs_exports", None) or []
                    ),
                },
                tags={t["Key"]: t["Value"] for t in (getattr(db, "tags", None) or [])},
                relationships=rels,
            )
        )
        if subnets and region in ec2_backends[account]:
            subnet = subnets[0]
            items.append(
                _eni_item(
                    account,
                    region,
                    _fake_eni_id(arn, subnet.id),
                    subnet_id=subnet.id,
                    vpc_id=subnet.vpc_id,
                    groups=sgs,
                    description="RDSNetworkInterface",
                    interface_type="interface",
                    requester_id="amazon-rds",
                )
            )
    for cluster in list(rds.clusters.values()):
        identifier = cluster.db_cluster_identifier
        arn = f"arn:aws:rds:{region}:{account}:cluster:{identifier}"
        rels = []
        if cluster.db_subnet_group_name:
            rels.append(
                (
                    "Is associated with ",
                    "AWS::RDS::DBSubnetGroup",
                    cluster.db_subnet_group_name,
                    None,
                )
            )
        rels += [
            ("Is associated with ", "AWS::EC2::SecurityGroup", g, None)
            for g in getattr(cluster, "_vpc_security_group_ids", None) or []
        ]
        members = [
            db
            for db in rds.databases.values()
            if getattr(db, "db_cluster_identifier", None) == identifier
        ]
        rels += [
            ("Contains ", "AWS::RDS::DBInstance", db.db_instance_identifier, None) for db in members
        ]
        items.append(
            _item(
                account,
                region,
                "AWS::RDS::DBCluster",
                cluster.db_cluster_resource_id,
                arn,
                name=identifier,
                configuration={
                    "dBClusterIdentifier": identifier,
                    "dBClusterArn": arn,
                    "engine": cluster.engine,
                    "enabledCloudwatchLogsExports": list(
                        cluster.enabled_cloudwatch_logs_exports or []
                    ),
                },
                relationships=rels,
            )
        )
    return items


@_on_backend("awslambda", "lambda_backends", created_only=False)
def _lambda_items(account: str, region: str, backend: Any) -> list[Item]:
    items: list[Item] = []
    storage = backend._lambdas
    for versions in list(storage._functions.values()):
        fn = versions["latest"]
        vpc = fn._vpc_config or {}
        role_name = str(fn.role).rsplit("/", 1)[-1]
        rels: list[Rel] = [("Is associated with ", "AWS::IAM::Role", None, role_name)]
        rels += [
            ("Is associated with ", "AWS::EC2::SecurityGroup", g, None)
            for g in vpc.get("SecurityGroupIds", [])
        ]
        rels += [
            ("Is contained in ", "AWS::EC2::Subnet", s, None) for s in vpc.get("SubnetIds", [])
        ]
        configuration = {
            "functionName": fn.function_name,
            "functionArn": fn.function_arn,
            "runtime": fn.run_time,
            "role": fn.role,
            "handler": fn.handler,
            "environment": {"variables": dict(getattr(fn, "environment_vars", {}) or {})},
            "vpcConfig": {
                "subnetIds": list(vpc.get("SubnetIds", [])),
                "securityGroupIds": list(vpc.get("SecurityGroupIds", [])),
            },
            "loggingConfig": getattr(fn, "logging_config", None),
        }
        items.append(
            _item(
                account,
                region,
                "AWS::Lambda::Function",
                fn.function_name,
                fn.function_arn,
                name=fn.function_name,
                configuration=configuration,
                tags=dict(fn.tags or {}),
                relationships=rels,
            )
        )
        items.extend(_lambda_enis(account, region, fn.function_name, vpc))
    return items


def _lambda_enis(account: str, region: str, function: str, vpc: dict[str, Any]) -> list[Item]:
    from moto.ec2.models import ec2_backends

    if not vpc.get("SubnetIds") or region not in ec2_backends[account]:
        return []
    ec2 = ec2_backends[account][region]
    out = []
    for subnet_id in vpc["SubnetIds"]:
        subnet = None
        with contextlib.suppress(Exception):
            subnet = ec2.get_subnet(subnet_id)
        if subnet is None:
            continue
        eni = _fake_eni_id(account, region, function, subnet_id)
        tail = uuid.UUID(hashlib.md5(eni.encode()).hexdigest())
        out.append(
            _eni_item(
                account,
                region,
                eni,
                subnet_id=subnet_id,
                vpc_id=subnet.vpc_id,
                groups=list(vpc.get("SecurityGroupIds", [])),
                description=f"AWS Lambda VPC ENI-{function}-{tail}",
                interface_type="lambda",
                requester_id=f"AROAEXAMPLE:{function}",
            )
        )
    return out


@_on_backend("ec2")
def _flow_log_items(account: str, region: str, ec2: Any) -> list[Item]:
    """AWS::EC2::FlowLog: the evidence of VPC, subnet and ENI flow logs (camelCase, as EC2)."""
    items = []
    for log in list(ec2.flow_logs.values()):
        configuration = {
            "flowLogId": log.id,
            "resourceId": log.resource_id,
            "trafficType": log.traffic_type,
            "logDestinationType": log.log_destination_type,
            "logDestination": log.log_destination,
            "logGroupName": log.log_group_name,
            "deliverLogsPermissionArn": log.deliver_logs_permission_arn,
            "deliverLogsStatus": log.deliver_logs_status,
            "flowLogStatus": "ACTIVE",
            "maxAggregationInterval": log.max_aggregation_interval,
            "logFormat": log.log_format,
        }
        items.append(
            _item(
                account,
                region,
                "AWS::EC2::FlowLog",
                log.id,
                f"arn:aws:ec2:{region}:{account}:vpc-flow-log/{log.id}",
                configuration={k: v for k, v in configuration.items() if v is not None},
                tags=_ec2_tags(log),
            )
        )
    return items


@_on_backend("config")
def _recorder_items(account: str, region: str, backend: Any) -> list[Item]:
    """AWS::Config::ConfigurationRecorder, in the CloudFormation-registry (PascalCase) shape
    of the type's advanced-query schema (awslabs/aws-config-resource-schema)."""
    items = []
    for recorder in list(backend.recorders.values()):
        group = recorder.recording_group
        recording_group: dict[str, Any] = {}
        if group is not None:
            recording_group = {
                "AllSupported": bool(group.all_supported),
                "IncludeGlobalResourceTypes": bool(group.include_global_resource_types),
                "ResourceTypes": list(group.resource_types or []),
            }
            strategy = getattr(group, "recording_strategy", None) or {}
            if strategy.get("useOnly"):
                recording_group["RecordingStrategy"] = {"UseOnly": strategy["useOnly"]}
            excluded = (getattr(group, "exclusion_by_resource_types", None) or {}).get(
                "resourceTypes"
            )
            if excluded:
                recording_group["ExclusionByResourceTypes"] = {"ResourceTypes": list(excluded)}
        items.append(
            _item(
                account,
                region,
                "AWS::Config::ConfigurationRecorder",
                recorder.name,
                f"arn:aws:config:{region}:{account}:configuration-recorder/{recorder.name}",
                name=recorder.name,
                configuration={
                    "Name": recorder.name,
                    "RoleARN": recorder.role_arn,
                    "RecordingGroup": recording_group,
                    "Recording": bool(recorder.status.recording),
                },
            )
        )
    return items


@_on_backend("guardduty")
def _detector_items(account: str, region: str, backend: Any) -> list[Item]:
    """AWS::GuardDuty::Detector (PascalCase, as the type's schema)."""
    return [
        _item(
            account,
            region,
            "AWS::GuardDuty::Detector",
            detector.id,
            f"arn:aws:guardduty:{region}:{account}:detector/{detector.id}",
            configuration={
                "Id": detector.id,
                "Enable": bool(detector.enabled),
                "FindingPublishingFrequency": detector.finding_publish_freq,
            },
            tags=dict(detector.tags or {}),
        )
        for detector in list(backend.detectors.values())
    ]


@_on_backend("stepfunctions")
def _state_machine_items(account: str, region: str, backend: Any) -> list[Item]:
    """AWS::StepFunctions::StateMachine with its LoggingConfiguration (PascalCase)."""
    items = []
    for machine in list(backend.state_machines):
        logging = _pascal(getattr(machine, "loggingConfiguration", None) or {"level": "OFF"})
        configuration = {
            "Arn": machine.arn,
            "StateMachineName": machine.name,
            "StateMachineType": getattr(machine, "type", None) or "STANDARD",
            "RoleArn": machine.roleArn,
            "LoggingConfiguration": logging,
        }
        rtype = "AWS::StepFunctions::StateMachine"
        items.append(_arn_item(account, region, rtype, machine, configuration=configuration))
    return items


def _pascal(value: Any) -> Any:
    """An API-shaped (camelCase) structure in CloudFormation's PascalCase keys."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


@_on_backend("route53resolver")
def _query_log_association_items(account: str, region: str, backend: Any) -> list[Item]:
    """AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation (PascalCase)."""
    items = []
    for association in list(backend.resolver_query_log_config_associations.values()):
        items.append(
            _item(
                account,
                region,
                "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation",
                association.id,
                f"arn:aws:route53resolver:{region}:{account}:"
                f"resolver-query-log-config-association/{association.id}",
                configuration={
                    "Id": association.id,
                    "ResolverQueryLogConfigId": association.resolver_query_log_config_id,
                    "ResourceId": association.resource_id,
                    "Status": association.status,
                    "CreationTime": str(association.creation_time),
                },
                relationships=[
                    ("Is associated with ", "AWS::EC2::VPC", association.resource_id, None)
                ],
            )
        )
    return items


def _with_distribution_logging(account: str, distributions: list[Item]) -> None:
    """A distribution's item holds `distributionConfig.logging` (the Describe shape, as in
    AWS Config's own CloudFront items); the listing the API-backed item comes from has
    no `distributionConfig`."""
    from moto.cloudfront.models import cloudfront_backends

    with contextlib.suppress(Exception):
        backend = cloudfront_backends[account]["global"]
        for item in distributions:
            found = backend.distributions.get(str(item["resourceId"]))
            if found is None:
                continue
            # moto copies the request's keys onto the object (`self.__dict__.update`).
            logging = getattr(found.distribution_config, "Logging")  # noqa: B009
            config = item["configuration"].setdefault("distributionConfig", {})
            config["logging"] = {
                "enabled": bool(logging.enabled),
                "includeCookies": bool(logging.include_cookies),
                "bucket": logging.bucket,
                "prefix": logging.prefix,
            }


def _with_log_settings(account: str, items: list[Item]) -> list[Item]:
    """Settings real items of API-backed types hold and the API-shaped item lacks.

    A hosted zone's item holds its `QueryLoggingConfig` (the type's schema); a trail's says
    whether it has custom or insight selectors (`hasCustomEventSelectors`); a
    distribution's holds `distributionConfig.logging`.
    """
    zones = [i for i in items if i["resourceType"] == "AWS::Route53::HostedZone"]
    trails = [i for i in items if i["resourceType"] == "AWS::CloudTrail::Trail"]
    distributions = [i for i in items if i["resourceType"] == "AWS::CloudFront::Distribution"]
    if distributions:
        _with_distribution_logging(account, distributions)
    if zones:
        from moto.route53.models import route53_backends

        with contextlib.suppress(Exception):
            backend = route53_backends[account]["aws"]
            by_zone = {c.hosted_zone_id: c for c in backend.query_logging_configs.values()}
            for zone in zones:
                found = by_zone.get(str(zone["resourceId"]).rsplit("/", 1)[-1])
                if found is not None:
                    zone["configuration"]["QueryLoggingConfig"] = {
                        "CloudWatchLogsLogGroupArn": found.cloud_watch_logs_log_group_arn,
                        "HostedZoneId": found.hosted_zone_id,
                        "Id": found.id,
                    }
    if trails:
        from moto.cloudtrail.models import cloudtrail_backends

        for trail_item in trails:
            with contextlib.suppress(Exception):
                region = str(trail_item["arn"]).split(":")[3]
                trail = cloudtrail_backends[account][region].trails[trail_item["resourceId"]]
                custom = bool(trail.event_selectors or trail.advanced_event_selectors)
                trail_item["configuration"]["hasCustomEventSelectors"] = custom
                trail_item["configuration"]["hasInsightSelectors"] = bool(trail.insight_selectors)
    return items


def _stock_items(account: str, region: str, rtype: str) -> list[Item]:
    """S3 buckets and IAM roles from moto's own Config adapters, in the item shape."""
    from moto.config.models import RESOURCE_MAP

    query = RESOURCE_MAP.get(rtype)
    if query is None:
        return []
    with contextlib.suppress(Exception):
        listed, _ = query.list_config_service_resources(
            account, "aws", None, None, 100_000, None, backend_region=region
        )
        items = []
        for ident in listed:
            if rtype == "AWS::S3::Bucket" and ident.get("region") != region:
                continue
            item = query.get_config_resource(
                account, "aws", ident["id"], resource_name=ident.get("name"), backend_region=region
            )
            if item:
                item["accountId"] = account
                item.setdefault("relationships", [])
                item["configuration"] = _loads(item.get("configuration"))
                item["supplementaryConfiguration"] = {
                    k: _loads(_loads(v))
                    for k, v in (item.get("supplementaryConfiguration") or {}).items()
                }
                item["configurationItemCaptureTime"] = _now()
                item.pop("resourceCreationTime", None)
                if isinstance(item.get("tags"), list):
                    item["tags"] = {
                        t.get("key", t.get("Key")): t.get("value", t.get("Value"))
                        for t in item["tags"]
                    }
                items.append(item)
        return items
    return []


def _loads(value: Any) -> Any:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def api_backed_types() -> frozenset[str]:
    """Types served by running blindspot's own direct-API collectors against moto.

    Real Config records far more types than this module builds natively (trails, log
    groups, API Gateway, CloudFront ...). So that a simulated region whose recorder records
    everything does not look empty of them, their items are built from what
    `collectors.inventory.api` finds in moto's state, in Config's item shape.
    """
    return frozenset(API_TYPES) - SERVED_TYPES


def servable_types() -> frozenset[str]:
    return SERVED_TYPES | api_backed_types()


_ARN_TARGETS: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern), rtype, by_name)
    for pattern, rtype, by_name in (
        *((rf"^arn:[^:]+:ec2:[^:]*:\d*:{path}/(.+)$", rtype, False)
          for rtype, path in _EC2_ARN_PATHS.items()),
        (r"^arn:[^:]+:s3:::([^/]+)$", "AWS::S3::Bucket", False),
        (r"^arn:[^:]+:iam::\d+:role/(?:.*/)?([^/]+)$", "AWS::IAM::Role", True),
        (r"^arn:[^:]+:lambda:[^:]+:\d+:function:([^:]+)$", "AWS::Lambda::Function", False),
        (r"^arn:[^:]+:rds:[^:]+:\d+:db:(.+)$", "AWS::RDS::DBInstance", True),
        (r"^arn:[^:]+:rds:[^:]+:\d+:cluster:(.+)$", "AWS::RDS::DBCluster", True),
        (r"^(arn:[^:]+:elasticloadbalancing:[^:]+:\d+:loadbalancer/(?:app|net|gwy)/.+)$",
         "AWS::ElasticLoadBalancingV2::LoadBalancer", False),
    )
)  # fmt: skip


def _target_from_arn(arn: str) -> tuple[str, str | None, str | None] | None:
    """(type, resourceId, resourceName) of a natively served resource, from its ARN."""
    for pattern, rtype, by_name in _ARN_TARGETS:
        if match := pattern.match(arn):
            return (rtype, None, match.group(1)) if by_name else (rtype, match.group(1), None)
    return None


_NESTED: dict[tuple[str, str | None], Any] = {}
_NESTED_LOCK = threading.Lock()
#: The moto server's own address while a Config request is served by ThreadedMotoServer.
_REQUEST = threading.local()
_LOOPBACK = re.compile(r"^(?:127\.\d+\.\d+\.\d+|0\.0\.0\.0|localhost|\[::1\])(?::\d+)?$")


class _EndpointSession:
    """A boto3 session whose clients all go to one endpoint (the moto server itself)."""

    def __init__(self, session: Any, endpoint: str) -> None:
        self._session, self._endpoint = session, endpoint

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _nested_context(account: str, endpoint: str | None) -> Any:
    """A cached AwsContext whose requests moto attributes to `account` (clients are costly)."""
    with _NESTED_LOCK:
        aws = _NESTED.get((account, endpoint))
        if aws is None:
            session: Any = boto3.Session(
                aws_access_key_id="AKIAMOTOCONFIGEXT000",
                aws_secret_access_key="moto-config-extension",
                region_name="us-east-1",
            )

            def name_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            session.events.register("before-sign.*.*", name_account)
            if endpoint:
                session = _EndpointSession(session, endpoint)
            aws = _NESTED[(account, endpoint)] = AwsContext(session, account=account)
        return aws


def _response_call_action(self: Any) -> Any:
    """ConfigResponse.call_action, remembering the server's address if it is a local one."""
    from moto.core.responses import BaseResponse

    host = str(getattr(self, "headers", {}).get("Host") or "")
    _REQUEST.endpoint = f"http://{host}" if _LOOPBACK.match(host) else None
    try:
        return BaseResponse.call_action(self)
    finally:
        _REQUEST.endpoint = None


def _api_backed_items(account: str, region: str, types: frozenset[str]) -> list[Item]:
    """Config items for `types` from blindspot's direct-API collectors run against moto.

    In process under `mock_aws` the nested calls are answered by moto before they leave
    the process; under ThreadedMotoServer they go to the server's own loopback address;
    otherwise (they would reach the network) nothing is served. The nested clients name
    the account with moto's `x-moto-account-id` header.
    """
    from moto.core.models import botocore_stubber

    # In process (mock_aws) moto answers before anything leaves; under ThreadedMotoServer
    # the nested calls go back to the server itself; otherwise nothing is served.
    endpoint = None if botocore_stubber.enabled else getattr(_REQUEST, "endpoint", None)
    if not types or not (botocore_stubber.enabled or endpoint):
        return []
    aws = _nested_context(account, endpoint)
    with contextlib.suppress(Exception):
        # Only the families of the wanted types are listed (a history call for one trail
        # lists trails, nothing else); relationship targets outside them come from ARNs.
        inventory = ApiSource(aws, regions=[region], global_region="us-east-1").collect_region(
            account, region, skip_types=api_backed_types() - types
        )
        by_id = {
            item.id: (item.type, item.resource.resource_id or item.id, None)
            for item in inventory.resources.values()
        }
        outgoing: dict[str, list[Rel]] = {}
        for rel in inventory.relationships:
            # A natively served target is named as its own item names it (an ELBv2 load
            # balancer by its ARN, a role by its name), not by the API inventory's id.
            target = _target_from_arn(rel.target) or by_id.get(rel.target)
            if target is not None:
                outgoing.setdefault(rel.source, []).append((rel.name, *target))
        return [
            _item(account, region, res.type, res.resource_id or res.id, res.id,
                  name=res.name or None, configuration=collected.configuration,
                  supplementary=collected.supplementary, tags=res.tags,
                  relationships=outgoing.get(res.id, []))
            for collected in inventory.resources.values()
            if (res := collected.resource).type in types
        ]  # fmt: skip
    return []


_BUILDERS: dict[str, Callable[[str, str], list[Item]]] = {
    "ec2": _ec2_items,
    "elbv2": _elbv2_items,
    "rds": _rds_items,
    "lambda": _lambda_items,
    "iam": lambda account, region: _stock_items(account, region, "AWS::IAM::Role"),
    "s3": lambda account, region: _stock_items(account, region, "AWS::S3::Bucket"),
    "flowlogs": _flow_log_items,
    "recorders": _recorder_items,
    "guardduty": _detector_items,
    "stepfunctions": _state_machine_items,
    "resolver": _query_log_association_items,
}


def recorded_types(account: str, region: str) -> frozenset[str]:
    """The types this extension serves that the region's recorder records (empty if off)."""
    servable = servable_types()
    from moto.config.models import config_backends

    if region not in config_backends[account]:
        return frozenset()
    backend = config_backends[account][region]
    for recorder in backend.recorders.values():
        if not recorder.status.recording:
            continue
        group = recorder.recording_group
        if group is None:
            return servable
        strategy = (getattr(group, "recording_strategy", None) or {}).get("useOnly")
        if strategy == "EXCLUSION_BY_RESOURCE_TYPES":
            excluded = (group.exclusion_by_resource_types or {}).get("resourceTypes") or []
            return servable - set(excluded)
        if group.all_supported:
            types = set(servable)
            if group.include_global_resource_types is False:
                types -= GLOBAL_TYPES
            return frozenset(types)
        return frozenset(set(group.resource_types or []) & servable)
    return frozenset()


#: While `frozen()` is active: every item of an account-region, built once.
_FROZEN: dict[tuple[str, str], list[Item]] | None = None


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Build each account-region's items once for the duration of the block.

    Only for a block in which moto's state does not change (a collection of a finished
    organization): items are otherwise rebuilt on every request, as Config would reflect
    any change, and the aggregate queries of one collection (a count, then one query per
    account) would run the nested API collectors several times for the same region.
    """
    global _FROZEN
    outer = _FROZEN
    _FROZEN = {} if outer is None else outer
    try:
        yield
    finally:
        _FROZEN = outer


def region_items(account: str, region: str, types: Any = None) -> list[Item]:
    """Every item Config would hold for an account-region, honouring its recorder."""
    cache = _FROZEN
    if cache is not None:
        if (account, region) not in cache:
            cache[(account, region)] = _region_items(account, region, None)
        wanted = None if types is None else set(types)
        return [
            i for i in cache[(account, region)] if wanted is None or i["resourceType"] in wanted
        ]
    return _region_items(account, region, types)


def _region_items(account: str, region: str, types: Any = None) -> list[Item]:
    recorded = recorded_types(account, region)
    if types is not None:
        recorded = recorded & set(types)
    if not recorded:
        return []
    items: list[Item] = []
    for family, builder in _BUILDERS.items():
        if recorded & _BUILDER_TYPES[family]:
            items.extend(i for i in builder(account, region) if i["resourceType"] in recorded)
    items.extend(_api_backed_items(account, region, frozenset(recorded - SERVED_TYPES)))
    return _with_log_settings(account, items)


# ------------------------------------------------------------------- API shapes


def _base_item(item: Item) -> Item:
    """BatchGet's BaseConfigurationItem: no relationships or tags; JSON strings for configs."""
    keep = {
        k: v
        for k, v in item.items()
        if k not in ("relationships", "tags", "relatedEvents", "configurationItemMD5Hash")
    }
    keep["configuration"] = json.dumps(item["configuration"], default=str)
    keep["supplementaryConfiguration"] = {
        k: json.dumps(v, default=str) for k, v in item["supplementaryConfiguration"].items()
    }
    return keep


def _history_item(item: Item) -> Item:
    out = dict(item)
    out["configuration"] = json.dumps(item["configuration"], default=str)
    out["supplementaryConfiguration"] = {
        k: json.dumps(v, default=str) for k, v in item["supplementaryConfiguration"].items()
    }
    return out


def _find(items: list[Item], rtype: str, rid: str | None, name: str | None = None) -> Item | None:
    for item in items:
        if item["resourceType"] == rtype and (
            (rid and item["resourceId"] == rid) or (name and item.get("resourceName") == name)
        ):
            return item
    return None


_SELECT_RE = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+GROUP\s+BY\s+(?P<group>[\w.,\s]+?))?\s*$",
    re.I | re.S,
)
_CONDITION_RE = re.compile(
    r"^(?P<field>\w+)\s*(?:=\s*'(?P<one>(?:[^']|'')*)'|IN\s*\((?P<many>[^)]*)\))$",
    re.I | re.S,
)
#: The item fields a WHERE condition may test (the ones the collectors partition by).
_FILTER_FIELDS = {
    "resourcetype": "resourceType",
    "accountid": "accountId",
    "awsregion": "awsRegion",
}
COUNT_FIELD = "COUNT(*)"


class InvalidExpression(ValueError):
    pass


@dataclass(frozen=True)
class Query:
    """The subset of Config's SQL the collectors use.

    `SELECT f[, ...] [WHERE c [AND c ...]] [GROUP BY g[, ...]]` where each condition is
    `field = 'v'` or `field IN ('v', ...)` on resourceType, accountId or awsRegion, and a
    grouped query selects the group fields and `COUNT(*)`.
    """

    fields: tuple[str, ...]
    where: tuple[tuple[str, frozenset[str]], ...] = ()
    group_by: tuple[str, ...] = ()

    def allowed(self, field: str) -> frozenset[str] | None:
        """The values of `field` the query is limited to (None: any)."""
        sets = [values for name, values in self.where if name == field]
        return frozenset.intersection(*sets) if sets else None

    @property
    def types(self) -> frozenset[str] | None:
        return self.allowed("resourceType")

    def matches(self, item: Item) -> bool:
        return all(str(item.get(field)) in values for field, values in self.where)


def _literals(text: str) -> frozenset[str]:
    return frozenset(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", text))


def parse_select(expression: str) -> Query:
    """The query of an advanced-query expression; InvalidExpression outside the subset."""
    match = _SELECT_RE.match(expression or "")
    if match is None:
        raise InvalidExpression(expression)
    fields = tuple(f.strip() for f in match.group("fields").split(",") if f.strip())
    where: list[tuple[str, frozenset[str]]] = []
    if match.group("where"):
        for condition in re.split(r"\s+AND\s+", match.group("where").strip(), flags=re.I):
            found = _CONDITION_RE.match(condition.strip())
            field = _FILTER_FIELDS.get((found.group("field") if found else "").lower())
            if found is None or field is None:
                raise InvalidExpression(expression)
            one = found.group("one")
            values = _literals(f"'{one}'") if one is not None else _literals(found.group("many"))
            where.append((field, values))
    group = tuple(g.strip() for g in (match.group("group") or "").split(",") if g.strip())
    if group and set(fields) != {*group, COUNT_FIELD}:
        raise InvalidExpression(expression)
    return Query(fields, tuple(where), group)


def _select_row(item: Item, fields: list[str]) -> dict[str, Any]:
    """A result row as advanced queries give it (relationships named with `name`)."""
    source = dict(item)
    source["tags"] = [{"key": k, "value": v} for k, v in (item.get("tags") or {}).items()]
    source["relationships"] = [
        {
            k: v
            for k, v in {
                "resourceId": r.get("resourceId"),
                "resourceName": r.get("resourceName"),
                "resourceType": r["resourceType"],
                "name": r["relationshipName"],
            }.items()
            if v
        }
        for r in item["relationships"]
    ]
    if fields == ["*"]:
        return {
            k: v
            for k, v in source.items()
            if k not in ("relatedEvents", "configurationItemMD5Hash")
        }
    row: dict[str, Any] = {}
    for field in fields:
        value: Any = source
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            target = row
            parts = field.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
    return row


#: Result sets of queries being paged through, by query id (a page token is "id:offset"),
#: so that a query is evaluated once, not once a page (and pages stay consistent).
_RESULTS: dict[str, list[Any]] = {}
_RESULTS_KEPT = 64


def _paginate(
    compute: Callable[[], list[Any]], limit: Any, token: Any, default: int
) -> tuple[list[Any], str | None]:
    query, _, offset = str(token or "").partition(":")
    rows = _RESULTS.get(query) if token else None
    if rows is None:
        query, rows, offset = uuid.uuid4().hex, compute(), "0"
    start = int(offset) if offset.isdigit() else 0
    size = int(limit) if limit else default
    page = rows[start : start + size]
    if start + size < len(rows):
        _RESULTS[query] = rows
        while len(_RESULTS) > _RESULTS_KEPT:
            _RESULTS.pop(next(iter(_RESULTS)))
        return page, f"{query}:{start + size}"
    _RESULTS.pop(query, None)
    return page, None


def _select(
    items: Callable[[Query], list[Item]],
    expression: str,
    limit: Any,
    token: Any,
) -> dict[str, Any]:
    """One page of an advanced query; `items(query)` gives the candidate items."""
    from moto.config.exceptions import InvalidLimitException, InvalidParameterValueException

    if limit and int(limit) > 100:  # the shape's range is 0-100
        raise InvalidLimitException(limit)
    try:
        query = parse_select(expression)
    except InvalidExpression:
        raise InvalidParameterValueException(f"Invalid expression: {expression}") from None

    def rows() -> list[str]:
        chosen = [i for i in items(query) if query.matches(i)]
        if not query.group_by:
            return [json.dumps(_select_row(i, list(query.fields)), default=str) for i in chosen]
        counts: dict[tuple[str, ...], int] = {}
        for item in chosen:
            key = tuple(str(item.get(g)) for g in query.group_by)
            counts[key] = counts.get(key, 0) + 1
        return [
            json.dumps({**dict(zip(query.group_by, key, strict=True)), COUNT_FIELD: count})
            for key, count in sorted(counts.items())
        ]

    page, nxt = _paginate(rows, limit, token, 500 if query.group_by else 25)
    response: dict[str, Any] = {
        "Results": page,
        "QueryInfo": {"SelectFields": [{"Name": f} for f in query.fields]},
    }
    if nxt:
        response["NextToken"] = nxt
    return response


def _aggregator_scope(backend: Any, name: str) -> list[tuple[str, str]]:
    """The (account, region) pairs an aggregator covers."""
    from moto.config.exceptions import NoSuchConfigurationAggregatorException
    from moto.config.models import config_backends

    aggregator = backend.config_aggregators.get(name)
    if aggregator is None:
        raise NoSuchConfigurationAggregatorException()
    pairs: list[tuple[str, str]] = []
    all_regions = list(config_backends[backend.account_id].regions)
    for source in aggregator.account_aggregation_sources or []:
        regions = all_regions if source.all_aws_regions else list(source.aws_regions or [])
        pairs += [(acct, region) for acct in source.account_ids for region in regions]
    org = aggregator.organization_aggregation_source
    if org is not None:
        regions = all_regions if org.all_aws_regions else list(org.aws_regions or [])
        for acct in _organization_accounts(backend.account_id):
            pairs += [(acct, region) for region in regions]
    return pairs


def _organization_accounts(account: str) -> list[str]:
    from moto.organizations.models import organizations_backends

    with contextlib.suppress(Exception):
        org = organizations_backends[account]["aws"]
        accounts = [a.id for a in org.accounts]
        if accounts:
            return accounts
    return [account]


def _aggregate_items(
    backend: Any, name: str, types: Any = None, *, accounts: frozenset[str] | None = None
) -> list[Item]:
    items: list[Item] = []
    for account, region in _aggregator_scope(backend, name):
        if accounts is not None and account not in accounts:
            continue
        # Only a region whose Config backend exists can have a recorder (and so items).
        if _config_touched(account, region):
            items.extend(region_items(account, region, types))
    return items


def _config_touched(account: str, region: str) -> bool:
    """Whether moto has a Config backend with a recorder there, without creating one."""
    from moto.config.models import config_backends

    created = config_backends[account]
    return dict.__contains__(created, region) and bool(created[region].recorders)


# ------------------------------------------------------------------- patches

#: The fields of a listed resource identifier, from an item's: (response field, item field);
#: the last, the name, only when the item has one. Then the names of the response's list
#: and of its next-page token.
_IDENTIFIER_FIELDS = (
    (("resourceType", "resourceType"), ("resourceId", "resourceId")),
    ("resourceName", "resourceIdentifiers", "nextToken"),
)
_AGGREGATE_IDENTIFIER_FIELDS = (
    (
        ("SourceAccountId", "accountId"),
        ("SourceRegion", "awsRegion"),
        ("ResourceId", "resourceId"),
        ("ResourceType", "resourceType"),
    ),
    ("ResourceName", "ResourceIdentifiers", "NextToken"),
)


def _identifiers_page(
    items: Callable[[], list[Item]],
    limit: Any,
    next_token: Any,
    fields: tuple[tuple[tuple[str, str], ...], tuple[str, str, str]],
) -> dict[str, Any]:
    """One page (at most `limit`, 100 by default) of the identifiers of `items`."""
    pairs, (name, listed, token) = fields
    page, nxt = _paginate(items, limit, next_token, 100)
    result: dict[str, Any] = {
        listed: [
            {
                **{out: i[field] for out, field in pairs},
                **({name: i["resourceName"]} if i.get("resourceName") else {}),
            }
            for i in page
        ]
    }
    if nxt:
        result[token] = nxt
    return result


def _list_discovered_resources(
    self: Any,
    resource_type: str,
    resource_ids: Any,
    resource_name: Any,
    limit: Any,
    next_token: Any,
) -> dict[str, Any]:
    def items() -> list[Item]:
        return [
            i
            for i in region_items(self.account_id, self.region_name, {resource_type})
            if (not resource_ids or i["resourceId"] in resource_ids)
            and (not resource_name or i.get("resourceName") == resource_name)
        ]

    return _identifiers_page(items, limit, next_token, _IDENTIFIER_FIELDS)


def _batch_get_resource_config(
    self: Any, resource_keys: list[dict[str, str]], backend_region: str
) -> dict[str, Any]:
    from moto.config.exceptions import TooManyResourceKeys

    if len(resource_keys) > 100:
        raise TooManyResourceKeys(["ResourceKey"] * len(resource_keys))
    items = region_items(
        self.account_id, backend_region, {k["resourceType"] for k in resource_keys}
    )
    found = [_find(items, k["resourceType"], k["resourceId"]) for k in resource_keys]
    return {
        # AWS omits an empty unprocessedResourceKeys (the shape's minimum length is 1).
        "baseConfigurationItems": [_base_item(i) for i in found if i],
    }


def _get_resource_config_history(
    self: Any, resource_type: str, resource_id: str, backend_region: str
) -> dict[str, Any]:
    from moto.config.exceptions import ResourceNotDiscoveredException

    item = _find(
        region_items(self.account_id, backend_region, {resource_type}), resource_type, resource_id
    )
    if item is None:
        raise ResourceNotDiscoveredException(resource_type, resource_id)
    return {"configurationItems": [_history_item(item)]}


def _list_aggregate_discovered_resources(
    self: Any, aggregator_name: str, resource_type: str, filters: Any, limit: Any, next_token: Any
) -> dict[str, Any]:
    from moto.config.exceptions import InvalidLimitException

    if limit and int(limit) > 100:
        raise InvalidLimitException(limit)
    filters = filters or {}
    _aggregator_scope(self, aggregator_name)  # NoSuchConfigurationAggregator first

    def items() -> list[Item]:
        return [
            i
            for i in _aggregate_items(self, aggregator_name, {resource_type})
            if i["resourceType"] == resource_type
            and all(
                filters.get(k) in (None, v)
                for k, v in (
                    ("AccountId", i["accountId"]),
                    ("Region", i["awsRegion"]),
                    ("ResourceId", i["resourceId"]),
                    ("ResourceName", i.get("resourceName")),
                )
            )
        ]

    return _identifiers_page(items, limit, next_token, _AGGREGATE_IDENTIFIER_FIELDS)


def _batch_get_aggregate_resource_config(
    self: Any, aggregator_name: str, resource_identifiers: list[dict[str, str]]
) -> dict[str, Any]:
    from moto.config.exceptions import TooManyResourceKeys

    if len(resource_identifiers) > 100:
        raise TooManyResourceKeys(["AggregateResourceIdentifier"] * len(resource_identifiers))
    scope = set(_aggregator_scope(self, aggregator_name))
    found, missing = [], []
    cache: dict[tuple[str, str], list[Item]] = {}
    wanted = {ident["ResourceType"] for ident in resource_identifiers}
    for ident in resource_identifiers:
        place = (ident["SourceAccountId"], ident["SourceRegion"])
        if place[1] == "global":
            candidates = [p for p in scope if p[0] == place[0]]
        else:
            candidates = [place] if place in scope else []
        item = None
        for cand in candidates:
            if cand not in cache:
                cache[cand] = region_items(*cand, wanted)
            item = _find(cache[cand], ident["ResourceType"], ident["ResourceId"])
            if item:
                break
        if item:
            base = _base_item(item)
            found.append(base)
        else:
            missing.append(ident)
    result: dict[str, Any] = {"BaseConfigurationItems": found}
    if missing:  # omitted when empty, as AWS does (the shape's minimum length is 1)
        result["UnprocessedResourceIdentifiers"] = missing
    return result


def _response_get_aggregate_resource_config(self: Any) -> str:
    """The full configuration item (relationships included) of one aggregated resource."""
    from moto.config.exceptions import ResourceNotDiscoveredException

    params = json.loads(self.body or "{}")
    ident = params.get("ResourceIdentifier") or {}
    scope = _aggregator_scope(self.config_backend, params.get("ConfigurationAggregatorName", ""))
    account, region = ident.get("SourceAccountId"), ident.get("SourceRegion")
    places = [p for p in scope if p[0] == account and (region == "global" or p[1] == region)]
    for place in places:
        rtype = ident.get("ResourceType", "")
        item = _find(region_items(*place, {rtype}), rtype, ident.get("ResourceId"))
        if item is not None:
            return json.dumps({"ConfigurationItem": _history_item(item)}, default=str)
    raise ResourceNotDiscoveredException(
        ident.get("ResourceType") or "", ident.get("ResourceId") or ""
    )


def _response_select_resource_config(self: Any) -> str:
    params = json.loads(self.body or "{}")
    account, region = self.current_account, self.region
    return json.dumps(
        _select(
            lambda query: region_items(account, region, query.types),
            params.get("Expression", ""),
            params.get("Limit"),
            params.get("NextToken"),
        )
    )


def _response_select_aggregate_resource_config(self: Any) -> str:
    params = json.loads(self.body or "{}")
    backend, name = self.config_backend, params.get("ConfigurationAggregatorName", "")
    _aggregator_scope(backend, name)  # NoSuchConfigurationAggregator before anything else
    limit = params.get("Limit") or params.get("MaxResults")
    return json.dumps(
        _select(
            lambda query: _aggregate_items(
                backend, name, query.types, accounts=query.allowed("accountId")
            ),
            params.get("Expression", ""),
            limit,
            params.get("NextToken"),
        )
    )


def _response_describe_aggregator_sources_status(self: Any) -> str:
    """One SUCCEEDED status per source and region (moto 5.2 lacks the call).

    Account sources are listed per account and region; an organization source per region,
    with the organization's id, as AWS lists it.
    """
    from moto.config.exceptions import NoSuchConfigurationAggregatorException
    from moto.config.models import config_backends

    params = json.loads(self.body or "{}")
    backend = self.config_backend
    aggregator = backend.config_aggregators.get(params.get("ConfigurationAggregatorName", ""))
    if aggregator is None:
        raise NoSuchConfigurationAggregatorException()
    all_regions = list(config_backends[backend.account_id].regions)
    now = datetime.now(UTC).timestamp()
    statuses: list[dict[str, Any]] = []
    for source in aggregator.account_aggregation_sources or []:
        regions = all_regions if source.all_aws_regions else list(source.aws_regions or [])
        statuses += [
            {"SourceId": account, "SourceType": "ACCOUNT", "AwsRegion": region}
            for account in source.account_ids
            for region in regions
        ]
    org = aggregator.organization_aggregation_source
    if org is not None:
        regions = all_regions if org.all_aws_regions else list(org.aws_regions or [])
        organization = _organization_id(backend.account_id)
        statuses += [
            {"SourceId": organization, "SourceType": "ORGANIZATION", "AwsRegion": region}
            for region in regions
        ]
    for status in statuses:
        status.update(LastUpdateStatus="SUCCEEDED", LastUpdateTime=now)
    return json.dumps({"AggregatedSourceStatusList": statuses})


def _organization_id(account: str) -> str:
    from moto.organizations.models import organizations_backends

    with contextlib.suppress(Exception):
        org = organizations_backends[account]["aws"].org
        return str(org.id) if org is not None else ""
    return ""


def _targets() -> list[tuple[Any, str, Any]]:
    from moto.config.models import ConfigBackend
    from moto.config.responses import ConfigResponse

    return [
        (ConfigBackend, "list_discovered_resources", _list_discovered_resources),
        (ConfigBackend, "batch_get_resource_config", _batch_get_resource_config),
        (ConfigBackend, "get_resource_config_history", _get_resource_config_history),
        (
            ConfigBackend,
            "list_aggregate_discovered_resources",
            _list_aggregate_discovered_resources,
        ),
        (
            ConfigBackend,
            "batch_get_aggregate_resource_config",
            _batch_get_aggregate_resource_config,
        ),
        (ConfigResponse, "call_action", _response_call_action),
        (
            ConfigResponse,
            "describe_configuration_aggregator_sources_status",
            _response_describe_aggregator_sources_status,
        ),
        (ConfigResponse, "select_resource_config", _response_select_resource_config),
        (ConfigResponse, "get_aggregate_resource_config", _response_get_aggregate_resource_config),
        (
            ConfigResponse,
            "select_aggregate_resource_config",
            _response_select_aggregate_resource_config,
        ),
    ]


_saved: list[tuple[Any, str, Any]] = []
_MISSING = object()


def install() -> None:
    """Patch moto's Config (idempotent). Undo with `uninstall()`."""
    if _saved:
        return
    for owner, name, replacement in _targets():
        _saved.append((owner, name, owner.__dict__.get(name, _MISSING)))
        setattr(owner, name, replacement)


def uninstall() -> None:
    """Restore moto's Config exactly as it was."""
    while _saved:
        owner, name, original = _saved.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def is_installed() -> bool:
    return bool(_saved)


@contextlib.contextmanager
def registered() -> Iterator[None]:
    """The extension for the duration of a `with` block (no-op if already installed)."""
    already = is_installed()
    install()
    try:
        yield
    finally:
        if not already:
            uninstall()
