"""`run_demo_collection(seed, size, progress) -> Snapshot`: build, then collect for real.

The simulated organization is built in moto, then the same `collectors.collect.collect`
that `blindspot collect --org` runs is pointed at it: it starts from the management
account's credentials, lists the organization, assumes `OrganizationAccountAccessRole` into
each member and collects both regions through the `auto` source (AWS Config where the
region's recorder runs, served by the moto Config extension in `moto_config.py`; direct API
calls elsewhere). Nothing is canned: every status in the snapshot comes from the probes.

The explorer runs this in a worker thread with `progress` forwarded to its screen; the
callback receives `("build", {"step", "done", "total"})` events while the organization is
built, then the collector's own events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from collectors.collect import CollectOptions, CollectResult, collect
from collectors.inventory.base import ProgressFn, no_progress
from collectors.shard import Shard
from snapshot.model import Snapshot

from . import moto_config
from .environment import simulated_aws
from .org import DemoOrg, build_organization

#: Parallel account-region workers: moto is in process and the machine may have 2 cores.
DEMO_WORKERS = 4


def collect_organization(
    org: DemoOrg,
    progress: ProgressFn = no_progress,
    shard: Shard | None = None,
    *,
    aggregator: bool = False,
) -> CollectResult:
    """Run the real collector over a built organization (optionally one shard of it).

    With `aggregator`, as `blindspot collect --aggregator NAME` from the management account
    (no `--org`): everything comes from the organization's AWS Config aggregator, no role is
    assumed into any member, and the probes call only in the management account itself.
    """
    options = CollectOptions(
        session=org.session("management"),
        regions=list(org.regions),
        org=not aggregator,
        role_name=org.member_role_name,
        aggregator=org.facts["aggregator"] if aggregator else None,
        source="auto",
        workers=DEMO_WORKERS,
        shard=shard,
    )
    return collect(options, progress)


def build_progress(progress: ProgressFn) -> Callable[[str, int, int], None]:
    """The organization build's steps as `build` progress events."""

    def report(step: str, done: int, total: int) -> None:
        progress("build", {"step": step, "done": done, "total": total})

    return report


def run_demo_collection(
    seed: int = 7, size: str = "small", progress: ProgressFn = no_progress, aggregator: bool = False
) -> Snapshot:
    """Build the demo organization in moto and collect it (through its AWS Config
    aggregator with `aggregator`); returns the snapshot."""
    with simulated_aws(seed), moto_config.registered():
        org = build_organization(seed, size, build_progress(progress))
        with moto_config.frozen():  # nothing changes while it is collected
            result = collect_organization(org, progress, aggregator=aggregator)
    snapshot = result.snapshot
    snapshot.scope.source = "demo"
    return snapshot


def progress_line(event: str, detail: dict[str, Any]) -> str | None:
    """A short, plain line for a progress event, or None for events not worth showing."""
    if event == "build":
        if detail.get("step") == "done":
            return "Demo organization built; collecting it…"
        return (
            f"Building the demo organization in moto: {detail.get('step')} "
            f"({detail.get('done')}/{detail.get('total')})…"
        )
    if event == "plan":
        accounts, regions = detail.get("accounts"), detail.get("regions")
        return f"Collecting {accounts} accounts, {regions} account-regions…"
    if event == "region-done":
        return f"Collected {detail.get('account')} {detail.get('region')}…"
    return None
