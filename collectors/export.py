"""The whole coverage graph as a file other tools open as it is.

- GraphML (`networkx.write_graphml`): Gephi, yEd, Cytoscape, networkx. GraphML attributes
  must be scalars, so tags are flattened to one `tag:KEY` attribute each and every layer's
  status is its own string attribute (`layer_network` = `logged` ...; `none` where the
  resource has no baseline control in that layer, so the column is the same type everywhere).
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

import io
import re
from typing import Any

import networkx as nx
import orjson

from .graph import Counts, CoverageGraph
from .model import LAYERS
from .sanitize import clean
from .snapshot_io import gc_paused
from .trace_format import dot_quote

FORMATS = ("graphml", "node-link", "dot")

NO_STATUS = "none"

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 accepts: control characters shown, illegal code points dropped."""
    return _XML_ILLEGAL.sub("", clean(text))


def layer_attribute(layer: str) -> str:
    return f"layer_{layer}"


def node_attributes(graph: CoverageGraph, resource_id: str) -> dict[str, Any]:
    """Scalar attributes of one node: identity, per-layer status, coverage, flattened tags."""
    resource = graph.resource(resource_id)
    statuses = graph.layers(resource_id)
    counts = Counts()
    for status in statuses.values():
        counts.add(status)
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
    for source, target, data in graph.graph.edges(data=True):
        out.add_edge(
            fix(source), fix(target), name=fix(str(data["name"])), origin=str(data["origin"])
        )
    return out


def to_graphml(graph: CoverageGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(export_graph(graph, for_xml=True), buffer, encoding="utf-8")
    return buffer.getvalue()


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
    for source, target, data in graph.graph.edges(data=True):
        lines.append(
            f"  {dot_quote(source)} -> {dot_quote(target)} "
            f"[label={dot_quote(str(data['name']))}, origin={dot_quote(str(data['origin']))}];"
        )
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


WRITERS = {"graphml": to_graphml, "node-link": to_node_link, "dot": to_dot}


def export(graph: CoverageGraph, fmt: str) -> bytes:
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}") from None
    with gc_paused():  # hundreds of thousands of attribute dicts; see snapshot_io.gc_paused
        return writer(graph)
