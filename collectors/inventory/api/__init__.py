"""The direct-API inventory source: Describe/List calls where AWS Config is off or partial.

`ApiSource(aws)` implements the `InventorySource` protocol for one account. Each service
family is one module with `TYPES` (the AWS Config types it lists), `GLOBAL` (listed once
per account, in the account's global region) and `collect(ctx)`. A family whose types all
come from another source (`skip_types`, set by `--source auto` from what the Config
recorder covers) is not called at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from ...account_facts import AccountFacts
from ...aws.session import AwsContext
from ..base import ProgressFn, RegionInventory, no_progress
from . import (
    apigateway,
    cloudfront,
    cloudtrail,
    dynamodb,
    ec2,
    eks,
    elb,
    iam,
    lambda_,
    logs,
    rds,
    route53,
    s3,
    wafv2,
)
from ._common import AccountShared, ApiRegion, to_config_shape

#: Order matters only for the inference passes at the end (they read the inventory).
FAMILIES: tuple[ModuleType, ...] = (
    ec2,
    elb,
    rds,
    lambda_,
    s3,
    cloudfront,
    wafv2,
    apigateway,
    route53,
    cloudtrail,
    logs,
    iam,
    eks,
    dynamodb,
)

#: Every AWS Config type the direct APIs can list.
API_TYPES: frozenset[str] = frozenset(t for family in FAMILIES for t in family.TYPES)

#: The region where an account's global services (IAM, CloudFront, Route 53) are read.
DEFAULT_GLOBAL_REGION = "us-east-1"


def choose_global_region(regions: Iterable[str]) -> str:
    """us-east-1 when it is collected (global services' home), else the first region."""
    regions = list(regions)
    if not regions or DEFAULT_GLOBAL_REGION in regions:
        return DEFAULT_GLOBAL_REGION
    return regions[0]


class ApiSource:
    """Collects one account's resources region by region through read-only API calls."""

    name = "api"

    def __init__(
        self,
        aws: AwsContext,
        *,
        regions: Iterable[str] = (),
        global_region: str | None = None,
        skip_types: Iterable[str] = (),
        facts: AccountFacts | None = None,
    ) -> None:
        self.aws = aws
        #: What the account's inventory hands its probes (`collectors.account_facts`).
        self.facts = facts or AccountFacts()
        regions = list(regions)
        self.global_region = global_region or choose_global_region(regions)
        self.shared = AccountShared(regions, self.global_region)
        self.skip_types = frozenset(skip_types)

    def collect_region(
        self,
        account: str,
        region: str,
        progress: ProgressFn = no_progress,
        *,
        skip_types: Iterable[str] = (),
        known: RegionInventory | None = None,
    ) -> RegionInventory:
        """List the region; `skip_types` come from `known` (another source's inventory)."""
        inventory = RegionInventory(account=account, region=region, source=self.name)
        ctx = ApiRegion(
            aws=self.aws,
            inventory=inventory,
            progress=progress,
            skip_types=self.skip_types | frozenset(skip_types),
            is_global_region=region == self.global_region,
            shared=self.shared,
            known=known,
            facts=self.facts,
        )
        for family in FAMILIES:
            if family.GLOBAL and not ctx.is_global_region:
                continue
            if not ctx.wants(*family.TYPES):
                continue
            family.collect(ctx)
            if ctx.region_unavailable:
                return inventory  # region not enabled: nothing else will answer
        ec2.infer_eni_owners(ctx)
        iam.link_instance_profiles(ctx)
        if ctx.wants(wafv2.WEB_ACL):
            wafv2.link_protected(ctx)
        return inventory


__all__ = ["API_TYPES", "FAMILIES", "ApiSource", "choose_global_region", "to_config_shape"]
