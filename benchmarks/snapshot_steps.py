"""Snapshot steps, each run in its own child process (see `runner`).

Every step starts from the file on disk, so its time and peak memory include what it needs
(the graph step includes the load, the trace step the load and the graph); the step's own
part is reported separately in its figures.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Roots of the trace benchmark: this many resources picked by a seeded RNG.
TRACE_ROOTS = 200
#: Timed steps that are quick enough are run this many times and the best time kept.
REPEATS = 3
#: Trace roots of these types (what a responder traces from), when the snapshot has them.
TRACE_ROOT_TYPES = ("AWS::EC2::Instance", "AWS::EC2::NetworkInterface", "AWS::Lambda::Function")


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 2)


def generate(resources: str, accounts: str, regions: str, seed: str, out: str) -> dict[str, Any]:
    """`benchmarks.synthetic.generate_document`, written with orjson to `out`.

    The plain document, not `generate()`'s models: the models are what the load step
    measures, and at 1M resources models plus their dump would be two more copies of
    several GB. The file is the one `generate()` + `save_snapshot` would give, give or
    take keys holding their defaults.
    """
    import orjson

    from benchmarks.synthetic import generate_document
    from snapshot.io import write_bytes_atomic

    t0 = time.perf_counter()
    document = generate_document(
        int(resources), accounts=int(accounts), regions=int(regions), seed=int(seed)
    )
    t1 = time.perf_counter()
    data = orjson.dumps(document)
    write_bytes_atomic(out, data)
    t2 = time.perf_counter()
    return {
        "generate_s": t1 - t0,
        "save_s": t2 - t1,
        "resources": len(document["resources"]),
        "relationships": len(document["relationships"]),
        "coverage_records": sum(len(r["coverage"]) for r in document["resources"]),
        "bytes": len(data),
    }


def _repeats(path: str) -> int:
    """Best of 3 against the noise of a shared machine; once for files over 1 GB."""
    return 1 if os.path.getsize(path) > 1024**3 else REPEATS


def parse(path: str) -> dict[str, Any]:
    """The floor: read the file and parse the raw JSON with orjson, nothing else.

    Parsed with the cyclic garbage collector paused (as `load_snapshot` does), which is the
    fastest orjson gets (best of 3); one parse with the collector running is reported
    beside it.
    """
    import gc

    import orjson

    t0 = time.perf_counter()
    data = Path(path).read_bytes()
    read_s = time.perf_counter() - t0
    best = float("inf")
    for _ in range(_repeats(path)):
        gc.disable()
        t1 = time.perf_counter()
        document = orjson.loads(data)
        best = min(best, time.perf_counter() - t1)
        gc.enable()
        resources = len(document["resources"])
        del document
        gc.collect()
    t3 = time.perf_counter()
    orjson.loads(data)
    t4 = time.perf_counter()
    return {"read_s": read_s, "parse_s": best, "parse_gc_on_s": t4 - t3, "resources": resources}


def json_load(path: str) -> dict[str, Any]:
    """The bar `blindspot report` is held to at 1M: a bare `json.load` of the file.

    The standard library's parser as anyone would call it (the garbage collector left
    running), once: what "just reading the JSON" costs in the simplest program.
    """
    import json

    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    elapsed = time.perf_counter() - t0
    return {"json_load_s": elapsed, "resources": len(document["resources"])}


def open_records(path: str, details: str = "1") -> dict[str, Any]:
    """`open_snapshot`: the file streamed into compact records (`details=0`: lean, as the
    report reads it), then `CoverageGraph` over them; best of 3 by the sum of both."""
    from snapshot.graph import CoverageGraph
    from snapshot.io import open_snapshot

    best: tuple[float, float, int] | None = None
    for _ in range(_repeats(path)):
        t0 = time.perf_counter()
        snapshot = open_snapshot(path, details=details == "1")
        t1 = time.perf_counter()
        built = CoverageGraph(snapshot)
        t2 = time.perf_counter()
        if best is None or t2 - t0 < best[0] + best[1]:
            best = (t1 - t0, t2 - t1, len(built))
        del built, snapshot
    assert best is not None
    return {"open_s": best[0], "graph_s": best[1], "nodes": best[2]}


def load(path: str) -> dict[str, Any]:
    """`load_snapshot`: read, sanitise, parse and validate into the pydantic models."""
    from snapshot.io import load_snapshot

    best = float("inf")
    for _ in range(_repeats(path)):
        t0 = time.perf_counter()
        snapshot = load_snapshot(path)
        best = min(best, time.perf_counter() - t0)
        resources = len(snapshot.resources)
        del snapshot
    return {"load_s": best, "resources": resources}


def _graph(path: str) -> tuple[Any, float, float]:
    from snapshot.graph import CoverageGraph
    from snapshot.io import load_snapshot

    t0 = time.perf_counter()
    snapshot = load_snapshot(path)
    t1 = time.perf_counter()
    graph = CoverageGraph(snapshot)
    graph.edges  # noqa: B018 (the adjacency, built on first use: counted in the build)
    t2 = time.perf_counter()
    return graph, t1 - t0, t2 - t1


def graph(path: str) -> dict[str, Any]:
    """Load, then build `CoverageGraph` (adjacency and per-resource layer statuses);
    best of 3 by the sum of both."""
    best: tuple[float, float, Any] | None = None
    for _ in range(_repeats(path)):
        built, load_s, graph_s = _graph(path)
        if best is None or load_s + graph_s < best[0] + best[1]:
            best = (load_s, graph_s, (len(built), built.number_of_edges()))
        del built
    assert best is not None
    load_s, graph_s, (nodes, edges) = best
    return {"load_s": load_s, "graph_s": graph_s, "nodes": nodes, "edges": edges}


def rollups(path: str) -> dict[str, Any]:
    """Every rollup the report and the explorer ask for, after load and graph build."""
    built, _, _ = _graph(path)
    figures: dict[str, Any] = {}
    total = 0.0
    for by in ("account", "region", "type", "account-region", None):
        t0 = time.perf_counter()
        built.rollup(by)
        elapsed = time.perf_counter() - t0
        figures[f"rollup_{by or 'total'}_ms"] = _ms(elapsed)
        total += elapsed
    figures["rollups_s"] = total
    return figures


def trace(path: str, seed: str, depth: str = "3") -> dict[str, Any]:
    """Depth-N traces from seeded random roots: median, 95th percentile and max."""
    built, _, _ = _graph(path)
    candidates = [rid for rid, r in built.resources.items() if r.type in TRACE_ROOT_TYPES]
    candidates = candidates or [rid for rid in built.resources if not built.is_pseudo(rid)]
    roots = random.Random(int(seed)).sample(candidates, min(TRACE_ROOTS, len(candidates)))
    times, sizes = [], []
    for root in roots:
        t0 = time.perf_counter()
        result = built.trace(root, int(depth))
        times.append(time.perf_counter() - t0)
        sizes.append(len(result.nodes))
    times.sort()
    return {
        "traces": len(times),
        "trace_median_ms": _ms(statistics.median(times)),
        "trace_p95_ms": _ms(times[int(0.95 * (len(times) - 1))]),
        "trace_max_ms": _ms(times[-1]),
        "trace_nodes_median": statistics.median(sizes),
        "trace_nodes_max": max(sizes),
    }


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "generate": generate,
    "parse": parse,
    "json_load": json_load,
    "open": open_records,
    "load": load,
    "graph": graph,
    "rollups": rollups,
    "trace": trace,
}
