"""Controls of the `access` layer, one row a control.

Sources: ELB access logs https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
and connection logs .../application/load-balancer-connection-logs.html ; CloudFront standard
and real-time logs https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/logging.html ;
WAF logging destinations (names start with `aws-waf-logs-`)
https://docs.aws.amazon.com/waf/latest/developerguide/logging.html ; S3 server access logs
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html ; API Gateway logging
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html .
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import Expectation, Layer

_L7 = ("Application Log: Application Log Content", "Network Traffic: Network Traffic Content")

CONTROLS: tuple[Control, ...] = (
    Control(
        id="elb-access-logs",
        layer=Layer.access,
        title="Load balancer access logs (classic ELB, ALB, NLB)",
        resource_types=(
            "AWS::ElasticLoadBalancing::LoadBalancer",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ),
        expectation=Expectation.baseline,
        evaluated_by=(
            "elasticloadbalancing:DescribeLoadBalancerAttributes AccessLog.Enabled (classic) / "
            "access_logs.s3.enabled, access_logs.s3.bucket (ALB, NLB); Config "
            "supplementaryConfiguration.LoadBalancerAttributes"
        ),
        logs_land_in="S3 <bucket>/<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/",
        remediation=(
            "aws elbv2 modify-load-balancer-attributes --load-balancer-arn <lb-arn> --attributes "
            "Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=<log-bucket>"
            "  # classic: aws elb modify-load-balancer-attributes --load-balancer-name <name> "
            '--load-balancer-attributes \'{"AccessLog":{"Enabled":true,'
            '"S3BucketName":"<log-bucket>"}}\''
        ),
        first_query=(
            "SELECT time, client_ip, request_verb, request_url, elb_status_code, user_agent "
            "FROM alb_access_logs WHERE client_ip = '<ip>' ORDER BY time"
        ),
        attack_data_components=_L7,
        partial_when="",
        item_fields=(
            "supplementaryConfiguration.LoadBalancerAttributes accessLog (classic) / "
            "access_logs.s3.* (ELBv2)"
        ),
        fill_call="elasticloadbalancing:DescribeLoadBalancerAttributes",
    ),
    Control(
        id="alb-connection-logs",
        layer=Layer.access,
        title="ALB connection logs (TLS handshakes, client certificates)",
        resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
        expectation=Expectation.extended,
        evaluated_by="elasticloadbalancing:DescribeLoadBalancerAttributes "
        "connection_logs.s3.enabled/bucket",
        logs_land_in="S3 <bucket>/<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/ "
        "(conn_log files)",
        remediation=(
            "aws elbv2 modify-load-balancer-attributes --load-balancer-arn <lb-arn> --attributes "
            "Key=connection_logs.s3.enabled,Value=true "
            "Key=connection_logs.s3.bucket,Value=<log-bucket>"
        ),
        first_query=(
            "SELECT time, client_ip, client_port, tls_protocol, tls_cipher, "
            "tls_verify_status FROM alb_connection_logs WHERE client_ip = '<ip>' ORDER BY time"
        ),
        attack_data_components=("Network Traffic: Network Connection Creation",),
        partial_when="",
        item_fields="supplementaryConfiguration.LoadBalancerAttributes connection_logs.s3.*",
        fill_call="elasticloadbalancing:DescribeLoadBalancerAttributes",
    ),
    Control(
        id="cloudfront-logging",
        layer=Layer.access,
        title="CloudFront standard or real-time logs",
        resource_types=("AWS::CloudFront::Distribution",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "cloudfront:GetDistributionConfig Logging.Enabled/Bucket, cache behaviours' "
            "RealtimeLogConfigArn; logs:DescribeDeliverySources/DescribeDeliveries "
            "(standard logging v2)"
        ),
        logs_land_in="S3 <bucket>/<prefix><distribution-id>.YYYY-MM-DD-HH.*.gz, a v2 delivery "
        "destination, or a Kinesis stream (real-time)",
        remediation=(
            "aws cloudfront update-distribution --id <distribution-id> --if-match <etag> "
            "--distribution-config file://config-with-Logging-Enabled-true.json"
        ),
        first_query=(
            'SELECT "c-ip", COUNT(*) AS requests, COUNT(DISTINCT "cs-uri-stem") AS uris '
            "FROM cloudfront_logs WHERE date = DATE '<yyyy-mm-dd>' GROUP BY 1 "
            "ORDER BY requests DESC LIMIT 50"
        ),
        attack_data_components=_L7,
        partial_when="",
        item_fields=(
            "AWS::CloudFront::Distribution distributionConfig.logging, "
            "cacheBehaviors[].realtimeLogConfigArn"
        ),
        fill_call="logs:DescribeDeliveries (standard logging v2); cloudfront:GetDistributionConfig",
    ),
    Control(
        id="waf-logging",
        layer=Layer.access,
        title="WAF web ACL logging (WAFv2 and Classic), inherited by protected resources",
        resource_types=(
            "AWS::WAFv2::WebACL",
            "AWS::WAF::WebACL",
            "AWS::WAFRegional::WebACL",
        ),
        expectation=Expectation.baseline,
        evaluated_by=(
            "wafv2:ListLoggingConfigurations LogDestinationConfigs/LoggingFilter; "
            "wafv2:ListResourcesForWebACL; waf/waf-regional:GetLoggingConfiguration"
        ),
        logs_land_in="CloudWatch Logs group, S3 bucket or Firehose named aws-waf-logs-*",
        remediation=(
            "aws wafv2 put-logging-configuration --logging-configuration "
            "ResourceArn=<web-acl-arn>,LogDestinationConfigs=<aws-waf-logs-destination-arn>"
        ),
        first_query=(
            "SELECT httprequest.clientip, httprequest.uri, action, terminatingruleid, "
            "COUNT(*) AS n FROM waf_logs WHERE httprequest.clientip = '<ip>' "
            "GROUP BY 1, 2, 3, 4 ORDER BY n DESC"
        ),
        attack_data_components=_L7,
        partial_when="LoggingFilter.DefaultBehavior=DROP (only matching requests are logged)",
        item_fields=(
            "AWS::WAFv2::LoggingConfiguration ResourceArn, LogDestinationConfigs (when a source "
            "provides it)"
        ),
        fill_call=(
            "wafv2:ListLoggingConfigurations; wafv2:ListResourcesForWebACL; "
            "waf(-regional):GetLoggingConfiguration"
        ),
    ),
    Control(
        id="s3-server-access-logs",
        layer=Layer.access,
        title="S3 server access logging",
        resource_types=("AWS::S3::Bucket",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "s3:GetBucketLogging LoggingEnabled.TargetBucket/TargetPrefix; Config "
            "supplementaryConfiguration.BucketLoggingConfiguration"
        ),
        logs_land_in="S3 <target-bucket>/<TargetPrefix>YYYY-MM-DD-HH-MM-SS-<id>",
        remediation=(
            "aws s3api put-bucket-logging --bucket <bucket> --bucket-logging-status "
            '\'{"LoggingEnabled":{"TargetBucket":"<log-bucket>",'
            '"TargetPrefix":"<bucket>/"}}\''
        ),
        first_query=(
            "SELECT requestdatetime, remoteip, requester, operation, key, httpstatus "
            "FROM s3_access_logs WHERE bucket_name = '<bucket>' "
            "AND operation = 'REST.GET.OBJECT' ORDER BY requestdatetime"
        ),
        attack_data_components=(
            "Cloud Storage: Cloud Storage Access",
            "Cloud Storage: Cloud Storage Enumeration",
        ),
        partial_when="",
        item_fields="AWS::S3::Bucket supplementaryConfiguration.BucketLoggingConfiguration",
        fill_call="s3:GetBucketLogging",
    ),
    Control(
        id="apigateway-access-logs",
        layer=Layer.access,
        title="API Gateway stage access logs (REST, HTTP, WebSocket)",
        resource_types=("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"),
        expectation=Expectation.baseline,
        evaluated_by=(
            "apigateway:GetStages accessLogSettings.destinationArn/format (REST); "
            "apigatewayv2 GetStages AccessLogSettings.DestinationArn/Format (HTTP, WebSocket)"
        ),
        logs_land_in="CloudWatch Logs group or Firehose stream in the access log settings",
        remediation=(
            "aws apigateway update-stage --rest-api-id <api-id> --stage-name <stage> "
            "--patch-operations op=replace,path=/accessLogSettings/destinationArn,"
            "value=<log-group-arn>  # v2: aws apigatewayv2 update-stage --api-id <api-id> "
            "--stage-name <stage> --access-log-settings DestinationArn=<log-group-arn>,"
            "Format=<format>"
        ),
        first_query=(
            "fields @timestamp, ip, httpMethod, resourcePath, status, requestId "
            "| filter ip = '<ip>' | sort @timestamp desc"
        ),
        attack_data_components=_L7,
        partial_when="the log format lacks $context.identity.sourceIp",
        item_fields="AWS::ApiGateway::Stage / AWS::ApiGatewayV2::Stage accessLogSettings",
        fill_call="apigateway:GetStages",
    ),
    Control(
        id="apigateway-execution-logs",
        layer=Layer.access,
        title="API Gateway execution logs (REST, WebSocket)",
        resource_types=("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"),
        expectation=Expectation.baseline,
        evaluated_by=(
            "apigateway:GetStages methodSettings['*/*'].loggingLevel (REST); "
            "apigatewayv2 GetStages DefaultRouteSettings.LoggingLevel (WebSocket); "
            "HTTP APIs have none"
        ),
        logs_land_in="CloudWatch Logs API-Gateway-Execution-Logs_<api-id>/<stage> (REST) or "
        "/aws/apigateway/<api-id>/<stage> (WebSocket)",
        remediation=(
            "aws apigateway update-stage --rest-api-id <api-id> --stage-name <stage> "
            "--patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'"
        ),
        first_query=(
            "fields @timestamp, @message | filter @message like /<request-id or ip>/ "
            "| sort @timestamp asc"
        ),
        attack_data_components=("Application Log: Application Log Content",),
        partial_when="loggingLevel ERROR, or only some methods log",
        item_fields=(
            "AWS::ApiGateway::Stage methodSettings['*/*'].loggingLevel; AWS::ApiGatewayV2::Stage "
            "defaultRouteSettings.loggingLevel"
        ),
        fill_call="apigateway:GetStages",
    ),
    Control(
        id="appsync-logging",
        layer=Layer.access,
        title="AppSync GraphQL API field-level logging",
        resource_types=("AWS::AppSync::GraphQLApi",),
        expectation=Expectation.baseline,
        evaluated_by="appsync:ListGraphqlApis logConfig.fieldLogLevel",
        logs_land_in="CloudWatch Logs /aws/appsync/apis/<api-id>",
        remediation=(
            "aws appsync update-graphql-api --api-id <api-id> --name <name> --log-config "
            "fieldLogLevel=ALL,cloudWatchLogsRoleArn=<role-arn>"
        ),
        first_query=(
            "fields @timestamp, requestId, fieldName, parentType, @message "
            "| filter @message like /<ip or identity>/ | sort @timestamp asc"
        ),
        attack_data_components=("Application Log: Application Log Content",),
        partial_when="fieldLogLevel ERROR",
        item_fields="AWS::AppSync::GraphQLApi LogConfig.FieldLogLevel",
        fill_call="appsync:ListGraphqlApis",
    ),
)
