"""AWS Config configuration items -> collected resources and Config-named relationships.

Every Config-based source (the account's Config, an aggregator, delivered S3 files) ends
here, so the inconsistencies of AWS Config are normalised once (graph-anchors.md section 4):

* **Two JSON shapes.** API responses (BatchGetResourceConfig, GetResourceConfigHistory,
  SelectResourceConfig rows) say `relationshipName`, `accountId`, `arn`, and give
  `configuration` as a JSON string; delivered snapshot/history files and change
  notifications say `name`, `awsAccountId`, `ARN` and give objects. Both are read.
* **Two relationship naming styles.** Older types qualify the verb with the target
  (`Is contained in Vpc`); newer ones use a bare verb with a trailing space
  (`Is contained in `) and name the target only in `resourceType`. Both become the
  qualified form, the raw string is kept in `Relationship.raw`.
* **Targets without ids.** Lambda -> IAM role carries only the role's name; it is resolved to
  the role's ARN in the same account.
* **Owners Config does not record.** An ENI's owner (load balancer, NAT gateway, Lambda,
  RDS, VPC endpoint ...) is inferred from `interfaceType`, `description` and
  `requesterId`, as Workload Discovery on AWS does (origin `inferred`).
* **Indirect relationships** (removed by Config in 2021, still in old items) are kept as
  given; the graph de-duplicates them against the reverse edges it adds.

Untrusted strings (names, tags) are cleaned of terminal control characters.

One item is parsed in `config_item_fields.py`, relationships are resolved in
`config_relations.py`; this module keeps the set of items of a source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from snapshot.model import GLOBAL_REGION

from .base import CollectedResource, RegionInventory
from .config_item_fields import (
    ACCOUNT_WIDE_TYPES,
    GONE_STATUSES,
    ParsedItem,
    capture_time,
    parse_item,
)
from .config_relations import TargetIndex, resolve_relationships

__all__ = ["ConfigItemSet", "parse_item"]


class ConfigItemSet:
    """Configuration items gathered from any Config source, turned into region inventories.

    Keeps the latest item per resource (by capture time) so that history files and
    repeated snapshots can be fed in any order, drops deleted/unrecorded resources, and
    resolves relationships against everything gathered (so a Lambda's role resolves to the
    role's actual ARN, path included, when the role is in the set).
    """

    def __init__(
        self,
        source: str = "config",
        *,
        default_account: str | None = None,
        default_region: str | None = None,
    ) -> None:
        self.source = source
        self.default_account = default_account
        self.default_region = default_region
        self._latest: dict[tuple[str, str, str], ParsedItem] = {}
        self._deleted: dict[tuple[str, str, str], datetime] = {}

    def __len__(self) -> int:
        return len(self._latest)

    def add(self, item: Mapping[str, Any]) -> ParsedItem | None:
        """Add one item; returns it parsed, or None when it was dropped."""
        if not isinstance(item, Mapping):
            return None
        status = item.get("configurationItemStatus")
        if status in GONE_STATUSES:
            key = self._key_of_raw(item)
            when = capture_time(item)
            if key and when >= self._deleted.get(key, datetime.min.replace(tzinfo=UTC)):
                self._deleted[key] = when
                current = self._latest.get(key)
                if current is not None and current.captured <= when:
                    del self._latest[key]
            return None
        parsed = parse_item(
            item,
            source=self.source,
            default_account=self.default_account,
            default_region=self.default_region,
        )
        if parsed is None:
            return None
        res = parsed.resource
        key = (res.account, res.type, res.resource_id or res.id)
        deleted_at = self._deleted.get(key)
        if deleted_at is not None and deleted_at >= parsed.captured:
            return None
        current = self._latest.get(key)
        if current is None or parsed.captured >= current.captured:
            self._latest[key] = parsed
        return parsed

    def extend(self, items: Iterable[Mapping[str, Any]]) -> None:
        for item in items:
            self.add(item)

    def _key_of_raw(self, item: Mapping[str, Any]) -> tuple[str, str, str] | None:
        account = str(item.get("accountId") or item.get("awsAccountId") or self.default_account)
        rtype = item.get("resourceType")
        rid = item.get("resourceId") or item.get("arn") or item.get("ARN")
        return (account, str(rtype), str(rid)) if rtype and rid else None

    def items(self) -> list[ParsedItem]:
        return list(self._latest.values())

    def inventories(self) -> list[RegionInventory]:
        """One inventory per (account, region) holding resources; `types_covered` = types seen.

        Types seen is what a Config source can vouch for without its recorder settings: the
        direct API may still look for the others. Global resources (IAM, CloudFront) keep
        region "global" but go into one of their account's regional inventories (us-east-1
        where present), as AWS Config records them in a region; an account with nothing
        regional gets an inventory of region "global".
        """
        index = TargetIndex()
        for parsed in self._latest.values():
            index.add(parsed)
        regional = sorted(
            {(p.resource.account, p.resource.region) for p in self._latest.values()},
            key=lambda place: (place[0], place[1] != "us-east-1", place[1]),
        )
        home: dict[str, str] = {}
        for account, region in regional:
            if region != GLOBAL_REGION:
                home.setdefault(account, region)
        out: dict[tuple[str, str], RegionInventory] = {}
        for parsed in _merge_same_arn(list(self._latest.values())):
            res = parsed.resource
            region = (
                home.get(res.account, res.region) if res.region == GLOBAL_REGION else res.region
            )
            inv = out.get((res.account, region))
            if inv is None:
                inv = out[(res.account, region)] = RegionInventory(
                    account=res.account, region=region, source=self.source
                )
            inv.add(parsed.collected)
            inv.types_covered.add(res.type)
            inv.relationships.extend(resolve_relationships(parsed, index, self.source))
        shared: dict[str, dict[str, CollectedResource]] = {}
        for parsed in self._latest.values():
            if parsed.resource.type in ACCOUNT_WIDE_TYPES:
                shared.setdefault(parsed.resource.account, {})[parsed.resource.id] = (
                    parsed.collected
                )
        for (account, _), inv in out.items():
            inv.account_items = shared.setdefault(account, {})
        for parsed in self._latest.values():  # a merged item's other type was seen too
            res = parsed.resource
            region = (
                home.get(res.account, res.region) if res.region == GLOBAL_REGION else res.region
            )
            if (res.account, region) in out:
                out[(res.account, region)].types_covered.add(res.type)
        return list(out.values())


#: Of two types AWS Config records one resource under (same ARN), the one kept.
_PREFERRED_TYPE = {"AWS::Elasticsearch::Domain": "AWS::OpenSearch::Domain"}


def _merge_same_arn(parsed_items: list[ParsedItem]) -> list[ParsedItem]:
    """Items that share an ARN become one resource holding the information of all of them.

    AWS Config records an OpenSearch domain as `AWS::OpenSearch::Domain` and again as
    `AWS::Elasticsearch::Domain`, with one ARN. The resource keeps the OpenSearch type; its
    configuration, supplementary configuration and tags hold both items' keys (the newer
    item's value first, so a case-insensitive lookup finds it), and both items'
    relationships are resolved. Both types count as seen.
    """
    groups: dict[str, list[ParsedItem]] = {}
    for parsed in parsed_items:
        groups.setdefault(parsed.resource.id, []).append(parsed)
    out: list[ParsedItem] = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        group.sort(key=lambda p: p.captured, reverse=True)
        types = {p.resource.type for p in group}
        kept_type = next(
            (_PREFERRED_TYPE[t] for t in types if _PREFERRED_TYPE.get(t) in types),
            group[0].resource.type,
        )
        base = next(p for p in group if p.resource.type == kept_type)
        configuration: dict[str, Any] = {}
        supplementary: dict[str, Any] = {}
        tags: dict[str, str] = {}
        for parsed in group:
            for key, value in parsed.collected.configuration.items():
                configuration.setdefault(key, value)
            for key, value in parsed.collected.supplementary.items():
                supplementary.setdefault(key, value)
            for key, value in parsed.resource.tags.items():
                tags.setdefault(key, value)
        resource = base.resource.model_copy(update={"tags": tags})
        merged = ParsedItem(
            collected=CollectedResource(resource, configuration, supplementary),
            relationships=[rel for parsed in group for rel in parsed.relationships],
            captured=group[0].captured,
        )
        out.append(merged)
    return out
