"""`open_snapshot`: a snapshot file streamed into compact records, one batch at a time.

What it returns is a `Snapshot` whose small parts (scope, accounts, errors, tool ...) are the
pydantic models, validated as `load_snapshot` validates them, and whose `resources` and
`relationships` are lists of msgspec records with the same fields (`records`): read-only
data for the graph, the report and the explorer, not for writing back (use `load_snapshot`
for that). Every problem a file can have is the same one-line `SnapshotError` as there.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Protocol, cast

import msgspec
from pydantic import Field, TypeAdapter, ValidationError

from snapshot.index.records import (
    Interner,
    LeanResourceRecord,
    MatrixResourceRecord,
    RelationshipRecord,
    ResourceRecord,
)
from snapshot.index.scan import ScanError, Scanner
from snapshot.index.source import BoundedSource, Digest, SourceError, SuspectBomb
from snapshot.model import Relationship, Resource, Snapshot
from snapshot.sanitize import clean_json_text, clean_single_line

#: Top-level arrays decoded into records, with the bytes between two of their elements as
#: blindspot writes them (the batch-cutting hint).
RECORD_ARRAYS = {"resources": b'},{"id":', "relationships": b'},{"source":'}


class ReadError(Exception):
    """A problem with the file; `str()` is one line, the caller prefixes the file name."""


def _text(data: bytes, offset: int) -> str:
    """UTF-8 text with control characters neutralised, as `parse_snapshot` does."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {max(0, offset + exc.start - 1)})") from None
    return clean_json_text(text)


def _invalid(exc: Exception) -> str:
    """`not valid JSON (reason)`, asking "truncated?" only when the data ended early."""
    reason = clean_single_line(str(exc))[:300]
    ended = "truncated" in reason or "found the end" in reason
    return f"not valid JSON ({reason})" + ("; truncated?" if ended else "")


def _location(path: str) -> str:
    """msgspec's `$[3].coverage[0].layer` as pydantic's `3.coverage.0.layer`."""
    return path.removeprefix("$").replace("[", ".").replace("]", "").strip(".")


#: How records are built: `records` (msgspec records, every field), `lean` (msgspec
#: records of what counting reads), `models` (the pydantic models, for `load_snapshot`) or
#: `matrix` (what the coverage matrix reads, handed batch by batch to a `fold` and not
#: kept; nothing else is checked: the explorer's first pass, see `snapshot.index.matrix`).
MODES = ("records", "lean", "models", "matrix")


def _where(key: str, location: str, first: int) -> str:
    """`resources.1234.coverage.0` from a batch-relative location `34.coverage.0`."""
    head, _, rest = location.partition(".")
    if head.isdigit():
        location = f"{int(head) + first}" + (f".{rest}" if rest else "")
    return clean_single_line(f"{key}.{location}" if location else key)[:200]


class _Records:
    """Decodes one top-level array's batches into records, shared strings and all."""

    def __init__(self, key: str, reader: _Reader) -> None:
        self.key = key
        # A weak reference: the reader holds this object, and a cycle between them would
        # outlive the load (everything built is frozen out of the collector's reach).
        self.reader: _Reader = cast("_Reader", weakref.proxy(reader))
        self.items: list[Any] = []
        self.models: TypeAdapter[list[Any]] | None = None
        self.validate: Callable[[str], object] | None = None
        self.share: Callable[[list[Any]], None] | None = None
        self.keep: Callable[[list[Any]], None] = self.items.extend
        kind: Any
        if reader.mode == "models":
            model: Any = Resource if key == "resources" else Relationship
            # Stop at the first bad element, as the Snapshot model's lists do: collecting
            # a million errors for a million bad elements took 1.4 GB for a 1 MiB file.
            self.models = TypeAdapter(Annotated[list[model], Field(fail_fast=True)])
            kind = Any
        elif reader.mode == "matrix":
            kind = MatrixResourceRecord
            self.keep = reader.fold
        elif key == "relationships":
            kind = RelationshipRecord
            self.share = reader.interner.relationships
        else:
            lean = reader.mode == "lean"
            kind = LeanResourceRecord if lean else ResourceRecord
            self.share = partial(reader.interner.resources, details=not lean)
            if lean:
                # Lean records skip fields; the full decoder still checks them (its result
                # is dropped at once), so that a file is refused by every command alike.
                full: Any = ResourceRecord
                self.validate = msgspec.json.Decoder(list[full]).decode
        self.decode = msgspec.json.Decoder(list[kind]).decode

    def __call__(self, batch: bytes, first: int) -> int:
        self.reader.scanner.source.check_bomb()
        if self.reader.problem is not None:  # keep reading for schema_version, keep nothing
            return len(_DECODE_LIST(batch))
        text = _text(batch, self.reader.scanner.offset())
        try:
            if self.validate is not None:
                self.validate(text)
            records = self.decode(text)
            if self.models is not None:
                records = self.models.validate_python(records)
        except msgspec.ValidationError as exc:
            message, _, path = str(exc).rpartition(" - at `")
            if not message:
                message, path = path, ""
            where = _where(self.key, _location(path.rstrip("`")), first)
            self.reader.problem = f"{where}: {clean_single_line(message)[:200]}"
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            location = ".".join(str(part) for part in error.get("loc", ()))
            message = clean_single_line(str(error.get("msg", "invalid")))[:200]
            self.reader.problem = f"{_where(self.key, location, first)}: {message}"
        else:
            if self.share is not None:
                self.share(records)
            self.keep(records)
            return len(records)
        # Only trusted as the file's error if the batch is whole JSON (see scan).
        return len(_DECODE_LIST(batch))


class Fold(Protocol):
    """Where `matrix` mode hands each batch of records; `start` begins every pass (a file
    read again from the start, its size counted first, is folded again from nothing)."""

    def start(self) -> None: ...

    def __call__(self, records: list[Any]) -> None: ...


class _Reader:
    def __init__(self, source: BoundedSource, mode: str, fold: Fold | None = None) -> None:
        self.mode = mode
        self.fold: Callable[[list[Any]], None] = fold or (lambda records: None)
        if fold is not None:
            fold.start()
        self.scanner = Scanner(source)
        self.interner = Interner()
        self.problem: str | None = None  # the first record that does not validate
        self.small: dict[str, Any] = {}
        self.arrays: dict[str, _Records] = {}

    def read(self) -> None:
        scanner = self.scanner
        first = scanner.peek()
        if not first:
            raise ReadError("empty file")
        if first != b"{":
            try:
                scanner.take_value()
            except ScanError as exc:
                raise ReadError(_invalid(exc)) from None
            raise ReadError("not a blindspot snapshot (top level is not an object)")
        try:
            self._members()
        except ScanError as exc:
            raise ReadError(_invalid(exc)) from None

    def _members(self) -> None:
        scanner = self.scanner
        scanner.expect(b"{")
        if scanner.peek() == b"}":
            scanner.pos += 1
        else:
            while True:
                key = self._key()
                scanner.expect(b":")
                self._value(key)
                following = scanner.peek()
                if following == b"}":
                    scanner.pos += 1
                    break
                scanner.expect(b",")
        if scanner.peek():
            raise ScanError(f"trailing data at byte {scanner.offset()}")

    def _key(self) -> str:
        offset = self.scanner.offset()
        if self.scanner.peek() != b'"':
            self.scanner.expect(b'"')
        raw = self.scanner.take_value()
        try:
            return str(msgspec.json.decode(_text(raw, offset), type=str))
        except msgspec.DecodeError as exc:
            raise ScanError(f"{exc} (at byte {offset})") from None

    def _value(self, key: str) -> None:
        scanner = self.scanner
        is_array = scanner.peek() == b"["
        if self.mode == "matrix" and key == "relationships" and is_array:
            # Not read by the matrix: walked in batches cut as the writer writes them, each
            # checked as one JSON value (no element built, not even counted).
            self.small[key] = []
            scanner.read_array(_skip, RECORD_ARRAYS[key])
            return
        if key in RECORD_ARRAYS and is_array:
            records = self.arrays[key] = _Records(key, self)
            self.small.pop(key, None)
            scanner.read_array(records, RECORD_ARRAYS[key])
            return
        self.arrays.pop(key, None)
        if is_array and key not in ("accounts", "errors"):
            # An array no one reads: walked, not kept (it may be as big as the file).
            scanner.read_array(lambda batch, _: len(_DECODE_LIST(batch)), None)
            self.small[key] = []
            return
        offset = scanner.offset()
        raw = scanner.take_value()
        try:
            self.small[key] = msgspec.json.decode(_text(raw, offset))
        except msgspec.DecodeError as exc:
            raise ScanError(f"{exc} (at byte {offset})") from None


_DECODE_LIST = msgspec.json.Decoder(list[msgspec.Raw]).decode
_DECODE_RAW = msgspec.json.Decoder(msgspec.Raw).decode


def _skip(batch: bytes, first: int) -> int:
    """A batch checked as JSON and dropped (its elements neither built nor counted)."""
    _DECODE_RAW(batch)
    return 0


def read_snapshot(
    path: Path,
    *,
    check_version: Any,
    describe: Any,
    mode: str = "records",
    digest: Digest | None = None,
    fold: Fold | None = None,
) -> Snapshot:
    """Stream `path` into a Snapshot (see the module docstring and `MODES`).

    `check_version(document, name)` and `describe(ValidationError)` are `snapshot.io`'s, so
    that both readers word their errors alike. `digest` is fed the content as it is read;
    `fold` is handed each batch of records in `matrix` mode.
    """
    name = str(path)
    check_first = False
    while True:
        try:
            reader = _read(path, mode, check_first, digest, fold)
        except SuspectBomb:
            check_first = True  # read again, its size counted first
            continue
        except SourceError as exc:
            raise ReadError(str(exc).removeprefix(f"{name}: ")) from None
        break
    check_version(reader.small, name)
    try:
        snapshot = Snapshot.model_validate(reader.small)
    except ValidationError as exc:
        raise ReadError(describe(exc)) from None
    except RecursionError:
        raise ReadError("not a blindspot snapshot (nested too deeply)") from None
    if reader.problem is not None:
        raise ReadError(f"not a blindspot snapshot: {reader.problem}")
    for key, records in reader.arrays.items():
        setattr(snapshot, key, records.items)
    return snapshot


def _read(
    path: Path,
    mode: str,
    check_first: bool,
    digest: Digest | None,
    fold: Fold | None,
) -> _Reader:
    """One pass over the file (its size counted first when `check_first`)."""
    with BoundedSource(path, digest=digest) as source:
        reader = _Reader(source, mode, fold)
        try:
            if check_first or not source.compressed:
                source.check_size()
            reader.read()
        except RecursionError:
            raise ReadError("not a blindspot snapshot (nested too deeply)") from None
        except MemoryError:
            raise ReadError("not enough memory to read it") from None
        return reader
