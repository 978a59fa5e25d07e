"""Signal dispositions a test of interrupts needs, whatever the test run inherited.

A test run started in the background of a non-interactive shell has SIGINT ignored (POSIX:
asynchronous commands without job control), and one under `nohup` has SIGHUP ignored. A
child inherits an ignored signal, and blindspot rightly leaves an ignored signal ignored
(`nohup blindspot export ...` must survive the hang-up), so these tests give the process
under test the default dispositions a user's terminal gives it.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

_TERMINATING = ("SIGINT", "SIGTERM", "SIGHUP")


def default_signals() -> None:
    """`preexec_fn` of a child: SIGINT, SIGTERM and SIGHUP at their defaults."""
    for name in _TERMINATING:
        signal.signal(getattr(signal, name), signal.SIG_DFL)


@contextlib.contextmanager
def ctrl_c_raises() -> Iterator[None]:
    """In this process: SIGINT raises KeyboardInterrupt, as Python sets it up by default."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
