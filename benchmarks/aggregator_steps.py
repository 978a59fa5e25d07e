"""Aggregator benchmark: one organization collected through its AWS Config aggregator and
through roles, side by side (`python -m benchmarks --suites aggregator`).

One child per organization size builds the demo organization in moto (its management
account holds an organization aggregator) and measures, with `latency_ms` added to every
call the collector makes (the collect suite's simulated round trip):

* the aggregator source alone (`AggregatorSource.collect_all`): its calls, the items it
  read, its advanced-query partitions and the largest of them in pages: calls per 1,000
  items;
* `collect --aggregator NAME` from the management account (no `--org`): wall time, calls,
  `sts:AssumeRole` calls (zero: no member role is used);
* `collect --org` (roles into every member, the `auto` source): the same figures.

Each collection runs twice, alternating, and the faster run is kept. With `everywhere`
"1" a recorder is first started in every account-region (the demo records in half of
them), so that both paths see the same estate.

The moto Config extension answers aggregate queries by running blindspot's own API
collectors inside moto for some types; those nested requests are moto's work, not the
client's, so they are not delayed (they carry moto's `x-moto-account-id` header).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .collect_steps import built_organization
from .latency import simulated_latency

if TYPE_CHECKING:
    import argparse

    from .suites import Table


def _collect_figures(result: Any, seconds: float) -> dict[str, Any]:
    snapshot = result.snapshot
    real = [r for r in snapshot.resources if not r.is_pseudo]
    operations = Counter({f"{s}:{o}": n for (s, o), n in result.call_log.counts.items()})
    statuses = Counter(c.status.value for r in snapshot.resources for c in r.coverage)
    return {
        "seconds": seconds,
        "resources": len(real),
        "account_regions": result.regions_collected,
        "api_calls": result.call_log.total,
        "assume_role_calls": operations.get("sts:AssumeRole", 0),
        "coverage": dict(statuses),
        "errors": len(snapshot.errors),
        "top_operations": dict(operations.most_common(8)),
    }


def record_everywhere(org: Any) -> int:
    """Start an all-types recorder in every account-region that has none; returns how many.

    The demo records in 4 of its 8 account-regions, so through the aggregator half of it
    is not seen at all; recording everywhere compares the two paths on the same estate.
    """
    from blindspot.simulation.foundation import start_recorder

    started = 0
    for account in org.accounts.values():
        for index, region in enumerate(org.regions):
            config = account.client("config", region)
            if config.describe_configuration_recorders()["ConfigurationRecorders"]:
                continue
            start_recorder(
                config,
                account.id,
                global_types=index == 0,
                channel={"s3BucketName": org.facts["log_archive_bucket"]},
            )
            started += 1
    return started


def aggregator(
    size: str, latency_ms: str = "40", everywhere: str = "0", seed: str = "7"
) -> dict[str, Any]:
    """Build the `size` organization (recording in every account-region with `everywhere`
    "1"), then read it through the aggregator and through roles."""
    from blindspot.simulation import moto_config

    figures: dict[str, Any] = {"size": size, "latency_ms": float(latency_ms)}
    with built_organization(size, seed, figures) as org:
        figures["recorders_started"] = record_everywhere(org) if everywhere == "1" else 0
        # moto's side of the work (the items of each account-region) is done once, before
        # anything is timed: the AWS service holds them ahead of time.
        with moto_config.frozen():
            t0 = time.perf_counter()
            for account in org.account_ids.values():
                for region in org.regions:
                    moto_config.region_items(account, region)
            figures["items_built_s"] = time.perf_counter() - t0
            with simulated_latency(float(latency_ms)):
                figures.update(_measure(org))
    return figures


def _measure(org: Any) -> dict[str, Any]:
    from blindspot.simulation.collection import DEMO_WORKERS
    from collectors.aws.session import AwsContext
    from collectors.collect import CollectOptions, collect
    from collectors.inventory.aggregator import AggregatorSource

    name = org.facts["aggregator"]
    figures: dict[str, Any] = {}
    aws = AwsContext(org.session("management"), account=org.management_account_id)
    source = AggregatorSource(aws, name)
    t = time.perf_counter()
    inventories = source.collect_all()
    seconds = time.perf_counter() - t
    items = sum(len(inv.resources) for inv in inventories)
    calls = aws.call_log.total
    figures["source"] = {
        "seconds": seconds,
        "items": items,
        "calls": calls,
        "calls_per_1000_items": round(1000 * calls / max(1, items), 1),
        "partitions": len(source.partitions),
        "largest_partition_pages": max(
            (-(-p.expected // 100) for p in source.partitions), default=0
        ),
        "operations": {f"{s}:{o}": n for (s, o), n in aws.call_log.counts.items()},
    }
    base = {
        "session": org.session("management"),
        "regions": list(org.regions),
        "workers": DEMO_WORKERS,
    }
    runs = {
        "via_aggregator": CollectOptions(**base, aggregator=name),
        "via_roles": CollectOptions(
            **base, org=True, role_name=org.member_role_name, source="auto"
        ),
    }
    # Each path twice, alternating, the faster run kept: the machine is shared and the
    # first run in a process pays imports and botocore's model loading.
    for _ in range(2):
        for label, options in runs.items():
            options.session = org.session("management")
            t = time.perf_counter()
            result = collect(options)
            measured = _collect_figures(result, time.perf_counter() - t)
            if label not in figures or measured["seconds"] < figures[label]["seconds"]:
                figures[label] = measured
    return figures


STEPS: dict[str, Callable[..., dict[str, Any]]] = {"aggregator": aggregator}


def aggregator_suite(
    table: Table, *, args: argparse.Namespace, sizes: list[int], workdir: str
) -> None:
    """Rows: aggregator calls per 1,000 items; collect time via the aggregator vs roles."""
    from .runner import run_step

    sizes_wanted = [s.strip() for s in args.collect_sizes.split(",") if s.strip()]
    for org_size, everywhere in [(s, e) for s in sizes_wanted for e in ("0", "1")]:
        label = f"{org_size} org{', recording everywhere' if everywhere == '1' else ''}"
        result = table.record(
            run_step(
                f"aggregator {label}",
                "aggregator",
                org_size,
                args.latency_ms,
                everywhere,
                timeout=2400,
            )
        )
        if not result.ok:
            continue
        f = result.figures
        source, agg, roles = f["source"], f["via_aggregator"], f["via_roles"]
        where = f"{label}, {f['latency_ms']:g} ms/call"
        table.add(
            "aggregator",
            "aggregator calls per 1,000 items",
            where,
            f"{source['calls_per_1000_items']:.1f} = {source['calls']} calls for "
            f"{source['items']:,} items",
            note=f"{source['partitions']} partitions, the largest "
            f"{source['largest_partition_pages']} pages; read in {source['seconds']:.2f} s; "
            f"{source['operations']}",
        )
        ratio = roles["seconds"] / agg["seconds"] if agg["seconds"] else 0
        table.add(
            "aggregator",
            "collect: aggregator vs roles (wall)",
            where,
            f"{agg['seconds']:.2f} s vs {roles['seconds']:.2f} s = {ratio:.1f}x",
            result.peak_mb,
            note=f"calls {agg['api_calls']:,} vs {roles['api_calls']:,}; AssumeRole "
            f"{agg['assume_role_calls']} vs {roles['assume_role_calls']}; resources "
            f"{agg['resources']:,} vs {roles['resources']:,}; coverage {agg['coverage']} vs "
            f"{roles['coverage']}; organization built in {f['build_s']:.0f} s",
        )
