"""Access-layer probes against moto, with the real direct-API inventory source.

moto gaps (moto-matrix.md), tested on Stubber-validated AWS-shaped responses instead:
`cloudfront:ListRealtimeLogConfigs` (no route), `wafv2:ListResourcesForWebACL`
(NotImplemented). moto omits `access_logs.s3.enabled` until set: absent counts as off.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.base import ProbeContext
from collectors.coverage.probes.access import (
    probe_apigateway_logs,
    probe_cloudfront_logging,
    probe_elb_logs,
    probe_s3_server_access_logs,
    probe_waf_logging,
)
from collectors.inventory.api import API_TYPES, ApiSource
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.model import Expectation, Relationship, Resource, Status

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _aws() -> AwsContext:
    return AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)


def _ctx(*types: str) -> ProbeContext:
    """Inventory from the real ApiSource, limited to `types`."""
    aws = _aws()
    inventory = ApiSource(aws, regions=[REGION]).collect_region(
        ACCOUNT, REGION, skip_types=API_TYPES - set(types)
    )
    return ProbeContext(aws=aws, account=ACCOUNT, region=REGION, inventory=inventory)


def _bare_ctx(*items: CollectedResource) -> ProbeContext:
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    for item in items:
        inventory.add(item)
    return ProbeContext(aws=_aws(), account=ACCOUNT, region=REGION, inventory=inventory)


def _record(ctx: ProbeContext, resource_id: str, control: str):
    records = [c for c in ctx.coverage.get(resource_id, []) if c.control == control]
    assert len(records) == 1, ctx.coverage.get(resource_id)
    return records[0]


def _deny(code: str = "AccessDenied"):
    def hook(**kwargs):
        raise ClientError({"Error": {"Code": code, "Message": "denied"}}, "op")

    return hook


def _subnets() -> list[str]:
    ec2 = boto3.client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}"
        )["Subnet"]["SubnetId"]
        for i, zone in enumerate("ab")
    ]


def _v2_balancer(name: str, kind: str, attributes: list[dict] | None = None) -> str:
    elbv2 = boto3.client("elbv2", REGION)
    arn = elbv2.create_load_balancer(Name=name, Subnets=_subnets(), Type=kind)["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    if attributes:
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
    return arn


# --------------------------------------------------------------------------- ELB


@mock_aws
def test_alb_access_and_connection_logs_on_and_off():
    on = _v2_balancer(
        "on",
        "application",
        [
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "alb-logs"},
            {"Key": "access_logs.s3.prefix", "Value": "web"},
            {"Key": "connection_logs.s3.enabled", "Value": "true"},
            {"Key": "connection_logs.s3.bucket", "Value": "alb-logs"},
        ],
    )
    off = _v2_balancer("off", "application")  # moto: access_logs.s3.enabled absent
    nlb = _v2_balancer("nlb", "network")
    ctx = _ctx("AWS::ElasticLoadBalancingV2::LoadBalancer")
    probe_elb_logs(ctx)
    record = _record(ctx, on, "elb-access-logs")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::alb-logs/web"
    connection = _record(ctx, on, "alb-connection-logs")
    assert connection.status is Status.logged
    assert connection.expectation is Expectation.extended
    assert _record(ctx, off, "elb-access-logs").status is Status.missing
    assert _record(ctx, off, "alb-connection-logs").status is Status.missing
    network = _record(ctx, nlb, "elb-access-logs")
    assert network.status is Status.missing
    assert "TLS listeners only" in network.notes[0]
    assert "alb-connection-logs" not in {c.control for c in ctx.coverage[nlb]}


@mock_aws
def test_classic_elb_access_logs_listed_by_the_probe_itself():
    elb = boto3.client("elb", REGION)
    for name in ("classic-on", "classic-off"):
        elb.create_load_balancer(
            LoadBalancerName=name,
            AvailabilityZones=[f"{REGION}a"],
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        )
    elb.modify_load_balancer_attributes(
        LoadBalancerName="classic-on",
        LoadBalancerAttributes={
            "AccessLog": {
                "Enabled": True,
                "S3BucketName": "elb-logs",
                "EmitInterval": 5,
                "S3BucketPrefix": "c",
            }
        },
    )
    ctx = _bare_ctx()  # the inventory does not cover ELBs: the probe lists them
    probe_elb_logs(ctx)
    base = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/"
    record = _record(ctx, base + "classic-on", "elb-access-logs")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::elb-logs/c"
    assert "EmitInterval=5 minutes" in record.notes
    assert _record(ctx, base + "classic-off", "elb-access-logs").status is Status.missing


@mock_aws
def test_alb_attributes_access_denied_is_unknown():
    arn = _v2_balancer("denied", "application")
    ctx = _bare_ctx()
    ctx.client("elbv2").meta.events.register(
        "before-call.*.DescribeLoadBalancerAttributes", _deny()
    )
    probe_elb_logs(ctx)
    assert _record(ctx, arn, "elb-access-logs").status is Status.unknown
    assert _record(ctx, arn, "alb-connection-logs").status is Status.unknown
    assert ctx.errors[0].code == "AccessDenied"


# --------------------------------------------------------------------------- S3


def _bucket_logging_to(source: str, target: str) -> None:
    s3 = boto3.client("s3", REGION)
    s3.put_bucket_acl(
        Bucket=target,
        GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
        GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
    )
    s3.put_bucket_logging(
        Bucket=source,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "s3/"}},
    )


@mock_aws
def test_s3_server_access_logs_on_off_and_self():
    s3 = boto3.client("s3", REGION)
    for name in ("data-bucket", "log-bucket", "plain-bucket", "selfish-bucket"):
        s3.create_bucket(Bucket=name)
    _bucket_logging_to("data-bucket", "log-bucket")
    _bucket_logging_to("selfish-bucket", "selfish-bucket")
    ctx = _ctx("AWS::S3::Bucket")
    probe_s3_server_access_logs(ctx)
    record = _record(ctx, "arn:aws:s3:::data-bucket", "s3-server-access-logs")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::log-bucket/s3"
    assert _record(ctx, "arn:aws:s3:::plain-bucket", "s3-server-access-logs").status is (
        Status.missing
    )
    selfish = _record(ctx, "arn:aws:s3:::selfish-bucket", "s3-server-access-logs")
    assert selfish.status is Status.logged
    assert "logs to itself" in selfish.notes[0]


@mock_aws
def test_s3_reuses_config_supplementary_without_calling_s3():
    items = [
        CollectedResource(
            Resource(
                id=f"arn:aws:s3:::{name}",
                type="AWS::S3::Bucket",
                account=ACCOUNT,
                region=REGION,
                resource_id=name,
            ),
            supplementary={"BucketLoggingConfiguration": json.dumps(config)},
        )
        for name, config in (
            ("from-config", {"destinationBucketName": "central-logs", "logFilePrefix": "x/"}),
            ("config-off", {"destinationBucketName": None}),
        )
    ]
    ctx = _bare_ctx(*items)
    probe_s3_server_access_logs(ctx)
    record = _record(ctx, "arn:aws:s3:::from-config", "s3-server-access-logs")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::central-logs/x"
    assert "BucketLoggingConfiguration" in record.evidence
    assert _record(ctx, "arn:aws:s3:::config-off", "s3-server-access-logs").status is (
        Status.missing
    )
    assert ctx.aws.call_log.total == 0


@mock_aws
def test_s3_get_bucket_logging_denied_is_unknown():
    boto3.client("s3", REGION).create_bucket(Bucket="secret-bucket")
    ctx = _ctx("AWS::S3::Bucket")
    ctx.client("s3").meta.events.register("before-call.s3.GetBucketLogging", _deny())
    probe_s3_server_access_logs(ctx)
    assert _record(ctx, "arn:aws:s3:::secret-bucket", "s3-server-access-logs").status is (
        Status.unknown
    )


# --------------------------------------------------------------------------- CloudFront


def _distribution(logging: bool, web_acl: str = "") -> tuple[str, str]:
    config = {
        "CallerReference": f"ref-{logging}-{web_acl}",
        "Comment": "c",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "o",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "o",
            "ViewerProtocolPolicy": "allow-all",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        },
        "Logging": {
            "Enabled": logging,
            "IncludeCookies": False,
            "Bucket": "cf-logs.s3.amazonaws.com" if logging else "",
            "Prefix": "edge/" if logging else "",
        },
    }
    if web_acl:
        config["WebACLId"] = web_acl
    distribution = boto3.client("cloudfront", REGION).create_distribution(
        DistributionConfig=config
    )["Distribution"]
    return distribution["ARN"], distribution["Id"]


@mock_aws
def test_cloudfront_standard_logging_on_and_off():
    on, _ = _distribution(True)
    off, _ = _distribution(False)
    ctx = _ctx("AWS::CloudFront::Distribution")
    probe_cloudfront_logging(ctx)
    record = _record(ctx, on, "cloudfront-logging")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::cf-logs/edge"
    missing = _record(ctx, off, "cloudfront-logging")
    assert missing.status is Status.missing
    assert "Logging.Enabled=false" in missing.evidence


@mock_aws
def test_cloudfront_real_time_logs_on_aws_shaped_responses():
    """moto has no ListRealtimeLogConfigs route: the CloudFront calls are stubbed."""
    realtime = f"arn:aws:cloudfront::{ACCOUNT}:realtime-log-config/rt"
    stream = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/cf-realtime"
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E123"
    ctx = _bare_ctx(
        CollectedResource(
            Resource(
                id=arn,
                type="AWS::CloudFront::Distribution",
                account=ACCOUNT,
                region="global",
                resource_id="E123",
            )
        )
    )
    stub = Stubber(ctx.client("cloudfront", "us-east-1"))
    stub.add_response(
        "get_distribution_config",
        {
            "DistributionConfig": {
                "CallerReference": "r",
                "Comment": "",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "o.example.com"}]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "o",
                    "ViewerProtocolPolicy": "allow-all",
                    "RealtimeLogConfigArn": realtime,
                },
                "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
            },
            "ETag": "E1",
        },
        {"Id": "E123"},
    )
    stub.add_response(
        "list_realtime_log_configs",
        {
            "RealtimeLogConfigs": {
                "MaxItems": 100,
                "IsTruncated": False,
                "Marker": "",
                "Items": [
                    {
                        "ARN": realtime,
                        "Name": "rt",
                        "SamplingRate": 100,
                        "EndPoints": [
                            {
                                "StreamType": "Kinesis",
                                "KinesisStreamConfig": {
                                    "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/cf",
                                    "StreamARN": stream,
                                },
                            }
                        ],
                        "Fields": ["c-ip"],
                    }
                ],
            }
        },
    )
    with stub:
        probe_cloudfront_logging(ctx)
    record = _record(ctx, arn, "cloudfront-logging")
    assert record.status is Status.logged
    assert record.destination == stream
    assert "RealtimeLogConfigArn" in record.evidence


# --------------------------------------------------------------------------- WAF


def _web_acl(name: str, scope: str = "REGIONAL") -> str:
    return boto3.client("wafv2", REGION).create_web_acl(
        Name=name,
        Scope=scope,
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": name,
        },
    )["Summary"]["ARN"]


@mock_aws
def test_wafv2_logging_on_off_and_inherited_by_protected_alb():
    logged = _web_acl("logged")
    silent = _web_acl("silent")
    group = boto3.client("logs", REGION).create_log_group(logGroupName="aws-waf-logs-edge")
    del group
    destination = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:aws-waf-logs-edge"
    boto3.client("wafv2", REGION).put_logging_configuration(
        LoggingConfiguration={"ResourceArn": logged, "LogDestinationConfigs": [destination]}
    )
    alb = _v2_balancer("protected", "application")
    ctx = _ctx("AWS::WAFv2::WebACL", "AWS::ElasticLoadBalancingV2::LoadBalancer")
    # moto lacks ListResourcesForWebACL; the edge is what Config/the API source records.
    ctx.inventory.relationships.append(
        Relationship(source=logged, target=alb, name="Is associated with LoadBalancer")
    )
    probe_waf_logging(ctx)
    record = _record(ctx, logged, "waf-logging")
    assert record.status is Status.logged and record.destination == destination
    assert _record(ctx, silent, "waf-logging").status is Status.missing
    inherited = _record(ctx, alb, "waf-logging")
    assert inherited.status is Status.logged
    assert inherited.inherited_from == logged
    # WAF Classic is absent from moto (HTTP 404): nothing recorded, no error.
    assert not [e for e in ctx.errors if e.service in ("waf", "waf-regional")]


@mock_aws
def test_wafv2_protected_resources_and_drop_filter_on_aws_shaped_responses():
    """ListResourcesForWebACL is NotImplemented in moto: wafv2 is stubbed, shape-validated."""
    acl = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/filtered/1111-2222"
    alb = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/abc"
    stage = f"arn:aws:apigateway:{REGION}::/restapis/a1/stages/prod"
    ctx = _bare_ctx(
        *[
            CollectedResource(Resource(id=rid, type=rtype, account=ACCOUNT, region=REGION))
            for rid, rtype in (
                (alb, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
                (stage, "AWS::ApiGateway::Stage"),
            )
        ]
    )
    stub = Stubber(ctx.client("wafv2"))
    stub.add_response(
        "list_web_acls",
        {"WebACLs": [{"Name": "filtered", "Id": "1111-2222", "ARN": acl, "LockToken": "t"}]},
    )
    stub.add_response(
        "list_logging_configurations",
        {
            "LoggingConfigurations": [
                {
                    "ResourceArn": acl,
                    "LogDestinationConfigs": [f"arn:aws:s3:::aws-waf-logs-{ACCOUNT}"],
                    "LoggingFilter": {
                        "DefaultBehavior": "DROP",
                        "Filters": [
                            {
                                "Behavior": "KEEP",
                                "Requirement": "MEETS_ANY",
                                "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}],
                            }
                        ],
                    },
                }
            ]
        },
    )
    stub.add_response(
        "list_resources_for_web_acl",
        {"ResourceArns": [alb]},
        {"WebACLArn": acl, "ResourceType": "APPLICATION_LOAD_BALANCER"},
    )
    stub.add_response(
        "list_resources_for_web_acl",
        {"ResourceArns": [stage]},
        {"WebACLArn": acl, "ResourceType": "API_GATEWAY"},
    )
    stub.add_response("list_web_acls", {"WebACLs": []})  # CLOUDFRONT scope (us-east-1)
    stub.add_response("list_logging_configurations", {"LoggingConfigurations": []})
    with stub:
        probe_waf_logging(ctx)
    assert _record(ctx, acl, "waf-logging").status is Status.partial
    for target in (alb, stage):
        inherited = _record(ctx, target, "waf-logging")
        assert inherited.status is Status.partial and inherited.inherited_from == acl


@mock_aws
def test_cloudfront_distribution_inherits_from_its_web_acl():
    acl = _web_acl("edge-acl", "CLOUDFRONT")
    arn, _ = _distribution(False, web_acl=acl)
    ctx = _ctx("AWS::CloudFront::Distribution", "AWS::WAFv2::WebACL")
    if acl not in ctx.inventory.resources:  # moto lists no CLOUDFRONT-scope ACLs
        pytest.skip("moto does not list CLOUDFRONT-scope web ACLs")
    probe_waf_logging(ctx)
    inherited = _record(ctx, arn, "waf-logging")
    assert inherited.inherited_from == acl and inherited.status is Status.missing


@mock_aws
def test_wafv2_access_denied_is_unknown():
    acl = _web_acl("denied")
    ctx = _ctx("AWS::WAFv2::WebACL")
    ctx.client("wafv2").meta.events.register(
        "before-call.wafv2.ListLoggingConfigurations", _deny("AccessDeniedException")
    )
    probe_waf_logging(ctx)
    assert _record(ctx, acl, "waf-logging").status is Status.unknown
    assert ctx.errors[0].code == "AccessDeniedException"


# --------------------------------------------------------------------------- API Gateway


def _rest_stage(name: str, level: str | None, access: bool) -> str:
    apigw = boto3.client("apigateway", REGION)
    api = apigw.create_rest_api(name=name)["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=api)["id"]
    apigw.create_stage(restApiId=api, stageName="prod", deploymentId=deployment)
    patches = []
    if level:
        patches.append({"op": "replace", "path": "/*/*/logging/loglevel", "value": level})
    if access:
        patches += [
            {
                "op": "replace",
                "path": "/accessLogSettings/destinationArn",
                "value": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:api-access",
            },
            {
                "op": "replace",
                "path": "/accessLogSettings/format",
                "value": '{"ip":"$context.identity.sourceIp","status":"$context.status"}',
            },
        ]
    if patches:
        apigw.update_stage(restApiId=api, stageName="prod", patchOperations=patches)
    return f"arn:aws:apigateway:{REGION}::/restapis/{api}/stages/prod"


@mock_aws
def test_rest_stage_access_and_execution_logs():
    full = _rest_stage("full", "INFO", True)
    errors_only = _rest_stage("errors", "ERROR", False)
    bare = _rest_stage("bare", None, False)
    ctx = _ctx("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage")
    probe_apigateway_logs(ctx)
    access = _record(ctx, full, "apigateway-access-logs")
    assert access.status is Status.logged
    assert access.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:api-access"
    execution = _record(ctx, full, "apigateway-execution-logs")
    assert execution.status is Status.logged
    assert execution.destination.endswith(
        ":log-group:API-Gateway-Execution-Logs_" + full.split("/")[2] + "/prod"
    )
    assert _record(ctx, errors_only, "apigateway-execution-logs").status is Status.partial
    assert _record(ctx, errors_only, "apigateway-access-logs").status is Status.missing
    assert _record(ctx, bare, "apigateway-execution-logs").status is Status.missing


@mock_aws
def test_http_and_websocket_stages():
    v2 = boto3.client("apigatewayv2", REGION)
    http = v2.create_api(Name="http", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(
        ApiId=http,
        StageName="live",
        AccessLogSettings={
            "DestinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:http-access",
            "Format": "$context.requestId",
        },
    )
    ws = v2.create_api(
        Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    v2.create_stage(ApiId=ws, StageName="live", DefaultRouteSettings={"LoggingLevel": "ERROR"})
    for ctx in (_ctx("AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"), _bare_ctx()):
        probe_apigateway_logs(ctx)
        http_stage = f"arn:aws:apigateway:{REGION}::/apis/{http}/stages/live"
        ws_stage = f"arn:aws:apigateway:{REGION}::/apis/{ws}/stages/live"
        access = _record(ctx, http_stage, "apigateway-access-logs")
        assert access.status is Status.partial  # the format has no source IP
        assert _record(ctx, http_stage, "apigateway-execution-logs").status is (
            Status.not_applicable
        )
        assert _record(ctx, ws_stage, "apigateway-access-logs").status is Status.missing
        execution = _record(ctx, ws_stage, "apigateway-execution-logs")
        assert execution.status is Status.partial
        assert execution.destination.endswith(f":log-group:/aws/apigateway/{ws}/live")


@mock_aws
def test_apigateway_listing_denied_is_unknown_for_inventory_stages():
    stage = f"arn:aws:apigateway:{REGION}::/restapis/x1/stages/prod"
    ctx = _bare_ctx(
        CollectedResource(
            Resource(id=stage, type="AWS::ApiGateway::Stage", account=ACCOUNT, region=REGION)
        )
    )
    ctx.client("apigateway").meta.events.register("before-call.apigateway.GetRestApis", _deny())
    probe_apigateway_logs(ctx)
    assert _record(ctx, stage, "apigateway-access-logs").status is Status.unknown
    assert _record(ctx, stage, "apigateway-execution-logs").status is Status.unknown


def test_offline_access_probes_decide_from_config_items_only():
    """Config files (aws=None): S3 and ALB from supplementaryConfiguration, API GW stages from
    configuration; whatever the item lacks is left for the runner to mark unknown."""
    alb = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/cfg/1"
    stage = f"arn:aws:apigateway:{REGION}::/restapis/r1/stages/prod"
    inventory = RegionInventory(ACCOUNT, REGION, "config-files")
    inventory.add(
        CollectedResource(
            Resource(
                id=alb,
                type="AWS::ElasticLoadBalancingV2::LoadBalancer",
                account=ACCOUNT,
                region=REGION,
            ),
            configuration={"type": "application"},
            supplementary={
                "LoadBalancerAttributes": json.dumps(
                    [
                        {"key": "access_logs.s3.enabled", "value": "true"},
                        {"key": "access_logs.s3.bucket", "value": "alb-logs"},
                    ]
                )
            },
        )
    )
    inventory.add(
        CollectedResource(
            Resource(
                id="arn:aws:s3:::no-supplementary",
                type="AWS::S3::Bucket",
                account=ACCOUNT,
                region=REGION,
                resource_id="no-supplementary",
            ),
        )
    )
    inventory.add(
        CollectedResource(
            Resource(id=stage, type="AWS::ApiGateway::Stage", account=ACCOUNT, region=REGION),
            configuration={
                "stageName": "prod",
                "restApiId": "r1",
                "methodSettings": {"*/*": {"loggingLevel": "INFO"}},
            },
        )
    )
    ctx = ProbeContext(aws=None, account=ACCOUNT, region=REGION, inventory=inventory)
    probe_elb_logs(ctx)
    probe_s3_server_access_logs(ctx)
    probe_apigateway_logs(ctx)
    assert _record(ctx, alb, "elb-access-logs").status is Status.logged
    assert _record(ctx, alb, "alb-connection-logs").status is Status.missing
    assert "arn:aws:s3:::no-supplementary" not in ctx.coverage
    assert _record(ctx, stage, "apigateway-execution-logs").status is Status.logged
    assert _record(ctx, stage, "apigateway-access-logs").status is Status.missing


@mock_aws
def test_cloudfront_standard_logging_v2_delivery():
    arn, _ = _distribution(False)
    logs = boto3.client("logs", REGION)
    logs.put_delivery_source(name="cf-src", resourceArn=arn, logType="ACCESS_LOGS")
    target = logs.put_delivery_destination(
        name="cf-dst",
        deliveryDestinationConfiguration={"destinationResourceArn": "arn:aws:s3:::cf-v2-logs"},
    )["deliveryDestination"]["arn"]
    logs.create_delivery(deliverySourceName="cf-src", deliveryDestinationArn=target)
    ctx = _ctx("AWS::CloudFront::Distribution")
    probe_cloudfront_logging(ctx)
    record = _record(ctx, arn, "cloudfront-logging")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::cf-v2-logs"
    assert record.operation == "logs:DescribeDeliveries"


@mock_aws
def test_cloudfront_config_read_denied_is_unknown():
    arn, _ = _distribution(True)
    ctx = _ctx("AWS::CloudFront::Distribution")
    ctx.client("cloudfront", "us-east-1").meta.events.register(
        "before-call.cloudfront.GetDistributionConfig", _deny()
    )
    probe_cloudfront_logging(ctx)
    assert _record(ctx, arn, "cloudfront-logging").status is Status.unknown


@mock_aws
def test_appsync_field_logging_levels():
    from collectors.coverage.probes.access import probe_appsync_logging

    appsync = boto3.client("appsync", REGION)
    role = f"arn:aws:iam::{ACCOUNT}:role/appsync-logs"

    def api(name: str, level: str | None) -> tuple[str, str]:
        kwargs = (
            {"logConfig": {"fieldLogLevel": level, "cloudWatchLogsRoleArn": role}}
            if (level)
            else {}
        )
        created = appsync.create_graphql_api(name=name, authenticationType="API_KEY", **kwargs)
        return created["graphqlApi"]["arn"], created["graphqlApi"]["apiId"]

    (full, full_id), (errors, _), (silent, _) = (
        api("full", "ALL"),
        api("errors", "ERROR"),
        api("silent", None),
    )
    ctx = _bare_ctx()
    probe_appsync_logging(ctx)
    record = _record(ctx, full, "appsync-logging")
    assert record.status is Status.logged
    assert record.destination.endswith(f":log-group:/aws/appsync/apis/{full_id}")
    assert _record(ctx, errors, "appsync-logging").status is Status.partial
    assert _record(ctx, silent, "appsync-logging").status is Status.missing
