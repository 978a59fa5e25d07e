# ruff: noqa: E501  (fixture data: long ARNs and delivery keys read better unbroken)
"""Regenerates the fixtures in this folder: realistic AWS Config items in both shapes.

Written for blindspot (not copied from any source); run `python tests/data/config/make_fixtures.py`.
"""

import copy
import gzip
import json
from pathlib import Path

D = Path(__file__).resolve().parent
A, B = "111122223333", "444455556666"
R = "us-east-1"


def ci_api(
    rtype,
    rid,
    arn,
    *,
    name=None,
    conf=None,
    rels=(),
    tags=None,
    supp=None,
    t="2026-11-29T04:01:12.345Z",
    region=R,
    acct=A,
    status="OK",
    az="Not Applicable",
):
    item = {
        "version": "1.3",
        "accountId": acct,
        "configurationItemCaptureTime": t,
        "configurationItemStatus": status,
        "configurationStateId": "1764388872345",
        "configurationItemMD5Hash": "",
        "arn": arn,
        "resourceType": rtype,
        "resourceId": rid,
        "awsRegion": region,
        "availabilityZone": az,
        "tags": tags or {},
        "relatedEvents": [],
        "relationships": [
            {"resourceType": rt, "resourceId": ri, "relationshipName": rn}
            if ri
            else {"resourceType": rt, "resourceName": rnm, "relationshipName": rn}
            for rt, ri, rn, rnm in [(*r, None)[:4] for r in rels]
        ],
        "configuration": conf or {},
        "supplementaryConfiguration": supp or {},
    }
    if name:
        item["resourceName"] = name
    return item


vpc = "vpc-0a1b2c3d4e5f60718"
sub1 = "subnet-0a11b22c33d44e55f"
sub2 = "subnet-0f66e77d88c99b00a"
sg_web = "sg-0123456789abcdef0"
sg_db = "sg-0fedcba9876543210"
inst = "i-0abc1234def567890"
eni_i = "eni-0aaa1111bbbb2222c"
vol = "vol-0123abcd4567ef890"
eni_alb = "eni-0alb00000000000a1".replace("l", "1")
eni_lam = "eni-0cafe0000000000b2"
eni_nat = "eni-0dead0000000000c3"
eni_rds = "eni-0beef0000000000d4"


def ec2arn(kind, i, region=R, acct=A):
    return f"arn:aws:ec2:{region}:{acct}:{kind}/{i}"


alb_arn = f"arn:aws:elasticloadbalancing:{R}:{A}:loadbalancer/app/web-alb/50dc6c495c0c9188"
items = [
    ci_api(
        "AWS::EC2::VPC",
        vpc,
        ec2arn("vpc", vpc),
        conf={"cidrBlock": "10.0.0.0/16", "vpcId": vpc, "state": "available", "isDefault": False},
        tags={"Name": "prod-vpc"},
        rels=[
            ("AWS::EC2::InternetGateway", "igw-0a1b2c3d4e5f60718", "Is attached to InternetGateway")
        ],
    ),
    ci_api(
        "AWS::EC2::Subnet",
        sub1,
        ec2arn("subnet", sub1),
        conf={
            "subnetId": sub1,
            "vpcId": vpc,
            "cidrBlock": "10.0.1.0/24",
            "availabilityZone": "us-east-1a",
        },
        rels=[
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
            ("AWS::EC2::NetworkAcl", "acl-0a1b2c3d", "Is attached to NetworkAcl"),
        ],
        az="us-east-1a",
    ),
    # An old (pre-2021) SG item still listing indirect relationships.
    ci_api(
        "AWS::EC2::SecurityGroup",
        sg_web,
        ec2arn("security-group", sg_web),
        name="web",
        conf={"groupId": sg_web, "groupName": "web", "vpcId": vpc, "ipPermissions": []},
        rels=[
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
            ("AWS::EC2::Instance", inst, "Is associated with Instance"),
            ("AWS::EC2::NetworkInterface", eni_i, "Is associated with NetworkInterface"),
        ],
        t="2020-06-01T10:00:00.000Z",
    ),
    ci_api(
        "AWS::EC2::Instance",
        inst,
        ec2arn("instance", inst),
        conf=json.dumps(
            {
                "instanceId": inst,
                "instanceType": "t3.micro",
                "vpcId": vpc,
                "subnetId": sub1,
                "iamInstanceProfile": {"arn": f"arn:aws:iam::{A}:instance-profile/web"},
                "networkInterfaces": [{"networkInterfaceId": eni_i}],
                "securityGroups": [{"groupId": sg_web, "groupName": "web"}],
                "state": {"code": 16, "name": "running"},
            }
        ),
        tags={"Name": "web-1\x1b]0;pwned\x07", "env": "prod"},
        rels=[
            ("AWS::EC2::NetworkInterface", eni_i, "Contains NetworkInterface"),
            ("AWS::EC2::SecurityGroup", sg_web, "Is associated with SecurityGroup"),
            ("AWS::EC2::Volume", vol, "Is attached to Volume"),
            ("AWS::EC2::Subnet", sub1, "Is contained in Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
        az="us-east-1a",
    ),
    ci_api(
        "AWS::EC2::NetworkInterface",
        eni_i,
        ec2arn("network-interface", eni_i),
        conf={
            "networkInterfaceId": eni_i,
            "interfaceType": "interface",
            "description": "Primary network interface",
            "requesterManaged": False,
            "attachment": {"instanceId": inst, "instanceOwnerId": A},
            "groups": [{"groupId": sg_web, "groupName": "web"}],
            "subnetId": sub1,
            "vpcId": vpc,
        },
        rels=[
            ("AWS::EC2::Instance", inst, "Is attached to Instance"),
            ("AWS::EC2::SecurityGroup", sg_web, "Is associated with SecurityGroup"),
            ("AWS::EC2::Subnet", sub1, "Is contained in Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
    ),
    ci_api(
        "AWS::EC2::NetworkInterface",
        eni_alb,
        ec2arn("network-interface", eni_alb),
        conf={
            "networkInterfaceId": eni_alb,
            "interfaceType": "interface",
            "description": "ELB app/web-alb/50dc6c495c0c9188",
            "requesterId": "amazon-elb",
            "requesterManaged": True,
            "groups": [{"groupId": sg_web, "groupName": "web"}],
            "subnetId": sub1,
            "vpcId": vpc,
        },
        rels=[
            ("AWS::EC2::SecurityGroup", sg_web, "Is associated with SecurityGroup"),
            ("AWS::EC2::Subnet", sub1, "Is contained in Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
    ),
    ci_api(
        "AWS::EC2::NetworkInterface",
        eni_lam,
        ec2arn("network-interface", eni_lam),
        conf={
            "networkInterfaceId": eni_lam,
            "interfaceType": "lambda",
            "description": "AWS Lambda VPC ENI-orders-api-7c2d5e1a-3b4f-4a6c-9d8e-0f1a2b3c4d5e",
            "requesterId": "AROAEXAMPLE:orders-api",
            "requesterManaged": True,
            "groups": [{"groupId": sg_web}],
            "subnetId": sub1,
            "vpcId": vpc,
        },
        rels=[
            ("AWS::EC2::Subnet", sub1, "Is contained in Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
    ),
    ci_api(
        "AWS::EC2::NetworkInterface",
        eni_nat,
        ec2arn("network-interface", eni_nat),
        conf={
            "networkInterfaceId": eni_nat,
            "interfaceType": "nat_gateway",
            "description": "Interface for NAT Gateway nat-0123456789abcdef0",
            "requesterId": "036872051663",
            "requesterManaged": True,
            "groups": [],
            "subnetId": sub1,
            "vpcId": vpc,
        },
        rels=[
            ("AWS::EC2::Subnet", sub1, "Is contained in Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
    ),
    ci_api(
        "AWS::EC2::NetworkInterface",
        eni_rds,
        ec2arn("network-interface", eni_rds),
        conf={
            "networkInterfaceId": eni_rds,
            "interfaceType": "interface",
            "description": "RDSNetworkInterface",
            "requesterId": "amazon-rds",
            "requesterManaged": True,
            "groups": [{"groupId": sg_db, "groupName": "db"}],
            "subnetId": sub2,
            "vpcId": vpc,
        },
        rels=[
            ("AWS::EC2::SecurityGroup", sg_db, "Is associated with SecurityGroup"),
            ("AWS::EC2::Subnet", sub2, "Is contained in Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
    ),
    ci_api(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        alb_arn,
        alb_arn,
        name="web-alb",
        conf={
            "loadBalancerArn": alb_arn,
            "loadBalancerName": "web-alb",
            "type": "application",
            "scheme": "internet-facing",
            "vpcId": vpc,
            "securityGroups": [sg_web],
        },
        supp={
            "LoadBalancerAttributes": json.dumps(
                [
                    {"key": "access_logs.s3.enabled", "value": "true"},
                    {"key": "access_logs.s3.bucket", "value": "logs-111122223333"},
                ]
            )
        },
        rels=[
            ("AWS::EC2::SecurityGroup", sg_web, "Is associated with SecurityGroup"),
            ("AWS::EC2::Subnet", sub1, "Is attached to Subnet"),
            ("AWS::EC2::VPC", vpc, "Is contained in Vpc"),
        ],
    ),
    ci_api(
        "AWS::Lambda::Function",
        "orders-api",
        f"arn:aws:lambda:{R}:{A}:function:orders-api",
        name="orders-api",
        conf={
            "functionName": "orders-api",
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{A}:role/service-role/orders-api-role",
            "environment": {"variables": {"DB_PASSWORD": "hunter2"}},
            "vpcConfig": {"subnetIds": [sub1], "securityGroupIds": [sg_web]},
        },
        tags={"team": "orders"},
        rels=[
            ("AWS::IAM::Role", None, "Is associated with ", "orders-api-role"),
            ("AWS::EC2::SecurityGroup", sg_web, "Is associated with "),
            ("AWS::EC2::Subnet", sub1, "Is contained in "),
        ],
    ),
    ci_api(
        "AWS::IAM::Role",
        "AROAEXAMPLEORDERSROLE1",
        f"arn:aws:iam::{A}:role/service-role/orders-api-role",
        name="orders-api-role",
        conf=json.dumps(
            {
                "path": "/service-role/",
                "roleName": "orders-api-role",
                "roleId": "AROAEXAMPLEORDERSROLE1",
                "arn": f"arn:aws:iam::{A}:role/service-role/orders-api-role",
            }
        ),
        region="global",
    ),
    ci_api(
        "AWS::RDS::DBInstance",
        "db-ABCDEFGHIJKLMNOPQRSTUVWXY1",
        f"arn:aws:rds:{R}:{A}:db:orders-db",
        name="orders-db",
        conf={
            "dBInstanceIdentifier": "orders-db",
            "engine": "mysql",
            "dBSubnetGroup": {"dBSubnetGroupName": "orders-subnets", "vpcId": vpc},
            "vpcSecurityGroups": [{"vpcSecurityGroupId": sg_db, "status": "active"}],
            "enabledCloudwatchLogsExports": ["error"],
        },
        rels=[
            ("AWS::RDS::DBSubnetGroup", "orders-subnets", "Is associated with DBSubnetGroup"),
            ("AWS::EC2::SecurityGroup", sg_db, "Is associated with SecurityGroup"),
        ],
    ),
    ci_api(
        "AWS::RDS::DBCluster",
        "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY2",
        f"arn:aws:rds:{R}:{A}:cluster:reports",
        name="reports",
        conf={
            "dBClusterIdentifier": "reports",
            "engine": "aurora-postgresql",
            "enabledCloudwatchLogsExports": [],
        },
        rels=[
            ("AWS::RDS::DBSubnetGroup", "orders-subnets", "Is associated with "),
            ("AWS::EC2::SecurityGroup", sg_db, "Is associated with "),
            ("AWS::RDS::DBInstance", "orders-db", "Contains "),
        ],
    ),
    ci_api(
        "AWS::S3::Bucket",
        "logs-111122223333",
        "arn:aws:s3:::logs-111122223333",
        name="logs-111122223333",
        conf={
            "name": "logs-111122223333",
            "owner": {"id": "abc"},
            "creationDate": "2025-01-01T00:00:00.000Z",
        },
        supp={
            "BucketLoggingConfiguration": json.dumps(
                {"destinationBucketName": "audit-111122223333", "logFilePrefix": "s3/"}
            ),
            "BucketVersioningConfiguration": {"status": "Enabled", "isMfaDeleteEnabled": None},
        },
    ),
    # A deleted resource: dropped.
    ci_api(
        "AWS::EC2::Volume",
        "vol-0dead000000000000",
        ec2arn("volume", "vol-0dead000000000000"),
        status="ResourceDeleted",
    ),
    # No arn at all (some custom / third-party types): synthetic id.
    ci_api("AWS::Custom::Widget", "widget-1", "", conf={}),
]
items[-1].pop("arn")
(D / "api_items.json").write_text(json.dumps(items, indent=2))


def delivered(item):
    """API shape -> delivered-file shape."""
    d = copy.deepcopy(item)
    d["awsAccountId"] = d.pop("accountId")
    if "arn" in d:
        d["ARN"] = d.pop("arn")
    d["configurationItemVersion"] = d.pop("version")
    d["configurationStateMd5Hash"] = d.pop("configurationItemMD5Hash")
    d["configurationItemCaptureTime"] = d["configurationItemCaptureTime"]
    for rel in d["relationships"]:
        rel["name"] = rel.pop("relationshipName")
    if isinstance(d["configuration"], str):
        d["configuration"] = json.loads(d["configuration"])
    for k, v in list(d["supplementaryConfiguration"].items()):
        if isinstance(v, str):
            d["supplementaryConfiguration"][k] = json.loads(v)
    return d


base = D / "delivered" / "AWSLogs"
snap_items = [
    delivered(i)
    for i in items
    if i["configurationItemStatus"] == "OK" and i["resourceType"] != "AWS::Custom::Widget"
]
snap = {
    "fileVersion": "1.0",
    "configSnapshotId": "3f1c2a90-1b2c-4d5e-8f90-a1b2c3d4e5f6",
    "configurationItems": snap_items,
}
p = (
    base
    / A
    / "Config"
    / R
    / "2026"
    / "11"
    / "29"
    / "ConfigSnapshot"
    / f"{A}_Config_{R}_ConfigSnapshot_20261129T040512Z_3f1c2a90-1b2c-4d5e-8f90-a1b2c3d4e5f6.json.gz"
)
p.parent.mkdir(parents=True, exist_ok=True)
p.write_bytes(gzip.compress(json.dumps(snap).encode(), mtime=0))

# History the next day: the instance renamed, the NAT ENI deleted. An older item for the instance too.
inst_item = delivered(items[3])
inst_item["configurationItemCaptureTime"] = "2026-11-30T10:21:07.001Z"
inst_item["tags"]["Name"] = "web-1-renamed"
old_inst = delivered(items[3])
old_inst["configurationItemCaptureTime"] = "2026-11-28T00:00:00.000Z"
old_inst["tags"]["Name"] = "web-1-old"
nat_gone = {
    "configurationItemVersion": "1.3",
    "configurationItemCaptureTime": "2026-11-30T10:25:00.000Z",
    "configurationStateId": 1764498300000,
    "awsAccountId": A,
    "configurationItemStatus": "ResourceDeleted",
    "resourceType": "AWS::EC2::NetworkInterface",
    "resourceId": eni_nat,
    "ARN": ec2arn("network-interface", eni_nat),
    "awsRegion": R,
    "availabilityZone": None,
    "configurationStateMd5Hash": "",
    "resourceCreationTime": None,
    "relatedEvents": [],
    "relationships": [],
    "configuration": None,
    "supplementaryConfiguration": {},
    "tags": {},
}
hist = {"fileVersion": "1.0", "configurationItems": [inst_item, old_inst, nat_gone]}
p = (
    base
    / A
    / "Config"
    / R
    / "2026"
    / "11"
    / "30"
    / "ConfigHistory"
    / f"{A}_Config_{R}_ConfigHistory_AWS::EC2::Instance_20261130T100000Z_20261130T110000Z_1.json.gz"
)
p.parent.mkdir(parents=True, exist_ok=True)
p.write_bytes(gzip.compress(json.dumps(hist).encode(), mtime=0))

# Second account/region, uncompressed file.
vpc_b = "vpc-0b2b2b2b2b2b2b2b2"
sub_b = "subnet-0b3b3b3b3b3b3b3b3"
b_items = [
    delivered(
        ci_api(
            "AWS::EC2::VPC",
            vpc_b,
            ec2arn("vpc", vpc_b, "eu-west-1", B),
            conf={"vpcId": vpc_b},
            region="eu-west-1",
            acct=B,
            tags={"Name": "shared"},
        )
    ),
    delivered(
        ci_api(
            "AWS::EC2::Subnet",
            sub_b,
            ec2arn("subnet", sub_b, "eu-west-1", B),
            conf={"subnetId": sub_b, "vpcId": vpc_b},
            region="eu-west-1",
            acct=B,
            rels=[("AWS::EC2::VPC", vpc_b, "Is contained in Vpc")],
        )
    ),
]
for it in b_items:
    it["tags"] = [{"key": k, "value": v} for k, v in it["tags"].items()]  # list-of-key/value tags
snap_b = {
    "fileVersion": "1.0",
    "configSnapshotId": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
    "configurationItems": b_items,
}
p = (
    base
    / B
    / "Config"
    / "eu-west-1"
    / "2026"
    / "11"
    / "29"
    / "ConfigSnapshot"
    / f"{B}_Config_eu-west-1_ConfigSnapshot_20261129T050000Z_9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.json"
)
p.parent.mkdir(parents=True, exist_ok=True)
p.write_text(json.dumps(snap_b, indent=1))

# Broken files, in their own tree.
bad = (
    D
    / "broken"
    / "AWSLogs"
    / A
    / "Config"
    / "ap-southeast-2"
    / "2026"
    / "11"
    / "29"
    / "ConfigSnapshot"
)
bad.mkdir(parents=True, exist_ok=True)
full = gzip.compress(json.dumps(snap).encode(), mtime=0)
(bad / f"{A}_Config_ap-southeast-2_ConfigSnapshot_20261129T000000Z_truncated.json.gz").write_bytes(
    full[: len(full) // 2]
)
(bad / f"{A}_Config_ap-southeast-2_ConfigSnapshot_20261129T000001Z_invalid.json").write_text(
    '{"fileVersion": "1.0", "configSnapshotId": "x", "configurationItems": [{"resourceType": "AWS::EC2::VPC",,}]}'
)
(bad / f"{A}_Config_ap-southeast-2_ConfigSnapshot_20261129T000002Z_wrongshape.json").write_text(
    '["not", "a", "snapshot"]'
)
print("ok")
