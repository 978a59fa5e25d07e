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
from datetime import datetime
from typing import Any, TypeVar

from snapshot.model import Snapshot, Status
from snapshot.queries import iso

from .base import RegionInventory
from .config_items import capture_time

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
