"""Access-layer probes of the edge services: CloudFront distributions and WAF web ACLs.

CloudFront logging is read from AWS Config's `distributionConfig` where the item holds it,
else `cloudfront:GetDistributionConfig`; standard logging v2 is a CloudWatch Logs delivery
(`logs:DescribeDeliveries`). A web ACL's logging also covers what the ACL protects: each
protected resource (REGIONAL ACL: `ListResourcesForWebACL` or the inventory's "Is
associated with ..." edges; CloudFront: the distribution's `WebACLId`) gets an inherited
`waf-logging` record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...aws import paging
from ...aws.errors import error_code
from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS, ensure_resource
from ..items import from_config, item_operation, lookup, no_credential, pascal
from ..records import call_failed, call_failed_each, offline_capable, record, skipped
from .access_common import (
    _ABSENT,
    CLOUDFRONT_REGION,
    DISTRIBUTION,
    PROTECTABLE_TYPES,
    WEB_ACL_CLASSIC,
    WEB_ACL_REGIONAL,
    WEB_ACL_V2,
    _s3_destination,
)

# --------------------------------------------------------------------------- CloudFront


def _distribution_config(
    ctx: ProbeContext, item: CollectedResource
) -> tuple[dict[str, Any] | None, str]:
    """(DistributionConfig in API shape, the operation that read it): from Config's
    `distributionConfig` when the item holds its logging, else
    cloudfront:GetDistributionConfig (None without a credential)."""
    config = item.configuration.get("distributionConfig")
    call = "cloudfront:GetDistributionConfig"
    if isinstance(config, dict) and "logging" in config:
        logging = config.get("logging") or {}
        said = item_operation(DISTRIBUTION, "distributionConfig")
        return {
            "Logging": {
                "Enabled": logging.get("enabled"),
                "Bucket": logging.get("bucket"),
                "Prefix": logging.get("prefix"),
            },
            "DefaultCacheBehavior": {
                "RealtimeLogConfigArn": (config.get("defaultCacheBehavior") or {}).get(
                    "realtimeLogConfigArn"
                )
            },
            "CacheBehaviors": {
                "Items": [
                    {"RealtimeLogConfigArn": b.get("realtimeLogConfigArn")}
                    for b in (config.get("cacheBehaviors") or {}).get("items") or []
                ]
            },
            "WebACLId": config.get("webACLId"),
        }, said if from_config(ctx.aws, item) else call
    if ctx.aws is None:
        return None, call  # not in the item, and no credential to read it
    distribution_id = item.resource.resource_id or item.id.rsplit("/", 1)[-1]
    client = ctx.client("cloudfront", CLOUDFRONT_REGION)
    return client.get_distribution_config(Id=distribution_id)["DistributionConfig"], call


def _realtime_streams(ctx: ProbeContext) -> dict[str, str]:
    """Real-time log config ARN -> Kinesis stream ARN (raises CALL_ERRORS)."""
    streams: dict[str, str] = {}
    client = ctx.client("cloudfront", CLOUDFRONT_REGION)
    configs = paging.items(
        client.list_realtime_log_configs,
        "Items",
        token="NextMarker",
        request_token="Marker",
        within="RealtimeLogConfigs",
    )
    for config in configs:
        for endpoint in config.get("EndPoints") or []:
            stream = (endpoint.get("KinesisStreamConfig") or {}).get("StreamARN")
            if stream:
                streams[config["ARN"]] = stream
    return streams


def _v2_deliveries(ctx: ProbeContext) -> dict[str, str]:
    """Distribution ARN -> delivery destination ARN of CloudFront standard logging (v2)."""
    logs = ctx.client("logs", CLOUDFRONT_REGION)
    sources: dict[str, str] = {}
    for page in logs.get_paginator("describe_delivery_sources").paginate():
        for source in page.get("deliverySources", []):
            if source.get("service") == "cloudfront":
                for arn in source.get("resourceArns") or []:
                    sources[source["name"]] = arn
    result: dict[str, str] = {}
    if not sources:
        return result
    for page in logs.get_paginator("describe_deliveries").paginate():
        for delivery in page.get("deliveries", []):
            arn = sources.get(delivery.get("deliverySourceName", ""))
            if arn and delivery.get("deliveryDestinationArn"):
                result[arn] = delivery["deliveryDestinationArn"]
    if result:  # name the bucket / log group / stream behind each delivery destination
        targets: dict[str, str] = {}
        for page in logs.get_paginator("describe_delivery_destinations").paginate():
            for destination in page.get("deliveryDestinations", []):
                target = (destination.get("deliveryDestinationConfiguration") or {}).get(
                    "destinationResourceArn"
                )
                if target:
                    targets[destination["arn"]] = target
        result = {arn: targets.get(dest, dest) for arn, dest in result.items()}
    return result


@offline_capable
def probe_cloudfront_logging(ctx: ProbeContext) -> None:
    """cloudfront-logging: standard (legacy or v2) or real-time logs of each distribution.

    CloudFront is global: only distributions present in this inventory (the account's home
    region for global resources) are decided. AWS Config records `distributionConfig`
    (legacy standard logging, real-time log configs): with no credential that decides
    `logged`; standard logging v2 is a CloudWatch Logs delivery no item records, so a
    distribution without the others is `unknown`, naming logs:DescribeDeliveries.
    """
    control_id = "cloudfront-logging"
    distributions = ctx.inventory.of_type(DISTRIBUTION)
    if not distributions:
        return
    v2: dict[str, str] = {}
    v2_failure = None
    offline = ctx.aws is None
    try:
        v2 = {} if offline else _v2_deliveries(ctx)
    except CALL_ERRORS as exc:
        v2_failure = ctx.fail(exc, service="logs", operation="DescribeDeliverySources").code
    streams: dict[str, str] | None = {} if offline else None
    for item in distributions:
        try:
            config, get_config = _distribution_config(ctx, item)
        except CALL_ERRORS as exc:
            call_failed(ctx, item.id, control_id, exc, "cloudfront:GetDistributionConfig")
            continue
        if config is None:
            skipped(ctx, [item.id], control_id, "cloudfront:GetDistributionConfig")
            continue
        item.configuration.setdefault("webACLId", (config or {}).get("WebACLId"))
        logging = (config or {}).get("Logging") or {}
        behaviors = [
            (config or {}).get("DefaultCacheBehavior") or {},
            *(((config or {}).get("CacheBehaviors") or {}).get("Items") or []),
        ]
        realtime = next(
            (b["RealtimeLogConfigArn"] for b in behaviors if b.get("RealtimeLogConfigArn")), None
        )
        notes: list[str] = []
        if logging.get("Enabled") and logging.get("Bucket"):
            bucket = str(logging["Bucket"]).removesuffix(".s3.amazonaws.com")
            if realtime:
                notes.append("also real-time logs to Kinesis")
            record(
                ctx,
                item.id,
                control_id,
                Status.logged,
                f"{get_config}: Logging.Enabled=true, Logging.Bucket="
                f"{clean_single_line(str(logging['Bucket']))}",
                destination=_s3_destination(bucket, logging.get("Prefix")),
                operation=get_config,
                notes=notes,
            )
            continue
        if item.id in v2:
            record(
                ctx,
                item.id,
                control_id,
                Status.logged,
                "logs:DescribeDeliveries: CloudFront standard logging (v2) delivery to "
                f"{clean_single_line(v2[item.id])}",
                destination=clean_single_line(v2[item.id]),
                operation="logs:DescribeDeliveries",
            )
            continue
        if realtime:
            if streams is None:
                try:
                    streams = _realtime_streams(ctx)
                except CALL_ERRORS as exc:
                    code = ctx.fail(
                        exc, service="cloudfront", operation="ListRealtimeLogConfigs"
                    ).code
                    streams = {}
                    notes.append(
                        f"cloudfront:ListRealtimeLogConfigs failed ({code}): stream not resolved"
                    )
            record(
                ctx,
                item.id,
                control_id,
                Status.logged,
                f"{get_config}: cache behaviour RealtimeLogConfigArn={clean_single_line(realtime)}",
                destination=clean_single_line(streams.get(realtime, realtime)),
                operation=get_config,
                notes=notes,
            )
            continue
        if offline:
            record(
                ctx,
                item.id,
                control_id,
                Status.unknown,
                no_credential(ctx.account, "logs:DescribeDeliveries (standard logging v2)"),
                operation="logs:DescribeDeliveries",
                notes=[f"{get_config}: Logging.Enabled=false, no real-time log config"],
            )
            continue
        if v2_failure:
            record(
                ctx,
                item.id,
                control_id,
                Status.unknown,
                f"{get_config}: Logging.Enabled=false and no real-time "
                f"config; logs:DescribeDeliverySources failed ({v2_failure})",
                operation="logs:DescribeDeliverySources",
            )
            continue
        record(
            ctx,
            item.id,
            control_id,
            Status.missing,
            f"{get_config}: Logging.Enabled=false, no real-time log config, "
            "no standard logging (v2) delivery",
            operation=get_config,
        )


# --------------------------------------------------------------------------- WAF


def _paged_markers(call: Any, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """WAF list calls (most without a botocore paginator) hand out a marker on the last page."""
    return paging.items(call, key, token="NextMarker", empty_page_ends=True, Limit=100, **kwargs)


def _waf_status(config: dict[str, Any] | None) -> tuple[Status, str, str | None, list[str]]:
    """(status, evidence tail, destination, notes) from a WAFv2/classic LoggingConfiguration."""
    if not config or not config.get("LogDestinationConfigs"):
        return Status.missing, "no logging configuration", None, []
    destination = clean_single_line(str(config["LogDestinationConfigs"][0]))
    notes = []
    if config.get("RedactedFields"):
        notes.append(f"{len(config['RedactedFields'])} redacted field(s)")
    behaviour = (config.get("LoggingFilter") or {}).get("DefaultBehavior")
    if behaviour == "DROP":
        return (
            Status.partial,
            "LoggingFilter.DefaultBehavior=DROP (only matching requests are logged)",
            destination,
            notes,
        )
    return Status.logged, f"LogDestinationConfigs={destination}", destination, notes


def _acl_protected_from_inventory(ctx: ProbeContext, acl: str) -> set[str]:
    protected = {
        rel.target
        for rel in ctx.inventory.relationships
        if rel.source == acl and rel.name.startswith("Is associated with")
    }
    protected |= {
        rel.source
        for rel in ctx.inventory.relationships
        if rel.target == acl and rel.name == "Is associated with WebACL"
    }
    for item in ctx.inventory.of_type(DISTRIBUTION):
        web_acl = item.configuration.get("webACLId")
        if web_acl and (web_acl == acl or acl.endswith(f"/{web_acl}")):
            protected.add(item.id)
    return protected


def _inherit(
    ctx: ProbeContext,
    acl: str,
    acl_name: str,
    status: Status,
    destination: str | None,
    protected: set[str],
    operation: str,
) -> None:
    for target in sorted(protected):
        item = ctx.inventory.resources.get(target)
        if item is not None and item.type in PROTECTABLE_TYPES:
            record(
                ctx,
                target,
                "waf-logging",
                status,
                f"{operation}: protected by web ACL {acl_name}, whose logging is {status.value}",
                inherited_from=acl,
                destination=destination,
                operation=operation,
            )


def _scope(item: CollectedResource) -> str:
    """A WAFv2 ACL's scope from its ARN (`.../global/webacl/...` is CLOUDFRONT), whatever
    shape (API or CloudFormation-style) its configuration item has."""
    return "CLOUDFRONT" if ":global/webacl/" in item.id else "REGIONAL"


@offline_capable
def probe_waf_logging(ctx: ProbeContext) -> None:
    """waf-logging: WAFv2 (and WAF Classic) web ACL logging, inherited by what they protect."""
    if ctx.aws is None:
        _waf_from_items(ctx)
        return
    _wafv2(ctx, "REGIONAL", ctx.region)
    if ctx.region == CLOUDFRONT_REGION or any(
        _scope(item) == "CLOUDFRONT" for item in ctx.inventory.of_type(WEB_ACL_V2)
    ):
        _wafv2(ctx, "CLOUDFRONT", CLOUDFRONT_REGION)
    _waf_classic(ctx, "waf-regional", WEB_ACL_REGIONAL)
    if ctx.region == CLOUDFRONT_REGION:
        _waf_classic(ctx, "waf", WEB_ACL_CLASSIC)


WAF_LOGGING = "AWS::WAFv2::LoggingConfiguration"


def _waf_from_items(ctx: ProbeContext) -> None:
    """Web ACLs' logging from `AWS::WAFv2::LoggingConfiguration` items, where a source has
    them (the web ACL's own item does not hold its logging); else `unknown`, naming the
    call. Protected resources inherit as with the API."""
    logging = {
        str(lookup(i.configuration, "ResourceArn")): pascal(i.configuration)
        for i in ctx.inventory.of_type(WAF_LOGGING)
    }
    operation = item_operation(WAF_LOGGING, "LogDestinationConfigs")
    for acl in ctx.inventory.of_type(WEB_ACL_V2, WEB_ACL_CLASSIC, WEB_ACL_REGIONAL):
        config = logging.get(acl.id)
        if config is None:
            skipped(ctx, [acl.id], "waf-logging")
            continue
        status, tail, destination, notes = _waf_status(config)
        record(
            ctx,
            acl.id,
            "waf-logging",
            status,
            f"{operation}: {tail}",
            destination=destination,
            operation=operation,
            notes=notes,
        )
        protected = _acl_protected_from_inventory(ctx, acl.id)
        _inherit(ctx, acl.id, acl.resource.name, status, destination, protected, operation)


def _wafv2(ctx: ProbeContext, scope: str, region: str) -> None:
    client = ctx.client("wafv2", region)
    acls = {item.id: item for item in ctx.inventory.of_type(WEB_ACL_V2) if _scope(item) == scope}
    listed_here: set[str] = set()
    try:
        if WEB_ACL_V2 not in ctx.inventory.types_covered:
            for acl in _paged_markers(client.list_web_acls, "WebACLs", Scope=scope):
                item = ensure_resource(
                    ctx,
                    arn=acl["ARN"],
                    type_=WEB_ACL_V2,
                    resource_id=acl.get("Id", ""),
                    name=acl.get("Name", ""),
                    region=region,
                )
                item.configuration.setdefault("scope", scope)
                acls[acl["ARN"]] = item
                listed_here.add(acl["ARN"])
        if not acls:
            return  # no web ACL of this scope: no logging configuration to look up
        configs = {
            c["ResourceArn"]: c
            for c in _paged_markers(
                client.list_logging_configurations, "LoggingConfigurations", Scope=scope
            )
        }
    except CALL_ERRORS as exc:
        call_failed_each(ctx, list(acls), "waf-logging", exc, "wafv2:ListLoggingConfigurations")
        return
    for arn, item in acls.items():
        status, tail, destination, notes = _waf_status(configs.get(arn))
        name = clean_single_line(item.resource.name or arn.rsplit("/", 2)[-2])
        record(
            ctx,
            arn,
            "waf-logging",
            status,
            f"wafv2:ListLoggingConfigurations: web ACL {name} {tail}",
            destination=destination,
            operation="wafv2:ListLoggingConfigurations",
            notes=notes,
        )
        protected = _acl_protected_from_inventory(ctx, arn)
        if (
            scope == "REGIONAL"
            and not protected
            and (arn in listed_here or ctx.inventory.source != "api")
        ):
            protected = _list_protected_v2(ctx, client, arn)
        _inherit(ctx, arn, name, status, destination, protected, "wafv2:ListResourcesForWebACL")


def _list_protected_v2(ctx: ProbeContext, client: Any, acl: str) -> set[str]:
    protected: set[str] = set()
    for resource_type in ("APPLICATION_LOAD_BALANCER", "API_GATEWAY"):
        try:
            response = client.list_resources_for_web_acl(WebACLArn=acl, ResourceType=resource_type)
        except CALL_ERRORS as exc:
            ctx.fail(exc, service="wafv2", operation="ListResourcesForWebACL")
            return protected
        protected.update(response.get("ResourceArns") or [])
    return protected


def _waf_classic(ctx: ProbeContext, service: str, type_: str) -> None:
    """WAF Classic (retired API): read where it still answers; absent service is silent."""
    region = CLOUDFRONT_REGION if service == "waf" else ctx.region
    client = ctx.client(service, region)
    try:
        acls = list(_paged_markers(client.list_web_acls, "WebACLs"))
    except CALL_ERRORS as exc:
        if error_code(exc) not in _ABSENT:
            ctx.fail(exc, service=service, operation="ListWebACLs")
        return
    for acl in acls:
        acl_id = acl["WebACLId"]
        arn = (
            f"arn:aws:waf::{ctx.account}:webacl/{acl_id}"
            if service == "waf"
            else f"arn:aws:waf-regional:{ctx.region}:{ctx.account}:webacl/{acl_id}"
        )
        name = clean_single_line(acl.get("Name") or acl_id)
        ensure_resource(ctx, arn=arn, type_=type_, resource_id=acl_id, name=name, region=region)
        operation = f"{service}:GetLoggingConfiguration"
        try:
            config = client.get_logging_configuration(ResourceArn=arn).get("LoggingConfiguration")
        except CALL_ERRORS as exc:
            if error_code(exc) == "WAFNonexistentItemException":
                config = None
            else:
                call_failed(ctx, arn, "waf-logging", exc, operation)
                continue
        status, tail, destination, notes = _waf_status(config)
        record(
            ctx,
            arn,
            "waf-logging",
            status,
            f"{operation}: web ACL {name} {tail}",
            destination=destination,
            operation=operation,
            notes=notes,
        )
        protected = _acl_protected_from_inventory(ctx, arn)
        if service == "waf-regional":
            try:
                response = client.list_resources_for_web_acl(WebACLId=acl_id)
                protected.update(response.get("ResourceArns") or [])
            except CALL_ERRORS as exc:
                ctx.fail(exc, service=service, operation="ListResourcesForWebACL")
        _inherit(ctx, arn, name, status, destination, protected, operation)
