"""No secrets: the demo organization's snapshot and every export hold no credential.

The demo (blindspot.simulation) is built in moto and collected by the real collector, as
`blindspot demo` does: from the management account's session credentials, through
`sts:AssumeRole` into each member account. Every credential in play is captured: each
account's session credentials and every set of credentials AssumeRole handed to the
collector (an `after-call` hook on blindspot's own STS clients). The demo's Lambda functions
carry a fake secret in an environment variable (`DB_PASSWORD`); their values are read back
from moto. The snapshot (.json and .json.gz), `export` in every format, `report` in every
format and the explorer's CSV export are then scanned for every one of those strings.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from blindspot.cli import main
from collectors.aws.session import AwsContext
from snapshot.graph import CoverageGraph
from snapshot.io import save_snapshot

SEED = 7


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(snapshot file, the secrets in play, the Lambda function names) of one demo run."""
    from blindspot.simulation import moto_config
    from blindspot.simulation.collection import collect_organization
    from blindspot.simulation.environment import simulated_aws
    from blindspot.simulation.org import build_organization

    issued: list[dict] = []
    original = AwsContext.client

    def capture(parsed, model, **_):
        if model.name == "AssumeRole" and "Credentials" in parsed:
            issued.append(dict(parsed["Credentials"]))

    def client(context, service, region=None):
        made = original(context, service, region)
        if service == "sts" and not getattr(made, "_rel_capture", False):
            made.meta.events.register("after-call.sts.AssumeRole", capture)
            made._rel_capture = True
        return made

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AwsContext, "client", client)
        with simulated_aws(SEED), moto_config.registered():
            org = build_organization(SEED, "small")
            result = collect_organization(org)
            secrets: set[str] = set()
            for account in org.accounts.values():
                secrets.update(str(v) for v in account.credentials.values() if v)
            env_values: dict[str, str] = {}
            functions: set[str] = set()
            for account in org.accounts.values():
                for region in org.regions:
                    listing = account.client("lambda", region).list_functions()["Functions"]
                    for function in listing:
                        functions.add(function["FunctionName"])
                        variables = (function.get("Environment") or {}).get("Variables") or {}
                        for key, value in variables.items():
                            env_values[f"{function['FunctionName']}:{key}"] = value
    for credentials in issued:
        secrets.update(
            str(credentials[key])
            for key in ("AccessKeyId", "SecretAccessKey", "SessionToken")
            if credentials.get(key)
        )
    folder = tmp_path_factory.mktemp("demo")
    path = save_snapshot(result.snapshot, folder / "demo.json")
    save_snapshot(result.snapshot, folder / "demo.json.gz")
    return path, issued, secrets, env_values, functions


def _secret_strings(demo) -> list[str]:
    """Every credential string, and every environment value that is not a public name.

    The demo sets `STAGE` to the function's own name, which the snapshot shows as the
    resource name anyway; every other value (the fake `DB_PASSWORD`) must be absent.
    """
    _, _, secrets, env_values, functions = demo
    values = {value for value in env_values.values() if value not in functions}
    return sorted(secrets | values)


def _outputs(path: Path, tmp_path, capsys) -> dict[str, str]:
    outputs = {
        "snapshot.json": path.read_text(),
    }
    zipped = path.with_suffix(".json.gz")
    if zipped.exists():
        outputs["snapshot.json.gz"] = gzip.decompress(zipped.read_bytes()).decode()
    for fmt in ("graphml", "node-link", "dot"):
        out = tmp_path / f"export.{fmt}"
        assert main(["export", str(path), "--format", fmt, "-o", str(out)]) == 0
        outputs[f"export {fmt}"] = out.read_text()
    for fmt in ("table", "markdown", "json", "csv"):
        assert main(["report", str(path), "--format", fmt]) == 0
        outputs[f"report {fmt}"] = capsys.readouterr().out
    from snapshot.io import load_snapshot
    from tui.exporting import list_csv

    graph = CoverageGraph(load_snapshot(path))
    outputs["explorer csv"] = list_csv(graph, list(graph.resources))
    return outputs


def test_the_demo_run_really_had_secrets_to_leak(demo) -> None:
    path, issued, secrets, env_values, functions = demo
    assert len(issued) >= 3  # the collector assumed a role into each member account
    assert any(value == "hunter2-demo-secret" for value in env_values.values())
    snapshot = json.loads(Path(path).read_text())
    lambdas = [r for r in snapshot["resources"] if r["type"] == "AWS::Lambda::Function"]
    assert {r["resource_id"] for r in lambdas} == functions  # the functions were collected
    assert all(len(secret) >= 16 for secret in _secret_strings(demo) if secret in secrets)


def scan(outputs: dict[str, str], secrets: list[str]) -> list[str]:
    return [
        f"{where}: {secret[:6]}..."
        for where, text in outputs.items()
        for secret in secrets
        if secret in text
    ]


def test_no_credential_or_environment_value_in_any_output(demo, tmp_path, capsys) -> None:
    outputs = _outputs(demo[0], tmp_path, capsys)
    assert len(outputs) == 10
    leaks = scan(outputs, _secret_strings(demo))
    assert not leaks, leaks


def test_the_scan_finds_a_planted_secret(demo, tmp_path, capsys) -> None:
    """The scan is not vacuous: a secret planted in a tag is found in the outputs."""
    from snapshot.io import load_snapshot

    planted = load_snapshot(demo[0])
    secret = next(s for s in _secret_strings(demo) if s != "hunter2-demo-secret")
    planted.resources[0].tags["leak"] = secret
    path = save_snapshot(planted, tmp_path / "planted.json")
    found = {leak.split(":")[0] for leak in scan(_outputs(path, tmp_path, capsys), [secret])}
    assert {"snapshot.json", "export graphml", "export node-link", "explorer csv"} <= found
