"""What a logging probe receives and how it reports.

A probe is one function per log source family (`probe_flow_logs(ctx)`), grouped in one
module per layer. It reads the region's inventory, makes the few batched read calls it
needs through `ctx.client(...)`, and records a `Coverage` for each resource it decides on.
A call that fails records an error and marks the resources it would have decided as
`unknown`, never `missing`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from snapshot.model import CollectionError, Coverage, Expectation, Layer, Status

from ..account_facts import AccountFacts
from ..aws.errors import to_collection_error
from ..aws.session import AwsContext
from ..inventory.base import RegionInventory


@dataclass
class ProbeContext:
    """One account-region being probed."""

    aws: AwsContext | None
    account: str
    region: str
    inventory: RegionInventory
    #: Coverage records found so far, per resource id.
    coverage: dict[str, list[Coverage]] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)
    #: Facts one probe leaves for a later step of the same account-region (e.g. the region's
    #: trail decision, copied onto every resource once all probes have added theirs).
    shared: dict[str, Any] = field(default_factory=dict)
    #: The account's hand-overs from its inventory and the reads its regions share
    #: (`collectors.account_facts`); the collection driver passes one per account.
    facts: AccountFacts = field(default_factory=AccountFacts)

    def client(self, service: str, region: str | None = None) -> Any:
        if self.aws is None:
            raise RuntimeError("this probe needs AWS access, but the source is offline files")
        return self.aws.client(service, region or self.region)

    def add(
        self,
        resource_id: str,
        *,
        layer: Layer,
        control: str,
        status: Status,
        evidence: str,
        expectation: Expectation = Expectation.baseline,
        destination: str | None = None,
        inherited_from: str | None = None,
        operation: str | None = None,
        notes: Iterable[str] = (),
    ) -> Coverage:
        record = Coverage(
            layer=layer,
            control=control,
            status=status,
            expectation=expectation,
            evidence=evidence,
            destination=destination,
            inherited_from=inherited_from,
            operation=operation,
            notes=list(notes),
        )
        self.coverage.setdefault(resource_id, []).append(record)
        return record

    def fail(self, exc: BaseException, *, service: str, operation: str) -> CollectionError:
        """Record a failed call; returns the error so callers can cite it as evidence."""
        error = to_collection_error(
            exc, account=self.account, region=self.region, service=service, operation=operation
        )
        self.errors.append(error)
        return error


Probe = Callable[[ProbeContext], None]
