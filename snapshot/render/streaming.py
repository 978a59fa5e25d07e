"""JSON written in pieces: indented like `json.dumps(value, indent=2)`, one record a line.

Machine formats keep every value whole (an id of a megabyte stays a megabyte), so what is
bounded is memory, not size: a trace of a hub with a million edges, or a diff with a
million control changes, is written one element at a time instead of being built as one
list of dicts and then one string (a 1M-edge trace JSON peaked above 2.4 GB that way).

Dicts are walked key by key; any list or iterator is streamed element by element (each
element dumped whole, on one line: elements are small records), so a caller passes
generators for the long parts and never materialises them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def _dump(value: Any) -> str:
    """One element on one line: json's C encoder (`indent` would force its Python one, 2x
    slower over a million edges)."""
    return json.dumps(value, separators=(", ", ": "))


def iter_json(value: Any, level: int = 0) -> Iterator[str]:
    """`value` as indent-2 JSON text in pieces (no trailing newline)."""
    pad = "  " * (level + 1)
    closing = "  " * level
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        yield "{\n"
        last = len(value) - 1
        for index, (key, item) in enumerate(value.items()):
            yield pad + json.dumps(key) + ": "
            yield from iter_json(item, level + 1)
            yield ",\n" if index < last else "\n"
        yield closing + "}"
    elif isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        first = True
        for element in value:
            yield ("[\n" if first else ",\n") + pad + _dump(element)
            first = False
        yield "[]" if first else "\n" + closing + "]"
    else:
        yield json.dumps(value)


def iter_json_document(value: Any) -> Iterator[str]:
    """A whole document: `iter_json` and the final newline."""
    yield from iter_json(value)
    yield "\n"
