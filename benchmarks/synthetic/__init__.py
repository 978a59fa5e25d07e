"""A seeded synthetic snapshot of realistic shape, for benchmarks, tests and screenshots.

The real demo runs the collectors over moto; that is faithful but slow and small. This
generator makes snapshots of any size (10k, 100k, 1M resources) in seconds with the shape a
collection produces: accounts with their account and account-region pseudo-resources
(where CloudTrail, Config and GuardDuty live), VPCs with subnets, security groups, ENIs and
instances, load balancers, buckets, Lambda functions with their roles and log groups, RDS
instances; AWS Config's resource type names, ARNs and relationship names; coverage records
whose statuses are correlated the way real estates are (a VPC's flow logs decide its
subnets' and ENIs' network status, inherited with `inherited_from`), including `unknown`
statuses and the collection errors behind them.

Sizes match what the collectors write (measured on the collected demo organization): about
3.4 coverage records per resource, because every resource carries the management-event and
Config-recorder records inherited from its account-region, and evidence strings of about
100 characters naming the call, the field and the object that decided the status.

The same `seed` always gives the same snapshot (``generated_at`` included), so tests can
rely on it. Resources are built as plain dicts and validated once by pydantic-core, which
is several times faster than constructing models one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from snapshot.io import gc_paused
from snapshot.model import Snapshot

from .estate import MIX, REGIONS, RegionState
from .services import ServiceKinds

__all__ = ["REGIONS", "generate", "generate_document"]


class _Generator(ServiceKinds):
    """Every kind, and the loop that deals them out until the estate has its size."""

    def run(self) -> dict[str, Any]:
        states = [RegionState(a, r) for a in self.accounts for r in self.regions]
        self.states = {(st.account, st.region): st for st in states}
        for index, account in enumerate(self.accounts):
            self.account_resource(index, account)
        for st in states:
            self.region_resource(st.account, st.region, st)
        makers: dict[str, Callable[[RegionState], Any]] = {
            "vpc": self.make_vpc,
            "subnet": self.make_subnet,
            "security_group": self.make_security_group,
            "instance": self.make_instance,
            "volume": self.make_volume,
            "eni": self.make_eni,
            "load_balancer": self.make_load_balancer,
            "bucket": self.make_bucket,
            "role": self.make_role,
            "function": self.make_function,
            "log_group": self.make_log_group,
            "db": self.make_db,
        }
        kinds = [kind for kind, _ in MIX]
        weights = [share for _, share in MIX]
        target = self.n + self.pseudo_count
        # Each step makes one resource of a kind picked by weight in a round-robin region, and
        # occasionally the parents it needs (a first VPC or subnet) or a log group.
        step = 0
        while len(self.resources) < target:
            st = states[step % len(states)]
            kind = self.rng.choices(kinds, weights)[0]
            makers[kind](st)
            step += 1
        del self.resources[target:]
        kept = {resource["id"] for resource in self.resources}
        relationships = [
            r for r in self.relationships if r["source"] in kept and r["target"] in kept
        ]
        document = {
            "schema_version": 1,
            "generated_at": "2026-11-30T09:00:00Z",
            "tool": {"name": "blindspot", "version": "synthetic"},
            "scope": {
                "source": "demo",
                "regions": list(self.regions),
                "accounts": list(self.accounts),
            },
            "accounts": [
                {"id": a, "name": self.resources[i]["name"], "regions": list(self.regions)}
                for i, a in enumerate(self.accounts)
            ],
            "resources": self.resources,
            "relationships": relationships,
            "errors": self.errors,
        }
        return document


def generate_document(
    resources: int = 1000, accounts: int = 3, regions: int = 2, seed: int = 0
) -> dict[str, Any]:
    """The same snapshot as `generate`, as the plain JSON document (no models).

    For writing a very large snapshot straight to a file (`orjson.dumps`): at 1M resources
    the models and their `model_dump` would be two more copies of several GB each.
    """
    with gc_paused():
        return _Generator(resources, accounts, regions, seed).run()


def generate(resources: int = 1000, accounts: int = 3, regions: int = 2, seed: int = 0) -> Snapshot:
    """A synthetic snapshot of `resources` real resources (plus pseudo-resources).

    `accounts` accounts x `regions` regions (at most len(REGIONS)); besides the `resources`
    resources, every account gets an account pseudo-resource and every account-region a
    region pseudo-resource with the account-layer controls. Deterministic for a given seed.
    """
    with gc_paused():  # millions of small dicts and models; see snapshot.io.gc_paused
        return Snapshot.model_validate(_Generator(resources, accounts, regions, seed).run())
