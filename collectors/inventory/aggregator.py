"""A whole organization's inventory from one AWS Config aggregator (`--aggregator NAME`).

The aggregator already holds every member account's and region's configuration items, so
no role is assumed into any account: one delegated-administrator credential reads them all.
Calls (botocore's config model; `Limit` is at most 100 on every paged call):

1. `DescribeConfigurationAggregators` (1 call): the aggregator must exist; a missing or
   denied one is one `errors` entry and an empty result. Its sources say whether it is an
   organization aggregator.
2. `DescribeConfigurationAggregatorSourcesStatus` (1 call per 100 sources): a source whose
   last update FAILED is an `errors` entry (its items may be stale or missing); regions of
   sources count as regions the aggregator covers.
3. `organizations:ListAccounts` (1 call per 20 accounts), organization aggregators only,
   with the same credential (it works from the management account or a delegated
   administrator of Organizations): the accounts whose recorders send nothing still appear,
   with their names. Refused, it is skipped: accounts then come from the items alone.
4. Partitioned advanced queries. `SELECT accountId, COUNT(*) GROUP BY accountId` (1 call
   per 100 accounts) sizes each account; each account is then read by its own query
   (`... WHERE accountId = 'X'`), and an account holding more than `SPLIT_ACCOUNT_AT` items
   is split by resource type (`SELECT resourceType, COUNT(*) WHERE accountId = 'X' GROUP BY
   resourceType`, then `... AND resourceType IN (...)` in groups of at most that many). A
   million items thus page through many short cursors, run `workers` at a time, instead of
   one sequential cursor of 10,000 pages. Cost: each cursor's pages (items / 100, rounded
   up), one count call per 100 accounts and one per split account: ~10 calls per 1,000
   items at scale.
   Each row carries the item's `configuration`, `supplementaryConfiguration`, `tags` and
   `relationships` (every field that decides a control, and the graph).
5. Only when the advanced query fails: `ListAggregateDiscoveredResources` per type,
   `BatchGetAggregateResourceConfig` (100 identifiers a call, unprocessed ones retried) and
   `GetAggregateResourceConfig` for types with relationships (`BaseConfigurationItem` has
   none).

The result is one `RegionInventory` per account-region: every account known (items,
account sources, the organization's list) x every region that sent an item. An
account-region that sent nothing gets an empty inventory, so its account- and region-level
controls show as not known (the coverage runner says why) instead of vanishing. An
aggregator does not say what each member's recorder records, so `types_covered` is the set
of types seen there.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from snapshot.model import GLOBAL_REGION, CollectionError
from snapshot.sanitize import clean_single_line

from ..aws.errors import error_code, to_collection_error
from ..aws.session import AwsContext
from .base import ProgressFn, RegionInventory, no_progress
from .config_items import ConfigItemSet
from .config_service import (
    BATCH_SIZE,
    FALLBACK_TYPES,
    MAX_EXPRESSION,
    PAGE_SIZE,
    SELECT_FIELDS,
    batch_get,
    parse_row,
)

SOURCE = "aggregator"

#: Config's own compliance bookkeeping: not resources of the account. (The recorder's own
#: item, AWS::Config::ConfigurationRecorder, is kept: it is the recorder control's evidence.)
SKIPPED_TYPES = frozenset(
    {"AWS::Config::ResourceCompliance", "AWS::Config::ConformancePackCompliance"}
)
#: Log-source types read on the fallback path besides the resource types (their items are
#: the evidence of flow logs, trails, recorders, detectors, query-log associations).
LOG_SOURCE_TYPES = (
    "AWS::EC2::FlowLog",
    "AWS::CloudTrail::Trail",
    "AWS::Config::ConfigurationRecorder",
    "AWS::GuardDuty::Detector",
    "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation",
    "AWS::StepFunctions::StateMachine",
)
#: An account with more items than this is read per resource-type group (one cursor each).
SPLIT_ACCOUNT_AT = 10_000
#: Partitions read at once (each is one paged cursor).
DEFAULT_WORKERS = 4
FIELDS = ", ".join(SELECT_FIELDS)
COUNT = "COUNT(*)"


@dataclass(frozen=True)
class Partition:
    """One advanced query over a slice of the aggregator's items."""

    account: str
    expression: str
    expected: int = 0


@dataclass
class AggregatorScope:
    """What the aggregator covers, as far as its sources and the organization say."""

    organization: bool = False
    accounts: dict[str, str] = field(default_factory=dict)  # id -> name ("" if unknown)
    regions: set[str] = field(default_factory=set)


def quote(value: str) -> str:
    """A string literal of Config's query language (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def account_expression(account: str) -> str:
    return f"SELECT {FIELDS} WHERE accountId = {quote(account)}"


def type_group_expressions(account: str, counts: dict[str, int], limit: int) -> list[Partition]:
    """Per-type queries of one large account: groups of at most `limit` items (one type may
    exceed it alone) and at most MAX_EXPRESSION characters."""
    head = f"SELECT {FIELDS} WHERE accountId = {quote(account)} AND resourceType IN "
    partitions: list[Partition] = []
    group: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal group, size
        if group:
            listed = ", ".join(quote(t) for t in group)
            partitions.append(Partition(account, f"{head}({listed})", size))
        group, size = [], 0

    for resource_type, count in sorted(counts.items()):
        longer = len(head) + sum(len(t) + 4 for t in [*group, resource_type]) + 2
        if group and (size + count > limit or longer > MAX_EXPRESSION):
            flush()
        group.append(resource_type)
        size += count
    flush()
    return partitions


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
        workers: int = DEFAULT_WORKERS,
        split_account_at: int = SPLIT_ACCOUNT_AT,
    ) -> None:
        self.aws = aws
        self.aggregator = name
        self.region = region or aws.session.region_name or "us-east-1"
        self.use_select = use_select
        self.workers = max(1, workers)
        self.split_account_at = max(1, split_account_at)
        self.scope = AggregatorScope()
        #: The advanced queries of the last run (for the benchmark and tests).
        self.partitions: list[Partition] = []
        self._errors: list[CollectionError] = []
        self._get_works = True
        self._progress: ProgressFn = no_progress

    def collect_all(self, progress: ProgressFn = no_progress) -> list[RegionInventory]:
        self._errors = []
        self._get_works = True
        self._progress = progress
        self.scope = AggregatorScope()
        self.partitions = []
        client = self.aws.client("config", self.region)
        progress("aggregator", {"name": self.aggregator, "region": self.region})
        items = ConfigItemSet(SOURCE)
        if self._describe(client):
            self._sources_status(client)
            if self.scope.organization:
                self._organization_accounts()
            done = self.use_select and self._select(client, items)
            if not done:
                items = ConfigItemSet(SOURCE)
                self._list_and_get(client, items)
        inventories = self._grid(items.inventories())
        if self._errors:
            if not inventories:
                inventories.append(RegionInventory(self.aws.account or "", self.region, SOURCE))
            inventories[0].errors.extend(self._errors)
        for inv in inventories:
            progress(
                "resources",
                {"account": inv.account, "region": inv.region, "count": len(inv.resources)},
            )
        return inventories

    # ------------------------------------------------------------------ scope

    def _grid(self, found: list[RegionInventory]) -> list[RegionInventory]:
        """An inventory for every known account x every region that sent an item.

        The home account-region (the aggregator's own) comes first: the run's own errors go
        there. Regions of the aggregator's sources that sent nothing at all are left out (an
        organization aggregator over all regions would otherwise add every opt-in region of
        every account); `scope.regions` still lists them.
        """
        by_place = {(inv.account, inv.region): inv for inv in found}
        regions = {inv.region for inv in found if inv.region != GLOBAL_REGION}
        accounts = dict(self.scope.accounts)
        for inv in found:
            accounts.setdefault(inv.account, "")
        home = (self.aws.account or "", self.region)
        if self.aws.account:
            accounts.setdefault(self.aws.account, "")
            regions.add(self.region)
        out: list[RegionInventory] = []
        for account in sorted(accounts, key=lambda a: (a != home[0], a)):
            places = sorted(
                {(account, region) for region in regions}
                | {place for place in by_place if place[0] == account},
                key=lambda place: (place != home, place[1]),
            )
            for place in places:
                out.append(
                    by_place.get(place)
                    or RegionInventory(account=place[0], region=place[1], source=SOURCE)
                )
        return out

    def _fail(self, exc: BaseException, operation: str, service: str = "config") -> None:
        self._errors.append(
            to_collection_error(
                exc,
                account=self.aws.account,
                region=self.region,
                service=service,
                operation=operation,
            )
        )
        self._progress("error", {"region": self.region, "operation": f"{service}:{operation}"})

    def _describe(self, client: Any) -> bool:
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
        aggregator = found[0]
        for source in aggregator.get("AccountAggregationSources") or []:
            for account in source.get("AccountIds") or []:
                self.scope.accounts.setdefault(str(account), "")
            self.scope.regions.update(source.get("AwsRegions") or [])
        organization = aggregator.get("OrganizationAggregationSource")
        if organization:
            self.scope.organization = True
            self.scope.regions.update(organization.get("AwsRegions") or [])
        return True

    def _sources_status(self, client: Any) -> None:
        paginator = client.get_paginator("describe_configuration_aggregator_sources_status")
        failed: list[str] = []
        try:
            for page in paginator.paginate(
                ConfigurationAggregatorName=self.aggregator,
                PaginationConfig={"PageSize": PAGE_SIZE},
            ):
                for status in page.get("AggregatedSourceStatusList") or []:
                    region = status.get("AwsRegion")
                    if region:
                        self.scope.regions.add(str(region))
                    if status.get("SourceType") == "ACCOUNT" and status.get("SourceId"):
                        self.scope.accounts.setdefault(str(status["SourceId"]), "")
                    if status.get("LastUpdateStatus") == "FAILED":
                        failed.append(
                            f"{status.get('SourceId')} {region}: "
                            f"{status.get('LastErrorCode') or 'FAILED'}"
                        )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "DescribeConfigurationAggregatorSourcesStatus")
            return
        if failed:
            self._errors.append(
                CollectionError(
                    account=self.aws.account,
                    region=self.region,
                    service="config",
                    operation="DescribeConfigurationAggregatorSourcesStatus",
                    code="AggregationSourceFailed",
                    message=clean_single_line(
                        "the aggregator's last update failed for "
                        f"{len(failed)} source(s), whose items may be stale or missing: "
                        + "; ".join(failed[:5])
                    ),
                )
            )

    def _organization_accounts(self) -> None:
        """The organization's accounts and names, when this credential may list them."""
        try:
            paginator = self.aws.client("organizations", self.region).get_paginator("list_accounts")
            for page in paginator.paginate():
                for entry in page.get("Accounts") or []:
                    if entry.get("Status", "ACTIVE") == "ACTIVE" and entry.get("Id"):
                        self.scope.accounts[str(entry["Id"])] = clean_single_line(
                            str(entry.get("Name") or "")
                        )
        except (ClientError, BotoCoreError) as exc:
            # Not the management account nor a delegated administrator of Organizations:
            # the accounts come from the items; not an error of the collection.
            self._progress(
                "fallback",
                {"operation": "organizations:ListAccounts", "code": error_code(exc)},
            )

    # ---------------------------------------------------------- advanced query

    def _rows(self, client: Any, expression: str) -> Iterable[Any]:
        paginator = client.get_paginator("select_aggregate_resource_config")
        for page in paginator.paginate(
            ConfigurationAggregatorName=self.aggregator,
            Expression=expression,
            PaginationConfig={"PageSize": PAGE_SIZE},
        ):
            yield from page.get("Results", [])

    def _counts(self, client: Any, expression: str, key: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self._rows(client, expression):
            parsed = parse_row(row) or {}
            value, count = parsed.get(key), parsed.get(COUNT)
            if isinstance(value, str) and isinstance(count, int):
                counts[value] = counts.get(value, 0) + count
        return counts

    def plan_partitions(self, client: Any) -> list[Partition]:
        """The queries that together read every item (see the module docstring)."""
        per_account = self._counts(
            client, f"SELECT accountId, {COUNT} GROUP BY accountId", "accountId"
        )
        partitions: list[Partition] = []
        for account, count in sorted(per_account.items()):
            if count <= self.split_account_at:
                partitions.append(Partition(account, account_expression(account), count))
                continue
            per_type = self._counts(
                client,
                f"SELECT resourceType, {COUNT} WHERE accountId = {quote(account)} "
                "GROUP BY resourceType",
                "resourceType",
            )
            partitions.extend(type_group_expressions(account, per_type, self.split_account_at))
        return partitions

    def _select(self, client: Any, items: ConfigItemSet) -> bool:
        try:
            self.partitions = self.plan_partitions(client)
            rows = self._read_partitions(client, self.partitions)
        except (ClientError, BotoCoreError) as exc:
            # Not an `errors` entry: the list/batch-get path that follows collects the same
            # items and records its own failures.
            self._progress(
                "fallback",
                {"operation": "config:SelectAggregateResourceConfig", "code": error_code(exc)},
            )
            return False
        for batch in rows:
            for row in batch:
                item = parse_row(row)
                if item and item.get("resourceType") not in SKIPPED_TYPES:
                    items.add(item)
        return True

    def _read_partitions(self, client: Any, partitions: list[Partition]) -> list[list[Any]]:
        """Every partition's rows, in partition order; `workers` cursors at a time."""

        def read(partition: Partition) -> list[Any]:
            rows = list(self._rows(client, partition.expression))
            self._progress(
                "aggregator-partition",
                {"account": partition.account, "rows": len(rows), "of": len(partitions)},
            )
            return rows

        if self.workers == 1 or len(partitions) < 2:
            return [read(p) for p in partitions]
        with ThreadPoolExecutor(self.workers, thread_name_prefix="aggregator") as pool:
            return list(pool.map(read, partitions))

    # ------------------------------------------------------------ list + batch get

    def _list_and_get(self, client: Any, items: ConfigItemSet) -> None:
        identifiers: list[dict[str, str]] = []
        paginator = client.get_paginator("list_aggregate_discovered_resources")
        for resource_type in dict.fromkeys((*FALLBACK_TYPES, *LOG_SOURCE_TYPES)):
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
        left = batch_get(
            lambda pending: client.batch_get_aggregate_resource_config(
                ConfigurationAggregatorName=self.aggregator, ResourceIdentifiers=pending
            ),
            identifiers,
            ("BaseConfigurationItems", "UnprocessedResourceIdentifiers"),
            items,
            lambda item: self._with_relationships(client, item),
            lambda exc: self._fail(exc, "BatchGetAggregateResourceConfig"),
        )
        if left.unprocessed:
            self._fail(
                RuntimeError(f"{len(left.keys)} resource identifiers left unprocessed"),
                "BatchGetAggregateResourceConfig",
            )

    def _with_relationships(self, client: Any, item: dict[str, Any]) -> dict[str, Any]:
        if not self._get_works:
            return item
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
