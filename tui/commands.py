"""The command palette's resource provider: type part of a name, id, type or tag, jump.

Matching is the explorer's search (`snapshot.browse.ExplorerIndex.search`, substring,
case-insensitive) run in a thread, with results bounded to `MAX_HITS`, so the palette stays
responsive on a snapshot of 100k resources. Fuzzy matching over every resource name would
cost a Python call per resource per keystroke. Nothing from the snapshot goes into
`Hit.help`, which the palette parses as markup.
"""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from snapshot import browse

from . import safe
from .widgets.resource_table import short_type

MAX_HITS = 25


class ResourceCommands(Provider):
    """Jump to any resource of the loaded snapshot."""

    def _display(self, resource_id: str) -> Text:
        """Type, name, account and region, and the id on a second line.

        Everything is in the `Text` prompt: the palette parses `Hit.help` as markup, so no
        data may go there."""
        graph = self.app.graph  # type: ignore[attr-defined]
        resource = graph.resources[resource_id]
        name = resource.name or resource.resource_id or resource_id
        label = safe.text(f"{short_type(resource.type)}  ", "dim")
        label.append_text(safe.text(name, "bold"))
        label.append_text(safe.text(f"  {resource.account} {resource.region}", "dim"))
        label.append("\n")
        label.append_text(safe.text(resource_id, "dim italic"))
        return label

    async def search(self, query: str) -> Hits:
        graph = getattr(self.app, "graph", None)
        if graph is None or not query.strip():
            return
        index = await asyncio.to_thread(browse.explorer_index, graph)
        ids = await asyncio.to_thread(index.search, query, limit=MAX_HITS)
        for rank, resource_id in enumerate(ids):
            label = self._display(resource_id)
            yield Hit(
                score=1.0 - rank / (MAX_HITS * 2),
                match_display=label,
                command=partial(self.app.open_resource, resource_id),  # type: ignore[attr-defined]
                text=safe.plain(resource_id),
            )

    async def discover(self) -> Hits:
        graph = getattr(self.app, "graph", None)
        if graph is None:
            return
        index = await asyncio.to_thread(browse.explorer_index, graph)
        for resource_id in index.search("", sort_by_status=True, limit=10):
            label = self._display(resource_id)
            yield DiscoveryHit(
                display=label,
                command=partial(self.app.open_resource, resource_id),  # type: ignore[attr-defined]
                text=safe.plain(resource_id),
            )
