"""Cutting a snapshot's JSON into pieces msgspec can decode, without parsing it in Python.

The document is one object whose big values are arrays (`resources`, `relationships`).
`Scanner` walks the top-level object key by key and hands each array over in batches of
whole elements, a few MiB each, so that what is held at once is a batch, never the file.

Where a value ends is found by msgspec itself: asked to decode the rest of the buffer as one
raw value, it stops after that value and names the byte where trailing data begins, at C
speed. Cutting a batch of array elements uses a hint instead: the last place in the window
where an element ends and the next begins (`},{"id":`, as blindspot writes resources). A cut
found that way is verified by decoding the batch: in valid JSON an unescaped quote always
delimits a string, so a piece cut inside a string, or inside a nested object, cannot decode
as a JSON array; if it fails, the window is walked element by element instead (slower,
always right), and a real error is then reported where it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from snapshot.index.source import BoundedSource

#: Bytes of array elements decoded at once.
BATCH_BYTES = 8 * 1024 * 1024
#: A single value (one resource, or a top-level value that is not an array) larger than
#: this is refused: buffering it whole is what a bomb of one endless string would need.
MAX_VALUE_BYTES = 128 * 1024 * 1024
WHITESPACE = b" \t\r\n"
_SPACES = re.compile(rb"[ \t\r\n]*")
#: Bytes read ahead when only whitespace is left in the buffer.
READ_AHEAD = 4 * 1024 * 1024
_BYTE = re.compile(r"\(byte (\d+)\)")
_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")
_DECODE_RAW = msgspec.json.Decoder(msgspec.Raw).decode

#: Called with a JSON array of whole elements (bytes) and the index of its first element;
#: returns how many elements it held.
BatchHandler = Callable[[bytes, int], int]


def _from_file_start(start: int) -> Callable[[re.Match[str]], str]:
    """msgspec's `(byte N)` counts from the value's start: shift it to the file's."""
    return lambda match: f"(byte {start + int(match.group(1))})"


class ScanError(Exception):
    """The bytes are not a well-formed JSON document; `str()` is the reason, one line."""


class Scanner:
    """A JSON document read from a `BoundedSource`, one top-level member at a time."""

    def __init__(self, source: BoundedSource) -> None:
        self.source = source
        self.buf = b""
        self.pos = 0
        self.base = 0  # offset in the document of buf[0]
        self.eof = False

    # -- buffer ---------------------------------------------------------------------------

    def _fill(self, wanted: int) -> bool:
        """Make `wanted` bytes available from `pos` (fewer at the end); False at the end."""
        if len(self.buf) - self.pos >= wanted or self.eof:
            return len(self.buf) > self.pos
        parts = [self.buf[self.pos :]]
        have = len(parts[0])
        while have < wanted:
            chunk = self.source.read(max(wanted - have, 1 << 20))
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            have += len(chunk)
        self.base += self.pos
        self.buf = b"".join(parts)
        self.pos = 0
        return len(self.buf) > 0

    def offset(self) -> int:
        return self.base + self.pos

    def skip_whitespace(self) -> None:
        """Past any whitespace, in C (a file may hold gigabytes of it).

        When the buffer ends in whitespace, the chunks that follow are first tested whole
        (`bytes.translate` deleting whitespace: about 2 GB/s, six times the regex) and
        dropped while they hold nothing else.
        """
        while True:
            match = _SPACES.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf) or self.eof:
                return
            self.base += len(self.buf)
            self.buf, self.pos = b"", 0
            while True:
                chunk = self.source.read(READ_AHEAD)
                if not chunk:
                    self.eof = True
                    return
                if chunk.translate(None, WHITESPACE):
                    self.buf = chunk
                    break
                self.base += len(chunk)

    def peek(self) -> bytes:
        """The next byte after whitespace, `b""` at the end of the document."""
        self.skip_whitespace()
        return self.buf[self.pos : self.pos + 1]

    def expect(self, char: bytes) -> None:
        found = self.peek()
        if found != char:
            what = repr(found.decode("latin-1")) if found else "the end"
            raise ScanError(f"expected {char.decode()!r} at byte {self.offset()}, found {what}")
        self.pos += 1

    # -- values ---------------------------------------------------------------------------

    def value_end(self) -> int:
        """The position in `buf` just past the value starting at `pos` (whitespace skipped).

        Reads more until the value is whole; refuses a value over MAX_VALUE_BYTES.
        """
        self.skip_whitespace()
        wanted = 1 << 16
        while True:
            self._fill(wanted)
            view = memoryview(self.buf)[self.pos :]
            try:
                _DECODE_RAW(view)
            except msgspec.DecodeError as exc:
                message = str(exc)
                found = _TRAILING.search(message)
                if found:
                    return self.pos + int(found.group(1)) - 1
                if "truncated" not in message or self.eof:
                    # msgspec counts from the value's start: make it the file's offset.
                    start = self.offset()
                    message = _BYTE.sub(_from_file_start(start), message)
                    if "(byte " not in message:
                        message += f" (in the value at byte {start})"
                    raise ScanError(message) from None
            else:
                if self.eof:
                    return len(self.buf)
            finally:
                view.release()
            if len(self.buf) - self.pos > MAX_VALUE_BYTES:
                raise ScanError(
                    f"a value starting at byte {self.offset()} is larger than "
                    f"{MAX_VALUE_BYTES} bytes"
                )
            wanted = min(2 * max(wanted, len(self.buf) - self.pos), MAX_VALUE_BYTES + 1)

    def take_value(self) -> bytes:
        """The next value's bytes (whitespace skipped), consumed."""
        end = self.value_end()
        value = self.buf[self.pos : end]
        self.pos = end
        return value

    # -- arrays ---------------------------------------------------------------------------

    def read_array(self, handle: BatchHandler, hint: bytes | None) -> int:
        """Hand the array starting at `pos` to `handle` in batches; return its length.

        `hint` is the bytes between two elements as blindspot writes them, from the `}`
        that ends one to the first key of the next (`b'},{"id":'`); None walks element by
        element.
        """
        self.expect(b"[")
        count = 0
        if self.peek() == b"]":
            self.pos += 1
            return 0
        while True:
            self._fill(BATCH_BYTES)
            if hint is not None:
                cut = self.buf.rfind(hint, self.pos, len(self.buf))
                if cut > self.pos:
                    piece = b"".join((b"[", self.buf[self.pos : cut + 1], b"]"))
                    try:
                        count += handle(piece, count)
                    except msgspec.ValidationError:
                        raise
                    except msgspec.DecodeError:
                        pass  # not a cut between elements after all: walk this window
                    else:
                        self.pos = cut + 2
                        continue
            count, done = self._walk(handle, count)
            if done:
                return count

    def _walk(self, handle: BatchHandler, count: int) -> tuple[int, bool]:
        """Elements one at a time up to about a batch; True when the array ended."""
        pieces: list[bytes] = []
        size = 0
        done = False
        while size < BATCH_BYTES:
            value = self.take_value()
            pieces.append(value)
            size += len(value)
            following = self.peek()
            self.pos += 1
            if following == b"]":
                done = True
                break
            if following != b",":
                self.pos -= 1
                self.expect(b",")
        handle(b"[" + b",".join(pieces) + b"]", count)
        return count + len(pieces), done
