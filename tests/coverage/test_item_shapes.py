"""Log-source types with no public real item in tests/data: items built in their shapes.

AWS Config records these types in their CloudFormation resource schema (property names as
in the AWS CloudFormation resource reference, PascalCase). No unmodified public item was
found for them, so each test builds the smallest item AWS Config would deliver and checks
the verdict without a credential (`probe_region(None, ...)`): one positive and one
negative case each, and `unknown` naming the call where an item cannot decide.
"""

from __future__ import annotations

import json
from typing import Any

from collectors.coverage.runner import probe_region
from collectors.inventory.config_items import ConfigItemSet
from snapshot.model import Coverage, Status, region_node_id

ACCOUNT = "111122223333"
REGION = "eu-west-1"


def _item(rtype: str, rid: str, arn: str, configuration: dict[str, Any], **extra: Any) -> dict:
    return {
        "version": "1.3",
        "accountId": ACCOUNT,
        "configurationItemCaptureTime": "2024-05-01T10:00:00.000Z",
        "configurationItemStatus": "OK",
        "arn": arn,
        "resourceType": rtype,
        "resourceId": rid,
        "resourceName": extra.pop("name", rid),
        "awsRegion": REGION,
        "relationships": extra.pop("relationships", []),
        "configuration": configuration,
        "supplementaryConfiguration": {},
        **extra,
    }


def _verdicts(*items: dict) -> dict[tuple[str, str], Coverage]:
    item_set = ConfigItemSet("aggregator")
    item_set.extend(items)
    found: dict[tuple[str, str], Coverage] = {}
    for inventory in item_set.inventories():
        coverage, errors = probe_region(None, inventory)
        assert not errors, errors
        for resource_id, records in coverage.items():
            for record in records:
                found[(resource_id, record.control)] = record
    return found


def _arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


def test_step_functions_logging_configuration() -> None:
    on, off = _arn("states", "stateMachine:on"), _arn("states", "stateMachine:off")
    group = _arn("logs", "log-group:/aws/vendedlogs/states/on:*")
    found = _verdicts(
        _item(
            "AWS::StepFunctions::StateMachine",
            on,
            on,
            {
                "StateMachineName": "on",
                "StateMachineType": "EXPRESS",
                "LoggingConfiguration": {
                    "Level": "ALL",
                    "IncludeExecutionData": True,
                    "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": group}}],
                },
            },
        ),
        _item(
            "AWS::StepFunctions::StateMachine",
            off,
            off,
            {"StateMachineName": "off", "LoggingConfiguration": {"Level": "OFF"}},
        ),
    )
    logged = found[(on, "stepfunctions-logging")]
    assert logged.status is Status.logged and logged.destination == group.removesuffix(":*")
    assert found[(off, "stepfunctions-logging")].status is Status.missing


def test_appsync_log_config() -> None:
    on, off = _arn("appsync", "apis/on"), _arn("appsync", "apis/off")
    found = _verdicts(
        _item(
            "AWS::AppSync::GraphQLApi",
            "on",
            on,
            {"ApiId": "on", "Name": "on", "LogConfig": {"FieldLogLevel": "ALL"}},
        ),
        _item("AWS::AppSync::GraphQLApi", "off", off, {"ApiId": "off", "Name": "off"}),
    )
    assert found[(on, "appsync-logging")].status is Status.logged
    assert found[(off, "appsync-logging")].status is Status.missing


def test_amazon_mq_broker_logs_follow_the_engine() -> None:
    active, rabbit = _arn("mq", "broker:active:b-1"), _arn("mq", "broker:rabbit:b-2")
    found = _verdicts(
        _item(
            "AWS::AmazonMQ::Broker",
            "b-1",
            active,
            {"BrokerName": "active", "EngineType": "ACTIVEMQ", "Logs": {"General": True}},
        ),
        _item(
            "AWS::AmazonMQ::Broker",
            "b-2",
            rabbit,
            {"BrokerName": "rabbit", "EngineType": "RABBITMQ", "Logs": {"General": True}},
        ),
    )
    assert found[(active, "mq-broker-logging")].status is Status.partial  # no audit log
    assert found[(rabbit, "mq-broker-logging")].status is Status.logged


def test_eks_logging_in_the_cloudformation_shape() -> None:
    on, off = _arn("eks", "cluster/on"), _arn("eks", "cluster/off")
    types = [{"Type": t} for t in ("api", "audit", "authenticator")]
    found = _verdicts(
        _item(
            "AWS::EKS::Cluster",
            "on",
            on,
            {"Name": "on", "Logging": {"ClusterLogging": {"EnabledTypes": types}}},
        ),
        _item(
            "AWS::EKS::Cluster",
            "off",
            off,
            {"Name": "off", "Logging": {"ClusterLogging": {"EnabledTypes": []}}},
        ),
    )
    assert found[(on, "eks-control-plane-logs")].status is Status.logged
    assert found[(off, "eks-control-plane-logs")].status is Status.missing


def test_flow_log_items_cover_a_vpc_and_their_absence_is_evidence() -> None:
    covered, bare = _arn("ec2", "vpc/vpc-1"), _arn("ec2", "vpc/vpc-2")
    flow = _arn("ec2", "vpc-flow-log/fl-1")
    found = _verdicts(
        _item("AWS::EC2::VPC", "vpc-1", covered, {"vpcId": "vpc-1"}),
        _item("AWS::EC2::VPC", "vpc-2", bare, {"vpcId": "vpc-2"}),
        _item(
            "AWS::EC2::FlowLog",
            "fl-1",
            flow,
            {"ResourceId": "vpc-1", "TrafficType": "REJECT", "LogGroupName": "flows"},
        ),
    )
    assert found[(covered, "vpc-flow-logs")].status is Status.partial  # REJECT only
    # Config records AWS::EC2::FlowLog here (an item of the type was delivered): none on
    # vpc-2 is evidence of absence
    assert found[(bare, "vpc-flow-logs")].status is Status.missing


def test_without_flow_log_items_a_vpc_is_unknown() -> None:
    vpc = _arn("ec2", "vpc/vpc-1")
    found = _verdicts(_item("AWS::EC2::VPC", "vpc-1", vpc, {"vpcId": "vpc-1"}))
    record = found[(vpc, "vpc-flow-logs")]
    assert record.status is Status.unknown
    assert record.evidence == f"no credential for account {ACCOUNT}: ec2:DescribeFlowLogs not made"


def test_resolver_query_log_associations() -> None:
    on, off = _arn("ec2", "vpc/vpc-1"), _arn("ec2", "vpc/vpc-2")
    association = _arn("route53resolver", "resolver-query-log-config-association/rqlca-1")
    found = _verdicts(
        _item("AWS::EC2::VPC", "vpc-1", on, {"vpcId": "vpc-1"}),
        _item("AWS::EC2::VPC", "vpc-2", off, {"vpcId": "vpc-2"}),
        _item(
            "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation",
            "rqlca-1",
            association,
            {
                "Id": "rqlca-1",
                "ResolverQueryLogConfigId": "rqlc-1",
                "ResourceId": "vpc-1",
                "Status": "ACTIVE",
            },
        ),
    )
    assert found[(on, "resolver-query-logs")].status is Status.logged
    assert found[(off, "resolver-query-logs")].status is Status.missing


def test_traffic_mirror_sessions() -> None:
    mirrored, plain = _arn("ec2", "network-interface/eni-1"), _arn("ec2", "network-interface/eni-2")
    found = _verdicts(
        _item("AWS::EC2::NetworkInterface", "eni-1", mirrored, {"networkInterfaceId": "eni-1"}),
        _item("AWS::EC2::NetworkInterface", "eni-2", plain, {"networkInterfaceId": "eni-2"}),
        _item(
            "AWS::EC2::TrafficMirrorSession",
            "tms-1",
            _arn("ec2", "traffic-mirror-session/tms-1"),
            {"NetworkInterfaceId": "eni-1", "TrafficMirrorTargetId": "tmt-1"},
        ),
    )
    assert found[(mirrored, "traffic-mirroring")].status is Status.logged
    assert found[(plain, "traffic-mirroring")].status is Status.missing


def test_ssm_inventory_shows_the_cloudwatch_agent() -> None:
    with_agent, without = (
        _arn("ec2", "instance/i-0123456789abcdef0"),
        _arn("ec2", "instance/i-0fedcba9876543210"),
    )

    def inventory(instance: str, apps: dict[str, Any]) -> dict:
        return _item(
            "AWS::SSM::ManagedInstanceInventory",
            instance,
            _arn("ssm", f"managed-instance-inventory/{instance}"),
            {
                "AWS:InstanceInformation": {"Content": {instance: {"InstanceId": instance}}},
                "AWS:Application": {"Content": apps},
            },
        )

    found = _verdicts(
        _item("AWS::EC2::Instance", "i-0123456789abcdef0", with_agent, {"state": {}}),
        _item("AWS::EC2::Instance", "i-0fedcba9876543210", without, {"state": {}}),
        inventory("i-0123456789abcdef0", {"amazon-cloudwatch-agent": {"Version": "1.3"}}),
        inventory("i-0fedcba9876543210", {"amazon-ssm-agent": {"Version": "3.2"}}),
    )
    assert found[(with_agent, "cloudwatch-agent")].status is Status.logged
    assert found[(with_agent, "ssm-managed")].status is Status.logged
    absent = found[(without, "cloudwatch-agent")]
    assert absent.status is Status.unknown  # metrics and log streams are calls
    assert "cloudwatch:ListMetrics" in absent.evidence


def test_guardduty_detector_absent_where_config_records_the_type() -> None:
    region = region_node_id(ACCOUNT, REGION)
    disabled = _item(
        "AWS::GuardDuty::Detector", "d-1", _arn("guardduty", "detector/d-1"), {"Enable": False}
    )
    assert _verdicts(disabled)[(region, "guardduty")].status is Status.missing
    vpc = _item("AWS::EC2::VPC", "vpc-1", _arn("ec2", "vpc/vpc-1"), {"vpcId": "vpc-1"})
    assert _verdicts(vpc)[(region, "guardduty")].status is Status.unknown


def test_detective_graph_and_security_hub_standard() -> None:
    region = region_node_id(ACCOUNT, REGION)
    graph = _arn("detective", "graph:g-1")
    found = _verdicts(
        _item("AWS::Detective::Graph", graph, graph, {}),
        _item(
            "AWS::SecurityHub::Standard",
            "fsbp",
            _arn("securityhub", "subscription/aws-foundational-security-best-practices/v/1.0.0"),
            {"StandardsArn": "arn:aws:securityhub:eu-west-1::standards/fsbp/v/1.0.0"},
            name="aws-foundational-security-best-practices",
        ),
    )
    assert found[(region, "detective")].status is Status.logged
    assert found[(region, "securityhub")].status is Status.logged
    empty = _verdicts(_item("AWS::EC2::VPC", "vpc-1", _arn("ec2", "vpc/vpc-1"), {}))
    assert empty[(region, "detective")].status is Status.unknown
    assert empty[(region, "securityhub")].status is Status.unknown


def test_cloudformation_shaped_trail_decides_management_and_data_events() -> None:
    trail = _arn("cloudtrail", "trail/org")
    bucket = "arn:aws:s3:::data"
    found = _verdicts(
        _item(
            "AWS::CloudTrail::Trail",
            "org",
            trail,
            {
                "TrailName": "org",
                "IsLogging": True,
                "IsMultiRegionTrail": True,
                "EnableLogFileValidation": True,
                "KMSKeyId": "arn:aws:kms:eu-west-1:111122223333:key/k",
                "S3BucketName": "trail-logs",
                "EventSelectors": [
                    {
                        "ReadWriteType": "All",
                        "IncludeManagementEvents": True,
                        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
                    }
                ],
            },
        ),
        _item("AWS::S3::Bucket", "data", bucket, {"name": "data"}, awsRegion=REGION),
    )
    region = region_node_id(ACCOUNT, REGION)
    assert found[(region, "cloudtrail-management-events")].status is Status.logged
    assert found[(trail, "cloudtrail-integrity")].status is Status.logged
    assert found[(bucket, "cloudtrail-s3-data-events")].status is Status.logged
    insights = found[(region, "cloudtrail-insights")]
    assert insights.status is Status.unknown and "GetInsightSelectors" in insights.evidence


def test_lambda_role_policies_from_iam_items() -> None:
    function = _arn("lambda", "function:app")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/service/app-role"
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/app-logs"
    document = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
        "%22Allow%22%2C%22Action%22%3A%5B%22logs%3ACreateLogStream%22%2C%22logs%3A"
        "PutLogEvents%22%5D%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
    )
    role = _item(
        "AWS::IAM::Role",
        "AROAEXAMPLE",
        role_arn,
        {
            "roleName": "app-role",
            "arn": role_arn,
            "rolePolicyList": [],
            "attachedManagedPolicies": [{"policyName": "app-logs", "policyArn": policy_arn}],
        },
        name="app-role",
        awsRegion="global",
    )
    policy = _item(
        "AWS::IAM::Policy",
        "ANPAEXAMPLE",
        policy_arn,
        {
            "policyName": "app-logs",
            "arn": policy_arn,
            "policyVersionList": [
                {"document": document, "versionId": "v1", "isDefaultVersion": True}
            ],
        },
        name="app-logs",
        awsRegion="global",
    )
    fn = _item("AWS::Lambda::Function", "app", function, {"functionName": "app", "role": role_arn})
    found = _verdicts(fn, role, policy)
    assert found[(function, "lambda-logging")].status is Status.logged
    basic = {
        **role,
        "configuration": {
            **role["configuration"],
            "attachedManagedPolicies": [
                {
                    "policyName": "AWSLambdaBasicExecutionRole",
                    "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                }
            ],
        },
    }
    record = _verdicts(fn, basic)[(function, "lambda-logging")]
    assert record.status is Status.unknown  # AWS-managed policies are not Config items
    assert "iam:GetPolicyVersion" in record.evidence


def test_elbv2_attributes_in_the_supplementary_configuration() -> None:
    on = _arn("elasticloadbalancing", "loadbalancer/app/on/0123456789abcdef")
    off = _arn("elasticloadbalancing", "loadbalancer/app/off/fedcba9876543210")

    def balancer(arn: str, name: str, attributes: list[dict[str, str]]) -> dict:
        item = _item("AWS::ElasticLoadBalancingV2::LoadBalancer", arn, arn, {"type": "application"})
        item["supplementaryConfiguration"] = {"LoadBalancerAttributes": json.dumps(attributes)}
        return item

    found = _verdicts(
        balancer(
            on,
            "on",
            [
                {"key": "access_logs.s3.enabled", "value": "true"},
                {"key": "access_logs.s3.bucket", "value": "lb-logs"},
                {"key": "connection_logs.s3.enabled", "value": "false"},
            ],
        ),
        balancer(off, "off", [{"key": "access_logs.s3.enabled", "value": "false"}]),
    )
    assert found[(on, "elb-access-logs")].status is Status.logged
    assert found[(on, "elb-access-logs")].destination == "arn:aws:s3:::lb-logs"
    assert found[(on, "alb-connection-logs")].status is Status.missing
    assert found[(off, "elb-access-logs")].status is Status.missing


def test_rds_instance_inherits_its_cluster_whatever_the_key_case() -> None:
    cluster, instance = _arn("rds", "cluster:aurora"), _arn("rds", "db:aurora-1")
    found = _verdicts(
        _item(
            "AWS::RDS::DBCluster",
            "cluster-ABC",
            cluster,
            {
                "DBClusterIdentifier": "aurora",
                "Engine": "aurora-postgresql",
                "EnabledCloudwatchLogsExports": ["postgresql"],
            },
            name="aurora",
        ),
        _item(
            "AWS::RDS::DBInstance",
            "db-ABC",
            instance,
            {
                "dBInstanceIdentifier": "aurora-1",
                "engine": "aurora-postgresql",
                "dBClusterIdentifier": "aurora",
            },
            name="aurora-1",
        ),
    )
    inherited = found[(instance, "rds-log-exports")]
    assert inherited.status is Status.logged and inherited.inherited_from == cluster
    assert (instance, "docdb-log-exports") not in found


def test_web_acl_and_firewall_logging_need_their_logging_items() -> None:
    acl = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/edge/1"
    firewall = _arn("network-firewall", "firewall/fw")
    found = _verdicts(
        _item("AWS::WAFv2::WebACL", "1", acl, {"Name": "edge"}),
        _item("AWS::NetworkFirewall::Firewall", "fw", firewall, {"FirewallName": "fw"}),
    )
    waf = found[(acl, "waf-logging")]
    assert waf.status is Status.unknown and "wafv2:ListLoggingConfigurations" in waf.evidence
    nfw = found[(firewall, "network-firewall-logs")]
    assert nfw.status is Status.unknown and "DescribeLoggingConfiguration" in nfw.evidence
    logged = _verdicts(
        _item("AWS::WAFv2::WebACL", "1", acl, {"Name": "edge"}),
        _item(
            "AWS::WAFv2::LoggingConfiguration",
            acl,
            acl + "/logging",
            {
                "ResourceArn": acl,
                "LogDestinationConfigs": [_arn("firehose", "deliverystream/aws-waf-logs-x")],
            },
        ),
    )
    assert logged[(acl, "waf-logging")].status is Status.logged


def test_transit_gateway_and_eni_owners_from_flow_log_items() -> None:
    tgw, vpc = _arn("ec2", "transit-gateway/tgw-1"), _arn("ec2", "vpc/vpc-1")
    subnet = _arn("ec2", "subnet/subnet-1")
    nat, endpoint = _arn("ec2", "natgateway/nat-1"), _arn("ec2", "vpc-endpoint/vpce-1")
    in_subnet = [
        {
            "resourceType": "AWS::EC2::Subnet",
            "resourceId": "subnet-1",
            "relationshipName": "Is contained in Subnet",
        }
    ]
    flow = {"ResourceId": "vpc-1", "TrafficType": "ALL", "LogGroupName": "flows"}
    found = _verdicts(
        _item("AWS::EC2::TransitGateway", "tgw-1", tgw, {"transitGatewayId": "tgw-1"}),
        _item("AWS::EC2::VPC", "vpc-1", vpc, {"vpcId": "vpc-1"}),
        _item(
            "AWS::EC2::Subnet",
            "subnet-1",
            subnet,
            {"subnetId": "subnet-1", "vpcId": "vpc-1"},
            relationships=[
                {
                    "resourceType": "AWS::EC2::VPC",
                    "resourceId": "vpc-1",
                    "relationshipName": "Is contained in Vpc",
                }
            ],
        ),
        _item(
            "AWS::EC2::NatGateway",
            "nat-1",
            nat,
            {"subnetId": "subnet-1", "vpcId": "vpc-1"},
            relationships=in_subnet,
        ),
        _item(
            "AWS::EC2::VPCEndpoint",
            "vpce-1",
            endpoint,
            {"vpcId": "vpc-1", "subnetIds": ["subnet-1"]},
            relationships=in_subnet,
        ),
        _item("AWS::EC2::FlowLog", "fl-1", _arn("ec2", "vpc-flow-log/fl-1"), flow),
    )
    assert found[(tgw, "tgw-flow-logs")].status is Status.missing  # Config records flow logs
    assert found[(nat, "vpc-flow-logs")].status is Status.logged  # through subnet -> VPC
    assert found[(endpoint, "vpc-flow-logs")].status is Status.logged


def test_dynamodb_data_events_from_advanced_selectors() -> None:
    trail, table = _arn("cloudtrail", "trail/t"), _arn("dynamodb", "table/orders")
    selector = {
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]},
        ]
    }
    found = _verdicts(
        _item(
            "AWS::CloudTrail::Trail",
            "t",
            trail,
            {"TrailName": "t", "IsLogging": True, "AdvancedEventSelectors": [selector]},
        ),
        _item("AWS::DynamoDB::Table", "orders", table, {"tableName": "orders"}),
    )
    assert found[(table, "cloudtrail-dynamodb-data-events")].status is Status.logged


def test_waf_classic_web_acls_need_a_call() -> None:
    classic = f"arn:aws:waf::{ACCOUNT}:webacl/c-1"
    regional = _arn("waf-regional", "webacl/r-1")
    found = _verdicts(
        _item("AWS::WAF::WebACL", "c-1", classic, {"Name": "c"}, awsRegion="global"),
        _item("AWS::WAFRegional::WebACL", "r-1", regional, {"Name": "r"}),
    )
    for acl in (classic, regional):
        assert found[(acl, "waf-logging")].status is Status.unknown


def test_every_logging_type_aws_config_records_has_a_test() -> None:
    """Each resource type of a control AWS Config decides appears in these tests or a real
    item (the issue's "every Config-supported type that carries a logging setting")."""
    from pathlib import Path

    from collectors.coverage.probes.account import config_resource_types
    from snapshot.catalogue import CATALOGUE

    here = Path(__file__).resolve().parent
    text = (here / "test_item_shapes.py").read_text() + (here / "test_real_items.py").read_text()
    text += "".join(p.read_text() for p in (here.parent / "data" / "config-items").rglob("*.json"))
    recorded = config_resource_types()
    untested = {
        (rtype, row.id)
        for row in CATALOGUE
        if row.item_fields
        for rtype in row.resource_types
        if rtype in recorded and rtype not in text
    }
    assert not untested
