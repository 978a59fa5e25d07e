"""Renderers: a snapshot (or a view of it) turned into text, tables and graph files.

`FORMATS` is the one list of output formats. The command line's `--format` choices and help,
the explorer's exports and the README's command-line section are all read from it, so a new
format is one row here plus its writer in the command's module (a test checks that every
row has a writer and every writer a row).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputFormat:
    """One way a command can write its result."""

    command: str  #: the `blindspot` sub-command that writes it
    name: str  #: the `--format` value
    summary: str  #: one line for `--help` and the README
    suffix: str  #: file-name suffix when written to a file (the explorer's exports)


FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat("controls", "table", "the catalogue, one section a layer, for a terminal", ".txt"),
    OutputFormat("controls", "markdown", "every field of every control, for documentation", ".md"),
    OutputFormat("controls", "json", "every field of every control, for other tools", ".json"),
    OutputFormat("controls", "csv", "every field of every control, for a spreadsheet", ".csv"),
    OutputFormat("report", "table", "coverage per account and layer, for a terminal", ".txt"),
    OutputFormat("report", "markdown", "the same table for a ticket or a wiki", ".md"),
    OutputFormat("report", "json", "totals, accounts and layers with counts", ".json"),
    OutputFormat("report", "csv", "one row per account and layer", ".csv"),
    OutputFormat("trace", "tree", "related resources as an indented tree with gaps", ".txt"),
    OutputFormat("trace", "json", "nodes and edges with their coverage", ".json"),
    OutputFormat("trace", "dot", "Graphviz, gaps highlighted", ".dot"),
    OutputFormat("trace", "mermaid", "a Mermaid flowchart for Markdown", ".mmd"),
    OutputFormat("export", "graphml", "the whole graph for Gephi, yEd and networkx", ".graphml"),
    OutputFormat("export", "node-link", "networkx node-link JSON", ".json"),
    OutputFormat("export", "dot", "the whole graph for Graphviz", ".dot"),
    OutputFormat(
        "export",
        "ocsf",
        "OCSF Compliance Findings (JSON array) for a SIEM or Security Lake",
        ".json",
    ),
    OutputFormat("export", "ocsf-jsonl", "the same OCSF findings as JSON Lines", ".jsonl"),
    OutputFormat("attack", "table", "ATT&CK cloud techniques x accounts, for a terminal", ".txt"),
    OutputFormat("attack", "json", "techniques, data components, per-account status", ".json"),
    OutputFormat("attack", "markdown", "the same table for a ticket or a wiki", ".md"),
    OutputFormat("diff", "table", "coverage that appeared or disappeared, for a terminal", ".txt"),
    OutputFormat("diff", "json", "the same changes for other tools", ".json"),
    OutputFormat("gaps", "table", "each gap with evidence and its fix, for a terminal", ".txt"),
    OutputFormat("gaps", "csv", "one row per resource and gap, for a spreadsheet", ".csv"),
    OutputFormat("gaps", "json", "the same rows with placeholders left, for other tools", ".json"),
    OutputFormat("gaps", "markdown", "gaps and fixes per resource, for a ticket", ".md"),
    OutputFormat("incident", "markdown", "the incident plan to paste into a ticket", ".md"),
    OutputFormat("incident", "json", "sources, queries and blind spots, for other tools", ".json"),
    OutputFormat("explore-list", "csv", "the explorer's current resource list", ".csv"),
    OutputFormat("explore-trace", "json", "the explorer's current trace (as trace json)", ".json"),
)


def formats(command: str) -> tuple[OutputFormat, ...]:
    """The formats of one command, in the order `--help` lists them (the first is default)."""
    found = tuple(fmt for fmt in FORMATS if fmt.command == command)
    if not found:
        raise KeyError(f"no output formats registered for {command!r}")
    return found


def names(command: str) -> list[str]:
    """The `--format` choices of one command."""
    return [fmt.name for fmt in formats(command)]


def lookup(command: str, name: str) -> OutputFormat:
    for fmt in formats(command):
        if fmt.name == name:
            return fmt
    raise KeyError(f"unknown {command} format {name!r}")


def help_text(command: str) -> str:
    """`--format` help: each choice with its one-line summary."""
    return "; ".join(f"{fmt.name}: {fmt.summary}" for fmt in formats(command))
