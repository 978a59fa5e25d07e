"""tui/safe.py: data becomes plain text, with control characters made visible."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.content import Content

from snapshot.model import Status
from tui import safe

from .fixtures import HOSTILE_BIDI, HOSTILE_CLICK, HOSTILE_ESCAPE, HOSTILE_LINK, HOSTILE_MARKUP

MARKUP_PAYLOADS = [HOSTILE_MARKUP, HOSTILE_CLICK, HOSTILE_LINK, "[/]", "[type=x, v={'a[0]'}]"]


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
def test_markup_is_never_parsed(payload):
    assert safe.text(payload).plain == payload
    assert safe.content(payload).plain == payload
    assert not safe.text(payload).spans  # no style or link came from the data


@pytest.mark.parametrize("payload", [HOSTILE_ESCAPE, "\x9b31m", "a\x1b[2Jb", HOSTILE_BIDI])
def test_control_characters_are_replaced_visibly(payload):
    shown = safe.text(payload).plain
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown
    assert shown != payload  # something visible stands in for the control


def test_escape_becomes_control_pictures():
    assert safe.plain(HOSTILE_ESCAPE) == "␛]0;PWNED␇"


def test_single_line_and_multi_line():
    assert safe.plain("a\nb\tc") == "a b c"
    assert safe.plain("a\nb", single_line=False) == "a\nb"


def test_status_is_symbol_and_word():
    assert safe.status_text(Status.missing).plain == "✗ MISSING"
    assert safe.status_text(Status.logged, ascii_only=True).plain == "+ logged"
    assert safe.status_text(None).plain == "-"
    assert isinstance(safe.content("x"), Content) and isinstance(safe.text("x"), Text)


def test_percentage_symbols():
    assert safe.pct_symbol(95) == "✓" and safe.pct_symbol(60) == "◐"
    assert safe.pct_symbol(10) == "✗" and safe.pct_symbol(None) == "-"
    assert safe.pct_symbol(10, ascii_only=True) == "x"
