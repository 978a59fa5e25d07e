"""The benchmark suites (snapshot, explorer, collect) and the table they fill.

Each suite runs its steps in child processes (`runner`), adds one row per figure to the
table, and checks the figure against its target (the design's performance goals) where
there is one. A failed step is a row too (with the end of its stderr), so one crash does not
hide the rest.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .aggregator_steps import aggregator_suite
from .runner import StepResult, run_blindspot, run_step

#: Accounts x regions of each synthetic size: an organization grows in accounts first.
SHAPES = {10_000: (20, 3), 100_000: (100, 4), 1_000_000: (500, 4)}
#: At and above this size only the steps that target it run (generate, parse, report).
HUGE = 1_000_000
GB = 1024.0


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def shape(size: int) -> tuple[int, int]:
    if size in SHAPES:
        return SHAPES[size]
    return max(1, min(500, size // 1000)), 4


@dataclass
class Table:
    """Rows of figures: what was measured, on what, the number, peak memory, the target."""

    rows: list[dict[str, str]] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0

    def add(
        self,
        suite: str,
        what: str,
        size: str,
        value: str,
        peak_mb: float | None = None,
        target: str = "",
        met: bool | None = None,
        note: str = "",
    ) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        row = {
            "suite": suite,
            "what": what,
            "size": size,
            "value": value,
            "peak": "" if peak_mb is None else f"{peak_mb:,.0f} MB",
            "target": target,
            "verdict": verdict,
            "note": note,
        }
        self.rows.append(row)
        print("  " + " | ".join(v for v in row.values() if v), flush=True)

    def record(self, result: StepResult) -> StepResult:
        self.raw.append(
            {
                "name": result.name,
                "wall_s": result.wall_s,
                "peak_mb": result.peak_mb,
                "returncode": result.returncode,
                "figures": result.figures,
            }
        )
        if not result.ok:
            self.failures += 1
            self.add("error", result.name, "", f"exit {result.returncode}", note=result.stderr_tail)
        return result

    def step(self, name: str, step: str, *args: object) -> StepResult | None:
        """Run `step` in a child and record it; its result if it succeeded, else None."""
        result = self.record(run_step(name, step, *args))
        return result if result.ok else None

    COLUMNS = ("suite", "what", "size", "value", "peak", "target", "verdict")

    def text(self) -> str:
        cells = [list(self.COLUMNS)] + [[row[c] for c in self.COLUMNS] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.COLUMNS))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
        ]
        notes = [
            f"{row['what']} ({row['size']}): {row['note']}" for row in self.rows if row["note"]
        ]
        return "\n".join(lines + (["", *notes] if notes else []))

    def markdown(self, machine: dict[str, str]) -> str:
        out = ["| " + " | ".join(self.COLUMNS) + " |", "|" + "---|" * len(self.COLUMNS)]
        for row in self.rows:
            out.append("| " + " | ".join(row[c].replace("|", "/") for c in self.COLUMNS) + " |")
        head = [f"- {k}: {v}" for k, v in machine.items()]
        notes = [
            f"- {row['what']} ({row['size']}): {row['note']}" for row in self.rows if row["note"]
        ]
        return "\n".join([*head, "", *out, "", *notes]) + "\n"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


# -- snapshot -------------------------------------------------------------------------------


def snapshot_file(table: Table, size: int, seed: int, workdir: str) -> str | None:
    accounts, regions = shape(size)
    path = os.path.join(workdir, f"synthetic-{label(size)}-seed{seed}.json")
    result = table.record(
        run_step(f"generate {label(size)}", "generate", size, accounts, regions, seed, path)
    )
    if not result.ok:
        return None
    f = result.figures
    table.add(
        "snapshot",
        "generate + save",
        label(size),
        f"{_s(f['generate_s'])} + {_s(f['save_s'])}",
        result.peak_mb,
        note=f"{f['resources']:,} resources, {f['relationships']:,} relationships, "
        f"{f['coverage_records']:,} coverage records, {accounts} accounts x {regions} "
        f"regions, {f['bytes'] / 1024**2:,.0f} MB JSON",
    )
    return path


def snapshot_suite(
    table: Table, *, args: argparse.Namespace, sizes: list[int], workdir: str
) -> None:
    for size in sizes:
        name = label(size)
        big = size >= 100_000
        path = snapshot_file(table, size, args.seed, workdir)
        if path is None:
            continue
        parse = table.step(f"parse {name}", "parse", path)
        parse_s: float | None = None
        if parse is not None:
            parse_s = parse.figures["parse_s"]
            table.add(
                "snapshot",
                "raw JSON parse (orjson, gc paused)",
                name,
                _s(parse_s),
                parse.peak_mb,
                note=f"with the garbage collector running: {_s(parse.figures['parse_gc_on_s'])}",
            )
        json_load_wall: float | None = None
        if big and (bare := table.step(f"json.load {name}", "json_load", path)):
            json_load_wall = bare.wall_s
            table.add(
                "snapshot",
                "bare `json.load` (stdlib, gc on), child process",
                name,
                f"{_s(bare.wall_s)} (parse {_s(bare.figures['json_load_s'])}; "
                f"CPU {_s(bare.cpu_s)})",
                bare.peak_mb,
                note="the bar `blindspot report` is held to at 1M",
            )
        for details in ("1", "0"):
            if opened := table.step(f"open {name} {details}", "open", path, details):
                f = opened.figures
                table.add(
                    "snapshot",
                    "open_snapshot (streamed records) + graph"
                    if details == "1"
                    else "open_snapshot(details=False) (lean, as report) + graph",
                    name,
                    f"{_s(f['open_s'])} + {_s(f['graph_s'])}",
                    opened.peak_mb,
                )
        if size < HUGE:
            if load := table.step(f"load {name}", "load", path):
                table.add(
                    "snapshot", "load into models", name, _s(load.figures["load_s"]), load.peak_mb
                )
            if graph := table.step(f"graph {name}", "graph", path):
                f = graph.figures
                both = f["load_s"] + f["graph_s"]
                ratio = both / parse_s if parse_s else None
                table.add(
                    "snapshot",
                    "graph build (after load)",
                    name,
                    _s(f["graph_s"]),
                    note=f"{f['nodes']:,} nodes, {f['edges']:,} edges (scope edges included)",
                )
                table.add(
                    "snapshot",
                    "load + graph, x raw parse",
                    name,
                    f"{_s(both)} = {ratio:.1f}x" if ratio else _s(both),
                    graph.peak_mb,
                    target="<= 5x, < 1.5 GB" if big else "",
                    met=(ratio is not None and ratio <= 5 and graph.peak_mb < 1.5 * GB)
                    if big
                    else None,
                )
            if rollups := table.step(f"rollups {name}", "rollups", path):
                table.add(
                    "snapshot",
                    "rollups (account, region, type, account-region, total)",
                    name,
                    _s(rollups.figures["rollups_s"]),
                )
            if trace := table.step(f"trace {name}", "trace", path, args.seed, 3):
                f = trace.figures
                table.add(
                    "snapshot",
                    "depth-3 trace (median / p95 / max)",
                    name,
                    f"{f['trace_median_ms']:.1f} / {f['trace_p95_ms']:.1f} / "
                    f"{f['trace_max_ms']:.1f} ms",
                    target="< 100 ms",
                    met=f["trace_p95_ms"] < 100,
                    note=f"{f['traces']} seeded roots (instances, ENIs, functions); "
                    f"nodes reached median {f['trace_nodes_median']}, max {f['trace_nodes_max']}",
                )
        report = table.record(run_blindspot(f"report {name}", "report", path))
        if report.ok:
            target: str = ""
            met: bool | None = None
            if size >= HUGE:
                # Issue 16: under 2 GB, and no slower than a bare json.load of the file.
                target = "< 2 GB, <= bare json.load"
                met = report.peak_mb < 2 * GB and (
                    json_load_wall is not None and report.wall_s <= json_load_wall
                )
            elif big:
                # Issue 16: 100k stays where it was (3.47 s, 1,103 MB) or better.
                target = "<= 3.5 s, <= 1.1 GB"
                met = report.wall_s <= 3.5 and report.peak_mb <= 1.1 * GB
            table.add(
                "snapshot",
                "`blindspot report` end to end",
                name,
                f"{_s(report.wall_s)} (CPU {_s(report.cpu_s)})",
                report.peak_mb,
                target,
                met,
            )
        if size < HUGE:
            out = os.path.join(workdir, f"export-{name}.graphml")
            export = table.record(
                run_blindspot(f"export {name}", "export", path, "--format", "graphml", "-o", out)
            )
            if export.ok:
                table.add(
                    "snapshot",
                    "`blindspot export --format graphml`",
                    name,
                    _s(export.wall_s),
                    export.peak_mb,
                    note=f"{os.path.getsize(out) / 1024**2:,.0f} MB GraphML",
                )
                os.unlink(out)


# -- explorer -------------------------------------------------------------------------------


def explorer_suite(
    table: Table, *, args: argparse.Namespace, sizes: list[int], workdir: str
) -> None:
    # A cache of our own, emptied first: the first open computes the matrix (a lean pass over
    # the file), the second finds it in the cache (snapshot.index.cache). Children inherit it.
    os.environ["XDG_CACHE_HOME"] = cache = os.path.join(workdir, "xdg-cache")
    shutil.rmtree(cache, ignore_errors=True)
    for size in sizes:
        path = os.path.join(workdir, f"synthetic-{label(size)}-seed{args.seed}.json")
        if not os.path.exists(path) and snapshot_file(table, size, args.seed, workdir) is None:
            continue
        for open_ in ("first open", "second open"):
            name = f"{label(size)}, {open_}"
            result = table.record(run_step(f"explore {name}", "explore", path, timeout=900))
            if result.ok:
                _explorer_rows(table, name, size, result)


def _explorer_rows(table: Table, name: str, size: int, result: StepResult) -> None:
    f = result.figures
    launch_to_matrix = f["import_s"] + f["matrix_shown_s"]
    rows = [
        ("import the app (Textual included)", _s(f["import_s"]), "", None),
        (
            "first frame (after run_test starts; with the import)",
            f"{_s(f['first_frame_s'])}; {_s(f['import_s'] + f['first_frame_s'])}",
            "< 0.5 s with the import",
            f["import_s"] + f["first_frame_s"] < 0.5,
        ),
        (
            f"matrix shown (from the {f['matrix_source']}); CPU by then",
            f"{_s(f['matrix_shown_s'])}; {_s(f['cpu_at_matrix_s'])} CPU",
            "",
            None,
        ),
        (
            "details loaded (worker); CPU by then",
            f"{_s(f['snapshot_loaded_s'])}; {_s(f['cpu_at_details_s'])} CPU",
            "",
            None,
        ),
        (
            "matrix on screen after load",
            _s(f["matrix_after_load_s"]),
            "< 1 s",
            f["matrix_after_load_s"] < 1,
        ),
        (
            # Issue 16: within 10 s of launch at 1M (the import included), peak < 3 GB.
            "matrix on screen from launch (import included); session peak",
            _s(launch_to_matrix),
            "< 10 s; < 3 GB" if size >= HUGE else "",
            (launch_to_matrix < 10 and result.peak_mb < 3 * GB) if size >= HUGE else None,
        ),
        ("open the resource list", f"{f['open_list_ms']:.0f} ms", "", None),
        (
            "list cursor key (median / max)",
            f"{f['list_key_median_ms']:.1f} / {f['list_key_max_ms']:.1f} ms",
            "< 50 / < 100 ms",
            f["list_key_median_ms"] < 50 and f["list_key_max_ms"] < 100,
        ),
        (
            "filter keystroke (median / max)",
            f"{f['filter_key_median_ms']:.0f} / {f['filter_key_max_ms']:.0f} ms",
            "< 50 / < 100 ms",
            f["filter_key_median_ms"] < 50 and f["filter_key_max_ms"] < 100,
        ),
        ("open a resource", f"{f['open_resource_ms']:.0f} ms", "", None),
        ("trace: open at depth 2", f"{f['trace_depth2_ms']:.0f} ms", "", None),
        (
            "trace: + to depth 3 (median / max of 5)",
            f"{f['trace_depth3_ms']:.0f} / {f['trace_depth3_max_ms']:.0f} ms",
            "< 100 ms",
            f["trace_depth3_ms"] < 100,
        ),
    ]
    for i, (what, value, target, met) in enumerate(rows):
        table.add("explorer", what, name, value, result.peak_mb if i == 0 else None, target, met)


# -- collect --------------------------------------------------------------------------------


def collect_suite(
    table: Table, *, args: argparse.Namespace, sizes: list[int], workdir: str
) -> None:
    counted: list[dict[str, Any]] = []  # (calls, account-regions, resources) per organization
    for org_size in [s.strip() for s in args.collect_sizes.split(",") if s.strip()]:
        for latency in (0.0, args.latency_ms):
            result = table.record(
                run_step(
                    f"collect {org_size} latency {latency:g}",
                    "collect",
                    org_size,
                    args.workers,
                    latency,
                    timeout=1800,
                )
            )
            if not result.ok:
                continue
            f = result.figures
            seq, par = f["workers_1"], f[f"workers_{args.workers}"]
            where = f"{org_size} org, {latency:g} ms/call"
            if latency == 0:
                counted.append(seq)
                table.add(
                    "collect",
                    "API calls per resource",
                    where,
                    f"{seq['calls_per_resource']:.2f}",
                    target="<= 1.5",
                    met=seq["calls_per_resource"] <= 1.5,
                    note=f"{seq['api_calls']:,} calls for {seq['resources']:,} resources in "
                    f"{seq['account_regions']} account-regions (region sources "
                    f"{seq['sources']}, resources by source "
                    f"{seq['resources_by_inventory_source']}); top operations "
                    f"{seq['top_operations']}; organization built in {f['build_s']:.0f} s",
                )
            speedup = seq["seconds"] / par["seconds"] if par["seconds"] else 0
            table.add(
                "collect",
                f"wall: 1 worker vs {args.workers}",
                where,
                f"{_s(seq['seconds'])} vs {_s(par['seconds'])} = {speedup:.1f}x",
                result.peak_mb,
            )

    _marginal_calls(table, counted)


def _marginal_calls(table: Table, counted: list[dict[str, Any]]) -> None:
    """Split API calls into a fixed cost per account-region and a cost per resource.

    calls = fixed x account-regions + marginal x resources, solved from the smallest and
    the largest organization: per-region checks (trail, recorder, detectors ...) cost the
    same whatever a region holds, so a small estate shows many calls per resource while
    the cost of one more resource is the marginal figure.
    """
    if len(counted) < 2:
        return
    small, large = (
        min(counted, key=lambda c: c["resources"]),
        max(counted, key=lambda c: c["resources"]),
    )
    if small["account_regions"] != large["account_regions"] or small is large:
        return
    marginal = (large["api_calls"] - small["api_calls"]) / max(
        1, large["resources"] - small["resources"]
    )
    fixed = (small["api_calls"] - marginal * small["resources"]) / small["account_regions"]
    table.add(
        "collect",
        "calls per extra resource; fixed calls per account-region",
        "small vs large org",
        f"{marginal:.2f}; {fixed:.0f}",
        target="<= 1.5 per resource",
        met=marginal <= 1.5,
    )


#: Organizations up to this many member accounts are also collected as two merged shards.
SHARDED_UP_TO = 200


def _limiter(whole: dict[str, Any]) -> str:
    limiter = whole.get("service_concurrency") or {}
    return (
        f"calls in flight per account and service at most {limiter.get('peak', '?')} "
        f"(limit {limiter.get('limit', '?')}), {limiter.get('waited', 0):,} calls waited"
    )


def org_scale_suite(
    table: Table, *, args: argparse.Namespace, sizes: list[int], workdir: str
) -> None:
    """`collect --org` over a wide organization, whole and as two merged shards."""
    for accounts in [int(a) for a in str(args.org_accounts).split(",") if a.strip()]:
        where = f"{accounts} accounts, {args.latency_ms:g} ms/call, {args.workers} workers"
        result = table.record(
            run_step(
                f"org-scale {accounts}",
                "org-scale",
                accounts,
                args.workers,
                args.latency_ms,
                # The shard round trip doubles the run: measured where it proves the merge
                # (up to 200 accounts), not repeated at 1,000 (40 minutes on 2 cores).
                "yes" if accounts <= SHARDED_UP_TO else "no",
                timeout=7200,
            )
        )
        if not result.ok:
            continue
        f = result.figures
        whole = f["whole"]
        table.add(
            "org-scale",
            "collect --org: wall; calls; calls per account",
            where,
            f"{_s(whole['seconds'])}; {whole['calls']:,}; "
            f"{whole['calls'] / max(1, whole['accounts']):.1f}",
            result.peak_mb,
            note=f"{whole['accounts']} accounts, {whole['resources']:,} resources, "
            f"{whole['errors']} errors; fleet built in {_s(f['build_s'])}, moto warmed up by "
            f"an unmeasured pass in {_s(f['warm_up_s'])}; {_limiter(whole)}",
        )
        if "shards" not in f:
            continue
        shards = f["shards"]
        table.add(
            "org-scale",
            "--shard 1/2 + 2/2 (sequential here), then merge",
            where,
            f"{_s(shards[0]['seconds'])} + {_s(shards[1]['seconds'])}; merge {_s(f['merge_s'])}",
            target="merged report = unsharded",
            met=bool(f["merged_equals_whole"]),
            note=f"accounts {shards[0]['accounts']} + {shards[1]['accounts']}",
        )


SUITES: dict[str, Callable[..., None]] = {
    "snapshot": snapshot_suite,
    "explorer": explorer_suite,
    "collect": collect_suite,
    "aggregator": aggregator_suite,
    "org-scale": org_scale_suite,
}
