"""`blindspot report`: figures, formats, filters and --fail-under."""

from __future__ import annotations

import csv
import io
import json

import pytest
from factories import A1, A2, VPC, arn, cov, rel, resource, small_estate, snapshot

from benchmarks.synthetic import generate
from blindspot.cli import main
from snapshot.graph import CoverageGraph
from snapshot.io import save_snapshot
from snapshot.model import Account, CollectionError
from snapshot.render.report import ReportError, build_report, csv_safe, render

COUNT_KEYS = {"logged", "partial", "missing", "unknown", "coverage_pct"}


@pytest.fixture
def small_file(tmp_path):
    return str(save_snapshot(small_estate(), tmp_path / "small.json"))


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("syn") / "syn.json.gz"
    return str(save_snapshot(generate(3000, accounts=3, regions=2, seed=11), path))


def report_json(capsys, *argv) -> dict:
    assert main(["report", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_shape_and_figures(capsys, small_file):
    data = report_json(capsys, small_file)
    assert set(data) == {"totals", "accounts", "unknown_records"}
    assert data["unknown_records"] == {"baseline": 1, "extended": 0}  # the function's record
    assert list(data["totals"]) == [
        "account",
        "host",
        "database",
        "network",
        "access",
        "serverless",
    ]
    assert all(set(c) == COUNT_KEYS for c in data["totals"].values())
    assert data["totals"]["network"] == {
        "logged": 4,
        "partial": 0,
        "missing": 0,
        "unknown": 0,
        "coverage_pct": 100.0,
    }
    assert data["totals"]["account"]["coverage_pct"] == 25.0  # one partial, one missing
    assert [a["id"] for a in data["accounts"]] == [A1, A2]
    assert data["accounts"][0]["name"] == "prod"
    a2 = data["accounts"][1]["layers"]
    assert a2["database"]["logged"] == 1
    assert a2["host"]["coverage_pct"] is None  # nothing to score is not 0 %


def test_layer_and_account_filters(capsys, small_file):
    data = report_json(capsys, small_file, "--layer", "host", "--layer", "network")
    assert list(data["totals"]) == ["host", "network"]
    data = report_json(capsys, small_file, "--account", "data")  # by name
    assert [a["id"] for a in data["accounts"]] == [A2]
    assert data["totals"]["network"]["logged"] == 0
    assert data["totals"]["database"]["logged"] == 1
    data = report_json(capsys, small_file, "--account", A1)
    assert [a["id"] for a in data["accounts"]] == [A1]
    assert data["totals"]["network"]["logged"] == 4


def test_unknown_account_is_usage_error(capsys, small_file):
    assert main(["report", small_file, "--account", "999999999999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no account" in err


def test_ambiguous_account_name():
    snap = small_estate()
    snap.accounts = [Account(id=A1, name="twin"), Account(id=A2, name="twin")]
    with pytest.raises(ReportError, match="ambiguous"):
        build_report(CoverageGraph(snap), accounts=["twin"])


def test_fail_under(capsys, small_file):
    assert main(["report", small_file, "--fail-under", "60"]) == 0  # exactly 60.0 %
    assert main(["report", small_file, "--fail-under", "60.1"]) == 1
    assert "below" in capsys.readouterr().err
    # Selected layers only: network alone is 100 %.
    assert main(["report", small_file, "--layer", "network", "--fail-under", "99"]) == 0
    assert main(["report", small_file, "--layer", "host", "--fail-under", "1"]) == 1


def test_fail_under_with_nothing_to_score_passes(capsys, small_file):
    code = main(["report", small_file, "--account", A2, "--layer", "host", "--fail-under", "50"])
    assert code == 0
    assert "nothing to score" in capsys.readouterr().err


def test_table_is_aligned_and_has_totals(capsys, small_file):
    assert main(["report", small_file]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("ACCOUNT"))
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert header.index("OVERALL") + len("OVERALL") == len(total)  # right-aligned column
    assert total.endswith("60.0%")
    assert any(line.startswith(A1) and line.endswith("62.5%") for line in lines)
    assert any(line.startswith("all") and line.endswith("60.0%") for line in lines)


def test_markdown(capsys, small_file):
    assert main(["report", small_file, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| ACCOUNT | NAME |" in out
    assert "| TOTAL |" in out
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert len({line.count("|") for line in rows[:5]}) == 1  # one column count per table


def test_markdown_escapes_pipes_in_names():
    snap = small_estate()
    snap.accounts[0].name = "a|b"
    out = render(build_report(CoverageGraph(snap)), "markdown")
    assert "a\\|b" in out


def test_csv_rows_and_formula_neutralised():
    snap = small_estate()
    snap.accounts[0].name = '=HYPERLINK("http://evil")'
    out = render(build_report(CoverageGraph(snap)), "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "account",
        "name",
        "layer",
        "logged",
        "partial",
        "missing",
        "unknown",
        "coverage_pct",
    ]
    assert len(rows) == 1 + 6 * 3  # two accounts and TOTAL, six layers each
    prod = [r for r in rows if r[0] == A1]
    assert all(r[1].startswith("'=") for r in prod)
    network_total = next(r for r in rows if r[0] == "TOTAL" and r[2] == "network")
    assert network_total[3:] == ["4", "0", "0", "0", "100.0"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("prod", "prod"),
        ("a=b", "a=b"),
        (3, "3"),
        (None, ""),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
def test_every_format_on_synthetic(capsys, synthetic_file, fmt):
    assert main(["report", synthetic_file, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.strip()
    if fmt == "json":
        data = json.loads(out)
        assert len(data["accounts"]) == 3
        total = sum(
            sum(c[k] for k in ("logged", "partial", "missing", "unknown"))
            for c in data["totals"].values()
        )
        assert total > 2000  # most resources have scored layers (SGs, roles, log groups not)


def test_synthetic_totals_match_graph(synthetic_file):
    from snapshot.io import load_snapshot

    graph = CoverageGraph(load_snapshot(synthetic_file))
    report = build_report(graph)
    totals = graph.totals()
    for layer, counts in report.totals.items():
        assert counts.as_dict() == totals[layer].as_dict()
    account_sum = sum(row.overall.total for row in report.accounts)
    assert account_sum == report.overall.total


def test_inconsistent_snapshot_is_reported_on_stderr(capsys, tmp_path):
    snap = small_estate()
    snap.resources.append(snap.resources[3].model_copy())  # a duplicate id
    snap.relationships.append(rel(VPC, "arn:aws:ec2:us-east-1:111111111111:vpc/gone", "x"))
    path = str(save_snapshot(snap, tmp_path / "odd.json"))
    assert main(["report", path, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "1 duplicate resource ids" in captured.err
    assert "1 relationships name resources that are not in the snapshot" in captured.err
    assert json.loads(captured.out)["totals"]["network"]["logged"] == 4  # duplicate not counted


def test_consistent_snapshot_has_no_notes(capsys, small_file):
    assert main(["report", small_file]) == 0
    assert capsys.readouterr().err == ""


def test_collection_errors_mentioned_in_table(tmp_path, capsys):
    snap = small_estate()
    snap.errors = [
        CollectionError(account=A2, region="us-east-1", service="rds", code="AccessDenied"),
    ]
    path = str(save_snapshot(snap, tmp_path / "errors.json"))
    assert main(["report", path]) == 0
    assert "1 collection errors recorded" in capsys.readouterr().out
    assert main(["report", path, "--account", A1]) == 0
    assert "collection errors" not in capsys.readouterr().out
    assert main(["report", path, "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"totals", "accounts", "unknown_records"}


def test_unknown_records_said_apart_from_the_matrix(tmp_path, capsys):
    """A `missing` control outranks an `unknown` one of the same resource-layer, and extended
    controls are not scored: the report still says how many records were not decided."""
    instance = arn("instance", "i-9")
    snap = snapshot(
        [
            resource(
                instance,
                "AWS::EC2::Instance",
                cov("host", "missing", "cloudwatch-agent"),
                cov("host", "unknown", "ssm-inventory"),
                cov("host", "unknown", "host-extended", expectation="extended"),
                cov("network", "logged", "vpc-flow-logs"),
            )
        ]
    )
    path = str(save_snapshot(snap, tmp_path / "unknown.json"))
    data = report_json(capsys, path)
    assert data["totals"]["host"]["unknown"] == 0 and data["totals"]["host"]["missing"] == 1
    assert data["unknown_records"] == {"baseline": 1, "extended": 1}
    assert main(["report", path]) == 0
    assert "2 control records are unknown: 1 of baseline controls" in capsys.readouterr().out
    assert (
        data["unknown_records"] == report_json(capsys, path, "--layer", "host")["unknown_records"]
    )
    assert report_json(capsys, path, "--layer", "network")["unknown_records"] == {
        "baseline": 0,
        "extended": 0,
    }
