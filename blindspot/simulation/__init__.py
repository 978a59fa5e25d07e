"""A simulated AWS organization inside moto, for the demo and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from snapshot.model import Snapshot


def run_demo_collection(seed: int = 7, size: str = "small", progress: Any = None) -> Snapshot:
    """Build the demo organization in moto and collect it (see `collection.py`).

    Imported lazily: `import blindspot.simulation` must not cost moto's import.
    """
    from collectors.inventory.base import no_progress

    from .collection import run_demo_collection as run

    return run(seed, size, progress or no_progress)
