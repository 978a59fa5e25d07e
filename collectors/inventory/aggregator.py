"""A whole organization's inventory from one AWS Config aggregator (`--aggregator NAME`).

The aggregator is the distributed engine: it already holds every member account's and
region's configuration items, so no role is assumed into any account. Cost:

1. `DescribeConfigurationAggregators` (1 call): the aggregator must exist; a missing or
   denied one is one `errors` entry and an empty result.
2. `SelectAggregateResourceConfig` with the configuration item's full fields (relationships
   included), 100 rows a page: ~0.01 calls per resource.
3. Only when the advanced query fails: `ListAggregateDiscoveredResources` per type (100 a
   page), `BatchGetAggregateResourceConfig` (100 identifiers a call, unprocessed ones
   retried) and `GetAggregateResourceConfig` for resources of types with relationships
   (`BaseConfigurationItem` has none).

The result is one `RegionInventory` per account-region found (plus one per account with
region "global" for IAM). An aggregator does not say what each member's recorder records,
so `types_covered` is the set of types seen there.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from snapshot.model import CollectionError

from ..aws.errors import error_code, to_collection_error
from ..aws.session import AwsContext
from .base import ProgressFn, RegionInventory, no_progress
from .config_items import ConfigItemSet
from .config_service import (
    BATCH_SIZE,
    FALLBACK_TYPES,
    IGNORED_TYPES,
    PAGE_SIZE,
    RELATIONSHIP_TYPES,
    UNPROCESSED_RETRIES,
    parse_row,
    select_expressions,
)

SOURCE = "aggregator"


class AggregatorSource:
    """Every account-region an AWS Config aggregator covers."""

    name = SOURCE

    def __init__(
        self,
        aws: AwsContext,
        name: str,
        *,
        region: str | None = None,
        use_select: bool = True,
    ) -> None:
        self.aws = aws
        self.aggregator = name
        self.region = region or aws.session.region_name or "us-east-1"
        self.use_select = use_select
        self._errors: list[CollectionError] = []
        self._get_works = True

    def collect_all(self, progress: ProgressFn = no_progress) -> list[RegionInventory]:
        self._errors = []
        self._get_works = True
        self._progress = progress
        client = self.aws.client("config", self.region)
        progress("aggregator", {"name": self.aggregator, "region": self.region})
        items = ConfigItemSet(SOURCE)
        if self._exists(client):
            done = self.use_select and self._select(client, items)
            if not done:
                items = ConfigItemSet(SOURCE)
                self._list_and_get(client, items)
        inventories = items.inventories()
        if self._errors:
            home = next(
                (
                    inv
                    for inv in inventories
                    if (inv.account, inv.region) == (self.aws.account, self.region)
                ),
                None,
            )
            if home is None:
                home = RegionInventory(account=self.aws.account or "", region=self.region,
                                       source=SOURCE)  # fmt: skip
                inventories.append(home)
            home.errors.extend(self._errors)
        for inv in inventories:
            progress(
                "resources",
                {"account": inv.account, "region": inv.region, "count": len(inv.resources)},
            )
        return inventories

    def _fail(self, exc: BaseException, operation: str) -> None:
        self._errors.append(
            to_collection_error(
                exc,
                account=self.aws.account,
                region=self.region,
                service="config",
                operation=operation,
            )
        )
        self._progress("error", {"region": self.region, "operation": f"config:{operation}"})

    def _exists(self, client: Any) -> bool:
        try:
            found = client.describe_configuration_aggregators(
                ConfigurationAggregatorNames=[self.aggregator]
            ).get("ConfigurationAggregators", [])
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "DescribeConfigurationAggregators")
            return False
        if not found:
            self._fail(
                LookupError(f"no configuration aggregator named {self.aggregator!r}"),
                "DescribeConfigurationAggregators",
            )
            return False
        return True

    def _select(self, client: Any, items: ConfigItemSet) -> bool:
        paginator = client.get_paginator("select_aggregate_resource_config")
        try:
            for expression in select_expressions(None):
                for page in paginator.paginate(
                    ConfigurationAggregatorName=self.aggregator,
                    Expression=expression,
                    PaginationConfig={"PageSize": PAGE_SIZE},
                ):
                    for row in page.get("Results", []):
                        item = parse_row(row)
                        if item and item.get("resourceType") not in IGNORED_TYPES:
                            items.add(item)
        except (ClientError, BotoCoreError) as exc:
            # Not an `errors` entry: the list/batch-get path that follows collects the same
            # items and records its own failures.
            self._progress(
                "fallback",
                {"operation": "config:SelectAggregateResourceConfig", "code": error_code(exc)},
            )
            return False
        return True

    def _list_and_get(self, client: Any, items: ConfigItemSet) -> None:
        identifiers: list[dict[str, str]] = []
        paginator = client.get_paginator("list_aggregate_discovered_resources")
        for resource_type in FALLBACK_TYPES:
            try:
                for page in paginator.paginate(
                    ConfigurationAggregatorName=self.aggregator,
                    ResourceType=resource_type,
                    PaginationConfig={"PageSize": PAGE_SIZE},
                ):
                    identifiers.extend(page.get("ResourceIdentifiers", []))
            except (ClientError, BotoCoreError) as exc:
                self._fail(exc, "ListAggregateDiscoveredResources")
        for start in range(0, len(identifiers), BATCH_SIZE):
            self._batch_get(client, identifiers[start : start + BATCH_SIZE], items)

    def _batch_get(
        self, client: Any, identifiers: list[dict[str, str]], items: ConfigItemSet
    ) -> None:
        pending = identifiers
        for attempt in range(UNPROCESSED_RETRIES + 1):
            try:
                response = client.batch_get_aggregate_resource_config(
                    ConfigurationAggregatorName=self.aggregator, ResourceIdentifiers=pending
                )
            except (ClientError, BotoCoreError) as exc:
                self._fail(exc, "BatchGetAggregateResourceConfig")
                return
            for item in response.get("BaseConfigurationItems", []):
                if self._get_works and item.get("resourceType") in RELATIONSHIP_TYPES:
                    item = self._with_relationships(client, item)
                items.add(item)
            pending = response.get("UnprocessedResourceIdentifiers") or []
            if not pending:
                return
            time.sleep(min(0.2 * 2**attempt, 2.0))
        self._fail(
            RuntimeError(f"{len(pending)} resource identifiers left unprocessed"),
            "BatchGetAggregateResourceConfig",
        )

    def _with_relationships(self, client: Any, item: dict[str, Any]) -> dict[str, Any]:
        identifier = {
            "SourceAccountId": item["accountId"],
            "SourceRegion": item["awsRegion"],
            "ResourceId": item["resourceId"],
            "ResourceType": item["resourceType"],
        }
        try:
            response = client.get_aggregate_resource_config(
                ConfigurationAggregatorName=self.aggregator, ResourceIdentifier=identifier
            )
        except (ClientError, BotoCoreError) as exc:
            # One error, not one per resource: the items are kept without relationships.
            self._fail(exc, "GetAggregateResourceConfig")
            self._get_works = False
            return item
        return response.get("ConfigurationItem") or item
