"""Messages between the explorer's workers, widgets and screens."""

from __future__ import annotations

from textual.message import Message

from snapshot.graph import CoverageGraph


class SnapshotLoaded(Message):
    """The snapshot is parsed and its graph built (posted from the loading worker)."""

    def __init__(self, graph: CoverageGraph) -> None:
        super().__init__()
        self.graph = graph


class SnapshotFailed(Message):
    """The snapshot could not be used; `reason` is one line for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class OpenResource(Message):
    """Ask the app to show one resource's detail (from a link, the palette, a list)."""

    def __init__(self, resource_id: str) -> None:
        super().__init__()
        self.resource_id = resource_id
