"""EC2 instances of the demo organization, and the host-layer evidence of their logs.

Host logs come from the CloudWatch agent; blindspot infers it from evidence, since moto has
no SSM inventory: `CWAgent` metrics carrying the instance's id, log streams named after the
instance, and an instance-profile role that may write logs. Planned: two of the three
production web instances run the agent (metrics + log streams, role with
CloudWatchAgentServerPolicy); the third was launched later from the same template but the
agent never started (role allows it, no evidence); the EU batch worker, the development
bastion and the development scratch box (whose Name tag is hostile markup) have no agent and
no role that could ship logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .accounts import BuildContext, SimAccount, record_planned, service_trust
from .naming import hostile_tags, tag_list, tags
from .network import Vpc, ec2_arn

AMI_X86 = "ami-0a3c3a20c09d6f377"  # Amazon Linux 2023, from amis.json
AMI_ARM = "ami-0c5e6a42b4f9a5a13"

EC2_TRUST = service_trust("ec2.amazonaws.com")


@dataclass
class Instances:
    """Instance ids launched in one account-region, by name."""

    ids: dict[str, str] = field(default_factory=dict)


def instance_profile(account: SimAccount, name: str, policies: tuple[str, ...]) -> str:
    """A role + instance profile of the same name with AWS managed policies; returns its ARN."""
    iam = account.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST, Path="/")
    for policy in policies:
        iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return profile


def launch(
    account: SimAccount,
    vpc: Vpc,
    tier: str,
    name: str,
    tag_values: dict[str, str],
    *,
    subnet: int = 0,
    profile: str | None = None,
    count: int = 1,
    instance_type: str = "t3.medium",
    image: str = AMI_X86,
) -> list[str]:
    """Launch `count` instances named `name` (suffixed when several) in `vpc`'s `tier`: in
    its `subnet`-th subnet (modulo their number) with its security group; returns their ids."""
    subnets = vpc.subnet_ids(tier)
    params = {
        "ImageId": image,
        "InstanceType": instance_type,
        "MinCount": count,
        "MaxCount": count,
        "SubnetId": subnets[subnet % len(subnets)],
        "SecurityGroupIds": [vpc.security_groups[f"{tier}-sg"]],
        "MetadataOptions": {"HttpTokens": "required"},
        "TagSpecifications": [
            {"ResourceType": "instance", "Tags": tag_list({**tag_values, "Name": name})}
        ],
    }
    if profile:
        params["IamInstanceProfile"] = {"Arn": profile}
    reservation = account.client("ec2", vpc.region).run_instances(**params)
    return [instance["InstanceId"] for instance in reservation["Instances"]]


def report_cwagent(account: SimAccount, region: str, instance_ids: list[str]) -> None:
    """What a running CloudWatch agent leaves behind: CWAgent metrics per instance."""
    cloudwatch = account.client("cloudwatch", region)
    for start in range(0, len(instance_ids), 500):
        batch = instance_ids[start : start + 500]
        cloudwatch.put_metric_data(
            Namespace="CWAgent",
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": [
                        {"Name": "InstanceId", "Value": instance_id},
                        {"Name": "ImageId", "Value": AMI_X86},
                        {"Name": "InstanceType", "Value": "t3.medium"},
                    ],
                    "Value": value,
                    "Unit": "Percent",
                }
                for instance_id in batch
                for metric, value in (("mem_used_percent", 41.5), ("disk_used_percent", 63.0))
            ],
        )


def ship_host_logs(account: SimAccount, region: str, group: str, instance_ids: list[str]) -> None:
    """Log streams named after the instances, as the agent's default `{instance_id}` does."""
    logs = account.client("logs", region)
    for instance_id in instance_ids:
        logs.create_log_stream(logGroupName=group, logStreamName=instance_id)


def record_host(
    ctx: BuildContext, account: SimAccount, region: str, instance_id: str, state: str, detail: str
) -> None:
    record_planned(
        ctx,
        account,
        region,
        "AWS::EC2::Instance",
        instance_id,
        ec2_arn(account.id, region, "instance", instance_id),
        "cloudwatch-agent",
        state,
        detail,
        layer="host",
    )


def build_instances(ctx: BuildContext, vpcs: dict[tuple[str, str], Vpc]) -> None:
    """Production web and batch instances, a development bastion; host evidence for some."""
    from .network import log_group

    prod = ctx.account("production")
    dev = ctx.account("development")
    east, west = ctx.regions[0], ctx.regions[1]

    web_profile = instance_profile(
        prod, "prod-web-ec2", ("CloudWatchAgentServerPolicy", "AmazonSSMManagedInstanceCore")
    )
    batch_profile = instance_profile(prod, "prod-batch-ec2", ("AmazonS3ReadOnlyAccess",))
    vpc = vpcs[("production", east)]
    web_tags = tags("production", "storefront", "cc-1107", service="web")
    web_ids = [
        launch(
            prod,
            vpc,
            "prod-app",
            f"prod-web-{index + 1}",
            web_tags,
            subnet=index,
            profile=web_profile,
        )[0]
        for index in range(3)
    ]
    ctx.facts["prod_web_instances"] = web_ids
    agent_on = web_ids[:2]
    report_cwagent(prod, east, agent_on)
    group = "/ec2/prod-web/var/log/messages"
    log_group(prod, east, group, retention=30)
    ship_host_logs(prod, east, group, agent_on)
    for instance_id in agent_on:
        record_host(ctx, prod, east, instance_id, "logged", "CWAgent metrics and log stream")
    record_host(ctx, prod, east, web_ids[2], "missing", "agent never started")

    batch = launch(
        prod,
        vpcs[("production", west)],
        "prod-eu-app",
        "prod-eu-batch-worker",
        tags("production", "data", "cc-1042", service="batch"),
        profile=batch_profile,
        instance_type="c7g.large",
        image=AMI_ARM,
    )[0]
    record_host(ctx, prod, west, batch, "missing", "no agent, role cannot write logs")

    dev_vpc = vpcs[("development", east)]
    bastion = launch(
        dev,
        dev_vpc,
        "dev-public",
        "dev-bastion",
        {**tags("development", "platform", "cc-2077"), **hostile_tags(xml_safe=True)},
        instance_type="t3.micro",
    )[0]
    ctx.facts["dev_bastion"] = bastion
    record_host(ctx, dev, east, bastion, "missing", "no agent, no instance profile")
    # A Name tag an explorer would turn into a quit button or bold text if it trusted it.
    scratch = launch(
        dev,
        dev_vpc,
        "dev-app",
        "dev-[@click=app.quit]scratch[/]-box [bold]",
        tags("development", "data", "cc-2077"),
        instance_type="t3.small",
    )[0]
    ctx.facts["dev_hostile_name_instance"] = scratch
    record_host(ctx, dev, east, scratch, "missing", "no agent, no instance profile")
