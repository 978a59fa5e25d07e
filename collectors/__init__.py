"""blindspot collectors: everything from AWS (or offline files) up to the snapshot file.

Collection ends at the snapshot; what reads a snapshot lives in `snapshot`. This package
never imports Textual or Rich: progress reaches the CLI through callbacks.
"""

from snapshot import __version__

__all__ = ["__version__"]
