"""The least-privilege IAM policy for `blindspot collect`, and how API calls map to it.

`iam-policy.json` at the repository root lists, explicitly, every IAM action the collectors
need. Most actions are the API operation's own name under the service's IAM prefix
(`ec2:DescribeVpcs`); a few are not, and `IAM_ACTION_OVERRIDES` says which (S3's ListBuckets
is authorised by `s3:ListAllMyBuckets`; every API Gateway read by `apigateway:GET` on the
resource path, which is why that action has its own statement scoped to the paths read:
`SCOPED_ACTIONS`). `tests/collectors/test_iam_policy.py` records every call the collectors make
under moto and fails when the policy lacks one.

`python -m scripts.iam_policy > iam-policy.json` regenerates the policy from a scan of
the collectors' source (every boto3 operation name called on a client of a service the
collectors create); review the diff, since a scan can only over-approximate.

`python -m scripts.iam_policy deploy` then regenerates the deployable role from that file:
deploy/cloudformation (a role template and an organization StackSet) and the policy copy the
Terraform module reads; `deploy --check` and tests/test_deploy.py fail when they drift.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore.session

from collectors.aws.session import is_read_operation

#: (IAM prefix, operation) -> the IAM action(s) that authorise it, where they differ.
IAM_ACTION_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "GetBucketLogging"): ("s3:GetBucketLogging",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("sts", "GetCallerIdentity"): (),  # needs no permission
}
#: Services whose IAM actions are HTTP verbs on resource paths, not operation names.
HTTP_VERB_SERVICES = frozenset({"apigateway"})
#: IAM-only read actions that do not follow the Describe/List/Get naming.
IAM_ONLY_READS = frozenset(
    {"apigateway:GET", "s3:ListBucket", "s3:ListAllMyBuckets", "s3:GetLifecycleConfiguration"}
)


#: Signing names (what the CallLog records) whose IAM prefix differs.
IAM_PREFIXES = {"monitoring": "cloudwatch"}


def iam_actions(service_prefix: str, operation: str) -> tuple[str, ...]:
    """The IAM actions authorising one API operation (as the CallLog records it)."""
    service_prefix = IAM_PREFIXES.get(service_prefix, service_prefix)
    if (service_prefix, operation) in IAM_ACTION_OVERRIDES:
        return IAM_ACTION_OVERRIDES[(service_prefix, operation)]
    if service_prefix in HTTP_VERB_SERVICES:
        return (f"{service_prefix}:GET",)
    return (f"{service_prefix}:{operation}",)


def is_read_action(action: str) -> bool:
    service, _, name = action.partition(":")
    return action in IAM_ONLY_READS or is_read_operation(service, name)


def load_policy(path: str | Path) -> set[str]:
    """Every action an IAM policy document allows (wildcards are not expanded)."""
    document = json.loads(Path(path).read_text())
    actions: set[str] = set()
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        listed = statement.get("Action", [])
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


_CLIENT_RE = re.compile(r"client\(\s*\"([a-z0-9-]+)\"")
_CALL_RE = re.compile(r"\.([a-z][a-z0-9_]+)\b")
#: Operation names passed around as strings (paginators, helpers), and `service:Operation`
#: as written in evidence. PascalCase words alone are not taken: probes also quote CloudTrail
#: event names (GetObject, GetItem) that blindspot must never be allowed to call.
_LITERAL_RE = re.compile(r"[\"']([a-z][a-z0-9_]+)[\"']")
_SERVICE_LITERAL_RE = re.compile(r"[\"']([a-z0-9-]+)[\"']")
_QUALIFIED_RE = re.compile(r"\b([a-z0-9-]+):([A-Z][A-Za-z0-9]+)\b")
_TOP_LEVEL_RE = re.compile(r"\n(?=(?:async def|def|class) )")


def _services_in(text: str, available: set[str]) -> set[str]:
    """Services a client is made for in `text`, with service names handed to helpers."""
    services = set(_CLIENT_RE.findall(text))
    if services:  # a service name passed to a helper that makes the client
        services |= set(_SERVICE_LITERAL_RE.findall(text)) & available
    return services


def scan_actions(root: Path) -> set[str]:
    """IAM actions for the operations the collectors' code calls (over-approximate).

    Per source file: each service a client is made for in that file, crossed with the
    operation names (snake_case literals and calls) in the same file; plus every
    `service:Operation` written anywhere (evidence strings name the call they made).
    """
    session = botocore.session.get_session()
    operations: dict[str, tuple[str, dict[str, str]]] = {}

    def service_operations(service: str) -> tuple[str, dict[str, str]] | None:
        if service not in operations:
            try:
                model = session.get_service_model(service)
            except Exception:
                return None
            prefix = model.metadata.get("signingName") or model.metadata.get("endpointPrefix")
            by_name = {botocore.xform_name(op): op for op in model.operation_names}
            operations[service] = (prefix, by_name)
        return operations[service]

    available = set(session.get_available_services())
    actions: set[str] = set()
    qualified: set[tuple[str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        qualified.update(_QUALIFIED_RE.findall(text))
        file_services = _services_in(text, available)
        # Pair names with the clients made in the same top-level function: a file-wide
        # cross product would credit one service with another's operation (CodeBuild's
        # ListProjects went to Bedrock once botocore gave Bedrock an operation of that name).
        # Helpers that make no client are paired with every client of their file.
        for chunk in _TOP_LEVEL_RE.split(text):
            names = set(_CALL_RE.findall(chunk)) | set(_LITERAL_RE.findall(chunk))
            for service in _services_in(chunk, available) or file_services:
                known = service_operations(service)
                if known is None:
                    continue
                prefix, by_name = known
                for name in names & by_name.keys():
                    if is_read_operation(prefix, by_name[name]):
                        actions.update(iam_actions(prefix, by_name[name]))
    for prefix, operation in qualified:
        if is_read_operation(prefix, operation) and any(
            known[0] == prefix and operation in known[1].values() for known in operations.values()
        ):
            actions.update(iam_actions(prefix, operation))
    return actions


#: Actions allowed on some resources only: (statement id, resource ARNs). `apigateway:GET`
#: authorises every API Gateway read, including `GET /apikeys/{id}?includeValue=true` (API
#: key values) and client certificates; so it is scoped to the paths the collectors read:
#: GetRestApis (`/restapis`), GetStages v1 (`/restapis/{id}/stages`), GetApis v2 (`/apis`)
#: and GetStages v2 (`/apis/{id}/stages`). See collectors/inventory/api/apigateway.py and
#: collectors/coverage/probes/access.py (`_stages`); a new API Gateway call needs its path
#: added here.
SCOPED_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "apigateway:GET": (
        "BlindspotApiGatewayStagesReadOnly",
        (
            "arn:aws:apigateway:*::/restapis",
            "arn:aws:apigateway:*::/restapis/*/stages",
            "arn:aws:apigateway:*::/apis",
            "arn:aws:apigateway:*::/apis/*/stages",
        ),
    ),
}


def policy_document(actions: set[str]) -> dict:
    """The policy: one statement on every resource, one per action in SCOPED_ACTIONS."""
    statements: list[dict] = [
        {
            "Sid": "BlindspotCollectReadOnly",
            "Effect": "Allow",
            "Action": sorted(actions - SCOPED_ACTIONS.keys()),
            "Resource": "*",
        }
    ]
    for action in sorted(actions & SCOPED_ACTIONS.keys()):
        sid, resources = SCOPED_ACTIONS[action]
        statements.append(
            {"Sid": sid, "Effect": "Allow", "Action": [action], "Resource": list(resources)}
        )
    return {"Version": "2012-10-17", "Statement": statements}


# --- The deployable role (deploy/): generated from iam-policy.json, never edited by hand ---

REPO = Path(__file__).resolve().parents[1]
POLICY_FILE = REPO / "iam-policy.json"
DEPLOY = REPO / "deploy"
ROLE_TEMPLATE = DEPLOY / "cloudformation" / "blindspot-role.json"
STACKSET_TEMPLATE = DEPLOY / "cloudformation" / "blindspot-stackset.json"
TERRAFORM_POLICY = DEPLOY / "terraform" / "modules" / "blindspot-role" / "iam-policy.json"
GENERATED = "Generated by `python -m scripts.iam_policy deploy` from iam-policy.json: do not edit."
_ROLE_PARAMETERS: dict[str, dict[str, Any]] = {
    "CollectorPrincipalArn": {
        "Type": "String",
        "Description": "ARN of the one IAM role or user that runs `blindspot collect` "
        "(e.g. arn:aws:iam::111122223333:role/blindspot-collector)",
        "AllowedPattern": r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/.+$",
    },
    "RoleName": {
        "Type": "String",
        "Default": "BlindspotReadOnly",
        "Description": "Name of the role; pass it to `blindspot collect --org --role-name`",
        "AllowedPattern": r"^[\w+=,.@-]{1,64}$",
    },
    "ExternalId": {
        "Type": "String",
        "Default": "",
        "NoEcho": True,
        "Description": "Optional sts:ExternalId the collector must present (empty: none)",
    },
}


def role_template(policy: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation for one account: the read-only role, trusted by one named principal."""
    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": {"Ref": "CollectorPrincipalArn"}},
        "Action": "sts:AssumeRole",
        "Condition": {
            "Fn::If": [
                "HasExternalId",
                {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}},
                {"Ref": "AWS::NoValue"},
            ]
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"blindspot read-only collection role. {GENERATED}",
        "Parameters": _ROLE_PARAMETERS,
        "Conditions": {"HasExternalId": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ExternalId"}, ""]}]}},
        "Resources": {
            "BlindspotReadOnlyRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "Description": "Read-only role assumed by blindspot collect",
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
                    "Policies": [
                        {"PolicyName": "BlindspotCollectReadOnly", "PolicyDocument": policy}
                    ],
                    "Tags": [{"Key": "managed-by", "Value": "blindspot"}],
                },
            }
        },
        "Outputs": {
            "RoleArn": {"Value": {"Fn::GetAtt": ["BlindspotReadOnlyRole", "Arn"]}},
            "RoleName": {"Value": {"Ref": "BlindspotReadOnlyRole"}},
        },
    }


def stackset_template(policy: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation for the management (or delegated administrator) account: a
    SERVICE_MANAGED StackSet that puts the role in every account of the given OUs, and in
    accounts that join them later. StackSets never deploy to the management account itself."""
    parameters = {
        **_ROLE_PARAMETERS,
        "OrganizationalUnitIds": {
            "Type": "CommaDelimitedList",
            "Description": "OUs to deploy to; the root id (r-xxxx) for the whole organization",
        },
        "DeploymentRegion": {
            "Type": "String",
            "Default": "us-east-1",
            "Description": "One region for the stack instances (IAM is global)",
        },
        "CallAs": {
            "Type": "String",
            "Default": "SELF",
            "AllowedValues": ["SELF", "DELEGATED_ADMIN"],
            "Description": "SELF in the management account, DELEGATED_ADMIN elsewhere",
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"blindspot read-only role in every member account. {GENERATED}",
        "Parameters": parameters,
        "Resources": {
            "BlindspotRoleStackSet": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {
                    "StackSetName": "blindspot-read-only-role",
                    "Description": "blindspot read-only collection role",
                    "PermissionModel": "SERVICE_MANAGED",
                    "CallAs": {"Ref": "CallAs"},
                    "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
                    "Capabilities": ["CAPABILITY_NAMED_IAM"],
                    "ManagedExecution": {"Active": True},
                    "OperationPreferences": {
                        "FailureTolerancePercentage": 10,
                        "MaxConcurrentPercentage": 25,
                        "RegionConcurrencyType": "PARALLEL",
                    },
                    "Parameters": [
                        {"ParameterKey": key, "ParameterValue": {"Ref": key}}
                        for key in _ROLE_PARAMETERS
                    ],
                    "StackInstancesGroup": [
                        {
                            "DeploymentTargets": {
                                "OrganizationalUnitIds": {"Ref": "OrganizationalUnitIds"}
                            },
                            "Regions": [{"Ref": "DeploymentRegion"}],
                        }
                    ],
                    "TemplateBody": json.dumps(role_template(policy), separators=(",", ":")),
                },
            }
        },
    }


def deploy_files(policy: dict[str, Any]) -> dict[Path, str]:
    """Every generated file under deploy/ and its text."""

    def text(document: dict[str, Any]) -> str:
        return json.dumps(document, indent=2) + "\n"

    return {
        ROLE_TEMPLATE: text(role_template(policy)),
        STACKSET_TEMPLATE: text(stackset_template(policy)),
        TERRAFORM_POLICY: text(policy),
    }


def write_deploy(check: bool = False) -> int:
    """Write deploy/ from iam-policy.json; with `check`, report drift and write nothing."""
    drifted = []
    for path, text in deploy_files(json.loads(POLICY_FILE.read_text())).items():
        if path.exists() and path.read_text() == text:
            continue
        drifted.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for path in drifted:
        verb = "differs from iam-policy.json" if check else "written"
        sys.stderr.write(f"{path.relative_to(REPO)}: {verb}\n")
    return 1 if check and drifted else 0


def main(argv: list[str] | None = None) -> int:
    """`python -m scripts.iam_policy > iam-policy.json` regenerates the policy;
    `python -m scripts.iam_policy deploy [--check]` regenerates (checks) deploy/ from it."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["deploy"]:
        return write_deploy(check="--check" in args)
    root = REPO / "collectors"  # scripts/ moved out of collectors/: scan the collectors
    actions = scan_actions(root) | {"sts:AssumeRole"}
    sys.stdout.write(json.dumps(policy_document(actions), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
