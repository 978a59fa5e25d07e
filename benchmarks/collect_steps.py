"""Collect steps: the real collector over the simulated organization in moto.

The organization is `blindspot.simulation`'s (`small` is the demo, `large` adds fleets of
instances, buckets, functions and log groups); it is built once per child and then
collected with 1 worker and with N workers. API calls are counted by the collector's own
`CallLog` (a botocore `before-call` hook on every client it makes).

moto answers in process, so without help a "call" costs only CPU under the GIL and threads
cannot overlap it; real AWS calls spend most of their time waiting on the network. The
`latency_ms` argument adds that wait (a `time.sleep` in botocore's `before-send` event, only
while collecting), which is what parallel workers overlap against real AWS.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .latency import install_latency_hook, simulated_latency


@contextmanager
def built_organization(size: str, seed: str, figures: dict[str, Any]) -> Iterator[Any]:
    """The `size` organization, built in moto with AWS Config's extension registered and the
    latency hook installed, for the block; its build time goes in `figures["build_s"]`."""
    from blindspot.simulation import moto_config
    from blindspot.simulation.environment import simulated_aws
    from blindspot.simulation.org import build_organization

    install_latency_hook()
    with simulated_aws(int(seed)), moto_config.registered():
        t0 = time.perf_counter()
        org = build_organization(int(seed), size)
        figures["build_s"] = time.perf_counter() - t0
        yield org


def collect(size: str, workers: str, latency_ms: str = "0", seed: str = "7") -> dict[str, Any]:
    """Build the `size` organization, then collect it sequentially and with `workers`."""
    from blindspot.simulation.collection import collect_organization
    from collectors import collect as collect_module
    from collectors.collect import CollectOptions

    figures: dict[str, Any] = {"size": size, "latency_ms": float(latency_ms)}
    with built_organization(size, seed, figures) as org:
        del collect_organization  # the demo's own worker count is not what is measured here
        for n in (1, int(workers)):
            options = CollectOptions(
                session=org.session("management"),
                regions=list(org.regions),
                org=True,
                role_name=org.member_role_name,
                source="auto",
                workers=n,
            )
            with simulated_latency(float(latency_ms)):
                t = time.perf_counter()
                result = collect_module.collect(options)
                elapsed = time.perf_counter() - t
            snapshot = result.snapshot
            real = [r for r in snapshot.resources if not r.is_pseudo]
            calls = result.call_log.total
            by_service: Counter[str] = Counter()
            for (service, _operation), count in result.call_log.counts.items():
                by_service[service] += count
            sources = Counter(s.source for s in snapshot.scope.sources)
            by_inventory = Counter(r.source or "?" for r in real)
            operations = Counter(
                {f"{svc}:{op}": n for (svc, op), n in result.call_log.counts.items()}
            )
            figures[f"workers_{n}"] = {
                "seconds": elapsed,
                "resources": len(real),
                "relationships": len(snapshot.relationships),
                "api_calls": calls,
                "calls_per_resource": round(calls / max(1, len(real)), 2),
                "account_regions": result.regions_collected,
                "sources": dict(sources),
                "calls_by_service": dict(by_service.most_common(8)),
                "config_calls": by_service.get("config", 0),
                "resources_by_inventory_source": dict(by_inventory),
                "top_operations": dict(operations.most_common(12)),
                "errors": len(snapshot.errors),
            }
    return figures


STEPS: dict[str, Callable[..., dict[str, Any]]] = {"collect": collect}
