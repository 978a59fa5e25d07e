"""Numbers read from `BLINDSPOT_*` environment variables, or one clear line saying why not.

A malformed value (`BLINDSPOT_READ_TIMEOUT=10s`) used to end in a `ValueError` traceback
from deep inside a collection. `env_number` names the variable and what it wants; the CLI
prints the `SettingError` as one line and exits 2, like any other user mistake.
"""

from __future__ import annotations

import math
import os

from .sanitize import clean_single_line


class SettingError(ValueError):
    """A `BLINDSPOT_*` variable whose value cannot be used; one line for the user."""


def env_number(name: str, default: float, *, minimum: float = 0.0, whole: bool = False) -> float:
    """The number in environment variable `name` (`default` when unset or empty).

    Raises `SettingError` when it is not a finite number of at least `minimum` (a whole
    number when `whole`).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(int(raw)) if whole else float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < minimum:
        kind = "a whole number" if whole else "a number"
        shown = clean_single_line(raw)[:40]
        raise SettingError(f"{name}={shown!r} is not usable: it must be {kind} >= {minimum:g}")
    return value
