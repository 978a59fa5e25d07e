"""Every sub-command's `--help` says what it does, its defaults and the exit codes (14.9)."""

from __future__ import annotations

import argparse

import pytest

from blindspot.cli import build_parser


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_help_has_a_description_defaults_and_exit_codes(name: str) -> None:
    sub = _subcommands()[name]
    text = sub.format_help()
    assert sub.description, f"`blindspot {name} --help` has no description"
    assert "exit codes:" in text and "130" in text and "  2    usage error" in text
    for action in sub._actions:
        if not action.option_strings or action.help is argparse.SUPPRESS:
            continue
        assert action.help, f"{name} {action.option_strings[0]} has no help"
        if action.default not in (None, False, [], argparse.SUPPRESS):
            shown = sub._get_formatter()._get_help_string(action) or ""
            assert "default" in shown, f"{name} {action.option_strings[0]}: {shown}"


def test_trace_help_says_depth_default_and_what_type_takes() -> None:
    text = _subcommands()["trace"].format_help()
    assert "hops to follow (default: 2)" in " ".join(text.split())
    assert "EC2::Subnet" in text


def test_report_account_says_what_it_takes() -> None:
    text = " ".join(_subcommands()["report"].format_help().split())
    assert "12-digit id or the account's name" in text
