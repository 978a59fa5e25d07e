"""Running the logging probes over collected inventories, and the cross-account pass.

The orchestrator (`collectors.collect`) calls `probe_region` once per account-region, then
`resolve_across` once on the assembled snapshot:

* `probe_region(aws, inventory, facts=...)` runs every layer's `PROBES` against one region's
  inventory (none when the inventory shows the region is not enabled: its controls are then
  `unknown`, citing the one refused call, instead of one error a probe). A probe that
  raises records an error and the others still run (partial failure is normal). With no
  credential for the account (`aws is None`: delivered Config files, an aggregator's
  member account) only probes marked `offline` run; they decide every control AWS Config
  records from the configuration items (`items.py`), and every control left undecided
  becomes `unknown` with the evidence "no credential for account X: <call> not made" (the
  catalogue's `fill_call`), never `missing`. Finally the region's trail and Config
  recorder decisions are copied onto every resource (including those probes added).
  `facts` is the account's `AccountFacts`: what its inventory handed over (the trail
  listing, the recorder reads) and what its other regions already read (IAM roles, trails).
* `resolve_across(snapshot)` decides what needs several accounts at once: an organization
  trail seen in the management account covers member accounts whose own view lacks it
  (AWS shows members a shadow copy; moto does not), and whether each log destination lives
  in a separate log-archive account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import ModuleType

from snapshot.catalogue import ANY_RESOURCE, CATALOGUE, control
from snapshot.model import (
    ACCOUNT_TYPE,
    REGION_TYPE,
    CollectionError,
    Coverage,
    Resource,
    Snapshot,
    Status,
)
from snapshot.sanitize import clean_single_line

from ..account_facts import AccountFacts
from ..aws.errors import REGION_UNAVAILABLE_CODES
from ..aws.session import AwsContext
from ..inventory.base import RegionInventory, add_pseudo_resources
from .base import Probe, ProbeContext
from .probes import access, account, across, database, host, network, serverless
from .probes.account import ORG_TRAIL_NOTE
from .records import record, skipped
from .retention import collect_retention

#: Controls the cross-account pass decides, not a probe of the region.
DECIDED_ACROSS = frozenset({"log-archive-separation"})

#: Probe modules in the order they run (one a layer, then the cross-layer ones).
PROBE_MODULES: tuple[ModuleType, ...] = (
    account,
    host,
    database,
    network,
    access,
    serverless,
    across,
)


def all_probes() -> list[Probe]:
    """Every probe of every layer module, in run order."""
    return [probe for module in PROBE_MODULES for probe in getattr(module, "PROBES", ())]


def ensure_pseudo_resources(inventory: RegionInventory) -> None:
    """Add the account and account-region pseudo-resources if the source did not."""
    add_pseudo_resources(inventory, name_source=False)


def _probe_name(module: ModuleType, probe: Probe) -> str:
    """`network.probe_vpc_flow_logs`: the layer module that lists the probe, and its name."""
    return f"{module.__name__.rsplit('.', 1)[-1]}.{getattr(probe, '__name__', repr(probe))}"


def _fill_offline(ctx: ProbeContext) -> None:
    """Controls a run without credentials could not decide become `unknown`, never `missing`.

    The evidence names the call that would have decided them (the catalogue's `fill_call`),
    and only controls that apply are filled: an RDS resource gets the control of its
    engine family (`database.engine_controls`), not all three.
    """
    for item in ctx.inventory.resources.values():
        decided = {c.control for c in ctx.coverage.get(item.id, ())}
        allowed = database.engine_controls(item)
        for row in CATALOGUE:
            if row.id in decided or item.type not in row.resource_types:
                continue
            if allowed is not None and row.id in database.ENGINE_FAMILY and row.id not in allowed:
                continue
            if row.id in DECIDED_ACROSS:
                continue  # `resolve_across` decides it on the stores other controls name
            skipped(ctx, [item.id], row.id)


def region_not_enabled(inventory: RegionInventory) -> CollectionError | None:
    """The inventory's error saying the region does not answer at all, if it says so.

    The direct-API source stops a region at the first call refused with OptInRequired (a
    region not enabled for the account) or a refusal of the credentials themselves
    (`REGION_UNAVAILABLE_CODES`). When that left nothing but the pseudo-resources, every
    probe would fail the same way, one error each; the runner records nothing more.
    """
    if any(not item.resource.is_pseudo for item in inventory.resources.values()):
        return None
    return next(
        (
            error
            for error in inventory.errors
            if error.code in REGION_UNAVAILABLE_CODES and error.region == inventory.region
        ),
        None,
    )


def _fill_not_enabled(ctx: ProbeContext, error: CollectionError) -> None:
    """Every control of the region's resources `unknown`, citing the call that was refused."""
    operation = f"{error.service}:{error.operation}"
    evidence = (
        f"{operation} failed ({error.code}): the region is not enabled for this account "
        "or refuses its credentials; its controls were not probed"
    )
    for item in ctx.inventory.resources.values():
        if item.resource.region != ctx.region:
            continue  # the account pseudo-resource: other regions decide its controls
        for row in CATALOGUE:
            if item.type in row.resource_types:
                record(ctx, item.id, row.id, Status.unknown, evidence, operation=operation)


def probe_region(
    aws: AwsContext | None,
    inventory: RegionInventory,
    layers: Sequence[ModuleType] = PROBE_MODULES,
    *,
    facts: AccountFacts | None = None,
) -> tuple[dict[str, list[Coverage]], list[CollectionError]]:
    """Run every probe on one account-region; coverage by resource id, and the errors.

    `layers`: the modules whose `PROBES` run, in order (a test adds a broken one);
    `facts`: the account's (None: this region's own, sharing nothing).
    """
    ensure_pseudo_resources(inventory)
    ctx = ProbeContext(
        aws, inventory.account, inventory.region, inventory, facts=facts or AccountFacts()
    )
    unavailable = region_not_enabled(inventory) if aws is not None else None
    if unavailable is not None:
        _fill_not_enabled(ctx, unavailable)
        return ctx.coverage, ctx.errors
    for module in layers:
        for probe in getattr(module, "PROBES", ()):
            if aws is None and not getattr(probe, "offline", False):
                continue
            try:
                probe(ctx)
            except Exception as exc:  # one broken probe must not hide the others' results
                ctx.fail(exc, service="blindspot", operation=_probe_name(module, probe))
    if aws is None:
        _fill_offline(ctx)
    try:
        account.inherit_region_controls(ctx)
    except Exception as exc:
        ctx.fail(exc, service="blindspot", operation="account.inherit_region_controls")
    try:  # how long each destination keeps its logs: after every record exists
        collect_retention(ctx)
    except Exception as exc:
        ctx.fail(exc, service="blindspot", operation="retention.collect_retention")
    return ctx.coverage, ctx.errors


# --- the cross-account pass -------------------------------------------------------------


def _records(resource: Resource, control_id: str) -> list[Coverage]:
    return [c for c in resource.coverage if c.control == control_id]


def _arn_account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _extend_org_trails(snapshot: Snapshot) -> None:
    """Member regions with no management-events trail of their own get the org trail's.

    An organization trail logs every account of the organization. AWS shows it to members
    as a shadow trail, so their own probe normally finds it; where it did not (moto, or a
    member whose role may not read it) the decision seen from the trail's own account is
    credited, naming the trail in `inherited_from`. Every account in a snapshot is taken to
    belong to the organization that collected it.
    """
    org_by_region: dict[str, tuple[str, Coverage, str]] = {}  # region -> (home, record, arn)
    for resource in snapshot.resources:
        if resource.type != REGION_TYPE:
            continue
        for cov in _records(resource, "cloudtrail-management-events"):
            trail = next(
                (n[len(ORG_TRAIL_NOTE) :] for n in cov.notes if n.startswith(ORG_TRAIL_NOTE)),
                None,
            )
            if not trail or cov.status not in (Status.logged, Status.partial):
                continue
            home = _arn_account(trail) or resource.account
            current = org_by_region.get(resource.region)
            if current is None or (
                cov.status is Status.logged and current[1].status is not Status.logged
            ):
                org_by_region[resource.region] = (home, cov, trail)
    if not org_by_region:
        return
    upgraded: dict[str, Coverage] = {}  # member region id -> new decision
    for resource in snapshot.resources:
        if resource.type != REGION_TYPE or resource.region not in org_by_region:
            continue
        home, org_cov, trail = org_by_region[resource.region]
        if resource.account == home:
            continue
        for cov in _records(resource, "cloudtrail-management-events"):
            if cov.status in (Status.missing, Status.unknown) or (
                cov.status is Status.partial and org_cov.status is Status.logged
            ):
                cov.status = org_cov.status
                cov.evidence = (
                    f"organization trail {trail} of account {home} covers this member "
                    f"account (seen from account {home}): {org_cov.evidence}"
                )
                cov.destination = org_cov.destination
                cov.inherited_from = trail
                cov.notes = [*cov.notes, "resolved across accounts (organization trail)"]
                upgraded[resource.id] = cov
    if not upgraded:
        return
    for resource in snapshot.resources:
        for cov in _records(resource, "cloudtrail-management-events"):
            source = upgraded.get(cov.inherited_from or "")
            # global resources too: a multi-region trail always includes global events
            if source is not None:
                cov.status = source.status
                cov.evidence = source.evidence
                cov.destination = source.destination


def destination_resource_id(destination: str) -> str | None:
    """The bucket or log group a destination ARN points into (None for other kinds)."""
    if destination.startswith("arn:") and ":s3:::" in destination:
        partition_and_bucket = destination.split(":::", 1)
        bucket = partition_and_bucket[1].split("/", 1)[0]
        return f"{partition_and_bucket[0]}:::{bucket}" if bucket else None
    if destination.startswith("arn:") and ":logs:" in destination and ":log-group:" in destination:
        return destination.removesuffix(":*")
    return None


#: Controls whose `destination` is not a log store this control judges.
_NOT_LOG_STORES = frozenset(
    {
        "log-retention",
        "log-archive-separation",
        "traffic-mirroring",
        "detective",
        "guardduty",
        "securityhub",
    }
)


def _senders(snapshot: Snapshot) -> dict[str, set[str]]:
    sent: dict[str, set[str]] = defaultdict(set)
    for resource in snapshot.resources:
        for cov in resource.coverage:
            if cov.control in _NOT_LOG_STORES or not cov.destination:
                continue
            # A trail delivers to its bucket whatever its integrity; other controls name a
            # destination that receives logs only when the source is on.
            delivering = cov.status in (Status.logged, Status.partial)
            if not delivering and cov.control != "cloudtrail-integrity":
                continue
            target = destination_resource_id(cov.destination)
            if target:
                sent[target].add(resource.account)
    return sent


def _separate_log_archive(snapshot: Snapshot) -> None:
    """Decide `log-archive-separation` on every destination bucket / log group collected."""
    roles = {account.id: account.role for account in snapshot.accounts}
    by_id = {resource.id: resource for resource in snapshot.resources}
    row = control("log-archive-separation")
    for target, accounts in sorted(_senders(snapshot).items()):
        store = by_id.get(target)
        if store is None or store.type not in row.resource_types:
            continue
        store.coverage = [c for c in store.coverage if c.control != row.id]
        others = sorted(accounts - {store.account})
        if roles.get(store.account) == "log-archive":
            status = Status.logged
            evidence = f"destination in log-archive account {store.account}"
        elif others:
            status = Status.logged
            evidence = (
                f"destination in account {store.account}, separate from the accounts it "
                f"receives logs from ({', '.join(others)})"
            )
        else:
            status = Status.missing
            evidence = (
                f"destination in account {store.account}, the same account whose logs it receives"
            )
        notes = []
        if store.account in accounts and others:
            notes.append(f"also receives logs of its own account {store.account}")
        store.coverage.append(
            Coverage(
                layer=row.layer,
                control=row.id,
                status=status,
                expectation=row.expectation,
                evidence=evidence,
                destination=target,
                notes=notes,
            )
        )


def resolve_across(snapshot: Snapshot) -> None:
    """The cross-account pass, after every region of every account is collected."""
    _extend_org_trails(snapshot)
    _separate_log_archive(snapshot)


def unreachable_account_coverage(evidence: str, operation: str | None = None) -> list[Coverage]:
    """`unknown` for every account- and region-level control of an account not entered.

    An account whose credentials could not be obtained (a refused sts:AssumeRole) has no
    regions collected, so the controls that live on the account and region pseudo-resources
    (CloudTrail, Config recorder, GuardDuty, ...) are recorded on its account pseudo-resource
    instead: the snapshot then says what is not known about it, never that it is missing.
    """
    return [
        Coverage(
            layer=row.layer,
            control=row.id,
            status=Status.unknown,
            expectation=row.expectation,
            evidence=clean_single_line(evidence),
            operation=operation,
        )
        for row in CATALOGUE
        if ACCOUNT_TYPE in row.resource_types or REGION_TYPE in row.resource_types
    ]


def applicable_controls(resource_type: str) -> list[str]:
    """Catalogue ids that apply to a resource type (including every-resource ones)."""
    return [
        row.id
        for row in CATALOGUE
        if resource_type in row.resource_types or ANY_RESOURCE in row.resource_types
    ]


__all__ = [
    "all_probes",
    "applicable_controls",
    "ensure_pseudo_resources",
    "probe_region",
    "region_not_enabled",
    "resolve_across",
    "unreachable_account_coverage",
]
