"""Neutralise terminal control characters in strings that come from AWS or from files.

Names, tags and descriptions are chosen by whoever controls an AWS account; snapshot files
come from other machines. An ESC sequence in a bucket's tag can retitle a tmux pane or
write to the clipboard (OSC 52) even through Rich's and Textual's "safe" text APIs, and
bidi overrides can make one ARN read as another. So every such string loses them, twice:
once when a snapshot is built or loaded, and again in the one helper the explorer uses to
show AWS data.

Control characters are replaced by a visible stand-in rather than dropped, so that a
responder can see that a name was tampered with: C0 characters become their Unicode
"control picture" (ESC -> ␛), DEL, C1 and bidi/format controls become U+FFFD.
"""

from __future__ import annotations

import re

# C0 but tab and newline, DEL, C1, and the bidi/format controls used in "Trojan Source".
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)

# JSON escapes, read left to right so that an escaped backslash (two backslash characters)
# is consumed as a pair and never mistaken for the start of the next escape: an escaped
# backslash, a \\u escape of an unsafe character, or a short escape of a control character
# (\\b \\f \\r).
# Every alternative starts with a backslash, so the scan only stops at backslashes; the
# earlier form (a look-behind before each alternative, three passes) stopped at every
# character and took 16 s on a 100k-resource snapshot holding any backslash at all.
_JSON_UNSAFE_ESCAPE = re.compile(
    r"\\(?:(\\)|u(00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|061[cC]|200[eEfF]"
    r"|202[a-eA-E]|206[6-9]|[fF][eE][fF][fF])|([bfr]))"
)
_SHORT_CODES = {"b": 0x08, "f": 0x0C, "r": 0x0D}

REPLACEMENT = "\ufffd"


def _stand_in(char: str) -> str:
    code = ord(char)
    if code in (0x09, 0x0A):
        return char
    if code < 0x20:
        return chr(0x2400 + code)  # CONTROL PICTURE FOR ...
    return REPLACEMENT


def _stand_in_match(match: re.Match[str]) -> str:
    return _stand_in(match.group(0))


def clean(value: str) -> str:
    """Return `value` with terminal control characters replaced by visible stand-ins."""
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub(_stand_in_match, value)


def clean_single_line(value: str) -> str:
    """Like `clean`, and tabs and newlines become spaces: for table cells and tree labels."""
    if "\n" in value or "\t" in value or "\r" in value:
        value = value.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return clean(value)


def _json_escape_stand_in(match: re.Match[str]) -> str:
    escaped_backslash, code, letter = match.groups()
    if escaped_backslash is not None:
        return match.group(0)
    char = chr(int(code, 16)) if code is not None else chr(_SHORT_CODES[letter])
    replacement = _stand_in(char)
    if replacement in ("\t", "\n"):
        return match.group(0)
    return f"\\u{ord(replacement):04x}"


def clean_json_text(text: str) -> str:
    """Neutralise control characters in raw JSON text before it is parsed.

    One regex pass over the document is far cheaper than visiting every string of a
    100k-resource snapshot after parsing. JSON forbids raw C0 characters inside strings,
    so they can only arrive escaped (``\\u001b``); C1 and bidi characters may also arrive
    raw. Both forms are rewritten; the result is still valid JSON exactly when the input was.
    """
    if "\\" in text:
        text = _JSON_UNSAFE_ESCAPE.sub(_json_escape_stand_in, text)
    return clean_raw_non_c0(text)


_RAW_NON_C0 = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_raw_non_c0(text: str) -> str:
    """Replace raw DEL, C1 and bidi controls (JSON allows them unescaped inside strings)."""
    if text.isascii() and "\x7f" not in text:  # both run at memory speed; the regex does not
        return text
    if _RAW_NON_C0.search(text) is None:
        return text
    return _RAW_NON_C0.sub(REPLACEMENT, text)
