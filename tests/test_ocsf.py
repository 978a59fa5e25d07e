"""`blindspot export --format ocsf|ocsf-jsonl`: OCSF Compliance Findings, validated with
py-ocsf-models (the library Prowler uses), one per resource and baseline control."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from factories import A1, A2, BUCKET, DB, FUNCTION, INSTANCE, SUBNET, VPC, small_estate
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.resource_details import ResourceDetails

from blindspot.cli import main
from snapshot.io import save_snapshot
from snapshot.model import region_node_id
from snapshot.render import ocsf


def _findings(snap=None) -> list[dict]:
    return list(ocsf.iter_findings(snap or small_estate()))


def _by(findings: list[dict], resource_id: str, control: str) -> dict:
    found = [
        f
        for f in findings
        if f["resources"][0]["uid"] == resource_id and f["compliance"]["control"] == control
    ]
    assert len(found) == 1, (resource_id, control, len(found))
    return found[0]


def test_every_finding_validates_as_an_ocsf_compliance_finding():
    findings = _findings()
    assert findings
    for item in findings:
        model = ComplianceFinding.model_validate(item)
        assert model.class_uid == 2003 and int(model.type_uid) == 200301
        Cloud.model_validate(item["cloud"])  # cloud profile: not part of the class model
        for res in item["resources"]:
            ResourceDetails.model_validate(res)


def test_one_finding_per_resource_and_baseline_control():
    findings = _findings()
    pairs = {(f["resources"][0]["uid"], f["compliance"]["control"]) for f in findings}
    assert len(pairs) == len(findings) == 11
    # extended controls, not_applicable records and records inherited from the region are out
    assert (region_node_id(A1, "us-east-1"), "cloudtrail-insights") not in pairs
    assert (INSTANCE, "ssm-session-logging") not in pairs
    assert (FUNCTION, "elb-access-logs") not in pairs
    # inherited from another resource (subnet <- VPC) is a verdict on this resource: kept
    assert (SUBNET, "vpc-flow-logs") in pairs


@pytest.mark.parametrize(
    ("resource_id", "control", "compliance", "detail_start"),
    [
        (VPC, "vpc-flow-logs", ("Pass", 1), "test evidence"),
        (INSTANCE, "cloudwatch-agent", ("Fail", 3), "test evidence"),
        (BUCKET, "s3-server-access-logs", ("Fail", 3), "partial: "),
        (FUNCTION, "lambda-logging", ("Warning", 2), "unknown: "),
    ],
)
def test_status_mapping(resource_id, control, compliance, detail_start):
    item = _by(_findings(), resource_id, control)
    assert (item["compliance"]["status"], item["compliance"]["status_id"]) == compliance
    assert item["status_detail"].startswith(detail_start)
    assert item["status_code"] in {"logged", "missing", "partial", "unknown"}
    assert item["status_id"] == 1  # New: workflow state belongs to the consumer


def test_partial_detail_says_what_is_missing_from_the_catalogue():
    item = _by(_findings(), BUCKET, "s3-server-access-logs")
    assert "test evidence for access" in item["status_detail"]
    assert len(item["status_detail"]) > len("partial: test evidence for access")


def test_severity_by_layer_and_control():
    findings = _findings()
    trail_missing = _by(findings, region_node_id(A2, "us-east-1"), "cloudtrail-management-events")
    assert trail_missing["severity"] == "Critical" and trail_missing["severity_id"] == 5
    agent_missing = _by(findings, INSTANCE, "cloudwatch-agent")
    assert agent_missing["severity_id"] == 3  # host layer: Medium
    assert _by(findings, VPC, "vpc-flow-logs")["severity_id"] == 1  # a pass is Informational
    assert _by(findings, BUCKET, "s3-server-access-logs")["severity_id"] == 2  # partial: lower
    assert _by(findings, FUNCTION, "lambda-logging")["severity_id"] == 2  # serverless: Low


def test_resource_cloud_time_evidence_and_remediation():
    snap = small_estate()
    snap.generated_at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    item = _by(_findings(snap), INSTANCE, "cloudwatch-agent")
    assert item["resources"][0]["uid"] == INSTANCE
    assert item["resources"][0]["type"] == "AWS::EC2::Instance"
    assert item["resources"][0]["labels"] == ["env=prod"]
    assert item["cloud"]["account"]["uid"] == A1 and item["cloud"]["account"]["name"] == "prod"
    assert item["cloud"]["region"] == "us-east-1"
    assert item["time"] == 1796029200000 and item["time_dt"] == "2026-11-30T09:00:00Z"
    assert item["evidences"][0]["data"]["evidence"] == "test evidence for host"
    # the fix names this instance (snapshot.queries), not the catalogue's <instance-id>
    assert item["remediation"]["desc"].startswith("aws ssm send-command")
    assert "Values=i-1" in item["remediation"]["desc"] and "<" not in item["remediation"]["desc"]
    bucket = _by(_findings(snap), BUCKET, "s3-server-access-logs")
    assert "--bucket logs-bucket" in bucket["remediation"]["desc"]
    placeholders = bucket["unmapped"]["blindspot"]["remediation_placeholders"]
    assert placeholders == "placeholders left: <log-bucket> (your choice)"
    assert "remediation" not in _by(_findings(snap), DB, "rds-log-exports")  # nothing to fix


def test_finding_uid_is_stable_and_distinct():
    first = [f["finding_info"]["uid"] for f in _findings()]
    second = [f["finding_info"]["uid"] for f in _findings()]
    assert first == second
    assert len(set(first)) == len(first)
    assert ocsf.finding_uid(A1, VPC, "vpc-flow-logs") != ocsf.finding_uid(A2, VPC, "vpc-flow-logs")


@pytest.mark.parametrize("fmt", ["ocsf", "ocsf-jsonl"])
def test_cli_writes_json_array_and_json_lines(tmp_path, fmt, capsys):
    source = save_snapshot(small_estate(), tmp_path / "s.json")
    out = tmp_path / f"out.{fmt}"
    assert main(["export", str(source), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text()
    items = json.loads(text) if fmt == "ocsf" else [json.loads(x) for x in text.splitlines()]
    assert len(items) == 11
    for item in items:
        ComplianceFinding.model_validate(item)
    assert "wrote 11 OCSF findings" in capsys.readouterr().err


def test_cli_stdout_and_unwritable_target(tmp_path, capsys):
    source = save_snapshot(small_estate(), tmp_path / "s.json")
    assert main(["export", str(source), "--format", "ocsf-jsonl", "-o", "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 11
    bad = tmp_path / "no-such-dir" / "x.json"
    assert main(["export", str(source), "--format", "ocsf", "-o", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("blindspot: cannot write") and err.count("\n") == 1
    assert not list(tmp_path.glob("**/*.tmp"))


def test_empty_snapshot_is_an_empty_array():
    snap = small_estate()
    snap.resources = []
    assert json.loads(b"".join(ocsf.stream(snap, "ocsf"))) == []
    assert b"".join(ocsf.stream(snap, "ocsf-jsonl")) == b""


def test_demo_findings_all_validate():
    from snapshot.io import load_snapshot

    snap = load_snapshot("blindspot/data/demo-small.json.gz")
    findings = _findings(snap)
    assert len(findings) > 100
    for item in findings:
        ComplianceFinding.model_validate(item)
    failing = [f for f in findings if f["compliance"]["status"] == "Fail"]
    assert failing and all(f["severity_id"] >= 2 for f in failing)
    # a gap names the ATT&CK techniques it hides; a pass names none
    flow = next(f for f in failing if f["compliance"]["control"] == "vpc-flow-logs")
    subs = {a.get("sub_technique", {}).get("uid") for a in flow["finding_info"]["attacks"]}
    assert "T1498.001" in subs  # Direct Network Flood: Network Traffic Flow from flow logs
    flood = next(
        a
        for a in flow["finding_info"]["attacks"]
        if a.get("sub_technique", {}).get("uid") == "T1498.001"
    )
    assert flood["technique"] == {
        "uid": "T1498",
        "name": "Network Denial of Service",
        "src_url": "https://attack.mitre.org/techniques/T1498/",
    }
    passing = [f for f in findings if f["compliance"]["status"] == "Pass"]
    assert passing and not any("attacks" in f["finding_info"] for f in passing)


def test_hostile_strings_stay_data(tmp_path):
    """Names, tags and evidence from AWS may hold quotes, markup and terminal escapes: the
    file is still JSON, each finding still validates, and no raw escape reaches it."""
    snap = small_estate()
    bucket = next(r for r in snap.resources if r.id == BUCKET)
    bucket.name = 'logs"},{"x":"\x1b]0;PWNED\x07'
    bucket.tags = {"k\u202e": "[bold]v[/]"}
    bucket.coverage[0].evidence = "s3:GetBucketLogging: \x1b[31mnone\x1b[0m\n"
    source = save_snapshot(snap, tmp_path / "hostile.json")
    out = tmp_path / "hostile.ocsf.json"
    assert main(["export", str(source), "--format", "ocsf", "-o", str(out)]) == 0
    text = out.read_text()
    assert "\x1b" not in text and "\x07" not in text
    items = json.loads(text)
    for item in items:
        ComplianceFinding.model_validate(item)
    hostile = _by(items, BUCKET, "s3-server-access-logs")
    assert hostile["resources"][0]["name"].startswith('logs"},{"x":"')
    assert len(items) == 11  # the quotes did not make or break a finding
