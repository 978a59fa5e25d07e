"""A wide organization for measuring collection at scale: hundreds or thousands of accounts.

The demo organization (`org.py`) is four accounts deep in detail; the largest estates are
the opposite, a thousand accounts each holding a small workload. `build_fleet` makes that
shape in moto: an organization whose management account creates `accounts` members through
Organizations, each reached through `OrganizationAccountAccessRole` like a real member, each
holding one VPC with a subnet and a bucket. Every other account has VPC flow logs (to the
management account's bucket) and bucket access logging (to a bucket of its own) switched
on, so collection has both verdicts to find. It is not part of the ground truth; the
benchmarks use it to measure wall time, calls and memory of `collect --org` and of sharded
collection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .accounts import MEMBER_ROLE, SimAccount, _assume, create_organization
from .naming import Naming
from .storage import enable_access_logs, make_log_target

#: Build progress: (accounts made, accounts in all).
FleetProgress = Callable[[int, int], None]


@dataclass
class Fleet:
    management: SimAccount
    member_ids: list[str]
    region: str
    member_role_name: str = MEMBER_ROLE
    build_seconds: float = 0.0
    #: Accounts whose VPC has flow logs and whose bucket logs its access.
    logged: set[str] = field(default_factory=set)


def _workload(member: SimAccount, region: str, index: int, log_bucket: str) -> bool:
    """One small workload: a VPC, a subnet, a bucket; logged when `index` is even."""
    ec2 = member.client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    s3 = member.client("s3", region)
    bucket = f"fleet-{member.id}-data"
    s3.create_bucket(Bucket=bucket)
    if index % 2:
        return False
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{log_bucket}",
    )
    # Server access logs go to a bucket of the same account and region, as AWS requires.
    access_logs = f"fleet-{member.id}-access-logs"
    s3.create_bucket(Bucket=access_logs)
    make_log_target(member, region, access_logs)
    enable_access_logs(member, region, bucket, access_logs)
    return True


def build_fleet(
    accounts: int, seed: int = 7, region: str = "us-east-1", progress: FleetProgress | None = None
) -> Fleet:
    """Create the organization and `accounts` member accounts with their workloads.

    Runs inside `simulated_aws()` (environment.py), like the demo organization.
    """
    started = time.perf_counter()
    naming = Naming.from_seed(seed)
    _, first = create_organization(naming)  # management + the demo's three members
    management = first["management"]
    org = management.client("organizations")
    sts = management.client("sts")
    log_bucket = f"fleet-{management.id}-logs"
    management.client("s3", region).create_bucket(Bucket=log_bucket)
    members = [account for role, account in first.items() if role != "management"]
    for index in range(max(0, accounts - len(members))):
        status = org.create_account(
            AccountName=f"workload-{index:04d}",
            Email=f"workload-{index:04d}@example.com",
            RoleName=MEMBER_ROLE,
        )["CreateAccountStatus"]
        members.append(
            SimAccount(
                role="workload",
                id=status["AccountId"],
                name=f"workload-{index:04d}",
                email=f"workload-{index:04d}@example.com",
                credentials=_assume(sts, status["AccountId"], MEMBER_ROLE, "platform-admin"),
            )
        )
    fleet = Fleet(management=management, member_ids=[m.id for m in members], region=region)
    for index, member in enumerate(members):
        if _workload(member, region, index, log_bucket):
            fleet.logged.add(member.id)
        if progress is not None:
            progress(index + 1, len(members))
    fleet.build_seconds = time.perf_counter() - started
    return fleet
