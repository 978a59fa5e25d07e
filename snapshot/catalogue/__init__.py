"""The coverage catalogue: every control blindspot evaluates, as data.

Each layer's controls are one table in `catalogue/<layer>.toml`, one `[[control]]` row a
control with the fields of `Control`, readable top to bottom (`across.toml` holds the rows
about the log stores themselves, filed under `account`). A file may name lists several of
its rows share in a `[sets]` table; a row's list field given as a string names one of them.
`CATALOGUE` joins the files in layer order and `blindspot controls` prints it. Probes look
their controls up here by id, so titles, remediation and queries live in exactly one place.

The files are checked when this module is imported: an unknown or missing field, a value of
the wrong type, an unknown layer or expectation, an unknown set or an id used twice raises
`CatalogueError` naming the file and the control.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any, get_origin, get_type_hints

from pydantic import ConfigDict, TypeAdapter, ValidationError

from snapshot.model import Expectation, Layer

#: In `resource_types`: the control is also copied onto every resource of the region,
#: whatever its type (inherited from the region pseudo-resource).
ANY_RESOURCE = "*"

#: The data files (`<name>.toml` in this package), in the order `CATALOGUE` lists their rows.
FILES = ("account", "host", "database", "network", "access", "serverless", "across")


@dataclass(frozen=True, slots=True)
class Control:
    id: str  # stable id used in snapshots, e.g. "vpc-flow-logs"
    layer: Layer
    title: str
    resource_types: tuple[str, ...]  # AWS Config type names the control applies to
    expectation: Expectation
    evaluated_by: str  # "ec2:DescribeFlowLogs FlowLogs[].ResourceId/TrafficType"
    logs_land_in: str  # where the logs go, e.g. "CloudWatch Logs group or S3 bucket"
    remediation: str  # the AWS CLI command that turns it on
    first_query: str  # one first-response query (Athena SQL or Logs Insights)
    attack_data_components: tuple[str, ...] = field(default=())  # MITRE ATT&CK
    partial_when: str = ""  # what makes it `partial` rather than `logged`
    #: The configuration-item fields that decide it ("" = AWS Config does not record it).
    item_fields: str = ""
    #: The call that fills what the item lacks: the direct-API source makes it, a Config
    #: source needs it only where the item does not hold the setting, and a run with no
    #: credential for the account records `unknown` naming it.
    fill_call: str = ""

    # A field the dataclass does not have is an error, not ignored (pydantic reads this).
    __pydantic_config__ = ConfigDict(extra="forbid")


class CatalogueError(ValueError):
    """A catalogue file that does not hold valid controls; the message names file and control."""


_CONTROL: TypeAdapter[Control] = TypeAdapter(Control)
_SETS: TypeAdapter[dict[str, tuple[str, ...]]] = TypeAdapter(dict[str, tuple[str, ...]])
#: The fields that hold lists (a row may name a set for them instead).
_LIST_FIELDS = frozenset(
    name for name, hint in get_type_hints(Control).items() if get_origin(hint) is tuple
)
_FIELDS = frozenset(f.name for f in fields(Control))


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'row'}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    )


def _row(source: str, number: int, row: Any, sets: dict[str, tuple[str, ...]]) -> Control:
    if not isinstance(row, dict):
        raise CatalogueError(f"{source}: control #{number} is not a table")
    control_id = row.get("id")
    name = repr(control_id) if isinstance(control_id, str) else f"#{number}"
    where = f"{source}: control {name}"
    values = dict(row)
    for name in _LIST_FIELDS & values.keys():
        if isinstance(values[name], str):
            if values[name] not in sets:
                known = ", ".join(sorted(sets)) or "none"
                raise CatalogueError(
                    f"{where}: {name}: {values[name]!r} names no set of this file "
                    f"(sets: {known}); give a list"
                )
            values[name] = sets[values[name]]
    try:
        return _CONTROL.validate_python(values)
    except ValidationError as error:
        raise CatalogueError(f"{where}: {_problems(error)}") from None


def load(sources: Iterable[tuple[str, str]]) -> tuple[Control, ...]:
    """The controls of (file name, TOML text) pairs, in order; `CatalogueError` if one is bad."""
    rows: list[Control] = []
    first_seen: dict[str, str] = {}
    for source, text in sources:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise CatalogueError(f"{source}: not valid TOML: {error}") from None
        unknown = sorted(document.keys() - {"control", "sets"})
        if unknown:
            raise CatalogueError(
                f"{source}: unknown top-level key {', '.join(unknown)} (expected [[control]] "
                "rows and an optional [sets] table)"
            )
        try:
            sets = _SETS.validate_python(document.get("sets", {}))
        except ValidationError as error:
            raise CatalogueError(f"{source}: [sets]: {_problems(error)}") from None
        table = document.get("control")
        if not isinstance(table, list) or not table:
            raise CatalogueError(f"{source}: no [[control]] rows")
        for number, row in enumerate(table, start=1):
            control = _row(source, number, row, sets)
            if control.id in first_seen:
                raise CatalogueError(
                    f"{source}: control {control.id!r}: id already used in {first_seen[control.id]}"
                )
            first_seen[control.id] = source
            rows.append(control)
    return tuple(rows)


def _package_files() -> Iterable[tuple[str, str]]:
    package = resources.files(__name__)
    for name in FILES:
        yield f"{name}.toml", package.joinpath(f"{name}.toml").read_text(encoding="utf-8")


CATALOGUE: tuple[Control, ...] = load(_package_files())
CONTROLS_BY_ID: dict[str, Control] = {control.id: control for control in CATALOGUE}


def control(control_id: str) -> Control:
    """The catalogue row for a control id (KeyError names the id)."""
    return CONTROLS_BY_ID[control_id]
