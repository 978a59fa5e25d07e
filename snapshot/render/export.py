"""The whole coverage graph as a file other tools open as it is.

- GraphML: Gephi, yEd, Cytoscape, networkx. GraphML attributes must be scalars, so tags
  are flattened to one `tag:KEY` attribute each and every layer's status is its own string
  attribute (`layer_network` = `logged` ...; `none` where the resource has no baseline
  control in that layer, so the column is the same type everywhere). Written as text, node
  by node, in the layout `networkx.write_graphml` produces (`nx.read_graphml` reads it back
  to the same graph): networkx's writer builds an ElementTree of the whole graph first,
  and `blindspot export` at 100k resources took 21 s and 2.8 GB with it; streaming takes
  a fraction of both (benchmarks/README.md).
- node-link JSON (`networkx.node_link_data(..., edges="edges")`): D3 and `node_link_graph`.
- DOT, hand-written so that no pydot/pygraphviz dependency is needed: Graphviz.

Pseudo-resources (accounts, account-regions) and the scope edges that hang resources off
them are included, marked `pseudo=True` / `origin=scope`, because that is where the
account-layer controls live; a viewer can filter them out on those attributes.

XML 1.0 cannot carry some characters at all (most C0 controls, U+FFFE, U+FFFF, lone
surrogates); snapshot strings are sanitised on load, but `xml_safe` removes whatever is
left, so the GraphML file always parses.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx
import orjson

from snapshot.graph import Counts, CoverageGraph
from snapshot.io import gc_paused
from snapshot.model import LAYERS
from snapshot.render import names, ocsf
from snapshot.render.dispatch import writer_for
from snapshot.render.trace import dot_quote
from snapshot.sanitize import clean

FORMATS = tuple(names("export"))

NO_STATUS = "none"

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 accepts: control characters shown, illegal code points dropped."""
    if text.isprintable():  # no control, format, surrogate or unassigned code point: as is
        return text
    return _XML_ILLEGAL.sub("", clean(text))


def layer_attribute(layer: str) -> str:
    return f"layer_{layer}"


def node_attributes(graph: CoverageGraph, resource_id: str) -> dict[str, Any]:
    """Scalar attributes of one node: identity, per-layer status, coverage, flattened tags."""
    resource = graph.resource(resource_id)
    statuses = graph.layers(resource_id)
    counts = Counts()
    for layer_status in statuses.values():
        counts.add(layer_status)
    attrs: dict[str, Any] = {
        "type": resource.type,
        "name": resource.name,
        "resource_id": resource.resource_id or "",
        "account": resource.account,
        "region": resource.region,
        "pseudo": resource.is_pseudo,
        "gaps": counts.gaps,
    }
    for layer in LAYERS:
        status = statuses.get(layer)
        attrs[layer_attribute(layer)] = str(status) if status is not None else NO_STATUS
    if counts.coverage_pct is not None:
        attrs["coverage_pct"] = float(counts.coverage_pct)
    for key, value in resource.tags.items():
        attrs[f"tag:{key}"] = value
    return attrs


def export_graph(graph: CoverageGraph, *, for_xml: bool = False) -> nx.MultiDiGraph:
    """A plain networkx graph with scalar attributes only, ready for any writer."""
    fix = xml_safe if for_xml else (lambda text: text)
    out = nx.MultiDiGraph(name="blindspot coverage graph")
    for resource_id in graph.resources:
        attrs = node_attributes(graph, resource_id)
        out.add_node(
            fix(resource_id),
            **{fix(k): fix(v) if isinstance(v, str) else v for k, v in attrs.items()},
        )
    for source, target, name, origin in (*graph.edges, *graph.scope_edges()):
        out.add_edge(fix(source), fix(target), name=fix(str(name)), origin=str(origin))
    return out


_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
_ATTRIBUTE_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
#: GraphML types of the node attributes `node_attributes` makes (tags are strings).
_NODE_TYPES = {"pseudo": "boolean", "gaps": "long", "coverage_pct": "double"}


def _text(value: str) -> str:
    return escape(xml_safe(value))


def _attribute(value: str) -> str:
    return escape(xml_safe(value), _ATTRIBUTE_ESCAPES)


def iter_graphml(graph: CoverageGraph) -> Iterator[str]:
    """GraphML text in pieces: keys, then one node or edge at a time.

    Escaping is memoised for the length of one export: statuses, types, accounts, regions
    and relationship names repeat on every node or edge, and every resource id is written
    once as a node and again at each end of its edges.
    """
    text = functools.lru_cache(maxsize=None)(_text)
    attribute = functools.lru_cache(maxsize=None)(_attribute)
    node_keys: dict[str, str] = {}
    names = ["type", "name", "resource_id", "account", "region", "pseudo", "gaps"]
    names += [layer_attribute(layer) for layer in LAYERS]
    names.append("coverage_pct")
    names += sorted({f"tag:{key}" for r in graph.resources.values() for key in r.tags})
    yield _GRAPHML_HEAD
    yield '  <key id="d0" for="graph" attr.name="name" attr.type="string" />\n'
    yield '  <key id="d1" for="edge" attr.name="name" attr.type="string" />\n'
    yield '  <key id="d2" for="edge" attr.name="origin" attr.type="string" />\n'
    data_open: dict[str, str] = {}  # attribute name -> its `<data key=...>` opening tag
    for name in names:
        safe = xml_safe(name)
        if safe not in node_keys:  # two tag keys may differ only in what XML cannot carry
            node_keys[safe] = key = f"d{len(node_keys) + 3}"
            kind = _NODE_TYPES.get(name, "string")
            yield (
                f'  <key id="{key}" for="node" attr.name="{attribute(name)}" '
                f'attr.type="{kind}" />\n'
            )
        data_open[name] = f'      <data key="{node_keys[safe]}">'
    yield '  <graph edgedefault="directed">\n'
    for resource_id in graph.resources:
        parts = [f'    <node id="{attribute(resource_id)}">\n']
        for name, value in node_attributes(graph, resource_id).items():
            if isinstance(value, str):
                shown = text(value)
            elif isinstance(value, bool):
                shown = "true" if value else "false"
            else:
                shown = str(value)
            parts.append(f"{data_open[name]}{shown}</data>\n")
        parts.append("    </node>\n")
        yield "".join(parts)
    keys: Counter[tuple[str, str]] = Counter()
    for source, target, name, origin in (*graph.edges, *graph.scope_edges()):
        number = keys[(source, target)]
        keys[(source, target)] = number + 1
        yield (
            f'    <edge source="{attribute(source)}" target="{attribute(target)}" '
            f'id="{number}">\n      <data key="d1">{text(name)}</data>\n'
            f'      <data key="d2">{text(origin)}</data>\n    </edge>\n'
        )
    yield '    <data key="d0">blindspot coverage graph</data>\n  </graph>\n</graphml>\n'


def to_graphml(graph: CoverageGraph) -> bytes:
    return "".join(iter_graphml(graph)).encode("utf-8")


def to_node_link(graph: CoverageGraph) -> bytes:
    data = nx.node_link_data(export_graph(graph), edges="edges")
    return orjson.dumps(data) + b"\n"


def to_dot(graph: CoverageGraph) -> bytes:
    """Graphviz DOT: every id and attribute value a quoted, escaped string."""
    lines = [
        "digraph blindspot {",
        '  graph [rankdir=LR, label="blindspot coverage graph"];',
        '  node [shape=box, style="rounded,filled", fillcolor="white"];',
    ]
    for resource_id in graph.resources:
        attrs = node_attributes(graph, resource_id)
        resource = graph.resource(resource_id)
        label = "\n".join(
            [resource.name or resource.resource_id or resource_id, resource.type]
            + [
                f"{layer}: {attrs[layer_attribute(layer)]}"
                for layer in LAYERS
                if attrs[layer_attribute(layer)] != NO_STATUS
            ]
        )
        parts = [f"label={dot_quote(label)}"]
        if attrs["gaps"]:
            parts.append('fillcolor="#f8d7da"')
        for key, value in attrs.items():
            if key.startswith("tag:"):
                continue  # tag keys are arbitrary; keep DOT attribute names predictable
            parts.append(f"{dot_quote(key)}={dot_quote(str(value))}")
        lines.append(f"  {dot_quote(resource_id)} [{', '.join(parts)}];")
    for source, target, name, origin in (*graph.edges, *graph.scope_edges()):
        lines.append(
            f"  {dot_quote(source)} -> {dot_quote(target)} "
            f"[label={dot_quote(str(name))}, origin={dot_quote(str(origin))}];"
        )
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_ocsf(graph: CoverageGraph) -> bytes:
    return b"".join(ocsf.stream(graph.snapshot, "ocsf", graph))


def to_ocsf_jsonl(graph: CoverageGraph) -> bytes:
    return b"".join(ocsf.stream(graph.snapshot, "ocsf-jsonl", graph))


WRITERS = {
    "graphml": to_graphml,
    "node-link": to_node_link,
    "dot": to_dot,
    "ocsf": to_ocsf,  # `blindspot export` streams these to the file (ocsf.write)
    "ocsf-jsonl": to_ocsf_jsonl,
}


def export(graph: CoverageGraph, fmt: str) -> bytes:
    writer = writer_for(WRITERS, fmt, "export")
    with gc_paused():  # hundreds of thousands of attribute dicts; see snapshot.io.gc_paused
        return writer(graph)
