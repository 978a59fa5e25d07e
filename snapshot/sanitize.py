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


# --- secrets ----------------------------------------------------------------------------
#
# Error text comes from endpoints, proxies and botocore, and ends up on stderr and in the
# snapshot's `errors`, a file that travels. An endpoint URL given with `user:password@`
# is repeated in botocore's connection errors; a proxy or a hostile endpoint can echo the
# request headers (the signature, the session token) in its error message. `redact`
# removes what is a secret by its form; `register_secret` adds the exact values of the
# credentials in use, so an echo is caught whatever its form.

REDACTED = "[redacted]"
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#]+@")
_SECRET_PARAMETER = re.compile(
    r"(?i)\b((?:x-amz-)?(?:security[-_]?token|session[-_]?token|signature|secret[-_]?access"
    r"[-_]?key|aws[-_]secret[-_]access[-_]key|password|passwd|pwd|authorization|credential"
    r"|api[-_]?key|access[-_]?token|client[-_]?secret)[\"']?\s*[:=]\s*)"
    r"(?:AWS4-HMAC-SHA256\s+)?(?:\"[^\"]*\"|'[^']*'|[^\s\"'&,;]+)"
)
_ACCESS_KEY_ID = re.compile(r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{4})[A-Z0-9]{12}\b")
#: A session token or signed blob: a long run of base64 (AWS session tokens are 300+).
_LONG_BASE64 = re.compile(r"[A-Za-z0-9+/]{160,}={0,2}")
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Redact this exact value (a secret key, a session token) wherever it appears."""
    if value and len(value) >= 8:
        _secrets.add(value)


def redact(text: str) -> str:
    """`text` with credentials, URL user info, signatures and session tokens removed.

    Access key ids keep their first eight characters (enough to tell two keys apart).
    """
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if "://" in text and "@" in text:
        text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
    if ":" in text or "=" in text:
        text = _SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    text = _ACCESS_KEY_ID.sub(rf"\1{REDACTED}", text)
    return _LONG_BASE64.sub(REDACTED, text)


def safe_message(text: str, limit: int = 500) -> str:
    """One line fit for stderr or a stored error: controls neutralised, secrets removed."""
    text = redact(clean_single_line(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- length -----------------------------------------------------------------------------

#: Characters of one name or id shown in a human format (tree, table) before it is cut.
SHOWN_CHARACTERS = 160


def shorten(text: str, limit: int = SHOWN_CHARACTERS, *, ascii_only: bool = False) -> str:
    """`text` cut to about `limit` characters with a visible marker saying how much is hidden.

    A 1 MB name is legal in a snapshot but must not make a human format write a megabyte
    per line (two such resources and 1,000 relationships made `trace` write 2 GB). The
    marker keeps the cut visible: ``…[+999,840 chars]``; machine formats keep whole values.
    """
    if len(text) <= limit:
        return text
    ellipsis = "..." if ascii_only else "…"
    return f"{text[:limit]}{ellipsis}[+{len(text) - limit:,} chars]"


def short_line(text: str, limit: int = SHOWN_CHARACTERS, *, ascii_only: bool = False) -> str:
    """`text` as one line of a human format: cut (`shorten`), then `clean_single_line`d;
    cut first, so that a 1 MB name is not cleaned whole to show 160 characters of it."""
    return clean_single_line(shorten(text, limit, ascii_only=ascii_only))
