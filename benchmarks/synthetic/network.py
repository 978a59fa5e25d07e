"""Network and compute resource kinds: VPCs, subnets, security groups, instances, volumes and
network interfaces, wired with AWS Config's relationship names; a flow log on a VPC decides
the network status of what it contains (inherited, as the collectors record it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

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

T = TypeVar("T")


class NetworkKinds(Estate):
    # -- resource kinds -----------------------------------------------------------------

    def ec2_ids(self, st: RegionState, resource: str, prefix: str) -> tuple[str, str]:
        """A new EC2 id (`prefix`-hex) in `st` and its ARN."""
        short = f"{prefix}-{self.hex_id()}"
        return short, f"arn:aws:ec2:{st.region}:{st.account}:{resource}/{short}"

    def existing(self, made: list[T], make: Callable[[RegionState], None], st: RegionState) -> T:
        """One of what `st` has `made` so far, picked at random; `make` one first if none."""
        if not made:
            make(st)
        return self.rng.choice(made)

    def make_vpc(self, st: RegionState) -> None:
        short, arn = self.ec2_ids(st, "vpc", "vpc")
        status = self.read_status(st.where, "ec2:DescribeFlowLogs", 0.5, 0.15, 0.3)
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
        self.add(st.where, arn, "AWS::EC2::VPC", f"{app}-vpc", short, coverage, self.tags(app))
        st.vpcs.append((arn, status))

    def ensure_vpc(self, st: RegionState) -> tuple[str, str]:
        return self.existing(st.vpcs, self.make_vpc, st)

    def make_subnet(self, st: RegionState) -> None:
        vpc, vpc_status = self.ensure_vpc(st)
        short, arn = self.ec2_ids(st, "subnet", "subnet")
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
        self.add(
            st.where,
            arn,
            "AWS::EC2::Subnet",
            f"private-{st.region}{zone}",
            short,
            coverage,
        )
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        st.subnets.append((arn, vpc, status))

    def ensure_subnet(self, st: RegionState) -> tuple[str, str, str]:
        return self.existing(st.subnets, self.make_subnet, st)

    def make_security_group(self, st: RegionState) -> None:
        vpc, _ = self.ensure_vpc(st)
        short, arn = self.ec2_ids(st, "security-group", "sg")
        app = self.rng.choice(APPS)
        self.add(st.where, arn, "AWS::EC2::SecurityGroup", f"{app}-sg", short, [], self.tags(app))
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        st.security_groups.append((arn, vpc))

    def pick_security_group(self, st: RegionState) -> str:
        return self.existing(st.security_groups, self.make_security_group, st)[0]

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
        short, arn = self.ec2_ids(st, "instance", "i")
        agent = self.read_status(st.where, "ssm:ListInventoryEntries", 0.45, 0.15, 0.3)
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
        self.add(st.where, arn, "AWS::EC2::Instance", name, short, coverage, self.tags(app))
        self.wire(arn, subnet, vpc, sg)
        st.instances.append((arn, subnet, vpc, net_status))

    def make_volume(self, st: RegionState) -> None:
        """An EBS volume attached to an instance (Config records both directions)."""
        short, arn = self.ec2_ids(st, "volume", "vol")
        instance = self.rng.choice(st.instances)[0] if st.instances else None
        self.add(st.where, arn, "AWS::EC2::Volume", short, short, [])
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
        short, arn = self.ec2_ids(st, "network-interface", "eni")
        coverage = [self.through_subnet(subnet, net_status)]
        self.add(st.where, arn, "AWS::EC2::NetworkInterface", short, short, coverage)
        self.wire(arn, subnet, vpc, sg)
        if instance is not None:
            self.rel(arn, instance, ATTACHED_TO_INSTANCE)
            self.rel(instance, arn, CONTAINS_ENI)
