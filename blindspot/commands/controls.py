"""`blindspot controls`: the coverage catalogue as a table, Markdown, JSON or CSV."""

from __future__ import annotations

import argparse
import sys

from snapshot.catalogue import CATALOGUE
from snapshot.render.controls import render


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(render(CATALOGUE, args.format))
    sys.stdout.flush()
    return 0
