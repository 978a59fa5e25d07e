"""What one account's inventory and coverage hand each other, passed explicitly.

The collection driver (`collectors.collect`) makes one `AccountFacts` per account and hands
it to the inventory of each of the account's regions (`ApiRegion.facts`,
`ConfigServiceSource(facts=...)`) and to each region's probes (`ProbeContext.facts`).
Nothing is kept at module level: a run, or a test, that makes its own object shares nothing
with another. The regions of one account run in parallel threads, so every read and write
holds the object's lock.

Two kinds of fact:

* a hand-over (`hand_over` / `take`): a response the inventory of a region read that a probe
  of the same region would otherwise read again (`cloudtrail:DescribeTrails`, the Config
  recorder reads). It is taken once: a later probe of the region asks again.
* an account fact (`remember` / `recall`): what one region read that the account's other
  regions reuse, IAM being global (a role's policies, a managed policy's document) or a
  multi-region trail showing up in every region (its status and selectors).
"""

from __future__ import annotations

import threading
from typing import Any


class AccountFacts:
    """One account's hand-overs and shared reads (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handed: dict[tuple[str, str], Any] = {}
        self._known: dict[tuple[str, str], Any] = {}

    def hand_over(self, kind: str, region: str, value: Any) -> None:
        """Keep `value` (the response of `kind`, e.g. `cloudtrail:DescribeTrails`) for the
        probe of `region` (a later hand-over of the same kind replaces it)."""
        with self._lock:
            self._handed[(kind, region)] = value

    def take(self, kind: str, region: str) -> Any | None:
        """The value handed over for `region`, removed once taken; None if there is none."""
        with self._lock:
            return self._handed.pop((kind, region), None)

    def remember(self, kind: str, key: str, value: Any) -> None:
        """Keep an account-wide fact (e.g. kind `iam:role`, key the role's ARN)."""
        with self._lock:
            self._known[(kind, key)] = value

    def recall(self, kind: str, key: str) -> Any | None:
        """An account-wide fact another region kept; None if none did."""
        with self._lock:
            return self._known.get((kind, key))


__all__ = ["AccountFacts"]
