"""A simulated network round trip for the collection benchmarks over in-process moto.

In process, moto answers in microseconds, so the worker pool would measure nothing but the
interpreter. A botocore `before-send` handler waits `LATENCY["seconds"]` before each request
leaves, like a round trip to AWS would, except for the requests moto's AWS Config
extension makes to itself (its server-side work, marked by the nested-account header).
`simulated_latency` sets that wait around the measured part of a step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Seconds each request waits; set around the measured part (`simulated_latency`), 0 elsewhere.
LATENCY = {"seconds": 0.0}
NESTED_HEADER = "x-moto-account-id"


def _sleep_before_send(request: Any = None, **_: Any) -> None:
    headers = getattr(request, "headers", None) or {}
    if LATENCY["seconds"] and NESTED_HEADER not in headers:
        time.sleep(LATENCY["seconds"])


def install_latency_hook() -> None:
    """Register the handler on every botocore session made from now on."""
    import botocore.handlers

    entry = ("before-send", _sleep_before_send)
    if entry not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.insert(0, entry)


@contextmanager
def simulated_latency(milliseconds: float) -> Iterator[None]:
    """Each request waits `milliseconds` inside the block; none waits after it, even on error."""
    LATENCY["seconds"] = milliseconds / 1000
    try:
        yield
    finally:
        LATENCY["seconds"] = 0.0
