"""`blindspot merge`: shards (`collect --shard I/N`) or separate organizations, one snapshot.

The inputs are joined account by account (`snapshot.merge`), then the cross-account pass
runs on the whole (organization trails covering member accounts collected in other shards,
log-archive separation), exactly as it does at the end of an unsharded `collect`, so the
merged report equals the unsharded one.
"""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import UsageError
from collectors.coverage.runner import resolve_across
from snapshot.io import dump_snapshot, load_snapshot, save_snapshot
from snapshot.merge import MergeError, merge_snapshots


def run(args: argparse.Namespace) -> int:
    inputs = [load_snapshot(path) for path in args.files]
    try:
        result = merge_snapshots(inputs)
    except MergeError as exc:
        raise UsageError(str(exc)) from None
    merged = result.snapshot
    resolve_across(merged)
    if args.output == "-":
        sys.stdout.buffer.write(dump_snapshot(merged))
        sys.stdout.flush()
    else:
        try:
            save_snapshot(merged, args.output)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    for account, index in sorted(result.overlaps.items()):
        sys.stderr.write(
            f"blindspot: account {account} is in several inputs; kept the newest "
            f"({args.files[index]})\n"
        )
    real = sum(1 for resource in merged.resources if not resource.is_pseudo)
    sys.stderr.write(
        f"blindspot: merged {len(inputs)} snapshots: {len(merged.accounts)} accounts, "
        f"{real} resources, {len(merged.relationships)} relationships, "
        f"{len(merged.errors)} errors -> {args.output}\n"
    )
    return 0
