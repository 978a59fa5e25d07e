"""`blindspot diff`: appeared and vanished resources, control changes, both formats."""

from __future__ import annotations

import json

import pytest
from factories import BUCKET, DB, FUNCTION, INSTANCE, VPC, cov, resource, small_estate

from benchmarks.synthetic import generate
from blindspot.cli import main
from snapshot.io import save_snapshot
from snapshot.model import Status
from snapshot.render.diff import diff_snapshots, render

NEW_VPC = "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-new"


def changed_estate():
    """small_estate with: instance agent fixed (better), bucket logs lost (worse),
    a new control on the function, the DB gone and a new VPC."""
    snap = small_estate()
    by_id = {r.id: r for r in snap.resources}
    by_id[INSTANCE].coverage[0].status = Status.logged  # cloudwatch-agent missing -> logged
    by_id[BUCKET].coverage[0].status = Status.missing  # s3-server-access-logs partial -> missing
    by_id[FUNCTION].coverage.append(cov("account", "logged", "cloudtrail-lambda-data-events"))
    snap.resources = [r for r in snap.resources if r.id != DB]
    snap.resources.append(resource(NEW_VPC, "AWS::EC2::VPC", cov("network", "missing")))
    return snap


def test_diff_finds_every_change():
    result = diff_snapshots(small_estate(), changed_estate())
    assert [r.id for r in result.appeared] == [NEW_VPC]
    assert result.appeared[0].gaps == ["network"]
    assert [r.id for r in result.vanished] == [DB]
    changes = {(c.resource, c.control): c for c in result.controls}
    assert set(changes) == {
        (INSTANCE, "cloudwatch-agent"),
        (BUCKET, "s3-server-access-logs"),
        (FUNCTION, "cloudtrail-lambda-data-events"),
    }
    agent = changes[(INSTANCE, "cloudwatch-agent")]
    assert (agent.old, agent.new, agent.change, agent.direction) == (
        "missing",
        "logged",
        "changed",
        "better",
    )
    bucket = changes[(BUCKET, "s3-server-access-logs")]
    assert (bucket.old, bucket.new, bucket.direction) == ("partial", "missing", "worse")
    new_control = changes[(FUNCTION, "cloudtrail-lambda-data-events")]
    assert (new_control.old, new_control.new, new_control.change) == (None, "logged", "appeared")


def test_reverse_diff_mirrors():
    result = diff_snapshots(changed_estate(), small_estate())
    assert [r.id for r in result.vanished] == [NEW_VPC]
    assert [r.id for r in result.appeared] == [DB]
    gone = next(c for c in result.controls if c.control == "cloudtrail-lambda-data-events")
    assert (gone.change, gone.old, gone.new) == ("vanished", "logged", None)


def test_identical_snapshots_have_no_changes():
    result = diff_snapshots(small_estate(), small_estate())
    assert result.appeared == [] and result.vanished == [] and result.controls == []
    assert result.old_coverage_pct == result.new_coverage_pct == 60.0


def test_coverage_before_and_after():
    result = diff_snapshots(small_estate(), changed_estate())
    assert result.old_coverage_pct == 60.0
    # logged: network 4 + host 1 + the function's new account control 1 = 6 (the DB is gone);
    # partial: A1's region 1; missing: A2's region, bucket, new VPC = 3; unknown 1.
    assert result.new_coverage_pct == round(100 * (6 + 0.5) / 11, 1)


def test_json_output(tmp_path, capsys):
    old = save_snapshot(small_estate(), tmp_path / "old.json")
    new = save_snapshot(changed_estate(), tmp_path / "new.json.gz")
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {
        "resources_appeared": 1,
        "resources_vanished": 1,
        "controls_changed": 3,
        "worse": 1,
        "better": 2,
    }
    assert data["resources"]["vanished"][0]["id"] == DB
    assert {c["control"] for c in data["controls"]} == {
        "cloudwatch-agent",
        "s3-server-access-logs",
        "cloudtrail-lambda-data-events",
    }


def test_table_output(tmp_path, capsys):
    old = save_snapshot(small_estate(), tmp_path / "old.json")
    new = save_snapshot(changed_estate(), tmp_path / "new.json")
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "1 resources appeared, 1 vanished; 3 control changes (1 worse, 2 better)" in out
    lines = out.splitlines()
    first_change = lines[lines.index("Control changes") + 3]
    assert first_change.startswith("worse") and BUCKET in first_change  # worst first
    assert any(NEW_VPC in line and line.rstrip().endswith("network") for line in lines)


def test_bad_second_file_is_one_line(tmp_path, capsys):
    old = save_snapshot(small_estate(), tmp_path / "old.json")
    assert main(["diff", str(old), str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.json" in err


def test_duplicate_records_of_one_control_take_the_worst():
    old = small_estate()
    new = small_estate()
    vpc = next(r for r in new.resources if r.id == VPC)
    vpc.coverage.append(cov("network", "missing", "vpc-flow-logs"))
    result = diff_snapshots(old, new)
    assert [(c.control, c.old, c.new) for c in result.controls] == [
        ("vpc-flow-logs", "logged", "missing")
    ]


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_synthetic_diff(fmt):
    old = generate(3000, accounts=2, regions=2, seed=8)
    new = old.model_copy(deep=True)
    for r in new.resources:
        for record in r.coverage:
            if record.control == "vpc-flow-logs" and record.status is Status.logged:
                record.status = Status.missing
                break
    new.resources = new.resources[:-10]
    result = diff_snapshots(old, new)
    assert len(result.vanished) == 10
    assert result.appeared == []
    kept = {r.id for r in new.resources}
    expected = sum(
        1
        for r in old.resources
        if r.id in kept
        and any(c.control == "vpc-flow-logs" and c.status is Status.logged for c in r.coverage)
    )
    assert len(result.controls) == expected > 100
    assert all(c.direction == "worse" for c in result.controls)
    assert result.new_coverage_pct < result.old_coverage_pct
    assert render(result, fmt)


@pytest.mark.parametrize(
    ("status", "appeared", "vanished"),
    [
        ("missing", "worse", "better"),  # a new gap is worse; a gap no longer there, better
        ("unknown", "worse", "better"),
        ("partial", "better", "worse"),  # new coverage is better; lost coverage, worse
        ("logged", "better", "worse"),
    ],
)
def test_a_control_that_appears_or_vanishes_ranks_by_its_status(status, appeared, vanished):
    before = small_estate()
    after = small_estate()
    function = next(r for r in after.resources if r.id == FUNCTION)
    function.coverage.append(cov("account", status, "cloudtrail-lambda-data-events"))

    def direction(old, new):
        change = next(
            c for c in diff_snapshots(old, new).controls if c.control.startswith("cloudtrail-l")
        )
        return change.direction

    assert direction(before, after) == appeared
    assert direction(after, before) == vanished
