"""`blindspot collect` orchestration: accounts x regions -> inventories -> coverage -> snapshot.

1. `accounts.plan_accounts` decides the accounts (caller, `--org`, `--accounts`), their
   credentials (assume-role) and regions (`--regions`, `all` = enabled regions).
2. Each account-region is collected in a bounded thread pool (`--workers`) by the chosen
   inventory source: `api` (direct Describe/List calls), `config` (AWS Config in the
   account), or `auto` (Config for the types its recorder covers, the API for the rest).
   `--aggregator` and `--config-files` sources return every account-region at once.
3. Account and account-region pseudo-resources are added so that account- and region-level
   controls have a home; the logging probes (`coverage.runner.probe_region`) run per
   inventory; their records are attached to the resources. An account that could not be
   entered (refused assume-role) gets its account pseudo-resource with those controls
   `unknown` (`assemble.add_unreachable_accounts`).
4. The snapshot is built (`assemble.build_snapshot`: scope, accounts, resources,
   relationships, errors), the cross-account pass (`coverage.runner.resolve_across`, e.g.
   log-archive buckets) runs, and the result says whether anything failed (`complete`),
   which decides exit code 0 or 3.

Each account gets one `AccountFacts` (`collectors.account_facts`), handed to the inventory
of every region of it and to every region's probes: what the inventory read that a probe
would read again (the trail listing, the recorder reads) and what one region read that the
others reuse (IAM roles, trails) pass through it, never through module-level caches.

Reverse edges are not added: the graph walks relationships in both directions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

import boto3

from snapshot.model import (
    CollectionError,
    Coverage,
    Snapshot,
)

from .account_facts import AccountFacts
from .accounts import AccountPlan, AccountTarget, Shard, plan_accounts
from .assemble import add_unreachable_accounts, build_snapshot
from .aws.errors import to_collection_error
from .aws.session import AwsContext, CallLog
from .coverage.runner import probe_region, resolve_across
from .inventory.aggregator import AggregatorSource
from .inventory.api import API_TYPES, ApiSource
from .inventory.as_of import mark_as_of
from .inventory.base import (
    ProgressFn,
    RegionInventory,
    add_pseudo_resources,
    no_progress,
)
from .inventory.config_files import ConfigFilesSource
from .inventory.config_service import ConfigServiceSource

#: Name prefix of the collection's worker threads.
WORKER_PREFIX = "collect"


class Cancelled(BaseException):
    """Raised inside workers once the user interrupted; BaseException so no listing eats it."""


@dataclass
class CollectOptions:
    """The `blindspot collect` flags, as data (tests and the demo build it directly)."""

    profile: str | None = None
    regions: list[str] | str | None = None  # None: the session's region; "all": enabled ones
    org: bool = False
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None  # sts:ExternalId the member roles require, if any
    accounts: list[str] | None = None
    aggregator: str | None = None
    config_files: list[str] | None = None
    source: str = "auto"
    workers: int = 8
    no_coverage: bool = False
    #: `--shard I/N`: collect only that deterministic part of the accounts (see `Shard`).
    shard: Shard | None = None
    #: `--as-of TIME` (with --config-files): the state AWS Config recorded at that time.
    as_of: datetime | None = None
    #: An existing session (tests, demo); otherwise one is made from `profile`.
    session: boto3.Session | None = None


@dataclass
class CollectResult:
    snapshot: Snapshot
    complete: bool
    call_log: CallLog
    seconds: float = 0.0
    #: Account-regions collected (for the summary line).
    regions_collected: int = 0


class RegionCollector(Protocol):
    """A source that collects one account-region (AWS Config in the account)."""

    def collect_region(self, account: str, region: str, progress: ProgressFn) -> RegionInventory:
        """The region's inventory; raises when the source cannot be used at all."""
        ...


class WholeCollector(Protocol):
    """A source that returns every account-region at once (an aggregator, delivered files)."""

    def collect_all(self, progress: ProgressFn) -> Iterable[RegionInventory]:
        """Every account-region the source covers."""
        ...


class ProbeRunner(Protocol):
    """The logging probes of one account-region (`coverage.runner.probe_region`)."""

    def __call__(
        self, aws: AwsContext | None, inventory: RegionInventory, *, facts: AccountFacts
    ) -> tuple[dict[str, list[Coverage]], list[CollectionError]]:
        """Coverage by resource id, and the errors; `facts` is the account's."""
        ...


def _profile_session(profile: str | None) -> boto3.Session:
    return boto3.Session(profile_name=profile)


@dataclass(frozen=True)
class Collaborators:
    """The parts of a collection that a test (or another front end) may replace.

    Passed to `collect` rather than patched into this module, so that a test says which part
    it swaps and the real wiring stays the default.
    """

    #: A boto3 session for `--profile` (None: the default chain), when none is given.
    make_session: Callable[[str | None], boto3.Session] = _profile_session
    #: The AWS Config source of one account (`--source config|auto`), called as
    #: `config_source(aws, facts=AccountFacts)`.
    config_source: Callable[..., RegionCollector] = ConfigServiceSource
    #: The `--aggregator NAME` source, read with the caller's credentials.
    aggregator_source: Callable[[AwsContext, str], WholeCollector] = AggregatorSource
    #: The logging probes of one account-region (not run with `--no-coverage`).
    probe_region: ProbeRunner = probe_region
    #: The cross-account pass over the finished snapshot (log-archive buckets, org trails).
    resolve_across: Callable[[Snapshot], None] = resolve_across


DEFAULT_COLLABORATORS = Collaborators()


@dataclass
class _Run:
    """Shared state of one collection: cancellation, the progress callback, the parts."""

    progress: ProgressFn
    parts: Collaborators = DEFAULT_COLLABORATORS
    cancel: threading.Event = field(default_factory=threading.Event)

    def report(self, event: str, detail: dict[str, Any]) -> None:
        if self.cancel.is_set():
            raise Cancelled
        self.progress(event, detail)


# -- sources --------------------------------------------------------------------------------


def _collect_region(
    target: AccountTarget, region: str, source: str, api: ApiSource, run: _Run
) -> RegionInventory:
    """One account-region through the chosen source; never raises an AWS error."""
    assert target.aws is not None
    progress = run.report
    if source == "api":
        return api.collect_region(target.id, region, progress)
    try:
        source_of = run.parts.config_source(target.aws, facts=api.facts)
        config = source_of.collect_region(target.id, region, progress)
    except Cancelled:
        raise
    except Exception as exc:
        if source == "config":
            return _failed_region(
                target.id, region, "config", exc, service="config", operation="SelectResourceConfig"
            )
        return api.collect_region(target.id, region, progress)  # auto: Config unusable
    if source == "config":
        if not config.types_covered and not config.errors:
            # Config-only was asked for, and Config records nothing here: the region's
            # inventory is not complete, whatever the empty result suggests.
            config.errors.append(
                CollectionError(
                    account=target.id,
                    region=region,
                    service="config",
                    operation="DescribeConfigurationRecorders",
                    code="NoConfigRecorder",
                    message="AWS Config records no resource type in this region; "
                    "collect it with --source auto or --source api",
                )
            )
        return config
    if not _api_needed(config):
        return config
    rest = api.collect_region(
        target.id, region, progress, skip_types=config.types_covered, known=config
    )
    if config.types_covered:
        config.merge(rest)
        config.source = f"{config.source}+api"
        return config
    # auto, Config unusable here (off, or its calls refused): the API collected everything,
    # so Config's own failures hide nothing; the account probes report the recorder itself.
    return rest


def _failed_region(
    account: str, region: str, source: str, exc: BaseException, *, service: str, operation: str
) -> RegionInventory:
    """An empty inventory whose one error says why the region could not be collected."""
    inventory = RegionInventory(account=account, region=region, source=source)
    inventory.errors.append(
        to_collection_error(
            exc, account=account, region=region, service=service, operation=operation
        )
    )
    return inventory


def _api_needed(config: RegionInventory) -> bool:
    return not API_TYPES.issubset(config.types_covered)


# -- pseudo-resources and coverage ------------------------------------------------------


def _probe(
    runner: ProbeRunner | None,
    aws: AwsContext | None,
    inventory: RegionInventory,
    run: _Run,
    facts: AccountFacts,
) -> None:
    if runner is None:
        return
    run.report("probes", {"account": inventory.account, "region": inventory.region})
    try:
        coverage, errors = runner(aws, inventory, facts=facts)
    except Cancelled:
        raise
    except Exception as exc:  # a probe bug must not lose the inventory
        inventory.errors.append(
            to_collection_error(
                exc,
                account=inventory.account,
                region=inventory.region,
                service="blindspot",
                operation="probe_region",
            )
        )
        return
    for resource_id, records in coverage.items():
        item = inventory.resources.get(resource_id)
        if item is not None:
            item.resource.coverage.extend(records)
    inventory.errors.extend(errors)


# -- the run ----------------------------------------------------------------------------------


def collect(
    options: CollectOptions,
    progress: ProgressFn = no_progress,
    parts: Collaborators = DEFAULT_COLLABORATORS,
) -> CollectResult:
    """Collect a snapshot. Raises accounts.NoCredentials / botocore ProfileNotFound early."""
    started = time.monotonic()
    runner = None if options.no_coverage else parts.probe_region
    if options.config_files:
        return _collect_offline(options, _Run(progress, parts), runner, started)
    if options.as_of is not None:  # `--source config --as-of`: Config's record
        parts = replace(parts, config_source=_config_at(parts.config_source, options.as_of))
        runner = _offline(runner)
    run = _Run(progress, parts)
    session = options.session or parts.make_session(options.profile)
    call_log = CallLog()
    plan = plan_accounts(
        session,
        regions=options.regions,
        org=options.org,
        accounts=options.accounts,
        role_name=options.role_name,
        external_id=options.external_id,
        call_log=call_log,
        shard=options.shard,
        workers=options.workers,
    )
    names = {target.id: target.name for target in plan.accounts}
    contexts = {target.id: target.aws for target in plan.accounts if target.aws is not None}
    if options.aggregator:
        facts = {account: AccountFacts() for account in contexts}
        inventories, seen_names = _collect_aggregator(options, plan, run, facts)
        names = {**seen_names, **{a: n for a, n in names.items() if n}}
        progress(
            "plan", {"accounts": len({i.account for i in inventories}), "regions": len(inventories)}
        )
        _probe_aggregated(options, inventories, names, contexts, facts, runner, run)
        source_label = "aggregator"
    else:
        progress(
            "plan",
            {
                "accounts": len(plan.accounts),
                "regions": sum(len(target.regions) for target in plan.accounts),
            },
        )
        inventories = _collect_accounts(options, plan, run, runner)
        source_label = _scope_source(inventories, options.source)
    snapshot = build_snapshot(
        inventories,
        source=source_label,
        plan=plan,
        aggregator=options.aggregator,
        extra_errors=plan.errors,
    )
    for account in snapshot.accounts:
        account.name = account.name or names.get(account.id, "")
    add_unreachable_accounts(snapshot, plan, options.role_name, with_coverage=runner is not None)
    return _finish(snapshot, options, run, runner, call_log, started, len(inventories))


def _config_at(
    make: Callable[..., RegionCollector], as_of: datetime
) -> Callable[..., RegionCollector]:
    """The Config source reading each resource's item at `as_of` (its history)."""

    def at_time(aws: AwsContext, **kwargs: Any) -> RegionCollector:
        return make(aws, as_of=as_of, **kwargs)

    return at_time


def _offline(runner: ProbeRunner | None) -> ProbeRunner | None:
    """The probes without credentials: for a past time a live call would describe today, so
    only what the items decide counts (the rest is `unknown`, `mark_as_of` says why)."""
    if runner is None:
        return None
    probe = runner

    def from_items_only(
        aws: AwsContext | None, inventory: RegionInventory, *, facts: AccountFacts
    ) -> tuple[dict[str, list[Coverage]], list[CollectionError]]:
        return probe(None, inventory, facts=facts)

    return from_items_only


def interleaved(tasks: list[tuple[AccountTarget, str, ApiSource]]) -> list[int]:
    """Task indexes in the order workers take them: the first region of every account, then
    the second region of every account, and so on.

    Workers then overlap accounts rather than the regions of one account, so the calls in
    flight at any moment are spread over many accounts' API limits (AWS throttles per
    account, region and API; the adaptive retry mode slows each client down on its own).
    The snapshot keeps the plan's order whatever the order of work.
    """
    rank: dict[str, int] = {}
    keyed = []
    for index, (target, _region, _api) in enumerate(tasks):
        turn = rank.get(target.id, 0)
        rank[target.id] = turn + 1
        keyed.append((turn, index))
    return [index for _turn, index in sorted(keyed)]


def _collect_accounts(
    options: CollectOptions, plan: AccountPlan, run: _Run, runner: ProbeRunner | None
) -> list[RegionInventory]:
    tasks: list[tuple[AccountTarget, str, ApiSource]] = []
    for target in plan.accounts:
        if target.aws is None:
            continue
        api = ApiSource(target.aws, regions=target.regions, facts=AccountFacts())
        tasks.extend((target, region, api) for region in target.regions)

    def work(target: AccountTarget, region: str, api: ApiSource) -> RegionInventory:
        run.report("region-start", {"account": target.id, "region": region})
        inventory = _collect_region(target, region, options.source, api, run)
        add_pseudo_resources(inventory, target.name)
        _probe(runner, target.aws, inventory, run, api.facts)
        _done(run, inventory)
        return inventory

    results: dict[int, RegionInventory] = {}
    executor = ThreadPoolExecutor(
        max_workers=max(1, options.workers), thread_name_prefix=WORKER_PREFIX
    )
    futures: dict[Future[RegionInventory], int] = {
        executor.submit(work, *tasks[index]): index for index in interleaved(tasks)
    }
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                index = futures[future]
                target, region, _ = tasks[index]
                try:
                    results[index] = future.result()
                except Exception as exc:  # a bug in one region must not lose the others
                    failed = _failed_region(
                        target.id,
                        region,
                        "api",
                        exc,
                        service="blindspot",
                        operation="collect_region",
                    )
                    add_pseudo_resources(failed, target.name)
                    results[index] = failed
    except BaseException:
        run.cancel.set()  # workers stop at their next progress report
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return [results[index] for index in sorted(results)]


def running_workers() -> list[threading.Thread]:
    """Worker threads still alive (after an interrupt: those blocked in an AWS call)."""
    return [
        thread
        for thread in threading.enumerate()
        if thread.name.startswith(WORKER_PREFIX) and thread.is_alive()
    ]


def _done(run: _Run, inventory: RegionInventory) -> None:
    run.report(
        "region-done",
        {
            "account": inventory.account,
            "region": inventory.region,
            "resources": len(inventory.resources),
            "errors": len(inventory.errors),
        },
    )


def _collect_aggregator(
    options: CollectOptions, plan: AccountPlan, run: _Run, facts: dict[str, AccountFacts]
) -> tuple[list[RegionInventory], dict[str, str]]:
    """Every account-region the aggregator holds, and the account names it learnt."""
    caller = next((t for t in plan.accounts if t.id == plan.caller and t.aws), None)
    aws = caller.aws if caller else None
    if aws is None:  # --accounts without the caller: the aggregator is still read as caller
        aws = AwsContext(options.session or run.parts.make_session(options.profile))
    assert options.aggregator is not None
    source = run.parts.aggregator_source(aws, options.aggregator)
    inventories = list(source.collect_all(run.report))
    if options.org:
        inventories = _fill_unrecorded(options, plan, inventories, run, facts)
    scope = getattr(source, "scope", None)
    names = dict(getattr(scope, "accounts", None) or {})
    return inventories, {account: name for account, name in names.items() if name}


def _fill_unrecorded(
    options: CollectOptions,
    plan: AccountPlan,
    inventories: list[RegionInventory],
    run: _Run,
    facts: dict[str, AccountFacts],
) -> list[RegionInventory]:
    """With `--org`: the account-regions the aggregator holds nothing of, through the role.

    No item means Config does not record there (or the region is not aggregated), so the
    aggregator cannot say what exists; the member's role lists it through the direct API,
    as `--org --source api` would. Regions with items are not listed again.
    """
    by_place = {(inv.account, inv.region): inv for inv in inventories}
    tasks: list[tuple[AccountTarget, str, ApiSource]] = []
    for target in plan.accounts:
        if target.aws is None:
            continue
        api = ApiSource(target.aws, regions=target.regions, facts=facts[target.id])
        for region in target.regions:
            held = by_place.get((target.id, region))
            if held is None or not any(not i.resource.is_pseudo for i in held.resources.values()):
                tasks.append((target, region, api))

    def work(task: tuple[AccountTarget, str, ApiSource]) -> RegionInventory:
        return _collect_region(task[0], task[1], "api", task[2], run)

    for inventory in _in_parallel(options, run, work, tasks):
        held = by_place.get((inventory.account, inventory.region))
        if held is not None:
            inventory.merge(held)  # its errors and pseudo-resources, if any
            inventories[inventories.index(held)] = inventory
        else:
            inventories.append(inventory)
    return inventories


def _probe_aggregated(
    options: CollectOptions,
    inventories: list[RegionInventory],
    names: dict[str, str],
    contexts: dict[str, AwsContext],
    facts: dict[str, AccountFacts],
    runner: ProbeRunner | None,
    run: _Run,
) -> None:
    """The coverage runner over each aggregated account-region, `workers` at a time.

    Accounts the run holds a credential for (the caller's; members with `--org`) get it:
    the runner calls only for what their items do not decide. The others get none: what
    their items do not decide is `unknown`, "no credential for account X".
    """

    def work(inventory: RegionInventory) -> None:
        add_pseudo_resources(inventory, names.get(inventory.account, ""))
        account = inventory.account
        _probe(runner, contexts.get(account), inventory, run, facts.get(account) or AccountFacts())
        _done(run, inventory)

    _in_parallel(options, run, work, inventories)


def _in_parallel(
    options: CollectOptions, run: _Run, work: Callable[[Any], Any], tasks: list[Any]
) -> list[Any]:
    """`work` over `tasks` on `workers` threads, results in order; an interrupt or a
    failure cancels the rest (workers stop at their next progress report)."""
    executor = ThreadPoolExecutor(
        max_workers=max(1, options.workers), thread_name_prefix=WORKER_PREFIX
    )
    try:
        results = [future.result() for future in [executor.submit(work, t) for t in tasks]]
    except BaseException:
        run.cancel.set()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return results


def _collect_offline(
    options: CollectOptions, run: _Run, runner: ProbeRunner | None, started: float
) -> CollectResult:
    source = ConfigFilesSource(list(options.config_files or ()), as_of=options.as_of)
    inventories = list(source.collect_all(run.report))
    run.report(
        "plan", {"accounts": len({i.account for i in inventories}), "regions": len(inventories)}
    )
    for inventory in inventories:
        add_pseudo_resources(inventory)
        _probe(runner, None, inventory, run, AccountFacts())
        _done(run, inventory)
    snapshot = build_snapshot(inventories, source="config-files", extra_errors=source.unplaced)
    return _finish(snapshot, options, run, runner, CallLog(), started, len(inventories))


def _finish(
    snapshot: Snapshot,
    options: CollectOptions,
    run: _Run,
    runner: ProbeRunner | None,
    call_log: CallLog,
    started: float,
    regions: int,
) -> CollectResult:
    """What every source ends with: the cross-account pass, the --as-of mark, the result."""
    if runner is not None:
        run.parts.resolve_across(snapshot)
    if options.as_of is not None:
        mark_as_of(snapshot, options.as_of)
    return CollectResult(
        snapshot=snapshot,
        complete=not snapshot.errors,
        call_log=call_log,
        seconds=time.monotonic() - started,
        regions_collected=regions,
    )


def _scope_source(inventories: Iterable[RegionInventory], requested: str) -> str:
    used = {inventory.source for inventory in inventories}
    if len(used) == 1:
        return used.pop()
    return "mixed" if used else requested
