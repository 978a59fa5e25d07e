"""The one home of AWS helpers the probes share: log groups and IAM policy reading."""

from .iam import (
    ItemPolicyReader,
    NoCredential,
    PolicyReader,
    PolicyVerdict,
    RolePolicies,
    RoleReadError,
    parse_policy_document,
    policies_allow,
)
from .logs import (
    CALL_ERRORS,
    LOG_GROUP_TYPE,
    SHARED_LOG_GROUPS,
    describe_log_groups,
    ensure_resource,
    log_group_arn,
    retention_note,
)

__all__ = [
    "CALL_ERRORS",
    "LOG_GROUP_TYPE",
    "SHARED_LOG_GROUPS",
    "ItemPolicyReader",
    "NoCredential",
    "PolicyReader",
    "PolicyVerdict",
    "RolePolicies",
    "RoleReadError",
    "describe_log_groups",
    "ensure_resource",
    "log_group_arn",
    "parse_policy_document",
    "policies_allow",
    "retention_note",
]
