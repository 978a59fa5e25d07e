"""Service resource kinds: load balancers, buckets, roles, log groups, Lambda functions and
RDS instances, with their log destinations as `logging` relationships.
"""

from __future__ import annotations

from snapshot.model import GLOBAL_REGION

from .estate import (
    APPS,
    ASSOCIATED_ROLE,
    ASSOCIATED_SG,
    ATTACHED_TO_SUBNET,
    DELIVERS_TO_BUCKET,
    DELIVERS_TO_LOG_GROUP,
    ENVIRONMENTS,
    RegionState,
)
from .network import NetworkKinds

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"


class ServiceKinds(NetworkKinds):
    def make_load_balancer(self, st: RegionState) -> None:
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
            self.coin(
                "access",
                "alb-connection-logs",
                0.2,
                "elasticloadbalancing:DescribeLoadBalancerAttributes connection_logs.s3.enabled",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
            ),
        ]
        self.add(st.where, arn, LOAD_BALANCER, name, name, coverage, self.tags(app))
        self.wire(arn, subnet, vpc, sg, ATTACHED_TO_SUBNET)
        if logged and bucket:
            self.rel(arn, bucket, DELIVERS_TO_BUCKET, "logging")

    def make_bucket(self, st: RegionState) -> None:
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
        self.add(st.where, arn, "AWS::S3::Bucket", name, name, coverage, self.tags(app))
        if target:
            self.rel(arn, target, DELIVERS_TO_BUCKET, "logging")
        st.buckets.append(arn)

    def make_role(self, st: RegionState) -> None:
        app = self.rng.choice(APPS)
        name = f"{app}-role-{self.hex_id(8)}"
        arn = f"arn:aws:iam::{st.account}:role/{name}"
        self.add((st.account, GLOBAL_REGION), arn, "AWS::IAM::Role", name, name, [], self.tags(app))
        st.roles.append(arn)

    def make_log_group(self, st: RegionState, name: str | None = None) -> str:
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
        self.add(st.where, arn, "AWS::Logs::LogGroup", name, name, coverage)
        st.log_groups.append(arn)
        return arn

    def make_function(self, st: RegionState) -> None:
        rng = self.rng
        app = rng.choice(APPS)
        name = f"{app}-{rng.choice(('handler', 'consumer', 'cron', 'resize'))}-{self.hex_id(6)}"
        arn = f"arn:aws:lambda:{st.region}:{st.account}:function:{name}"
        status = self.read_status(st.where, "iam:GetRolePolicy", 0.6, 0.15, 0.2)
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
        self.add(st.where, arn, "AWS::Lambda::Function", name, name, coverage, self.tags(app))
        if role:
            self.rel(arn, role, ASSOCIATED_ROLE)
        if group:
            self.rel(arn, group, DELIVERS_TO_LOG_GROUP, "logging")
        if st.subnets and rng.random() < 0.3:
            subnet, _, _ = rng.choice(st.subnets)
            self.rel(arn, subnet, "Is contained in Subnet")
            self.rel(arn, self.pick_security_group(st), ASSOCIATED_SG)

    def make_db(self, st: RegionState) -> None:
        rng = self.rng
        engine = rng.choice(("mysql", "postgres", "aurora-postgresql", "mariadb"))
        name = f"{rng.choice(APPS)}-db-{self.hex_id(6)}"
        arn = f"arn:aws:rds:{st.region}:{st.account}:db:{name}"
        status = self.read_status(st.where, "rds:DescribeDBInstances", 0.35, 0.3, 0.3)
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
        self.add(
            st.where,
            arn,
            "AWS::RDS::DBInstance",
            name,
            name,
            coverage,
            {"engine": engine, **self.tags("db")},
        )
        self.rel(arn, self.pick_security_group(st), ASSOCIATED_SG)
