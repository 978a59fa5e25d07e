"""Coverage as of a past time (`collect --as-of TIME`): the inventory AWS Config recorded
then, and the honest limits of it.

An incident responder asks what was logging *last Tuesday*, not today. AWS Config keeps a
configuration item per change of every recorded resource, so the state at TIME is, per
resource, the latest item captured at or before TIME (`configurationItemCaptureTime`):
resources created later have no such item and are absent; resources deleted earlier have a
`ResourceDeleted` / `ResourceDeletedNotRecorded` item at or before TIME and are dropped by
`ConfigItemSet`. Log sources that Config records as resources of their own (flow logs,
trails) or in a resource's `supplementaryConfiguration` (bucket logging, load balancer
access-log attributes) are items too, so inherited coverage is rebuilt from the same cut.

What Config does not record (a trail's IsLogging, the CloudWatch agent, GuardDuty) cannot
be reconstructed for TIME: a live call answers for now. Those controls are `unknown`, and
`mark_as_of` says why on each of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from snapshot.model import Snapshot, Status
from snapshot.queries import iso

from .base import RegionInventory
from .config_item_fields import capture_time
from .config_items import ConfigItemSet

#: Evidence prefixes of controls the probes could not decide without live calls.
_NOT_FROM_CONFIG = ("no credential for account", "offline source: not evaluated")


ItemT = TypeVar("ItemT", bound=Mapping[str, Any])


def items_at(items: Iterable[ItemT], as_of: datetime) -> Iterator[ItemT]:
    """The items captured at or before `as_of` (a `ConfigItemSet` keeps the latest of them)."""
    for item in items:
        if capture_time(item) <= as_of:
            yield item


class AsOfCut:
    """The items of a Config delivery at `as_of`, and the types Config recorded by then.

    A type is recorded in an account-region when any item of it was captured there at or
    before `as_of`, deletions included: after the last flow log of a region was deleted,
    Config's silence about flow logs is evidence that there is none (the flow-log control
    is then `missing`, not "not evaluated").
    """

    def __init__(self, as_of: datetime) -> None:
        self.as_of = as_of
        self.recorded: dict[tuple[str, str], set[str]] = {}

    def select(
        self,
        items: Iterable[ItemT],
        account: str | None = None,
        region: str | None = None,
    ) -> list[ItemT]:
        kept = list(items_at(items, self.as_of))
        for item in kept:
            place = (
                str(item.get("accountId") or item.get("awsAccountId") or account or ""),
                str(item.get("awsRegion") or region or ""),
            )
            rtype = item.get("resourceType")
            if isinstance(rtype, str):
                self.recorded.setdefault(place, set()).add(rtype)
        return kept

    def complete(self, inventories: Iterable[RegionInventory]) -> None:
        """Count the recorded types (deleted ones too) as covered in each inventory."""
        for inventory in inventories:
            inventory.types_covered |= self.recorded.get(
                (inventory.account, inventory.region), set()
            )


#: Items per GetResourceConfigHistory call: the one latest at or before `as_of` is enough.
HISTORY_LIMIT = 1


class HistoryRun(Protocol):
    """What `history_at` needs of a Config source's region run (config_service._Region)."""

    client: Any
    items: ConfigItemSet

    def fail(self, exc: BaseException, operation: str) -> None: ...


def _deleted_before(identifier: Mapping[str, Any], as_of: datetime) -> bool:
    deleted = identifier.get("resourceDeletionTime")
    if isinstance(deleted, datetime):
        return (deleted if deleted.tzinfo else deleted.replace(tzinfo=UTC)) <= as_of
    return False


def history_at(run: HistoryRun, types: Iterable[str], as_of: datetime) -> set[str]:
    """`--source config --as-of`: each recorded resource's item at `as_of`, from its history.

    `ListDiscoveredResources` (deleted resources included: a resource deleted after
    `as_of` existed then; one deleted before it is skipped without a call) per type, then
    `GetResourceConfigHistory(laterTime=as_of, limit=1)` per resource: Config returns the
    history newest first, so that one item is the resource's state at `as_of` (a
    `ResourceDeleted` item, or none at all, means it did not exist then). One call per
    resource, plus one per 100 listed. Returns the types listed and read without a failure:
    a type with a failed call is not vouched for, so its controls are not judged `missing`.
    """
    complete: set[str] = set()
    lister = run.client.get_paginator("list_discovered_resources")
    for resource_type in types:
        ok = True
        try:
            pages = lister.paginate(
                resourceType=resource_type,
                includeDeletedResources=True,
                PaginationConfig={"PageSize": 100},
            )
            identifiers = [i for page in pages for i in page.get("resourceIdentifiers") or []]
        except (ClientError, BotoCoreError) as exc:
            run.fail(exc, "ListDiscoveredResources")
            continue
        for identifier in identifiers:
            if _deleted_before(identifier, as_of) or not identifier.get("resourceId"):
                continue
            try:
                answer = run.client.get_resource_config_history(
                    resourceType=resource_type,
                    resourceId=identifier["resourceId"],
                    laterTime=as_of,
                    limit=HISTORY_LIMIT,
                )
            except (ClientError, BotoCoreError) as exc:
                run.fail(exc, "GetResourceConfigHistory")
                ok = False
                continue
            for item in (answer.get("configurationItems") or [])[:HISTORY_LIMIT]:
                if capture_time(item) <= as_of:  # never trust an answer past the cut
                    run.items.add(item)
        if ok:
            complete.add(resource_type)
    return complete


def why_unknown(as_of: datetime, earlier: str) -> str:
    """Evidence of a control AWS Config cannot answer for a past time."""
    return (
        f"as of {iso(as_of)}: AWS Config records nothing that decides this control, and a "
        f"live call would describe today, not {iso(as_of)} ({earlier})"
    )


def mark_as_of(snapshot: Snapshot, as_of: datetime) -> None:
    """Record the time the snapshot describes, and say on each undecided control why."""
    snapshot.as_of = as_of
    for resource in snapshot.resources:
        for record in resource.coverage:
            if record.status == Status.unknown and record.evidence.startswith(_NOT_FROM_CONFIG):
                record.evidence = why_unknown(as_of, record.evidence)
