"""The explorer's first screen of a large snapshot, on screen before its details are read.

`open_with_matrix(path, show)` reads a snapshot file for the explorer in two steps: the
coverage matrix and the figures above it first (`show` is called with them), then the
records (`open_snapshot`), which is what the explorer waited for before the matrix used to
appear. The matrix comes from an index cache entry when there is a valid one, else from a
lean pass over the file (`snapshot.index.matrix`, about a quarter of the full read's CPU
at a million resources), after which the entry is written for the next opening.

The index cache is a convenience, never a requirement, and never trusted blindly:

- It lives in the user's cache folder (`$XDG_CACHE_HOME/blindspot/matrix`, by default
  `~/.cache/blindspot/matrix`), not beside the snapshot: a snapshot's folder may be
  read-only, shared, or hold files from elsewhere. `BLINDSPOT_NO_CACHE=1` turns it off.
- An entry is found by the file's identity: its real path, device, inode, size,
  modification time (ns), the SHA-256 of its first and last 64 KiB, blindspot's version,
  the snapshot schema version and this format's number. Any of them changed, and the
  entry is not found (a new version of blindspot never reads an older one's entries).
- Its content is checked: a regular file owned by this user, at most `MAX_ENTRY_BYTES`,
  decoded by msgspec into typed, bounded fields (counts non-negative, names and keys of
  bounded length, six layers of four counts, two groupings), the identity inside it equal
  to the one looked for. Anything else is corrupt: removed, and the matrix computed again.
- The entry holds the SHA-256 of the whole content it was computed from. The full read
  that follows hashes the content as it streams it (about 2 GB/s) and removes an entry
  whose digest differs; the matrix screen itself is recomputed from the loaded graph
  anyway, so what an entry showed is corrected within the details' loading time.
- Writing is atomic (a temporary file renamed), best effort: an unwritable or missing
  folder, a full disk, any `OSError`, and the entry is simply not written. The folder
  keeps the `KEEP_ENTRIES` most recently used entries.

Files under `PREVIEW_MIN_BYTES` are read in one step, as before: their full read is quick.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from snapshot import __version__, browse
from snapshot.graph import Counts, LayerCounts, overall
from snapshot.index.matrix import GROUPINGS, Preview
from snapshot.index.source import Digest
from snapshot.model import LAYERS, SCHEMA_VERSION, Snapshot

#: Files smaller than this (on disk) are read in one step.
PREVIEW_MIN_BYTES = 32 * 1024 * 1024
#: Bumped whenever the entry's layout or meaning changes.
CACHE_FORMAT = 1
#: An entry larger than this is not read (500 accounts x 4 regions: about 200 KB).
MAX_ENTRY_BYTES = 32 * 1024 * 1024
#: Entries kept in the folder (the least recently used are removed).
KEEP_ENTRIES = 32
#: Bytes of the file's start and end hashed into its identity.
EDGE_BYTES = 64 * 1024

_Count = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
_Quad = tuple[_Count, _Count, _Count, _Count]  # logged, partial, missing, unknown
_Layers = tuple[_Quad, _Quad, _Quad, _Quad, _Quad, _Quad]  # in LAYERS order
_Text = Annotated[str, msgspec.Meta(max_length=4096)]
_Hex = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


class Identity(msgspec.Struct, array_like=True, frozen=True):
    """What a file must still be for an entry computed from it to be used."""

    format: int
    version: _Text
    schema: int
    path: _Text
    device: int
    inode: int
    size: int
    mtime_ns: int
    edges: _Hex  # SHA-256 of the first and last EDGE_BYTES

    def name(self) -> str:
        return hashlib.sha256(msgspec.msgpack.encode(self)).hexdigest()[:40] + ".matrix"


class _Row(msgspec.Struct, array_like=True):
    key: _Text
    label: _Text
    counts: _Layers


class _Entry(msgspec.Struct, forbid_unknown_fields=True):
    identity: Identity
    digest: _Hex
    generated_at: _Text
    resources: _Count
    accounts: _Count
    errors: _Count
    unknown: _Count
    totals: _Layers
    rows: dict[Literal["account", "account-region"], list[_Row]]


_DECODE_ENTRY = msgspec.msgpack.Decoder(_Entry).decode


def cache_dir() -> Path | None:
    """The folder of matrix entries, or None when the cache is off."""
    if os.environ.get("BLINDSPOT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "blindspot" / "matrix"


def identity(path: Path) -> Identity | None:
    """The file's identity now (None if it cannot be read)."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            edges = hashlib.sha256(handle.read(EDGE_BYTES))
            if info.st_size > EDGE_BYTES:
                handle.seek(max(EDGE_BYTES, info.st_size - EDGE_BYTES))
                edges.update(handle.read(EDGE_BYTES))
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or len(real) > 4096:
        return None
    return Identity(
        CACHE_FORMAT,
        __version__,
        SCHEMA_VERSION,
        real,
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        edges.hexdigest(),
    )


def _layers(counts: LayerCounts) -> _Layers:
    quads = [(c.logged, c.partial, c.missing, c.unknown) for c in map(counts.__getitem__, LAYERS)]
    return tuple(quads)  # type: ignore[return-value]


def _counts(layers: _Layers) -> LayerCounts:
    return {layer: Counts(*quad) for layer, quad in zip(LAYERS, layers, strict=True)}


def _entry(found: Identity, preview: Preview, digest: str) -> _Entry:
    summary = preview.summary
    rows = {
        by: [_Row(row.key, row.label, _layers(row.counts)) for row in preview.rows[by]]
        for by in GROUPINGS
    }
    return _Entry(
        identity=found,
        digest=digest,
        generated_at=summary.generated_at,
        resources=summary.resources,
        accounts=summary.accounts,
        errors=summary.errors,
        unknown=summary.unknown,
        totals=_layers(summary.totals),
        rows=rows,  # type: ignore[arg-type]
    )


def _preview(entry: _Entry) -> Preview:
    totals = _counts(entry.totals)
    if entry.unknown != sum(counts.unknown for counts in totals.values()):
        raise ValueError("inconsistent entry")
    if set(entry.rows) != set(GROUPINGS):
        raise ValueError("incomplete entry")
    figures = (entry.generated_at, entry.resources, entry.accounts, entry.errors, entry.unknown)
    summary = browse.SnapshotSummary(*figures, totals, overall(totals).coverage_pct)
    rows: dict[str, list[browse.MatrixRow]] = {}
    for by, saved in entry.rows.items():
        rows[by] = []
        for row in saved:
            counts = _counts(row.counts)
            rows[by].append(
                browse.MatrixRow(row.key, row.label, counts, overall(counts).coverage_pct)
            )
    return Preview(summary, rows, entry.digest, cached=True)


def load(found: Identity) -> Preview | None:
    """The entry of a file with this identity, if there is a valid one (see the module)."""
    folder = cache_dir()
    if folder is None:
        return None
    where = folder / found.name()
    try:
        fd = os.open(where, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_uid != os.getuid()
                or info.st_size > MAX_ENTRY_BYTES
            ):
                raise ValueError("not an entry")
            data = handle.read(MAX_ENTRY_BYTES + 1)
        entry = _DECODE_ENTRY(data)
        if entry.identity != found:
            raise ValueError("another file's entry")
        preview = _preview(entry)
    except (OSError, ValueError, msgspec.DecodeError, RecursionError, MemoryError):
        forget(found)
        return None
    with contextlib.suppress(OSError):
        os.utime(where)  # recently used
    return preview


def store(found: Identity, preview: Preview, digest: str) -> None:
    """Write the entry (atomically, best effort: any OSError and it is not written)."""
    folder = cache_dir()
    if folder is None:
        return
    data = msgspec.msgpack.encode(_entry(found, preview, digest))
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, folder / found.name())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _prune(folder)
    except OSError:
        return


def forget(found: Identity) -> None:
    folder = cache_dir()
    if folder is not None:
        with contextlib.suppress(OSError):
            os.unlink(folder / found.name())


def _prune(folder: Path) -> None:
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".matrix") and entry.is_file(follow_symlinks=False):
            entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    entries.sort(reverse=True)
    for _, stale in entries[KEEP_ENTRIES:]:
        with contextlib.suppress(OSError):
            os.unlink(stale)


def open_with_matrix(path: Path, show: Callable[[Preview], None]) -> Snapshot:
    """`open_snapshot(path)`, calling `show` with the matrix figures first (module doc).

    Errors are `open_snapshot`'s, worded alike: when the lean pass finds a problem, nothing
    is shown and the full read reports it.
    """
    from snapshot.io import SnapshotError, open_snapshot, read_matrix

    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size < PREVIEW_MIN_BYTES:
        return open_snapshot(path)
    found = identity(path) if cache_dir() is not None else None
    preview = load(found) if found is not None else None
    if preview is None:
        with contextlib.suppress(SnapshotError):
            preview = read_matrix(path)
    if preview is not None:
        show(preview)
    digest = Digest() if found is not None and preview is not None else None
    snapshot = open_snapshot(path, digest=digest)
    if digest is not None and found is not None and preview is not None:
        if preview.cached:
            if preview.digest != digest.hexdigest():
                forget(found)
        elif identity(path) == found:  # unchanged since the lean pass read it
            store(found, preview, digest.hexdigest())
    return snapshot
