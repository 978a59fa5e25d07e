"""The public web stack: CloudFront -> WAFv2 -> ALB -> instances, and the DNS in front.

Planned coverage (access and network layers):
* `prod-web-alb` (us-east-1): no access logs; its regional web ACL `prod-web-alb-acl` logs
  to CloudWatch Logs (`aws-waf-logs-prod-web-alb`).
* `prod-eu-shop-alb` (eu-west-1): access logs to the EU access-logs bucket.
* CloudFront `prod-web` distribution: standard logs to the access-logs bucket; its
  CLOUDFRONT-scope web ACL `prod-edge-acl` has no logging. The static-site distribution
  logs nothing.
* Route 53: the shop's public zone has query logging; the status-page zone has none.
"""

from __future__ import annotations

from functools import partial

from .accounts import BuildContext, SimAccount, record_planned
from .naming import tag_list, tags
from .network import Vpc, log_group

#: Most controls planned here are of the access layer; a call names another with `layer=`.
_record = partial(record_planned, layer="access")


def _alb_short_id(arn: str) -> str:
    """AWS Config's resourceId of a load balancer is its ARN; the name is the short part."""
    return arn.split(":loadbalancer/", 1)[1]


def build_alb(
    account: SimAccount,
    vpc: Vpc,
    name: str,
    tier: str,
    instance_ids: list[str],
    tag_values: dict[str, str],
) -> tuple[str, str]:
    """An internet-facing ALB in `vpc`'s `tier` (its subnets and security group), a target
    group and an HTTP listener; returns (ARN, DNS name)."""
    elbv2 = account.client("elbv2", vpc.region)
    balancer = elbv2.create_load_balancer(
        Name=name,
        Subnets=vpc.subnet_ids(tier),
        SecurityGroups=[vpc.security_groups[f"{tier}-sg"]],
        Scheme="internet-facing",
        Type="application",
        Tags=tag_list(tag_values),
    )["LoadBalancers"][0]
    target_group = elbv2.create_target_group(
        Name=f"{name.removesuffix('-alb')}-tg",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc.id,
        TargetType="instance",
        HealthCheckPath="/healthz",
    )["TargetGroups"][0]["TargetGroupArn"]
    if instance_ids:
        elbv2.register_targets(
            TargetGroupArn=target_group, Targets=[{"Id": i, "Port": 8080} for i in instance_ids]
        )
    elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )
    return balancer["LoadBalancerArn"], balancer["DNSName"]


def _storefront_alb(
    ctx: BuildContext, vpc: Vpc, name: str, instance_ids: list[str], access_logs: str = ""
) -> tuple[str, str]:
    """A storefront ALB in production's `vpc` (its public tier), with access logs to the
    `access_logs` bucket when one is given, and its planned access-logs control."""
    prod = ctx.account("production")
    tier = f"{vpc.name.removesuffix('-vpc')}-public"
    tag_values = tags("production", "storefront", "cc-1107", name)
    arn, dns = build_alb(prod, vpc, name, tier, instance_ids, tag_values)
    if access_logs:
        prod.client("elbv2", vpc.region).modify_load_balancer_attributes(
            LoadBalancerArn=arn,
            Attributes=[
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": access_logs},
                {"Key": "access_logs.s3.prefix", "Value": f"alb/{name}"},
            ],
        )
        state, detail = "logged", f"-> s3://{access_logs}/alb/{name}"
    else:
        state, detail = "missing", "access_logs.s3.enabled absent (false)"
    balancer = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    _record(
        ctx, prod, vpc.region, balancer, _alb_short_id(arn), arn, "elb-access-logs", state, detail
    )
    return arn, dns


def _web_acl(account: SimAccount, region: str, name: str, scope: str) -> str:
    return account.client("wafv2", region).create_web_acl(
        Name=name,
        Scope=scope,
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": True,
            "CloudWatchMetricsEnabled": True,
            "MetricName": name.replace("-", ""),
        },
        Rules=[],
        Tags=[{"Key": "team", "Value": "security"}],
    )["Summary"]["ARN"]


def _record_web_acl(ctx: BuildContext, region: str, acl: str, state: str, detail: str) -> None:
    """The planned logging of production's web ACL `acl` (its ARN)."""
    prod = ctx.account("production")
    _record(
        ctx,
        prod,
        region,
        "AWS::WAFv2::WebACL",
        acl.rsplit("/", 1)[1],
        acl,
        "waf-logging",
        state,
        detail,
    )


def _origin(domain: str, *, custom: bool) -> dict:
    """A distribution's one origin: an HTTP server (`custom`) or an S3 bucket."""
    origin: dict = {"Id": "primary", "DomainName": domain}
    if custom:
        origin["CustomOriginConfig"] = {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "http-only",
        }
    else:
        origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    return origin


def _distribution_config(
    reference: str, comment: str, origin: dict, web_acl: str, log_bucket: str | None
) -> dict:
    return {
        "CallerReference": reference,
        "Comment": comment,
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "primary",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
        },
        "WebACLId": web_acl,
        "Logging": {
            "Enabled": log_bucket is not None,
            "IncludeCookies": False,
            "Bucket": f"{log_bucket}.s3.amazonaws.com" if log_bucket else "",
            "Prefix": f"cloudfront/{reference}/" if log_bucket else "",
        },
    }


def build_web_stack(ctx: BuildContext, vpcs: dict[tuple[str, str], Vpc]) -> None:
    """ALBs, web ACLs and CloudFront distributions of production."""
    prod = ctx.account("production")
    east, west = ctx.regions[0], ctx.regions[1]
    alb_arn, alb_dns = _storefront_alb(
        ctx, vpcs[("production", east)], "prod-web-alb", ctx.facts["prod_web_instances"]
    )
    ctx.facts["prod_web_alb"] = alb_arn

    regional_acl = _web_acl(prod, east, "prod-web-alb-acl", "REGIONAL")
    wafv2 = prod.client("wafv2", east)
    wafv2.associate_web_acl(WebACLArn=regional_acl, ResourceArn=alb_arn)
    waf_group = log_group(prod, east, "aws-waf-logs-prod-web-alb", retention=365)
    wafv2.put_logging_configuration(
        LoggingConfiguration={"ResourceArn": regional_acl, "LogDestinationConfigs": [waf_group]}
    )
    _record_web_acl(ctx, east, regional_acl, "logged", waf_group)

    eu_logs = ctx.facts["prod_eu_access_logs_bucket"]
    _storefront_alb(ctx, vpcs[("production", west)], "prod-eu-shop-alb", [], eu_logs)

    # CloudFront is global; its CLOUDFRONT-scope web ACLs live in us-east-1.
    edge_acl = _web_acl(prod, "us-east-1", "prod-edge-acl", "CLOUDFRONT")
    _record_web_acl(ctx, "global", edge_acl, "missing", "no logging configuration")
    logs_bucket = ctx.facts["prod_access_logs_bucket"]
    static = f"{ctx.facts['static_site_bucket']}.s3.amazonaws.com"
    # (name, what it serves, origin, web ACL, the bucket of its standard logs if any)
    distributions = (
        ("prod-web", "storefront", _origin(alb_dns, custom=True), edge_acl, logs_bucket),
        ("static-site", "marketing pages", _origin(static, custom=False), "", None),
    )
    made_ids: dict[str, str] = {}
    for name, serves, origin, web_acl, log_bucket in distributions:
        reference = f"{name}-{ctx.naming.seed}"
        config = _distribution_config(reference, f"{name}: {serves}", origin, web_acl, log_bucket)
        made = prod.client("cloudfront").create_distribution(DistributionConfig=config)
        distribution = made_ids[name] = made["Distribution"]["Id"]
        arn = made["Distribution"]["ARN"]
        state, detail = (
            ("logged", f"-> {log_bucket}") if log_bucket else ("missing", "Logging.Enabled false")
        )
        cloudfront = "AWS::CloudFront::Distribution"
        _record(
            ctx, prod, "global", cloudfront, distribution, arn, "cloudfront-logging", state, detail
        )
    ctx.facts["prod_web_distribution"] = made_ids["prod-web"]


def build_dns(ctx: BuildContext) -> None:
    """Public hosted zones in production: one with query logging, one without."""
    prod = ctx.account("production")
    route53 = prod.client("route53")
    shop = ctx.naming.domain()
    status = f"status.{ctx.naming.company}.example.net"
    zones = {}
    for domain in (shop, status):
        zone = route53.create_hosted_zone(
            Name=domain,
            CallerReference=f"{domain}-{ctx.naming.seed}",
            HostedZoneConfig={"Comment": f"public zone of {domain}", "PrivateZone": False},
        )["HostedZone"]["Id"].rsplit("/", 1)[1]
        route53.change_tags_for_resource(
            ResourceType="hostedzone",
            ResourceId=zone,
            AddTags=[
                {"Key": "team", "Value": "platform"},
                {"Key": "cost-center", "Value": "cc-1042"},
            ],
        )
        zones[domain] = zone
    # Route 53 query logs must go to a log group in us-east-1 whose name starts /aws/route53/.
    group = f"/aws/route53/{shop}"
    log_group(prod, "us-east-1", group, retention=30)
    route53.create_query_logging_config(
        HostedZoneId=zones[shop],
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{prod.id}:log-group:{group}:*",
    )
    for domain, state, detail in (
        (shop, "logged", group),
        (status, "missing", "no query logging config"),
    ):
        _record(
            ctx,
            prod,
            "global",
            "AWS::Route53::HostedZone",
            zones[domain],
            f"arn:aws:route53:::hostedzone/{zones[domain]}",
            "route53-query-logs",
            state,
            detail,
            layer="network",
        )
    ctx.facts["hosted_zones"] = zones
