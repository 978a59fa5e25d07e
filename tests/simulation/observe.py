"""Independent observers: what plain boto3 calls say about each planned control.

Each function reads moto through the same APIs a responder would use by hand (no blindspot
code) and answers `logged`, `partial` or `missing`, so the tests can check that the demo
organization really has every planned gap and every planned coverage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from blindspot.simulation.org import DemoOrg
from blindspot.simulation.truth import Planned


def _account(org: DemoOrg, planned: Planned):
    return next(a for a in org.accounts.values() if a.id == planned.account)


def _client(org: DemoOrg, planned: Planned, service: str, region: str | None = None) -> Any:
    region = region or (planned.region if planned.region != "global" else "us-east-1")
    return _account(org, planned).client(service, region)


def vpc_flow_logs(org: DemoOrg, p: Planned) -> str:
    ec2 = _client(org, p, "ec2")
    ids = [p.resource_id]
    if p.resource_type == "AWS::EC2::Subnet":
        subnet = ec2.describe_subnets(SubnetIds=[p.resource_id])["Subnets"][0]
        ids.append(subnet["VpcId"])
    logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": ids}])["FlowLogs"]
    traffic = {log["TrafficType"] for log in logs}
    if "ALL" in traffic:
        return "logged"
    return "partial" if traffic else "missing"


def resolver_query_logs(org: DemoOrg, p: Planned) -> str:
    resolver = _client(org, p, "route53resolver")
    associations = resolver.list_resolver_query_log_config_associations(
        Filters=[{"Name": "ResourceId", "Values": [p.resource_id]}]
    )["ResolverQueryLogConfigAssociations"]
    return "logged" if associations else "missing"


def route53_query_logs(org: DemoOrg, p: Planned) -> str:
    # moto rejects the HostedZoneId filter (moto-matrix.md), so list all and match.
    configs = _client(org, p, "route53").list_query_logging_configs()["QueryLoggingConfigs"]
    return "logged" if any(c["HostedZoneId"] == p.resource_id for c in configs) else "missing"


def s3_server_access_logs(org: DemoOrg, p: Planned) -> str:
    logging = _client(org, p, "s3").get_bucket_logging(Bucket=p.resource_id)
    return "logged" if "LoggingEnabled" in logging else "missing"


def elb_access_logs(org: DemoOrg, p: Planned) -> str:
    attributes = _client(org, p, "elbv2").describe_load_balancer_attributes(LoadBalancerArn=p.arn)[
        "Attributes"
    ]
    values = {a["Key"]: a["Value"] for a in attributes}
    return "logged" if values.get("access_logs.s3.enabled") == "true" else "missing"


def waf_logging(org: DemoOrg, p: Planned) -> str:
    wafv2 = _client(org, p, "wafv2")
    try:
        wafv2.get_logging_configuration(ResourceArn=p.arn)
    except wafv2.exceptions.WAFNonexistentItemException:
        return "missing"
    return "logged"


def cloudfront_logs(org: DemoOrg, p: Planned) -> str:
    config = _client(org, p, "cloudfront").get_distribution_config(Id=p.resource_id)
    return "logged" if config["DistributionConfig"]["Logging"]["Enabled"] else "missing"


def apigateway_access_logs(org: DemoOrg, p: Planned) -> str:
    api_id, stage = p.resource_id.split("/", 1)
    if p.resource_type == "AWS::ApiGateway::Stage":
        found = _client(org, p, "apigateway").get_stage(restApiId=api_id, stageName=stage)
        return "logged" if found.get("accessLogSettings", {}).get("destinationArn") else "missing"
    found = _client(org, p, "apigatewayv2").get_stage(ApiId=api_id, StageName=stage)
    return "logged" if found.get("AccessLogSettings", {}).get("DestinationArn") else "missing"


def rds_log_exports(org: DemoOrg, p: Planned) -> str:
    instance = _client(org, p, "rds").describe_db_instances(DBInstanceIdentifier=p.resource_id)[
        "DBInstances"
    ][0]
    exports = set(instance.get("EnabledCloudwatchLogsExports", []))
    if not exports:
        return "missing"
    # MySQL needs audit/general/slowquery besides error; PostgreSQL needs `postgresql`.
    wanted = {"postgresql"} if instance["Engine"].startswith("postgres") else {"audit", "general"}
    return "logged" if wanted <= exports else "partial"


def cloudwatch_agent(org: DemoOrg, p: Planned) -> str:
    metrics = _client(org, p, "cloudwatch").list_metrics(
        Namespace="CWAgent", Dimensions=[{"Name": "InstanceId", "Value": p.resource_id}]
    )["Metrics"]
    return "logged" if metrics else "missing"


def _role_can_write_logs(iam: Any, role_name: str) -> bool:
    documents = []
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
        )["PolicyVersion"]["Document"]
        documents.append(version if isinstance(version, dict) else json.loads(version))
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        documents.append(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
    for document in documents:
        statements = document["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if statement.get("Effect") == "Allow" and any(
                a in ("*", "logs:*", "logs:PutLogEvents") for a in actions
            ):
                return True
    return False


def lambda_logging(org: DemoOrg, p: Planned) -> str:
    function = _client(org, p, "lambda").get_function_configuration(FunctionName=p.resource_id)
    role_name = function["Role"].rsplit("/", 1)[1]
    return "logged" if _role_can_write_logs(_client(org, p, "iam"), role_name) else "missing"


def log_group_retention(org: DemoOrg, p: Planned) -> str:
    groups = _client(org, p, "logs").describe_log_groups(logGroupNamePrefix=p.resource_id)[
        "logGroups"
    ]
    group = next(g for g in groups if g["logGroupName"] == p.resource_id)
    days = group.get("retentionInDays")  # absent: never expires
    return "logged" if days is None or days >= 365 else "partial"


def stepfunctions_logging(org: DemoOrg, p: Planned) -> str:
    machine = _client(org, p, "stepfunctions").describe_state_machine(stateMachineArn=p.arn)
    return "missing" if machine["loggingConfiguration"]["level"] == "OFF" else "logged"


def _trails_covering(org: DemoOrg, p: Planned) -> list[dict]:
    cloudtrail = _client(org, p, "cloudtrail")
    trails = cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
    return [
        t
        for t in trails
        if (t["IsMultiRegionTrail"] or t["HomeRegion"] == p.region)
        and cloudtrail.get_trail_status(Name=t["TrailARN"])["IsLogging"]
    ]


def _selectors(org: DemoOrg, p: Planned, trail: dict) -> dict:
    """Event selectors, asked of the trail's home region (moto refuses shadow trails)."""
    home = _client(org, p, "cloudtrail", trail["HomeRegion"])
    return home.get_event_selectors(TrailName=trail["TrailARN"])


def _organization_trail_logging(org: DemoOrg) -> bool:
    """An org trail in the management account covers every member (moto hides it there)."""
    management = org.accounts["management"]
    cloudtrail = management.client("cloudtrail")
    return any(
        t.get("IsOrganizationTrail")
        and t["IsMultiRegionTrail"]
        and cloudtrail.get_trail_status(Name=t["TrailARN"])["IsLogging"]
        for t in cloudtrail.describe_trails()["trailList"]
    )


def cloudtrail_management_events(org: DemoOrg, p: Planned) -> str:
    if _organization_trail_logging(org):
        return "logged"
    best = "missing"
    for trail in _trails_covering(org, p):
        selectors = _selectors(org, p, trail)
        basic = selectors.get("EventSelectors", [])
        if any(s.get("ReadWriteType") == "WriteOnly" for s in basic):
            best = "partial" if best == "missing" else best
        else:
            return "logged"  # advanced, All, or moto's empty default (AWS: All + management)
    return best


def _data_selectors(org: DemoOrg, p: Planned) -> list[dict]:
    found = []
    for trail in _trails_covering(org, p):
        selectors = _selectors(org, p, trail)
        for advanced in selectors.get("AdvancedEventSelectors", []):
            found.append({f["Field"]: f for f in advanced["FieldSelectors"]})
    return found


def cloudtrail_s3_data_events(org: DemoOrg, p: Planned) -> str:
    for trail in _trails_covering(org, p):
        for basic in _selectors(org, p, trail).get("EventSelectors", []):
            for data in basic.get("DataResources", []):
                if data["Type"] == "AWS::S3::Object" and any(
                    f"arn:aws:s3:::{p.resource_id}/".startswith(value) for value in data["Values"]
                ):
                    return "logged"
    for fields in _data_selectors(org, p):
        prefixes = fields.get("resources.ARN", {}).get("StartsWith", [])
        if any(f"arn:aws:s3:::{p.resource_id}/".startswith(prefix) for prefix in prefixes):
            return "logged"
    return "missing"


def cloudtrail_lambda_data_events(org: DemoOrg, p: Planned) -> str:
    for fields in _data_selectors(org, p):
        if p.arn in fields.get("resources.ARN", {}).get("Equals", []):
            return "logged"
    return "missing"


def config_recorder(org: DemoOrg, p: Planned) -> str:
    status = _client(org, p, "config").describe_configuration_recorder_status()[
        "ConfigurationRecordersStatus"
    ]
    return "logged" if any(s["recording"] for s in status) else "missing"


def guardduty(org: DemoOrg, p: Planned) -> str:
    client = _client(org, p, "guardduty")
    for detector in client.list_detectors()["DetectorIds"]:
        if client.get_detector(DetectorId=detector)["Status"] == "ENABLED":
            return "logged"
    return "missing"


OBSERVERS: dict[str, Callable[[DemoOrg, Planned], str]] = {
    "vpc-flow-logs": vpc_flow_logs,
    "resolver-query-logs": resolver_query_logs,
    "route53-query-logs": route53_query_logs,
    "s3-server-access-logs": s3_server_access_logs,
    "elb-access-logs": elb_access_logs,
    "waf-logging": waf_logging,
    "cloudfront-logging": cloudfront_logs,
    "apigateway-access-logs": apigateway_access_logs,
    "rds-log-exports": rds_log_exports,
    "cloudwatch-agent": cloudwatch_agent,
    "lambda-logging": lambda_logging,
    "log-retention": log_group_retention,
    "stepfunctions-logging": stepfunctions_logging,
    "cloudtrail-management-events": cloudtrail_management_events,
    "cloudtrail-s3-data-events": cloudtrail_s3_data_events,
    "cloudtrail-lambda-data-events": cloudtrail_lambda_data_events,
    "cloudtrail-dynamodb-data-events": cloudtrail_lambda_data_events,  # same selector shape
    "config-recorder": config_recorder,
    "guardduty": guardduty,
}
