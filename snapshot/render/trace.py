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

from collections import defaultdict
from collections.abc import Iterator

from snapshot.graph import Trace, TraceEdge, TraceNode
from snapshot.model import LAYERS, STATUS_ASCII, STATUS_SYMBOL, Status
from snapshot.render import names
from snapshot.render.streaming import iter_json_document
from snapshot.sanitize import clean, clean_single_line, short_line, shorten

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


def _label(node: TraceNode, *, ascii_only: bool = False) -> str:
    """`id "name" (type)`, each part cut before it is cleaned (cleaning a 1 MB name per
    line cost a minute for 1,000 lines)."""
    resource = node.resource
    short = resource.resource_id or resource.id
    shown = short_line(short, ascii_only=ascii_only)
    if resource.name and resource.name != short:
        shown += f' "{short_line(resource.name, ascii_only=ascii_only)}"'
    return f"{shown} ({short_line(resource.type, ascii_only=ascii_only)})"


def _edge_index(trace: Trace) -> dict[frozenset[str], list[TraceEdge]]:
    index: dict[frozenset[str], list[TraceEdge]] = defaultdict(list)
    for edge in trace.edges:
        index[frozenset((edge.source, edge.target))].append(edge)
    return index


def iter_tree(trace: Trace, *, ascii_only: bool = False) -> Iterator[str]:
    """The tree, line by line (each with its newline).

    Names, ids and relationship names are cut to `SHOWN_CHARACTERS` with a marker, so a
    line stays a line whatever the snapshot holds; the walk uses an explicit stack, so a
    5,000-resource chain traced to depth 1,000 does not reach Python's recursion limit.
    """
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

    labels: dict[str, str] = {}

    def label_of(node: TraceNode) -> str:
        label = labels.get(node.id)
        if label is None:
            label = labels[node.id] = _label(node, ascii_only=ascii_only)
        return label

    def describe(node: TraceNode) -> str:
        gaps = node.gaps
        mark = f"  {gap_mark}: {', '.join(str(g) for g in gaps)}" if gaps else ""
        label = label_of(node)
        return f"{label}  [{layer_summary(node, ascii_only=ascii_only)}]{mark}"

    def hop(parent: str, child: TraceNode) -> str:
        name = short_line(child.via_name or "", ascii_only=ascii_only)
        for edge in edges.get(frozenset((parent, child.id)), []):
            if edge.name == child.via_name:
                used.add((edge.source, edge.target, edge.name))
                if edge.source == parent:
                    return f"-[{name}]{arrow_out} "
                return f"{arrow_in}[{name}]- "
        return f"-[{name}]- "

    yield describe(nodes[trace.root]) + "\n"
    # (parent, its children, index of the next child, prefix): depth-first, no recursion.
    stack: list[tuple[str, list[TraceNode], int, str]] = [
        (trace.root, children.get(trace.root, []), 0, "")
    ]
    while stack:
        parent, kids, index, prefix = stack.pop()
        if index >= len(kids):
            continue
        stack.append((parent, kids, index + 1, prefix))
        child = kids[index]
        is_last = index == len(kids) - 1
        line = prefix + (last if is_last else branch) + hop(parent, child) + describe(child)
        yield line + "\n"
        stack.append(
            (child.id, children.get(child.id, []), 0, prefix + (space if is_last else pipe))
        )
    others = [e for e in trace.edges if (e.source, e.target, e.name) not in used]
    gaps = sum(1 for node in trace.nodes if node.gaps)
    yield "\n"
    yield f"{len(trace.nodes)} resources within depth {trace.depth}, {gaps} with gaps\n"
    if others:
        yield f"Other relationships between them ({len(others)}):\n"
        for edge in others:
            src, dst = nodes.get(edge.source), nodes.get(edge.target)
            src_label = label_of(src) if src else short_line(edge.source, ascii_only=ascii_only)
            dst_label = label_of(dst) if dst else short_line(edge.target, ascii_only=ascii_only)
            name = short_line(edge.name, ascii_only=ascii_only)
            yield f"  {src_label} -[{name}]{arrow_out} {dst_label}\n"


def render_tree(trace: Trace, *, ascii_only: bool = False) -> str:
    return "".join(iter_tree(trace, ascii_only=ascii_only))


def iter_json(trace: Trace) -> Iterator[str]:
    """The JSON document in pieces, one node or edge at a time (`Trace.as_dict`'s shape and
    layout): a trace of a hub with a million edges never exists as one string or one list
    of dicts. Values are whole (a machine format), only streamed."""
    return iter_json_document(
        {
            "root": trace.root,
            "depth": trace.depth,
            "nodes": (node.as_dict() for node in trace.nodes),
            "edges": (_edge_dict(edge) for edge in trace.edges),
        }
    )


def _edge_dict(edge: TraceEdge) -> dict[str, object]:
    return {"source": edge.source, "target": edge.target, "name": edge.name, "origin": edge.origin}


def render_json(trace: Trace) -> str:
    return "".join(iter_json(trace))


def dot_quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = clean(text)
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def _dot_label(node: TraceNode) -> str:
    symbols = STATUS_ASCII
    lines = [
        shorten(node.resource.name or node.resource.resource_id or node.id),
        shorten(node.resource.type),
    ]
    lines += [
        f"{layer}: {symbols[node.layers[layer]]} {node.layers[layer]}"
        for layer in LAYERS
        if layer in node.layers
    ]
    return "\n".join(clean_single_line(line) for line in lines)


def iter_dot(trace: Trace) -> Iterator[str]:
    """DOT, line by line. Node ids stay whole (edges name them); labels are cut."""
    yield "digraph trace {\n"
    yield "  rankdir=LR;\n"
    yield '  node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica"];\n'
    yield '  edge [fontname="Helvetica", fontsize=10];\n'
    for node in trace.nodes:
        attrs = [f"label={dot_quote(_dot_label(node))}"]
        if node.gaps:
            attrs.append('fillcolor="#f8d7da"')
        elif node.layers:
            attrs.append('fillcolor="#d4edda"')
        if node.id == trace.root:
            attrs.append("penwidth=2")
        yield f"  {dot_quote(node.id)} [{', '.join(attrs)}];\n"
    for edge in trace.edges:
        yield (
            f"  {dot_quote(edge.source)} -> {dot_quote(edge.target)} "
            f"[label={dot_quote(shorten(edge.name))}];\n"
        )
    yield "}\n"


def render_dot(trace: Trace) -> str:
    return "".join(iter_dot(trace))


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


def iter_mermaid(trace: Trace) -> Iterator[str]:
    """Mermaid, line by line, with generated node ids and cut labels."""
    ids = {node.id: f"n{i}" for i, node in enumerate(trace.nodes)}
    yield "flowchart LR\n"
    for node in trace.nodes:
        label_lines = [
            mermaid_escape(
                shorten(node.resource.name or node.resource.resource_id or node.id, ascii_only=True)
            ),
            mermaid_escape(shorten(node.resource.type, ascii_only=True)),
            mermaid_escape(layer_summary(node, ascii_only=True)),
        ]
        yield f'  {ids[node.id]}["{"<br/>".join(label_lines)}"]\n'
    for edge in trace.edges:
        if edge.source in ids and edge.target in ids:
            name = mermaid_escape(shorten(edge.name, ascii_only=True))
            yield f'  {ids[edge.source]} -->|"{name}"| {ids[edge.target]}\n'
    gap_ids = [ids[node.id] for node in trace.nodes if node.gaps]
    yield "  classDef gap fill:#f8d7da,stroke:#a00;\n"
    if gap_ids:
        yield f"  class {','.join(gap_ids)} gap;\n"


def render_mermaid(trace: Trace) -> str:
    return "".join(iter_mermaid(trace))


RENDERERS = {
    "tree": render_tree,
    "json": render_json,
    "dot": render_dot,
    "mermaid": render_mermaid,
}


def iter_render(trace: Trace, fmt: str, *, ascii_only: bool = False) -> Iterator[str]:
    """The trace in `fmt`, in pieces to write as they come (bounded memory at any size)."""
    if fmt == "tree":
        return iter_tree(trace, ascii_only=ascii_only)
    pieces = {"json": iter_json, "dot": iter_dot, "mermaid": iter_mermaid}.get(fmt)
    if pieces is None:
        raise ValueError(f"unknown trace format {fmt!r}")
    return pieces(trace)


def render(trace: Trace, fmt: str, *, ascii_only: bool = False) -> str:
    return "".join(iter_render(trace, fmt, ascii_only=ascii_only))
