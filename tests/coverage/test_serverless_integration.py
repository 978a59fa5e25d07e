"""The host, database, access and serverless probes through the real runner.

One moto region with a resource of each kind, the inventory from the real direct-API source,
and `probe_region`: no probe of these layers may crash, and each decision lands on the
resource with the catalogue's layer.
"""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.runner import probe_region
from collectors.inventory.api import ApiSource
from snapshot.model import Layer, Status, region_node_id

ACCOUNT = "123456789012"
REGION = "us-east-1"
MINE = {"host", "database", "access", "serverless"}


@mock_aws
def test_probe_region_decides_every_layer_without_probe_crashes():
    iam = boto3.client("iam")
    role = iam.create_role(
        RoleName="fn",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    function = boto3.client("lambda", REGION).create_function(
        FunctionName="fn", Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": b"x"}
    )["FunctionArn"]
    instance = boto3.client("ec2", REGION).run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1
    )["Instances"][0]["InstanceId"]
    db = boto3.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier="db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="Passw0rd11",
        AllocatedStorage=20,
        EnableCloudwatchLogsExports=["postgresql"],
    )["DBInstance"]["DBInstanceArn"]
    boto3.client("s3", REGION).create_bucket(Bucket="integration-bucket")

    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    inventory = ApiSource(aws, regions=[REGION]).collect_region(ACCOUNT, REGION)
    coverage, errors = probe_region(aws, inventory)

    crashed = [e for e in errors if e.service == "blindspot" and e.operation.split(".")[0] in MINE]
    assert crashed == []

    def status(resource_id: str, control: str) -> Status:
        (record,) = [c for c in coverage[resource_id] if c.control == control]
        return record.status

    assert status(function, "lambda-logging") is Status.missing  # role has no policy
    assert status(db, "rds-log-exports") is Status.logged
    assert status("arn:aws:s3:::integration-bucket", "s3-server-access-logs") is Status.missing
    instance_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance}"
    # moto answers neither ssm:GetInventory nor ssm:DescribeInstanceInformation: the SSM
    # inventory that could list the agent is unreadable, so `missing` cannot be shown
    assert status(instance_arn, "cloudwatch-agent") is Status.unknown
    assert status(region_node_id(ACCOUNT, REGION), "ssm-session-logging") is Status.missing
    layers = {c.layer for records in coverage.values() for c in records}
    assert {Layer.host, Layer.database, Layer.access, Layer.serverless} <= layers
