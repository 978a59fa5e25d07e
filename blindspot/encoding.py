"""ASCII output where the terminal cannot take more (`LC_ALL=C`, `PYTHONIOENCODING=ascii`).

The renderers draw ✓ ✗ … — and box-drawing characters, and names from AWS may hold any
character; on a stream that cannot encode them, Python raised UnicodeEncodeError in the
middle of a report. `use_ascii_fallback` makes such a stream write the nearest ASCII
instead (✓ -> +, ✗ -> x, … -> ..., box lines -> - | +, accents dropped, anything else -> ?),
through a codec error handler, so nothing is paid where the terminal takes UTF-8.
"""

from __future__ import annotations

import codecs
import contextlib
import sys
import unicodedata
from typing import TextIO

HANDLER = "blindspot-ascii"
#: Characters the renderers use, with their ASCII stand-ins.
_ASCII = {
    "✓": "+", "✔": "+", "✗": "x", "✘": "x", "…": "...", "—": "-", "\u2013": "-", "·": ".",
    "•": "*", "→": "->", "←": "<-", "↑": "^", "↓": "v", "↔": "<->", "≥": ">=", "≤": "<=",
    "\u00d7": "x", "\u2018": "'", "\u2019": "'", "“": '"', "”": '"', "▌": "|", "▇": "#", "▁": "_",
    "█": "#", "░": ".", "▒": ":", "▓": "#", "─": "-", "━": "-", "│": "|", "┃": "|",
    "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+",
    "┼": "+", "╭": "+", "╮": "+", "╰": "+", "╯": "+", "═": "=", "║": "|", "␛": "^[",
    "\ufffd": "?", "\u00a0": " ",
}  # fmt: skip


def _stand_in(char: str) -> str:
    if char in _ASCII:
        return _ASCII[char]
    if 0x2400 <= ord(char) < 0x2420:  # control pictures (sanitize.py): ␀ -> ^@
        return "^" + chr(ord(char) - 0x2400 + 0x40)
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    return plain or "?"


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(_stand_in(char) for char in text), error.end


codecs.register_error(HANDLER, _handler)


def can_encode(stream: object, sample: str) -> bool:
    """Whether `stream`'s encoding takes every character of `sample` (none said: ASCII)."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def stdout_is_unicode() -> bool:
    """False when stdout cannot encode the status symbols (a C/POSIX locale bastion)."""
    return can_encode(sys.stdout, "✓◐✗├─└│→←⚠")


def use_ascii_fallback(stream: TextIO) -> None:
    """Make `stream` write ASCII stand-ins for what its encoding cannot take."""
    if can_encode(stream, "✓✗…─"):
        return  # UTF-8 or similar: nothing to do
    with contextlib.suppress(AttributeError, ValueError, OSError):
        stream.reconfigure(errors=HANDLER)  # type: ignore[attr-defined]
