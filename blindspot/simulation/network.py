"""The network layer of the demo organization: VPCs, subnets, gateways, flow and DNS logs.

Planned coverage (recorded in the ground truth):
* production us-east-1 `prod-vpc`: VPC flow log of ALL traffic to CloudWatch Logs, and a
  Route 53 Resolver query log config associated with it;
* production eu-west-1 `prod-eu-vpc`: no VPC flow log, only a REJECT-only flow log on one
  subnet (partial there, missing on the VPC and the other subnets);
* security us-east-1 `security-tooling-vpc`: VPC flow log of ALL traffic to the log-archive
  bucket (S3 destination);
* development `dev-vpc`: no flow logs and no DNS query logs at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .accounts import BuildContext, SimAccount, service_trust
from .naming import tag_list, tags

FLOW_LOGS_ROLE = "vpc-flow-logs-delivery"


def ec2_arn(account: str, region: str, kind: str, resource_id: str) -> str:
    """The ARN AWS Config reports for an EC2 resource (vpc, subnet, security-group ...)."""
    return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"


@dataclass
class Vpc:
    """What later steps need to place workloads in a VPC."""

    account: str
    region: str
    id: str
    name: str
    subnets: dict[str, str] = field(default_factory=dict)  # name -> subnet id
    security_groups: dict[str, str] = field(default_factory=dict)  # name -> sg id

    def subnet_ids(self, prefix: str) -> list[str]:
        return [sid for name, sid in self.subnets.items() if name.startswith(prefix)]


def _ec2_tags(resource_type: str, values: dict[str, str]) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": tag_list(values)}]


def build_vpc(
    account: SimAccount,
    region: str,
    name: str,
    cidr_prefix: str,
    env: str,
    team: str,
    *,
    tiers: tuple[str, ...] = ("public", "app", "data"),
    nat: bool = True,
) -> Vpc:
    """A VPC with two subnets per tier (two AZs), an IGW, a NAT gateway and tier SGs."""
    ec2 = account.client("ec2", region)
    base = tags(env, team, "cc-1042" if env == "production" else "cc-2077")
    vpc_id = ec2.create_vpc(
        CidrBlock=f"{cidr_prefix}.0.0/16",
        TagSpecifications=_ec2_tags("vpc", {**base, "Name": name}),
    )["Vpc"]["VpcId"]
    vpc = Vpc(account=account.id, region=region, id=vpc_id, name=name)
    for tier_index, tier in enumerate(tiers):
        for az_index, az in enumerate("ab"):
            subnet_name = f"{name.removesuffix('-vpc')}-{tier}-{az}"
            vpc.subnets[subnet_name] = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=f"{cidr_prefix}.{tier_index * 10 + az_index}.0/24",
                AvailabilityZone=f"{region}{az}",
                TagSpecifications=_ec2_tags("subnet", {**base, "Name": subnet_name, "tier": tier}),
            )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway(
        TagSpecifications=_ec2_tags("internet-gateway", {**base, "Name": f"{name}-igw"})
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    public_subnets = vpc.subnet_ids(f"{name.removesuffix('-vpc')}-public")
    if nat and public_subnets:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(
            SubnetId=public_subnets[0],
            AllocationId=allocation,
            TagSpecifications=_ec2_tags("natgateway", {**base, "Name": f"{name}-nat-a"}),
        )
    for tier in tiers:
        sg_name = f"{name.removesuffix('-vpc')}-{tier}-sg"
        vpc.security_groups[sg_name] = ec2.create_security_group(
            GroupName=sg_name,
            Description=f"{tier} tier of {name}",
            VpcId=vpc_id,
            TagSpecifications=_ec2_tags("security-group", {**base, "Name": sg_name}),
        )["GroupId"]
    return vpc


def flow_logs_role(account: SimAccount) -> str:
    """The IAM role VPC Flow Logs assumes to write to CloudWatch Logs (created once)."""
    iam = account.client("iam")
    try:
        return iam.get_role(RoleName=FLOW_LOGS_ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        pass
    trust = service_trust("vpc-flow-logs.amazonaws.com")
    arn = iam.create_role(RoleName=FLOW_LOGS_ROLE, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=FLOW_LOGS_ROLE,
        PolicyName="deliver-flow-logs",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    return arn


def log_group(account: SimAccount, region: str, name: str, retention: int | None) -> str:
    """Create a CloudWatch Logs group (retention in days, or never-expire); returns its ARN."""
    logs = account.client("logs", region)
    logs.create_log_group(logGroupName=name)
    if retention:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    return f"arn:aws:logs:{region}:{account.id}:log-group:{name}"


def _flow_log_to_cloudwatch(
    account: SimAccount, region: str, resource_type: str, resource_id: str, traffic: str, group: str
) -> None:
    result = account.client("ec2", region).create_flow_logs(
        ResourceIds=[resource_id],
        ResourceType=resource_type,
        TrafficType=traffic,
        LogDestinationType="cloud-watch-logs",
        LogGroupName=group,
        DeliverLogsPermissionArn=flow_logs_role(account),
        MaxAggregationInterval=60,
    )
    if result.get("Unsuccessful"):
        raise RuntimeError(f"flow log not created: {result['Unsuccessful']}")


def _record_vpc(
    ctx: BuildContext, vpc: Vpc, state: str, detail: str, control: str = "vpc-flow-logs"
) -> None:
    ctx.truth.add(
        account=vpc.account,
        region=vpc.region,
        resource_type="AWS::EC2::VPC",
        resource_id=vpc.id,
        arn=ec2_arn(vpc.account, vpc.region, "vpc", vpc.id),
        layer="network",
        control=control,
        state=state,  # type: ignore[arg-type]
        detail=detail,
    )


def _record_resolver(ctx: BuildContext, vpc: Vpc, state: str, detail: str) -> None:
    _record_vpc(ctx, vpc, state, detail, control="resolver-query-logs")


def build_networks(ctx: BuildContext) -> dict[tuple[str, str], Vpc]:
    """Every VPC of the organization, with its planned flow-log and DNS-log coverage."""
    prod = ctx.account("production")
    dev = ctx.account("development")
    security = ctx.account("security")
    east, west = ctx.regions[0], ctx.regions[1]
    vpcs: dict[tuple[str, str], Vpc] = {}

    # production, us-east-1: everything on.
    vpc = build_vpc(prod, east, "prod-vpc", "10.10", "production", "platform")
    group = "/vpc/prod-vpc/flow-logs"
    log_group(prod, east, group, retention=90)
    _flow_log_to_cloudwatch(prod, east, "VPC", vpc.id, "ALL", group)
    _record_vpc(ctx, vpc, "logged", f"flow log ALL -> CloudWatch Logs {group}")
    resolver_group = log_group(prod, east, "/aws/route53resolver/prod-vpc", retention=30)
    resolver = prod.client("route53resolver", east)
    config_id = resolver.create_resolver_query_log_config(
        Name="prod-vpc-dns-queries",
        DestinationArn=resolver_group,
        CreatorRequestId=f"prod-vpc-dns-{ctx.naming.seed}",
    )["ResolverQueryLogConfig"]["Id"]
    resolver.associate_resolver_query_log_config(
        ResolverQueryLogConfigId=config_id, ResourceId=vpc.id
    )
    _record_resolver(ctx, vpc, "logged", f"resolver query log config {config_id}")
    vpcs[("production", east)] = vpc

    # production, eu-west-1: REJECT-only flow log on one subnet, none on the VPC.
    vpc = build_vpc(
        prod, west, "prod-eu-vpc", "10.20", "production", "storefront", tiers=("public", "app")
    )
    group = "/vpc/prod-eu-vpc/rejected"
    log_group(prod, west, group, retention=None)
    subnet_id = next(sid for name, sid in vpc.subnets.items() if "-app-" in name)
    _flow_log_to_cloudwatch(prod, west, "Subnet", subnet_id, "REJECT", group)
    _record_vpc(ctx, vpc, "missing", "no flow log on the VPC (one subnet has REJECT only)")
    _record_resolver(ctx, vpc, "missing", "no resolver query log config associated")
    for name, sid in vpc.subnets.items():
        ctx.truth.add(
            account=prod.id,
            region=west,
            resource_type="AWS::EC2::Subnet",
            resource_id=sid,
            arn=ec2_arn(prod.id, west, "subnet", sid),
            layer="network",
            control="vpc-flow-logs",
            state="partial" if sid == subnet_id else "missing",
            detail="flow log REJECT only"
            if sid == subnet_id
            else f"no flow log on {name} or its VPC",
        )
    vpcs[("production", west)] = vpc

    # security, us-east-1: a small tooling VPC with flow logs to the log-archive bucket.
    vpc = build_vpc(
        security,
        east,
        "security-tooling-vpc",
        "10.50",
        "security",
        "security",
        tiers=("app",),
        nat=False,
    )
    archive = ctx.facts["log_archive_bucket"]
    result = security.client("ec2", east).create_flow_logs(
        ResourceIds=[vpc.id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{archive}",
    )
    if result.get("Unsuccessful"):
        raise RuntimeError(f"flow log not created: {result['Unsuccessful']}")
    _record_vpc(ctx, vpc, "logged", f"flow log ALL -> s3://{archive}")
    vpcs[("security", east)] = vpc

    # development: no flow logs, no DNS logs.
    vpc = build_vpc(dev, east, "dev-vpc", "10.30", "development", "platform", nat=False)
    _record_vpc(ctx, vpc, "missing", "no flow log")
    _record_resolver(ctx, vpc, "missing", "no resolver query log config associated")
    vpcs[("development", east)] = vpc
    return vpcs
