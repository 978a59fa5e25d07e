"""The one path from snapshot data to a widget.

Everything a widget shows that came from AWS or a snapshot file (names, ids, tags,
evidence, error messages) goes through these helpers, never through a markup parser:

- `text()` gives a `rich.text.Text` (for Tree labels, DataTable cells, Line-API strips);
- `content()` gives a `textual.content.Content` (for Static, Label, OptionList prompts);
- both clean terminal control characters again at display time (`snapshot.sanitize`),
  although snapshots are cleaned at load: a snapshot built in memory (the demo, tests)
  never went through the loader, and a second pass costs one regex search.

Why not `textual.markup.escape`: it leaves payloads such as `[type=x, v={'a[0]'}]` that still
raise MarkupError (Textualize/textual#6614), and neither Textual nor Rich strips ESC or C1
characters, so an OSC 52 sequence in a tag would write to the user's clipboard
(/work/shared/notes/tui-anchors.md section 6).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

from snapshot.model import STATUS_ASCII, STATUS_SYMBOL, Status
from snapshot.sanitize import clean, clean_single_line

#: One word per status, so that status never depends on colour or a glyph alone.
STATUS_WORD: dict[Status, str] = {
    Status.logged: "logged",
    Status.partial: "partial",
    Status.missing: "MISSING",
    Status.unknown: "unknown",
    Status.not_applicable: "n/a",
}

#: The style of a gap: a bold red block, the most visible thing on the screen.
GAP_STYLE_COLOR = "bold reverse red"
GAP_STYLE = GAP_STYLE_COLOR
#: The same without colour: with NO_COLOR Textual turns every colour into a grey, and red
#: became grey 59 on a 234 background, the dimmest cell of all (about 1.5:1; "bold red" was
#: 237 on 234). Reversed with no colour of its own, a gap takes the theme's text colour as
#: its background: the highest contrast the theme has, dark or light.
GAP_STYLE_NO_COLOR = "bold reverse"

#: Colours per status (the symbol and word carry the meaning; colour only helps).
STATUS_STYLE: dict[Status, str] = {
    Status.logged: "green",
    Status.partial: "yellow",
    Status.missing: GAP_STYLE,
    Status.unknown: "bold magenta",
    Status.not_applicable: "dim",
}


def use_no_color(no_color: bool) -> None:
    """Draw gaps for a monochrome screen (NO_COLOR) or in colour; the app calls it once."""
    global GAP_STYLE
    GAP_STYLE = GAP_STYLE_NO_COLOR if no_color else GAP_STYLE_COLOR
    STATUS_STYLE[Status.missing] = GAP_STYLE


#: Set by `use_ascii`: data strings are then drawn in ASCII too (`\\u2603` escapes).
ASCII_ONLY = False


def use_ascii(ascii_only: bool) -> None:
    """`--ascii`: no non-ASCII character from data either (the stand-ins the cleaning puts
    for control characters, such as U+241B for ESC, and any non-ASCII name), as escapes."""
    global ASCII_ONLY
    ASCII_ONLY = ascii_only


def plain(value: object, *, single_line: bool = True) -> str:
    """A string safe to put on a terminal: control characters replaced by visible stand-ins."""
    string = value if isinstance(value, str) else str(value)
    string = clean_single_line(string) if single_line else clean(string)
    if ASCII_ONLY and not string.isascii():
        string = string.encode("ascii", "backslashreplace").decode("ascii")
    return string


def text(value: object, style: str | Style = "", *, single_line: bool = True) -> Text:
    """A `Text` of `value`, never parsed as markup, for Tree/DataTable/Line-API rendering."""
    return Text(plain(value, single_line=single_line), style=style, no_wrap=single_line)


def content(value: object, *, single_line: bool = False) -> Content:
    """A `Content` of `value`, never parsed as markup, for Static/Label/OptionList."""
    return Content(plain(value, single_line=single_line))


def symbol(status: Status | None, *, ascii_only: bool = False) -> str:
    """The glyph for a status (`-` for none): `✓ ◐ ✗ ?` or their ASCII stand-ins."""
    if status is None:
        return "-"
    return (STATUS_ASCII if ascii_only else STATUS_SYMBOL)[status]


def status_text(status: Status | None, *, ascii_only: bool = False, word: bool = True) -> Text:
    """A status as symbol (and word), styled; readable without colour."""
    if status is None:
        return Text("-", style="dim")
    label = symbol(status, ascii_only=ascii_only)
    if word:
        label = f"{label} {STATUS_WORD[status]}"
    return Text(label, style=STATUS_STYLE[status])


def sep(*, ascii_only: bool = False) -> str:
    """The separator between figures on one line: ` · `, or ` | ` in ASCII mode."""
    return " | " if ascii_only else " \u00b7 "


def ellipsis(*, ascii_only: bool = False) -> str:
    """`…`, or `...` in ASCII mode."""
    return "..." if ascii_only else "\u2026"


def fit(value: str, width: int, *, ascii_only: bool = False) -> str:
    """`value` in at most `width` characters: a longer one is cut and ends with `ellipsis`.

    Counts characters, as the tables' fixed-width columns do; `Text.truncate` (cells, and
    always `…`) finishes a cell where wide characters matter (`ResourceTable`).
    """
    if len(value) <= width:
        return value
    cut = ellipsis(ascii_only=ascii_only)
    return value[: max(0, width - len(cut))] + cut


def pct_style(pct: float | None) -> str:
    """A colour for a coverage percentage (the number itself is always shown)."""
    if pct is None:
        return "dim"
    if pct >= 90:
        return "green"
    if pct >= 50:
        return "yellow"
    return GAP_STYLE


def pct_symbol(pct: float | None, *, ascii_only: bool = False) -> str:
    """A symbol for a coverage percentage, for NO_COLOR terminals: full, partial, poor, none."""
    if pct is None:
        return "-"
    if pct >= 90:
        return symbol(Status.logged, ascii_only=ascii_only)
    if pct >= 50:
        return symbol(Status.partial, ascii_only=ascii_only)
    return symbol(Status.missing, ascii_only=ascii_only)
