"""Reads several probe modules make the same way (recording is in `..records`)."""

from __future__ import annotations

from typing import Any

from ...inventory.api._common import paginate


def list_all(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under `key` of every page of a paginated read, as one list.

    Probes read a whole listing before deciding, so a failed page raises here, inside the
    probe's `try`, before any resource is recorded.
    """
    return list(paginate(client, operation, key, **kwargs))
