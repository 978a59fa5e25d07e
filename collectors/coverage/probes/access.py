"""Probes of the `access` layer: who sent which request to the edge of the workload.

Load balancer, S3 and CloudFront logging settings are read from the inventory where the
source already collected them (AWS Config's `supplementaryConfiguration`, which the
direct-API source mimics), and from the API only where they are absent. A web ACL's logging
also covers what the ACL protects: each protected resource (REGIONAL ACL:
`ListResourcesForWebACL` or the inventory's "Is associated with ..." edges; CloudFront:
the distribution's `WebACLId`) gets an inherited `waf-logging` record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...aws import paging
from ...aws.errors import error_code
from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..records import mark_unknown, offline_capable, record
from ._common import list_all
from .serverless import CALL_ERRORS, ensure_resource, log_group_arn

CLASSIC_ELB = "AWS::ElasticLoadBalancing::LoadBalancer"
ELBV2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
BUCKET = "AWS::S3::Bucket"
DISTRIBUTION = "AWS::CloudFront::Distribution"
WEB_ACL_V2 = "AWS::WAFv2::WebACL"
WEB_ACL_CLASSIC = "AWS::WAF::WebACL"
WEB_ACL_REGIONAL = "AWS::WAFRegional::WebACL"
REST_STAGE = "AWS::ApiGateway::Stage"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
V2_API = "AWS::ApiGatewayV2::Api"
#: Resource types a web ACL can protect (ListResourcesForWebACL ResourceType, CloudFront).
PROTECTABLE_TYPES = frozenset(
    {
        ELBV2,
        REST_STAGE,
        DISTRIBUTION,
        "AWS::AppSync::GraphQLApi",
        "AWS::Cognito::UserPool",
        "AWS::AppRunner::Service",
        "AWS::EC2::VerifiedAccessInstance",
        "AWS::Amplify::App",
    }
)
#: The region whose endpoints serve CloudFront and CLOUDFRONT-scope WAF.
CLOUDFRONT_REGION = "us-east-1"
#: Error codes meaning "this service does not exist here" for WAF Classic (retired API).
_ABSENT = frozenset({"404", "NotImplementedError", "EndpointUnreachable", "UnknownOperation"})


def _supplementary(item: CollectedResource, key: str) -> Any:
    """A supplementaryConfiguration value; AWS Config returns some as JSON strings."""
    value = item.supplementary.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _s3_destination(bucket: str, prefix: str | None) -> str:
    bucket = clean_single_line(bucket)
    prefix = clean_single_line(prefix or "").strip("/")
    return f"arn:aws:s3:::{bucket}/{prefix}" if prefix else f"arn:aws:s3:::{bucket}"


# --------------------------------------------------------------------------- load balancers


def _classic_balancers(ctx: ProbeContext) -> list[CollectedResource]:
    if CLASSIC_ELB not in ctx.inventory.types_covered and ctx.aws is not None:
        paginator = ctx.client("elb").get_paginator("describe_load_balancers")
        for page in paginator.paginate():
            for lb in page.get("LoadBalancerDescriptions", []):
                name = lb["LoadBalancerName"]
                ensure_resource(
                    ctx,
                    arn=f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:"
                    f"loadbalancer/{name}",
                    type_=CLASSIC_ELB,
                    resource_id=name,
                    name=name,
                )
    return ctx.inventory.of_type(CLASSIC_ELB)


def _v2_balancers(ctx: ProbeContext) -> list[CollectedResource]:
    if ELBV2 not in ctx.inventory.types_covered and ctx.aws is not None:
        paginator = ctx.client("elbv2").get_paginator("describe_load_balancers")
        for page in paginator.paginate():
            for lb in page.get("LoadBalancers", []):
                arn = lb["LoadBalancerArn"]
                item = ensure_resource(
                    ctx,
                    arn=arn,
                    type_=ELBV2,
                    resource_id=arn.split("loadbalancer/", 1)[-1],
                    name=lb.get("LoadBalancerName", ""),
                )
                item.configuration.setdefault("type", lb.get("Type"))
    return ctx.inventory.of_type(ELBV2)


def _v2_kind(item: CollectedResource) -> str:
    kind = item.configuration.get("type")
    if kind:
        return str(kind)
    path = item.id.split("loadbalancer/", 1)[-1]
    return {"app": "application", "net": "network", "gwy": "gateway"}.get(
        path.split("/", 1)[0], "application"
    )


@offline_capable
def probe_elb_logs(ctx: ProbeContext) -> None:
    """elb-access-logs (classic, ALB, NLB) and alb-connection-logs (ALB)."""
    try:
        classic = _classic_balancers(ctx)
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="elasticloadbalancing", operation="DescribeLoadBalancers").code
        mark_unknown(
            ctx,
            (CLASSIC_ELB,),
            "elb-access-logs",
            f"elb:DescribeLoadBalancers failed ({code})",
            operation="elasticloadbalancing:DescribeLoadBalancers",
        )
        classic = []
    for item in classic:
        _decide_classic(ctx, item)
    try:
        balancers = _v2_balancers(ctx)
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="elasticloadbalancing", operation="DescribeLoadBalancers").code
        mark_unknown(
            ctx,
            (ELBV2,),
            "elb-access-logs",
            f"elbv2:DescribeLoadBalancers failed ({code})",
            operation="elasticloadbalancing:DescribeLoadBalancers",
        )
        return
    for item in balancers:
        _decide_v2(ctx, item)


def _decide_classic(ctx: ProbeContext, item: CollectedResource) -> None:
    operation = "elasticloadbalancing:DescribeLoadBalancerAttributes"
    attributes = _supplementary(item, "LoadBalancerAttributes")
    access = (attributes or {}).get("accessLog") if isinstance(attributes, dict) else None
    if access is None:
        if ctx.aws is None:
            return  # offline and not in the configuration item: the runner marks it unknown
        name = item.resource.resource_id or item.id.rsplit("/", 1)[-1]
        try:
            response = ctx.client("elb").describe_load_balancer_attributes(LoadBalancerName=name)
        except CALL_ERRORS as exc:
            code = ctx.fail(
                exc, service="elasticloadbalancing", operation="DescribeLoadBalancerAttributes"
            ).code
            record(
                ctx,
                item.id,
                "elb-access-logs",
                Status.unknown,
                f"elb:DescribeLoadBalancerAttributes failed ({code})",
                operation=operation,
            )
            return
        raw = (response.get("LoadBalancerAttributes") or {}).get("AccessLog") or {}
        access = {
            "enabled": raw.get("Enabled"),
            "s3BucketName": raw.get("S3BucketName"),
            "s3BucketPrefix": raw.get("S3BucketPrefix"),
            "emitInterval": raw.get("EmitInterval"),
        }
    if access.get("enabled") and access.get("s3BucketName"):
        record(
            ctx,
            item.id,
            "elb-access-logs",
            Status.logged,
            f"elb:DescribeLoadBalancerAttributes: AccessLog.Enabled=true, S3BucketName="
            f"{clean_single_line(str(access['s3BucketName']))}",
            destination=_s3_destination(str(access["s3BucketName"]), access.get("s3BucketPrefix")),
            operation=operation,
            notes=[f"EmitInterval={access['emitInterval']} minutes"]
            if access.get("emitInterval")
            else [],
        )
        return
    record(
        ctx,
        item.id,
        "elb-access-logs",
        Status.missing,
        "elb:DescribeLoadBalancerAttributes: AccessLog.Enabled=false",
        operation=operation,
    )


def _v2_attributes(ctx: ProbeContext, item: CollectedResource) -> dict[str, str]:
    """ALB/NLB attributes as key -> value; from the inventory, else the API (raises)."""
    listed = _supplementary(item, "LoadBalancerAttributes")
    if not isinstance(listed, list) or not listed:
        if ctx.aws is None:
            return {}
        response = ctx.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=item.id)
        listed = response.get("Attributes") or []
    result: dict[str, str] = {}
    for entry in listed:
        key = entry.get("key", entry.get("Key"))
        value = entry.get("value", entry.get("Value"))
        if key is not None:
            result[str(key)] = str(value)
    return result


def _decide_v2(ctx: ProbeContext, item: CollectedResource) -> None:
    operation = "elasticloadbalancing:DescribeLoadBalancerAttributes"
    kind = _v2_kind(item)
    if kind == "gateway":
        record(
            ctx,
            item.id,
            "elb-access-logs",
            Status.not_applicable,
            "elbv2:DescribeLoadBalancers: Type=gateway has no access logs",
            operation=operation,
        )
        return
    try:
        attributes = _v2_attributes(ctx, item)
        if not attributes:
            return  # offline, attributes not in the configuration item
    except CALL_ERRORS as exc:
        code = ctx.fail(
            exc, service="elasticloadbalancing", operation="DescribeLoadBalancerAttributes"
        ).code
        decided = ["elb-access-logs"] + (["alb-connection-logs"] if kind == "application" else [])
        for control_id in decided:
            record(
                ctx,
                item.id,
                control_id,
                Status.unknown,
                f"elbv2:DescribeLoadBalancerAttributes failed ({code})",
                operation=operation,
            )
        return
    notes = ["NLB access logs are written for TLS listeners only"] if kind == "network" else []
    _decide_v2_log(ctx, item, "elb-access-logs", "access_logs.s3", attributes, notes)
    if kind == "application":
        _decide_v2_log(ctx, item, "alb-connection-logs", "connection_logs.s3", attributes, [])


def _decide_v2_log(
    ctx: ProbeContext,
    item: CollectedResource,
    control_id: str,
    prefix: str,
    attributes: dict[str, str],
    notes: list[str],
) -> None:
    operation = "elasticloadbalancing:DescribeLoadBalancerAttributes"
    # moto omits access_logs.s3.enabled until it is set; AWS always returns it: absent = off.
    enabled = attributes.get(f"{prefix}.enabled", "false").lower() == "true"
    bucket = attributes.get(f"{prefix}.bucket") or ""
    if enabled and bucket:
        record(
            ctx,
            item.id,
            control_id,
            Status.logged,
            f"elbv2:DescribeLoadBalancerAttributes: {prefix}.enabled=true, "
            f"{prefix}.bucket={clean_single_line(bucket)}",
            destination=_s3_destination(bucket, attributes.get(f"{prefix}.prefix")),
            operation=operation,
            notes=notes,
        )
        return
    record(
        ctx,
        item.id,
        control_id,
        Status.missing,
        f"elbv2:DescribeLoadBalancerAttributes: {prefix}.enabled=false",
        operation=operation,
        notes=notes,
    )


# --------------------------------------------------------------------------- S3


@offline_capable
def probe_s3_server_access_logs(ctx: ProbeContext) -> None:
    """s3-server-access-logs: the bucket's server access logging target."""
    control_id = "s3-server-access-logs"
    for item in ctx.inventory.of_type(BUCKET):
        name = item.resource.resource_id or item.id.rsplit(":", 1)[-1]
        shown = clean_single_line(name)
        config = _supplementary(item, "BucketLoggingConfiguration")
        operation = "s3:GetBucketLogging"
        if isinstance(config, dict):
            target = config.get("destinationBucketName")
            prefix = config.get("logFilePrefix")
            operation_text = "config:supplementaryConfiguration.BucketLoggingConfiguration"
        elif ctx.aws is None:
            continue  # offline and not in the configuration item: the runner marks it unknown
        else:
            client = ctx.client(
                "s3", item.resource.region if item.resource.region != "global" else ctx.region
            )
            try:
                logging = client.get_bucket_logging(Bucket=name).get("LoggingEnabled") or {}
            except CALL_ERRORS as exc:
                code = ctx.fail(exc, service="s3", operation="GetBucketLogging").code
                record(
                    ctx,
                    item.id,
                    control_id,
                    Status.unknown,
                    f"s3:GetBucketLogging failed ({code})",
                    operation=operation,
                )
                continue
            target = logging.get("TargetBucket")
            prefix = logging.get("TargetPrefix")
            operation_text = "s3:GetBucketLogging"
        if not target:
            record(
                ctx,
                item.id,
                control_id,
                Status.missing,
                f"{operation_text}: no LoggingEnabled on bucket {shown}",
                operation=operation,
            )
            continue
        notes = []
        if target == name:
            notes.append("the bucket logs to itself: each log delivery writes a new log object")
        record(
            ctx,
            item.id,
            control_id,
            Status.logged,
            f"{operation_text}: LoggingEnabled.TargetBucket={clean_single_line(str(target))}",
            destination=_s3_destination(str(target), prefix),
            operation=operation,
            notes=notes,
        )


# --------------------------------------------------------------------------- CloudFront


def _distribution_config(ctx: ProbeContext, item: CollectedResource) -> dict[str, Any] | None:
    """DistributionConfig in API shape; from Config's `distributionConfig` when present."""
    config = item.configuration.get("distributionConfig")
    if isinstance(config, dict) and "logging" in config:
        logging = config.get("logging") or {}
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
        }
    distribution_id = item.resource.resource_id or item.id.rsplit("/", 1)[-1]
    return ctx.client("cloudfront", CLOUDFRONT_REGION).get_distribution_config(Id=distribution_id)[
        "DistributionConfig"
    ]


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


def probe_cloudfront_logging(ctx: ProbeContext) -> None:
    """cloudfront-logging: standard (legacy or v2) or real-time logs of each distribution.

    CloudFront is global: only distributions present in this inventory (the account's home
    region for global resources) are decided.
    """
    control_id = "cloudfront-logging"
    distributions = ctx.inventory.of_type(DISTRIBUTION)
    if not distributions:
        return
    v2: dict[str, str] = {}
    v2_failure = None
    try:
        v2 = _v2_deliveries(ctx)
    except CALL_ERRORS as exc:
        v2_failure = ctx.fail(exc, service="logs", operation="DescribeDeliverySources").code
    streams: dict[str, str] | None = None
    for item in distributions:
        try:
            config = _distribution_config(ctx, item)
        except CALL_ERRORS as exc:
            code = ctx.fail(exc, service="cloudfront", operation="GetDistributionConfig").code
            record(
                ctx,
                item.id,
                control_id,
                Status.unknown,
                f"cloudfront:GetDistributionConfig failed ({code})",
                operation="cloudfront:GetDistributionConfig",
            )
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
                f"cloudfront:GetDistributionConfig: Logging.Enabled=true, Logging.Bucket="
                f"{clean_single_line(str(logging['Bucket']))}",
                destination=_s3_destination(bucket, logging.get("Prefix")),
                operation="cloudfront:GetDistributionConfig",
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
                "cloudfront:GetDistributionConfig: cache behaviour RealtimeLogConfigArn="
                f"{clean_single_line(realtime)}",
                destination=clean_single_line(streams.get(realtime, realtime)),
                operation="cloudfront:GetDistributionConfig",
                notes=notes,
            )
            continue
        if v2_failure:
            record(
                ctx,
                item.id,
                control_id,
                Status.unknown,
                "cloudfront:GetDistributionConfig: Logging.Enabled=false and no real-time "
                f"config; logs:DescribeDeliverySources failed ({v2_failure})",
                operation="logs:DescribeDeliverySources",
            )
            continue
        record(
            ctx,
            item.id,
            control_id,
            Status.missing,
            "cloudfront:GetDistributionConfig: Logging.Enabled=false, no real-time log config, "
            "no standard logging (v2) delivery",
            operation="cloudfront:GetDistributionConfig",
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


def probe_waf_logging(ctx: ProbeContext) -> None:
    """waf-logging: WAFv2 (and WAF Classic) web ACL logging, inherited by what they protect."""
    _wafv2(ctx, "REGIONAL", ctx.region)
    if ctx.region == CLOUDFRONT_REGION or any(
        _scope(item) == "CLOUDFRONT" for item in ctx.inventory.of_type(WEB_ACL_V2)
    ):
        _wafv2(ctx, "CLOUDFRONT", CLOUDFRONT_REGION)
    _waf_classic(ctx, "waf-regional", WEB_ACL_REGIONAL)
    if ctx.region == CLOUDFRONT_REGION:
        _waf_classic(ctx, "waf", WEB_ACL_CLASSIC)


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
        code = ctx.fail(exc, service="wafv2", operation="ListLoggingConfigurations").code
        for arn in acls:
            record(
                ctx,
                arn,
                "waf-logging",
                Status.unknown,
                f"wafv2:ListLoggingConfigurations failed ({code})",
                operation="wafv2:ListLoggingConfigurations",
            )
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
                code = ctx.fail(exc, service=service, operation="GetLoggingConfiguration").code
                record(
                    ctx,
                    arn,
                    "waf-logging",
                    Status.unknown,
                    f"{operation} failed ({code})",
                    operation=operation,
                )
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


# --------------------------------------------------------------------------- API Gateway


def _stages(ctx: ProbeContext) -> list[dict[str, Any]]:
    """Every stage as {arn, kind (rest|http|websocket), api, name, config}, Config-shaped."""
    stages: list[dict[str, Any]] = []
    protocols = {
        item.id: str(item.configuration.get("protocolType") or "")
        for item in ctx.inventory.of_type(V2_API)
    }
    if REST_STAGE not in ctx.inventory.types_covered and ctx.aws is not None:
        client = ctx.client("apigateway")
        for page in client.get_paginator("get_rest_apis").paginate():
            for api in page.get("items", []):
                for stage in client.get_stages(restApiId=api["id"]).get("item") or []:
                    arn = (
                        f"arn:aws:apigateway:{ctx.region}::/restapis/{api['id']}"
                        f"/stages/{stage['stageName']}"
                    )
                    ensure_resource(
                        ctx,
                        arn=arn,
                        type_=REST_STAGE,
                        resource_id=stage["stageName"],
                        name=f"{api.get('name', api['id'])}/{stage['stageName']}",
                        configuration={**stage, "restApiId": api["id"]},
                    )
    if V2_STAGE not in ctx.inventory.types_covered and ctx.aws is not None:
        client = ctx.client("apigatewayv2")
        for page in client.get_paginator("get_apis").paginate():
            for api in page.get("Items", []):
                api_arn = f"arn:aws:apigateway:{ctx.region}::/apis/{api['ApiId']}"
                protocols[api_arn] = api.get("ProtocolType", "")
                for stage_page in client.get_paginator("get_stages").paginate(ApiId=api["ApiId"]):
                    for stage in stage_page.get("Items", []):
                        arn = f"{api_arn}/stages/{stage['StageName']}"
                        config = {k[:1].lower() + k[1:]: v for k, v in stage.items()}
                        config["accessLogSettings"] = {
                            k[:1].lower() + k[1:]: v
                            for k, v in (stage.get("AccessLogSettings") or {}).items()
                        } or None
                        config["defaultRouteSettings"] = {
                            k[:1].lower() + k[1:]: v
                            for k, v in (stage.get("DefaultRouteSettings") or {}).items()
                        }
                        ensure_resource(
                            ctx,
                            arn=arn,
                            type_=V2_STAGE,
                            resource_id=stage["StageName"],
                            name=f"{api.get('Name', api['ApiId'])}/{stage['StageName']}",
                            configuration={**config, "apiId": api["ApiId"]},
                        )
    for item in ctx.inventory.of_type(REST_STAGE):
        stages.append(
            {
                "arn": item.id,
                "kind": "rest",
                "config": item.configuration,
                "api": item.configuration.get("restApiId")
                or item.id.split("/restapis/", 1)[-1].split("/", 1)[0],
            }
        )
    for item in ctx.inventory.of_type(V2_STAGE):
        api_id = item.configuration.get("apiId") or item.id.split("/apis/", 1)[-1].split("/")[0]
        protocol = protocols.get(f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}", "")
        stages.append(
            {
                "arn": item.id,
                "kind": "websocket" if protocol == "WEBSOCKET" else "http",
                "config": item.configuration,
                "api": api_id,
            }
        )
    return stages


def _stage_name(stage: dict[str, Any]) -> str:
    return clean_single_line(
        str(stage["config"].get("stageName") or stage["arn"].rsplit("/", 1)[-1])
    )


@offline_capable
def probe_apigateway_logs(ctx: ProbeContext) -> None:
    """apigateway-access-logs and apigateway-execution-logs of every REST/HTTP/WS stage."""
    try:
        stages = _stages(ctx)
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="apigateway", operation="GetStages").code
        for item in ctx.inventory.of_type(REST_STAGE, V2_STAGE):
            for control_id in ("apigateway-access-logs", "apigateway-execution-logs"):
                record(
                    ctx,
                    item.id,
                    control_id,
                    Status.unknown,
                    f"apigateway:GetRestApis/GetApis/GetStages failed ({code})",
                    operation="apigateway:GetStages",
                )
        return
    for stage in stages:
        _decide_access_log(ctx, stage)
        _decide_execution_log(ctx, stage)


def _decide_access_log(ctx: ProbeContext, stage: dict[str, Any]) -> None:
    operation = "apigateway:GetStages"
    settings = stage["config"].get("accessLogSettings") or {}
    destination = settings.get("destinationArn")
    field = "accessLogSettings" if stage["kind"] == "rest" else "AccessLogSettings"
    name = _stage_name(stage)
    if not destination:
        record(
            ctx,
            stage["arn"],
            "apigateway-access-logs",
            Status.missing,
            f"{operation}: stage {name} has no {field}.destinationArn",
            operation=operation,
        )
        return
    shown = clean_single_line(str(destination))
    log_format = str(settings.get("format") or "")
    if log_format and "sourceIp" not in log_format:
        record(
            ctx,
            stage["arn"],
            "apigateway-access-logs",
            Status.partial,
            f"{operation}: stage {name} {field}.destinationArn={shown}, but the format lacks "
            "$context.identity.sourceIp",
            destination=shown.removesuffix(":*"),
            operation=operation,
        )
        return
    record(
        ctx,
        stage["arn"],
        "apigateway-access-logs",
        Status.logged,
        f"{operation}: stage {name} {field}.destinationArn={shown}",
        destination=shown.removesuffix(":*"),
        operation=operation,
    )


_EXECUTION_LEVEL = {"INFO": Status.logged, "ERROR": Status.partial}


def _decide_execution_log(ctx: ProbeContext, stage: dict[str, Any]) -> None:
    operation = "apigateway:GetStages"
    name = _stage_name(stage)
    if stage["kind"] == "http":
        record(
            ctx,
            stage["arn"],
            "apigateway-execution-logs",
            Status.not_applicable,
            f"{operation}: HTTP API stage {name} has no execution logs (access logs only)",
            operation=operation,
        )
        return
    notes: list[str] = []
    if stage["kind"] == "rest":
        methods = stage["config"].get("methodSettings") or {}
        default = methods.get("*/*") or {}
        level = str(default.get("loggingLevel") or "OFF")
        field = "methodSettings['*/*'].loggingLevel"
        group = f"API-Gateway-Execution-Logs_{stage['api']}/{name}"
        if default.get("dataTraceEnabled"):
            notes.append("dataTraceEnabled=true: full requests and responses are logged")
        overrides = sorted(
            {
                str(s.get("loggingLevel"))
                for key, s in methods.items()
                if key != "*/*" and str(s.get("loggingLevel") or "OFF") != "OFF"
            }
        )
        if level == "OFF" and overrides:
            record(
                ctx,
                stage["arn"],
                "apigateway-execution-logs",
                Status.partial,
                f"{operation}: stage {name} {field}=OFF, some methods log ({','.join(overrides)})",
                destination=log_group_arn(ctx.region, ctx.account, group),
                operation=operation,
                notes=notes,
            )
            return
    else:
        route = stage["config"].get("defaultRouteSettings") or {}
        level = str(route.get("loggingLevel") or "OFF")
        field = "DefaultRouteSettings.LoggingLevel"
        group = f"/aws/apigateway/{stage['api']}/{name}"
    status = _EXECUTION_LEVEL.get(level, Status.missing)
    record(
        ctx,
        stage["arn"],
        "apigateway-execution-logs",
        status,
        f"{operation}: stage {name} {field}={clean_single_line(level)}",
        destination=log_group_arn(ctx.region, ctx.account, group)
        if status is not Status.missing
        else None,
        operation=operation,
        notes=notes,
    )


# --------------------------------------------------------------------------- AppSync

APPSYNC_API = "AWS::AppSync::GraphQLApi"
_APPSYNC_LEVEL = {
    "ALL": Status.logged,
    "INFO": Status.logged,
    "DEBUG": Status.logged,
    "ERROR": Status.partial,
}


def probe_appsync_logging(ctx: ProbeContext) -> None:
    """appsync-logging: field-level resolver logging of each GraphQL API."""
    control_id = "appsync-logging"
    operation = "appsync:ListGraphqlApis"
    try:
        apis = list_all(ctx.client("appsync"), "list_graphql_apis", "graphqlApis")
    except CALL_ERRORS as exc:
        code = ctx.fail(exc, service="appsync", operation="ListGraphqlApis").code
        mark_unknown(
            ctx, (APPSYNC_API,), control_id, f"{operation} failed ({code})", operation=operation
        )
        return
    for api in apis:
        arn, api_id = api["arn"], api["apiId"]
        name = api.get("name", api_id)
        ensure_resource(
            ctx, arn=arn, type_=APPSYNC_API, resource_id=api_id, name=name, tags=api.get("tags")
        )
        level = str((api.get("logConfig") or {}).get("fieldLogLevel") or "NONE")
        status = _APPSYNC_LEVEL.get(level, Status.missing)
        record(
            ctx,
            arn,
            control_id,
            status,
            f"{operation}: API {clean_single_line(name)} logConfig.fieldLogLevel="
            f"{clean_single_line(level)}",
            destination=log_group_arn(ctx.region, ctx.account, f"/aws/appsync/apis/{api_id}")
            if status is not Status.missing
            else None,
            operation=operation,
        )


PROBES = (
    probe_elb_logs,
    probe_s3_server_access_logs,
    probe_cloudfront_logging,
    probe_waf_logging,
    probe_apigateway_logs,
    probe_appsync_logging,
)
