"""blindspot's snapshot side: everything that only reads (or writes) a snapshot file.

The snapshot is the contract between collection and everything after it. This package holds
the model, file I/O, sanitising, the coverage catalogue, the coverage graph, the explorer's
queries and the renderers. It never calls AWS and never imports `collectors`, so the
explorer and the headless commands run on a bastion with only a snapshot file at hand.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("blindspot")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
