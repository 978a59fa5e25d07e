"""EC2 and VPC networking: VPCs, subnets, security groups, instances, ENIs, gateways.

Relationship names are the ones AWS Config writes in these types' configuration items
(aws-config-rdk `rdk/template/example_ci/AWS_EC2_*.json`): only direct ones, as Config has
recorded since 2021; the graph walks edges both ways, so no reverse edge is added here.
"""

from __future__ import annotations

from collections.abc import Iterable

from snapshot.model import Origin

from ..config_item_fields import short_type_name
from ..config_relations import infer_eni_owner
from ._common import ApiRegion, arn, name_tag, paginate, tags_from, to_config_shape

VPC = "AWS::EC2::VPC"
SUBNET = "AWS::EC2::Subnet"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
INSTANCE = "AWS::EC2::Instance"
ENI = "AWS::EC2::NetworkInterface"
INTERNET_GATEWAY = "AWS::EC2::InternetGateway"
NAT_GATEWAY = "AWS::EC2::NatGateway"
TRANSIT_GATEWAY = "AWS::EC2::TransitGateway"

TYPES = (
    VPC,
    SUBNET,
    SECURITY_GROUP,
    INSTANCE,
    ENI,
    INTERNET_GATEWAY,
    NAT_GATEWAY,
    TRANSIT_GATEWAY,
)
GLOBAL = False

#: Terminated instances and deleted NAT gateways stay listed for a while; AWS Config marks
#: them deleted, and they have no logs left to cover.
LIVE_INSTANCES = {
    "Name": "instance-state-name",
    "Values": ["pending", "running", "shutting-down", "stopping", "stopped"],
}
LIVE_NAT_GATEWAYS = {"Name": "state", "Values": ["pending", "available", "failed"]}


def ec2_arn(ctx: ApiRegion, kind: str, resource_id: str) -> str:
    """Config's ARN for an EC2 resource, e.g. arn:aws:ec2:r:acct:subnet/subnet-1."""
    return arn("ec2", ctx.region, ctx.account, f"{kind}/{resource_id}")


def collect(ctx: ApiRegion) -> None:
    ec2 = ctx.client("ec2")
    if ctx.wants(VPC):
        with ctx.listing("ec2", "DescribeVpcs", VPC):
            for vpc in paginate(ec2, "describe_vpcs", "Vpcs"):
                _add_tagged(ctx, VPC, vpc)
    if ctx.region_unavailable:
        return  # an opt-in region not enabled: one error says it, not one per listing
    if ctx.wants(SUBNET):
        with ctx.listing("ec2", "DescribeSubnets", SUBNET):
            for subnet in paginate(ec2, "describe_subnets", "Subnets"):
                sid = _add_tagged(ctx, SUBNET, subnet)
                ctx.relate(sid, vpc_id(ctx, subnet.get("VpcId")), "Is contained in Vpc")
    if ctx.wants(SECURITY_GROUP):
        with ctx.listing("ec2", "DescribeSecurityGroups", SECURITY_GROUP):
            for group in paginate(ec2, "describe_security_groups", "SecurityGroups"):
                gid = _add_tagged(ctx, SECURITY_GROUP, group, name=group.get("GroupName"))
                ctx.relate(gid, vpc_id(ctx, group.get("VpcId")), "Is contained in Vpc")
    if ctx.wants(INSTANCE):
        with ctx.listing("ec2", "DescribeInstances", INSTANCE):
            for reservation in paginate(
                ec2, "describe_instances", "Reservations", Filters=[LIVE_INSTANCES]
            ):
                for instance in reservation.get("Instances") or []:
                    _add_instance(ctx, instance)
    if ctx.wants(ENI):
        with ctx.listing("ec2", "DescribeNetworkInterfaces", ENI):
            for eni in paginate(ec2, "describe_network_interfaces", "NetworkInterfaces"):
                _add_eni(ctx, eni)
    if ctx.wants(INTERNET_GATEWAY):
        with ctx.listing("ec2", "DescribeInternetGateways", INTERNET_GATEWAY):
            for igw in paginate(ec2, "describe_internet_gateways", "InternetGateways"):
                iid = _add_tagged(ctx, INTERNET_GATEWAY, igw)
                for attachment in igw.get("Attachments") or []:
                    ctx.relate(iid, vpc_id(ctx, attachment.get("VpcId")), "Is attached to Vpc")
    if ctx.wants(NAT_GATEWAY):
        with ctx.listing("ec2", "DescribeNatGateways", NAT_GATEWAY):
            for nat in paginate(
                ec2, "describe_nat_gateways", "NatGateways", Filter=[LIVE_NAT_GATEWAYS]
            ):
                nid = _add_tagged(ctx, NAT_GATEWAY, nat)
                ctx.relate(nid, subnet_id(ctx, nat.get("SubnetId")), "Is contained in Subnet")
                ctx.relate(nid, vpc_id(ctx, nat.get("VpcId")), "Is contained in Vpc")
    if ctx.wants(TRANSIT_GATEWAY):
        with ctx.listing("ec2", "DescribeTransitGateways", TRANSIT_GATEWAY):
            for tgw in paginate(ec2, "describe_transit_gateways", "TransitGateways"):
                _add_tagged(ctx, TRANSIT_GATEWAY, tgw, item_arn=tgw.get("TransitGatewayArn"))


def vpc_id(ctx: ApiRegion, vpc: str | None) -> str | None:
    return ec2_arn(ctx, "vpc", vpc) if vpc else None


def subnet_id(ctx: ApiRegion, subnet: str | None) -> str | None:
    return ec2_arn(ctx, "subnet", subnet) if subnet else None


def security_group_id(ctx: ApiRegion, group: str | None) -> str | None:
    return ec2_arn(ctx, "security-group", group) if group else None


def relate_security_groups(ctx: ApiRegion, rid: str, groups: Iterable[str | None] | None) -> None:
    """`rid` is associated with each of the security groups (ids) `groups`."""
    for group in groups or ():
        ctx.relate(rid, security_group_id(ctx, group), "Is associated with SecurityGroup")


#: Type -> its ARN's resource kind and the Describe item's id key.
_KIND_AND_ID = {
    VPC: ("vpc", "VpcId"),
    SUBNET: ("subnet", "SubnetId"),
    SECURITY_GROUP: ("security-group", "GroupId"),
    INSTANCE: ("instance", "InstanceId"),
    INTERNET_GATEWAY: ("internet-gateway", "InternetGatewayId"),
    NAT_GATEWAY: ("natgateway", "NatGatewayId"),
    TRANSIT_GATEWAY: ("transit-gateway", "TransitGatewayId"),
}


def _add_tagged(
    ctx: ApiRegion, type_: str, item: dict, *, name: str | None = None, item_arn: str | None = None
) -> str:
    """Add one Describe item as Config records it: Config's ARN (unless the API gives one),
    `name` or else its Name tag, configuration in Config's shape. Returns the ARN."""
    kind, id_key = _KIND_AND_ID[type_]
    tags = tags_from(item.get("Tags"))
    item_arn = item_arn or ec2_arn(ctx, kind, item[id_key])
    ctx.add(
        type_,
        item_arn,
        resource_id=item[id_key],
        name=name or name_tag(tags),
        tags=tags,
        configuration=to_config_shape(item),
    )
    return item_arn


def _add_instance(ctx: ApiRegion, instance: dict) -> None:
    iid = _add_tagged(ctx, INSTANCE, instance)
    ctx.relate(iid, subnet_id(ctx, instance.get("SubnetId")), "Is contained in Subnet")
    ctx.relate(iid, vpc_id(ctx, instance.get("VpcId")), "Is contained in Vpc")
    groups = instance.get("SecurityGroups") or []
    relate_security_groups(ctx, iid, (group.get("GroupId") for group in groups))
    for eni in instance.get("NetworkInterfaces") or []:
        if eni.get("NetworkInterfaceId"):
            ctx.relate(
                iid,
                ec2_arn(ctx, "network-interface", eni["NetworkInterfaceId"]),
                "Contains NetworkInterface",
            )
    # No "Is attached to Volume": EBS volumes are not inventoried (no logging control
    # applies to them), so the edge would name a resource the snapshot never holds.


def _add_eni(ctx: ApiRegion, eni: dict) -> None:
    tags = tags_from(eni.get("TagSet"))
    eid = ec2_arn(ctx, "network-interface", eni["NetworkInterfaceId"])
    ctx.add(
        ENI,
        eid,
        resource_id=eni["NetworkInterfaceId"],
        name=name_tag(tags) or eni.get("Description", ""),
        tags=tags,
        configuration=to_config_shape(eni),
    )
    instance = (eni.get("Attachment") or {}).get("InstanceId")
    if instance:
        ctx.relate(eid, ec2_arn(ctx, "instance", instance), "Is attached to Instance")
    ctx.relate(eid, subnet_id(ctx, eni.get("SubnetId")), "Is contained in Subnet")
    ctx.relate(eid, vpc_id(ctx, eni.get("VpcId")), "Is contained in Vpc")
    relate_security_groups(ctx, eid, (group.get("GroupId") for group in eni.get("Groups") or []))


# -- ENI owners AWS Config does not record ------------------------------------------------


def infer_eni_owners(ctx: ApiRegion) -> None:
    """Link ENIs to the load balancer, NAT gateway, Lambda function, endpoint or database
    owning them, with the same rules as the Config path (`config_relations.infer_eni_owner`),
    so both sources give the same graph.

    Config records an ENI only as attached to an instance; the other owners are told by
    `interfaceType`, `description` and `requesterId` (the rules Workload Discovery on AWS
    uses in `createEniRelationship`). RDS ENIs name no instance ("RDSNetworkInterface"): the
    owner is the one DB instance in the ENI's VPC holding all its security groups, if
    exactly one does. Edges are `origin="inferred"`, named "Is attached to <Type>".
    """
    databases = [
        (
            item.id,
            str((item.configuration.get("dBSubnetGroup") or {}).get("vpcId") or ""),
            {
                str(group.get("vpcSecurityGroupId"))
                for group in item.configuration.get("vpcSecurityGroups") or []
            },
        )
        for item in ctx.of_type("AWS::RDS::DBInstance")
    ]
    for item in ctx.of_type(ENI):
        config = item.configuration
        owner = infer_eni_owner(config, account=ctx.account, region=ctx.region)
        if owner is None and _is_rds_eni(config):
            vpc = str(config.get("vpcId") or "")
            groups = {str(group.get("groupId")) for group in config.get("groups") or []}
            matches = [
                db for db, db_vpc, db_groups in databases if db_vpc == vpc and groups <= db_groups
            ]
            if groups and len(matches) == 1:
                owner = (matches[0], "AWS::RDS::DBInstance")
        if owner:
            name = f"Is attached to {short_type_name(owner[1])}"
            ctx.relate(item.id, owner[0], name, Origin.inferred)


def _is_rds_eni(config: dict) -> bool:
    return (
        config.get("description") == "RDSNetworkInterface"
        or config.get("requesterId") == "amazon-rds"
        or config.get("interfaceType") == "rds"
    )
