"""A small hand-made organization for the explorer's tests, built through the models.

Three accounts, two regions, a VPC with a subnet, an ENI, an instance, an ALB, a bucket, a
Lambda function and an RDS instance in prod, fewer elsewhere; coverage records in all six
layers (some unknown, some inherited); and hostile names and tags (markup, terminal
escapes, bidi controls) that must show literally and harm nothing.

The hostile strings are put into the models raw (not cleaned), so the explorer's own
display-time cleaning is what the tests exercise.
"""

from __future__ import annotations

from datetime import UTC, datetime

from snapshot.model import (
    ACCOUNT_TYPE,
    REGION_TYPE,
    Account,
    CollectionError,
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

PROD, DEV, SEC = "111111111111", "222222222222", "333333333333"
REGIONS = ("us-east-1", "eu-west-1")

HOSTILE_MARKUP = "[bold]x[/"
HOSTILE_CLICK = "[@click=app.quit]x[/]"
HOSTILE_ESCAPE = "\x1b]0;PWNED\x07"
HOSTILE_LINK = "[link=https://evil.example]x[/link]"
HOSTILE_BIDI = "admin\u202etxt.exe"

VPC = f"arn:aws:ec2:us-east-1:{PROD}:vpc/vpc-0prod"
SUBNET = f"arn:aws:ec2:us-east-1:{PROD}:subnet/subnet-0prod"
ENI = f"arn:aws:ec2:us-east-1:{PROD}:network-interface/eni-0prod"
INSTANCE = f"arn:aws:ec2:us-east-1:{PROD}:instance/i-0prod"
ALB = f"arn:aws:elasticloadbalancing:us-east-1:{PROD}:loadbalancer/app/prod-web-alb/50dc6c49"
BUCKET = "arn:aws:s3:::prod-data-bucket"
LOG_BUCKET = "arn:aws:s3:::org-log-archive"
FUNCTION = f"arn:aws:lambda:us-east-1:{PROD}:function:payments-api"
DATABASE = f"arn:aws:rds:us-east-1:{PROD}:db:prod-orders"
DEV_VPC = f"arn:aws:ec2:eu-west-1:{DEV}:vpc/vpc-0dev"
DEV_FUNCTION = f"arn:aws:lambda:eu-west-1:{DEV}:function:dev-thumbnails"

L, P, M, U = Status.logged, Status.partial, Status.missing, Status.unknown


def _cov(
    layer: Layer,
    control: str,
    status: Status,
    *,
    evidence: str = "",
    destination: str | None = None,
    inherited_from: str | None = None,
    expectation: Expectation = Expectation.baseline,
) -> Coverage:
    return Coverage(
        layer=layer,
        control=control,
        status=status,
        evidence=evidence or f"{control}: {status}",
        destination=destination,
        inherited_from=inherited_from,
        expectation=expectation,
    )


def _account_controls(account: str, trail: Status) -> list[Coverage]:
    return [
        _cov(
            Layer.account,
            "cloudtrail-management-events",
            trail,
            evidence="cloudtrail:GetTrailStatus IsLogging",
            destination=LOG_BUCKET if trail is L else None,
        )
    ]


def _region_controls(account: str, region: str, config: Status, guardduty: Status) -> list:
    return [
        _cov(
            Layer.account,
            "config-recorder",
            config,
            evidence="config:DescribeConfigurationRecorderStatus recording",
        ),
        _cov(Layer.account, "guardduty", guardduty, evidence="guardduty:ListDetectors"),
    ]


def build_snapshot() -> Snapshot:
    """The fixture organization (deterministic: same models on every call)."""
    accounts = [
        Account(id=PROD, name="prod", regions=list(REGIONS)),
        Account(id=DEV, name="dev", regions=list(REGIONS)),
        Account(id=SEC, name="security", regions=["us-east-1"]),
    ]
    resources: list[Resource] = [
        Resource(
            id=account_node_id(PROD),
            type=ACCOUNT_TYPE,
            account=PROD,
            region="global",
            name="prod",
            coverage=_account_controls(PROD, L),
        ),
        Resource(
            id=account_node_id(DEV),
            type=ACCOUNT_TYPE,
            account=DEV,
            region="global",
            name="dev",
            coverage=_account_controls(DEV, M),
        ),
        Resource(
            id=account_node_id(SEC),
            type=ACCOUNT_TYPE,
            account=SEC,
            region="global",
            name="security",
            coverage=_account_controls(SEC, L),
        ),
        Resource(
            id=region_node_id(PROD, "us-east-1"),
            type=REGION_TYPE,
            account=PROD,
            region="us-east-1",
            name="us-east-1",
            coverage=_region_controls(PROD, "us-east-1", L, L),
        ),
        Resource(
            id=region_node_id(PROD, "eu-west-1"),
            type=REGION_TYPE,
            account=PROD,
            region="eu-west-1",
            name="eu-west-1",
            coverage=_region_controls(PROD, "eu-west-1", L, U),
        ),
        Resource(
            id=region_node_id(DEV, "us-east-1"),
            type=REGION_TYPE,
            account=DEV,
            region="us-east-1",
            name="us-east-1",
            coverage=_region_controls(DEV, "us-east-1", M, M),
        ),
        Resource(
            id=region_node_id(DEV, "eu-west-1"),
            type=REGION_TYPE,
            account=DEV,
            region="eu-west-1",
            name="eu-west-1",
            coverage=_region_controls(DEV, "eu-west-1", L, M),
        ),
        Resource(
            id=region_node_id(SEC, "us-east-1"),
            type=REGION_TYPE,
            account=SEC,
            region="us-east-1",
            name="us-east-1",
            coverage=_region_controls(SEC, "us-east-1", L, L),
        ),
        Resource(
            id=VPC,
            type="AWS::EC2::VPC",
            account=PROD,
            region="us-east-1",
            name="prod-vpc",
            resource_id="vpc-0prod",
            tags={"team": "platform", "note": HOSTILE_MARKUP},
            coverage=[
                _cov(
                    Layer.network,
                    "vpc-flow-logs",
                    P,
                    evidence="ec2:DescribeFlowLogs TrafficType=REJECT",
                    destination=f"arn:aws:logs:us-east-1:{PROD}:log-group:/vpc/flow",
                ),
                _cov(
                    Layer.network,
                    "resolver-query-logs",
                    M,
                    evidence="route53resolver: no query log association",
                ),
            ],
        ),
        Resource(
            id=SUBNET,
            type="AWS::EC2::Subnet",
            account=PROD,
            region="us-east-1",
            name="prod-private-a",
            resource_id="subnet-0prod",
            coverage=[
                _cov(
                    Layer.network,
                    "vpc-flow-logs",
                    P,
                    inherited_from=VPC,
                    evidence="flow log on the VPC, REJECT only",
                )
            ],
        ),
        Resource(
            id=ENI,
            type="AWS::EC2::NetworkInterface",
            account=PROD,
            region="us-east-1",
            name=HOSTILE_ESCAPE,
            resource_id="eni-0prod",
            tags={HOSTILE_CLICK: HOSTILE_LINK},
            coverage=[
                _cov(
                    Layer.network,
                    "vpc-flow-logs",
                    P,
                    inherited_from=SUBNET,
                    evidence="flow log on the VPC, REJECT only",
                )
            ],
        ),
        Resource(
            id=INSTANCE,
            type="AWS::EC2::Instance",
            account=PROD,
            region="us-east-1",
            name=f"web-1 {HOSTILE_MARKUP}",
            resource_id="i-0prod",
            tags={"Name": f"web-1 {HOSTILE_MARKUP}", "owner": HOSTILE_BIDI},
            coverage=[
                _cov(
                    Layer.host,
                    "cloudwatch-agent",
                    M,
                    evidence="cloudwatch:ListMetrics CWAgent: no metrics",
                ),
                _cov(
                    Layer.network,
                    "vpc-flow-logs",
                    P,
                    inherited_from=ENI,
                    evidence="flow log on the VPC, REJECT only",
                ),
            ],
        ),
        Resource(
            id=ALB,
            type="AWS::ElasticLoadBalancingV2::LoadBalancer",
            account=PROD,
            region="us-east-1",
            name="prod-web-alb",
            resource_id="prod-web-alb",
            coverage=[
                _cov(
                    Layer.access,
                    "elb-access-logs",
                    M,
                    evidence="elbv2 access_logs.s3.enabled=false",
                ),
                _cov(
                    Layer.access,
                    "waf-logging",
                    U,
                    evidence="wafv2:GetLoggingConfiguration AccessDenied",
                ),
            ],
        ),
        Resource(
            id=BUCKET,
            type="AWS::S3::Bucket",
            account=PROD,
            region="us-east-1",
            name="prod-data-bucket",
            resource_id="prod-data-bucket",
            tags={"data": HOSTILE_CLICK},
            coverage=[
                _cov(
                    Layer.access,
                    "s3-server-access-logs",
                    L,
                    evidence="s3:GetBucketLogging LoggingEnabled",
                    destination="s3://org-log-archive/s3/",
                ),
                _cov(
                    Layer.account,
                    "cloudtrail-s3-data-events",
                    M,
                    evidence="cloudtrail:GetEventSelectors: no selector matches",
                ),
            ],
        ),
        Resource(
            id=LOG_BUCKET,
            type="AWS::S3::Bucket",
            account=SEC,
            region="us-east-1",
            name="org-log-archive",
            resource_id="org-log-archive",
            coverage=[
                _cov(Layer.access, "s3-server-access-logs", M, evidence="s3:GetBucketLogging: none")
            ],
        ),
        Resource(
            id=FUNCTION,
            type="AWS::Lambda::Function",
            account=PROD,
            region="us-east-1",
            name="payments-api",
            resource_id="payments-api",
            coverage=[
                _cov(
                    Layer.serverless,
                    "lambda-logging",
                    L,
                    evidence="iam:SimulatePrincipalPolicy logs:PutLogEvents allowed",
                    destination=f"arn:aws:logs:us-east-1:{PROD}:log-group:/aws/lambda/payments-api",
                )
            ],
        ),
        Resource(
            id=DATABASE,
            type="AWS::RDS::DBInstance",
            account=PROD,
            region="us-east-1",
            name="prod-orders",
            resource_id="prod-orders",
            coverage=[
                _cov(
                    Layer.database,
                    "rds-log-exports",
                    P,
                    evidence="rds:DescribeDBInstances EnabledCloudwatchLogsExports=[error]",
                ),
                _cov(Layer.network, "vpc-flow-logs", P, inherited_from=VPC),
            ],
        ),
        Resource(
            id=DEV_VPC,
            type="AWS::EC2::VPC",
            account=DEV,
            region="eu-west-1",
            name="dev-vpc",
            resource_id="vpc-0dev",
            coverage=[
                _cov(Layer.network, "vpc-flow-logs", M, evidence="ec2:DescribeFlowLogs: none")
            ],
        ),
        Resource(
            id=DEV_FUNCTION,
            type="AWS::Lambda::Function",
            account=DEV,
            region="eu-west-1",
            name="dev-thumbnails",
            resource_id="dev-thumbnails",
            coverage=[
                _cov(
                    Layer.serverless,
                    "lambda-logging",
                    M,
                    evidence="iam:SimulatePrincipalPolicy logs:PutLogEvents denied",
                )
            ],
        ),
    ]
    rels = [
        (SUBNET, VPC, "Is contained in Vpc"),
        (ENI, SUBNET, "Is contained in Subnet"),
        (ENI, VPC, "Is contained in Vpc"),
        (INSTANCE, ENI, "Is attached to NetworkInterface"),
        (INSTANCE, SUBNET, "Is contained in Subnet"),
        (ALB, VPC, "Is contained in Vpc"),
        (ALB, INSTANCE, "Is associated with Instance"),
        (DATABASE, VPC, "Is contained in Vpc"),
        (FUNCTION, DATABASE, "Is associated with DBInstance"),
        (BUCKET, LOG_BUCKET, "Delivers logs to Bucket"),
    ]
    relationships = [
        Relationship(source=s, target=t, name=n, origin=Origin.config) for s, t, n in rels
    ]
    return Snapshot(
        generated_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        scope=Scope(source="demo", regions=list(REGIONS), accounts=[PROD, DEV, SEC]),
        accounts=accounts,
        resources=resources,
        relationships=relationships,
        errors=[
            CollectionError(
                account=PROD,
                region="eu-west-1",
                service="guardduty",
                operation="ListDetectors",
                code="AccessDenied",
                message=f"denied {HOSTILE_ESCAPE}",
            ),
        ],
    )


def scaled_snapshot(n: int) -> Snapshot:
    """The fixture organization plus `n` generated instances (for keystroke-cost figures)."""
    snapshot = build_snapshot()
    statuses = (L, P, M, U)
    for i in range(n):
        account = (PROD, DEV, SEC)[i % 3]
        region = REGIONS[i % 2] if account != SEC else "us-east-1"
        snapshot.resources.append(
            Resource(
                id=f"arn:aws:ec2:{region}:{account}:instance/i-{i:017x}",
                type="AWS::EC2::Instance",
                account=account,
                region=region,
                name=f"node-{i}",
                resource_id=f"i-{i:017x}",
                tags={"team": ("payments", "search", "ops")[i % 3]},
                coverage=[
                    _cov(Layer.host, "cloudwatch-agent", statuses[i % 4]),
                    _cov(Layer.network, "vpc-flow-logs", statuses[(i // 4) % 4]),
                ],
            )
        )
    return snapshot
