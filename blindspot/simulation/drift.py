"""`blindspot demo --drift`: the demo organization collected twice, a week apart.

Between the two collections a few logging settings change in moto, as they do in a real
organization over a week: an engineer deletes a VPC's flow logs and stops a trail in
production; someone turns on S3 server access logging on a bucket and flow logs on a
development VPC. Both collections are the real collector over the same moto state, so
`blindspot diff` on the two files shows exactly those changes (and nothing else): the
demo's seeds alone change only names, which makes `diff` useless on two plain demo runs.

The second snapshot is dated seven days after the first (the simulation has no clock of
its own; the date is what makes the pair read as "last week" and "now").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from collectors.inventory.base import ProgressFn, no_progress
from snapshot.model import Snapshot

from . import moto_config
from .collection import build_progress, collect_organization
from .environment import simulated_aws
from .org import DemoOrg, build_organization

#: Days between the two snapshots.
DRIFT_DAYS = 7


@dataclass(frozen=True)
class Drift:
    """The two snapshots and what changed between them, in words."""

    before: Snapshot
    after: Snapshot
    changes: list[str]


def _client(org: DemoOrg, role: str, service: str, region: str) -> Any:
    return org.session(role, region).client(service, region_name=region)


def turn_off_flow_logs(org: DemoOrg, role: str = "production") -> str | None:
    """Delete every flow log of one VPC that has them (the first by id)."""
    for region in org.regions:
        ec2 = _client(org, role, "ec2", region)
        logs = ec2.describe_flow_logs()["FlowLogs"]
        by_vpc: dict[str, list[str]] = {}
        for log in logs:
            by_vpc.setdefault(log["ResourceId"], []).append(log["FlowLogId"])
        vpcs = sorted(v for v in by_vpc if v.startswith("vpc-"))
        if vpcs:
            ec2.delete_flow_logs(FlowLogIds=by_vpc[vpcs[0]])
            return f"{role}: flow logs of {vpcs[0]} ({region}) deleted"
    return None


def stop_a_trail(org: DemoOrg, role: str = "production") -> str | None:
    """Stop logging on the account's own (not the organization's) trail."""
    region = org.regions[0]
    cloudtrail = _client(org, role, "cloudtrail", region)
    account = org.accounts[role].id
    for trail in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]:
        if trail.get("IsOrganizationTrail") or f":{account}:" not in trail["TrailARN"]:
            continue
        if cloudtrail.get_trail_status(Name=trail["TrailARN"]).get("IsLogging"):
            cloudtrail.stop_logging(Name=trail["TrailARN"])
            return f"{role}: trail {trail['Name']} stopped"
    return None


def turn_on_bucket_logging(org: DemoOrg, role: str = "production") -> str | None:
    """Enable server access logging on the first bucket without it, into another bucket."""
    s3 = _client(org, role, "s3", org.regions[0])
    names = sorted(bucket["Name"] for bucket in s3.list_buckets()["Buckets"])
    unlogged = [n for n in names if "LoggingEnabled" not in s3.get_bucket_logging(Bucket=n)]
    if len(names) < 2 or not unlogged:
        return None
    bucket = unlogged[0]
    target = next(n for n in names if n != bucket)
    # S3 (and moto) refuse a target the log delivery group cannot write to.
    s3.put_bucket_acl(Bucket=target, ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": f"s3-access/{bucket}/"}
        },
    )
    return f"{role}: server access logging on bucket {bucket} turned on"


def turn_on_flow_logs(org: DemoOrg, role: str = "development") -> str | None:
    """Create ALL-traffic flow logs for the first VPC that has none."""
    for region in org.regions:
        ec2 = _client(org, role, "ec2", region)
        logged = {log["ResourceId"] for log in ec2.describe_flow_logs()["FlowLogs"]}
        vpcs = sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] not in logged)
        if vpcs:
            ec2.create_flow_logs(
                ResourceIds=[vpcs[0]],
                ResourceType="VPC",
                TrafficType="ALL",
                LogDestinationType="cloud-watch-logs",
                LogGroupName=f"/vpc/flow-logs/{vpcs[0]}",
                DeliverLogsPermissionArn=(
                    f"arn:aws:iam::{org.accounts[role].id}:role/vpc-flow-logs-delivery"
                ),
            )
            return f"{role}: flow logs of {vpcs[0]} ({region}) turned on"
    return None


def apply_drift(org: DemoOrg) -> list[str]:
    """The week's changes, made in moto; returns what changed, one line each."""
    steps = (turn_off_flow_logs, stop_a_trail, turn_on_bucket_logging, turn_on_flow_logs)
    return [change for step in steps if (change := step(org))]


def run_demo_drift(seed: int = 7, size: str = "small", progress: ProgressFn = no_progress) -> Drift:
    """Build the demo organization, collect it, change it, collect it again."""
    with simulated_aws(seed), moto_config.registered():
        org = build_organization(seed, size, build_progress(progress))
        with moto_config.frozen():
            before = collect_organization(org, progress).snapshot
        changes = apply_drift(org)
        with moto_config.frozen():
            after = collect_organization(org, progress).snapshot
    for snapshot in (before, after):
        snapshot.scope.source = "demo"
    after.generated_at = before.generated_at + timedelta(days=DRIFT_DAYS)
    return Drift(before, after, changes)


def drift_path(output: str) -> str:
    """`demo.json.gz` -> `demo.week-later.json.gz`: the second file beside the first."""
    for suffix in (".json.gz", ".json"):
        if output.endswith(suffix):
            return output[: -len(suffix)] + ".week-later" + suffix
    return output + ".week-later.json"
