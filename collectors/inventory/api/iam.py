"""IAM roles and instance profiles (global: once per account, region "global").

Roles keep their trust policy (`assumeRolePolicyDocument`) in `configuration`: the
Lambda probe reads the execution role from there. AWS Config has no instance-profile type;
blindspot records `AWS::IAM::InstanceProfile` so an instance's host-logging permissions
can be traced instance -> profile -> role.
"""

from __future__ import annotations

from snapshot.model import GLOBAL_REGION

from ._common import ApiRegion, paginate
from ._family import add_described
from .ec2 import INSTANCE

ROLE = "AWS::IAM::Role"
INSTANCE_PROFILE = "AWS::IAM::InstanceProfile"
TYPES = (ROLE, INSTANCE_PROFILE)
GLOBAL = True


def _add_global(ctx: ApiRegion, type_: str, described: dict, name_key: str, id_key: str) -> str:
    """A role or an instance profile: in the global region, tagged from `Tags`; its ARN."""
    rid: str = described["Arn"]
    add_described(
        ctx, type_, rid, described, name_key, id_key=id_key, tags_key="Tags", region=GLOBAL_REGION
    )
    return rid


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("iam", "us-east-1")
    if ctx.wants(ROLE):
        with ctx.listing("iam", "ListRoles", ROLE):
            for role in paginate(client, "list_roles", "Roles"):
                _add_global(ctx, ROLE, role, "RoleName", "RoleId")
    if ctx.wants(INSTANCE_PROFILE):
        with ctx.listing("iam", "ListInstanceProfiles", INSTANCE_PROFILE):
            for profile in paginate(client, "list_instance_profiles", "InstanceProfiles"):
                pid = _add_global(
                    ctx, INSTANCE_PROFILE, profile, "InstanceProfileName", "InstanceProfileId"
                )
                for role in profile.get("Roles") or []:
                    ctx.relate(pid, role.get("Arn"), "Is associated with Role")


def link_instance_profiles(ctx: ApiRegion) -> None:
    """Instance -> its instance profile (the ARN is in the instance's own description)."""
    for item in ctx.of_type(INSTANCE):
        profile = (item.configuration.get("iamInstanceProfile") or {}).get("arn")
        if profile:
            ctx.relate(item.id, profile, "Is associated with InstanceProfile")
