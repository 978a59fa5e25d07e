"""Untrusted strings: every payload kind, shown literally in every output blindspot has.

One snapshot holds every kind of hostile string an AWS account owner can put in a name, a
tag or a relationship: Rich/Textual markup (including `@click` actions and links), ANSI CSI
colour/clear-screen sequences, OSC 52 (clipboard write) and OSC 8 (hyperlink), the 8-bit C1
CSI, bidi overrides ("Trojan Source") and a 100,000-character value; account names that
start like spreadsheet formulas. They go through `report` and `trace` in every format (from
a snapshot file, through the command line) and through the explorer (Pilot, 80x24) with its
CSV export. Existing tests (tests/test_trace.py, tests/test_export.py, tests/tui) cover
single payloads; these cover the whole set in every format at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest
from factories import A1, R1, arn, cov, rel, resource, snapshot

from blindspot.cli import main
from snapshot.graph import CoverageGraph
from snapshot.io import save_snapshot
from snapshot.model import ACCOUNT_TYPE, GLOBAL_REGION, REGION_TYPE, Account, Snapshot, Status
from snapshot.render.report import build_report
from snapshot.render.report import render as render_report
from snapshot.render.trace import render as render_trace
from snapshot.sanitize import clean_single_line

MARKUP = "[bold red]m[/] [@click=app.quit]q[/] [link=https://evil.example]l[/link] [/]"
CSI = "\x1b[31mred\x1b[0m\x1b[2J"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"
OSC8 = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
C1_CSI = "\x9b31mc1"
BIDI = "admin\u202etxt.exe\u2066"
LONG = "L" * 100_000
FORMULAS = ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]

#: Bytes that must never reach a terminal or a file from data.
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066")

VPC = arn("vpc", "vpc-evil")
SUBNET = arn("subnet", "subnet-evil")
INSTANCE = arn("instance", "i-long")
ENI = arn("network-interface", "eni-evil")


def hostile_snapshot() -> Snapshot:
    """Raw (uncleaned) hostile strings, as a snapshot built in memory would hold them."""
    region = f"{A1}/{R1}"
    resources = [
        resource(A1, ACCOUNT_TYPE, account=A1, region=GLOBAL_REGION, name=FORMULAS[0]),
        resource(region, REGION_TYPE, cov("account", "missing", "cloudtrail-management-events")),
        resource(
            VPC,
            "AWS::EC2::VPC",
            cov("network", "missing", "vpc-flow-logs", evidence=f"evidence {CSI}"),
            name=f"vpc {MARKUP} {CSI}",
            resource_id="vpc-evil",
            tags={OSC8: C1_CSI, "Name": MARKUP},
        ),
        resource(
            SUBNET,
            "AWS::EC2::Subnet",
            cov("network", "unknown", "vpc-flow-logs", inherited_from=VPC),
            name=f"subnet {OSC52} {BIDI}",
            resource_id="subnet-evil",
            tags={"owner": BIDI, "=cmd": "+1"},
        ),
        resource(
            INSTANCE,
            "AWS::EC2::Instance",
            cov("host", "missing", "cloudwatch-agent", evidence=LONG),
            name=LONG,
            resource_id="i-long",
            tags={"long": LONG},
        ),
        resource(
            ENI,
            "AWS::EC2::NetworkInterface",
            cov("network", "logged", "vpc-flow-logs"),
            name=FORMULAS[3],
            resource_id="eni-evil",
        ),
    ]
    relationships = [
        rel(SUBNET, VPC, "Is contained in Vpc"),
        rel(INSTANCE, SUBNET, f'Is contained in Subnet"]; evil -> x; {OSC52}'),
        rel(ENI, INSTANCE, f"Is attached to Instance {MARKUP} |`#<b>"),
    ]
    accounts = [Account(id=A1, name=FORMULAS[0], regions=[R1])]
    accounts.append(Account(id="000000000099", name=f"ops {CSI} {OSC52} {BIDI} {C1_CSI}"))
    for i, name in enumerate(FORMULAS[1:], start=2):
        accounts.append(Account(id=f"{i:012d}", name=name, regions=[]))
    return snapshot(resources, relationships, accounts)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    return str(save_snapshot(hostile_snapshot(), tmp_path_factory.mktemp("h") / "h.json"))


def assert_inert(text: str) -> None:
    present = [repr(char) for char in FORBIDDEN if char in text]
    assert not present, f"raw control characters reached the output: {present}"


# -- report -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
def test_report_every_format_is_inert(capsys, hostile_file, fmt) -> None:
    assert main(["report", hostile_file, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    if fmt == "json":
        names = {account["name"] for account in json.loads(out)["accounts"]}
        assert FORMULAS[0] in names  # shown as text, unchanged (JSON is not a spreadsheet)
    if fmt == "csv":
        assert_csv_neutralised(out, column="name", expect=FORMULAS)


def assert_csv_neutralised(text: str, *, column: str, expect: list[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = [row[column] for row in rows]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
    shown = {cell.removeprefix("'") for cell in cells}
    for value in expect:
        assert clean_single_line(value) in shown or value in shown, value


def test_report_renderers_are_inert_on_an_uncleaned_snapshot() -> None:
    """The renderers clean by themselves (a demo snapshot never went through the loader)."""
    report = build_report(CoverageGraph(hostile_snapshot()))
    for fmt in ("table", "markdown", "json", "csv"):
        assert_inert(render_report(report, fmt))
    assert_csv_neutralised(render_report(report, "csv"), column="name", expect=FORMULAS)


# -- trace ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["tree", "json", "dot", "mermaid"])
def test_trace_every_format_is_inert(capsys, hostile_file, fmt) -> None:
    assert main(["trace", hostile_file, VPC, "--depth", "3", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    if fmt == "tree":
        assert "␛[31mred" in out  # the escape is shown as a stand-in, visibly
        assert MARKUP in out  # markup printed as the characters it is
    if fmt == "json":
        document = json.loads(out)
        assert len(document["nodes"]) == 4
    if fmt == "dot":
        assert_dot_parses_with_shape(out, nodes=4, edges=3)
    if fmt == "mermaid":
        assert_mermaid_well_formed(out, nodes=4, edges=3)


def test_trace_renderers_are_inert_on_an_uncleaned_snapshot() -> None:
    trace = CoverageGraph(hostile_snapshot()).trace(VPC, depth=3)
    for fmt in ("tree", "json", "dot", "mermaid"):
        assert_inert(render_trace(trace, fmt))
    assert_dot_parses_with_shape(render_trace(trace, "dot"), nodes=4, edges=3)
    assert_mermaid_well_formed(render_trace(trace, "mermaid"), nodes=4, edges=3)


def assert_dot_parses_with_shape(text: str, *, nodes: int, edges: int) -> None:
    """Graphviz itself parses it, and injected quotes added no node or edge."""
    gvpr = shutil.which("gvpr")
    if gvpr is None:  # pragma: no cover - graphviz is installed on the build machines
        pytest.skip("graphviz gvpr not installed")
    result = subprocess.run(
        [gvpr, 'BEG_G { printf("%d %d\\n", nNodes($G), nEdges($G)) }'],
        input=text.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    assert result.stdout.decode().split() == [str(nodes), str(edges)]


_MERMAID_LABEL = r'"[^"\[\]{}|<>`]*"'
_MERMAID_NODE = re.compile(rf"  n\d+\[{_MERMAID_LABEL.replace('<>', '>')}\]")
_MERMAID_EDGE = re.compile(rf"  n\d+ -->\|{_MERMAID_LABEL}\| n\d+")


def assert_mermaid_well_formed(text: str, *, nodes: int, edges: int) -> None:
    """Each line is one statement; labels hold no quote, bracket, pipe or backtick."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR"
    node_lines = [line for line in lines if re.match(r"  n\d+\[", line)]
    edge_lines = [line for line in lines if re.match(r"  n\d+ -->", line)]
    assert len(node_lines) == nodes and len(edge_lines) == edges
    for line in node_lines:
        label = line[line.index('["') + 2 : -2]
        assert line.endswith('"]') and not set(label) & set('"[]{}|`'), line[:200]
        assert "<" not in label.replace("<br/>", ""), line[:200]
    for line in edge_lines:
        assert _MERMAID_EDGE.fullmatch(line), line[:200]
    others = set(lines[1:]) - set(node_lines) - set(edge_lines)
    assert all(line.startswith(("  classDef ", "  class ")) for line in others), others


# -- diff -----------------------------------------------------------------------------------------


def changed_snapshot() -> Snapshot:
    """The hostile snapshot a day later: a status changed, a hostile resource appeared."""
    later = hostile_snapshot()
    later.resources[2].coverage[0].status = Status.logged
    later.resources.append(
        resource(
            f"arn:aws:ec2:{R1}:{A1}:vpc/{OSC52}",
            f"AWS::EC2::VPC{CSI}",
            cov("network", "missing", f"vpc-flow-logs{BIDI}"),
            account=f"{A1}{C1_CSI}",
            region=f"{R1}{OSC8}",
            name=MARKUP,
        )
    )
    return later


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_diff_every_format_is_inert(capsys, hostile_file, tmp_path, fmt) -> None:
    new = str(save_snapshot(changed_snapshot(), tmp_path / "new.json"))
    assert main(["diff", hostile_file, new, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    from snapshot.render.diff import diff_snapshots, render

    result = diff_snapshots(hostile_snapshot(), changed_snapshot())
    assert result.appeared and result.controls
    assert_inert(render(result, fmt))  # the renderer cleans by itself, too


# -- the explorer ------------------------------------------------------------------------------


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def settle(pilot, app) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def test_explorer_shows_every_payload_literally(tmp_path) -> None:
    import asyncio

    from tui.app import BlindspotApp

    seen: dict[str, str] = {}

    async def body() -> None:
        app = BlindspotApp(snapshot=hostile_snapshot(), export_dir=tmp_path)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot, app)
            seen["matrix"] = screen_text(app)
            await pilot.press("l")
            await settle(pilot, app)
            seen["list"] = screen_text(app)
            await pilot.press("e")  # CSV export of the list
            await settle(pilot, app)
            for target in (VPC, SUBNET, INSTANCE):
                app.open_resource(target)
                await settle(pilot, app)
                seen[f"detail {target}"] = screen_text(app)
            await pilot.press("t")
            await settle(pilot, app)
            seen["trace"] = screen_text(app)
            await pilot.press("e")  # JSON export of the trace
            await settle(pilot, app)
            seen["svg"] = app.export_screenshot()
            assert app.is_running  # no payload quit the app or crashed it

    asyncio.run(body())
    for where, text in seen.items():
        present = [repr(char) for char in FORBIDDEN if char in text]
        assert not present, f"{where}: {present}"
    details = "\n".join(text for where, text in seen.items() if where.startswith("detail"))
    assert "␛[31mred" in details  # CSI shown as a stand-in
    assert "[bold red]m[/]" in details  # markup shown, not applied
    assert "␛]52;c;ZXZpbA==␇" in details  # OSC 52 shown, not sent to the clipboard
    assert "admin\ufffdtxt.exe" in details  # bidi override replaced visibly
    assert "LLLLLLLLLL" in details  # the 100k value is shown (cut to the screen)
    (export,) = tmp_path.glob("blindspot-list-*.csv")
    text = export.read_text()
    assert_inert(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) >= 4
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
    assert "'@SUM(A1)" in {row["name"] for row in rows}
    (trace_export,) = tmp_path.glob("blindspot-trace-*.json")
    assert_inert(trace_export.read_text())
    assert len(json.loads(trace_export.read_text())["nodes"]) == 4
