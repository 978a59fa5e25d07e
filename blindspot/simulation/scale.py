"""`--size large`: thousands more resources across the workload accounts and regions.

For trying the explorer at scale, not for the ground truth: every fleet is split so that
each layer keeps both logged and missing resources (agent on every other instance, access
logs on every third bucket, retention on every other log group, logs permission on every
other function). Bulk calls are used where AWS has them (`run_instances` with MinCount,
`put_metric_data` with many points) to keep the build to tens of seconds.
"""

from __future__ import annotations

from .accounts import BuildContext
from .compute import launch, report_cwagent
from .naming import TEAMS, tags
from .network import Vpc, build_vpc, log_group
from .serverless import create_function, execution_role
from .storage import create_bucket, enable_access_logs, make_log_target

#: Per (workload account, region): instances, buckets, functions, log groups, SGs.
FLEET = {"instances": 300, "buckets": 60, "functions": 40, "log_groups": 80, "security_groups": 40}


def build_scale(ctx: BuildContext, vpcs: dict[tuple[str, str], Vpc]) -> None:
    rng = ctx.rng
    for role in ("production", "development"):
        account = ctx.account(role)
        env = role
        logs_role = execution_role(
            account, f"{role[:4]}-fleet-fn-logs", ("service-role/AWSLambdaBasicExecutionRole",)
        )
        bare_role = execution_role(
            account, f"{role[:4]}-fleet-fn-bare", ("AmazonS3ReadOnlyAccess",)
        )
        for index, region in enumerate(ctx.regions):
            prefix = f"{role[:4]}-fleet-{region.split('-')[0]}{region[-1]}"
            vpc = build_vpc(
                account,
                region,
                f"{prefix}-vpc",
                f"10.{100 + index * 10 + (role == 'development') * 50}",
                env,
                "platform",
                tiers=("app",),
                nat=False,
            )
            ec2 = account.client("ec2", region)
            for n in range(FLEET["security_groups"]):
                ec2.create_security_group(
                    GroupName=f"{prefix}-svc-{n:03d}-sg", Description="service", VpcId=vpc.id
                )

            ids: list[str] = []
            per_team = FLEET["instances"] // len(TEAMS)
            for t, team in enumerate(TEAMS):
                ids += launch(
                    account,
                    vpc,
                    f"{prefix}-app",
                    f"{prefix}-{team}",
                    tags(env, team, f"cc-{1000 + t * 17}"),
                    subnet=t,
                    count=per_team,
                )
            report_cwagent(account, region, ids[::2])

            target = create_bucket(
                account,
                region,
                ctx.naming.bucket(f"{prefix}-logs"),
                tags(env, "platform", "cc-1042"),
            )
            make_log_target(account, region, target)
            for n in range(FLEET["buckets"]):
                team = TEAMS[rng.randrange(len(TEAMS))]
                name = create_bucket(
                    account,
                    region,
                    ctx.naming.bucket(f"{prefix}-{team}-{n:03d}"),
                    tags(env, team, "cc-1042"),
                )
                if n % 3 == 0:
                    enable_access_logs(account, region, name, target)

            for n in range(FLEET["functions"]):
                team = TEAMS[n % len(TEAMS)]
                create_function(
                    account,
                    region,
                    f"{prefix}-{team}-fn-{n:03d}",
                    logs_role if n % 2 == 0 else bare_role,
                    tags(env, team, "cc-1042"),
                )
            for n in range(FLEET["log_groups"]):
                log_group(
                    account,
                    region,
                    f"/app/{prefix}/service-{n:03d}",
                    retention=30 if n % 2 == 0 else None,
                )
