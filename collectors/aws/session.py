"""boto3 sessions for collection: read-only by construction, adaptive retries, call records.

Every client blindspot makes comes from `AwsContext.client`, so three properties hold for
all of them:

* **read-only**: a `before-call` hook refuses, before anything is sent, any operation whose
  name is not a read (Describe/List/Get/Select/Lookup/BatchGet/...). A bug or a hostile
  plug-in cannot make blindspot change an account.
* **retries**: botocore's `adaptive` retry mode (client-side rate limiting on throttles),
  unless the user set `AWS_RETRY_MODE` / `AWS_MAX_ATTEMPTS`, which are honoured.
* **accounting**: each operation is counted (service, operation), which the IAM-policy test
  and the API-calls-per-resource benchmark read.
* **real answers only**: a 200 whose body cannot be the operation's answer (empty, HTML,
  cut short) raises `MalformedResponseError` (`answers.py`).
* **deadlines**: each call must be answered whole within `--call-timeout`, each
  account-region within `--region-budget` (`deadlines.py`).
* **memory**: only the most recently used accounts keep their clients (`RecentContexts`).
* **concurrency**: at most `BLINDSPOT_SERVICE_CONCURRENCY` (4) calls in flight to one
  service of one account, across its regions and the workers (`concurrency.py`).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from snapshot.sanitize import register_secret
from snapshot.settings import env_number

from .answers import install_answer_check
from .concurrency import ServiceLimiter, limit_client, shared_limiter
from .deadlines import install_deadlines
from .limits import Limits, RegionClock, current_limits

#: Operation-name prefixes that only read. Compared against botocore's operation names
#: (PascalCase, e.g. DescribeInstances), never against user input.
READ_PREFIXES: tuple[str, ...] = (
    "Describe",
    "List",
    "Get",
    "Select",
    "Lookup",
    "BatchGet",
    "Search",
    "Head",
)

#: Reads that do not follow the prefix convention.
READ_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("sts", "AssumeRole"),  # needed to read member accounts; grants nothing new
    }
)

_READ_RE = re.compile(r"^(?:" + "|".join(READ_PREFIXES) + r")[A-Z]")


class WriteRefused(RuntimeError):
    """An operation that is not a read was about to be sent; blindspot never writes."""


def is_read_operation(service: str, operation: str) -> bool:
    return bool(_READ_RE.match(operation)) or (service, operation) in READ_EXCEPTIONS


@dataclass
class CallLog:
    """Thread-safe count of the operations sent, by (IAM service prefix, operation)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, service: str, operation: str) -> None:
        with self.lock:
            self.counts[(service, operation)] += 1

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    def actions(self) -> set[str]:
        """IAM action names (`ec2:DescribeInstances`) of every operation recorded."""
        with self.lock:
            return {f"{service}:{operation}" for service, operation in self.counts}


def _service_prefix(model: Any) -> str:
    """The IAM prefix of a botocore operation model's service (`signingName` where set)."""
    metadata = model.service_model.metadata
    return (
        metadata.get("signingName")
        or metadata.get("endpointPrefix")
        or model.service_model.service_name
    )


def install_read_only_guard(client: Any, call_log: CallLog | None = None) -> Any:
    """Register the read-only guard (and the call log) on a boto3 client; returns it."""

    def guard(model: Any, params: Any, request_signer: Any = None, **_: Any) -> None:
        service = _service_prefix(model)
        if not is_read_operation(service, model.name):
            raise WriteRefused(
                f"blindspot is read-only: refused {service}:{model.name} before sending it"
            )
        if call_log is not None:
            call_log.record(service, model.name)

    client.meta.events.register("before-call.*.*", guard, unique_id="blindspot-read-only-guard")
    return client


def retry_config(max_pool_connections: int = 20) -> Config:
    """Adaptive retries unless the user chose a mode or an attempt count in the environment."""
    retries: dict[str, Any] = {"mode": os.environ.get("AWS_RETRY_MODE", "adaptive")}
    if "AWS_MAX_ATTEMPTS" in os.environ:
        with contextlib.suppress(ValueError):
            retries["total_max_attempts"] = int(os.environ["AWS_MAX_ATTEMPTS"])
    else:
        retries["total_max_attempts"] = 6
    return Config(
        retries=retries,
        max_pool_connections=max_pool_connections,
        connect_timeout=env_number("BLINDSPOT_CONNECT_TIMEOUT", 10, minimum=0.1),
        read_timeout=env_number("BLINDSPOT_READ_TIMEOUT", 60, minimum=0.1),
        user_agent_appid="blindspot",
    )


#: Accounts whose clients are kept (the most recently used ones), see `RecentContexts`.
KEPT_CONTEXTS = 64


class RecentContexts:
    """The `AwsContext`s that last made or fetched a client; the others drop their clients.

    botocore builds a new client class for every client (a method and a docstring object
    per operation), about 0.4 MB a client whatever the session: an account's twenty-odd
    services cost about 8 MB, and an organization run kept every account's clients to the
    end (8 GB at a thousand accounts). Workers only use a few accounts at a time, so the
    clients of an account that is no longer among the `size` most recent are dropped, and
    made again if it is used again. A call in flight keeps its own client alive; what a
    dropped client forgets is its adaptive retry rate and its "stalled" mark (see
    `deadlines.py`), which only matter while the account-region is being collected.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._order: OrderedDict[AwsContext, None] = OrderedDict()
        self._lock = threading.Lock()

    def touch(self, context: AwsContext) -> None:
        with self._lock:
            if context in self._order:
                self._order.move_to_end(context)
                return
            self._order[context] = None
            victims = []
            while len(self._order) > self.size:
                victims.append(self._order.popitem(last=False)[0])
        for victim in victims:  # outside the lock: a victim's own lock is never nested in it
            victim.drop_clients()


_RECENT = RecentContexts(KEPT_CONTEXTS)


class AwsContext:
    """One account's credentials: makes guarded, retrying, counted clients per region.

    boto3 sessions are not thread-safe to create clients from concurrently, so client
    creation is serialised with a lock and clients are cached per (service, region);
    clients themselves are thread-safe.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        account: str | None = None,
        call_log: CallLog | None = None,
        config: Config | None = None,
        limits: Limits | None = None,
        limiter: ServiceLimiter | None = None,
        recent: RecentContexts | None = None,
    ) -> None:
        self.session = session
        self.account = account
        self.call_log = call_log if call_log is not None else CallLog()
        self.config = config or retry_config()
        self.limits = limits if limits is not None else current_limits()
        self.limiter = limiter if limiter is not None else shared_limiter()
        self._recent = recent if recent is not None else _RECENT
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._clocks: dict[str | None, RegionClock] = {}
        self._lock = threading.Lock()
        self._secrets_registered = False

    def _register_secrets(self) -> None:
        """Have every stored or shown message redact this account's secret values.

        An endpoint that echoes request headers would otherwise put the session token into
        the snapshot's `errors`; the exact values are caught whatever their form.
        """
        if self._secrets_registered:
            return
        self._secrets_registered = True
        try:
            credentials = self.session.get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials else None
        except Exception:  # no credentials yet: the call itself will say so
            return
        if frozen is not None:
            register_secret(frozen.secret_key)
            register_secret(frozen.token)

    def _limit_key(self, service: str) -> Any:
        """The limiter's key of a `service` client's calls: (account id, service), per call.

        The caller's own context learns its account id from its first call; until then
        its calls count against this context alone.
        """
        anonymous = f"context-{id(self)}"
        return lambda: (self.account or anonymous, service)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self.session.client(service, region_name=region, config=self.config)
                install_read_only_guard(client, self.call_log)
                install_answer_check(client)
                clock = self._clocks.setdefault(region, RegionClock(self.limits.region_budget))
                install_deadlines(client, self.limits, clock)
                limit_client(client, self.limiter, self._limit_key(service))
                self._register_secrets()
                self._clients[key] = client
        self._recent.touch(self)
        return client

    def drop_clients(self) -> None:
        """Forget the cached clients (made again on next use); the region clocks stay."""
        with self._lock:
            self._clients.clear()
