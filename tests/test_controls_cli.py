"""`blindspot controls` prints the whole catalogue in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from blindspot.cli import main
from snapshot.catalogue import CATALOGUE
from snapshot.render.controls import FIELDS, render_table


def _run(capsys, *args: str) -> str:
    assert main(["controls", *args]) == 0
    return capsys.readouterr().out


def test_json_has_every_row_and_field(capsys):
    rows = json.loads(_run(capsys, "--format", "json"))
    assert [row["id"] for row in rows] == [c.id for c in CATALOGUE]
    assert all(set(row) == set(FIELDS) for row in rows)
    flow = next(row for row in rows if row["id"] == "vpc-flow-logs")
    assert flow["layer"] == "network" and flow["expectation"] == "baseline"
    assert flow["remediation"].startswith("aws ec2 create-flow-logs")
    assert "Network Traffic: Network Traffic Flow" in flow["attack_data_components"]


def test_csv_round_trips(capsys):
    rows = list(csv.DictReader(io.StringIO(_run(capsys, "--format", "csv"))))
    assert len(rows) == len(CATALOGUE)
    assert [row["id"] for row in rows] == [c.id for c in CATALOGUE]
    s3 = next(row for row in rows if row["id"] == "cloudtrail-s3-data-events")
    assert '{"Name":"S3 data events"' in s3["remediation"]  # quotes survive CSV quoting


def test_markdown_is_one_table_row_per_control(capsys):
    lines = _run(capsys, "--format", "markdown").splitlines()
    assert lines[0].startswith("| id | layer |")
    body = lines[2:]
    assert len(body) == len(CATALOGUE)
    columns = len(FIELDS) + 2  # leading and trailing pipes
    for line in body:
        # escaped pipes inside cells do not split columns
        assert len(line.replace("\\|", "").split("|")) == columns, line


def test_table_lists_every_control_by_layer_without_markup(capsys):
    out = _run(capsys)
    for layer in ("account", "host", "database", "network", "access", "serverless"):
        if any(str(c.layer) == layer for c in CATALOGUE):
            assert f"{layer} layer" in out
    for row in CATALOGUE:
        assert row.id in out
    assert "\x1b[" not in out  # plain text when not a terminal
    assert f"{len(CATALOGUE)} controls" in out


def test_table_fits_a_narrow_terminal():
    out = render_table(CATALOGUE, width=80)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_bad_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["controls", "--format", "yaml"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
