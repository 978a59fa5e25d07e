"""The time limits of a collection: per call and per account-region (see `deadlines.py`).

Kept apart from `deadlines.py` so that the CLI can show the defaults without importing
botocore. `Limits` are process-wide defaults (`use_limits`), read when an `AwsContext` is
made: the member accounts' contexts are made in worker threads, where a context variable
would not reach.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

#: Seconds a call may take, retries included, unless `--call-timeout` says otherwise.
DEFAULT_CALL_TIMEOUT = 60.0
#: Seconds an account-region may take, unless `--region-budget` says otherwise.
DEFAULT_REGION_BUDGET = 1800.0


@dataclass(frozen=True)
class Limits:
    """Per-call deadline and per-account-region budget, in seconds (0: no limit)."""

    call_timeout: float = DEFAULT_CALL_TIMEOUT
    region_budget: float = DEFAULT_REGION_BUDGET


_limits = Limits()
_limits_lock = threading.Lock()


def current_limits() -> Limits:
    return _limits


@contextlib.contextmanager
def use_limits(limits: Limits) -> Iterator[None]:
    """Make `limits` the default of the `AwsContext`s made inside the block."""
    global _limits
    with _limits_lock:
        previous, _limits = _limits, limits
    try:
        yield
    finally:
        with _limits_lock:
            _limits = previous


class RegionClock:
    """The budget of one account-region, started by its first call."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self._ends: float | None = None
        self._lock = threading.Lock()

    def ends(self) -> float:
        with self._lock:
            if self._ends is None:
                self._ends = time.monotonic() + self.budget if self.budget > 0 else float("inf")
            return self._ends
