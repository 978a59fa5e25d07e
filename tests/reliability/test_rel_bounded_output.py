"""Small file, huge output: `trace` and `diff` stay bounded in size, memory and depth.

Two resources with 1 MB names and 1,000 relationships (a 2 MB file) made `trace` write 2 GB
and peak at 12 GB; a diff of a 1 MB id with 1,000 control changes wrote 1 GB; a 5,000-
resource chain crashed `trace --depth 1000` (recursion); a trace JSON of a hub with a
million edges peaked above 2.4 GB. Protections: `sanitize.shorten` in the human formats
(snapshot/render/trace.py, diff.py), the explicit stack of `trace.iter_tree`, and the
streamed machine formats (snapshot/render/streaming.py, written piece by piece by the
commands). Each test fails with its protection patched out (checked by hand, see
docs/notes/issue-15.md); the heavy cases run in a child process under an address-space
limit, with their peak resident memory (VmHWM) measured.
"""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path

import pytest
from factories import R1, arn, cov, rel, resource, snapshot
from python_child import run_python

from blindspot.cli import main
from snapshot.io import save_snapshot

MiB = 1024 * 1024
VPC_TYPE, SUBNET_TYPE = "AWS::EC2::VPC", "AWS::EC2::Subnet"

CHILD = textwrap.dedent(
    """
    import resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from blindspot.cli import main
    with open(sys.argv[2], "w") as out:
        sys.stdout = out
        code = main(sys.argv[3:])
        sys.stdout = sys.__stdout__
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(code, peak_kb * 1024)
    """
)


def run_child(tmp_path: Path, *argv: str, limit: int = 1536 * MiB) -> tuple[int, int, int, float]:
    """(exit code, bytes written, peak resident bytes, seconds) of `blindspot ARGV`."""
    out = tmp_path / "out.txt"
    result, seconds = run_python(CHILD, str(limit), str(out), *argv, timeout=120)
    code, peak = result.stdout.split()
    return int(code), out.stat().st_size, int(peak), seconds


@pytest.fixture
def huge_names(tmp_path) -> Path:
    """Two resources with 1 MB names and 1,000 relationships between them (a 2 MB file)."""
    vpc, subnet = arn("vpc", "vpc-big"), arn("subnet", "subnet-big")
    resources = [
        resource(vpc, VPC_TYPE, cov("network", "missing"), name="V" * MiB),
        resource(subnet, SUBNET_TYPE, cov("network", "logged"), name="S" * MiB),
    ]
    relationships = [rel(subnet, vpc, f"Is contained in Vpc {i}") for i in range(1000)]
    path = tmp_path / "huge-names.json"
    save_snapshot(snapshot(resources, relationships), path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["tree", "mermaid"])
def test_huge_names_do_not_make_a_huge_trace(tmp_path, huge_names, fmt) -> None:
    vpc = arn("vpc", "vpc-big")
    code, written, peak, seconds = run_child(
        tmp_path, "trace", str(huge_names), vpc, "--format", fmt
    )
    assert code == 0
    assert written < 1 * MiB, f"{written // 1024} KiB"
    assert peak < 512 * MiB, f"{peak // MiB} MiB"
    assert seconds < 60
    text = (tmp_path / "out.txt").read_text()
    assert "chars" in text  # the cut is visible (Mermaid escapes its brackets)


@pytest.mark.slow
def test_a_huge_id_does_not_make_a_huge_diff(tmp_path) -> None:
    huge = "arn:aws:ec2:us-east-1:111111111111:vpc/" + "x" * MiB
    controls_old = [cov("network", "logged", f"control-{i}") for i in range(1000)]
    controls_new = [cov("network", "missing", f"control-{i}") for i in range(1000)]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    save_snapshot(snapshot([resource(huge, VPC_TYPE, *controls_old)]), old)
    save_snapshot(snapshot([resource(huge, VPC_TYPE, *controls_new)]), new)
    code, written, peak, seconds = run_child(tmp_path, "diff", str(old), str(new))
    assert seconds < 60
    assert code == 0
    assert written < 1 * MiB, f"{written // 1024} KiB"
    assert peak < 512 * MiB, f"{peak // MiB} MiB"
    assert "1000 control changes (1000 worse" in (tmp_path / "out.txt").read_text()


def test_a_long_chain_traced_deep_does_not_recurse(tmp_path, capsys) -> None:
    ids = [arn("subnet", f"subnet-{i}") for i in range(5000)]
    resources = [resource(rid, SUBNET_TYPE, cov("network", "logged")) for rid in ids]
    relationships = [rel(a, b, "Is associated with Subnet") for a, b in itertools.pairwise(ids)]
    path = tmp_path / "chain.json"
    save_snapshot(snapshot(resources, relationships), path)
    assert main(["trace", str(path), ids[0], "--depth", "1000"]) == 0
    out = capsys.readouterr().out
    assert "1001 resources within depth 1000" in out
    assert out.count("subnet-") >= 1001
    assert main(["trace", str(path), ids[0], "--depth", "1000", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["nodes"]) == 1001


@pytest.mark.slow
def test_a_million_edge_hub_trace_json_is_streamed(tmp_path) -> None:
    """A hub related to 1,000 resources by 1,000 relationship names each: 1M trace edges."""
    hub = arn("vpc", "vpc-hub")
    leaves = [arn("subnet", f"subnet-{i}") for i in range(1000)]
    lines = [
        json.dumps({"source": leaf, "target": hub, "name": f"Is contained in Vpc {n}"})
        for leaf in leaves
        for n in range(1000)
    ]
    base = snapshot(
        [resource(hub, VPC_TYPE, cov("network", "logged"), region=R1)]
        + [resource(leaf, SUBNET_TYPE, cov("network", "missing")) for leaf in leaves]
    )
    document = json.loads(base.model_dump_json())
    head = json.dumps({k: v for k, v in document.items() if k != "relationships"})[:-1]
    path = tmp_path / "hub.json"
    path.write_text(head + ', "relationships": [' + ",".join(lines) + "]}")
    code, written, peak, seconds = run_child(
        tmp_path, "trace", str(path), hub, "--depth", "1", "--format", "json", limit=4096 * MiB
    )
    assert code == 0 and written > 100 * MiB  # every edge, whole
    print(json.dumps({"peak_mib": peak // MiB, "seconds": round(seconds, 1)}))
    assert peak < 1536 * MiB, f"{peak // MiB} MiB"
