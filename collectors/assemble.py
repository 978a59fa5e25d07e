"""The snapshot assembled from the per-region inventories a collection produced.

Kept apart from the orchestration in `collect.py` (threads, sources, progress): this part is
pure data, shared by every source and by the tests. Resources are de-duplicated by id (the
account pseudo-resource is in every region's inventory), relationships by (source, target,
name), and an account that could not be entered still gets its account pseudo-resource.
"""

from __future__ import annotations

from collections.abc import Iterable

from snapshot.model import (
    ACCOUNT_TYPE,
    GLOBAL_REGION,
    Account,
    CollectionError,
    RegionSource,
    Relationship,
    Resource,
    Scope,
    Snapshot,
    Tool,
    account_node_id,
)

from . import __version__
from .accounts import AccountPlan
from .coverage.runner import unreachable_account_coverage
from .inventory.base import RegionInventory


def build_snapshot(
    inventories: list[RegionInventory],
    *,
    source: str,
    plan: AccountPlan | None = None,
    aggregator: str | None = None,
    extra_errors: Iterable[CollectionError] = (),
) -> Snapshot:
    """One snapshot from per-region inventories: resources de-duplicated by id.

    The account pseudo-resource is in every region's inventory (so any region's probes can
    attach account controls); its copies are merged, coverage records de-duplicated.
    """
    resources: dict[str, Resource] = {}
    seen_coverage: dict[str, set[str]] = {}
    relationships: list[Relationship] = []
    seen_edges: set[tuple[str, str, str]] = set()
    errors = list(extra_errors)
    regions_by_account: dict[str, list[str]] = {}
    sources: list[RegionSource] = []
    for inventory in inventories:
        account, region = inventory.account, inventory.region
        sources.append(RegionSource(account=account, region=region, source=inventory.source))
        account_regions = regions_by_account.setdefault(inventory.account, [])
        if inventory.region not in account_regions:
            account_regions.append(inventory.region)
        for item in inventory.resources.values():
            resource = item.resource
            kept = resources.get(resource.id)
            if kept is None:
                resources[resource.id] = resource
                seen_coverage[resource.id] = {c.model_dump_json() for c in resource.coverage}
                continue
            keys = seen_coverage[resource.id]
            for record in resource.coverage:
                key = record.model_dump_json()
                if key not in keys:
                    keys.add(key)
                    kept.coverage.append(record)
        for rel in inventory.relationships:
            edge = (rel.source, rel.target, rel.name)
            if edge not in seen_edges:
                seen_edges.add(edge)
                relationships.append(rel)
        errors.extend(inventory.errors)
    accounts: list[Account] = []
    if plan is not None:
        for target in plan.accounts:
            accounts.append(
                Account(
                    id=target.id,
                    name=target.name,
                    regions=regions_by_account.get(target.id, []),
                    email=target.email,
                    role=target.role,
                )
            )
    known = {account.id for account in accounts}
    for account_id, account_regions in regions_by_account.items():
        if account_id not in known:
            accounts.append(Account(id=account_id, regions=account_regions))
    all_regions = sorted({r for regions in regions_by_account.values() for r in regions})
    return Snapshot(
        tool=Tool(version=__version__),
        scope=Scope(
            source=source,
            regions=all_regions,
            accounts=[account.id for account in accounts],
            organization=plan.organization if plan else None,
            aggregator=aggregator,
            sources=sources,
        ),
        accounts=accounts,
        resources=list(resources.values()),
        relationships=relationships,
        errors=errors,
    )


def add_unreachable_accounts(
    snapshot: Snapshot, plan: AccountPlan, role_name: str, *, with_coverage: bool = True
) -> None:
    """An account pseudo-resource for each account that could not be entered.

    Its account- and region-level controls are `unknown`, with the refused call as evidence
    (`coverage.runner.unreachable_account_coverage`), so a blind account shows in the
    explorer and the report as a gap of knowledge, not as an absence.
    """
    present = {resource.id for resource in snapshot.resources}
    for target in plan.accounts:
        if target.aws is not None or account_node_id(target.id) in present:
            continue
        refusal = next(
            (e for e in plan.errors if e.account == target.id and e.service == "sts"), None
        )
        operation = f"{refusal.service}:{refusal.operation}" if refusal else "sts:AssumeRole"
        code = refusal.code if refusal else "no credentials"
        evidence = (
            f"{operation} into role {role_name} of account {target.id} failed ({code}): "
            "the account was not collected"
        )
        coverage = unreachable_account_coverage(evidence, operation) if with_coverage else []
        snapshot.resources.append(
            Resource(
                id=account_node_id(target.id),
                type=ACCOUNT_TYPE,
                account=target.id,
                region=GLOBAL_REGION,
                name=target.name or target.id,
                resource_id=target.id,
                coverage=coverage,
            )
        )
