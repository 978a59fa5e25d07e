"""`blindspot completion bash|zsh|fish`: generated from the parser; the bash script is run
in a real bash and asked what it completes; zsh and fish parse it where installed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from blindspot.cli import build_parser, main
from blindspot.commands.completion import GENERATORS, describe
from snapshot.render import names


def _script(shell: str) -> str:
    return GENERATORS[shell](build_parser())


def _bash_complete(words: list[str]) -> list[str]:
    """What the generated bash function offers for `words` (the last one being typed)."""
    line = " ".join(f"'{w}'" for w in words)
    program = (
        _script("bash")
        + f"\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _blindspot; "
        + 'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_every_command_and_format_is_described():
    _, commands = describe(build_parser())
    by_name = {c.name: c for c in commands}
    assert {"collect", "report", "export", "attack", "completion"} <= by_name.keys()
    export_format = next(o for o in by_name["export"].options if "--format" in o.flags)
    assert export_format.choices == names("export")  # the registry, through the parser


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completes_commands_options_and_choices():
    assert "attack" in _bash_complete(["blindspot", "at"])
    assert _bash_complete(["blindspot", "export", "x.json", "--format", "ocsf"]) == [
        "ocsf",
        "ocsf-jsonl",
    ]
    assert "--fail-under" in _bash_complete(["blindspot", "report", "--fa"])
    assert _bash_complete(["blindspot", "completion", ""]) == ["bash", "zsh", "fish"]
    assert _bash_complete(["blindspot", "collect", "--regions", ""]) == []  # free value
    assert "etc" in _bash_complete(["blindspot", "report", "et"])  # FILE: paths (cwd /)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_parse_the_script(shell, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} not installed")
    path = tmp_path / f"blindspot.{shell}"
    path.write_text(_script(shell))
    check = [shell, "-n", str(path)] if shell == "zsh" else ["fish", "--no-execute", str(path)]
    result = subprocess.run(check, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_cli_prints_the_script(capsys):
    assert main(["completion", "fish"]) == 0
    out = capsys.readouterr().out
    assert "complete -c blindspot" in out and "-l fail-under" in out
    with pytest.raises(SystemExit) as exit_:
        main(["completion", "tcsh"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
