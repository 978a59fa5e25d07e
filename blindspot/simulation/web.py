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
    region: str,
    name: str,
    vpc: Vpc,
    public_prefix: str,
    sg: str,
    instance_ids: list[str],
    tag_values: dict[str, str],
) -> tuple[str, str]:
    """An internet-facing ALB, target group and HTTP listener; returns (ARN, DNS name)."""
    elbv2 = account.client("elbv2", region)
    balancer = elbv2.create_load_balancer(
        Name=name,
        Subnets=vpc.subnet_ids(public_prefix),
        SecurityGroups=[sg],
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


def _distribution(
    account: SimAccount,
    reference: str,
    comment: str,
    origin_domain: str,
    *,
    custom_origin: bool,
    web_acl: str = "",
    log_bucket: str | None = None,
) -> tuple[str, str]:
    origin: dict = {"Id": "primary", "DomainName": origin_domain}
    if custom_origin:
        origin["CustomOriginConfig"] = {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "http-only",
        }
    else:
        origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    config = {
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
    distribution = account.client("cloudfront").create_distribution(DistributionConfig=config)[
        "Distribution"
    ]
    return distribution["Id"], distribution["ARN"]


def build_web_stack(ctx: BuildContext, vpcs: dict[tuple[str, str], Vpc]) -> None:
    """ALBs, web ACLs and CloudFront distributions of production."""
    prod = ctx.account("production")
    east, west = ctx.regions[0], ctx.regions[1]
    vpc = vpcs[("production", east)]
    alb_arn, alb_dns = build_alb(
        prod,
        east,
        "prod-web-alb",
        vpc,
        "prod-public",
        vpc.security_groups["prod-public-sg"],
        ctx.facts["prod_web_instances"],
        tags("production", "storefront", "cc-1107", "prod-web-alb"),
    )
    ctx.facts["prod_web_alb"] = alb_arn
    _record(
        ctx,
        prod,
        east,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        _alb_short_id(alb_arn),
        alb_arn,
        "elb-access-logs",
        "missing",
        "access_logs.s3.enabled absent (false)",
    )

    regional_acl = _web_acl(prod, east, "prod-web-alb-acl", "REGIONAL")
    wafv2 = prod.client("wafv2", east)
    wafv2.associate_web_acl(WebACLArn=regional_acl, ResourceArn=alb_arn)
    waf_group = log_group(prod, east, "aws-waf-logs-prod-web-alb", retention=365)
    wafv2.put_logging_configuration(
        LoggingConfiguration={"ResourceArn": regional_acl, "LogDestinationConfigs": [waf_group]}
    )
    _record(
        ctx,
        prod,
        east,
        "AWS::WAFv2::WebACL",
        regional_acl.rsplit("/", 1)[1],
        regional_acl,
        "waf-logging",
        "logged",
        waf_group,
    )

    eu = vpcs[("production", west)]
    eu_alb, _ = build_alb(
        prod,
        west,
        "prod-eu-shop-alb",
        eu,
        "prod-eu-public",
        eu.security_groups["prod-eu-public-sg"],
        [],
        tags("production", "storefront", "cc-1107", "prod-eu-shop-alb"),
    )
    eu_logs = ctx.facts["prod_eu_access_logs_bucket"]
    prod.client("elbv2", west).modify_load_balancer_attributes(
        LoadBalancerArn=eu_alb,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": eu_logs},
            {"Key": "access_logs.s3.prefix", "Value": "alb/prod-eu-shop-alb"},
        ],
    )
    _record(
        ctx,
        prod,
        west,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        _alb_short_id(eu_alb),
        eu_alb,
        "elb-access-logs",
        "logged",
        f"-> s3://{eu_logs}/alb/prod-eu-shop-alb",
    )

    # CloudFront is global; its CLOUDFRONT-scope web ACLs live in us-east-1.
    edge_acl = _web_acl(prod, "us-east-1", "prod-edge-acl", "CLOUDFRONT")
    _record(
        ctx,
        prod,
        "global",
        "AWS::WAFv2::WebACL",
        edge_acl.rsplit("/", 1)[1],
        edge_acl,
        "waf-logging",
        "missing",
        "no logging configuration",
    )
    logs_bucket = ctx.facts["prod_access_logs_bucket"]
    web_id, web_arn = _distribution(
        prod,
        f"prod-web-{ctx.naming.seed}",
        "prod-web: storefront",
        alb_dns,
        custom_origin=True,
        web_acl=edge_acl,
        log_bucket=logs_bucket,
    )
    _record(
        ctx,
        prod,
        "global",
        "AWS::CloudFront::Distribution",
        web_id,
        web_arn,
        "cloudfront-logging",
        "logged",
        f"-> {logs_bucket}",
    )
    static = ctx.facts["static_site_bucket"]
    static_id, static_arn = _distribution(
        prod,
        f"static-site-{ctx.naming.seed}",
        "static-site: marketing pages",
        f"{static}.s3.amazonaws.com",
        custom_origin=False,
    )
    _record(
        ctx,
        prod,
        "global",
        "AWS::CloudFront::Distribution",
        static_id,
        static_arn,
        "cloudfront-logging",
        "missing",
        "Logging.Enabled false",
    )
    ctx.facts["prod_web_distribution"] = web_id


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
