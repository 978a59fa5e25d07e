"""Small, hand-checkable snapshots built through the models (no AWS, no moto needed)."""

from __future__ import annotations

import re
import shutil
import subprocess

from snapshot.model import (
    ACCOUNT_TYPE,
    GLOBAL_REGION,
    REGION_TYPE,
    Account,
    Coverage,
    Expectation,
    Layer,
    Origin,
    Relationship,
    Resource,
    Scope,
    Snapshot,
    Status,
    account_node_id,
    region_node_id,
)

A1 = "111111111111"
A2 = "222222222222"
R1 = "us-east-1"


def cov(
    layer: str,
    status: str,
    control: str | None = None,
    *,
    expectation: str = "baseline",
    inherited_from: str | None = None,
    destination: str | None = None,
    evidence: str = "",
) -> Coverage:
    return Coverage(
        layer=Layer(layer),
        control=control or f"{layer}-control",
        status=Status(status),
        expectation=Expectation(expectation),
        evidence=evidence or f"test evidence for {layer}",
        inherited_from=inherited_from,
        destination=destination,
    )


def arn(kind: str, short: str, account: str = A1, region: str = R1) -> str:
    return f"arn:aws:ec2:{region}:{account}:{kind}/{short}"


def resource(
    id_: str,
    type_: str,
    *coverage: Coverage,
    account: str = A1,
    region: str = R1,
    name: str = "",
    resource_id: str | None = None,
    tags: dict[str, str] | None = None,
) -> Resource:
    return Resource(
        id=id_,
        type=type_,
        account=account,
        region=region,
        name=name,
        resource_id=resource_id,
        tags=tags or {},
        coverage=list(coverage),
    )


def rel(source: str, target: str, name: str, origin: str = "config") -> Relationship:
    return Relationship(source=source, target=target, name=name, origin=Origin(origin))


def snapshot(
    resources: list[Resource],
    relationships: list[Relationship] | None = None,
    accounts: list[Account] | None = None,
) -> Snapshot:
    return Snapshot(
        scope=Scope(source="demo", regions=[R1]),
        accounts=accounts if accounts is not None else [Account(id=A1, name="prod", regions=[R1])],
        resources=resources,
        relationships=relationships or [],
    )


# Ids of the small VPC estate below, for assertions.
VPC = arn("vpc", "vpc-1")
SUBNET = arn("subnet", "subnet-1")
ENI = arn("network-interface", "eni-1")
INSTANCE = arn("instance", "i-1")
SG = arn("security-group", "sg-1")
BUCKET = "arn:aws:s3:::logs-bucket"
FUNCTION = f"arn:aws:lambda:{R1}:{A1}:function:worker"
DB = f"arn:aws:rds:{R1}:{A2}:db:orders"


def small_estate() -> Snapshot:
    """Two accounts; hand-computed layer statuses are in the comments.

    A1 region: account layer logged (trail) and partial (config) -> partial.
    VPC: network logged. Subnet: network logged (inherited). ENI: network logged.
    Instance: host missing + extended logged -> host missing; network logged.
    SG: no coverage (not counted). Bucket: access partial. Function: serverless unknown,
    plus a not_applicable access record (ignored).
    A2: DB database logged; A2 region: account missing.
    """
    region1 = region_node_id(A1, R1)
    region2 = region_node_id(A2, R1)
    resources = [
        resource(account_node_id(A1), ACCOUNT_TYPE, account=A1, region=GLOBAL_REGION, name="prod"),
        resource(
            region1,
            REGION_TYPE,
            cov("account", "logged", "cloudtrail-management-events"),
            cov("account", "partial", "config-recorder"),
            cov("account", "missing", "cloudtrail-insights", expectation="extended"),
            name=R1,
        ),
        resource(
            region2,
            REGION_TYPE,
            cov("account", "missing", "cloudtrail-management-events"),
            account=A2,
            name=R1,
        ),
        resource(
            VPC,
            "AWS::EC2::VPC",
            cov("network", "logged", "vpc-flow-logs"),
            name="main-vpc",
            resource_id="vpc-1",
        ),
        resource(
            SUBNET,
            "AWS::EC2::Subnet",
            cov("network", "logged", "vpc-flow-logs", inherited_from=VPC),
            name="private-a",
            resource_id="subnet-1",
        ),
        resource(
            ENI,
            "AWS::EC2::NetworkInterface",
            cov("network", "logged", "vpc-flow-logs", inherited_from=SUBNET),
            resource_id="eni-1",
        ),
        resource(
            INSTANCE,
            "AWS::EC2::Instance",
            cov("host", "missing", "cloudwatch-agent"),
            cov("host", "logged", "ssm-session-logging", expectation="extended"),
            cov("network", "logged", "vpc-flow-logs", inherited_from=SUBNET),
            name="web-1",
            resource_id="i-1",
            tags={"env": "prod"},
        ),
        resource(SG, "AWS::EC2::SecurityGroup", name="web-sg", resource_id="sg-1"),
        resource(
            BUCKET,
            "AWS::S3::Bucket",
            cov("access", "partial", "s3-server-access-logs"),
            name="logs-bucket",
            resource_id="logs-bucket",
        ),
        resource(
            FUNCTION,
            "AWS::Lambda::Function",
            cov("serverless", "unknown", "lambda-logging"),
            cov("access", "not_applicable", "elb-access-logs"),
            name="worker",
            resource_id="worker",
        ),
        resource(
            DB,
            "AWS::RDS::DBInstance",
            cov("database", "logged", "rds-log-exports"),
            account=A2,
            name="orders",
            resource_id="orders",
        ),
    ]
    relationships = [
        rel(SUBNET, VPC, "Is contained in Vpc"),
        rel(ENI, SUBNET, "Is contained in Subnet"),
        rel(ENI, VPC, "Is contained in Vpc"),
        rel(ENI, SG, "Is associated with SecurityGroup"),
        rel(ENI, INSTANCE, "Is attached to Instance"),
        rel(INSTANCE, ENI, "Contains NetworkInterface"),
        rel(INSTANCE, SUBNET, "Is contained in Subnet"),
        rel(INSTANCE, SG, "Is associated with SecurityGroup"),
        rel(SG, VPC, "Is contained in Vpc"),
    ]
    accounts = [
        Account(id=A1, name="prod", regions=[R1]),
        Account(id=A2, name="data", regions=[R1]),
    ]
    return snapshot(resources, relationships, accounts)


# -- a small DOT syntax check (Graphviz's `nop` parses without laying out, when installed) ----

_DOT_STRING = r'"(?:[^"\\\n]|\\.)*"'
_ATTR = rf"(?:[A-Za-z_][A-Za-z_0-9]*|{_DOT_STRING})=(?:{_DOT_STRING}|[A-Za-z_0-9.#]+)"
_ATTRS = rf"\[(?:{_ATTR})(?:, (?:{_ATTR}))*\]"
_STATEMENT = re.compile(
    rf"\s*(?:{_DOT_STRING}(?: -> {_DOT_STRING})? {_ATTRS};"
    rf"|(?:graph|node|edge) {_ATTRS};|[a-z]+=[A-Za-z_0-9]+;)"
)


def check_dot(text: str) -> bool:
    """Every line between `digraph NAME {` and `}` is one well-formed statement."""
    lines = text.rstrip("\n").split("\n")
    if not re.fullmatch(r"digraph [A-Za-z_]+ \{", lines[0]) or lines[-1] != "}":
        return False
    if not all(_STATEMENT.fullmatch(line) for line in lines[1:-1]):
        return False
    nop = shutil.which("nop")
    if nop:
        result = subprocess.run([nop], input=text.encode(), capture_output=True, check=False)
        return result.returncode == 0 and not result.stderr
    return True
