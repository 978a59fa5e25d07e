"""``python -m benchmarks``: run every benchmark and print all figures as one table.

    python -m benchmarks                          # snapshot + explorer at 10k and 100k, collect
    python -m benchmarks --sizes 10k,100k,1m      # add the 1M-resource snapshot (report only)
    python -m benchmarks --suites snapshot --sizes 100k --markdown out.md --json out.json

Figures are reproducible from `--seed` (the synthetic snapshots and the trace roots); the
machine and load average are printed with them because they move every timing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

from .machine import describe
from .suites import SUITES, Table, parse_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="10k,100k", help="snapshot sizes, e.g. 10k,100k,1m")
    parser.add_argument(
        "--suites", default=",".join(SUITES), help=f"comma-separated, from {', '.join(SUITES)}"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--collect-sizes", default="small,large", help="simulated organizations to collect"
    )
    parser.add_argument("--workers", type=int, default=4, help="parallel collect workers")
    parser.add_argument(
        "--org-accounts",
        default="100",
        help="member accounts of the org-scale suite's simulated organization, e.g. 100,1000",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=40.0, help="simulated network round trip per call"
    )
    parser.add_argument("--workdir", help="folder for the synthetic snapshots (kept)")
    parser.add_argument("--json", help="also write every figure as JSON here")
    parser.add_argument("--markdown", help="also write the table as Markdown here")
    args = parser.parse_args(argv)

    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    workdir = args.workdir or os.path.join(tempfile.gettempdir(), "blindspot-bench")
    os.makedirs(workdir, exist_ok=True)

    machine = describe()
    table = Table()
    print("blindspot benchmarks", file=sys.stderr)
    for key, value in machine.items():
        print(f"  {key}: {value}", file=sys.stderr)
    for suite in suites:
        SUITES[suite](table, args=args, sizes=sizes, workdir=workdir)

    machine["load average at end"] = describe()["load average at start"]
    print()
    for key, value in machine.items():
        print(f"{key}: {value}")
    print()
    print(table.text())
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(table.markdown(machine))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine, "rows": table.rows, "raw": table.raw}, handle, indent=2)
    return 1 if table.failures else 0


if __name__ == "__main__":
    sys.exit(main())
