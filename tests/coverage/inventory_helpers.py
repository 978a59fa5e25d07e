"""Building probe inputs from moto: a region's inventory, a probe context, denied calls."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from collectors.aws.session import AwsContext
from collectors.coverage.base import Probe, ProbeContext
from collectors.coverage.runner import ensure_pseudo_resources
from collectors.inventory.api import API_TYPES, ApiSource
from collectors.inventory.base import RegionInventory
from snapshot.model import Coverage, region_node_id

ACCOUNT = "123456789012"


def inventory_from_moto(
    session: boto3.Session,
    account: str = ACCOUNT,
    region: str = "us-east-1",
    *,
    types: tuple[str, ...] = (),
) -> RegionInventory:
    """The inventory of one moto account-region, with its pseudo-resources.

    Built by the real direct-API source, so probes are tested on the inventory they get in
    production. `types` limits it to some AWS Config types (faster; default all).
    """
    aws = AwsContext(session, account=account)
    skip = API_TYPES - set(types) if types else frozenset()
    inventory = ApiSource(aws, regions=[region]).collect_region(account, region, skip_types=skip)
    ensure_pseudo_resources(inventory)
    return inventory


def run_probes(
    session: boto3.Session,
    inventory: RegionInventory,
    *probes: Probe,
    aws: AwsContext | None = None,
) -> ProbeContext:
    """Run probes on an inventory through a guarded AwsContext; returns the context."""
    ctx = ProbeContext(
        aws if aws is not None else AwsContext(session, account=inventory.account),
        inventory.account,
        inventory.region,
        inventory,
    )
    for probe in probes:
        probe(ctx)
    return ctx


def records(ctx: ProbeContext, resource_id: str, control: str) -> list[Coverage]:
    return [c for c in ctx.coverage.get(resource_id, []) if c.control == control]


def one(ctx: ProbeContext, resource_id: str, control: str) -> Coverage:
    """The single record of a control on a resource (fails if none or several)."""
    found = records(ctx, resource_id, control)
    assert len(found) == 1, f"{control} on {resource_id}: {found}"
    return found[0]


def region_id(account: str = ACCOUNT, region: str = "us-east-1") -> str:
    return region_node_id(account, region)


@contextlib.contextmanager
def denied(
    aws: AwsContext,
    service: str,
    operation: str,
    region: str = "us-east-1",
    code: str = "AccessDenied",
) -> Iterator[None]:
    """Make one operation of one guarded client fail as AWS does when a policy denies it."""
    client = aws.client(service, region)

    def refuse(model: Any, **_: Any) -> None:
        if model.name == operation:
            raise ClientError(
                {"Error": {"Code": code, "Message": f"not authorized to perform {operation}"}},
                operation,
            )

    client.meta.events.register(f"before-call.*.{operation}", refuse, unique_id="test-deny")
    try:
        yield
    finally:
        client.meta.events.unregister(f"before-call.*.{operation}", unique_id="test-deny")
