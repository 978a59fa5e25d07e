"""A seeded synthetic snapshot of realistic shape, for benchmarks, tests and screenshots.

The real demo runs the collectors over moto; that is faithful but slow and small. This
generator makes snapshots of any size (10k, 100k, 1M resources) in seconds with the shape a
collection produces: accounts with their account and account-region pseudo-resources
(where CloudTrail, Config and GuardDuty live), VPCs with subnets, security groups, ENIs and
instances, load balancers, buckets, Lambda functions with their roles and log groups, RDS
instances; AWS Config's resource type names, ARNs and relationship names; coverage records
whose statuses are correlated the way real estates are (a VPC's flow logs decide its
subnets' and ENIs' network status, inherited with `inherited_from`), including `unknown`
statuses and the collection errors behind them.

Sizes match what the collectors write (measured on the collected demo organization): about
3.4 coverage records per resource, because every resource carries the management-event and
Config-recorder records inherited from its account-region, and evidence strings of about
100 characters naming the call, the field and the object that decided the status.

The same `seed` always gives the same snapshot (``generated_at`` included), so tests can
rely on it. Resources are built as plain dicts and validated once by pydantic-core, which
is several times faster than constructing models one by one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from snapshot.io import gc_paused
from snapshot.model import (
    ACCOUNT_TYPE,
    GLOBAL_REGION,
    REGION_TYPE,
    Snapshot,
    account_node_id,
    region_node_id,
)

#: Regions handed out in order; `regions=R` takes the first R.
REGIONS = (
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "ap-southeast-2",
    "eu-central-1",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
)

ACCOUNT_NAMES = ("management", "log-archive", "security", "prod", "staging", "dev", "data")
TEAMS = ("payments", "identity", "search", "platform", "checkout", "analytics")
ENVIRONMENTS = ("prod", "staging", "dev")
APPS = ("api", "web", "worker", "batch", "etl", "auth", "billing", "reports")

#: Share of the non-pseudo resources each kind gets (roughly what a web estate looks like).
MIX: tuple[tuple[str, float], ...] = (
    ("vpc", 0.02),
    ("subnet", 0.06),
    ("security_group", 0.07),
    ("instance", 0.15),
    ("volume", 0.08),
    ("eni", 0.16),
    ("load_balancer", 0.03),
    ("bucket", 0.08),
    ("role", 0.07),
    ("function", 0.10),
    ("log_group", 0.14),
    ("db", 0.04),
)

# Relationship names as AWS Config words them.
CONTAINED_IN_VPC = "Is contained in Vpc"
CONTAINED_IN_SUBNET = "Is contained in Subnet"
ASSOCIATED_SG = "Is associated with SecurityGroup"
ATTACHED_TO_INSTANCE = "Is attached to Instance"
CONTAINS_ENI = "Contains NetworkInterface"
ATTACHED_TO_SUBNET = "Is attached to Subnet"
ATTACHED_TO_VOLUME = "Is attached to Volume"
ASSOCIATED_ROLE = "Is associated with Role"
# Log delivery edges (origin "logging"): Config records none, blindspot derives them.
DELIVERS_TO_LOG_GROUP = "Delivers logs to LogGroup"
DELIVERS_TO_BUCKET = "Delivers logs to Bucket"


@dataclass
class _Region:
    """What has been made so far in one account-region, for wiring relationships."""

    account: str
    region: str
    vpcs: list[tuple[str, str]] = field(default_factory=list)  # (arn, flow-log status)
    subnets: list[tuple[str, str, str]] = field(default_factory=list)  # (arn, vpc arn, status)
    security_groups: list[tuple[str, str]] = field(default_factory=list)  # (arn, vpc arn)
    instances: list[tuple[str, str, str, str]] = field(default_factory=list)  # arn, subnet...
    roles: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    log_groups: list[str] = field(default_factory=list)
    trail_status: str = "missing"  # management events, inherited by every resource here
    recorder_status: str = "missing"  # the Config recorder, likewise
    data_events: str = "missing"  # status of S3 object-level events for this account-region
    lambda_events: str = "missing"
    trail_id: str = ""


class _Generator:
    def __init__(self, resources: int, accounts: int, regions: int, seed: int) -> None:
        if resources < 0 or accounts < 1 or regions < 1:
            raise ValueError("need resources >= 0, accounts >= 1 and regions >= 1")
        self.rng = random.Random(seed)
        self.n = resources
        self.accounts = [
            f"{100000000000 + i * 111111111 + seed % 1000:012d}" for i in range(accounts)
        ]
        self.regions = [REGIONS[i % len(REGIONS)] for i in range(min(regions, len(REGIONS)))]
        self.resources: list[dict[str, Any]] = []
        self.relationships: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.counter = 0
        self.states: dict[tuple[str, str], _Region] = {}

    # -- small helpers ----------------------------------------------------------------

    def hex_id(self, width: int = 17) -> str:
        """A unique, AWS-looking hex suffix (random head, counter tail keeps it unique)."""
        self.counter += 1
        tail = f"{self.counter:x}"
        head_width = max(2, width - len(tail))
        head = f"{self.rng.getrandbits(4 * head_width):0{head_width}x}"
        return head + tail

    def pick_status(self, logged: float, partial: float, missing: float) -> str:
        roll = self.rng.random()
        if roll < logged:
            return "logged"
        if roll < logged + partial:
            return "partial"
        if roll < logged + partial + missing:
            return "missing"
        return "unknown"

    def tags(self, app: str) -> dict[str, str]:
        rng = self.rng
        tags = {"env": rng.choice(ENVIRONMENTS), "team": rng.choice(TEAMS), "app": app}
        if rng.random() < 0.3:
            tags["cost-center"] = f"cc-{rng.randrange(1000, 9999)}"
        return tags

    def add(
        self,
        arn: str,
        type_: str,
        account: str,
        region: str,
        name: str,
        resource_id: str,
        coverage: list[dict[str, Any]],
        tags: dict[str, str] | None = None,
    ) -> None:
        if type_ not in (ACCOUNT_TYPE, REGION_TYPE):
            coverage = coverage + self.inherited_from_region(type_, account, region, resource_id)
        self.resources.append(
            {
                "id": arn,
                "type": type_,
                "account": account,
                "region": region,
                "name": name,
                "resource_id": resource_id,
                "tags": tags or {},
                "source": "demo",
                "coverage": coverage,
            }
        )

    def rel(self, source: str, target: str, name: str, origin: str = "config") -> None:
        self.relationships.append(
            {"source": source, "target": target, "name": name, "origin": origin}
        )

    def error(self, account: str, region: str, service: str, operation: str) -> None:
        self.errors.append(
            {
                "account": account,
                "region": region,
                "service": service,
                "operation": operation,
                "code": "AccessDenied",
                "message": f"User is not authorized to perform: {service}:{operation}",
            }
        )

    def inherited_from_region(
        self, type_: str, account: str, region: str, resource_id: str
    ) -> list[dict[str, Any]]:
        """The records a collector copies onto every resource from its account-region."""
        home = self.regions[0] if region == GLOBAL_REGION else region
        st = self.states[(account, home)]
        scope = region_node_id(account, home)
        trail, recorder = st.trail_status, st.recorder_status
        return [
            self.cov(
                "account",
                "cloudtrail-management-events",
                trail,
                {
                    "logged": f"cloudtrail:GetEventSelectors: organization trail org-trail "
                    f"(multi-region) IsLogging=true records read+write management events "
                    f"in {home}",
                    "partial": "cloudtrail:GetEventSelectors: trail org-trail records "
                    "WriteOnly management events; reads of this resource are not logged",
                    "missing": f"cloudtrail:DescribeTrails: no logging trail covers {home} "
                    f"for account {account}",
                    "unknown": "cloudtrail:GetTrailStatus: AccessDenied (see errors)",
                }[trail],
                destination=f"arn:aws:s3:::org-cloudtrail-{self.accounts[0]}/AWSLogs/{account}/"
                if trail in ("logged", "partial")
                else None,
                inherited_from=scope,
                operation="cloudtrail:GetEventSelectors",
            ),
            self.cov(
                "account",
                "config-recorder",
                recorder,
                {
                    "logged": f"config:DescribeConfigurationRecorders: recordingGroup "
                    f"allSupported=true records {type_}",
                    "partial": f"config:DescribeConfigurationRecorders: recordingGroup does not "
                    f"record {type_} ({resource_id})",
                    "missing": f"config:DescribeConfigurationRecorderStatus: no recorder in {home}",
                    "unknown": "config:DescribeConfigurationRecorderStatus: AccessDenied",
                }[recorder],
                destination=f"arn:aws:s3:::config-bucket-{account}/AWSLogs/{account}/Config/"
                if recorder in ("logged", "partial")
                else None,
                inherited_from=scope,
                operation="config:DescribeConfigurationRecorders",
            ),
        ]

    @staticmethod
    def cov(
        layer: str,
        control: str,
        status: str,
        evidence: str,
        *,
        expectation: str = "baseline",
        destination: str | None = None,
        inherited_from: str | None = None,
        operation: str | None = None,
    ) -> dict[str, Any]:
        return {
            "layer": layer,
            "control": control,
            "status": status,
            "expectation": expectation,
            "evidence": evidence,
            "destination": destination,
            "inherited_from": inherited_from,
            "operation": operation,
            "notes": [],
        }

    # -- pseudo-resources -------------------------------------------------------------

    def account_resource(self, index: int, account: str) -> None:
        rng = self.rng
        status = "logged" if rng.random() < 0.8 else "missing"
        trail = f"arn:aws:cloudtrail:{self.regions[0]}:{account}:trail/org-trail"
        coverage = [
            self.cov(
                "account",
                "cloudtrail-management-events",
                status,
                "cloudtrail:DescribeTrails trailList[].IsMultiRegionTrail="
                + ("true (organization trail)" if status == "logged" else "false"),
                destination=f"s3://org-cloudtrail-{self.accounts[0]}/AWSLogs/{account}/"
                if status == "logged"
                else None,
                inherited_from=trail if status == "logged" else None,
                operation="cloudtrail:DescribeTrails",
            ),
            self.cov(
                "account",
                "cloudtrail-integrity",
                "logged" if rng.random() < 0.6 else "missing",
                "cloudtrail:DescribeTrails trailList[].LogFileValidationEnabled",
                expectation="extended",
                operation="cloudtrail:DescribeTrails",
            ),
        ]
        name = ACCOUNT_NAMES[index % len(ACCOUNT_NAMES)]
        if index >= len(ACCOUNT_NAMES):
            name = f"{name}-{index // len(ACCOUNT_NAMES)}"
        self.add(
            account_node_id(account), ACCOUNT_TYPE, account, GLOBAL_REGION, name, account, coverage
        )

    def region_resource(self, account: str, region: str, state: _Region) -> None:
        rng = self.rng
        denied = rng.random() < 0.05
        trail_status = (
            "unknown"
            if denied
            else self.pick_status(
                0.75,
                0.1,
                0.15,
            )
        )
        state.trail_id = f"arn:aws:cloudtrail:{region}:{account}:trail/org-trail"
        if denied:
            self.error(account, region, "cloudtrail", "GetTrailStatus")
        trail_evidence = {
            "logged": "cloudtrail:GetTrailStatus IsLogging=true; EventSelectors ReadWriteType=All",
            "partial": "cloudtrail:GetEventSelectors ReadWriteType=WriteOnly",
            "missing": "cloudtrail:DescribeTrails no trail covers this region",
            "unknown": "cloudtrail:GetTrailStatus AccessDenied",
        }[trail_status]
        state.data_events = "logged" if rng.random() < 0.35 else "missing"
        state.lambda_events = "logged" if rng.random() < 0.25 else "missing"
        recorder = self.pick_status(0.7, 0.1, 0.15)
        state.trail_status, state.recorder_status = trail_status, recorder
        if recorder == "unknown":
            self.error(account, region, "config", "DescribeConfigurationRecorderStatus")
        guardduty = self.pick_status(0.75, 0.0, 0.2)
        if guardduty == "unknown":
            self.error(account, region, "guardduty", "ListDetectors")
        coverage = [
            self.cov(
                "account",
                "cloudtrail-management-events",
                trail_status,
                trail_evidence,
                destination=f"s3://org-cloudtrail-{self.accounts[0]}/AWSLogs/{account}/"
                if trail_status in ("logged", "partial")
                else None,
                inherited_from=state.trail_id if trail_status in ("logged", "partial") else None,
                operation="cloudtrail:GetTrailStatus",
            ),
            self.cov(
                "account",
                "config-recorder",
                recorder,
                {
                    "logged": "config:DescribeConfigurationRecorderStatus recording=true; "
                    "allSupported=true",
                    "partial": "config:DescribeConfigurationRecorders allSupported=false "
                    "(12 resource types)",
                    "missing": "config:DescribeConfigurationRecorders no recorder",
                    "unknown": "config:DescribeConfigurationRecorderStatus AccessDenied",
                }[recorder],
                destination=f"s3://config-bucket-{account}/AWSLogs/{account}/Config/{region}/"
                if recorder in ("logged", "partial")
                else None,
                operation="config:DescribeConfigurationRecorderStatus",
            ),
            self.cov(
                "account",
                "guardduty",
                guardduty,
                f"guardduty:ListDetectors DetectorIds={'[1]' if guardduty == 'logged' else '[]'}",
                operation="guardduty:ListDetectors",
            ),
            self.cov(
                "account",
                "cloudtrail-insights",
                "logged" if rng.random() < 0.2 else "missing",
                "cloudtrail:GetInsightSelectors InsightSelectors",
                expectation="extended",
                operation="cloudtrail:GetInsightSelectors",
            ),
            self.cov(
                "host",
                "ssm-session-logging",
                "logged" if rng.random() < 0.4 else "missing",
                "ssm:GetDocument SSM-SessionManagerRunShell inputs.cloudWatchLogGroupName",
                expectation="extended",
                operation="ssm:GetDocument",
            ),
            self.cov(
                "account",
                "securityhub",
                "logged" if rng.random() < 0.5 else "missing",
                "securityhub:DescribeHub",
                expectation="extended",
                operation="securityhub:DescribeHub",
            ),
        ]
        self.add(
            region_node_id(account, region), REGION_TYPE, account, region, region, region, coverage
        )

    # -- resource kinds -----------------------------------------------------------------

    def make_vpc(self, st: _Region) -> None:
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
        self.add(
            arn,
            "AWS::EC2::VPC",
            st.account,
            st.region,
            f"{app}-vpc",
            short,
            coverage,
            self.tags(app),
        )
        st.vpcs.append((arn, status))

    def ensure_vpc(self, st: _Region) -> tuple[str, str]:
        if not st.vpcs:
            self.make_vpc(st)
        return self.rng.choice(st.vpcs)

    def make_subnet(self, st: _Region) -> None:
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
        self.add(
            arn,
            "AWS::EC2::Subnet",
            st.account,
            st.region,
            f"private-{st.region}{zone}",
            short,
            coverage,
        )
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        st.subnets.append((arn, vpc, status))

    def ensure_subnet(self, st: _Region) -> tuple[str, str, str]:
        if not st.subnets:
            self.make_subnet(st)
        return self.rng.choice(st.subnets)

    def make_security_group(self, st: _Region) -> None:
        vpc, _ = self.ensure_vpc(st)
        short = f"sg-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:security-group/{short}"
        app = self.rng.choice(APPS)
        self.add(
            arn,
            "AWS::EC2::SecurityGroup",
            st.account,
            st.region,
            f"{app}-sg",
            short,
            [],
            self.tags(app),
        )
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        st.security_groups.append((arn, vpc))

    def pick_security_group(self, st: _Region) -> str:
        if not st.security_groups:
            self.make_security_group(st)
        return self.rng.choice(st.security_groups)[0]

    def make_instance(self, st: _Region) -> None:
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
            self.cov(
                "host",
                "ssm-managed",
                "logged" if self.rng.random() < 0.6 else "missing",
                "ssm:DescribeInstanceInformation PingStatus=Online",
                expectation="extended",
                operation="ssm:DescribeInstanceInformation",
            ),
            self.cov(
                "network",
                "vpc-flow-logs",
                net_status,
                f"ec2:DescribeFlowLogs: covered through {subnet.rsplit('/', 1)[-1]} "
                f"(flow log on the subnet or its VPC)",
                inherited_from=subnet,
                operation="ec2:DescribeFlowLogs",
            ),
        ]
        app = self.rng.choice(APPS)
        self.add(
            arn,
            "AWS::EC2::Instance",
            st.account,
            st.region,
            f"{app}-{self.rng.randrange(1, 40):02d}",
            short,
            coverage,
            self.tags(app),
        )
        self.rel(arn, subnet, CONTAINED_IN_SUBNET)
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        self.rel(arn, sg, ASSOCIATED_SG)
        st.instances.append((arn, subnet, vpc, net_status))

    def make_volume(self, st: _Region) -> None:
        """An EBS volume attached to an instance (Config records both directions)."""
        short = f"vol-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:volume/{short}"
        instance = self.rng.choice(st.instances)[0] if st.instances else None
        self.add(arn, "AWS::EC2::Volume", st.account, st.region, short, short, [])
        if instance is not None:
            self.rel(arn, instance, ATTACHED_TO_INSTANCE)
            self.rel(instance, arn, ATTACHED_TO_VOLUME)

    def make_eni(self, st: _Region) -> None:
        rng = self.rng
        if st.instances and rng.random() < 0.8:
            instance, subnet, vpc, net_status = rng.choice(st.instances)
        else:
            instance = None
            subnet, vpc, net_status = self.ensure_subnet(st)
        sg = self.pick_security_group(st)
        short = f"eni-{self.hex_id()}"
        arn = f"arn:aws:ec2:{st.region}:{st.account}:network-interface/{short}"
        coverage = [
            self.cov(
                "network",
                "vpc-flow-logs",
                net_status,
                f"ec2:DescribeFlowLogs: covered through {subnet.rsplit('/', 1)[-1]} "
                f"(flow log on the subnet or its VPC)",
                inherited_from=subnet,
                operation="ec2:DescribeFlowLogs",
            )
        ]
        self.add(arn, "AWS::EC2::NetworkInterface", st.account, st.region, short, short, coverage)
        self.rel(arn, subnet, CONTAINED_IN_SUBNET)
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        self.rel(arn, sg, ASSOCIATED_SG)
        if instance is not None:
            self.rel(arn, instance, ATTACHED_TO_INSTANCE)
            self.rel(instance, arn, CONTAINS_ENI)

    def make_load_balancer(self, st: _Region) -> None:
        rng = self.rng
        subnet, vpc, _ = self.ensure_subnet(st)
        sg = self.pick_security_group(st)
        app = rng.choice(APPS)
        name = f"{app}-alb-{self.counter % 1000}"
        arn = (
            f"arn:aws:elasticloadbalancing:{st.region}:{st.account}:loadbalancer/app/{name}/"
            f"{self.hex_id(16)}"
        )
        status = self.pick_status(0.5, 0.0, 0.45)
        bucket = rng.choice(st.buckets) if st.buckets else None
        logged = status == "logged"
        coverage = [
            self.cov(
                "access",
                "elb-access-logs",
                status,
                "elasticloadbalancing:DescribeLoadBalancerAttributes access_logs.s3.enabled="
                + ("true" if logged else "false"),
                destination=f"s3://{bucket.rsplit(':', 1)[-1]}/alb/" if logged and bucket else None,
                operation="elasticloadbalancing:DescribeLoadBalancerAttributes",
            ),
            self.cov(
                "access",
                "alb-connection-logs",
                "logged" if rng.random() < 0.2 else "missing",
                "elasticloadbalancing:DescribeLoadBalancerAttributes connection_logs.s3.enabled",
                expectation="extended",
                operation="elasticloadbalancing:DescribeLoadBalancerAttributes",
            ),
        ]
        self.add(
            arn,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            st.account,
            st.region,
            name,
            name,
            coverage,
            self.tags(app),
        )
        self.rel(arn, subnet, ATTACHED_TO_SUBNET)
        self.rel(arn, vpc, CONTAINED_IN_VPC)
        self.rel(arn, sg, ASSOCIATED_SG)
        if logged and bucket:
            self.rel(arn, bucket, DELIVERS_TO_BUCKET, "logging")

    def make_bucket(self, st: _Region) -> None:
        rng = self.rng
        app = rng.choice(APPS)
        name = f"{app}-{rng.choice(ENVIRONMENTS)}-{self.hex_id(10)}"
        arn = f"arn:aws:s3:::{name}"
        access = self.pick_status(0.35, 0.0, 0.6)
        target = rng.choice(st.buckets) if st.buckets and access == "logged" else None
        coverage = [
            self.cov(
                "access",
                "s3-server-access-logs",
                access,
                "s3:GetBucketLogging LoggingEnabled"
                + (".TargetBucket set" if access == "logged" else " absent"),
                destination=f"s3://{target.rsplit(':', 1)[-1]}/{name}/" if target else None,
                operation="s3:GetBucketLogging",
            ),
            self.cov(
                "account",
                "cloudtrail-s3-data-events",
                st.data_events,
                "cloudtrail:GetEventSelectors AdvancedEventSelectors resources.type=AWS::S3::Object"
                if st.data_events == "logged"
                else "cloudtrail:GetEventSelectors no data-event selector matches this bucket",
                inherited_from=st.trail_id if st.data_events == "logged" else None,
                operation="cloudtrail:GetEventSelectors",
            ),
        ]
        self.add(
            arn, "AWS::S3::Bucket", st.account, st.region, name, name, coverage, self.tags(app)
        )
        if target:
            self.rel(arn, target, DELIVERS_TO_BUCKET, "logging")
        st.buckets.append(arn)

    def make_role(self, st: _Region) -> None:
        app = self.rng.choice(APPS)
        name = f"{app}-role-{self.hex_id(8)}"
        arn = f"arn:aws:iam::{st.account}:role/{name}"
        self.add(arn, "AWS::IAM::Role", st.account, GLOBAL_REGION, name, name, [], self.tags(app))
        st.roles.append(arn)

    def make_log_group(self, st: _Region, name: str | None = None) -> str:
        name = name or f"/aws/app/{self.rng.choice(APPS)}-{self.hex_id(8)}"
        arn = f"arn:aws:logs:{st.region}:{st.account}:log-group:{name}"
        retention = self.rng.choice((None, 1, 30, 90, 365, 400))
        status = "missing" if retention is None else ("partial" if retention < 90 else "logged")
        coverage = [
            self.cov(
                "account",
                "log-retention",
                status,
                f"logs:DescribeLogGroups retentionInDays={retention}"
                if retention
                else "logs:DescribeLogGroups retentionInDays absent (never expire)",
                expectation="extended",
                operation="logs:DescribeLogGroups",
            )
        ]
        self.add(arn, "AWS::Logs::LogGroup", st.account, st.region, name, name, coverage)
        st.log_groups.append(arn)
        return arn

    def make_function(self, st: _Region) -> None:
        rng = self.rng
        app = rng.choice(APPS)
        name = f"{app}-{rng.choice(('handler', 'consumer', 'cron', 'resize'))}-{self.hex_id(6)}"
        arn = f"arn:aws:lambda:{st.region}:{st.account}:function:{name}"
        status = self.pick_status(0.6, 0.15, 0.2)
        if status == "unknown":
            self.error(st.account, st.region, "iam", "GetRolePolicy")
        role = rng.choice(st.roles) if st.roles else None
        group = None
        room = len(self.resources) < self.n + self.pseudo_count - 1  # the group and the function
        if status in ("logged", "partial") and room:
            group = self.make_log_group(st, f"/aws/lambda/{name}")
        coverage = [
            self.cov(
                "serverless",
                "lambda-logging",
                status,
                {
                    "logged": "iam:SimulatePrincipalPolicy logs:PutLogEvents allowed; "
                    "LoggingConfig.LogGroup set",
                    "partial": "logs:PutLogEvents allowed; LoggingConfig.ApplicationLogLevel=ERROR",
                    "missing": "execution role lacks logs:CreateLogStream/logs:PutLogEvents",
                    "unknown": "iam:GetRolePolicy AccessDenied",
                }[status],
                destination=group,
                operation="lambda:GetFunctionConfiguration",
            ),
            self.cov(
                "account",
                "cloudtrail-lambda-data-events",
                st.lambda_events,
                "cloudtrail:GetEventSelectors resources.type=AWS::Lambda::Function",
                expectation="extended",
                inherited_from=st.trail_id if st.lambda_events == "logged" else None,
                operation="cloudtrail:GetEventSelectors",
            ),
        ]
        self.add(
            arn,
            "AWS::Lambda::Function",
            st.account,
            st.region,
            name,
            name,
            coverage,
            self.tags(app),
        )
        if role:
            self.rel(arn, role, ASSOCIATED_ROLE)
        if group:
            self.rel(arn, group, DELIVERS_TO_LOG_GROUP, "logging")
        if st.subnets and rng.random() < 0.3:
            subnet, _, _ = rng.choice(st.subnets)
            self.rel(arn, subnet, "Is contained in Subnet")
            self.rel(arn, self.pick_security_group(st), ASSOCIATED_SG)

    def make_db(self, st: _Region) -> None:
        rng = self.rng
        engine = rng.choice(("mysql", "postgres", "aurora-postgresql", "mariadb"))
        name = f"{rng.choice(APPS)}-db-{self.hex_id(6)}"
        arn = f"arn:aws:rds:{st.region}:{st.account}:db:{name}"
        status = self.pick_status(0.35, 0.3, 0.3)
        exports = {
            "logged": ["audit", "error", "general", "slowquery"]
            if "postgres" not in engine
            else ["postgresql"],
            "partial": ["error"],
            "missing": [],
            "unknown": [],
        }[status]
        coverage = [
            self.cov(
                "database",
                "rds-log-exports",
                status,
                f"rds:DescribeDBInstances EnabledCloudwatchLogsExports={exports}"
                if status != "unknown"
                else "rds:DescribeDBInstances AccessDenied",
                destination=f"arn:aws:logs:{st.region}:{st.account}:log-group:/aws/rds/instance/"
                f"{name}/{exports[0]}"
                if exports
                else None,
                operation="rds:DescribeDBInstances",
            )
        ]
        if status == "unknown":
            self.error(st.account, st.region, "rds", "DescribeDBInstances")
        self.add(
            arn,
            "AWS::RDS::DBInstance",
            st.account,
            st.region,
            name,
            name,
            coverage,
            {"engine": engine, **self.tags("db")},
        )
        self.rel(arn, self.pick_security_group(st), ASSOCIATED_SG)

    # -- the whole estate -----------------------------------------------------------------

    @property
    def pseudo_count(self) -> int:
        return len(self.accounts) * (1 + len(self.regions))

    def run(self) -> dict[str, Any]:
        states = [_Region(a, r) for a in self.accounts for r in self.regions]
        self.states = {(st.account, st.region): st for st in states}
        for index, account in enumerate(self.accounts):
            self.account_resource(index, account)
        for st in states:
            self.region_resource(st.account, st.region, st)
        makers: dict[str, Callable[[_Region], Any]] = {
            "vpc": self.make_vpc,
            "subnet": self.make_subnet,
            "security_group": self.make_security_group,
            "instance": self.make_instance,
            "volume": self.make_volume,
            "eni": self.make_eni,
            "load_balancer": self.make_load_balancer,
            "bucket": self.make_bucket,
            "role": self.make_role,
            "function": self.make_function,
            "log_group": self.make_log_group,
            "db": self.make_db,
        }
        kinds = [kind for kind, _ in MIX]
        weights = [share for _, share in MIX]
        target = self.n + self.pseudo_count
        # Each step makes one resource of a kind picked by weight in a round-robin region, and
        # occasionally the parents it needs (a first VPC or subnet) or a log group.
        step = 0
        while len(self.resources) < target:
            st = states[step % len(states)]
            kind = self.rng.choices(kinds, weights)[0]
            makers[kind](st)
            step += 1
        del self.resources[target:]
        kept = {resource["id"] for resource in self.resources}
        relationships = [
            r for r in self.relationships if r["source"] in kept and r["target"] in kept
        ]
        document = {
            "schema_version": 1,
            "generated_at": "2026-11-30T09:00:00Z",
            "tool": {"name": "blindspot", "version": "synthetic"},
            "scope": {
                "source": "demo",
                "regions": list(self.regions),
                "accounts": list(self.accounts),
            },
            "accounts": [
                {"id": a, "name": self.resources[i]["name"], "regions": list(self.regions)}
                for i, a in enumerate(self.accounts)
            ],
            "resources": self.resources,
            "relationships": relationships,
            "errors": self.errors,
        }
        return document


def generate_document(
    resources: int = 1000, accounts: int = 3, regions: int = 2, seed: int = 0
) -> dict[str, Any]:
    """The same snapshot as `generate`, as the plain JSON document (no models).

    For writing a very large snapshot straight to a file (`orjson.dumps`): at 1M resources
    the models and their `model_dump` would be two more copies of several GB each.
    """
    with gc_paused():
        return _Generator(resources, accounts, regions, seed).run()


def generate(resources: int = 1000, accounts: int = 3, regions: int = 2, seed: int = 0) -> Snapshot:
    """A synthetic snapshot of `resources` real resources (plus pseudo-resources).

    `accounts` accounts x `regions` regions (at most len(REGIONS)); besides the `resources`
    resources, every account gets an account pseudo-resource and every account-region a
    region pseudo-resource with the account-layer controls. Deterministic for a given seed.
    """
    with gc_paused():  # millions of small dicts and models; see snapshot.io.gc_paused
        return Snapshot.model_validate(_Generator(resources, accounts, regions, seed).run())
