"""Reading IAM policies and deciding what they allow: shared by every probe that asks.

The serverless probe asks whether a Lambda execution role may write logs, the host probe
whether an instance profile's role may; both read a role's attached managed policies,
inline policies and permissions boundary (`iam:GetRole`, `ListAttachedRolePolicies`,
`ListRolePolicies`/`GetRolePolicy`, `GetPolicy`/`GetPolicyVersion`) through one
`PolicyReader`, or, with no credential for the account, from AWS Config's
`AWS::IAM::Role` / `AWS::IAM::Policy` items (`ItemPolicyReader`), and evaluate them here
(`policies_allow`), wildcards included. `iam:SimulatePrincipalPolicy` would do it in one
call but is not a read by name, and blindspot's guard only lets reads through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from snapshot.sanitize import clean_single_line

from ...aws.errors import error_code
from ...inventory.base import CollectedResource, RegionInventory
from ..base import ProbeContext
from ..items import lookup
from .logs import CALL_ERRORS


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcard (`*` any run of characters, `?` one character) as a regex."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.IGNORECASE if ignore_case else 0)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_policy_document(document: Any) -> dict[str, Any]:
    """A policy document as a dict, whether boto3 decoded it or it is (URL-encoded) JSON."""
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _matches_any(patterns: Iterable[Any], value: str, ignore_case: bool) -> bool:
    return any(isinstance(p, str) and _wildcard(p, ignore_case).fullmatch(value) for p in patterns)


def _statement_applies(statement: dict[str, Any], action: str, resource: str | None) -> bool:
    if "Action" in statement:
        action_ok = _matches_any(_as_list(statement["Action"]), action, True)
    elif "NotAction" in statement:
        action_ok = not _matches_any(_as_list(statement["NotAction"]), action, True)
    else:
        action_ok = False
    if not action_ok:
        return False
    if resource is None:  # any resource will do: the statement needs to name some
        return "Resource" in statement or "NotResource" in statement
    if "Resource" in statement:
        return _matches_any(_as_list(statement["Resource"]), resource, False)
    if "NotResource" in statement:
        return not _matches_any(_as_list(statement["NotResource"]), resource, False)
    return False


@dataclass
class PolicyVerdict:
    """Whether a set of identity policies allows actions, and which policy said so."""

    allowed: bool
    allowed_by: list[str] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    conditional: bool = False


def policies_allow(
    policies: Iterable[tuple[str, dict[str, Any]]],
    actions: Iterable[str],
    resource: str | None,
) -> PolicyVerdict:
    """Evaluate identity policies for every action on one resource (None = any resource).

    Explicit Deny wins; an Allow with a Condition counts as an allow (conditions depend on
    the request) and is reported as `conditional`. Service control policies and session
    policies are outside a role's own documents and are not evaluated.
    """
    policies = list(policies)
    verdict = PolicyVerdict(allowed=True)
    for action in actions:
        allowed_here = False
        for name, document in policies:
            for statement in _as_list(document.get("Statement")):
                if not isinstance(statement, dict):
                    continue
                if not _statement_applies(statement, action, resource):
                    continue
                if statement.get("Effect") == "Deny" and not statement.get("Condition"):
                    verdict.denied_by.append(name)
                elif statement.get("Effect") == "Allow":
                    allowed_here = True
                    if statement.get("Condition"):
                        verdict.conditional = True
                    if name not in verdict.allowed_by:
                        verdict.allowed_by.append(name)
        if not allowed_here:
            verdict.allowed = False
    if verdict.denied_by:
        verdict.allowed = False
    return verdict


@dataclass
class RolePolicies:
    """A role's identity policies as (name, document) pairs, and its permissions boundary."""

    role_arn: str
    policies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    managed_names: list[str] = field(default_factory=list)
    boundary: tuple[str, dict[str, Any]] | None = None

    def allow(self, actions: Iterable[str], resource: str | None) -> PolicyVerdict:
        actions = tuple(actions)
        verdict = policies_allow(self.policies, actions, resource)
        if verdict.allowed and self.boundary is not None:
            bounded = policies_allow([self.boundary], actions, resource)
            if not bounded.allowed:
                verdict.allowed = False
                verdict.denied_by.append(f"permissions boundary {self.boundary[0]}")
        return verdict


class RoleReadError(Exception):
    """Reading a role's policies failed; carries the operation and the original error."""

    def __init__(self, operation: str, exc: BaseException) -> None:
        super().__init__(f"{operation}: {error_code(exc)}")
        self.operation = operation
        self.exc = exc
        self.code = error_code(exc)


#: Kinds of `AccountFacts` this reader shares between an account's regions (IAM is global):
#: roles already read (failures are not kept), and managed policies' default documents (the
#: same policy, AWSLambdaBasicExecutionRole..., is attached to roles of several regions).
ROLE_FACT = "iam:role"
POLICY_FACT = "iam:policy-document"


class PolicyReader:
    """Reads IAM roles' policies once per account (roles and managed policies are shared)."""

    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx
        self._roles: dict[str, RolePolicies | RoleReadError] = {}
        self._managed: dict[str, dict[str, Any]] = {}
        self._iam: Any = None

    @property
    def iam(self) -> Any:
        if self._iam is None:
            self._iam = self.ctx.client("iam")
        return self._iam

    def role(self, role_arn: str) -> RolePolicies:
        """The role's policies; raises RoleReadError (recorded once in ctx.errors)."""
        cached = self._roles.get(role_arn) or self.ctx.facts.recall(ROLE_FACT, role_arn)
        if cached is None:
            try:
                cached = self._read_role(role_arn)
                self.ctx.facts.remember(ROLE_FACT, role_arn, cached)
            except RoleReadError as exc:
                self.ctx.fail(exc.exc, service="iam", operation=exc.operation)
                cached = exc
            self._roles[role_arn] = cached
        if isinstance(cached, RoleReadError):
            raise cached
        return cached

    def _call(self, operation: str, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.iam, method)(**kwargs)
        except CALL_ERRORS as exc:
            raise RoleReadError(operation, exc) from exc

    def _pages(self, operation: str, method: str, key: str, **kwargs: Any) -> Iterator[Any]:
        try:
            for page in self.iam.get_paginator(method).paginate(**kwargs):
                yield from page.get(key, [])
        except CALL_ERRORS as exc:
            raise RoleReadError(operation, exc) from exc

    def _managed_document(self, policy_arn: str) -> dict[str, Any]:
        if policy_arn not in self._managed:
            shared = self.ctx.facts.recall(POLICY_FACT, policy_arn)
            if shared is not None:
                self._managed[policy_arn] = shared
        if policy_arn not in self._managed:
            policy = self._call("GetPolicy", "get_policy", PolicyArn=policy_arn)["Policy"]
            version = self._call(
                "GetPolicyVersion",
                "get_policy_version",
                PolicyArn=policy_arn,
                VersionId=policy["DefaultVersionId"],
            )["PolicyVersion"]
            self._managed[policy_arn] = parse_policy_document(version.get("Document"))
            self.ctx.facts.remember(POLICY_FACT, policy_arn, self._managed[policy_arn])
        return self._managed[policy_arn]

    def _read_role(self, role_arn: str) -> RolePolicies:
        name = role_arn.rsplit("/", 1)[-1]
        role = self._call("GetRole", "get_role", RoleName=name)["Role"]
        result = RolePolicies(role_arn=role_arn)
        for attached in self._pages(
            "ListAttachedRolePolicies",
            "list_attached_role_policies",
            "AttachedPolicies",
            RoleName=name,
        ):
            arn = attached["PolicyArn"]
            policy_name = clean_single_line(attached.get("PolicyName") or arn)
            result.managed_names.append(policy_name)
            result.policies.append((policy_name, self._managed_document(arn)))
        for inline in self._pages(
            "ListRolePolicies", "list_role_policies", "PolicyNames", RoleName=name
        ):
            document = self._call(
                "GetRolePolicy", "get_role_policy", RoleName=name, PolicyName=inline
            ).get("PolicyDocument")
            result.policies.append(
                (f"inline {clean_single_line(inline)}", parse_policy_document(document))
            )
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            result.boundary = (
                clean_single_line(boundary.rsplit("/", 1)[-1]),
                self._managed_document(boundary),
            )
        return result


ROLE_TYPE = "AWS::IAM::Role"
POLICY_TYPE = "AWS::IAM::Policy"


class NoCredential(RoleReadError):
    """A policy the decision needs is in no item, and there is no credential to read it."""

    def __init__(self, operation: str, subject: str) -> None:
        Exception.__init__(self, f"{operation}: no credential")
        self.operation = operation
        self.exc = self
        self.code = "NoCredential"
        self.subject = subject


class ItemPolicyReader:
    """`PolicyReader`'s answers from AWS Config's IAM items, for runs with no credential.

    Config records a role with its inline policies (`rolePolicyList`), the managed policies
    attached to it (`attachedManagedPolicies`) and its permissions boundary, and records
    customer-managed policies with every version (`policyVersionList`). AWS-managed policies
    are not recorded: a role that depends on one cannot be decided (`NoCredential`, naming
    iam:GetPolicyVersion), never guessed.
    """

    def __init__(self, inventory: RegionInventory) -> None:
        items = [*inventory.resources.values(), *inventory.account_items.values()]
        self._roles: dict[str, CollectedResource] = {}
        self._policies: dict[str, CollectedResource] = {}
        for item in items:
            table = {ROLE_TYPE: self._roles, POLICY_TYPE: self._policies}.get(item.type)
            if table is None:
                continue
            table[item.id] = item
            arn = lookup(item.configuration, "arn")
            if isinstance(arn, str):
                table[arn] = item
            config = item.configuration
            name = lookup(config, "roleName") or lookup(config, "policyName")
            if isinstance(name, str):
                table.setdefault(f"name:{name}", item)

    def _find(self, table: dict[str, CollectedResource], arn: str) -> CollectedResource | None:
        return table.get(arn) or table.get(f"name:{arn.rsplit('/', 1)[-1]}")

    def role(self, role_arn: str) -> RolePolicies:
        item = self._find(self._roles, role_arn)
        if item is None:
            raise NoCredential("GetRole", role_arn)
        config = item.configuration
        result = RolePolicies(role_arn=role_arn)
        for attached in lookup(config, "attachedManagedPolicies") or []:
            policy_arn = str(lookup(attached, "policyArn") or "")
            name = clean_single_line(str(lookup(attached, "policyName") or policy_arn))
            result.managed_names.append(name)
            result.policies.append((name, self._managed_document(policy_arn)))
        for inline in lookup(config, "rolePolicyList") or []:
            name = clean_single_line(str(lookup(inline, "policyName") or "?"))
            document = parse_policy_document(lookup(inline, "policyDocument"))
            result.policies.append((f"inline {name}", document))
        boundary = lookup(config, "permissionsBoundary", "permissionsBoundaryArn")
        if isinstance(boundary, str) and boundary:
            result.boundary = (
                clean_single_line(boundary.rsplit("/", 1)[-1]),
                self._managed_document(boundary),
            )
        return result

    def _managed_document(self, policy_arn: str) -> dict[str, Any]:
        item = self._policies.get(policy_arn)
        if item is None:
            raise NoCredential("GetPolicyVersion", policy_arn)
        versions = lookup(item.configuration, "policyVersionList") or []
        default = next(
            (v for v in versions if isinstance(v, dict) and lookup(v, "isDefaultVersion")),
            None,
        )
        if default is None:
            raise NoCredential("GetPolicyVersion", policy_arn)
        return parse_policy_document(lookup(default, "document"))
