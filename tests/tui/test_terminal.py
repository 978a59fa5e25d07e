"""The real `blindspot explore` in a real terminal (tmux), read back from the screen.

Headless tests cannot see what reaches a terminal: escape sequences from data, the key
parser, the alternate screen. Here tmux runs the command at 80x24 with NO_COLOR and a plain
TERM; the raw bytes the app writes are recorded with `pipe-pane`, and the test proves a
resource name carrying OSC 0 (retitle) and OSC 52 (clipboard write) sequences shows
literally, never reaches the terminal, and changes neither the pane title nor tmux's
paste buffers. Skipped when tmux is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from snapshot.io import save_snapshot

from .fixtures import build_snapshot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

OSC52 = "\x1b]52;c;cHduZWQ=\x07"  # base64 "pwned"
ROOT = Path(__file__).resolve().parents[2]


class Tmux:
    def __init__(self) -> None:
        self.socket = f"blindspot-test-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return result.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "explore")

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")

    def wait_until_gone(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text not in self.screen():
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} is still on screen")


@pytest.fixture
def tmux():
    session = Tmux()
    yield session
    session("kill-server")


def test_explore_in_tmux_shows_hostile_names_literally_and_emits_no_escape(tmp_path, tmux):
    snapshot = build_snapshot()
    eni = next(r for r in snapshot.resources if r.resource_id == "eni-0prod")
    eni.name = f"{eni.name}{OSC52}"
    path = save_snapshot(snapshot, tmp_path / "hostile.json")
    raw = tmp_path / "raw-output.bin"
    command = (
        f"cd {ROOT} && env -u NO_COLOR TERM=xterm NO_COLOR=1 TEXTUAL_ANIMATIONS=none "
        f"{sys.executable} -m blindspot explore --no-mouse {path}; sleep 30"
    )
    tmux("new-session", "-d", "-s", "explore", "-x", "80", "-y", "24", command)
    tmux("set-option", "-g", "set-clipboard", "on")
    tmux("set-option", "-g", "allow-rename", "on")
    tmux("pipe-pane", "-o", "-t", "explore", f"cat >> {raw}")
    title_before = tmux("display-message", "-p", "-t", "explore", "#{pane_title}")

    tmux.wait_for("All accounts")
    tmux("send-keys", "-t", "explore", "l")
    screen = tmux.wait_for("eni-0prod")
    assert "␛]0;PWNED␇␛]52;c;cHduZWQ=␇ (eni-0prod)" in screen
    tmux("send-keys", "-t", "explore", "q")
    tmux.wait_until_gone("eni-0prod")  # the app quit and left the alternate screen

    output = raw.read_bytes()
    assert b"PWNED" in output  # the name was drawn...
    assert b"\x1b]0;PWNED" not in output  # ...but never as a terminal command
    assert b"\x1b]52;" not in output
    assert "PWNED" not in tmux("display-message", "-p", "-t", "explore", "#{pane_title}")
    assert tmux("display-message", "-p", "-t", "explore", "#{pane_title}") == title_before
    assert "pwned" not in tmux("list-buffers")


def test_explore_on_a_corrupt_file_exits_2_with_one_line(tmp_path, tmux):
    path = tmp_path / "corrupt.json"
    path.write_text("{not json")
    script = tmp_path / "run.sh"
    script.write_text(
        f"cd {ROOT}\n"
        f"TERM=xterm {sys.executable} -m blindspot explore {path}\n"
        'echo "EXIT=$?"; sleep 30\n'
    )
    tmux("new-session", "-d", "-s", "explore", "-x", "200", "-y", "24", f"bash {script}")
    screen = tmux.wait_for("EXIT=")
    assert "EXIT=2" in screen
    lines = [line for line in screen.splitlines() if line.strip()]
    assert lines == [lines[0], "EXIT=2"]  # one line of error, then the exit code
    assert lines[0].startswith("blindspot: ") and "not valid JSON" in lines[0]


def _run_script(tmp_path: Path, tmux: Tmux, command: str, width: int = 80) -> None:
    """Run `command` in tmux; the script prints `EXIT=<code> AFTER=<seconds since q>`."""
    script = tmp_path / "run.sh"
    script.write_text(
        f"cd {ROOT}\n"
        f"TERM=xterm TEXTUAL_ANIMATIONS=none {command}\n"
        f'echo "EXIT=$? AFTER=$(( $(date +%s%N) / 1000000 - $(cat {tmp_path / "q"}) ))"\n'
        "sleep 30\n"
    )
    tmux("new-session", "-d", "-s", "explore", "-x", str(width), "-y", "24", f"bash {script}")


def _press(tmp_path: Path, tmux: Tmux, *keys: str, literal: bool = False) -> None:
    """Send keys in one write (a burst), noting the time for the AFTER= measurement."""
    (tmp_path / "q").write_text(str(time.time_ns() // 1_000_000))
    tmux("send-keys", "-t", "explore", *(["-l"] if literal else []), *keys)


def _exit_line(tmux: Tmux, timeout: float = 20.0) -> tuple[int, int, str]:
    """Exit code, milliseconds from the key press to the exit, and the screen then
    (Textual writes to stderr, so a traceback shows there, on the terminal)."""
    screen = tmux.wait_for("EXIT=", timeout=timeout)
    line = next(line for line in screen.splitlines() if "EXIT=" in line)
    code, after = (int(part.split("=")[1]) for part in line.split())
    return code, after, screen


@pytest.mark.parametrize("keys", ["qo", "ql", "qx", "lqo"])
def test_keys_in_one_burst_with_q_exit_cleanly(tmp_path, tmux, keys):
    """Pasted or buffered input: `q` then `o`/`l`/`x` in one read (NoMatches, exit 1 before)."""
    path = save_snapshot(build_snapshot(), tmp_path / "s.json")
    _run_script(tmp_path, tmux, f"{sys.executable} -m blindspot explore --no-mouse {path}")
    tmux.wait_for("All accounts")
    _press(tmp_path, tmux, keys, literal=True)
    code, _, screen = _exit_line(tmux)
    assert code == 0
    assert "NoMatches" not in screen and "Traceback" not in screen


def test_ctrl_c_quits_the_explorer_at_once(tmp_path, tmux):
    """Textual 8 answers Ctrl+C with "press ctrl+q to quit"; here it quits."""
    path = save_snapshot(build_snapshot(), tmp_path / "s.json")
    _run_script(tmp_path, tmux, f"{sys.executable} -m blindspot explore --no-mouse {path}")
    tmux.wait_for("All accounts")
    _press(tmp_path, tmux, "C-c")
    code, after_ms, _ = _exit_line(tmux, timeout=10)
    assert code == 0
    assert after_ms < 3000


def test_quitting_the_demo_while_it_collects_ends_the_process_promptly(tmp_path, tmux):
    """`q` during the collection cancels it: the process ended 8-11 s after `q` before.

    The bound is loose (5 s) for a loaded 2-core CI machine; unloaded it is about 0.5 s.
    """
    # Without PYTEST_CURRENT_TEST (tmux passes pytest's environment on): the demo then
    # ends with os._exit as it does for a user.
    _run_script(
        tmp_path, tmux, f"env -u PYTEST_CURRENT_TEST {sys.executable} -m blindspot demo --no-mouse"
    )
    screen = tmux.wait_for("regions done", timeout=90)
    assert "Loading snapshot" not in screen  # nothing is loaded: the demo says what it does
    _press(tmp_path, tmux, "q")
    code, after_ms, _ = _exit_line(tmux, timeout=30)
    assert code == 0
    assert after_ms < 5000, f"the process lived {after_ms} ms after q"
