"""`blindspot collect`."""

from __future__ import annotations

import argparse

from blindspot.cli import UsageError


def run(args: argparse.Namespace) -> int:
    raise UsageError("`blindspot collect` is not built yet in this version")
