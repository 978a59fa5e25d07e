"""A lint over tui/: data never reaches a markup parser (tui-anchors.md section 6.4).

Rules, checked on the syntax tree of every module:
- every `.notify(...)` passes `markup=False`;
- no widget constructor or `.update(...)` gets an f-string, a `%`/`+` expression or
  `.format()` result: text built from data goes through `tui.safe` (Content/Text);
- nothing calls `Content.from_markup` / `Text.from_markup` / `render_markup`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TUI = Path(__file__).resolve().parents[2] / "tui"
MODULES = sorted(TUI.rglob("*.py"))
WIDGETS = {"Static", "Label", "Button", "Option", "Input", "Markdown", "RichLog"}


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            yield node


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _built_string(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(node, ast.Call) and _name(node) == "format"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(TUI)))
def test_no_markup_from_data(path):
    problems = []
    for call in _calls(path):
        name = _name(call)
        where = f"{path.name}:{call.lineno}"
        if name == "notify":
            markup = [k for k in call.keywords if k.arg == "markup"]
            if not markup or not (
                isinstance(markup[0].value, ast.Constant) and markup[0].value.value is False
            ):
                problems.append(f"{where}: notify() without markup=False")
        if name in WIDGETS | {"update"} and call.args and _built_string(call.args[0]):
            problems.append(f"{where}: {name}() given a built string; use tui.safe")
        if name in {"from_markup", "render_markup"}:
            problems.append(f"{where}: {name}() parses markup")
    assert not problems, "\n".join(problems)


def test_the_lint_catches_a_bad_call(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('self.notify(f"{name}")\nStatic(f"{name}")\nContent.from_markup(x)\n')
    with pytest.raises(AssertionError) as caught:
        test_no_markup_from_data(bad)
    message = str(caught.value)
    assert "notify() without markup=False" in message
    assert "Static() given a built string" in message
    assert "from_markup() parses markup" in message
