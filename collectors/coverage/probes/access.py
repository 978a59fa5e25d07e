"""Probes of the `access` layer: who sent which request to the edge of the workload.

Load balancer, S3 and CloudFront logging settings are read from the inventory where the
source already collected them (AWS Config's `supplementaryConfiguration`, which the
direct-API source mimics), and from the API only where they are absent. A web ACL's logging
also covers what the ACL protects: each protected resource (REGIONAL ACL:
`ListResourcesForWebACL` or the inventory's "Is associated with ..." edges; CloudFront:
the distribution's `WebACLId`) gets an inherited `waf-logging` record.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS, ensure_resource
from ..items import from_config, item_operation, supplementary
from ..records import call_failed, call_failed_each, listing_failed, offline_capable, record
from ._common import list_all
from .access_api import probe_apigateway_logs, probe_appsync_logging
from .access_common import (
    BUCKET,
    CLASSIC_ELB,
    ELBV2,
    _s3_destination,
)
from .access_edge import probe_cloudfront_logging, probe_waf_logging

# --------------------------------------------------------------------------- load balancers


def _listed(ctx: ProbeContext, type_: str, service: str, key: str) -> list[dict[str, Any]]:
    """The load balancers of one API, where the inventory did not cover their type."""
    if type_ in ctx.inventory.types_covered or ctx.aws is None:
        return []
    return list_all(ctx.client(service), "describe_load_balancers", key)


def _classic_balancers(ctx: ProbeContext) -> list[CollectedResource]:
    for lb in _listed(ctx, CLASSIC_ELB, "elb", "LoadBalancerDescriptions"):
        name = lb["LoadBalancerName"]
        ensure_resource(
            ctx,
            arn=f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:loadbalancer/{name}",
            type_=CLASSIC_ELB,
            resource_id=name,
            name=name,
        )
    return ctx.inventory.of_type(CLASSIC_ELB)


def _v2_balancers(ctx: ProbeContext) -> list[CollectedResource]:
    for lb in _listed(ctx, ELBV2, "elbv2", "LoadBalancers"):
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
    # The classic and the v2 API are listed apart: one failing leaves the other decided.
    for listing, type_, api, decide in (
        (_classic_balancers, CLASSIC_ELB, "elb", _decide_classic),
        (_v2_balancers, ELBV2, "elbv2", _decide_v2),
    ):
        try:
            balancers = listing(ctx)
        except CALL_ERRORS as exc:
            listing_failed(
                ctx,
                (type_,),
                "elb-access-logs",
                exc,
                "elasticloadbalancing:DescribeLoadBalancers",
                what=f"{api}:DescribeLoadBalancers",
            )
            continue
        for item in balancers:
            decide(ctx, item)


def _decide_classic(ctx: ProbeContext, item: CollectedResource) -> None:
    operation = "elasticloadbalancing:DescribeLoadBalancerAttributes"
    said = "elb:DescribeLoadBalancerAttributes"
    attributes = supplementary(item, "LoadBalancerAttributes")
    access = (attributes or {}).get("accessLog") if isinstance(attributes, dict) else None
    if access is not None and from_config(ctx.aws, item):
        operation = said = item_operation(
            item.type, "supplementaryConfiguration.LoadBalancerAttributes"
        )
    if access is None:
        if ctx.aws is None:
            return  # offline and not in the configuration item: the runner marks it unknown
        name = item.resource.resource_id or item.id.rsplit("/", 1)[-1]
        try:
            response = ctx.client("elb").describe_load_balancer_attributes(LoadBalancerName=name)
        except CALL_ERRORS as exc:
            call_failed(
                ctx,
                item.id,
                "elb-access-logs",
                exc,
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                operation=operation,
                what="elb:DescribeLoadBalancerAttributes",
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
            f"{said}: AccessLog.Enabled=true, S3BucketName="
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
        f"{said}: AccessLog.Enabled=false",
        operation=operation,
    )


def _v2_attributes(ctx: ProbeContext, item: CollectedResource) -> dict[str, str]:
    """ALB/NLB attributes as key -> value; from the inventory, else the API (raises)."""
    listed = supplementary(item, "LoadBalancerAttributes")
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
        decided = ["elb-access-logs"] + (["alb-connection-logs"] if kind == "application" else [])
        call_failed_each(
            ctx, [item.id], decided, exc, operation, what="elbv2:DescribeLoadBalancerAttributes"
        )
        return
    notes = ["NLB access logs are written for TLS listeners only"] if kind == "network" else []
    listed = isinstance(supplementary(item, "LoadBalancerAttributes"), list)
    said = (
        item_operation(item.type, "supplementaryConfiguration.LoadBalancerAttributes")
        if listed and from_config(ctx.aws, item)
        else ""
    )
    _decide_v2_log(ctx, item, "elb-access-logs", "access_logs.s3", attributes, notes, said)
    if kind == "application":
        _decide_v2_log(ctx, item, "alb-connection-logs", "connection_logs.s3", attributes, [], said)


def _decide_v2_log(
    ctx: ProbeContext,
    item: CollectedResource,
    control_id: str,
    prefix: str,
    attributes: dict[str, str],
    notes: list[str],
    said: str = "",
) -> None:
    operation = said or "elasticloadbalancing:DescribeLoadBalancerAttributes"
    said = said or "elbv2:DescribeLoadBalancerAttributes"
    # moto omits access_logs.s3.enabled until it is set; AWS always returns it: absent = off.
    enabled = attributes.get(f"{prefix}.enabled", "false").lower() == "true"
    bucket = attributes.get(f"{prefix}.bucket") or ""
    on = enabled and bucket
    record(
        ctx,
        item.id,
        control_id,
        Status.logged if on else Status.missing,
        f"{said}: {prefix}.enabled=true, {prefix}.bucket={clean_single_line(bucket)}"
        if on
        else f"{said}: {prefix}.enabled=false",
        destination=_s3_destination(bucket, attributes.get(f"{prefix}.prefix")) if on else None,
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
        config = supplementary(item, "BucketLoggingConfiguration")
        operation = "s3:GetBucketLogging"
        if isinstance(config, dict):
            target = config.get("destinationBucketName")
            prefix = config.get("logFilePrefix")
            operation_text = "config:supplementaryConfiguration.BucketLoggingConfiguration"
            if from_config(ctx.aws, item):
                operation = operation_text = item_operation(
                    BUCKET, "supplementaryConfiguration.BucketLoggingConfiguration"
                )
        elif ctx.aws is None:
            continue  # offline and not in the configuration item: the runner marks it unknown
        else:
            client = ctx.client(
                "s3", item.resource.region if item.resource.region != "global" else ctx.region
            )
            try:
                logging = client.get_bucket_logging(Bucket=name).get("LoggingEnabled") or {}
            except CALL_ERRORS as exc:
                call_failed(
                    ctx, item.id, control_id, exc, "s3:GetBucketLogging", operation=operation
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


PROBES = (
    probe_elb_logs,
    probe_s3_server_access_logs,
    probe_cloudfront_logging,
    probe_waf_logging,
    probe_apigateway_logs,
    probe_appsync_logging,
)
