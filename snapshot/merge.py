"""Joining snapshots: shards of one organization, or separately collected organizations.

`collect --shard I/N` splits an organization's accounts so that several machines (a CI
matrix, AWS Batch, a Step Functions Distributed Map) each collect a part. Merging puts the
parts back together. The unit of a merge is the account: every account's resources,
relationships, errors and region sources come whole from one input, the newest input that
collected that account (`generated_at`), so an account collected twice is never half old and
half new. Errors that belong to no account (an organization that could not be listed) are
kept from every input.

What needs several accounts at once (an organization trail seen from the management account
covering members, whether a log bucket lives in a separate log-archive account) cannot be
decided inside a shard; the caller runs the cross-account pass on the merged snapshot
(`collectors.coverage.runner.resolve_across`), which is why this module only joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from snapshot.model import Relationship, Scope, Snapshot


class MergeError(ValueError):
    """Inputs that cannot be one snapshot (e.g. coverage as of two different times)."""


@dataclass
class MergeResult:
    snapshot: Snapshot
    #: Accounts found in more than one input, with the index of the input that was kept.
    overlaps: dict[str, int] = field(default_factory=dict)


def _common(values: Sequence[str | None], mixed: str | None) -> str | None:
    distinct = {value for value in values if value}
    if len(distinct) == 1:
        return distinct.pop()
    return mixed if distinct else None


def _owner_of_accounts(inputs: Sequence[Snapshot]) -> tuple[dict[str, int], dict[str, int]]:
    """Account id -> index of the input it is taken from; and the accounts seen twice."""
    owner: dict[str, int] = {}
    overlaps: dict[str, int] = {}
    for index, snap in enumerate(inputs):
        seen = {account.id for account in snap.accounts}
        seen |= {resource.account for resource in snap.resources}
        for account_id in seen:
            if account_id in owner:
                previous = inputs[owner[account_id]]
                if snap.generated_at >= previous.generated_at:
                    owner[account_id] = index
                overlaps[account_id] = owner[account_id]
            else:
                owner[account_id] = index
    return owner, overlaps


def merge_snapshots(inputs: Sequence[Snapshot]) -> MergeResult:
    """One snapshot holding every account of every input (see the module docstring)."""
    if not inputs:
        raise MergeError("nothing to merge: give at least one snapshot")
    as_of = {snap.as_of for snap in inputs}
    if len(as_of) > 1:
        raise MergeError(
            "the snapshots describe coverage at different times (as_of differs); "
            "merge snapshots of one time only"
        )
    owner, overlaps = _owner_of_accounts(inputs)

    def kept(index: int, account: str | None) -> bool:
        return account is not None and owner.get(account) == index

    numbered = list(enumerate(inputs))
    accounts = {a.id: a for i, snap in numbered for a in snap.accounts if kept(i, a.id)}
    resources = {r.id: r for i, snap in numbered for r in snap.resources if kept(i, r.account)}
    errors = [
        e for i, snap in numbered for e in snap.errors if e.account is None or kept(i, e.account)
    ]
    sources = [s for i, snap in numbered for s in snap.scope.sources if kept(i, s.account)]
    # A relationship comes with its source resource, from the input that resource is kept from.
    relationships: dict[tuple[str, str, str], Relationship] = {}
    for index, snap in numbered:
        taken = {r.id for r in snap.resources if kept(index, r.account)}
        for rel in snap.relationships:
            if rel.source in taken:
                relationships.setdefault((rel.source, rel.target, rel.name), rel)

    scopes = [snap.scope for snap in inputs]
    scope = Scope(
        source=_common([s.source for s in scopes], "mixed") or "mixed",
        regions=sorted({region for s in scopes for region in s.regions}),
        accounts=sorted(accounts),
        organization=_common([s.organization for s in scopes], None),
        aggregator=_common([s.aggregator for s in scopes], None),
        sources=sorted(sources, key=lambda s: (s.account, s.region)),
    )
    merged = Snapshot(
        # The oldest observation: a merged snapshot is no fresher than its oldest part.
        generated_at=min(snap.generated_at for snap in inputs),
        tool=inputs[0].tool,
        scope=scope,
        accounts=sorted(accounts.values(), key=lambda a: a.id),
        resources=list(resources.values()),
        relationships=list(relationships.values()),
        errors=errors,
    )
    value = next(iter(as_of))
    if value is not None:
        merged = merged.model_copy(update={"as_of": value})
    return MergeResult(snapshot=merged, overlaps=overlaps)
