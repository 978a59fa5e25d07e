"""One way to turn the result records (incident plans, diffs) into their JSON dictionaries."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import fields
from typing import Any


def field_dict(record: Any, *, leave: Container[str] = (), **values: object) -> dict[str, object]:
    """A dataclass's fields by name, in declaration order, their values as they are.

    `values` replace a field's value where the field stands, or come after the fields;
    the fields in `leave` are left out (to place a value of that name after new ones).
    """
    out: dict[str, object] = {
        f.name: getattr(record, f.name) for f in fields(record) if f.name not in leave
    }
    out.update(values)
    return out
