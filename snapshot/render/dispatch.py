"""Picking a format's writer from a render module's table (`RENDERERS`, `WRITERS`, ...).

Every render module keeps its writers in a dict keyed by `--format` value; an unknown value
reaches here only from a caller that bypassed the command line's choices, and becomes one
line naming the command's formats rather than a bare `KeyError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

W = TypeVar("W")


def writer_for(
    table: Mapping[str, W], fmt: str, what: str, error: type[Exception] = ValueError
) -> W:
    """`table[fmt]`, or `error("unknown <what> format '<fmt>'")`."""
    try:
        return table[fmt]
    except KeyError:
        raise error(f"unknown {what} format {fmt!r}") from None
