"""The demo checks where it will write before it builds anything (issue 14.1, as a user runs it).

It used to build and collect for 20 s and then print a traceback. The check itself is
blindspot/outputs.py; this runs the real command in a subprocess, with `--drift` too.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "arguments",
    [
        ["--no-ui", "-o", "{tmp}/missing-folder/x.json"],
        ["--no-ui", "-o", "{tmp}"],
        ["--drift", "-o", "{tmp}/missing-folder/x.json.gz"],
    ],
    ids=["missing-folder", "a-folder", "drift-missing-folder"],
)
def test_demo_with_an_unusable_output_fails_at_once_in_one_line(tmp_path, arguments):
    command = [
        sys.executable,
        "-m",
        "blindspot",
        "demo",
        *(a.format(tmp=tmp_path) for a in arguments),
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("blindspot: "), result.stderr
    assert "Traceback" not in result.stderr
    assert seconds < 10  # the import and the check, no build (20 s and more)
