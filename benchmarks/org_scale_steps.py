"""Org-scale steps: `collect --org` over a wide simulated organization, whole and sharded.

The organization is `blindspot.simulation.fleet` (N member accounts, a small workload each),
built once per child in moto, then collected once without latency to warm moto's lazily
built backends (not measured). The child then collects it three ways with the same latency
added to every call (see `collect_steps`): the whole organization, and the two halves of
`--shard 1/2` and `--shard 2/2`, which are merged (`snapshot.merge` + the cross-account
pass) and compared with the whole: the merged report must equal the unsharded one.
Peak memory is the child's; wall time, calls and accounts come from the collector.
"""

from __future__ import annotations

import os
import time
from typing import Any

from .latency import LATENCY, install_latency_hook


def org_scale(accounts: str, workers: str, latency_ms: str = "40") -> dict[str, Any]:
    from blindspot.simulation import moto_config
    from blindspot.simulation.environment import simulated_aws
    from blindspot.simulation.fleet import build_fleet
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
        fleet = build_fleet(int(accounts))
        figures["build_s"] = fleet.build_seconds

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
            LATENCY["seconds"] = float(latency_ms) / 1000 if latency else 0.0
            started = time.perf_counter()
            try:
                result = collect(options)
            finally:
                LATENCY["seconds"] = 0.0
            return result, time.perf_counter() - started

        # moto builds each account's service backends on first use (seconds per account);
        # one pass without latency first, so the figures measure the collector, not moto.
        figures["warm_up_s"] = run(None, latency=False)[1]
        whole, whole_s = run(None)
        figures["whole"] = {
            "seconds": whole_s,
            "calls": whole.call_log.total,
            "accounts": len(whole.snapshot.accounts),
            "resources": sum(1 for r in whole.snapshot.resources if not r.is_pseudo),
            "errors": len(whole.snapshot.errors),
        }
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
