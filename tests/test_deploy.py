"""deploy/: the role templates grant exactly iam-policy.json, are generated from it (a
hand edit or a policy change without regenerating fails here), deploy in CloudFormation
(moto), and pass cfn-lint and `terraform validate` where those are installed."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from scripts import iam_policy
from scripts.iam_policy import (
    POLICY_FILE,
    ROLE_TEMPLATE,
    STACKSET_TEMPLATE,
    TERRAFORM_POLICY,
    deploy_files,
    load_policy,
)

TERRAFORM = POLICY_FILE.parent / "deploy" / "terraform"
COLLECTOR = "arn:aws:iam::111122223333:role/blindspot-collector"


def _policy() -> dict:
    return json.loads(POLICY_FILE.read_text())


def _role(template: dict) -> dict:
    return template["Resources"]["BlindspotReadOnlyRole"]["Properties"]


def test_generated_files_are_up_to_date():
    """Fails when iam-policy.json changed without `python -m scripts.iam_policy deploy`."""
    for path, text in deploy_files(_policy()).items():
        assert path.read_text() == text, f"{path} drifted: run python -m scripts.iam_policy deploy"


def test_check_mode_reports_drift(tmp_path, monkeypatch, capsys):
    policy = _policy()
    policy["Statement"][0]["Action"].append("ec2:DescribeEverything")
    changed = tmp_path / "iam-policy.json"
    changed.write_text(json.dumps(policy))
    monkeypatch.setattr(iam_policy, "POLICY_FILE", changed)
    assert iam_policy.main(["deploy", "--check"]) == 1
    assert "blindspot-role.json: differs from iam-policy.json" in capsys.readouterr().err
    monkeypatch.setattr(iam_policy, "POLICY_FILE", POLICY_FILE)
    assert iam_policy.main(["deploy", "--check"]) == 0


def test_role_template_grants_exactly_the_policy():
    template = json.loads(ROLE_TEMPLATE.read_text())
    (inline,) = _role(template)["Policies"]
    assert inline["PolicyDocument"] == _policy()
    granted = {
        action
        for statement in inline["PolicyDocument"]["Statement"]
        for action in statement["Action"]
    }
    assert granted == load_policy(POLICY_FILE)
    # IAM's limit for a role's inline policies is 10,240 characters without whitespace
    assert len(json.dumps(_policy(), separators=(",", ":"))) < 10_240


def test_trust_is_one_named_principal_with_optional_external_id():
    template = json.loads(ROLE_TEMPLATE.read_text())
    (trust,) = _role(template)["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Ref": "CollectorPrincipalArn"}}
    assert trust["Action"] == "sts:AssumeRole"
    assert "Default" not in template["Parameters"]["CollectorPrincipalArn"]  # must be named
    assert template["Parameters"]["ExternalId"]["Default"] == ""


def test_stackset_is_service_managed_and_carries_the_role_template():
    template = json.loads(STACKSET_TEMPLATE.read_text())
    props = template["Resources"]["BlindspotRoleStackSet"]["Properties"]
    assert props["PermissionModel"] == "SERVICE_MANAGED"
    assert props["AutoDeployment"]["Enabled"] is True
    assert props["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert json.loads(props["TemplateBody"]) == json.loads(ROLE_TEMPLATE.read_text())
    assert len(props["TemplateBody"].encode()) < 51_200  # CloudFormation's TemplateBody limit
    passed = {p["ParameterKey"] for p in props["Parameters"]}
    assert passed == {"CollectorPrincipalArn", "RoleName", "ExternalId"}


def test_terraform_module_uses_the_policy_copy():
    assert json.loads(TERRAFORM_POLICY.read_text()) == _policy()
    main_tf = (TERRAFORM_POLICY.parent / "main.tf").read_text()
    assert 'policy = file("${path.module}/iam-policy.json")' in main_tf
    assert "identifiers = [var.collector_principal_arn]" in main_tf
    example = (TERRAFORM / "examples" / "organization" / "main.tf").read_text()
    assert 'permission_model = "SERVICE_MANAGED"' in example
    assert "cloudformation/blindspot-role.json" in example


@pytest.mark.parametrize("external_id", ["", "s3cr3t"])
def test_role_template_deploys_in_cloudformation(external_id):
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        cloudformation.create_stack(
            StackName="blindspot-role",
            TemplateBody=ROLE_TEMPLATE.read_text(),
            Capabilities=["CAPABILITY_NAMED_IAM"],
            Parameters=[
                {"ParameterKey": "CollectorPrincipalArn", "ParameterValue": COLLECTOR},
                {"ParameterKey": "ExternalId", "ParameterValue": external_id},
            ],
        )
        (stack,) = cloudformation.describe_stacks(StackName="blindspot-role")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.get_role(RoleName="BlindspotReadOnly")["Role"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"AWS": COLLECTOR}
        if external_id:
            assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": external_id}}
        else:
            assert "Condition" not in trust
        document = iam.get_role_policy(
            RoleName="BlindspotReadOnly", PolicyName="BlindspotCollectReadOnly"
        )["PolicyDocument"]
        # moto returns the document as the repr of a dict where AWS returns it decoded
        parsed = document if isinstance(document, dict) else ast.literal_eval(document)
        assert parsed == _policy()


@pytest.mark.skipif(importlib.util.find_spec("cfnlint") is None, reason="cfn-lint not installed")
def test_cfn_lint_passes():
    from cfnlint.api import lint_file

    for template in (ROLE_TEMPLATE, STACKSET_TEMPLATE):
        assert [str(match) for match in lint_file(template)] == []


def _terraform_plugins() -> Path | None:
    """A local provider mirror (there is no registry access here); None: skip."""
    folder = Path(os.environ.get("BLINDSPOT_TF_PLUGIN_DIR", "/opt/tf-plugins"))
    return folder if (folder / "registry.terraform.io" / "hashicorp" / "aws").is_dir() else None


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("terraform") is None or _terraform_plugins() is None,
    reason="terraform or a local hashicorp/aws provider mirror is not available",
)
def test_terraform_validate(tmp_path):
    """The organization example includes the module, so one validate covers both."""
    copy = tmp_path / "deploy"
    shutil.copytree(POLICY_FILE.parent / "deploy", copy)
    example = copy / "terraform" / "examples" / "organization"
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1"}
    init = [
        "terraform",
        "init",
        "-backend=false",
        "-input=false",
        "-no-color",
        f"-plugin-dir={_terraform_plugins()}",
    ]
    for command in (init, ["terraform", "validate", "-no-color"]):
        result = subprocess.run(
            command, cwd=example, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
    fmt = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(copy / "terraform")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fmt.returncode == 0, fmt.stdout


@pytest.mark.parametrize("external_id", [None, "s3cr3t"])
def test_collect_sends_the_external_id_the_role_requires(external_id, monkeypatch):
    """`collect --org --external-id ID` presents what the templates' ExternalId requires
    (moto does not evaluate trust policies, so the call's parameters are what is checked)."""
    from collectors.accounts import plan_accounts

    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_aws():
        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        org.create_account(AccountName="member", Email="member@example.com")
        session = boto3.Session(region_name="us-east-1")
        sent: list[dict] = []
        session.events.register(
            "provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params))
        )
        plan = plan_accounts(
            session, org=True, role_name="BlindspotReadOnly", external_id=external_id
        )
    assert not plan.errors and len(plan.accounts) == 2
    assert len(sent) == 1 and sent[0]["RoleArn"].endswith(":role/BlindspotReadOnly")
    assert sent[0].get("ExternalId") == external_id


def test_cli_passes_external_id_to_the_collection():
    from blindspot.cli import build_parser
    from blindspot.commands.collect import options_from_args

    args = build_parser().parse_args(
        ["collect", "-o", "x.json", "--org", "--role-name", "R", "--external-id", "abc"]
    )
    options = options_from_args(args)
    assert (options.role_name, options.external_id) == ("R", "abc")
