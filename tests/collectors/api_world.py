"""A representative AWS account-region built through boto3 (moto in-process or moto server).

Shared by the direct-API source, collect, IAM-policy and CLI tests: one of every resource
family the API source lists, wired the way real ones are (instance in a subnet behind an ALB
target group, Lambda in the VPC with a role, WAF on the ALB...), with the ids returned so
tests can assert what was found, including the relationships.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ClientFactory = Callable[[str, str], Any]

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@dataclass
class World:
    """Ids (ARNs, as AWS Config names them) of what was created in one account-region."""

    account: str
    region: str
    ids: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def arn(self, kind: str) -> str:
        return self.ids[kind]


def ec2_arn(world: World, kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{world.region}:{world.account}:{kind}/{rid}"


def build_world(
    client: ClientFactory,
    account: str,
    region: str,
    *,
    prefix: str = "w",
    extra_instances: int = 0,
    extra_buckets: int = 0,
    extra_log_groups: int = 0,
    global_services: bool = True,
) -> World:
    """Create one of each family (plus `extra_*` bulk) and return their ids."""
    w = World(account=account, region=region)
    ec2 = client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": f"{prefix}-vpc"}])
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnet_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone=zones[0])
    subnet_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24", AvailabilityZone=zones[1])
    subnet_a = subnet_a["Subnet"]["SubnetId"]
    subnet_b = subnet_b["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName=f"{prefix}-web", Description="web", VpcId=vpc)
    sg = sg["GroupId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet_a, AllocationId=allocation)
    nat = nat["NatGateway"]["NatGatewayId"]
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    w.ids.update(
        vpc=ec2_arn(w, "vpc", vpc),
        subnet_a=ec2_arn(w, "subnet", subnet_a),
        subnet_b=ec2_arn(w, "subnet", subnet_b),
        sg=ec2_arn(w, "security-group", sg),
        igw=ec2_arn(w, "internet-gateway", igw),
        nat=ec2_arn(w, "natgateway", nat),
        tgw=tgw.get("TransitGatewayArn") or ec2_arn(w, "transit-gateway", tgw["TransitGatewayId"]),
    )

    iam = client("iam", region)
    if global_services:
        role = iam.create_role(RoleName=f"{prefix}-fn-role", AssumeRolePolicyDocument=TRUST)
        role_arn = role["Role"]["Arn"]
        profile = iam.create_instance_profile(InstanceProfileName=f"{prefix}-host")
        iam.add_role_to_instance_profile(
            InstanceProfileName=f"{prefix}-host", RoleName=f"{prefix}-fn-role"
        )
        w.ids.update(role=role_arn, profile=profile["InstanceProfile"]["Arn"])
    else:
        role_arn = f"arn:aws:iam::{account}:role/{prefix}-fn-role"

    run = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1 + extra_instances,
        MaxCount=1 + extra_instances,
        SubnetId=subnet_a,
        SecurityGroupIds=[sg],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"{prefix}-host"}]}
        ],
        **({"IamInstanceProfile": {"Name": f"{prefix}-host"}} if global_services else {}),
    )
    instances = [i["InstanceId"] for i in run["Instances"]]
    w.ids["instance"] = ec2_arn(w, "instance", instances[0])
    w.ids["instance_eni"] = ec2_arn(
        w, "network-interface", run["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    )
    w.counts["instances"] = len(instances)

    elbv2 = client("elbv2", region)
    alb = elbv2.create_load_balancer(
        Name=f"{prefix}-alb", Subnets=[subnet_a, subnet_b], SecurityGroups=[sg]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name=f"{prefix}-tg", Protocol="HTTP", Port=80, VpcId=vpc)
    tg = tg["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": instances[0]}])
    listener = elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )["Listeners"][0]["ListenerArn"]
    alb_suffix = alb.split("loadbalancer/", 1)[1]  # app/<name>/<id>
    alb_eni = ec2.create_network_interface(SubnetId=subnet_a, Description=f"ELB {alb_suffix}")
    w.ids.update(
        alb=alb,
        tg=tg,
        listener=listener,
        alb_eni=ec2_arn(w, "network-interface", alb_eni["NetworkInterface"]["NetworkInterfaceId"]),
    )
    elb = client("elb", region)
    elb.create_load_balancer(
        LoadBalancerName=f"{prefix}-clb",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        Subnets=[subnet_a],
        SecurityGroups=[sg],
    )
    elb.register_instances_with_load_balancer(
        LoadBalancerName=f"{prefix}-clb", Instances=[{"InstanceId": instances[0]}]
    )
    w.ids["clb"] = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{prefix}-clb"

    rds = client("rds", region)
    rds.create_db_subnet_group(
        DBSubnetGroupName=f"{prefix}-dbnet",
        DBSubnetGroupDescription="db",
        SubnetIds=[subnet_a, subnet_b],
    )
    db = rds.create_db_instance(
        DBInstanceIdentifier=f"{prefix}-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password123",
        DBSubnetGroupName=f"{prefix}-dbnet",
        VpcSecurityGroupIds=[sg],
        EnableCloudwatchLogsExports=["audit", "error"],
    )["DBInstance"]
    cluster = rds.create_db_cluster(
        DBClusterIdentifier=f"{prefix}-aurora",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password123",
    )["DBCluster"]
    member = rds.create_db_instance(
        DBInstanceIdentifier=f"{prefix}-aurora-1",
        DBInstanceClass="db.r5.large",
        Engine="aurora-postgresql",
        DBClusterIdentifier=f"{prefix}-aurora",
    )["DBInstance"]
    rds_eni = ec2.create_network_interface(
        SubnetId=subnet_a, Groups=[sg], Description="RDSNetworkInterface"
    )["NetworkInterface"]["NetworkInterfaceId"]
    w.ids.update(
        rds_eni=ec2_arn(w, "network-interface", rds_eni),
        db=db["DBInstanceArn"],
        db_subnet_group=f"arn:aws:rds:{region}:{account}:subgrp:{prefix}-dbnet",
        cluster=cluster["DBClusterArn"],
        cluster_member=member["DBInstanceArn"],
    )

    lam = client("lambda", region)
    function = lam.create_function(
        FunctionName=f"{prefix}-fn",
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": lambda_zip()},
        Environment={"Variables": {"DB_PASSWORD": "hunter2"}},
        VpcConfig={"SubnetIds": [subnet_b], "SecurityGroupIds": [sg]},
    )
    lambda_eni = ec2.create_network_interface(
        SubnetId=subnet_b,
        Description=f"AWS Lambda VPC ENI-{prefix}-fn-3c1e8f2a-9b4d-4e6f-a1b2-c3d4e5f60718",
    )
    w.ids.update(
        function=function["FunctionArn"],
        lambda_eni=ec2_arn(
            w, "network-interface", lambda_eni["NetworkInterface"]["NetworkInterfaceId"]
        ),
    )

    s3 = client("s3", region)
    bucket_kwargs = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    buckets = [f"{prefix}-{account}-{region}-logs"] + [
        f"{prefix}-{account}-{region}-b{i}" for i in range(extra_buckets)
    ]
    for name in buckets:
        s3.create_bucket(Bucket=name, **bucket_kwargs)
    s3.put_bucket_tagging(Bucket=buckets[0], Tagging={"TagSet": [{"Key": "team", "Value": "sec"}]})
    w.ids["bucket"] = f"arn:aws:s3:::{buckets[0]}"
    w.counts["buckets"] = len(buckets)

    trail = client("cloudtrail", region).create_trail(
        Name=f"{prefix}-trail", S3BucketName=buckets[0]
    )
    w.ids["trail"] = trail["TrailARN"]
    logs = client("logs", region)
    groups = [f"/{prefix}/app"] + [f"/{prefix}/bulk/{i}" for i in range(extra_log_groups)]
    for group in groups:
        logs.create_log_group(logGroupName=group)
    w.ids["log_group"] = f"arn:aws:logs:{region}:{account}:log-group:/{prefix}/app"
    w.counts["log_groups"] = len(groups)

    wafv2 = client("wafv2", region)
    acl = wafv2.create_web_acl(
        Name=f"{prefix}-acl",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "acl",
        },
    )["Summary"]
    wafv2.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=alb)
    w.ids["web_acl"] = acl["ARN"]

    apigw = client("apigateway", region)
    rest = apigw.create_rest_api(name=f"{prefix}-rest")["id"]
    root = apigw.get_resources(restApiId=rest)["items"][0]["id"]
    apigw.put_method(restApiId=rest, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=rest, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=rest, stageName="prod")
    apigwv2 = client("apigatewayv2", region)
    http_api = apigwv2.create_api(Name=f"{prefix}-http", ProtocolType="HTTP")["ApiId"]
    apigwv2.create_stage(ApiId=http_api, StageName="live")
    w.ids.update(
        rest_api=f"arn:aws:apigateway:{region}::/restapis/{rest}",
        rest_stage=f"arn:aws:apigateway:{region}::/restapis/{rest}/stages/prod",
        http_api=f"arn:aws:apigateway:{region}::/apis/{http_api}",
        http_stage=f"arn:aws:apigateway:{region}::/apis/{http_api}/stages/live",
    )

    eks = client("eks", region)
    cluster = eks.create_cluster(
        name=f"{prefix}-eks",
        roleArn=role_arn,
        resourcesVpcConfig={"subnetIds": [subnet_a, subnet_b], "securityGroupIds": [sg]},
    )["cluster"]
    w.ids["eks"] = cluster["arn"]
    table = client("dynamodb", region).create_table(
        TableName=f"{prefix}-table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]
    w.ids["table"] = table["TableArn"]

    if global_services:
        _global(client, w, prefix, buckets[0])
    return w


def _global(client: ClientFactory, w: World, prefix: str, bucket: str) -> None:
    zone = client("route53", "us-east-1").create_hosted_zone(
        Name=f"{prefix}.example.com", CallerReference=f"{prefix}-zone"
    )["HostedZone"]["Id"]
    w.ids["zone"] = f"arn:aws:route53:::hostedzone/{zone.rsplit('/', 1)[-1]}"
    global_acl = client("wafv2", "us-east-1").create_web_acl(
        Name=f"{prefix}-edge-acl",
        Scope="CLOUDFRONT",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "edge",
        },
    )["Summary"]["ARN"]
    w.ids["edge_acl"] = global_acl
    distribution = client("cloudfront", "us-east-1").create_distribution(
        DistributionConfig={
            "CallerReference": f"{prefix}-cdn",
            "Comment": "cdn",
            "Enabled": True,
            "WebACLId": global_acl,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "origin",
                        "DomainName": f"{bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "origin",
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )["Distribution"]
    w.ids["distribution"] = distribution["ARN"]
