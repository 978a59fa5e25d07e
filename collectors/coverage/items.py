"""The configuration item as every probe reads it, whatever source produced it.

A control reads one normalised item: the AWS Config shape the inventory hands over
(`configuration`, `supplementaryConfiguration`, relationships). The same setting arrives
under several spellings, so fields are looked up here, once, without regard to case:

* AWS Config serialises the SDK object of older types with its own key case
  (`dbclusterIdentifier`, `dBClusterIdentifier`, `DBClusterIdentifier` all occur for one
  RDS field, depending on the item's age and source);
* newer types are recorded in the CloudFormation resource schema (`LoggingConfiguration`,
  `LogPublishingOptions`), older ones in the Describe call's shape with a lower-case first
  letter (`logsConfig`, `distributionConfig.logging`).

The direct-API source fills the fields an item lacks with its Describe call; a Config source
(account, aggregator, delivered files) holds them. What neither holds needs a call, and a
run without a credential for the account (an aggregator member, delivered files) records
`unknown` naming the call that was not made (`no_credential`), never `missing`.

Where AWS Config records a log-source type in the region (its recorder's recording group
says so, or items of the type were delivered), the absence of an item of that type is
evidence of absence; where it does not, absence proves nothing (`Recording`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..inventory.base import CollectedResource, RegionInventory

#: Inventory sources whose items are AWS Config's own record.
CONFIG_SOURCES = frozenset({"config", "aggregator", "config-files"})
RECORDER = "AWS::Config::ConfigurationRecorder"

_MISSING = object()


def _key(name: Any) -> str:
    return str(name).replace("_", "").lower()


def lookup(value: Any, *path: str, default: Any = None) -> Any:
    """A nested field of an item, each key matched without regard to case.

    `lookup(cfg, "DBClusterIdentifier")` finds `dbclusterIdentifier`, `dBClusterIdentifier`
    and `DBClusterIdentifier` alike. When one mapping holds several spellings, the first
    non-null value wins (a null spelling never hides a set one).
    """
    for name in path:
        if not isinstance(value, Mapping):
            return default
        wanted = _key(name)
        found: Any = _MISSING
        for key, candidate in value.items():
            if _key(key) == wanted:
                if candidate is not None:
                    found = candidate
                    break
                if found is _MISSING:
                    found = None
        if found is _MISSING:
            return default
        value = found
    return default if value is None else value


def has(value: Any, *path: str) -> bool:
    """Whether the item holds the field at all (an explicit empty value counts)."""
    return lookup(value, *path, default=_MISSING) is not _MISSING


def supplementary(item: CollectedResource, key: str) -> Any:
    """A supplementaryConfiguration value; AWS Config returns some as JSON strings (None
    when such a string is not JSON)."""
    value = lookup(item.supplementary, key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _recase(value: Any, upper: bool) -> Any:
    """Keys with their first letter re-cased, recursively."""
    if isinstance(value, Mapping):
        return {
            (str(k)[:1].upper() if upper else str(k)[:1].lower()) + str(k)[1:]: _recase(v, upper)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_recase(v, upper) for v in value]
    return value


def camel(value: Any) -> Any:
    """Keys with a lower-case first letter, recursively (the Describe shape Config uses)."""
    return _recase(value, upper=False)


def pascal(value: Any) -> Any:
    """Keys with an upper-case first letter, recursively (the Describe shape of boto3)."""
    return _recase(value, upper=True)


def no_credential(account: str, call: str) -> str:
    """Evidence of a control a run without a credential for the account could not decide."""
    return f"no credential for account {account}: {call} not made"


def item_operation(resource_type: str, fields: str) -> str:
    """How a record decided from an item names its source: `config:<type> <fields>`."""
    return f"config:{resource_type} {fields}".strip()


def is_config_source(inventory: RegionInventory) -> bool:
    return inventory.source in CONFIG_SOURCES


def from_config(aws: object, item: CollectedResource) -> bool:
    """Whether a setting read from `item` is AWS Config's record (not a Describe call's).

    Without a credential every item is Config's; with one, the item's own source says.
    """
    return aws is None or item.resource.source in CONFIG_SOURCES


@dataclass(frozen=True)
class Recording:
    """What AWS Config records in one account-region, read from the inventory's items.

    The recorder's own item (`AWS::Config::ConfigurationRecorder`) says which types its
    recording group covers; items of a type delivered for the region say that type is
    recorded even without it.
    """

    group: Mapping[str, Any] | None
    seen: frozenset[str]

    @classmethod
    def of(cls, inventory: RegionInventory) -> Recording:
        group = None
        for item in inventory.of_type(RECORDER):
            found = lookup(item.configuration, "recordingGroup")
            if isinstance(found, Mapping):
                group = camel(found)
                break
            group = {"allSupported": True}
        present = {item.type for item in inventory.resources.values()}
        seen = (
            frozenset(inventory.types_covered | present)
            if is_config_source(inventory)
            else frozenset()
        )
        return cls(group, seen)

    def records(self, resource_type: str, *, is_global: bool = False) -> bool | None:
        """True: Config records the type here; False: its recorder excludes it; None: no
        evidence either way (no recorder item and no item of the type)."""
        if resource_type in self.seen:
            return True
        if self.group is None:
            return None
        return recorded_by_group(self.group, resource_type, is_global)


def recorded_by_group(group: Mapping[str, Any], rtype: str, is_global: bool) -> bool:
    """Whether a recording group (DescribeConfigurationRecorders shape) records a type."""
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    excluded = set((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [])
    listed = set(group.get("resourceTypes") or [])
    if strategy == "EXCLUSION_BY_RESOURCE_TYPES":
        return rtype not in excluded
    if strategy == "INCLUSION_BY_RESOURCE_TYPES" or (
        not group.get("allSupported", True) and strategy is None
    ):
        return rtype in listed
    if is_global and not group.get("includeGlobalResourceTypes", False):
        return rtype in listed
    return True


def records_here(ctx: Any, resource_type: str, *, is_global: bool = False) -> bool:
    """Whether the absence of an item of `resource_type` proves there is none: the items a
    probe reads are AWS Config's record (no credential, or a Config source) and Config
    records the type in the region (`Recording`). `ctx` is a `ProbeContext`."""
    if ctx.aws is not None and not is_config_source(ctx.inventory):
        return False
    return bool(Recording.of(ctx.inventory).records(resource_type, is_global=is_global))


def of_types(inventory: RegionInventory, types: Iterable[str]) -> list[CollectedResource]:
    wanted = set(types)
    return [item for item in inventory.resources.values() if item.type in wanted]


__all__ = [
    "CONFIG_SOURCES",
    "Recording",
    "camel",
    "from_config",
    "has",
    "is_config_source",
    "item_operation",
    "lookup",
    "no_credential",
    "of_types",
    "pascal",
    "recorded_by_group",
    "records_here",
    "supplementary",
]
