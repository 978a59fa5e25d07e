"""S3 buckets: listed once per account, each placed in its own region.

`ListBuckets` is global; a bucket belongs to the region it lives in. The listing asks for
each bucket's `BucketRegion` (S3 returns it when the request carries a parameter such as
`MaxBuckets`, which the paginator sends), so on AWS one call per 1,000 buckets places them
all. Endpoints that omit it (older S3-compatible ones, moto 5.2) are asked per collected
region instead, with `ListBuckets(BucketRegion=region)` (the filter S3 applies when the
request goes to that region's endpoint) when that is cheaper than one `GetBucketLocation`
per bucket and at least two regions are collected (a filter the endpoint ignored shows as
a bucket listed in two regions, and is then not trusted); buckets still unplaced get
`GetBucketLocation` (a null LocationConstraint is us-east-1, `EU` is eu-west-1). Buckets
whose region is not being collected are reported from the account's global region, with
their true region, so none are lost. Logging is not read here: the server-access-log probe
owns `GetBucketLogging`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ...aws.errors import error_code
from ._common import ApiRegion, paginate, tags_from

BUCKET = "AWS::S3::Bucket"
TYPES = (BUCKET,)
GLOBAL = False  # listed once per account, but each bucket is regional

_LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


def bucket_region(location: str | None) -> str:
    return _LEGACY_LOCATIONS.get(location, location or "us-east-1")


def list_account_buckets(ctx: ApiRegion) -> list[dict[str, Any]]:
    """Every bucket of the account with a `Region` key (one listing per account)."""
    s3 = ctx.client("s3", ctx.shared.global_region or ctx.region)
    listed = list(paginate(s3, "list_buckets", "Buckets", PaginationConfig={"PageSize": 1000}))
    regions: dict[str, str] = {
        bucket["Name"]: bucket["BucketRegion"] for bucket in listed if bucket.get("BucketRegion")
    }
    unplaced = [bucket["Name"] for bucket in listed if bucket["Name"] not in regions]
    collected = sorted(ctx.collected_regions)
    if len(unplaced) > len(collected) >= 2:
        regions.update(_regions_by_filter(ctx, collected, set(unplaced)))
    buckets = []
    for bucket in listed:
        region = regions.get(bucket["Name"])
        if not region:
            with ctx.detail("s3", "GetBucketLocation"):
                location = s3.get_bucket_location(Bucket=bucket["Name"])
                region = bucket_region(location.get("LocationConstraint"))
        bucket = dict(bucket)
        bucket["Region"] = region
        buckets.append(bucket)
    return buckets


def _regions_by_filter(ctx: ApiRegion, regions: list[str], names: set[str]) -> dict[str, str]:
    """`ListBuckets(BucketRegion=r)` in each region: bucket name -> region, or {} if unusable.

    S3 applies the filter only on the region's own endpoint. An endpoint that ignores it
    answers every region with the same buckets; a bucket seen in two regions (or a failed
    listing) makes the whole answer untrusted, and `GetBucketLocation` is used instead.
    """
    found: dict[str, str] = {}
    try:
        for region in regions:
            client = ctx.client("s3", region)
            pages = paginate(
                client,
                "list_buckets",
                "Buckets",
                BucketRegion=region,
                PaginationConfig={"PageSize": 1000},
            )
            for bucket in pages:
                name = bucket.get("Name")
                if name in found:
                    return {}
                if name in names:
                    found[name] = region
    except Exception:  # the per-bucket fallback reports any real failure
        return {}
    return found


def collect(ctx: ApiRegion) -> None:
    if not ctx.is_global_region:
        # Only the global region reports a failed listing, so it is counted once.
        try:
            buckets = ctx.once("s3:buckets", lambda: list_account_buckets(ctx))
        except Exception:
            return
    with ctx.listing("s3", "ListBuckets", BUCKET):
        buckets = ctx.once("s3:buckets", lambda: list_account_buckets(ctx))
        collected = ctx.collected_regions
        for bucket in buckets:
            region = bucket.get("Region")
            mine = region == ctx.region or (
                ctx.is_global_region and (region is None or region not in collected)
            )
            if mine:
                _add_bucket(ctx, bucket, region or ctx.region)


def _add_bucket(ctx: ApiRegion, bucket: dict[str, Any], region: str) -> None:
    name = bucket["Name"]
    tags: dict[str, str] = {}
    s3 = ctx.client("s3", region)
    try:
        tags = tags_from(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
    except ClientError as exc:
        if error_code(exc) != "NoSuchTagSet":
            ctx.fail(exc, "s3", "GetBucketTagging")
    except Exception as exc:
        ctx.fail(exc, "s3", "GetBucketTagging")
    created = bucket.get("CreationDate")
    ctx.add(
        BUCKET,
        f"arn:aws:s3:::{name}",
        resource_id=name,
        name=name,
        tags=tags,
        region=region,
        configuration={
            "name": name,
            "owner": None,
            "creationDate": created.isoformat() if isinstance(created, datetime) else created,
        },
    )
