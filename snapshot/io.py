"""Reading and writing snapshot files (`.json` or `.json.gz`).

Reads are defensive because snapshot files travel between machines: every failure a file
can cause (missing, truncated gzip, not UTF-8, not JSON, too deep, wrong shape, a newer
schema) becomes one `SnapshotError` with a one-line message, which the command line prints
and exits 2 on. Writes are atomic (temporary file in the same folder, fsync, rename) so an
interrupted collection never leaves half a snapshot behind.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import os
import tempfile
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from snapshot import __version__
from snapshot.index.reader import ReadError, read_snapshot
from snapshot.index.source import Digest
from snapshot.model import SCHEMA_VERSION, Snapshot
from snapshot.sanitize import clean_json_text, clean_single_line

if TYPE_CHECKING:
    from snapshot.index.matrix import Preview


@contextlib.contextmanager
def gc_paused(*, keep: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Parsing and validating a 100k-resource snapshot allocates millions of container objects,
    and every allocation threshold crossed triggers a collection that walks them; that cost
    grows with the snapshot (measured at 100k resources: orjson's parse took 3.5 s with the
    collector running and 1.2 s without). Nothing built here forms cycles that need
    collecting, so the collector is resumed (and not forced) afterwards.

    `keep=True` is for data that lives as long as the process (a loaded snapshot, its
    graph): the objects are moved to the collector's permanent generation (`gc.freeze`), so
    later full collections no longer walk them. Without it, the first full collection after
    a load walks ~2.4 million objects (3.8 s measured at 100k resources) and lands in
    whatever runs next: a 2 ms trace took 4.6 s. Frozen objects are still freed by
    reference counting when dropped; only cycles among them (or among whatever else
    existed at that moment, since `gc.freeze` takes every tracked object) would stay: a
    bounded cost, once per snapshot loaded, against seconds of pause.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if keep:
            gc.freeze()
        if was_enabled:
            gc.enable()


class SnapshotError(Exception):
    """A snapshot file that cannot be used; `str(error)` is one line for the user."""


def _describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    # The location holds keys from the file itself: one line, no control characters.
    where = clean_single_line(".".join(str(part) for part in first.get("loc", ())))[:200]
    message = clean_single_line(str(first.get("msg", "invalid")))[:200]
    more = " (and more problems)" if exc.error_count() > 1 else ""
    return f"not a blindspot snapshot: {where or 'document'}: {message}{more}"


def check_version(document: dict[str, Any], name: str) -> None:
    """A newer schema is named as such; a missing or wrong one is not a snapshot."""
    version = document.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise SnapshotError(
            f"{name}: schema_version {version} is newer than this blindspot understands "
            f"({SCHEMA_VERSION}); upgrade blindspot"
        )
    if version != SCHEMA_VERSION:
        raise SnapshotError(
            f"{name}: not a blindspot snapshot (schema_version is {version!r}, "
            f"expected {SCHEMA_VERSION})"
        )


def parse_snapshot(data: bytes | bytearray | str, *, name: str = "snapshot") -> Snapshot:
    """Validate snapshot bytes into models, with control characters neutralised.

    Each stage drops the previous one's buffer as soon as it is done with it (`del`):
    the bytes once decoded, the text once parsed. Called as `parse_snapshot(read())`, the
    caller holds no other reference, so at 100k resources the file's bytes and text (177 MB
    each) are no longer alive while the models are built, which is the peak.
    """
    try:
        text = data if isinstance(data, str) else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    del data
    if not text.strip():
        raise SnapshotError(f"{name}: empty file")
    text = clean_json_text(text)
    try:
        with gc_paused():
            document: Any = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"{name}: not valid JSON ({exc}); truncated?") from None
    del text
    if not isinstance(document, dict):
        raise SnapshotError(f"{name}: not a blindspot snapshot (top level is not an object)")
    check_version(document, name)
    try:
        with gc_paused(keep=True):
            return Snapshot.model_validate(document)
    except ValidationError as exc:
        raise SnapshotError(f"{name}: {_describe_validation_error(exc)}") from None
    except RecursionError:
        raise SnapshotError(f"{name}: not a blindspot snapshot (nested too deeply)") from None


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Load a snapshot file into the models; `SnapshotError` (one line) on any problem.

    The whole document as pydantic models: what writing, merging and diffing need. The
    file is streamed (`snapshot.index`): each batch of resources or relationships is
    parsed and validated into models and dropped, so the file's text is never held whole
    (a bomb of whitespace or of one endless string costs a batch, not gigabytes). To
    read a large snapshot for the graph, the report or the explorer, `open_snapshot` is
    leaner still.
    """
    return _stream(path, "models")


def open_snapshot(
    path: str | os.PathLike[str], *, details: bool = True, digest: Digest | None = None
) -> Snapshot:
    """Read a snapshot file for reading only: streamed, in bounded memory, into records.

    The small parts are the models, validated as `load_snapshot` validates them;
    `resources` and `relationships` are lists of msgspec records with the models' fields
    (`snapshot.index.records`), decoded batch by batch with their repeated strings shared:
    at a million resources, a fraction of `load_snapshot`'s memory (benchmarks/README.md).
    Not for saving back: use `load_snapshot`.

    `details=False` is for counting (the report): coverage records keep only `layer`,
    `status` and `expectation`, resources have no `tags`; the decoder skips the rest.
    `digest` is fed the file's content as it is read (`snapshot.index.source.Digest`).
    """
    return _stream(path, "records" if details else "lean", digest=digest)


def read_matrix(path: str | os.PathLike[str]) -> Preview:
    """The explorer's first screen (summary and coverage matrix) of a snapshot file, from
    a lean pass that reads a tenth of each resource (`snapshot.index.matrix`): the same
    figures as `snapshot.browse` gives for the whole graph, in a fraction of the time.

    Bounded like `open_snapshot` and refusing what it refuses in the small parts, but it
    does not check the details: a file it reads may still be refused by `open_snapshot`.
    `SnapshotError` (one line) on any problem it finds.
    """
    from snapshot.index.matrix import count_matrix  # it reads the graph's rules: not at import

    path = Path(path)
    return count_matrix(partial(_stream, path))


def _stream(path: str | os.PathLike[str], mode: str, **options: Any) -> Snapshot:
    path = Path(path)
    try:
        with gc_paused(keep=mode != "matrix"):
            return read_snapshot(
                path,
                check_version=check_version,
                describe=_describe_validation_error,
                mode=mode,
                **options,
            )
    except ReadError as exc:
        raise SnapshotError(f"{path}: {exc}") from None


def dump_snapshot(snapshot: Snapshot) -> bytes:
    """Serialise a snapshot to compact JSON bytes."""
    if snapshot.tool.version == "0.0.0":
        snapshot.tool.version = __version__
    return orjson.dumps(snapshot.model_dump(mode="json", exclude_none=False))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> None:
    """Write `data` to `path` so that readers see either the old file or the whole new one.

    `data` may be an iterable of pieces, so a large export streams without joining first."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            for piece in (data,) if isinstance(data, bytes) else data:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save_snapshot(snapshot: Snapshot, path: str | os.PathLike[str]) -> Path:
    """Write a snapshot atomically; gzip when the name ends in `.gz`."""
    path = Path(path)
    data = dump_snapshot(snapshot)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    write_bytes_atomic(path, data)
    return path
