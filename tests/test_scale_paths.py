"""The paths made faster or leaner for organization-scale snapshots give the
same answers as the straightforward ones they replaced.

Figures are in benchmarks/README.md; these tests pin the behaviour: GraphML written as a
stream reads back exactly as networkx's own writer's output, the graph's adjacency lists
agree with its networkx view, loaded models share one fields-set without changing what
`model_fields_set` reports, loaded data is moved out of the garbage collector's way, and
the one-pass JSON escape scan treats runs of backslashes as the old three-pass one did.
"""

from __future__ import annotations

import gc
import io
import re

import networkx as nx
import orjson
import pytest
from factories import A1, INSTANCE, SG, VPC, rel, small_estate
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from benchmarks.synthetic import generate
from snapshot.graph import CoverageGraph
from snapshot.io import dump_snapshot, parse_snapshot
from snapshot.model import Coverage, Origin, Resource
from snapshot.render.export import export_graph, to_graphml
from snapshot.sanitize import clean_json_text


def _read(data: bytes) -> nx.Graph:
    return nx.read_graphml(io.BytesIO(data))


def _networkx_graphml(graph: CoverageGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml_xml(export_graph(graph, for_xml=True), buffer, encoding="utf-8")
    return buffer.getvalue()


def _hostile_estate():
    snap = small_estate()
    instance = next(r for r in snap.resources if r.id == INSTANCE)
    instance.tags['k"\x1b<&>'] = 'v&"\n<x>\x07'
    instance.name = "tab\there & <there>"
    # Two relationships between the same pair: a multigraph edge key 0 and 1.
    snap.relationships += [rel(INSTANCE, SG, "Is associated with SecurityGroup", "api")]
    return snap


def test_streamed_graphml_reads_back_like_networkx_output():
    graph = CoverageGraph(_hostile_estate())
    streamed, reference = _read(to_graphml(graph)), _read(_networkx_graphml(graph))
    assert isinstance(streamed, nx.MultiDiGraph) and isinstance(reference, nx.MultiDiGraph)
    assert dict(streamed.nodes(data=True)) == dict(reference.nodes(data=True))
    assert sorted(streamed.edges(keys=True, data=True), key=repr) == sorted(
        reference.edges(keys=True, data=True), key=repr
    )
    assert streamed.number_of_edges(INSTANCE, SG) == 2
    assert streamed.nodes[INSTANCE]['tag:k"␛<&>'] == 'v&"\n<x>␇'


def test_streamed_graphml_on_synthetic_estate_matches_networkx_output():
    graph = CoverageGraph(generate(600, accounts=2, regions=2, seed=3))
    streamed, reference = _read(to_graphml(graph)), _read(_networkx_graphml(graph))
    assert dict(streamed.nodes(data=True)) == dict(reference.nodes(data=True))
    assert streamed.number_of_edges() == reference.number_of_edges() == graph.number_of_edges()


def test_adjacency_agrees_with_the_networkx_view():
    graph = CoverageGraph(generate(400, accounts=2, regions=2, seed=9))
    view = graph.graph
    assert view.number_of_nodes() == len(graph)
    assert view.number_of_edges() == graph.number_of_edges()
    for resource_id in list(graph.resources)[:200]:
        expected = {
            (target, data["name"])
            for _, target, data in view.out_edges(resource_id, data=True)
            if data["origin"] is not Origin.scope
        } | {
            (source, data["name"])
            for source, _, data in view.in_edges(resource_id, data=True)
            if data["origin"] is not Origin.scope
        }
        found = {(n, name) for n, _, _, name, _ in graph.neighbours(resource_id)}
        assert found == expected


def test_a_scope_relationship_in_the_file_is_exported_but_never_a_hop():
    snap = small_estate()
    snap.relationships.append(rel(VPC, SG, "Is contained in Region", "scope"))
    graph = CoverageGraph(snap)
    assert (VPC, SG, "Is contained in Region") in {(s, t, n) for s, t, n, _ in graph.edges}
    hops = {(n, name) for n, _, _, name, _ in graph.neighbours(VPC)}
    assert (SG, "Is contained in Region") not in hops
    assert (SG, "Is contained in Vpc") in hops  # the real relationship still is
    assert graph.graph.has_edge(VPC, SG)


def test_loaded_records_share_one_fields_set_and_still_report_it():
    snap = parse_snapshot(dump_snapshot(small_estate()))
    records = [c for r in snap.resources for c in r.coverage]
    assert records and all(
        c.__pydantic_fields_set__ is records[0].__pydantic_fields_set__ for c in records
    )
    assert records[0].model_fields_set == set(Coverage.model_fields)
    records[0].evidence = "changed"
    assert records[1].model_fields_set == set(Coverage.model_fields)
    resources = [r for r in snap.resources if not r.is_pseudo]
    assert resources[0].model_fields_set == set(Resource.model_fields)


def test_partly_given_records_keep_their_own_fields_set():
    first = Coverage(layer="host", control="a", status="logged")
    second = Coverage(layer="host", control="b", status="missing")
    assert first.model_fields_set == {"layer", "control", "status"}
    first.evidence = "set later"
    assert first.model_fields_set == {"layer", "control", "status", "evidence"}
    assert second.model_fields_set == {"layer", "control", "status"}
    assert "evidence" not in second.model_dump(exclude_unset=True)


def test_loaded_snapshot_and_graph_are_moved_out_of_the_collectors_way():
    data = dump_snapshot(generate(300, accounts=1, regions=1, seed=1))
    gc.unfreeze()
    try:
        snap = parse_snapshot(data)
        assert gc.get_freeze_count() > 0
        graph = CoverageGraph(snap)
        tracked = {id(o) for o in gc.get_objects()}  # the collector's generations only
        assert id(snap.resources) not in tracked
        assert id(graph.edges) not in tracked and id(graph.resources) not in tracked
        assert gc.isenabled()
    finally:
        gc.unfreeze()


# -- the JSON escape scan ---------------------------------------------------------------------

# The previous implementation (three passes with look-behinds), kept as the reference.
_OLD_ESCAPED = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|061[cC]|200[eEfF]"
    r"|202[a-eA-E]|206[6-9]|[fF][eE][fF][fF])"
)
_OLD_SHORT = re.compile(r"(?<!\\)((?:\\\\)*)\\([bfr])")


def _old_stand_in(code: int) -> str:
    if code in (0x09, 0x0A):
        return chr(code)
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def _old_clean_escapes(text: str) -> str:
    def escaped(match: re.Match[str]) -> str:
        replacement = _old_stand_in(int(match.group(2), 16))
        if replacement in ("\t", "\n"):
            return match.group(0)
        return f"{match.group(1)}\\u{ord(replacement):04x}"

    def short(match: re.Match[str]) -> str:
        code = {"b": 0x08, "f": 0x0C, "r": 0x0D}[match.group(2)]
        return f"{match.group(1)}\\u{ord(_old_stand_in(code)):04x}"

    return _OLD_SHORT.sub(short, _OLD_ESCAPED.sub(escaped, text))


@pytest.mark.parametrize("backslashes", range(0, 6))
@pytest.mark.parametrize("escape", ["u001b", "u0009", "u0041", "b", "r", "n", "u202e", '"'])
def test_escape_scan_counts_backslashes_like_before(backslashes, escape):
    text = '{"k": "a' + "\\\\" * backslashes + "\\" + escape + 'z"}'
    assert clean_json_text(text) == _old_clean_escapes(text)
    orjson.loads(clean_json_text(text))


@given(
    st.lists(
        st.sampled_from(
            ["\\\\", "\\u001b", "\\b", "\\r", "\\n", "\\u0009", "x", "\\u200f", "\\u00e9", '\\"']
        ),
        max_size=12,
    )
)
def test_escape_scan_matches_the_old_scan_on_any_mix(pieces):
    text = '["' + "".join(pieces) + '", "' + A1 + '"]'
    assert clean_json_text(text) == _old_clean_escapes(text)
    assert orjson.loads(clean_json_text(text))[1] == A1


def test_generate_document_is_the_generated_snapshot_as_json():
    from benchmarks.synthetic import generate_document

    document = generate_document(400, accounts=2, regions=2, seed=4)
    assert parse_snapshot(orjson.dumps(document)) == generate(400, accounts=2, regions=2, seed=4)


# -- the streamed reader ---------------------------------------------------------------------


def _as_plain(value):
    """Records and models alike as plain JSON values (tuples as lists, enums as strings)."""
    import msgspec

    if isinstance(value, msgspec.Struct):
        return {f: _as_plain(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, BaseModel):
        return {f: _as_plain(getattr(value, f)) for f in type(value).model_fields}
    if isinstance(value, list | tuple):
        return [_as_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    return value


def _estate_document():
    snap = generate(1500, accounts=3, regions=2, seed=3)
    document = orjson.loads(dump_snapshot(snap))
    # Strings that hold the batch-cutting hint, escaped quotes and control characters.
    document["resources"][7]["name"] = 'evil "},{"id":"x"} \\u001b \x1b[31m'
    # An unknown field whose objects start with "id": the hint matches inside a resource.
    document["resources"][9]["extra"] = [{"id": 1}, {"id": 2, "more": [{"id": 3}]}]
    document["relationships"][3]["name"] = 'a"},{"source":"b'
    return document


@pytest.mark.parametrize(
    "form", ["compact", "indented", "reordered", "gzip", "tiny-batches", "tiny-batches-indented"]
)
def test_streamed_reader_reads_what_the_model_reader_reads(tmp_path, form, monkeypatch):
    """Every field of every record equals the model's, whatever the layout of the file."""
    import gzip
    import json

    from snapshot.index import scan
    from snapshot.io import load_snapshot, open_snapshot

    document = _estate_document()
    if form == "reordered":  # the big arrays first, schema_version last
        document = {k: document[k] for k in reversed(list(document))}
    indent = 2 if "indented" in form else None
    data = json.dumps(document, indent=indent).encode()
    if form == "compact":
        data = orjson.dumps(document)
    if form == "gzip":
        data = gzip.compress(orjson.dumps(document))
    if form.startswith("tiny-batches"):
        monkeypatch.setattr(scan, "BATCH_BYTES", 700)  # many cuts, some inside resources
    path = tmp_path / "s.json"
    path.write_bytes(data)
    expected = load_snapshot(path)
    got = open_snapshot(path)
    assert _as_plain(got.resources) == _as_plain(expected.resources)
    assert _as_plain(got.relationships) == _as_plain(expected.relationships)
    for key in ("accounts", "errors", "scope", "tool", "generated_at"):
        assert getattr(got, key) == getattr(expected, key)
    assert "\x1b" not in got.resources[7].name


def test_lean_records_give_the_same_report_and_graph(tmp_path):
    from snapshot.io import load_snapshot, open_snapshot
    from snapshot.render.report import build_report, render

    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps(_estate_document()))
    graphs = [
        CoverageGraph(load_snapshot(path)),
        CoverageGraph(open_snapshot(path)),
        CoverageGraph(open_snapshot(path, details=False)),
    ]
    reports = {render(build_report(g), "json") for g in graphs}
    assert len(reports) == 1
    for graph in graphs[1:]:
        assert graph.edges == graphs[0].edges
        assert graph._layers == graphs[0]._layers
        assert sorted(graph.rollup("account-region")) == sorted(graphs[0].rollup("account-region"))
    lean = graphs[2].resources[next(iter(graphs[2].resources))]
    assert not hasattr(lean, "tags")  # lean records do not pretend to have what they skipped


def test_repeated_strings_are_shared(tmp_path):
    from snapshot.io import open_snapshot

    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps(_estate_document()))
    snap = open_snapshot(path)
    types = {id(r.type) for r in snap.resources}
    assert len(types) == len({r.type for r in snap.resources})
    ids = {r.id: r.id for r in snap.resources}
    assert all(rel.source is ids[rel.source] for rel in snap.relationships if rel.source in ids)


def test_a_bad_record_is_named_by_its_place_in_the_file(tmp_path, monkeypatch):
    from snapshot.index import scan
    from snapshot.io import SnapshotError, open_snapshot

    monkeypatch.setattr(scan, "BATCH_BYTES", 2000)
    document = _estate_document()
    document["resources"][1234]["coverage"][0]["status"] = "great"
    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps(document))
    with pytest.raises(SnapshotError, match=r"resources\.1234\.coverage\.0\.status"):
        open_snapshot(path)


@pytest.mark.parametrize("details", [True, False, None])
def test_a_read_keeps_nothing_but_the_snapshot(tmp_path, details):
    """Nothing of the reader outlives a read: loaded data is frozen out of the collector's
    reach, so a reference cycle left behind would keep every record of every load (3 loads
    of 100k resources: 2.4 GB instead of 0.9)."""
    import sys

    from snapshot.io import load_snapshot, open_snapshot

    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps(_estate_document()))
    snap = load_snapshot(path) if details is None else open_snapshot(path, details=details)
    # The Snapshot's __dict__, the expression and getrefcount's argument: no reader holds it.
    assert sys.getrefcount(snap.resources) == 3
    assert sys.getrefcount(snap.relationships) == 3
