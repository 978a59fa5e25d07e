"""The account layer of the demo organization: log archive, trails, Config, GuardDuty.

Planned coverage, per account and region (recorded against the account-region
pseudo-resource, `blindspot::Account::Region`, where region-level controls live):

| account     | CloudTrail management events          | Config recorder | GuardDuty      |
|-------------|---------------------------------------|-----------------|----------------|
| management  | org trail, multi-region               | us-east-1 only  | us-east-1 only |
| security    | own multi-region trail                | both regions    | both regions   |
| production  | own multi-region trail + data events  | us-east-1 only  | us-east-1 only |
| development | org trail (own: us-east-1 write-only) | none            | none           |

Security Hub is on in the security account's us-east-1 only. The production trail's data
events cover the data bucket's objects and the orders function only.

The organization trail covers every member's management events. moto keeps it in the
management account only (members do not see it, unlike AWS), so a collector must resolve it
from the management account; members also have trails of their own, as many real
organizations do from before they adopted an org trail (development's is single-region and
write-only, a gap the org trail hides).
"""

from __future__ import annotations

import json
from typing import Any

from snapshot.model import REGION_TYPE, region_node_id

from .accounts import BuildContext, SimAccount, record_planned

CONFIG_ROLE = "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def _record_region(
    ctx: BuildContext, account: SimAccount, region: str, control: str, state: str, detail: str
) -> None:
    record_planned(
        ctx,
        account,
        region,
        REGION_TYPE,
        region,
        region_node_id(account.id, region),
        control,
        state,
        detail,
        layer="account",
    )


def _record_management_events(ctx: BuildContext, account: SimAccount, trail: str) -> None:
    """Management events of `account` logged in every region, by `trail`."""
    for region in ctx.regions:
        _record_region(ctx, account, region, "cloudtrail-management-events", "logged", trail)


def build_log_archive(ctx: BuildContext) -> str:
    """The organization's log-archive bucket in the security account; returns its name."""
    security = ctx.account("security")
    name = ctx.naming.bucket("org-log-archive")
    s3 = security.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    writers = [f"arn:aws:s3:::{name}/AWSLogs/*"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{name}",
            },
            {
                "Sid": "AWSLogDeliveryWrite",
                "Effect": "Allow",
                "Principal": {
                    "Service": [
                        "cloudtrail.amazonaws.com",
                        "config.amazonaws.com",
                        "delivery.logs.amazonaws.com",
                    ]
                },
                "Action": "s3:PutObject",
                "Resource": writers,
                "Condition": {"StringEquals": {"aws:SourceOrgID": ctx.organization_id}},
            },
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    s3.put_bucket_tagging(
        Bucket=name,
        Tagging={
            "TagSet": [
                {"Key": "team", "Value": "security"},
                {"Key": "cost-center", "Value": "cc-0001"},
                {"Key": "data-classification", "Value": "restricted"},
            ]
        },
    )
    ctx.facts["log_archive_bucket"] = name
    return name


def _trail(
    account: SimAccount,
    name: str,
    bucket: str,
    *,
    multi_region: bool,
    organization: bool = False,
    region: str = "us-east-1",
) -> str:
    cloudtrail = account.client("cloudtrail", region)
    arn = cloudtrail.create_trail(
        Name=name,
        S3BucketName=bucket,
        IsMultiRegionTrail=multi_region,
        IsOrganizationTrail=organization,
        EnableLogFileValidation=True,
        IncludeGlobalServiceEvents=multi_region,
        TagsList=[{"Key": "team", "Value": "security"}],
    )["TrailARN"]
    cloudtrail.start_logging(Name=name)
    return arn


def build_trails(ctx: BuildContext) -> None:
    """Organization and per-account trails, with data events for chosen resources only."""
    archive = ctx.facts["log_archive_bucket"]
    management = ctx.account("management")
    _trail(management, "org-trail", archive, multi_region=True, organization=True)
    _record_management_events(ctx, management, "org-trail")

    security = ctx.account("security")
    security_trail = _trail(security, "security-account-trail", archive, multi_region=True)
    # Basic selectors here (the production trail uses advanced ones): object-level events
    # of the log archive itself, so reads of the evidence are evidence too.
    security.client("cloudtrail").put_event_selectors(
        TrailName=security_trail,
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [
                    {"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{archive}/"]}
                ],
            }
        ],
    )
    ctx.truth.add(
        account=security.id,
        region=ctx.regions[0],
        resource_type="AWS::S3::Bucket",
        resource_id=archive,
        arn=f"arn:aws:s3:::{archive}",
        layer="account",
        control="cloudtrail-s3-data-events",
        state="logged",
        detail="security-account-trail, basic selector",
    )
    _record_management_events(ctx, security, "security-account-trail")

    prod = ctx.account("production")
    trail_arn = _trail(prod, "prod-account-trail", archive, multi_region=True)
    data_bucket = ctx.facts["prod_data_bucket"]
    orders_function = ctx.facts["prod_orders_function_arn"]
    prod.client("cloudtrail").put_event_selectors(
        TrailName=trail_arn,
        AdvancedEventSelectors=[
            {
                "Name": "Management events",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
            },
            {
                "Name": "S3 object events on the data bucket",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "resources.ARN", "StartsWith": [f"arn:aws:s3:::{data_bucket}/"]},
                ],
            },
            {
                "Name": "Invocations of the orders API function",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
                    {"Field": "resources.ARN", "Equals": [orders_function]},
                ],
            },
        ],
    )
    _record_management_events(ctx, prod, "prod-account-trail")

    dev = ctx.account("development")
    dev_trail = _trail(dev, "dev-trail", archive, multi_region=False)
    dev.client("cloudtrail").put_event_selectors(
        TrailName=dev_trail,
        EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}],
    )
    # The organization trail covers development everywhere; its own trail alone would be
    # partial in us-east-1 (write-only) and missing elsewhere (single-region).
    _record_management_events(ctx, dev, "org-trail (own dev-trail: us-east-1, write-only)")


#: (account role, region index) pairs where the AWS Config recorder runs.
CONFIG_ON = {("management", 0), ("security", 0), ("security", 1), ("production", 0)}
#: (account role, region index) pairs where GuardDuty is enabled.
GUARDDUTY_ON = {("management", 0), ("security", 0), ("security", 1), ("production", 0)}


def start_recorder(
    config: Any, account_id: str, *, global_types: bool, channel: dict[str, Any]
) -> None:
    """Switch a region's Config on as the demo and the aggregator benchmark do: every
    supported type (global ones in one region only, so they are recorded once), delivered
    through `channel` (its S3 fields)."""
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account_id}:role/{CONFIG_ROLE}",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": global_types},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", **channel})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def build_config_and_detection(ctx: BuildContext) -> None:
    """AWS Config recorders, GuardDuty detectors and Security Hub, in some regions only."""
    archive = ctx.facts["log_archive_bucket"]
    for role, account in ctx.accounts.items():
        for index, region in enumerate(ctx.regions):
            if (role, index) in CONFIG_ON:
                start_recorder(
                    account.client("config", region),
                    account.id,
                    global_types=index == 0,
                    channel={
                        "s3BucketName": archive,
                        "s3KeyPrefix": "config",
                        "configSnapshotDeliveryProperties": {
                            "deliveryFrequency": "TwentyFour_Hours"
                        },
                    },
                )
                _record_region(ctx, account, region, "config-recorder", "logged", "recording")
            else:
                _record_region(ctx, account, region, "config-recorder", "missing", "no recorder")

            if (role, index) in GUARDDUTY_ON:
                account.client("guardduty", region).create_detector(
                    Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES"
                )
                _record_region(ctx, account, region, "guardduty", "logged", "detector enabled")
            else:
                _record_region(ctx, account, region, "guardduty", "missing", "no detector")
    ctx.account("security").client("securityhub", ctx.regions[0]).enable_security_hub(
        EnableDefaultStandards=False
    )
    build_aggregator(ctx)


#: The organization aggregator of the management account (`blindspot demo --aggregator`).
AGGREGATOR = "org-aggregator"


def build_aggregator(ctx: BuildContext) -> None:
    """An organization-wide AWS Config aggregator in the management account's home region.

    It sees what the recorders above record (management and production in the first
    region, security in both); development records nothing, so the aggregator holds no
    item of it. The aggregator's service role is named, not created: moto does not check it.
    """
    management = ctx.account("management")
    management.client("config", ctx.regions[0]).put_configuration_aggregator(
        ConfigurationAggregatorName=AGGREGATOR,
        OrganizationAggregationSource={
            "RoleArn": f"arn:aws:iam::{management.id}:role/service-role/config-aggregator",
            "AllAwsRegions": True,
        },
    )
    ctx.facts["aggregator"] = AGGREGATOR
