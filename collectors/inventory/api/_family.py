"""What the service families share: one paginated listing, and a resource per answer.

Kept apart from `_common` (the region context and the AWS plumbing): these are the two
steps most families are written with, in the one way they all take them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._common import ApiRegion, paginate, tags_from, to_config_shape


def each_listed(
    ctx: ApiRegion,
    service: str,
    listing: tuple[str, str, str],
    type_: str,
    handle: Callable[[Any, Any], None],
) -> None:
    """`handle(client, item)` for each item of a paginated listing of `type_`.

    `listing` is (the operation as AWS names it, boto3's method, the answer's list key).
    Everything runs inside `ctx.listing`: a failure anywhere is recorded and ends the
    listing, leaving the type uncovered.
    """
    operation, method, key = listing
    client = ctx.client(service)
    with ctx.listing(service, operation, type_):
        for item in paginate(client, method, key):
            handle(client, item)


def add_described(
    ctx: ApiRegion,
    type_: str,
    id_: str,
    described: dict[str, Any],
    name_key: str,
    *,
    id_key: str | None = None,
    tags_key: str | None = None,
    region: str | None = None,
) -> None:
    """One resource from its Describe/List answer, as AWS Config records it.

    Named `described[name_key]`; its resource id is `described[id_key]` when the answer
    holds one, else the name; tagged from `described[tags_key]`; the whole answer is its
    configuration.
    """
    name = described[name_key]
    ctx.add(
        type_,
        id_,
        resource_id=(described.get(id_key) if id_key else None) or name,
        name=name,
        tags=tags_from(described.get(tags_key)) if tags_key else None,
        configuration=to_config_shape(described),
        region=region,
    )
