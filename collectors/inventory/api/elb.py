"""Load balancers: classic ELB, ALB/NLB/GWLB, their target groups and listeners.

Attributes (`access_logs.s3.enabled` ...) are kept in `supplementary.LoadBalancerAttributes`
as AWS Config does, so the access-log probe reads them instead of calling again.
"""

from __future__ import annotations

from ._common import ApiRegion, arn, paginate, tags_from, to_config_shape
from .ec2 import ec2_arn, relate_security_groups, subnet_id, vpc_id

CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
V2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
TYPES = (CLASSIC, V2, TARGET_GROUP, LISTENER)
GLOBAL = False

_TAG_BATCH = 20  # DescribeTags takes at most 20 ARNs (elbv2) / 20 names (elb)


def collect(ctx: ApiRegion) -> None:
    if ctx.wants(CLASSIC):
        _classic(ctx)
    if ctx.wants(V2, TARGET_GROUP, LISTENER):
        _v2(ctx)


def _classic(ctx: ApiRegion) -> None:
    elb = ctx.client("elb")
    with ctx.listing("elasticloadbalancing", "DescribeLoadBalancers", CLASSIC):
        balancers = list(paginate(elb, "describe_load_balancers", "LoadBalancerDescriptions"))
        tags: dict[str, dict[str, str]] = {}
        names = [lb["LoadBalancerName"] for lb in balancers]
        for start in range(0, len(names), _TAG_BATCH):
            with ctx.detail("elasticloadbalancing", "DescribeTags"):
                response = elb.describe_tags(LoadBalancerNames=names[start : start + _TAG_BATCH])
                for entry in response.get("TagDescriptions") or []:
                    tags[entry["LoadBalancerName"]] = tags_from(entry.get("Tags"))
        for lb in balancers:
            name = lb["LoadBalancerName"]
            lid = arn("elasticloadbalancing", ctx.region, ctx.account, f"loadbalancer/{name}")
            supplementary = {}
            with ctx.detail("elasticloadbalancing", "DescribeLoadBalancerAttributes"):
                attributes = elb.describe_load_balancer_attributes(LoadBalancerName=name)
                supplementary["LoadBalancerAttributes"] = to_config_shape(
                    attributes.get("LoadBalancerAttributes") or {}
                )
            ctx.add(
                CLASSIC,
                lid,
                resource_id=name,
                name=name,
                tags=tags.get(name, {}),
                configuration=to_config_shape(lb),
                supplementary=supplementary,
            )
            for subnet in lb.get("Subnets") or []:
                ctx.relate(lid, subnet_id(ctx, subnet), "Is attached to Subnet")
            ctx.relate(lid, vpc_id(ctx, lb.get("VPCId")), "Is contained in Vpc")
            relate_security_groups(ctx, lid, lb.get("SecurityGroups"))
            for instance in lb.get("Instances") or []:
                ctx.relate(
                    lid,
                    ec2_arn(ctx, "instance", instance["InstanceId"]),
                    "Is associated with Instance",
                )


def _v2_tags(ctx: ApiRegion, client, arns: list[str]) -> dict[str, dict[str, str]]:
    tags: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), _TAG_BATCH):
        with ctx.detail("elasticloadbalancing", "DescribeTags"):
            response = client.describe_tags(ResourceArns=arns[start : start + _TAG_BATCH])
            for entry in response.get("TagDescriptions") or []:
                tags[entry["ResourceArn"]] = tags_from(entry.get("Tags"))
    return tags


def _v2(ctx: ApiRegion) -> None:
    client = ctx.client("elbv2")
    balancers: list[dict] = []
    with ctx.listing("elasticloadbalancing", "DescribeLoadBalancers", V2):
        balancers = list(paginate(client, "describe_load_balancers", "LoadBalancers"))
        tags = _v2_tags(ctx, client, [lb["LoadBalancerArn"] for lb in balancers])
        for lb in balancers:
            lid = lb["LoadBalancerArn"]
            supplementary = {}
            with ctx.detail("elasticloadbalancing", "DescribeLoadBalancerAttributes"):
                attributes = client.describe_load_balancer_attributes(LoadBalancerArn=lid)
                supplementary["LoadBalancerAttributes"] = to_config_shape(
                    attributes.get("Attributes") or []
                )
            ctx.add(
                V2,
                lid,
                resource_id=lid.split("loadbalancer/", 1)[-1],
                name=lb.get("LoadBalancerName", ""),
                tags=tags.get(lid, {}),
                configuration=to_config_shape(lb),
                supplementary=supplementary,
            )
            for zone in lb.get("AvailabilityZones") or []:
                ctx.relate(lid, subnet_id(ctx, zone.get("SubnetId")), "Is attached to Subnet")
            ctx.relate(lid, vpc_id(ctx, lb.get("VpcId")), "Is contained in Vpc")
            relate_security_groups(ctx, lid, lb.get("SecurityGroups"))
    if ctx.wants(TARGET_GROUP):
        with ctx.listing("elasticloadbalancing", "DescribeTargetGroups", TARGET_GROUP):
            groups = list(paginate(client, "describe_target_groups", "TargetGroups"))
            tags = _v2_tags(ctx, client, [group["TargetGroupArn"] for group in groups])
            for group in groups:
                _add_target_group(ctx, client, group, tags.get(group["TargetGroupArn"], {}))
    if ctx.wants(LISTENER):
        with ctx.listing("elasticloadbalancing", "DescribeListeners", LISTENER):
            for lb in balancers:
                for listener in paginate(
                    client, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]
                ):
                    lid = listener["ListenerArn"]
                    ctx.add(
                        LISTENER,
                        lid,
                        resource_id=lid.split("listener/", 1)[-1],
                        name=f"{lb.get('LoadBalancerName', '')}:{listener.get('Port', '')}",
                        configuration=to_config_shape(listener),
                    )
                    ctx.relate(
                        lid, listener.get("LoadBalancerArn"), "Is associated with LoadBalancer"
                    )


def _add_target_group(ctx: ApiRegion, client, group: dict, tags: dict[str, str]) -> None:
    gid = group["TargetGroupArn"]
    ctx.add(
        TARGET_GROUP,
        gid,
        resource_id=gid.split("targetgroup/", 1)[-1],
        name=group.get("TargetGroupName", ""),
        tags=tags,
        configuration=to_config_shape(group),
    )
    ctx.relate(gid, vpc_id(ctx, group.get("VpcId")), "Is contained in Vpc")
    for balancer in group.get("LoadBalancerArns") or []:
        ctx.relate(gid, balancer, "Is associated with LoadBalancer")
    target_type = group.get("TargetType")
    if target_type not in ("instance", "alb", "lambda"):
        return  # ip targets name no resource
    with ctx.detail("elasticloadbalancing", "DescribeTargetHealth"):
        health = client.describe_target_health(TargetGroupArn=gid)
        for description in health.get("TargetHealthDescriptions") or []:
            target = (description.get("Target") or {}).get("Id")
            if not target:
                continue
            if target_type == "instance":
                ctx.relate(gid, ec2_arn(ctx, "instance", target), "Is associated with Instance")
            elif target_type == "alb":
                ctx.relate(gid, target, "Is associated with LoadBalancer")
            else:
                ctx.relate(gid, target, "Is associated with Function")
