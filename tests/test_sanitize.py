"""Terminal control characters never survive: not in strings, not in raw JSON text."""

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snapshot.sanitize import clean, clean_json_text, clean_single_line

UNSAFE = [chr(c) for c in range(0x20) if c not in (9, 10)] + [chr(0x7F)]
UNSAFE += [chr(c) for c in range(0x80, 0xA0)]
UNSAFE += ["\u202e", "\u2066", "\u200f", "\ufeff"]


def _has_unsafe(value: str) -> bool:
    return any(ch in value for ch in UNSAFE)


def test_osc_title_and_clipboard_sequences_are_neutralised():
    payload = "name\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x1b\\\x9b4343m end"
    cleaned = clean(payload)
    assert not _has_unsafe(cleaned)
    assert "␛]0;PWNED" in cleaned  # visible, so a responder sees the tampering
    assert cleaned.endswith(" end")


def test_tab_and_newline_survive_clean_but_not_single_line():
    assert clean("a\tb\nc") == "a\tb\nc"
    assert clean_single_line("a\tb\nc\rd") == "a b c d"


def test_plain_strings_are_returned_unchanged():
    value = "prod-web-alb [bold]x[/] ünïcödé 日本"
    assert clean(value) is value


@pytest.mark.parametrize("char", UNSAFE)
def test_escaped_control_characters_in_json_text_are_replaced(char):
    text = json.dumps({"name": f"a{char}b"})  # json.dumps escapes C0 as \u00XX
    parsed = orjson.loads(clean_json_text(text))
    assert not _has_unsafe(parsed["name"])
    assert parsed["name"].startswith("a") and parsed["name"].endswith("b")


def test_escaped_backslash_before_u_is_not_mistaken_for_an_escape():
    # The JSON string  a\\u001bb  is the text: a, backslash, "u001b", b — harmless.
    text = r'{"name": "a\\u001bb"}'
    assert orjson.loads(clean_json_text(text))["name"] == "a\\u001bb"
    # An odd number of backslashes: an escaped backslash then a real ESC escape.
    text = r'{"name": "a\\\u001bb"}'
    assert orjson.loads(clean_json_text(text))["name"] == "a\\␛b"


@given(st.text())
def test_clean_removes_every_unsafe_character(value):
    assert not _has_unsafe(clean(value))


@given(st.dictionaries(st.text(), st.text()))
def test_clean_json_text_keeps_valid_json_and_removes_unsafe(document):
    text = json.dumps(document, ensure_ascii=bool(len(document) % 2))
    parsed = orjson.loads(clean_json_text(text))
    assert len(parsed) <= len(document)
    for key, value in parsed.items():
        assert not _has_unsafe(key) and not _has_unsafe(value)
