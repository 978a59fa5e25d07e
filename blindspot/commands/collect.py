"""`blindspot collect`: a live, read-only snapshot of an account or organization.

Writes the snapshot atomically (`-o -` writes it to stdout and nothing else), prints one
summary line on stderr, and exits 0 when the snapshot is complete, 3 when some calls failed
(see its `errors`). No credentials or an unknown profile: one line, exit 2. Ctrl-C: nothing
is written, a line says what was lost, exit 130 at once (a worker blocked in an AWS call is
not waited for). The standard SDK configuration is honoured
by boto3 itself (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from dataclasses import fields

from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from blindspot.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, UsageError
from blindspot.progress import make_progress
from collectors.accounts import NoCredentials
from collectors.aws.concurrency import configured_limit, use_service_concurrency
from collectors.aws.limits import Limits, use_limits
from collectors.collect import (
    DEFAULT_COLLABORATORS,
    Collaborators,
    CollectOptions,
    CollectResult,
    collect,
    running_workers,
)
from snapshot.io import dump_snapshot, save_snapshot
from snapshot.times import parse_time

#: `CollectOptions` fields `options_from_args` does not copy from a flag as given.
_READ_HERE = frozenset({"regions", "as_of", "session"})


def options_from_args(args: argparse.Namespace) -> CollectOptions:
    regions = args.regions
    if regions is not None:
        parts = [part.strip() for part in regions.split(",") if part.strip()]
        if not parts:
            raise UsageError("--regions needs 'all' or a comma-separated list of regions")
        regions = "all" if parts == ["all"] else parts
    if args.aggregator and args.config_files:
        raise UsageError("--aggregator and --config-files are two different sources; pick one")
    if args.workers == 0:
        raise UsageError("--workers must be at least 1")
    as_of = None
    if getattr(args, "as_of", None):
        if not args.config_files and (args.source != "config" or args.aggregator):
            # A live Describe answers for today: only AWS Config's record knows the past.
            raise UsageError(
                "--as-of needs --config-files (the delivered Config history) or --source config"
            )
        try:
            as_of = parse_time(args.as_of)
        except ValueError as exc:
            raise UsageError(f"--as-of: {exc}") from None
    # Every other option is its flag as given (`--role-name` is `role_name`, and so on).
    given = {
        field.name: getattr(args, field.name)
        for field in fields(CollectOptions)
        if field.name not in _READ_HERE
    }
    return CollectOptions(regions=regions, as_of=as_of, **given)


def summary_line(result: CollectResult) -> str:
    snapshot = result.snapshot
    real = [r for r in snapshot.resources if not r.is_pseudo]
    state = "complete" if result.complete else "PARTIAL (see errors)"
    return (
        f"blindspot: {state}: {len(snapshot.accounts)} accounts, "
        f"{result.regions_collected} account-regions, {len(real)} resources, "
        f"{len(snapshot.relationships)} relationships, {len(snapshot.errors)} errors, "
        f"{result.call_log.total} API calls, {result.seconds:.1f} s"
    )


#: Seconds the interrupted workers get to notice the cancellation before the process ends.
INTERRUPT_GRACE = 1.0


def _exit_if_workers_hang() -> None:
    """End the process now (exit 130) if a worker is still blocked in an AWS call.

    The workers stop at their next step, but one waiting on an endpoint that does not
    answer holds the interpreter's exit (it joins every ThreadPoolExecutor thread) for up
    to the read timeout x attempts. Nothing is left to clean up: the snapshot is written
    only after a complete collection (atomically, through a temporary file), and nothing
    was written yet. Only when blindspot owns the process (not when called in process).
    """
    deadline = time.monotonic() + INTERRUPT_GRACE
    for thread in running_workers():
        thread.join(max(0.0, deadline - time.monotonic()))
    if running_workers():
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe
                stream.flush()
        os._exit(EXIT_INTERRUPTED)


def run(args: argparse.Namespace, parts: Collaborators = DEFAULT_COLLABORATORS) -> int:
    """`parts`: what a test swaps (the session, the sources, the probes); real by default."""
    options = options_from_args(args)
    progress = make_progress(quiet=args.quiet)
    try:
        concurrency = args.service_concurrency
        if concurrency is None:
            concurrency = configured_limit()
        with (
            progress,
            use_limits(Limits(args.call_timeout, args.region_budget)),
            use_service_concurrency(concurrency),
        ):
            result = collect(options, progress, parts)
    except NoCredentials as exc:
        raise UsageError(str(exc)) from None
    except ProfileNotFound as exc:
        raise UsageError(f"{exc}; check --profile / AWS_PROFILE") from None
    except (ClientError, BotoCoreError) as exc:
        # Only the account planning (identity, organization) can fail this early.
        raise UsageError(f"cannot start collecting: {exc}") from None
    except KeyboardInterrupt:
        sys.stderr.write(
            f"blindspot: interrupted: nothing written ({progress.summary()} were discarded)\n"
        )
        if getattr(args, "owns_process", False):
            _exit_if_workers_hang()
        return EXIT_INTERRUPTED
    if args.output == "-":
        sys.stdout.buffer.write(dump_snapshot(result.snapshot) + b"\n")
        sys.stdout.flush()
    else:
        try:
            save_snapshot(result.snapshot, args.output)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if not args.quiet:
        sys.stderr.write(summary_line(result) + "\n")
    return EXIT_OK if result.complete else EXIT_PARTIAL
