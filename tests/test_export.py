"""`blindspot export`: files read back with networkx, DOT checked for syntax."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from factories import (
    A1,
    DB,
    FUNCTION,
    INSTANCE,
    R1,
    SG,
    VPC,
    check_dot,
    cov,
    resource,
    small_estate,
    snapshot,
)

from benchmarks.synthetic import generate
from blindspot.cli import main
from snapshot.graph import CoverageGraph
from snapshot.io import save_snapshot
from snapshot.model import region_node_id
from snapshot.render.export import export, xml_safe


@pytest.fixture
def small_file(tmp_path):
    return str(save_snapshot(small_estate(), tmp_path / "small.json"))


def run_export(tmp_path, snapshot_file: str, fmt: str, name: str = "out") -> str:
    out = tmp_path / f"{name}.{fmt}"
    assert main(["export", snapshot_file, "--format", fmt, "-o", str(out)]) == 0
    return str(out)


def test_graphml_reads_back_with_coverage(tmp_path, small_file):
    g = nx.read_graphml(run_export(tmp_path, small_file, "graphml"))
    graph = CoverageGraph(small_estate())
    assert g.number_of_nodes() == len(graph)
    assert g.number_of_edges() == graph.graph.number_of_edges()
    node = g.nodes[INSTANCE]
    assert node["type"] == "AWS::EC2::Instance"
    assert node["name"] == "web-1"
    assert node["account"] == A1 and node["region"] == R1
    assert node["layer_host"] == "missing" and node["layer_network"] == "logged"
    assert node["layer_database"] == "none"
    assert node["coverage_pct"] == 50.0
    assert node["gaps"] == 1
    assert node["tag:env"] == "prod"
    assert node["pseudo"] is False
    assert g.nodes[A1]["pseudo"] is True
    assert "coverage_pct" not in g.nodes[SG]  # nothing to score
    edge_names = {d["name"] for _, _, d in g.edges(data=True)}
    assert "Is associated with SecurityGroup" in edge_names
    assert "Is contained in Region" in edge_names  # scope edges, origin "scope"
    assert g.has_edge(SG, VPC) and not g.has_edge(VPC, SG)


def test_node_link_reads_back(tmp_path, small_file):
    with open(run_export(tmp_path, small_file, "node-link")) as handle:
        data = json.load(handle)
    assert "edges" in data and "links" not in data
    g = nx.node_link_graph(data, edges="edges")
    assert g.is_directed() and g.is_multigraph()
    assert g.nodes[DB]["layer_database"] == "logged"
    assert g.nodes[FUNCTION]["layer_serverless"] == "unknown"
    assert g.nodes[region_node_id(A1, R1)]["layer_account"] == "partial"
    assert g.number_of_edges() == CoverageGraph(small_estate()).graph.number_of_edges()


def test_dot_is_valid(tmp_path, small_file):
    with open(run_export(tmp_path, small_file, "dot")) as handle:
        text = handle.read()
    assert check_dot(text)
    assert f'"{INSTANCE}" [' in text
    assert f'"{SG}" -> "{VPC}"' in text


def test_hostile_strings_survive_every_format(tmp_path):
    evil = 'x"<y>&\x1b[2J\x00\ufffe\\ "'
    snap = snapshot(
        [
            resource(
                VPC,
                "AWS::EC2::VPC",
                cov("network", "logged"),
                name=evil,
                tags={"k<&>": evil, "Name": "=cmd|'/c calc'!A1"},
            )
        ]
    )
    graph = CoverageGraph(snap)
    g = nx.read_graphml(_write(tmp_path, export(graph, "graphml"), "evil.graphml"))
    assert g.nodes[VPC]["name"].startswith('x"<y>&')
    assert "\x1b" not in g.nodes[VPC]["name"]
    ET.fromstring(export(graph, "graphml"))  # well-formed XML
    data = json.loads(export(graph, "node-link"))
    assert nx.node_link_graph(data, edges="edges").nodes[VPC]["tag:k<&>"] == evil
    assert check_dot(export(graph, "dot").decode())


def _write(tmp_path, data: bytes, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_xml_safe():
    assert xml_safe("a\x00b\ufffec\x1bd") == "a\u2400bc\u241bd"  # shown, or dropped


def test_export_to_stdout(capsysbinary, small_file):
    assert main(["export", small_file, "--format", "node-link", "-o", "-"]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    assert len(data["nodes"]) == len(CoverageGraph(small_estate()))


def test_unwritable_output_is_one_line(capsys, tmp_path, small_file):
    code = main(["export", small_file, "--format", "dot", "-o", str(tmp_path / "no" / "x.dot")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


def test_synthetic_export_every_format(tmp_path):
    snap = generate(3000, accounts=3, regions=2, seed=21)
    path = str(save_snapshot(snap, tmp_path / "syn.json.gz"))
    graph = CoverageGraph(snap)
    g = nx.read_graphml(run_export(tmp_path, path, "graphml"))
    assert g.number_of_nodes() == len(graph)
    assert g.number_of_edges() == graph.graph.number_of_edges()
    with open(run_export(tmp_path, path, "node-link")) as handle:
        h = nx.node_link_graph(json.load(handle), edges="edges")
    assert h.number_of_nodes() == len(graph)
    with open(run_export(tmp_path, path, "dot")) as handle:
        assert check_dot(handle.read())


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_graphviz_lays_out_the_small_export(tmp_path, small_file):
    """Graphviz itself reads and lays out the file (only the small one: layout is slow)."""
    out = run_export(tmp_path, small_file, "dot")
    result = subprocess.run(
        ["dot", "-Tcanon", out], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert INSTANCE in result.stdout
