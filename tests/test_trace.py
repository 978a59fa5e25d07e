"""`blindspot trace`: tree, JSON, DOT and Mermaid renderings of a trace."""

from __future__ import annotations

import json
import re

import pytest
from factories import (
    ENI,
    INSTANCE,
    SG,
    SUBNET,
    VPC,
    check_dot,
    cov,
    rel,
    resource,
    small_estate,
    snapshot,
)

from benchmarks.synthetic import generate
from blindspot.cli import main
from snapshot.graph import CoverageGraph
from snapshot.io import load_snapshot, save_snapshot
from snapshot.model import REGION_TYPE
from snapshot.render.trace import dot_quote, mermaid_escape, render

EVIL = 'evil"]; x -> y; subgraph {\\ <b>|`#\x1b[31m'


@pytest.fixture
def small_file(tmp_path):
    return str(save_snapshot(small_estate(), tmp_path / "small.json"))


def run_trace(capsys, *argv) -> tuple[int, str, str]:
    code = main(["trace", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_contract(capsys, small_file):
    code, out, _ = run_trace(capsys, small_file, "sg-1", "--depth", "1", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["root"] == SG
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {SG, VPC, ENI, INSTANCE}
    for node in data["nodes"]:
        assert {"id", "type", "depth", "layers"} <= set(node)
    assert nodes[INSTANCE]["layers"] == {"host": "missing", "network": "logged"}
    assert nodes[INSTANCE]["depth"] == 1
    assert nodes[SG]["depth"] == 0
    edges = {(e["source"], e["target"], e["name"]) for e in data["edges"]}
    assert (SG, VPC, "Is contained in Vpc") in edges
    assert (INSTANCE, SG, "Is associated with SecurityGroup") in edges
    assert all(e["source"] in nodes and e["target"] in nodes for e in data["edges"])


def test_depth_limits_the_trace(capsys, small_file):
    _, out, _ = run_trace(capsys, small_file, "vpc-1", "--depth", "0", "--format", "json")
    assert [n["id"] for n in json.loads(out)["nodes"]] == [VPC]
    _, out, _ = run_trace(capsys, small_file, "vpc-1", "--depth", "2", "--format", "json")
    assert max(n["depth"] for n in json.loads(out)["nodes"]) == 2


def test_filters_from_the_command_line(capsys, small_file):
    _, out, _ = run_trace(
        capsys,
        small_file,
        "i-1",
        "--depth",
        "3",
        "--type",
        "AWS::EC2::SecurityGroup",
        "--format",
        "json",
    )
    assert {n["id"] for n in json.loads(out)["nodes"]} == {INSTANCE, SG}
    _, out, _ = run_trace(
        capsys, small_file, "i-1", "--relationship", "Is associated with", "--format", "json"
    )
    names = {e["name"] for e in json.loads(out)["edges"]}
    assert names == {"Is associated with SecurityGroup"}


def test_tree_marks_gaps_and_hops(capsys, small_file):
    code, out, _ = run_trace(capsys, small_file, "web-sg", "--depth", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith('sg-1 "web-sg" (AWS::EC2::SecurityGroup)')
    instance_line = next(line for line in lines if 'i-1 "web-1"' in line)
    assert "GAP: host" in instance_line
    assert "host ✗ missing" in instance_line and "network ✓ logged" in instance_line
    assert "←[Is associated with SecurityGroup]-" in instance_line  # instance is the source
    vpc_line = next(line for line in lines if "vpc-1" in line)
    assert "-[Is contained in Vpc]→" in vpc_line and "GAP" not in vpc_line
    assert "4 resources within depth 1, 1 with gaps" in out


def test_tree_ascii_fallback():
    graph = CoverageGraph(small_estate())
    out = render(graph.trace(SG, 1), "tree", ascii_only=True)
    assert out.isascii()
    assert "host x missing" in out and "!! GAP: host" in out


def test_tree_lists_non_tree_edges(capsys, small_file):
    _, out, _ = run_trace(capsys, small_file, "i-1", "--depth", "2")
    assert "Other relationships between them" in out
    graph = CoverageGraph(small_estate())
    trace = graph.trace(INSTANCE, 2)
    hops = len(trace.nodes) - 1
    listed = out.split("Other relationships between them (")[1].split(")")[0]
    assert int(listed) == len(trace.edges) - hops


def test_unknown_resource_is_one_line_exit_2(capsys, small_file):
    code, out, err = run_trace(capsys, small_file, "i-doesnotexist")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no resource matches" in err


def test_hostile_names_are_escaped(capsys, tmp_path):
    snap = snapshot(
        [
            resource(VPC, "AWS::EC2::VPC", cov("network", "logged"), name=EVIL),
            resource(SUBNET, "AWS::EC2::Subnet", cov("network", "missing"), name="s"),
        ],
        [rel(SUBNET, VPC, 'Is contained in "Vpc" -> x')],
    )
    path = str(save_snapshot(snap, tmp_path / "evil.json"))
    for fmt in ("tree", "json", "dot", "mermaid"):
        code, out, _ = run_trace(capsys, path, VPC, "--format", fmt)
        assert code == 0
        assert "\x1b" not in out
    _, dot, _ = run_trace(capsys, path, VPC, "--format", "dot")
    assert check_dot(dot)
    _, mermaid, _ = run_trace(capsys, path, VPC, "--format", "mermaid")
    label_lines = [line for line in mermaid.splitlines() if line.strip().startswith("n0[")]
    assert label_lines and '"]; x' not in label_lines[0]
    assert re.fullmatch(r'  n0\["[^"\[\]|`]*"\]', label_lines[0])


def test_mermaid_ids_and_edges(capsys, small_file):
    _, out, _ = run_trace(capsys, small_file, "vpc-1", "--depth", "2", "--format", "mermaid")
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    node_lines = [line for line in lines if re.match(r"  n\d+\[", line)]
    assert len(node_lines) == 5
    edge_lines = [line for line in lines if "-->" in line]
    assert all(re.fullmatch(r'  n\d+ -->\|"[^"]*"\| n\d+', line) for line in edge_lines)
    assert any(line.startswith("  class ") and line.endswith(" gap;") for line in lines)


def test_mermaid_escape():
    assert mermaid_escape('a"b<c>|d') == "a#quot;b#lt;c#gt;#124;d"
    assert "\x1b" not in mermaid_escape("\x1b[2J")


def test_dot_quote():
    assert dot_quote('a"b') == '"a\\"b"'
    assert dot_quote("a\\b") == '"a\\\\b"'
    assert dot_quote("a\nb") == '"a\\nb"'


def test_check_dot_rejects_broken_dot():
    assert not check_dot('digraph x {\n  "a -> "b" [label="x"];\n}\n')
    assert not check_dot('digraph x {\n  "a" [label="x\\"];\n}\n')
    assert check_dot('digraph x {\n  "a" -> "b" [label="x\\"y"];\n}\n')


def test_dot_on_synthetic(capsys, tmp_path):
    snap = generate(3000, accounts=2, regions=2, seed=5)
    path = str(save_snapshot(snap, tmp_path / "syn.json"))
    graph = CoverageGraph(load_snapshot(path))
    instance = next(r for r in snap.resources if r.type == "AWS::EC2::Instance")
    for fmt in ("tree", "json", "dot", "mermaid"):
        code, out, _ = run_trace(capsys, path, instance.id, "--depth", "3", "--format", fmt)
        assert code == 0 and out
        if fmt == "dot":
            assert check_dot(out)
        if fmt == "json":
            data = json.loads(out)
            trace = graph.trace(instance.id, 3)
            assert len(data["nodes"]) == len(trace.nodes) > 3
            assert {n["account"] for n in data["nodes"]} == {instance.account}
            assert not {n["type"] for n in data["nodes"]} & {"AWS::::Account", REGION_TYPE}
