"""One registry of output formats: every registered format has a writer, every writer is
registered, and the command line offers exactly the registered choices."""

from __future__ import annotations

import argparse

import pytest

from blindspot.cli import build_parser
from snapshot.render import (
    FORMATS,
    controls,
    diff,
    export,
    formats,
    gaps,
    incident,
    lookup,
    names,
    report,
    trace,
)

WRITERS = {
    "controls": controls.RENDERERS,
    "report": report.RENDERERS,
    "trace": trace.RENDERERS,
    "export": export.WRITERS,
    "diff": diff.RENDERERS,
    "gaps": gaps.RENDERERS,
    "incident": incident.RENDERERS,
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_every_registered_format_has_a_writer_and_back(command):
    assert set(names(command)) == set(WRITERS[command])


def _format_choices(command: str) -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in sub.choices[command]._actions if "--format" in a.option_strings)
    return list(option.choices)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_cli_choices_come_from_the_registry(command):
    assert _format_choices(command) == names(command)


def test_registry_rows_are_unique_and_named():
    keys = [(fmt.command, fmt.name) for fmt in FORMATS]
    assert len(keys) == len(set(keys))
    assert all(fmt.summary and fmt.suffix.startswith(".") for fmt in FORMATS)
    assert lookup("export", "graphml").suffix == ".graphml"
    with pytest.raises(KeyError):
        formats("no-such-command")
