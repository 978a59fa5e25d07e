"""The one interface every inventory source implements, and what it hands on.

An inventory source (AWS Config in the account, a Config aggregator, delivered Config files,
or direct Describe/List calls) produces, per account and region, the resources found and
their relationships, named as AWS Config names them. It also keeps each resource's raw
configuration in AWS Config's shape (camelCase `configuration` plus
`supplementaryConfiguration`), so that the logging probes that follow can read logging
state already collected (S3 `BucketLoggingConfiguration`, ALB `LoadBalancerAttributes`,
CloudFront `distributionConfig.logging`) instead of calling the API again per resource.
Raw configurations are not written to the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from snapshot.model import (
    ACCOUNT_TYPE,
    GLOBAL_REGION,
    REGION_TYPE,
    CollectionError,
    Relationship,
    Resource,
    account_node_id,
    region_node_id,
)


@dataclass(slots=True)
class CollectedResource:
    """A resource as collected, before coverage: the snapshot record plus its raw config."""

    resource: Resource
    configuration: dict[str, Any] = field(default_factory=dict)
    supplementary: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.resource.id

    @property
    def type(self) -> str:
        return self.resource.type


@dataclass
class RegionInventory:
    """Everything one source found in one account-region."""

    account: str
    region: str
    source: str
    resources: dict[str, CollectedResource] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    #: Resource types this source covered completely in this region (for `--source auto`,
    #: the API fills in the rest).
    types_covered: set[str] = field(default_factory=set)
    #: The account's global items (IAM roles and customer-managed policies) by ARN, one dict
    #: shared by every region of the account: AWS Config records them once, in one region,
    #: while the probes of every region read them (a Lambda's execution role). Not part of
    #: this region's resources.
    account_items: dict[str, CollectedResource] = field(default_factory=dict)

    def add(self, item: CollectedResource) -> None:
        self.resources.setdefault(item.id, item)

    def of_type(self, *types: str) -> list[CollectedResource]:
        wanted = set(types)
        return [item for item in self.resources.values() if item.type in wanted]

    def merge(self, other: RegionInventory) -> None:
        """Add what another source found (resources already present are kept)."""
        for item in other.resources.values():
            self.add(item)
        self.relationships.extend(other.relationships)
        self.errors.extend(other.errors)
        self.types_covered |= other.types_covered


def add_pseudo_resources(
    inventory: RegionInventory, account_name: str = "", *, name_source: bool = True
) -> None:
    """The account and account-region resources where account/region controls live.

    Both `collect` (naming the account and the inventory's source) and the probe runner
    (for inventories built without `collect`) call it; ones already there are kept.
    """
    account, region = inventory.account, inventory.region
    source = inventory.source if name_source else None
    inventory.add(
        CollectedResource(
            Resource(
                id=account_node_id(account),
                type=ACCOUNT_TYPE,
                account=account,
                region=GLOBAL_REGION,
                name=account_name or account,
                resource_id=account,
                source=source,
            )
        )
    )
    inventory.add(
        CollectedResource(
            Resource(
                id=region_node_id(account, region),
                type=REGION_TYPE,
                account=account,
                region=region,
                name=region,
                resource_id=region,
                source=source,
            )
        )
    )


#: Progress callback: (event, detail) e.g. ("resources", {"account": ..., "count": 12}).
ProgressFn = Callable[[str, dict[str, Any]], None]


def no_progress(event: str, detail: dict[str, Any]) -> None:
    """The default progress callback: says nothing."""


class InventorySource(Protocol):
    """Collects one account-region's resources and relationships."""

    name: str

    def collect_region(
        self, account: str, region: str, progress: ProgressFn = no_progress
    ) -> RegionInventory: ...
