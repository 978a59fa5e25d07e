"""A small AWS world built in moto through boto3, for the AWS Config source tests."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3

DEFAULT_ACCOUNT = "123456789012"


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


@dataclass
class World:
    """Ids of what was created in one account-region."""

    account: str
    region: str
    vpc: str = ""
    subnets: list[str] = field(default_factory=list)
    security_group: str = ""
    instance: str = ""
    instance_eni: str = ""
    nat: str = ""
    alb_arn: str = ""
    role_arn: str = ""
    function_arn: str = ""
    db_arn: str = ""
    cluster_arn: str = ""
    bucket: str = ""

    def arn(self, kind: str, rid: str) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:{kind}/{rid}"


def session_for(account: str | None = None) -> boto3.Session:
    """The default credentials, or an assumed role's session in another moto account."""
    if account is None or account == DEFAULT_ACCOUNT:
        return boto3.Session(region_name="us-east-1")
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="blindspot-test",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def turn_config_on(session: boto3.Session, region: str, bucket: str, **group: Any) -> None:
    config = session.client("config", region_name=region)
    account = session.client("sts").get_caller_identity()["Account"]
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/aws-service-role/config",
            "recordingGroup": group or {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def build_world(
    session: boto3.Session, region: str, *, full: bool = True, prefix: str = "w"
) -> World:
    """VPC, 2 subnets, SG, instance; with `full`, also NAT, ALB, RDS, Lambda, IAM, S3."""
    account = session.client("sts").get_caller_identity()["Account"]
    world = World(account=account, region=region)
    ec2 = session.client("ec2", region_name=region)
    world.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for index, zone in enumerate(("a", "b")):
        world.subnets.append(
            ec2.create_subnet(
                VpcId=world.vpc, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=f"{region}{zone}"
            )["Subnet"]["SubnetId"]
        )
    world.security_group = ec2.create_security_group(
        GroupName=f"{prefix}-web", Description="web", VpcId=world.vpc
    )["GroupId"]
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=world.subnets[0],
        SecurityGroupIds=[world.security_group],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"{prefix}-web-1"}]}
        ],
    )["Instances"][0]
    world.instance = instance["InstanceId"]
    world.instance_eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    if not full:
        return world
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    world.nat = ec2.create_nat_gateway(SubnetId=world.subnets[0], AllocationId=allocation)[
        "NatGateway"
    ]["NatGatewayId"]
    world.alb_arn = session.client("elbv2", region_name=region).create_load_balancer(
        Name=f"{prefix}-alb", Subnets=world.subnets, SecurityGroups=[world.security_group]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    rds = session.client("rds", region_name=region)
    rds.create_db_subnet_group(
        DBSubnetGroupName=f"{prefix}-db", DBSubnetGroupDescription="db", SubnetIds=world.subnets
    )
    world.db_arn = rds.create_db_instance(
        DBInstanceIdentifier=f"{prefix}-orders",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        DBSubnetGroupName=f"{prefix}-db",
        VpcSecurityGroupIds=[world.security_group],
        EnableCloudwatchLogsExports=["error"],
    )["DBInstance"]["DBInstanceArn"]
    world.cluster_arn = rds.create_db_cluster(
        DBClusterIdentifier=f"{prefix}-reports",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        DBSubnetGroupName=f"{prefix}-db",
        VpcSecurityGroupIds=[world.security_group],
    )["DBCluster"]["DBClusterArn"]
    rds.create_db_instance(
        DBInstanceIdentifier=f"{prefix}-reports-1",
        DBInstanceClass="db.r6g.large",
        Engine="aurora-postgresql",
        DBClusterIdentifier=f"{prefix}-reports",
    )
    world.role_arn = session.client("iam").create_role(
        RoleName=f"{prefix}-fn-role", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    world.function_arn = session.client("lambda", region_name=region).create_function(
        FunctionName=f"{prefix}-orders-api",
        Runtime="python3.12",
        Role=world.role_arn,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
        VpcConfig={"SubnetIds": [world.subnets[0]], "SecurityGroupIds": [world.security_group]},
        Environment={"Variables": {"API_TOKEN": "s3cr3t"}},
    )["FunctionArn"]
    world.bucket = f"{prefix}-logs-{account}-{region}"
    s3 = session.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=world.bucket)
    else:
        s3.create_bucket(
            Bucket=world.bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
    return world
