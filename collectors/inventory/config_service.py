"""Inventory and relationships from AWS Config in one account-region.

Cost, per region (the design asks for few calls per resource):

1. The recorder: `DescribeConfigurationRecorders` + `DescribeConfigurationRecorderStatus`
   (2 calls, handed over to the config-recorder probe of the same account-region, which
   would otherwise make them again: `RECORDERS` / `STATUSES` in the account's
   `AccountFacts`). No recorder, or one that is
   not recording, means Config is off here: nothing is collected through Config and
   `types_covered` stays empty, so that `--source auto` fills the region from the direct
   APIs. Otherwise `types_covered` is what the recorder records (all supported types,
   minus exclusions, or its list).
2. The items: **one advanced query**, `SelectResourceConfig` with the full configuration
   item's fields (`configuration`, `supplementaryConfiguration`, `tags` and
   `relationships` are all selectable), 100 rows a page. That is ~0.01 calls per resource,
   relationships included. `BatchGetResourceConfig` cannot replace it: its
   `BaseConfigurationItem` has no `relationships` and no `tags` (botocore model).
3. Only when the advanced query fails (or `use_select=False`): `ListDiscoveredResources`
   per type (100 a page), `BatchGetResourceConfig` (100 keys a call, unprocessed keys
   retried), and `GetResourceConfigHistory(limit=1)` for the resources of types that have
   relationships (one call each: the price of relationships without advanced queries).

Every failure (AccessDenied, throttling past retries, an unknown type in a region) becomes
an `errors` entry (`to_collection_error`) and collection goes on with what remains.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from ..account_facts import AccountFacts
from ..aws.errors import error_code, to_collection_error
from ..aws.session import AwsContext
from .as_of import history_at
from .base import ProgressFn, RegionInventory, no_progress
from .config_items import ConfigItemSet

SOURCE = "config"

#: The fields of a configuration item an advanced query returns (its whole useful content).
SELECT_FIELDS = (
    "resourceId",
    "resourceName",
    "resourceType",
    "arn",
    "accountId",
    "awsRegion",
    "availabilityZone",
    "resourceCreationTime",
    "configurationItemCaptureTime",
    "configurationItemStatus",
    "tags",
    "configuration",
    "supplementaryConfiguration",
    "relationships",
)
#: SelectResourceConfig's Expression is at most 4096 characters.
MAX_EXPRESSION = 4096
PAGE_SIZE = 100
BATCH_SIZE = 100
#: How often unprocessed BatchGetResourceConfig keys are asked for again.
UNPROCESSED_RETRIES = 3

#: Config's own bookkeeping types: not resources of the account.
IGNORED_TYPES = frozenset(
    {
        "AWS::Config::ResourceCompliance",
        "AWS::Config::ConformancePackCompliance",
        "AWS::Config::ConfigurationRecorder",
    }
)
#: Global types (recorded in one region only) that `includeGlobalResourceTypes` governs.
GLOBAL_RECORDED_TYPES = frozenset(
    {"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"}
)

#: Types listed one by one when the advanced query is unavailable and the recorder records
#: "all supported" types (listing all ~500 would cost ~500 calls a region): the types
#: blindspot's coverage controls look at.
FALLBACK_TYPES = (
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Instance",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::TransitGateway",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::FlowLog",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::Lambda::Function",
    "AWS::S3::Bucket",
    "AWS::IAM::Role",
    "AWS::CloudFront::Distribution",
    "AWS::CloudTrail::Trail",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::WAFv2::WebACL",
    "AWS::EKS::Cluster",
    "AWS::DynamoDB::Table",
    "AWS::Route53::HostedZone",
    "AWS::Redshift::Cluster",
    "AWS::OpenSearch::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::ECS::Cluster",
    "AWS::StepFunctions::StateMachine",
    "AWS::NetworkFirewall::Firewall",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBSubnetGroup",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::IAM::InstanceProfile",
)
#: Types whose configuration items carry relationships (graph-anchors.md section 4): only
#: these cost a GetResourceConfigHistory call each on the fallback path.
RELATIONSHIP_TYPES = frozenset(
    {
        "AWS::EC2::Instance",
        "AWS::EC2::NetworkInterface",
        "AWS::EC2::Subnet",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::VPC",
        "AWS::EC2::NatGateway",
        "AWS::EC2::Volume",
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBSubnetGroup",
        "AWS::Lambda::Function",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGatewayV2::Stage",
    }
)


def supported_types() -> frozenset[str]:
    """Every resource type AWS Config knows, from botocore's service model."""
    model = botocore.session.get_session().get_service_model("config")
    return frozenset(model.shape_for("ResourceType").enum)


@dataclass(frozen=True)
class RecorderState:
    """What the region's configuration recorder(s) record."""

    exists: bool = False
    recording: bool = False
    all_supported: bool = False
    include_global: bool = True
    resource_types: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    names: tuple[str, ...] = ()

    @property
    def on(self) -> bool:
        return self.exists and self.recording

    def covered_types(self) -> frozenset[str]:
        """The types Config records here; empty when it records nothing."""
        if not self.on:
            return frozenset()
        if self.all_supported:
            types = supported_types() - self.excluded
            if not self.include_global:
                types -= GLOBAL_RECORDED_TYPES
            return frozenset(types)
        return self.resource_types - self.excluded


#: Hand-overs (`AccountFacts`) of the raw recorder responses the inventory read, taken by
#: the config-recorder probe of the same account-region.
RECORDERS = "config:DescribeConfigurationRecorders"
STATUSES = "config:DescribeConfigurationRecorderStatus"


def read_recorder(client: Any, *, keep: tuple[AccountFacts, str] | None = None) -> RecorderState:
    """The recorder state from DescribeConfigurationRecorders(+Status); raises ClientError.

    With `keep=(facts, region)` the raw responses are handed over (`RECORDERS`, `STATUSES`).
    """
    response = client.describe_configuration_recorders()
    if keep is not None:
        keep[0].hand_over(RECORDERS, keep[1], response)
    recorders = response.get("ConfigurationRecorders", [])
    if not recorders:
        return RecorderState()
    response = client.describe_configuration_recorder_status()
    if keep is not None:
        keep[0].hand_over(STATUSES, keep[1], response)
    statuses = response.get("ConfigurationRecordersStatus", [])
    recording_names = {s.get("name") for s in statuses if s.get("recording")}
    names = tuple(str(r.get("name", "")) for r in recorders)
    active = [r for r in recorders if r.get("name") in recording_names]
    if not active:
        return RecorderState(exists=True, names=names)
    all_supported, include_global = False, False
    types: set[str] = set()
    excluded: set[str] | None = None
    for recorder in active:
        group = recorder.get("recordingGroup") or {"allSupported": True}
        strategy = (group.get("recordingStrategy") or {}).get("useOnly")
        if strategy == "EXCLUSION_BY_RESOURCE_TYPES":
            own = set((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [])
            include_global = True
        elif group.get("allSupported") and strategy in (None, "ALL_SUPPORTED_RESOURCE_TYPES"):
            own = set()
            include_global |= bool(group.get("includeGlobalResourceTypes", False))
        else:
            types |= set(group.get("resourceTypes") or [])
            continue
        all_supported = True
        # Several all-types recorders: a type is excluded only if every one excludes it.
        excluded = own if excluded is None else excluded & own
    return RecorderState(
        exists=True,
        recording=True,
        all_supported=all_supported,
        include_global=include_global or not all_supported,
        resource_types=frozenset(types),
        excluded=frozenset((excluded or set()) - types),
        names=names,
    )


def select_expressions(types: Iterable[str] | None) -> Iterator[str]:
    """Advanced queries for the given types (all types when None), each within 4096 chars."""
    head = "SELECT " + ", ".join(SELECT_FIELDS)
    if types is None:
        yield head
        return
    chunk: list[str] = []
    for resource_type in sorted(types):
        candidate = [*chunk, resource_type]
        if chunk and len(_in_expression(head, candidate)) > MAX_EXPRESSION:
            yield _in_expression(head, chunk)
            candidate = [resource_type]
        chunk = candidate
    if chunk:
        yield _in_expression(head, chunk)


def _in_expression(head: str, types: list[str]) -> str:
    listed = ", ".join(f"'{t}'" for t in types)
    return f"{head} WHERE resourceType IN ({listed})"


@dataclass
class _Region:
    """One collection run's state (errors are appended to the inventory as they happen)."""

    inventory: RegionInventory
    client: Any
    progress: ProgressFn
    items: ConfigItemSet = field(init=False)

    def __post_init__(self) -> None:
        self.items = ConfigItemSet(
            SOURCE, default_account=self.inventory.account, default_region=self.inventory.region
        )

    def fail(self, exc: BaseException, operation: str) -> None:
        self.inventory.errors.append(
            to_collection_error(
                exc,
                account=self.inventory.account,
                region=self.inventory.region,
                service="config",
                operation=operation,
            )
        )
        self.progress(
            "error",
            {
                "account": self.inventory.account,
                "region": self.inventory.region,
                "operation": f"config:{operation}",
            },
        )


class ConfigServiceSource:
    """The AWS Config of each account-region as an inventory source (`--source config`)."""

    name = SOURCE

    def __init__(
        self,
        aws: AwsContext,
        *,
        use_select: bool = True,
        as_of: datetime | None = None,
        facts: AccountFacts | None = None,
    ) -> None:
        self.aws = aws
        #: Where the recorder reads are handed over to the account's probes.
        self.facts = facts or AccountFacts()
        self.use_select = use_select
        #: `--as-of`: each resource's item at that time, from its history (`as_of.history_at`).
        self.as_of = as_of

    def recorder(self, region: str) -> RecorderState:
        """The region's recorder state (raises ClientError/BotoCoreError)."""
        return read_recorder(self.aws.client("config", region))

    def collect_region(
        self, account: str, region: str, progress: ProgressFn = no_progress
    ) -> RegionInventory:
        inventory = RegionInventory(account=account, region=region, source=SOURCE)
        run = _Region(inventory, self.aws.client("config", region), progress)
        progress("region", {"account": account, "region": region, "service": "config"})
        try:
            state = read_recorder(run.client, keep=(self.facts, region))
        except (ClientError, BotoCoreError) as exc:
            run.fail(exc, "DescribeConfigurationRecorders")
            return inventory
        recorded = covered = state.covered_types()
        if not covered:
            progress("config-off", {"account": account, "region": region})
            return inventory
        wanted = None if state.all_supported else covered
        done = self.as_of is None and self.use_select and self._select(run, wanted, covered)
        if self.as_of is not None:
            listed = covered & set(FALLBACK_TYPES) if state.all_supported else covered
            covered = frozenset(history_at(run, sorted(listed - IGNORED_TYPES), self.as_of))
        elif not done:
            fallback = covered & set(FALLBACK_TYPES) if state.all_supported else covered
            # Only the types listed and fetched completely are vouched for: the direct API
            # (`--source auto`) fills in the rest.
            covered = frozenset(self._list_and_get(run, sorted(fallback - IGNORED_TYPES)))
        for built in run.items.inventories():
            # Global resources (IAM) keep region "global" but belong to this region's run;
            # items of types the recorder no longer records are stale and left out.
            for item in built.resources.values():
                if item.type in recorded:
                    inventory.add(item)
            inventory.relationships.extend(
                rel for rel in built.relationships if rel.source in inventory.resources
            )
        inventory.types_covered = set(covered)
        progress(
            "resources",
            {"account": account, "region": region, "count": len(inventory.resources)},
        )
        return inventory

    # ---------------------------------------------------------------- advanced query

    def _select(self, run: _Region, types: frozenset[str] | None, covered: frozenset[str]) -> bool:
        """All items through SelectResourceConfig; False when the query cannot be used.

        A failed query is not an `errors` entry: the list/batch-get path that follows
        collects the same items, and records its own failures. It is reported as progress.
        """
        paginator = run.client.get_paginator("select_resource_config")
        wanted = covered - IGNORED_TYPES
        try:
            for expression in select_expressions(types):
                pages = paginator.paginate(
                    Expression=expression, PaginationConfig={"PageSize": PAGE_SIZE}
                )
                for page in pages:
                    for row in page.get("Results", []):
                        item = parse_row(row)
                        if item and item.get("resourceType") in wanted:
                            run.items.add(item)
        except (ClientError, BotoCoreError) as exc:
            run.progress(
                "fallback",
                {
                    "account": run.inventory.account,
                    "region": run.inventory.region,
                    "operation": "config:SelectResourceConfig",
                    "code": error_code(exc),
                },
            )
            run.items = ConfigItemSet(
                SOURCE, default_account=run.inventory.account, default_region=run.inventory.region
            )
            return False
        return True

    # ------------------------------------------------------------ list + batch get

    def _list_and_get(self, run: _Region, types: list[str]) -> set[str]:
        """Items by type; returns the types listed and fetched without a failure."""
        complete = set(types)
        keys: list[dict[str, str]] = []
        paginator = run.client.get_paginator("list_discovered_resources")
        for resource_type in types:
            try:
                for page in paginator.paginate(
                    resourceType=resource_type, PaginationConfig={"PageSize": PAGE_SIZE}
                ):
                    keys.extend(
                        {"resourceType": i["resourceType"], "resourceId": i["resourceId"]}
                        for i in page.get("resourceIdentifiers", [])
                    )
            except (ClientError, BotoCoreError) as exc:
                run.fail(exc, "ListDiscoveredResources")
                complete.discard(resource_type)
        for start in range(0, len(keys), BATCH_SIZE):
            complete -= self._batch_get(run, keys[start : start + BATCH_SIZE])
        return complete

    def _batch_get(self, run: _Region, keys: list[dict[str, str]]) -> set[str]:
        """Fetch up to 100 items; returns the types of those that could not be fetched."""
        left = batch_get(
            lambda pending: run.client.batch_get_resource_config(resourceKeys=pending),
            keys,
            ("baseConfigurationItems", "unprocessedResourceKeys"),
            run.items,
            lambda item: self._with_relationships(run, item),
            lambda exc: run.fail(exc, "BatchGetResourceConfig"),
        )
        if left.unprocessed:
            run.inventory.errors.append(
                to_collection_error(
                    RuntimeError(f"{len(left.keys)} resource keys left unprocessed"),
                    account=run.inventory.account,
                    region=run.inventory.region,
                    service="config",
                    operation="BatchGetResourceConfig",
                )
            )
        return {key["resourceType"] for key in left.keys}

    def _with_relationships(self, run: _Region, item: dict[str, Any]) -> dict[str, Any]:
        """The latest full configuration item (with relationships and tags), else `item`."""
        try:
            response = run.client.get_resource_config_history(
                resourceType=item["resourceType"], resourceId=item["resourceId"], limit=1
            )
        except (ClientError, BotoCoreError) as exc:
            run.fail(exc, "GetResourceConfigHistory")
            return item
        history = response.get("configurationItems") or []
        return history[0] if history else item


@dataclass(frozen=True)
class BatchLeft:
    """What a `batch_get` could not fetch: `keys`, and whether only because unprocessed."""

    keys: list[Any]
    unprocessed: bool = False


def batch_get(
    call: Callable[[list[Any]], Any],
    keys: list[Any],
    answer: tuple[str, str],
    items: ConfigItemSet,
    relate: Callable[[dict[str, Any]], dict[str, Any]],
    fail: Callable[[BaseException], None],
) -> BatchLeft:
    """One BatchGet(Aggregate)ResourceConfig of `keys`, unprocessed keys asked for again.

    `answer` names the answer's items and unprocessed keys. Each item goes to `items`,
    through `relate` (its relationships) when its type has some; a failed call goes to
    `fail` and ends it. Unprocessed keys are asked for again `UNPROCESSED_RETRIES` times,
    after a short pause.
    """
    items_key, unprocessed_key = answer
    pending = keys
    for attempt in range(UNPROCESSED_RETRIES + 1):
        if attempt:  # a pause before each retry (counted in the region's budget), none after
            time.sleep(min(0.2 * 2 ** (attempt - 1), 2.0))
        try:
            response = call(pending)
        except (ClientError, BotoCoreError) as exc:
            fail(exc)
            return BatchLeft(pending)
        for item in response.get(items_key, []):
            if item.get("resourceType") in RELATIONSHIP_TYPES:
                item = relate(item)
            items.add(item)
        pending = response.get(unprocessed_key) or []
        if not pending:
            return BatchLeft([])
    return BatchLeft(pending, unprocessed=True)


def parse_row(row: Any) -> dict[str, Any] | None:
    """An advanced query's result row (a JSON string in the real API) as a dict."""
    if isinstance(row, dict):
        return row
    try:
        value = json.loads(row)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
