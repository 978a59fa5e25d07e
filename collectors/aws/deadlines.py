"""Deadlines for AWS calls: a whole answer within `call_timeout`, a region within a budget.

botocore's own limits are per socket operation: `read_timeout` bounds one `recv`, so an
endpoint that accepts and never answers costs the read timeout times the attempts per call,
and one that drips a byte every two seconds never times out at all. Calls of a region run
one after another, so a silent endpoint stalled a whole run.

Here each API call (its retries included) gets a deadline covering the whole answer,
headers and body. A single watchdog thread holds the deadlines of the calls in flight;
when one passes, it shuts down that call's socket, which ends the blocked read at once,
and the call raises `CallDeadlineExceeded` (a `BotoCoreError`, not retried, and treated by
every probe as a failed call: `unknown` plus an error entry). The socket is found through
the connection class of the client's pools, which registers itself with the calling
thread's watch when it sends a request.

Two further limits keep one bad endpoint from costing the run:

* after a call to a (service, region) client hits its deadline, the later calls of that
  client fail at once (`CallDeadlineExceeded`, "skipped"): a silent service costs one
  deadline, not one per call;
* each account-region has a budget; once spent, calls in that region fail at once with
  `RegionBudgetExceeded`, so the rest of the run goes on.

The limits themselves live in `limits.py`, which imports nothing heavy: the CLI reads its
defaults for `--help` without importing botocore.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import (
    AWSHTTPConnection,
    AWSHTTPConnectionPool,
    AWSHTTPSConnection,
    AWSHTTPSConnectionPool,
)
from botocore.exceptions import BotoCoreError

from .limits import Limits, RegionClock


class CallDeadlineExceeded(BotoCoreError):
    """No complete answer within the call deadline (the endpoint is silent or dripping)."""

    fmt = "{service} {operation}: {detail}"


class RegionBudgetExceeded(BotoCoreError):
    """The account-region's time budget is spent; the call was not sent."""

    fmt = (
        "{service} {operation}: not sent, the region's budget of {seconds:g} s is spent "
        "(--region-budget)"
    )


# --- the watchdog ---------------------------------------------------------------------


class _Watch:
    """One attempt in flight: its connection (once known) and whether its time ran out."""

    def __init__(self) -> None:
        self.connection: Any = None
        self.fired = False
        self.done = False
        self._lock = threading.Lock()

    def attach(self, connection: Any) -> None:
        with self._lock:
            self.connection = connection
            fired = self.fired
        if fired:
            _shut(connection)

    def fire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.fired = True
            connection = self.connection
        if connection is not None:
            _shut(connection)

    def finish(self) -> None:
        with self._lock:
            self.done = True


def _shut(connection: Any) -> None:
    """End a blocked read on the connection's socket (the reader sees the end of stream)."""
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread firing the watches whose deadlines have passed."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Watch]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, when: float, watch: _Watch) -> None:
        with self._wake:
            heapq.heappush(self._heap, (when, next(self._counter), watch))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="blindspot-deadlines", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)  # finished in time: forget it
                if not self._heap:
                    self._wake.wait()
                    continue
                when, _, watch = self._heap[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
            watch.fire()


_WATCHDOG = _Watchdog()
_local = threading.local()


def _current_watch() -> _Watch | None:
    return getattr(_local, "watch", None)


class _WatchedConnectionMixin:
    """Registers the connection with the calling thread's watch as it sends a request."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        watch = _current_watch()
        if watch is not None:
            watch.attach(self)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedConnectionMixin, AWSHTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, AWSHTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(AWSHTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(AWSHTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


# --- per call and per region ----------------------------------------------------------


@dataclass
class _ClientState:
    limits: Limits
    clock: RegionClock
    stalled: str = ""


@dataclass(frozen=True)
class _Call:
    """A call in flight on this thread: its botocore context and when its time ends."""

    context: Any
    service: str
    operation: str
    ends: float
    by_budget: bool


def install_deadlines(client: Any, limits: Limits, clock: RegionClock) -> Any:
    """Give every call of `client` a whole-answer deadline within the region's budget."""
    if limits.call_timeout <= 0 and limits.region_budget <= 0:
        return client
    state = _ClientState(limits, clock)

    def before_call(model: Any, context: Any, **_: Any) -> None:
        service, operation = model.service_model.service_name, model.name
        if state.stalled:
            raise CallDeadlineExceeded(
                service=service, operation=operation, detail=f"skipped: {state.stalled}"
            )
        now = time.monotonic()
        region_ends = clock.ends()
        if now >= region_ends:
            raise RegionBudgetExceeded(
                service=service, operation=operation, seconds=limits.region_budget
            )
        call_ends = now + limits.call_timeout if limits.call_timeout > 0 else float("inf")
        ends = min(call_ends, region_ends)
        _stack().append(_Call(context, service, operation, ends, ends < call_ends))

    def after_call(context: Any, **_: Any) -> None:
        stack = _stack()
        for index in range(len(stack) - 1, -1, -1):
            if stack[index].context is context:
                del stack[index]
                break

    events = client.meta.events
    events.register("before-call.*.*", before_call, unique_id="blindspot-deadline-start")
    events.register("after-call.*.*", after_call, unique_id="blindspot-deadline-end")
    events.register("after-call-error.*.*", after_call, unique_id="blindspot-deadline-error")
    _watch_sends(client, state)
    return client


def _stack() -> list[_Call]:
    """The calls in flight on this thread, innermost last (credential refreshes nest)."""
    stack: list[_Call] | None = getattr(_local, "calls", None)
    if stack is None:
        stack = _local.calls = []
    return stack


def _watch_sends(client: Any, state: _ClientState) -> None:
    """Wrap the client's HTTP sender so that each attempt is watched until its deadline."""
    http_session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    pools = getattr(http_session, "_pool_classes_by_scheme", None)
    if http_session is None or not isinstance(pools, dict):
        return  # another botocore: whole-answer deadlines fall back to socket timeouts
    # The pool managers hold this same dict, so pools made from now on use these classes.
    pools["http"] = _WatchedHTTPConnectionPool
    pools["https"] = _WatchedHTTPSConnectionPool
    send: Callable[[Any], Any] = http_session.send

    def watched_send(request: Any) -> Any:
        stack = _stack()
        if not stack:
            return send(request)
        call = stack[-1]
        if time.monotonic() >= call.ends:
            raise _expired(state, call)
        watch = _Watch()
        _local.watch = watch
        _WATCHDOG.add(call.ends, watch)
        try:
            response = send(request)
        except Exception:
            if watch.fired:
                raise _expired(state, call) from None
            raise
        finally:
            watch.finish()
            _local.watch = None
        if watch.fired:
            # The socket was shut mid-body, and botocore 1.44+ reads with urllib3's
            # enforce_content_length off: the cut-short body comes back as if complete.
            raise _expired(state, call)
        return response

    http_session.send = watched_send


def _expired(state: _ClientState, call: _Call) -> BotoCoreError:
    if call.by_budget:
        return RegionBudgetExceeded(
            service=call.service, operation=call.operation, seconds=state.limits.region_budget
        )
    seconds = state.limits.call_timeout
    state.stalled = f"an earlier call got no complete answer within {seconds:g} s"
    return CallDeadlineExceeded(
        service=call.service,
        operation=call.operation,
        detail=f"no complete answer within {seconds:g} s (--call-timeout); later calls to "
        "this service in this region are skipped",
    )
