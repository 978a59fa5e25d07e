"""`blindspot demo`: a simulated organization in moto, collected for real, then explored.

With the UI, the explorer opens at once and the build + collection run in its loading
worker, their progress on the screen (the build and collection take tens of seconds on a
2-core machine; the first frame does not wait for them). `--no-ui -o FILE` writes the
snapshot instead, with progress lines on stderr.

The process ends with `os._exit` once the work is done and written: after moto has loaded,
the interpreter's own teardown takes seconds (moto-matrix.md) and has nothing left to do.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from blindspot.cli import EXIT_OK, EXIT_USAGE, UsageError


def _stderr_progress(args: argparse.Namespace) -> Callable[[str, dict[str, Any]], None]:
    """The collection's progress as `blindspot: ...` lines on stderr (none with --quiet)."""
    from blindspot.simulation.collection import progress_line

    quiet = bool(getattr(args, "quiet", False))

    def progress(event: str, detail: dict[str, Any]) -> None:
        line = progress_line(event, detail)
        if line and not quiet:
            sys.stderr.write(f"blindspot: {line.rstrip('…')}\n")
            sys.stderr.flush()

    return progress


def _write_snapshot(args: argparse.Namespace) -> int:
    from blindspot.simulation.collection import run_demo_collection
    from snapshot.graph import count_resources
    from snapshot.io import save_snapshot

    started = time.monotonic()
    quiet = bool(getattr(args, "quiet", False))
    progress = _stderr_progress(args)
    snapshot = run_demo_collection(
        args.seed, args.size, progress, aggregator=bool(getattr(args, "aggregator", False))
    )
    save_snapshot(snapshot, args.output)
    if not quiet:
        sys.stderr.write(
            f"blindspot: wrote {args.output}: {count_resources(snapshot.resources)} resources, "
            f"{len(snapshot.accounts)} accounts, in {time.monotonic() - started:.1f} s\n"
        )
    return EXIT_OK


def _explore(args: argparse.Namespace) -> int:
    if args.no_mouse:
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    from blindspot.simulation.explorer import demo_app

    app = demo_app(
        seed=args.seed,
        size=args.size,
        aggregator=bool(getattr(args, "aggregator", False)),
        ascii_only=args.ascii,
    )
    app.run(mouse=not args.no_mouse)
    if app.load_error:
        sys.stderr.write(f"blindspot: {app.load_error}\n")
        return EXIT_USAGE
    if args.output and app.graph is not None:
        from snapshot.io import save_snapshot

        save_snapshot(app.graph.snapshot, args.output)
    return app.return_code or 0


#: Where `--drift` writes without -o (the week-later file goes beside it).
DRIFT_DEFAULT = "blindspot-demo.json.gz"


def _write_drift(args: argparse.Namespace) -> int:
    """`--drift`: two snapshots a week apart, the names printed and the diff to run."""
    from blindspot.simulation.drift import DRIFT_DAYS, drift_path, run_demo_drift
    from snapshot.io import save_snapshot

    before_path = args.output or DRIFT_DEFAULT
    after_path = drift_path(before_path)
    drift = run_demo_drift(args.seed, args.size, _stderr_progress(args))
    save_snapshot(drift.before, before_path)
    save_snapshot(drift.after, after_path)
    lines = [
        f"wrote {before_path} (now) and {after_path} ({DRIFT_DAYS} days later); between them:",
        *(f"  {change}" for change in drift.changes),
        f"see it: blindspot diff {before_path} {after_path}",
    ]
    sys.stderr.write("".join(f"blindspot: {line}\n" for line in lines))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    drift = getattr(args, "drift", False)
    if drift and getattr(args, "aggregator", False):
        raise UsageError("--drift collects through roles; it does not combine with --aggregator")
    if not drift and args.no_ui and not args.output:
        raise UsageError("--no-ui needs -o FILE (where to write the snapshot)")
    if drift:
        code = _write_drift(args)
    elif args.no_ui:
        code = _write_snapshot(args)
    else:
        code = _explore(args)
    # Not under pytest (which sets PYTEST_CURRENT_TEST): os._exit would end the test run.
    if getattr(args, "fast_exit", "PYTEST_CURRENT_TEST" not in os.environ):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
