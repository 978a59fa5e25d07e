"""S3 buckets of the demo organization, with and without server access logs.

Planned coverage: the static-site bucket logs to the production access-logs bucket (which
carries the LogDelivery ACL grant S3 requires of a log target); the data bucket has no server
access logs (its object events come from the production trail's data-event selector
instead); the log buckets themselves, the EU uploads bucket and the development scratch
bucket log nothing. The scratch bucket carries the hostile tags.
"""

from __future__ import annotations

from .accounts import BuildContext, SimAccount, record_planned
from .naming import hostile_tags, tags

LOG_DELIVERY = 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def create_bucket(account: SimAccount, region: str, name: str, tag_values: dict[str, str]) -> str:
    s3 = account.client("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_tagging(
        Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tag_values.items()]}
    )
    return name


def make_log_target(account: SimAccount, region: str, name: str) -> None:
    """Grant S3's log delivery group write access, as server access logging requires."""
    account.client("s3", region).put_bucket_acl(
        Bucket=name,
        GrantWrite=LOG_DELIVERY,
        GrantReadACP=LOG_DELIVERY,
        GrantFullControl=f'id="{account.id}"',
    )


def enable_access_logs(account: SimAccount, region: str, bucket: str, target: str) -> None:
    account.client("s3", region).put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": f"s3/{bucket}/"}
        },
    )


def build_buckets(ctx: BuildContext) -> None:
    """The production, EU and development buckets; names go into `ctx.facts`."""
    naming = ctx.naming
    prod = ctx.account("production")
    dev = ctx.account("development")
    east, west = ctx.regions[0], ctx.regions[1]

    logs = create_bucket(
        prod, east, naming.bucket("prod-access-logs"), tags("production", "platform", "cc-1042")
    )
    make_log_target(prod, east, logs)
    eu_logs = create_bucket(
        prod, west, naming.bucket("prod-eu-access-logs"), tags("production", "platform", "cc-1042")
    )
    make_log_target(prod, west, eu_logs)
    data = create_bucket(
        prod,
        east,
        naming.bucket("prod-data"),
        tags("production", "payments", "cc-1042", **{"data-classification": "confidential"}),
    )
    static = create_bucket(
        prod, east, naming.bucket("static-site"), tags("production", "storefront", "cc-1107")
    )
    uploads = create_bucket(
        prod, west, naming.bucket("prod-eu-uploads"), tags("production", "storefront", "cc-1107")
    )
    scratch = create_bucket(
        dev,
        east,
        naming.bucket("dev-scratch"),
        {**tags("development", "data", "cc-2077"), **hostile_tags(xml_safe=True)},
    )
    enable_access_logs(prod, east, static, logs)
    ctx.facts.update(
        prod_access_logs_bucket=logs,
        prod_eu_access_logs_bucket=eu_logs,
        prod_data_bucket=data,
        static_site_bucket=static,
        prod_eu_uploads_bucket=uploads,
        dev_scratch_bucket=scratch,
    )

    where = {
        static: (prod, east),
        data: (prod, east),
        logs: (prod, east),
        eu_logs: (prod, west),
        uploads: (prod, west),
        scratch: (dev, east),
    }
    # (control, layer, [(bucket, planned state, detail) ...]), in the order they are recorded
    plan = (
        (
            "s3-server-access-logs",
            "access",
            [(static, "logged", f"-> {logs}")]
            + [(name, "missing", "off") for name in (data, logs, eu_logs, uploads, scratch)],
        ),
        (
            "cloudtrail-s3-data-events",
            "account",
            [(data, "logged", "prod-account-trail")]
            + [(name, "missing", "no selector") for name in (static, uploads, scratch)],
        ),
    )
    for control, layer, buckets in plan:
        for name, state, detail in buckets:
            account, region = where[name]
            record_planned(
                ctx,
                account,
                region,
                "AWS::S3::Bucket",
                name,
                bucket_arn(name),
                control,
                state,
                detail,
                layer=layer,
            )
