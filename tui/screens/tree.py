"""Organization -> account -> region -> resource type -> resource, loaded on expand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from snapshot import browse
from snapshot.browse import ScopeNode
from snapshot.graph import overall
from snapshot.graph import worst as worst_status
from snapshot.model import REGION_TYPE, account_node_id, region_node_id

from .. import safe
from ..messages import OpenResource
from ..widgets.resource_table import short_type
from ..widgets.safe_tree import SafeTree
from .base import ExplorerScreen

#: Resources shown under one type node; beyond that a leaf opens the full (virtual) list.
MAX_LEAVES = 200


@dataclass(frozen=True, slots=True)
class MoreLeaf:
    """The "… N more" leaf: Enter opens this scope in the resource list."""

    account: str
    region: str
    resource_type: str


@dataclass(frozen=True, slots=True)
class AccountControls:
    """The account-level leaf of an account whose controls live on its account-regions:
    Enter lists those account-region records."""

    account: str


class OrgTreeScreen(ExplorerScreen):
    """The organization as a tree with counts and coverage on every node.

    Children are added when a node is first expanded, from `snapshot.browse.scope_tree`
    (built once, O(N)); nodes are never emptied with `remove_children` (quadratic on wide
    nodes, tui-anchors.md 3.2), and a type with more than `MAX_LEAVES` resources shows a
    leaf that opens the virtual resource list instead of thousands of tree nodes.
    """

    crumb = "Tree"

    ENTER_HELP = "Expand or fold a node; open a resource or a list"

    def compose(self) -> ComposeResult:
        yield from self.compose_breadcrumb()
        yield SafeTree("Organization", ascii_only=self.ascii_only, id="org-tree")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_breadcrumb()
        tree = self.query_one("#org-tree", Tree)
        tree.loading = True
        tree.focus()
        self._build_scope()

    @work(thread=True, exclusive=True, group="scope", exit_on_error=False)
    def _build_scope(self) -> None:
        """The hierarchy is built once per graph (O(N)); usually already warm."""
        graph = self.graph
        if graph is not None:
            self.app.call_from_thread(self._show_root, browse.scope_tree(graph))

    def _show_root(self, scope: ScopeNode) -> None:
        tree = self.query_one("#org-tree", Tree)
        tree.root.set_label(self._label("Organization", scope))
        tree.root.data = scope
        self._load(tree.root)
        tree.root.expand()
        tree.loading = False

    def _names(self) -> dict[str, str]:
        graph = self.graph
        return {a.id: a.name for a in graph.snapshot.accounts} if graph else {}

    def _label(self, title: str, scope: ScopeNode) -> Text:
        pct = overall(scope.counts).coverage_pct
        label = safe.text(title, "bold")
        label.append(f"  {scope.size:,} resources  ", style="dim")
        symbol = safe.pct_symbol(pct, ascii_only=self.ascii_only)
        label.append(f"{symbol} {'-' if pct is None else f'{pct:.1f}%'}", style=safe.pct_style(pct))
        gaps = sum(counts.gaps for counts in scope.counts.values())
        if gaps:
            label.append(f"  {gaps:,} gaps", style="bold red")
        return label

    def _load(self, node: TreeNode[Any]) -> None:
        scope = node.data
        if not isinstance(scope, ScopeNode) or node.children:
            return
        graph = self.graph
        if graph is None:
            return
        depth = len(scope.key)
        if depth == 1:
            self._add_account_controls(node, scope)
        elif depth == 2:
            pseudo = region_node_id(*scope.key)
            if pseudo in graph:
                worst = worst_status(graph.layers(pseudo).values())
                label = safe.status_text(worst, ascii_only=self.ascii_only)
                label.append(" region-level controls")
                node.add_leaf(label, data=pseudo)
        if depth < 3:
            names = self._names()
            for key in sorted(scope.children, key=lambda k: (k == "global", k)):
                child = scope.children[key]
                if depth == 0:
                    title = f"{names.get(key) or key} ({key})" if names.get(key) else key
                elif depth == 2:
                    title = short_type(key)
                else:
                    title = key
                node.add(self._label(title, child), data=child, allow_expand=True)
            return
        for resource_id in scope.resources[:MAX_LEAVES]:
            resource = graph.resources[resource_id]
            label = Text()
            layers = graph.layers(resource_id)
            worst = worst_status(layers.values())
            label.append_text(safe.status_text(worst, ascii_only=self.ascii_only, word=True))
            label.append(" ")
            label.append_text(safe.text(resource.name or resource.resource_id or resource_id))
            node.add_leaf(label, data=resource_id)
        hidden = len(scope.resources) - MAX_LEAVES
        if hidden > 0:
            account, region, resource_type = scope.key
            node.add_leaf(
                Text(
                    f"{safe.ellipsis(ascii_only=self.ascii_only)} {hidden:,} more: "
                    "Enter opens the list",
                    style="italic",
                ),
                data=MoreLeaf(account, region, resource_type),
            )

    def _add_account_controls(self, node: TreeNode[Any], scope: ScopeNode) -> None:
        """The account-level leaf: the account's own records, or its account-regions'.

        Collectors put account-level controls (CloudTrail, Config, GuardDuty, Security Hub)
        on the account-region pseudo-resources, one per region, so the account's own
        pseudo-resource usually holds nothing: the leaf then lists the account-regions.
        """
        graph = self.graph
        if graph is None:
            return
        account = scope.key[0]
        pseudo = account_node_id(account)
        # The regions under this node (global included): what the leaf's list will show.
        regions = [
            rid
            for rid in (region_node_id(account, region) for region in sorted(scope.children))
            if rid in graph
        ]
        owners = [pseudo, *regions] if pseudo in graph else regions
        statuses = [s for rid in owners for s in graph.layers(rid).values()]
        label = safe.status_text(worst_status(statuses), ascii_only=self.ascii_only)
        if pseudo in graph and graph.resources[pseudo].coverage:
            label.append(" account-level controls")
            node.add_leaf(label, data=pseudo)
        elif regions:
            label.append(f" account-level controls ({len(regions)} regions)")
            node.add_leaf(label, data=AccountControls(account))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Any]) -> None:
        self._load(event.node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
        data = event.node.data
        if isinstance(data, str):
            self.post_message(OpenResource(data))
        elif isinstance(data, AccountControls):
            from .resources import ResourceListScreen

            self.app.push_screen(
                ResourceListScreen(account=data.account, resource_type=REGION_TYPE)
            )
        elif isinstance(data, MoreLeaf):
            from .resources import ResourceListScreen

            self.app.push_screen(
                ResourceListScreen(
                    account=data.account, region=data.region, resource_type=data.resource_type
                )
            )
