"""Network and compute resource kinds: VPCs, subnets, security groups, instances, volumes and
network interfaces, wired with AWS Config's relationship names; a flow log on a VPC decides
the network status of what it contains (inherited, as the collectors record it).
"""

from __future__ import annotations

from typing import Any

from .estate import (
    APPS,
    ASSOCIATED_SG,
    ATTACHED_TO_INSTANCE,
    ATTACHED_TO_VOLUME,
    CONTAINED_IN_SUBNET,
    CONTAINED_IN_VPC,
    CONTAINS_ENI,
    Estate,
    RegionState,
)


class NetworkKinds(Estate):
    # -- resource kinds -----------------------------------------------------------------

    def make_vpc(self, st: RegionState) -> None:
        short = f"vpc-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:vpc/{short}"
        status = self.pick_status(0.5, 0.15, 0.3)
        if status == "unknown":
            self.error(st.account, st.region, "ec2", "DescribeFlowLogs")
        destination = (
            f"arn:aws:logs:{st.region}:{st.account}:log-group:/vpc/flow-logs/{short}"
            if status in ("logged", "partial")
            else None
        )
        flow_log = f"fl-{self.hex_id()}"
        evidence = {
            "logged": f"ec2:DescribeFlowLogs: flow log {flow_log} on {short}, TrafficType=ALL, "
            "FlowLogStatus=ACTIVE, DeliverLogsStatus=SUCCESS",
            "partial": f"ec2:DescribeFlowLogs: flow log {flow_log} on {short}, "
            "TrafficType=REJECT (accepted traffic is not logged)",
            "missing": f"ec2:DescribeFlowLogs: no active flow log on {short}, its subnets or "
            "its network interfaces",
            "unknown": "ec2:DescribeFlowLogs: AccessDenied (see errors)",
        }[status]
        resolver = self.pick_status(0.3, 0.0, 0.65)
        coverage = [
            self.cov(
                "network",
                "vpc-flow-logs",
                status,
                evidence,
                destination=destination,
                operation="ec2:DescribeFlowLogs",
            ),
            self.cov(
                "network",
                "resolver-query-logs",
                resolver,
                "route53resolver:ListResolverQueryLogConfigAssociations "
                + ("Status=ACTIVE" if resolver == "logged" else "none for this VPC"),
                operation="route53resolver:ListResolverQueryLogConfigAssociations",
            ),
        ]
        app = self.rng.choice(APPS)
        self.put(st, arn, "AWS::EC2::VPC", f"{app}-vpc", short, coverage, self.tags(app))
        st.vpcs.append((arn, status))

    def ensure_vpc(self, st: RegionState) -> tuple[str, str]:
        if not st.vpcs:
            self.make_vpc(st)
        return self.rng.choice(st.vpcs)

    def make_subnet(self, st: RegionState) -> None:
        vpc, vpc_status = self.ensure_vpc(st)
        short = f"subnet-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:subnet/{short}"
        own = self.rng.random() < 0.1  # a flow log on the subnet itself
        status = "logged" if own else vpc_status
        coverage = [
            self.cov(
                "network",
                "vpc-flow-logs",
                status,
                f"ec2:DescribeFlowLogs FlowLogs[ResourceId={short}].TrafficType=ALL"
                if own
                else f"ec2:DescribeFlowLogs: no flow log on {short}; inherited from the "
                f"flow log of {vpc.rsplit('/', 1)[-1]}",
                inherited_from=None if own else vpc,
                operation="ec2:DescribeFlowLogs",
            )
        ]
        zone = "abc"[len(st.subnets) % 3]
        self.put(
            st,
            arn,
            "AWS::EC2::Subnet",
            f"private-{st.region}{zone}",
            short,
            coverage,
        )
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        st.subnets.append((arn, vpc, status))

    def ensure_subnet(self, st: RegionState) -> tuple[str, str, str]:
        if not st.subnets:
            self.make_subnet(st)
        return self.rng.choice(st.subnets)

    def make_security_group(self, st: RegionState) -> None:
        vpc, _ = self.ensure_vpc(st)
        short = f"sg-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:security-group/{short}"
        app = self.rng.choice(APPS)
        self.put(st, arn, "AWS::EC2::SecurityGroup", f"{app}-sg", short, [], self.tags(app))
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        st.security_groups.append((arn, vpc))

    def pick_security_group(self, st: RegionState) -> str:
        if not st.security_groups:
            self.make_security_group(st)
        return self.rng.choice(st.security_groups)[0]

    def wire(
        self, arn: str, subnet: str, vpc: str, sg: str, in_subnet: str = CONTAINED_IN_SUBNET
    ) -> None:
        """The Config relationships of a resource placed in a subnet, with a security group."""
        self.rel(arn, subnet, in_subnet)
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        self.rel(arn, sg, ASSOCIATED_SG)

    def through_subnet(self, subnet: str, status: str) -> dict[str, Any]:
        """The flow-log record of a resource in `subnet`: decided by the subnet or its VPC."""
        return self.cov(
            "network",
            "vpc-flow-logs",
            status,
            f"ec2:DescribeFlowLogs: covered through {subnet.rsplit('/', 1)[-1]} "
            "(flow log on the subnet or its VPC)",
            inherited_from=subnet,
            operation="ec2:DescribeFlowLogs",
        )

    def make_instance(self, st: RegionState) -> None:
        subnet, vpc, net_status = self.ensure_subnet(st)
        sg = self.pick_security_group(st)
        short = f"i-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:instance/{short}"
        agent = self.pick_status(0.45, 0.15, 0.3)
        if agent == "unknown":
            self.error(st.account, st.region, "ssm", "ListInventoryEntries")
        agent_evidence = {
            "logged": "ssm:ListInventoryEntries AWS:Application amazon-cloudwatch-agent; "
            f"logs:DescribeLogStreams /ec2/{short}",
            "partial": "cloudwatch:ListMetrics CWAgent metrics only, no log streams",
            "missing": "ssm:ListInventoryEntries no amazon-cloudwatch-agent",
            "unknown": "ssm:ListInventoryEntries AccessDenied",
        }[agent]
        coverage = [
            self.cov(
                "host",
                "cloudwatch-agent",
                agent,
                agent_evidence,
                destination=f"arn:aws:logs:{st.region}:{st.account}:log-group:/ec2/{short}"
                if agent == "logged"
                else None,
                operation="ssm:ListInventoryEntries",
            ),
            self.coin(
                "host",
                "ssm-managed",
                0.6,
                "ssm:DescribeInstanceInformation PingStatus=Online",
                "ssm:DescribeInstanceInformation",
            ),
            self.through_subnet(subnet, net_status),
        ]
        app = self.rng.choice(APPS)
        name = f"{app}-{self.rng.randrange(1, 40):02d}"
        self.put(st, arn, "AWS::EC2::Instance", name, short, coverage, self.tags(app))
        self.wire(arn, subnet, vpc, sg)
        st.instances.append((arn, subnet, vpc, net_status))

    def make_volume(self, st: RegionState) -> None:
        """An EBS volume attached to an instance (Config records both directions)."""
        short = f"vol-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:volume/{short}"
        instance = self.rng.choice(st.instances)[0] if st.instances else None
        self.put(st, arn, "AWS::EC2::Volume", short, short, [])
        if instance is not None:
            self.rel(arn, instance, ATTACHED_TO_INSTANCE)
            self.rel(instance, arn, ATTACHED_TO_VOLUME)

    def make_eni(self, st: RegionState) -> None:
        rng = self.rng
        if st.instances and rng.random() < 0.8:
            instance, subnet, vpc, net_status = rng.choice(st.instances)
        else:
            instance = None
            subnet, vpc, net_status = self.ensure_subnet(st)
        sg = self.pick_security_group(st)
        short = f"eni-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:network-interface/{short}"
        coverage = [self.through_subnet(subnet, net_status)]
        self.put(st, arn, "AWS::EC2::NetworkInterface", short, short, coverage)
        self.wire(arn, subnet, vpc, sg)
        if instance is not None:
            self.rel(arn, instance, ATTACHED_TO_INSTANCE)
            self.rel(instance, arn, CONTAINS_ENI)
