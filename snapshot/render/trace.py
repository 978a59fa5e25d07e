"""A `graph.Trace` rendered as an indented tree, JSON, Graphviz DOT or Mermaid.

The tree is the breadth-first spanning tree the trace was discovered by: each node under
the node it was reached from, with the relationship name of that hop and its direction
(``─[Is contained in Vpc]→`` when the parent is the relationship's source, ``←[...]─`` when
the child is), and every layer's status as a word and a symbol so that nothing depends on
colour. Nodes with a `missing` or `unknown` layer are marked ``GAP``. Relationships between
trace nodes that are not tree hops are listed after the tree, so no edge is hidden.

Every string from the snapshot is untrusted: names go through `clean_single_line` here;
DOT and Mermaid labels are escaped for their own syntax; ids never become DOT or Mermaid
syntax (Mermaid nodes get generated ids ``n0``, ``n1`` ...).
"""

from __future__ import annotations

import json
from collections import defaultdict

from snapshot.graph import Trace, TraceEdge, TraceNode
from snapshot.model import LAYERS, STATUS_ASCII, STATUS_SYMBOL, Status
from snapshot.render import names
from snapshot.sanitize import clean, clean_single_line

FORMATS = tuple(names("trace"))

GAP_STATUSES = (Status.missing, Status.unknown)


def _symbols(ascii_only: bool) -> dict[Status, str]:
    return STATUS_ASCII if ascii_only else STATUS_SYMBOL


def layer_summary(node: TraceNode, *, ascii_only: bool = False) -> str:
    """`network ✓ logged, host ✗ missing` in layer order; `no scored layers` when empty."""
    symbols = _symbols(ascii_only)
    parts = [
        f"{layer} {symbols[node.layers[layer]]} {node.layers[layer]}"
        for layer in LAYERS
        if layer in node.layers
    ]
    return ", ".join(parts) if parts else "no scored layers"


def _label(node: TraceNode) -> str:
    resource = node.resource
    short = resource.resource_id or resource.id
    name = clean_single_line(resource.name) if resource.name else ""
    shown = clean_single_line(short)
    if name and name != short:
        shown += f' "{name}"'
    return f"{shown} ({resource.type})"


def _edge_index(trace: Trace) -> dict[frozenset[str], list[TraceEdge]]:
    index: dict[frozenset[str], list[TraceEdge]] = defaultdict(list)
    for edge in trace.edges:
        index[frozenset((edge.source, edge.target))].append(edge)
    return index


def render_tree(trace: Trace, *, ascii_only: bool = False) -> str:
    nodes = {node.id: node for node in trace.nodes}
    children: dict[str, list[TraceNode]] = defaultdict(list)
    for node in trace.nodes[1:]:
        if node.via is not None:
            children[node.via].append(node)
    edges = _edge_index(trace)
    used: set[tuple[str, str, str]] = set()
    branch, last, pipe, space = (
        ("|-- ", "`-- ", "|   ", "    ")
        if ascii_only
        else (
            "├─ ",
            "└─ ",
            "│  ",
            "   ",
        )
    )
    arrow_out, arrow_in = ("->", "<-") if ascii_only else ("→", "←")
    gap_mark = "!! GAP" if ascii_only else "⚠ GAP"

    def describe(node: TraceNode) -> str:
        gaps = node.gaps
        mark = f"  {gap_mark}: {', '.join(str(g) for g in gaps)}" if gaps else ""
        return f"{_label(node)}  [{layer_summary(node, ascii_only=ascii_only)}]{mark}"

    def hop(parent: str, child: TraceNode) -> str:
        name = clean_single_line(child.via_name or "")
        for edge in edges.get(frozenset((parent, child.id)), []):
            if edge.name == child.via_name:
                used.add((edge.source, edge.target, edge.name))
                if edge.source == parent:
                    return f"-[{name}]{arrow_out} "
                return f"{arrow_in}[{name}]- "
        return f"-[{name}]- "

    root = nodes[trace.root]
    lines = [describe(root)]

    def walk(parent: str, prefix: str) -> None:
        kids = children.get(parent, [])
        for i, child in enumerate(kids):
            is_last = i == len(kids) - 1
            lines.append(
                prefix + (last if is_last else branch) + hop(parent, child) + describe(child)
            )
            walk(child.id, prefix + (space if is_last else pipe))

    walk(trace.root, "")
    others = [e for e in trace.edges if (e.source, e.target, e.name) not in used]
    gaps = sum(1 for node in trace.nodes if node.gaps)
    lines.append("")
    lines.append(f"{len(trace.nodes)} resources within depth {trace.depth}, {gaps} with gaps")
    if others:
        lines.append(f"Other relationships between them ({len(others)}):")
        for edge in others:
            src, dst = nodes.get(edge.source), nodes.get(edge.target)
            src_label = _label(src) if src else clean_single_line(edge.source)
            dst_label = _label(dst) if dst else clean_single_line(edge.target)
            lines.append(f"  {src_label} -[{clean_single_line(edge.name)}]{arrow_out} {dst_label}")
    return "\n".join(lines) + "\n"


def render_json(trace: Trace) -> str:
    return json.dumps(trace.as_dict(), indent=2) + "\n"


def dot_quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = clean(text)
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def _dot_label(node: TraceNode) -> str:
    symbols = STATUS_ASCII
    lines = [
        clean_single_line(node.resource.name or node.resource.resource_id or node.id),
        node.resource.type,
    ]
    lines += [
        f"{layer}: {symbols[node.layers[layer]]} {node.layers[layer]}"
        for layer in LAYERS
        if layer in node.layers
    ]
    return "\n".join(clean_single_line(line) for line in lines)


def render_dot(trace: Trace) -> str:
    lines = [
        "digraph trace {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in trace.nodes:
        attrs = [f"label={dot_quote(_dot_label(node))}"]
        if node.gaps:
            attrs.append('fillcolor="#f8d7da"')
        elif node.layers:
            attrs.append('fillcolor="#d4edda"')
        if node.id == trace.root:
            attrs.append("penwidth=2")
        lines.append(f"  {dot_quote(node.id)} [{', '.join(attrs)}];")
    for edge in trace.edges:
        lines.append(
            f"  {dot_quote(edge.source)} -> {dot_quote(edge.target)} "
            f"[label={dot_quote(edge.name)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_ESCAPES = {
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "#": "#35;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
}


def mermaid_escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes for its syntax characters)."""
    text = clean_single_line(text)
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in text)


def render_mermaid(trace: Trace) -> str:
    ids = {node.id: f"n{i}" for i, node in enumerate(trace.nodes)}
    lines = ["flowchart LR"]
    for node in trace.nodes:
        label_lines = [
            mermaid_escape(node.resource.name or node.resource.resource_id or node.id),
            mermaid_escape(node.resource.type),
            mermaid_escape(layer_summary(node, ascii_only=True)),
        ]
        lines.append(f'  {ids[node.id]}["{"<br/>".join(label_lines)}"]')
    for edge in trace.edges:
        if edge.source in ids and edge.target in ids:
            lines.append(
                f'  {ids[edge.source]} -->|"{mermaid_escape(edge.name)}"| {ids[edge.target]}'
            )
    gap_ids = [ids[node.id] for node in trace.nodes if node.gaps]
    lines.append("  classDef gap fill:#f8d7da,stroke:#a00;")
    if gap_ids:
        lines.append(f"  class {','.join(gap_ids)} gap;")
    return "\n".join(lines) + "\n"


RENDERERS = {
    "tree": render_tree,
    "json": render_json,
    "dot": render_dot,
    "mermaid": render_mermaid,
}


def render(trace: Trace, fmt: str, *, ascii_only: bool = False) -> str:
    if fmt == "tree":
        return render_tree(trace, ascii_only=ascii_only)
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown trace format {fmt!r}") from None
    return renderer(trace)
