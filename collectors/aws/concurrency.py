"""At most N calls in flight to one service of one account (AWS throttles per account and API).

Workers overlap accounts and regions (`collectors.collect`), so several of them can be in
regions of one account at once, each calling the same API: IAM, Organizations, S3's
bucket listing and CloudFront are global, and their throttle buckets are shared by every
region's work. botocore's `adaptive` retry mode only slows a client down *after* it has
been throttled, and each client (one per account, region and service) keeps its own
bucket. This limiter bounds the burst before it happens: every client made by
`AwsContext` waits for one of `limit` slots of its (account, service) before a call and
gives it back when the call ends, whatever way it ends.

Why the client's `_make_api_call` is wrapped rather than a slot taken in botocore's
`before-call` event and given back in `after-call` / `after-call-error`: a `before-call`
handler that raises after ours (the read-only guard refusing a write, the region budget
being spent) leaves without any `after-call*` event, and the slot would be lost for the
rest of the run. A `try/finally` around the whole call gives it back on every exit: an
answer, an error answer, a `CallDeadlineExceeded` from the watchdog, an exception from
any hook. The slot is held through botocore's retries (a throttled call keeps its place
while it backs off, so the account sends less, not more).

A call made while its thread already holds a slot (moto's AWS Config extension calling
itself server-side, a credential refresh inside a call) runs without waiting: a thread
never waits for a slot it holds itself, so nesting cannot deadlock, even at a limit of 1.

The default, 4, is `BLINDSPOT_SERVICE_CONCURRENCY`; 0 switches the limit off. A command
line option sets it with `use_service_concurrency` around the collection. This module
imports nothing heavy (no botocore), so the CLI can show the default in `--help`.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from snapshot.settings import env_number

#: Calls in flight to one service of one account, unless BLINDSPOT_SERVICE_CONCURRENCY says.
DEFAULT_SERVICE_CONCURRENCY = 4
ENV_SERVICE_CONCURRENCY = "BLINDSPOT_SERVICE_CONCURRENCY"


class ServiceLimiter:
    """Slots per key (account, service): `limit` calls in flight per key, 0 for no limit.

    Keys exist only while calls of theirs are in flight or waiting, so a thousand accounts
    of twenty services leave nothing behind. `peak` is the most calls seen in flight for
    one key, `waited` the number of calls that had to wait for a slot.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(0, int(limit))
        self.peak = 0
        self.waited = 0
        self._in_flight: dict[Hashable, int] = {}
        self._changed = threading.Condition()
        self._held = threading.local()

    def _holding(self) -> int:
        return int(getattr(self._held, "count", 0))

    def acquire(self, key: Hashable) -> bool:
        """Wait for a slot of `key`; False when none was taken (no limit, or nested call)."""
        if self.limit <= 0 or self._holding():
            return False
        with self._changed:
            if self._in_flight.get(key, 0) >= self.limit:
                self.waited += 1
                while self._in_flight.get(key, 0) >= self.limit:
                    self._changed.wait()
            count = self._in_flight[key] = self._in_flight.get(key, 0) + 1
            self.peak = max(self.peak, count)
        self._held.count = self._holding() + 1
        return True

    def release(self, key: Hashable) -> None:
        self._held.count = self._holding() - 1
        with self._changed:
            count = self._in_flight[key] - 1
            if count:
                self._in_flight[key] = count
            else:
                del self._in_flight[key]
            self._changed.notify_all()

    def in_flight(self, key: Hashable) -> int:
        with self._changed:
            return self._in_flight.get(key, 0)


def limit_client(client: Any, limiter: ServiceLimiter, key: Callable[[], Hashable]) -> Any:
    """Make every call of `client` hold a slot of `key()` from start to end; returns it.

    `key` is read at each call (an `AwsContext` learns its account id after its first
    call). Paginators and waiters go through the same `_make_api_call`.
    """
    if limiter.limit <= 0:
        return client
    make_api_call = client._make_api_call

    @functools.wraps(make_api_call)
    def limited(operation_name: str, api_params: Any) -> Any:
        slot = key()
        taken = limiter.acquire(slot)
        try:
            return make_api_call(operation_name, api_params)
        finally:
            if taken:
                limiter.release(slot)

    client._make_api_call = limited
    return client


_lock = threading.Lock()
_shared: ServiceLimiter | None = None


def configured_limit() -> int:
    """`BLINDSPOT_SERVICE_CONCURRENCY` (a whole number >= 0), else the default."""
    return int(
        env_number(ENV_SERVICE_CONCURRENCY, DEFAULT_SERVICE_CONCURRENCY, minimum=0, whole=True)
    )


def shared_limiter() -> ServiceLimiter:
    """The process's limiter, shared by every account's contexts (made on first use).

    One per process, not per run: two collections in one process call the same accounts'
    APIs, whose throttles they share.
    """
    global _shared
    with _lock:
        if _shared is None:
            _shared = ServiceLimiter(configured_limit())
        return _shared


@contextlib.contextmanager
def use_service_concurrency(limit: int) -> Iterator[ServiceLimiter]:
    """Make a limiter of `limit` the shared one for the contexts made inside the block.

    Clients made before keep the limiter they were made with (their slots are given back
    to it), so swapping never loses a slot.
    """
    global _shared
    limiter = ServiceLimiter(limit)
    with _lock:
        previous, _shared = _shared, limiter
    try:
        yield limiter
    finally:
        with _lock:
            _shared = previous
