"""blindspot collectors: everything from AWS (or offline files) up to the snapshot file.

This package never imports Textual: the explorer (`tui`) depends on it, not the reverse.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("blindspot")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
