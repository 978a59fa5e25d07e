"""Which accounts and regions a collection covers, and the credentials for each.

* the caller's account (`sts:GetCallerIdentity`), by default;
* `--org`: every ACTIVE account of the organization (`organizations:ListAccounts`), entered
  through `sts:AssumeRole` into `--role-name` (the caller's own account is used directly);
* `--accounts`: a list of account ids (assumed into the same way; with `--org`, a filter).

A refused assume-role is an `errors` entry for that account, which still appears in the
snapshot (with no regions): a blind account is a finding, not a crash. Likewise an
organization that cannot be read (`--org` outside an organization, or from an account that
may not list it) is an `errors` entry, and the caller's own account (or the `--accounts`
given) is collected instead.

Regions: a list, the session's region (AWS_REGION / profile) by default, or `all`: the
regions enabled for each account (`account:ListRegions` with ENABLED / ENABLED_BY_DEFAULT,
falling back to `ec2:DescribeRegions`, which lists only enabled regions by default).

Every account gets its own `AwsContext`; all share one `CallLog`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
import botocore.session
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from snapshot.model import CollectionError
from snapshot.sanitize import clean_single_line

from .aws.errors import to_collection_error
from .aws.session import AwsContext, CallLog
from .shard import Shard

DEFAULT_REGION = "us-east-1"
ENABLED_STATUSES = ("ENABLED", "ENABLED_BY_DEFAULT")
ROLE_SESSION_NAME = "blindspot"


class NoCredentials(Exception):
    """No usable AWS credentials: the user must configure some (exit 2, one line)."""


@dataclass
class AccountTarget:
    """One account to collect: its credentials (None when they could not be obtained)."""

    id: str
    name: str = ""
    aws: AwsContext | None = None
    regions: list[str] = field(default_factory=list)
    email: str | None = None
    role: str | None = None  # management | member, when known


@dataclass
class AccountPlan:
    caller: str
    accounts: list[AccountTarget]
    errors: list[CollectionError] = field(default_factory=list)
    organization: str | None = None


def session_region(session: boto3.Session) -> str:
    return session.region_name or os.environ.get("AWS_REGION") or DEFAULT_REGION


def caller_account(aws: AwsContext, region: str) -> str:
    """The caller's account id; NoCredentials when there are none (or they are refused)."""
    try:
        identity = aws.client("sts", region).get_caller_identity()
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise NoCredentials(
            "no AWS credentials found: set AWS_PROFILE / --profile, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY"
        ) from exc
    return str(identity["Account"])


def organization_accounts(aws: AwsContext, region: str) -> tuple[dict, list[dict]]:
    """(the organization, its ACTIVE accounts) as Organizations describes and lists them."""
    client = aws.client("organizations", region)
    organization = client.describe_organization()["Organization"]
    accounts = []
    for page in client.get_paginator("list_accounts").paginate():
        for account in page.get("Accounts") or []:
            # `State` replaced the deprecated `Status` in 2025; accept either.
            if (account.get("State") or account.get("Status")) == "ACTIVE":
                accounts.append(account)
    return organization, accounts


def organization_error(exc: BaseException, caller: str) -> CollectionError:
    """The `errors` entry of an organization that could not be read (the call that failed)."""
    operation = getattr(exc, "operation_name", None) or "ListAccounts"
    return to_collection_error(
        exc, account=caller, region=None, service="organizations", operation=operation
    )


class _AssumedRoleProvider(CredentialProvider):
    """Hands botocore the refreshable credentials of an assumed role."""

    METHOD = "blindspot-assume-role"

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials


def assume_role_session(
    aws: AwsContext,
    region: str,
    account: str,
    role_name: str,
    partition: str = "aws",
    external_id: str | None = None,
) -> boto3.Session:
    """A session in another account through sts:AssumeRole (the only non-Describe read).

    The credentials refresh themselves before they expire (botocore's
    `AssumeRoleCredentialFetcher`), so a collection of a large organization that outlasts
    the one-hour role session does not fail half-way. The role is assumed once here, so a
    refusal is reported while planning, for this account only. The STS calls go through the
    caller's guarded, counted client. `external_id` is the sts:ExternalId the role's trust
    policy may require (the `ExternalId` of deploy/'s templates).
    """
    extra_args = {"RoleSessionName": ROLE_SESSION_NAME}
    if external_id:
        extra_args["ExternalId"] = external_id
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=lambda service, **_: aws.client(service, region),
        source_credentials=aws.session.get_credentials(),
        role_arn=f"arn:{partition}:iam::{account}:role/{role_name}",
        extra_args=extra_args,
        cache={},
    )
    credentials = DeferredRefreshableCredentials(
        refresh_using=fetcher.fetch_credentials, method=_AssumedRoleProvider.METHOD
    )
    credentials.get_frozen_credentials()  # assume now: AccessDenied surfaces here
    core = botocore.session.Session()
    # One loader for every account: a botocore session parses each service's model (several
    # MB of JSON) on its first client, so a thousand member sessions with a loader each held
    # about 100 MB per account (measured on the fleet simulation); shared, they parse once.
    core.register_component("data_loader", aws.session._session.get_component("data_loader"))
    profile = aws.session.profile_name
    if profile in aws.session.available_profiles:  # keep its other settings (endpoint, CA)
        core.set_config_variable("profile", profile)
    core.get_component("credential_provider").insert_before(
        "env", _AssumedRoleProvider(credentials)
    )
    return boto3.Session(botocore_session=core, region_name=aws.session.region_name)


def account_alias(aws: AwsContext, region: str) -> str:
    """The account's IAM alias, a readable name outside an organization ("" when none).

    A refused lookup only costs the name, so it is not an error of the collection.
    """
    try:
        aliases = aws.client("iam", region).list_account_aliases().get("AccountAliases") or []
    except Exception:
        return ""
    return clean_single_line(aliases[0]) if aliases else ""


def enabled_regions(aws: AwsContext, region: str) -> list[str]:
    """Regions enabled for the account: account:ListRegions, else ec2:DescribeRegions."""
    try:
        paginator = aws.client("account", region).get_paginator("list_regions")
        regions = [
            entry["RegionName"]
            for page in paginator.paginate(RegionOptStatusContains=list(ENABLED_STATUSES))
            for entry in page.get("Regions") or []
        ]
        if regions:
            return sorted(regions)
    except Exception:  # no permission or no endpoint: DescribeRegions tells the same
        pass
    response = aws.client("ec2", region).describe_regions(AllRegions=False)
    return sorted(
        entry["RegionName"]
        for entry in response.get("Regions") or []
        if entry.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    )


def plan_accounts(
    session: boto3.Session,
    *,
    regions: list[str] | str | None = None,
    org: bool = False,
    accounts: Iterable[str] | None = None,
    role_name: str = "OrganizationAccountAccessRole",
    external_id: str | None = None,
    call_log: CallLog | None = None,
    shard: Shard | None = None,
    workers: int = 8,
) -> AccountPlan:
    """Resolve accounts, credentials and regions. Raises NoCredentials when there are none.

    With `shard`, only that part of the accounts is entered (see `Shard`). Each account is
    set up (AssumeRole, alias, enabled regions: three calls) by a pool of `workers`, so a
    thousand-account organization is not entered one account after another.
    """
    call_log = call_log if call_log is not None else CallLog()
    home = session_region(session)
    base = AwsContext(session, call_log=call_log)
    caller = caller_account(base, home)
    base.account = caller
    errors: list[CollectionError] = []
    wanted = [a.strip() for a in accounts or () if a.strip()]
    organization = None
    targets: list[AccountTarget] = []
    described: dict = {}
    listed: list[dict] | None = None
    if org:
        try:
            described, listed = organization_accounts(base, home)
        except (ClientError, BotoCoreError) as exc:
            # Not in an organization (AWSOrganizationsNotInUseException), or not its
            # management / delegated administrator account (AccessDenied): the members are
            # unknown, which is an error of the run, not the end of it.
            errors.append(organization_error(exc, caller))
    if listed is not None:
        organization = described.get("Id")
        management = described.get("MasterAccountId")
        for entry in listed:
            if wanted and entry["Id"] not in wanted:
                continue
            targets.append(
                AccountTarget(
                    id=entry["Id"],
                    name=clean_single_line(entry.get("Name", "")),
                    email=clean_single_line(entry.get("Email", "")) or None,
                )
            )
        for target in targets:
            target.role = "management" if target.id == management else "member"
    elif wanted:  # --accounts (also with --org when Organizations could not be read)
        targets = [AccountTarget(id=account) for account in dict.fromkeys(wanted)]
    else:
        targets = [AccountTarget(id=caller)]

    if shard is not None:
        targets = shard.select(targets)

    def enter(target: AccountTarget) -> list[CollectionError]:
        if target.id == caller:
            target.aws = base
        else:
            try:
                member = assume_role_session(
                    base, home, target.id, role_name, external_id=external_id
                )
            except Exception as exc:  # refused for this account: record it, go on
                return [
                    to_collection_error(
                        exc, account=target.id, region=None, service="sts", operation="AssumeRole"
                    )
                ]
            target.aws = AwsContext(member, account=target.id, call_log=call_log)
        return _describe_account(target, home, regions)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="plan") as pool:
        for found in pool.map(enter, targets):  # in account order, whatever finishes first
            errors.extend(found)
    return AccountPlan(caller=caller, accounts=targets, errors=errors, organization=organization)


def _describe_account(
    target: AccountTarget, home: str, regions: list[str] | str | None
) -> list[CollectionError]:
    """Name and regions of an entered account; the errors of the calls that failed."""
    if target.aws is None:
        return []
    if not target.name:
        target.name = account_alias(target.aws, home)
    if regions == "all" or regions == ["all"]:
        try:
            target.regions = enabled_regions(target.aws, home)
        except Exception as exc:
            target.regions = [home]
            return [
                to_collection_error(
                    exc, account=target.id, region=home, service="ec2", operation="DescribeRegions"
                )
            ]
    elif regions:
        target.regions = list(dict.fromkeys(regions))
    else:
        target.regions = [home]
    return []
