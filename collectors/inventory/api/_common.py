"""What every direct-API collector shares: the Config-shaped resource record and failure rules.

The direct-API path exists for account-regions where AWS Config is off or does not record a
type. It must give the same graph as the Config path, so each Describe/List item becomes a
`Resource` with AWS Config's type name and ARN, a `configuration` in Config's camelCase shape
(`to_config_shape`), and relationships with Config's own names. Every listing runs inside
`ApiRegion.listing(...)`: a failure (access denied, service absent in the region, throttled
past retries, endpoint unreachable) becomes one `errors` entry and the other listings go on;
a listing that succeeds adds its types to `types_covered`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from snapshot.model import Origin, Relationship, Resource
from snapshot.sanitize import clean, clean_single_line

from ...account_facts import AccountFacts
from ...aws.errors import REGION_UNAVAILABLE_CODES, to_collection_error
from ...aws.session import AwsContext
from ..base import CollectedResource, ProgressFn, RegionInventory, no_progress

#: Keys whose values are secrets in API responses (Lambda environment variables and similar).
REDACTED = "<redacted>"


def _lower_first(key: str) -> str:
    return key[:1].lower() + key[1:] if key else key


#: Maps whose keys are user data (variable names, tag keys), not API member names: kept as is.
VERBATIM_MAPS = frozenset({"Variables", "Tags", "tags", "Labels"})


def to_config_shape(value: Any) -> Any:
    """An API item in AWS Config's `configuration` shape: keys' first letter lower-cased.

    Config's configuration items are the service's Describe output with camelCase keys
    (`VpcId` -> `vpcId`, `SecurityGroups` -> `securityGroups`); dates become ISO strings
    as in the JSON Config returns. Keys of user-defined maps (`VERBATIM_MAPS`) are kept.
    """
    if isinstance(value, dict):
        return {
            _lower_first(str(key)): (
                {k: to_config_shape(v) for k, v in item.items()}
                if key in VERBATIM_MAPS and isinstance(item, dict)
                else to_config_shape(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [to_config_shape(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return REDACTED
    return value


def tags_from(items: Iterable[dict[str, Any]] | dict[str, Any] | None) -> dict[str, str]:
    """Tags from `[{"Key": k, "Value": v}]` (any key case) or a plain mapping, cleaned."""
    if not items:
        return {}
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(items, dict):
        pairs = items.items()
    else:
        pairs = (
            (item.get("Key", item.get("key")), item.get("Value", item.get("value")))
            for item in items
            if isinstance(item, dict)
        )
    return {
        clean_single_line(str(key)): clean(str(value if value is not None else ""))
        for key, value in pairs
        if key is not None
    }


def name_tag(tags: dict[str, str]) -> str:
    return tags.get("Name", "")


def arn(service: str, region: str, account: str, resource: str) -> str:
    """An ARN in the `aws` partition, e.g. arn:aws:ec2:us-east-1:123:vpc/vpc-1."""
    return f"arn:aws:{service}:{region}:{account}:{resource}"


class AccountShared:
    """Per-account results computed once and shared by that account's regions (thread-safe).

    S3's ListBuckets is global: the first region to need it lists, the others wait and reuse
    the answer (or the same exception).
    """

    def __init__(self, collected_regions: Iterable[str] = (), global_region: str = "") -> None:
        self.collected_regions = frozenset(collected_regions)
        self.global_region = global_region
        self._values: dict[str, tuple[bool, Any]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = (True, compute())
                except Exception as exc:
                    self._values[key] = (False, exc)
            ok, value = self._values[key]
        if not ok:
            raise value
        return value


@dataclass
class ApiRegion:
    """One account-region being listed through the direct APIs."""

    aws: AwsContext
    inventory: RegionInventory
    progress: ProgressFn = no_progress
    #: Types another source (AWS Config) already covers here: not listed again.
    skip_types: frozenset[str] = frozenset()
    #: True in the one region per account where global services (IAM, CloudFront...) are read.
    is_global_region: bool = False
    shared: AccountShared = field(default_factory=AccountShared)
    #: What another source (AWS Config, `--source auto`) already found in this region: the
    #: inference passes (ENI owners, WAF targets, instance profiles) look at it too.
    known: RegionInventory | None = None
    #: What this account's inventory hands its probes (a response they would read again).
    facts: AccountFacts = field(default_factory=AccountFacts)
    #: Set when a call says the region is not enabled / refuses the credentials.
    region_unavailable: bool = False
    _failed: set[str] = field(default_factory=set)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        return self.shared.once(key, compute)

    @property
    def collected_regions(self) -> frozenset[str]:
        return self.shared.collected_regions or frozenset({self.region})

    @property
    def account(self) -> str:
        return self.inventory.account

    @property
    def region(self) -> str:
        return self.inventory.region

    def client(self, service: str, region: str | None = None) -> Any:
        return self.aws.client(service, region or self.region)

    def of_type(self, *types: str) -> list[CollectedResource]:
        """Resources of these types found here or by the other source."""
        found = self.inventory.of_type(*types)
        if self.known is not None:
            mine = {item.id for item in found}
            found += [item for item in self.known.of_type(*types) if item.id not in mine]
        return found

    def wants(self, *types: str) -> bool:
        return any(t not in self.skip_types for t in types)

    def add(
        self,
        type_: str,
        id_: str,
        *,
        resource_id: str | None,
        name: str = "",
        tags: dict[str, str] | None = None,
        configuration: dict[str, Any] | None = None,
        supplementary: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> CollectedResource:
        tags = tags or {}
        resource = Resource(
            id=id_,
            type=type_,
            account=self.account,
            region=region or self.region,
            name=clean_single_line(name or tags.get("Name", "") or (resource_id or "")),
            resource_id=clean_single_line(resource_id) if resource_id else None,
            tags=tags,
            source="api",
        )
        item = CollectedResource(
            resource=resource,
            configuration=configuration or {},
            supplementary=supplementary or {},
        )
        self.inventory.add(item)
        return item

    def relate(
        self, source: str | None, target: str | None, name: str, origin: Origin = Origin.api
    ) -> None:
        if source and target and source != target:
            self.inventory.relationships.append(
                Relationship(source=source, target=target, name=name, origin=origin)
            )

    def fail(self, exc: BaseException, service: str, operation: str) -> None:
        error = to_collection_error(
            exc, account=self.account, region=self.region, service=service, operation=operation
        )
        self.inventory.errors.append(error)
        if error.code in REGION_UNAVAILABLE_CODES:
            self.region_unavailable = True
        self.progress("error", {"account": self.account, "region": self.region})

    @contextlib.contextmanager
    def listing(self, service: str, operation: str, *types: str) -> Iterator[None]:
        """Run one listing; on failure record an error, on success mark `types` covered."""
        self.progress(
            "service", {"account": self.account, "region": self.region, "service": service}
        )
        before = len(self.inventory.resources)
        try:
            yield
        except Exception as exc:  # every AWS failure becomes data; the run goes on
            self.fail(exc, service, operation)
            self._failed.update(types)
        else:
            self.inventory.types_covered.update(t for t in types if t not in self._failed)
        found = len(self.inventory.resources) - before
        if found:
            self.progress(
                "resources", {"account": self.account, "region": self.region, "count": found}
            )

    @contextlib.contextmanager
    def detail(self, service: str, operation: str) -> Iterator[None]:
        """A per-item detail call: a failure is recorded, the listing goes on."""
        try:
            yield
        except Exception as exc:
            self.fail(exc, service, operation)


def paginate(client: Any, operation: str, result_key: str, **kwargs: Any) -> Iterator[Any]:
    """Items of every page of an operation, through botocore's paginator."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(result_key) or []
