"""`blindspot explore`."""

from __future__ import annotations

import argparse

from blindspot.cli import UsageError


def run(args: argparse.Namespace) -> int:
    raise UsageError("`blindspot explore` is not built yet in this version")
