"""The organization's accounts, reached the way a real one is: Organizations + sts:AssumeRole.

The management account is entered with an assumed administrator role (its id comes from the
seed, not moto's default 123456789012); it creates the organization and the member accounts
(security/log-archive, production, development), and every member is then reached through
`OrganizationAccountAccessRole`, the role Organizations creates in accounts it makes. moto
keeps a separate backend per account, keyed by the assumed credentials, so resources built
through one account's session live in that account only. (moto's create_account also
creates the member's OrganizationAccountAccessRole, as Organizations does.)
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3

from .naming import Naming
from .truth import GroundTruth

MEMBER_ROLE = "OrganizationAccountAccessRole"
MANAGEMENT_ROLE = "AWSReservedSSO_AdministratorAccess"

#: Account roles in creation order, with the organizational unit each goes to.
MEMBER_ROLES: dict[str, str] = {
    "security": "Security",
    "production": "Workloads",
    "development": "Workloads",
}


@dataclass
class SimAccount:
    """One account of the simulated organization and a session inside it."""

    role: str  # management | security | production | development
    id: str
    name: str
    email: str
    credentials: dict[str, str]
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def session(self, region: str = "us-east-1") -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.credentials["AccessKeyId"],
            aws_secret_access_key=self.credentials["SecretAccessKey"],
            aws_session_token=self.credentials["SessionToken"],
            region_name=region,
        )

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """A plain (writing) boto3 client for building; cached per service and region.

        All builder clients come from one shared boto3 session with explicit credentials:
        a session per client would re-read botocore's endpoint and service data each time
        (seconds over a build).
        """
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = _builder_session().client(
                    service,
                    region_name=region,
                    aws_access_key_id=self.credentials["AccessKeyId"],
                    aws_secret_access_key=self.credentials["SecretAccessKey"],
                    aws_session_token=self.credentials["SessionToken"],
                )
            return self._clients[key]


_SHARED: dict[str, boto3.Session] = {}
_SHARED_LOCK = threading.Lock()


def _builder_session() -> boto3.Session:
    with _SHARED_LOCK:
        if "session" not in _SHARED:
            _SHARED["session"] = boto3.Session(region_name="us-east-1")
        return _SHARED["session"]


def service_trust(service: str) -> str:
    """The trust policy (JSON) of a role that the AWS service `service` may assume."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


@dataclass
class BuildContext:
    """What every builder step needs: names, accounts, regions, size, the truth to record."""

    naming: Naming
    size: str
    regions: tuple[str, ...]
    accounts: dict[str, SimAccount]
    truth: GroundTruth
    rng: random.Random
    organization_id: str = ""
    #: Facts later steps need (bucket names, VPC ids, log group ARNs), by key.
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def large(self) -> bool:
        return self.size == "large"

    def account(self, role: str) -> SimAccount:
        return self.accounts[role]


def record_planned(
    ctx: BuildContext,
    account: SimAccount,
    region: str,
    resource_type: str,
    resource_id: str,
    arn: str,
    control: str,
    state: str,
    detail: str,
    *,
    layer: str,
) -> None:
    """Note in the ground truth one control a builder step switched on, left off or half set.

    Each step binds its own layer (or resource type and control) on top of this, so the
    truth it records reads like the plan in its docstring.
    """
    ctx.truth.add(
        account=account.id,
        region=region,
        resource_type=resource_type,
        resource_id=resource_id,
        arn=arn,
        layer=layer,
        control=control,
        state=state,  # type: ignore[arg-type]
        detail=detail,
    )


def _assume(sts: Any, account_id: str, role: str, session_name: str) -> dict[str, str]:
    response = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{role}", RoleSessionName=session_name
    )
    return response["Credentials"]


def management_account_id(seed: int) -> str:
    """A 12-digit account id derived from the seed (never moto's default 123456789012)."""
    rng = random.Random(f"management-{seed}")
    return str(rng.randrange(2 * 10**11, 9 * 10**11))


def _name_management_account(management: SimAccount) -> None:
    """Give the management account the company's name and email.

    moto names it `master` / master@example.com and offers no API to change that (neither
    does Organizations), so the name is set on moto's model object; a real organization's
    management account carries whatever name it was opened with.
    """
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[management.id]["aws"]
    for account in backend.accounts:
        if account.id == management.id:
            account.name = management.name
            account.email = management.email


def create_organization(naming: Naming) -> tuple[str, dict[str, SimAccount]]:
    """Create the organization, its OUs and member accounts; returns (org id, accounts)."""
    bootstrap = _builder_session().client("sts", region_name="us-east-1")
    management_id = management_account_id(naming.seed)
    creds = _assume(bootstrap, management_id, MANAGEMENT_ROLE, "platform-admin")
    management = SimAccount(
        role="management",
        id=management_id,
        name=naming.account_name("management"),
        email=naming.email("management"),
        credentials=creds,
    )
    org = management.client("organizations")
    organization_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    _name_management_account(management)
    root_id = org.list_roots()["Roots"][0]["Id"]
    units = {
        name: org.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"][
            "Id"
        ]
        for name in sorted(set(MEMBER_ROLES.values()))
    }
    for principal in ("cloudtrail.amazonaws.com", "config.amazonaws.com"):
        org.enable_aws_service_access(ServicePrincipal=principal)

    accounts = {"management": management}
    sts = management.client("sts")
    for role, unit in MEMBER_ROLES.items():
        status = org.create_account(
            AccountName=naming.account_name(role),
            Email=naming.email(role),
            RoleName=MEMBER_ROLE,
            Tags=[{"Key": "environment", "Value": role}],
        )["CreateAccountStatus"]
        account_id = status["AccountId"]
        org.move_account(
            AccountId=account_id, SourceParentId=root_id, DestinationParentId=units[unit]
        )
        member = SimAccount(
            role=role,
            id=account_id,
            name=naming.account_name(role),
            email=naming.email(role),
            credentials=_assume(sts, account_id, MEMBER_ROLE, "platform-admin"),
        )
        accounts[role] = member
    return organization_id, accounts
