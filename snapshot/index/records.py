"""Slotted records with the snapshot models' fields, decoded by msgspec.

A pydantic `Resource` with its coverage costs about 5 KB of Python objects; the same data
as msgspec structs without garbage-collector tracking, its repeated strings shared and its
empty lists as the empty tuple, costs a few hundred bytes, and msgspec decodes and type-checks
a batch of them in C. The record classes are generated from the pydantic models (field
names, types, defaults and properties such as `Resource.is_pseudo`), so that they read like
the models to every caller and a field added to a model is decoded here too. Lists become
tuples: the records are read, never edited.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any, Literal, Union

import msgspec
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from snapshot.model import Coverage, Expectation, Layer, Relationship, Resource, Status

_STRUCTS: dict[type[BaseModel], type[msgspec.Struct]] = {}


def _convert(annotation: Any) -> Any:
    """The msgspec type for a pydantic field annotation (`Any` for what it cannot say)."""
    if annotation in (str, int, float, bool, type(None)):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return struct_for(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        return Union[tuple(_convert(arg) for arg in args)]  # noqa: UP007
    if origin is list and args:
        return tuple[_convert(args[0]), ...]  # type: ignore[misc]
    if origin is dict and len(args) == 2:
        return dict[_convert(args[0]), _convert(args[1])]  # type: ignore[misc]
    if origin is Literal:
        return annotation
    return Any


def struct_for(
    model: type[BaseModel],
    only: tuple[str, ...] | None = None,
    nested: dict[str, Any] | None = None,
    suffix: str = "Record",
) -> type[msgspec.Struct]:
    """A msgspec Struct class with `model`'s fields (required ones first).

    `only` keeps some fields (the others are skipped by the decoder without being built);
    `nested` overrides the type of some fields. The full record of each model is cached.
    """
    cached = _STRUCTS.get(model) if only is None and nested is None else None
    if cached is not None:
        return cached
    required: list[tuple[str, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    for name, info in model.model_fields.items():
        if only is not None and name not in only:
            continue
        kind = nested[name] if nested and name in nested else _convert(info.annotation)
        if info.is_required():
            required.append((name, kind))
        elif info.default_factory is not None:
            factory = info.default_factory
            empty = factory()  # type: ignore[call-arg]
            default = () if isinstance(empty, list) else msgspec.field(default_factory=factory)  # type: ignore[arg-type]
            optional.append((name, kind, default))
        else:
            default = info.default
            optional.append((name, kind, None if default is PydanticUndefined else default))
    namespace: dict[str, Any] = {
        key: value
        for key, value in vars(model).items()
        if isinstance(value, property) and not key.startswith("_")
    }
    namespace["__doc__"] = f"A `{model.__name__}` read from a snapshot file (msgspec record)."
    struct = msgspec.defstruct(
        f"{model.__name__}{suffix}",
        [*required, *optional],
        namespace=namespace,
        gc=False,
        module=__name__,
    )
    if only is None and nested is None:
        _STRUCTS[model] = struct
    return struct


ResourceRecord = struct_for(Resource)
CoverageRecord = struct_for(Coverage)
RelationshipRecord = struct_for(Relationship)

#: What counting needs (the report): a coverage record's layer, status and expectation,
#: and a resource without its tags. The decoder skips the rest (evidence, notes, tags ...)
#: without building a string of it: at a million resources, 3.3 million coverage records
#: of three enum members each, nothing to share.
LeanCoverageRecord = struct_for(Coverage, only=("layer", "status", "expectation"), suffix="Summary")
LeanResourceRecord = struct_for(
    Resource,
    only=("id", "type", "account", "region", "name", "resource_id", "source", "coverage"),
    nested={"coverage": tuple[LeanCoverageRecord, ...]},  # type: ignore[valid-type]
    suffix="Summary",
)


class MatrixCoverageRecord(msgspec.Struct, frozen=True, gc=False):
    """What the coverage matrix reads of a coverage record.

    Literal strings rather than the enums: msgspec hands back the one string object of
    the type for each value, whose hash is computed once, so a resource's tuple of these
    (frozen, hence hashable) is a cheap key for counting resources with the same statuses
    together (an enum's `__hash__` runs in Python). A value the model does not know is
    refused here too.
    """

    layer: Literal[tuple(member.value for member in Layer)]  # type: ignore[valid-type]
    status: Literal[tuple(member.value for member in Status)]  # type: ignore[valid-type]
    expectation: Literal[tuple(member.value for member in Expectation)] = (  # type: ignore[valid-type]
        Coverage.model_fields["expectation"].default.value
    )


#: What the coverage matrix reads of a resource (the explorer's first pass).
MatrixResourceRecord = struct_for(
    Resource,
    only=("id", "type", "account", "region", "coverage"),
    nested={"coverage": tuple[MatrixCoverageRecord, ...]},
    suffix="Matrix",
)


class Interner:
    """One string object per distinct value of the fields that repeat.

    msgspec allocates a new string per value decoded; a million resources hold a few
    hundred distinct types, accounts and regions, and their 3.3 million coverage records a
    few thousand distinct controls, operations and evidence texts. Sharing them is what
    keeps the records small.
    """

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        #: Resource id -> the id string the resource holds (relationship ends share it).
        self.ids: dict[str, str] = {}

    def resources(self, records: list[Any], *, details: bool = True) -> None:
        # A plain loop: measured twice as fast as `map` over attrgetter/setattr here.
        share = self.strings.setdefault
        ids = self.ids.setdefault
        for record in records:
            record.id = ids(record.id, record.id)
            record.type = share(record.type, record.type)
            record.account = share(record.account, record.account)
            record.region = share(record.region, record.region)
            if record.source is not None:
                record.source = share(record.source, record.source)
            if not details:
                continue
            for item in record.coverage:
                item.control = share(item.control, item.control)
                item.evidence = share(item.evidence, item.evidence)
                if item.operation is not None:
                    item.operation = share(item.operation, item.operation)
                if item.destination is not None:
                    item.destination = share(item.destination, item.destination)
                if item.inherited_from is not None:
                    item.inherited_from = share(item.inherited_from, item.inherited_from)

    def relationships(self, records: list[Any]) -> None:
        # The ends become the resources' own id strings (ids.get: an end that is not a
        # resource keeps its own), the name and raw text shared like the resource fields.
        share = self.strings.setdefault
        ids = self.ids.get
        for record in records:
            ends = record.source, record.target
            record.source, record.target = ids(ends[0], ends[0]), ids(ends[1], ends[1])
            record.name = share(record.name, record.name)
            if record.raw is not None:
                record.raw = share(record.raw, record.raw)
