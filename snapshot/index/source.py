"""The bytes of a snapshot file, decompressed as they are read, never past a limit.

A gzip bomb (a 4 MB file that inflates to 4 GiB) must cost a bounded amount of memory and
end in a message that names the problem: the limit is counted on the decompressed bytes as
they arrive, chunk by chunk, so what is held at any moment is one chunk, not the document.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

from snapshot.settings import env_number

if TYPE_CHECKING:
    from hashlib import _Hash

GZIP_MAGIC = b"\x1f\x8b"
#: Bytes asked of the file (or of the decompressor) per read.
READ_CHUNK = 4 * 1024 * 1024


class SourceError(Exception):
    """The file cannot be read, or holds more than the limit; one line for the user."""


class SuspectBomb(Exception):
    """A gzip file inflating far more than snapshots do: count its size before going on."""


#: Snapshots compress about 10 to 20 to 1; a bomb about 1,000 to 1. Past BOMB_CHECK_AFTER
#: inflated bytes at more than BOMB_RATIO to 1, the reader stops and counts the whole size
#: first (`check_size`), so that a bomb of valid records is refused before many are kept.
BOMB_RATIO = 100
BOMB_CHECK_AFTER = 32 * 1024 * 1024


def max_snapshot_bytes() -> int:
    """The decompressed size limit: BLINDSPOT_MAX_SNAPSHOT_BYTES, 4 GiB by default.

    A malformed value is the one-line `SettingError` (`snapshot.settings.env_number`).
    """
    return int(env_number("BLINDSPOT_MAX_SNAPSHOT_BYTES", 4 * 1024**3, minimum=1, whole=True))


class Digest:
    """The SHA-256 of a snapshot's content as it is streamed (about 2 GB/s here), so that
    what was read can be compared with what a cache entry was computed from; started
    again whenever the reading starts again."""

    def __init__(self) -> None:
        self._hash: _Hash = hashlib.sha256()

    def reset(self) -> None:
        self._hash = hashlib.sha256()

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class BoundedSource:
    """A snapshot file opened for streaming: `read()` gives the next chunk of its
    (decompressed) bytes, `b""` at the end, and raises `SourceError` past `limit`."""

    def __init__(self, path: Path, limit: int | None = None, digest: Digest | None = None) -> None:
        self.path = path
        #: Fed every (decompressed) byte read, when given: the content's SHA-256.
        self.digest = digest
        if digest is not None:
            digest.reset()
        self.limit = max_snapshot_bytes() if limit is None else limit
        self.total = 0
        self.compressed = False
        self.size_checked = False
        try:
            self._handle: BinaryIO = path.open("rb")
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise SourceError(f"{path}: is a folder, not a snapshot file") from None
        except PermissionError:
            raise SourceError(f"{path}: permission denied") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
        self._stream: BinaryIO = self._handle
        try:
            head = self._handle.read(2)
            self._handle.seek(0)
        except OSError as exc:
            self.close()
            raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
        if head == GZIP_MAGIC:
            self.compressed = True
            # GzipFile.read(n) inflates at most n bytes, however well the input compresses.
            self._stream = gzip.GzipFile(fileobj=self._handle)  # type: ignore[assignment]

    def too_large(self) -> str:
        if self.compressed:
            return (
                f"{self.path}: decompresses to more than {self.limit} bytes "
                "(raise BLINDSPOT_MAX_SNAPSHOT_BYTES to read it)"
            )
        return (
            f"{self.path}: larger than {self.limit} bytes "
            "(raise BLINDSPOT_MAX_SNAPSHOT_BYTES to read it)"
        )

    def read(self, size: int = READ_CHUNK) -> bytes:
        try:
            chunk = self._stream.read(min(size, self.limit + 1 - self.total))
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise SourceError(f"{self.path}: corrupt or truncated gzip data ({exc})") from None
        except MemoryError:
            raise SourceError(f"{self.path}: not enough memory to read it") from None
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        self.total += len(chunk)
        if self.total > self.limit:
            raise SourceError(self.too_large())
        if self.digest is not None:
            self.digest.update(chunk)
        return chunk

    def check_size(self) -> None:
        """Refuse a file over the limit before anything is parsed, in constant memory.

        A plain file's size is on disk. A gzip file is inflated once, chunk by chunk and
        nothing kept, to count its bytes, then read again from the start: only for a file
        that inflates like a bomb (`SuspectBomb`), since it doubles the inflating. The
        gzip trailer holds the size too, but modulo 4 GiB and as the file claims it.
        """
        self.size_checked = True
        if not self.compressed:
            try:
                size = os.fstat(self._handle.fileno()).st_size
            except OSError:
                return
            if size > self.limit:
                raise SourceError(self.too_large())
            return
        while self.read():
            pass
        self._stream.close()
        self._handle.seek(0)
        self._stream = gzip.GzipFile(fileobj=self._handle)  # type: ignore[assignment]
        self.total = 0
        if self.digest is not None:
            self.digest.reset()

    def check_bomb(self) -> None:
        """Raise `SuspectBomb` past BOMB_CHECK_AFTER bytes inflated at more than BOMB_RATIO
        to 1, unless the size was counted already.

        Called before records are kept (whitespace or a skipped value costs nothing to
        stream past), so that only a file that would fill memory pays the counting pass.
        """
        if not self.compressed or self.size_checked or self.total <= BOMB_CHECK_AFTER:
            return
        try:
            compressed = max(1, self._handle.tell())
        except OSError:
            return
        if self.total > BOMB_RATIO * compressed:
            raise SuspectBomb

    def close(self) -> None:
        if self._stream is not self._handle:
            self._stream.close()
        self._handle.close()

    def __enter__(self) -> BoundedSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
