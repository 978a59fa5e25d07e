"""Org-scale steps: `collect --org` over a wide simulated organization, whole and sharded.

The organization is `blindspot.simulation.fleet` (N member accounts, a small workload each),
built once per child in moto, then collected once without latency to warm moto's lazily
built backends (not measured). The child then collects it three ways with the same latency
added to every call (see `collect_steps`): the whole organization, and the two halves of
`--shard 1/2` and `--shard 2/2`, which are merged (`snapshot.merge` + the cross-account
pass) and compared with the whole: the merged report must equal the unsharded one.
Peak memory is the child's; wall time, calls and accounts come from the collector.
Moto's backends live in the same process, so the child also records its resident and
peak memory after the build, after the warm-up and after the measured pass (`memory`):
what the measured pass adds to the warmed-up fleet is the collector's share, moto's
per-call work included.

Figures so far are written (to `BLINDSPOT_BENCH_RESULT`, and stderr) after each phase,
so that a run stopped by its timeout still leaves what it measured.

`shards="no"` skips the two shard passes and the merge (the organization-wide run at
1,000 accounts: the shards repeat the whole run's calls and double its time).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import Counter
from typing import Any

from .child import write_result
from .latency import install_latency_hook, simulated_latency


def _memory_mb() -> dict[str, float]:
    """This process's resident set now and its peak so far, in MB."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        resident_pages = int(handle.read().split()[1])
    return {
        "rss_mb": resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _checkpoint(figures: dict[str, Any]) -> None:
    """Write the figures so far where the parent reads them, and show them on stderr."""
    print(f"org-scale: {json.dumps(figures)}", file=sys.stderr, flush=True)
    write_result(figures)


def _build_progress(made: int, total: int) -> None:
    if made % 100 == 0 or made == total:
        print(f"org-scale: fleet {made}/{total} accounts", file=sys.stderr, flush=True)


def org_scale(
    accounts: str, workers: str, latency_ms: str = "40", shards: str = "yes"
) -> dict[str, Any]:
    from blindspot.simulation import moto_config
    from blindspot.simulation.environment import simulated_aws
    from blindspot.simulation.fleet import build_fleet
    from collectors.aws.concurrency import shared_limiter
    from collectors.collect import CollectOptions, collect
    from collectors.coverage.runner import resolve_across
    from collectors.shard import Shard
    from snapshot.graph import CoverageGraph
    from snapshot.merge import merge_snapshots
    from snapshot.render.report import build_report, render

    install_latency_hook()
    figures: dict[str, Any] = {"accounts": int(accounts), "latency_ms": float(latency_ms)}
    with simulated_aws(7), moto_config.registered():
        # The fleet attaches no AWS managed policy; loading moto's thousand of them into
        # every account's IAM backend would measure moto, not the collector.
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "false"
        fleet = build_fleet(int(accounts), progress=_build_progress)
        figures["build_s"] = fleet.build_seconds
        memory = figures["memory"] = {"built": _memory_mb()}
        _checkpoint(figures)

        def run(shard: Shard | None, latency: bool = True) -> tuple[Any, float]:
            options = CollectOptions(
                session=fleet.management.session(fleet.region),
                regions=[fleet.region],
                org=True,
                role_name=fleet.member_role_name,
                source="auto",
                workers=int(workers),
                shard=shard,
            )
            started = time.perf_counter()
            with simulated_latency(float(latency_ms) if latency else 0.0):
                result = collect(options)
            return result, time.perf_counter() - started

        # moto builds each account's service backends on first use (seconds per account);
        # one pass without latency first, so the figures measure the collector, not moto.
        figures["warm_up_s"] = run(None, latency=False)[1]
        memory["warmed_up"] = _memory_mb()
        _checkpoint(figures)
        limiter = shared_limiter()
        limiter.peak = limiter.waited = 0
        whole, whole_s = run(None)
        memory["collected"] = _memory_mb()
        figures["whole"] = {
            "seconds": whole_s,
            "calls": whole.call_log.total,
            "accounts": len(whole.snapshot.accounts),
            "resources": sum(1 for r in whole.snapshot.resources if not r.is_pseudo),
            "errors": len(whole.snapshot.errors),
            "error_kinds": Counter(
                f"{e.service}:{e.operation}:{e.code}" for e in whole.snapshot.errors
            ).most_common(5),
            # Calls in flight to one service of one account at most, and calls that waited.
            "service_concurrency": {
                "limit": limiter.limit,
                "peak": limiter.peak,
                "waited": limiter.waited,
            },
        }
        _checkpoint(figures)
        if shards == "no":
            return figures
        parts = [run(Shard(i, 2)) for i in (1, 2)]
        figures["shards"] = [
            {"seconds": s, "calls": r.call_log.total, "accounts": len(r.snapshot.accounts)}
            for r, s in parts
        ]
        started = time.perf_counter()
        merged = merge_snapshots([r.snapshot for r, _ in parts]).snapshot
        resolve_across(merged)
        figures["merge_s"] = time.perf_counter() - started

        def report(snapshot: Any) -> str:
            return render(build_report(CoverageGraph(snapshot)), "json")

        figures["merged_equals_whole"] = report(merged) == report(whole.snapshot)
    return figures


STEPS = {"org-scale": org_scale}
