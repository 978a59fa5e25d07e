"""Build the simulated organization: `build_organization(seed, size) -> DemoOrg`.

The organization is realistic and deliberately imperfect: four accounts (management,
security/log-archive, production, development) in two regions, a production web stack
(CloudFront -> WAFv2 -> ALB -> EC2 in private subnets -> RDS), an API Gateway -> Lambda ->
DynamoDB path, buckets, trails, Config, GuardDuty, and in every layer some resources with
logs and some without. `DemoOrg.ground_truth` lists each planned control and its state, for
the collectors' tests. The build runs inside `simulated_aws()` (see environment.py), or use
`demo_organization()` which does both.

`size="large"` adds thousands of resources (instances and their ENIs, buckets, functions,
log groups, security groups) across the workload accounts, for trying the explorer at scale.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import boto3

from .accounts import MEMBER_ROLE, BuildContext, SimAccount, create_organization
from .environment import restored_environment, simulated_aws
from .naming import Naming
from .truth import GroundTruth

REGIONS: tuple[str, ...] = ("us-east-1", "eu-west-1")
SIZES = ("small", "large")

#: Build progress: (step name, steps done, steps in all).
BuildProgress = Callable[[str, int, int], None]


@dataclass
class DemoOrg:
    """The simulated organization, and what a collector needs to reach it."""

    seed: int
    size: str
    company: str
    organization_id: str
    management_account_id: str
    accounts: dict[str, SimAccount]  # by role: management, security, production, development
    regions: tuple[str, ...]
    ground_truth: GroundTruth
    facts: dict = field(default_factory=dict)
    member_role_name: str = MEMBER_ROLE
    build_seconds: float = 0.0

    @property
    def account_ids(self) -> dict[str, str]:
        """Account id by role (management, security, production, development)."""
        return {role: account.id for role, account in self.accounts.items()}

    @property
    def account_names(self) -> dict[str, str]:
        """Account name by account id."""
        return {account.id: account.name for account in self.accounts.values()}

    def session(self, role: str = "management", region: str | None = None) -> boto3.Session:
        """A boto3 session in one account (default: management, as a live run starts)."""
        return self.accounts[role].session(region or self.regions[0])

    @contextlib.contextmanager
    def as_default_credentials(self) -> Iterator[None]:
        """Make the management account's credentials the SDK default (env), like a profile."""
        creds = self.accounts["management"].credentials
        names = {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        }
        with restored_environment(names):
            os.environ.update(names)
            yield


def _steps(ctx: BuildContext) -> list[tuple[str, Callable[[], object]]]:
    from . import compute, databases, foundation, network, scale, serverless, storage, web

    vpcs: dict = {}
    steps: list[tuple[str, Callable[[], object]]] = [
        ("log archive", lambda: foundation.build_log_archive(ctx)),
        ("buckets", lambda: storage.build_buckets(ctx)),
        ("networks", lambda: vpcs.update(network.build_networks(ctx))),
        ("instances", lambda: compute.build_instances(ctx, vpcs)),
        ("web stack", lambda: web.build_web_stack(ctx, vpcs)),
        ("dns", lambda: web.build_dns(ctx)),
        ("databases", lambda: databases.build_databases(ctx, vpcs)),
        ("functions", lambda: serverless.build_functions(ctx)),
        ("apis", lambda: serverless.build_apis(ctx)),
        ("state machines", lambda: serverless.build_state_machines(ctx)),
        ("trails", lambda: foundation.build_trails(ctx)),
        ("config and detection", lambda: foundation.build_config_and_detection(ctx)),
    ]
    if ctx.large:
        steps.append(("scale", lambda: scale.build_scale(ctx, vpcs)))
    steps.append(("defaults", lambda: _touch_every_region(ctx)))
    return steps


def _touch_every_region(ctx: BuildContext) -> None:
    """Create every account-region's default VPC now, in a fixed order after a reseed.

    moto makes a region's default VPC, subnets and security group when EC2 is first used
    there; left to the collector's parallel workers, their ids would depend on thread
    timing and two runs with one seed would differ.
    """
    for account in ctx.accounts.values():
        for region in ctx.regions:
            account.client("ec2", region).describe_vpcs()


def _reseed(seed: int, step: str) -> None:
    """Seed moto's id generator per step, so one step's ids do not depend on the others'.

    moto draws from its generator lazily (backends created on first use, module-level
    caches), so a second build in the same process would otherwise drift from the first.
    """
    from moto.moto_api._internal import mock_random

    mock_random.seed(f"{seed}/{step}")


def build_organization(
    seed: int = 7, size: str = "small", progress: BuildProgress | None = None
) -> DemoOrg:
    """Build the organization in the running simulation (see `simulated_aws`)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    started = time.perf_counter()
    naming = Naming.from_seed(seed)
    _reseed(seed, "organization")
    organization_id, accounts = create_organization(naming)
    ctx = BuildContext(
        naming=naming,
        size=size,
        regions=REGIONS,
        accounts=accounts,
        truth=GroundTruth(),
        rng=random.Random(seed),
        organization_id=organization_id,
    )
    steps = _steps(ctx)
    for done, (name, step) in enumerate(steps):
        if progress:
            progress(name, done, len(steps))
        _reseed(seed, name)
        step()
    if progress:
        progress("done", len(steps), len(steps))
    return DemoOrg(
        seed=seed,
        size=size,
        company=naming.title,
        organization_id=organization_id,
        management_account_id=accounts["management"].id,
        accounts=accounts,
        regions=REGIONS,
        ground_truth=ctx.truth,
        facts=ctx.facts,
        build_seconds=time.perf_counter() - started,
    )


@contextlib.contextmanager
def demo_organization(
    seed: int = 7, size: str = "small", progress: BuildProgress | None = None
) -> Iterator[DemoOrg]:
    """Start the simulated AWS, build the organization in it, stop everything on exit."""
    with simulated_aws(seed):
        yield build_organization(seed, size, progress)
