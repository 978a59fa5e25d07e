"""`blindspot attack`: ATT&CK cloud techniques each account can or cannot see in its logs
(snapshot/attack.py has the join and its rules)."""

from __future__ import annotations

import argparse
import sys

from blindspot.cli import UsageError
from snapshot.attack import AttackError, blind_spots
from snapshot.io import open_snapshot
from snapshot.render.attack import render


def run(args: argparse.Namespace) -> int:
    snapshot = open_snapshot(args.file)  # read-only: streamed records, bounded memory
    try:
        document = blind_spots(snapshot, accounts=args.account)
    except AttackError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(render(document, args.format))
    return 0
