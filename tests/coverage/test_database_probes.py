"""Database-layer probes against moto.

moto's docdb backend does not accept the `docdb` engine, so DocumentDB is tested on a
Stubber-validated `rds:DescribeDBClusters` response shaped like AWS's (the RDS API returns
DocumentDB clusters too). Everything else runs on moto.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.base import ProbeContext
from collectors.coverage.probes.database import (
    expected_log_types,
    probe_db_log_exports,
    probe_elasticache_log_delivery,
    probe_opensearch_log_publishing,
    probe_redshift_audit_logging,
)
from collectors.inventory.base import CollectedResource, RegionInventory
from snapshot.model import Resource, Status

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _ctx(inventory: RegionInventory | None = None) -> ProbeContext:
    aws = AwsContext(boto3.Session(region_name=REGION), account=ACCOUNT)
    return ProbeContext(
        aws=aws,
        account=ACCOUNT,
        region=REGION,
        inventory=inventory or RegionInventory(ACCOUNT, REGION, "test"),
    )


def _record(ctx: ProbeContext, resource_id: str, control: str):
    records = [c for c in ctx.coverage.get(resource_id, []) if c.control == control]
    assert len(records) == 1, ctx.coverage
    return records[0]


def _db(identifier: str, engine: str, exports: list[str], version: str | None = None) -> str:
    kwargs: dict = {"EnableCloudwatchLogsExports": exports} if exports else {}
    if version:
        kwargs["EngineVersion"] = version
    return boto3.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.micro",
        Engine=engine,
        MasterUsername="admin",
        MasterUserPassword="Passw0rd11",
        AllocatedStorage=20,
        **kwargs,
    )["DBInstance"]["DBInstanceArn"]


def test_expected_log_types_by_engine():
    assert expected_log_types("mysql") == ("audit", "error", "general", "slowquery")
    assert expected_log_types("sqlserver-ee") == ("error", "agent")
    assert expected_log_types("oracle-se2") == ("alert", "audit", "listener")
    assert expected_log_types("aurora-postgresql") == ("postgresql",)
    assert expected_log_types("something-new") is None


@mock_aws
def test_rds_instance_exports_all_some_none():
    full = _db("full", "mysql", ["audit", "error", "general", "slowquery"])
    some = _db("some", "mariadb", ["error"], "10.11.8")
    none = _db("none", "mysql", [])
    pg = _db("pg", "postgres", ["postgresql"])
    ctx = _ctx()
    probe_db_log_exports(ctx)
    record = _record(ctx, full, "rds-log-exports")
    assert record.status is Status.logged
    assert "EnabledCloudwatchLogsExports=audit,error,general,slowquery" in record.evidence
    assert record.destination == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/rds/instance/full/audit"
    )
    partial = _record(ctx, some, "rds-log-exports")
    assert partial.status is Status.partial
    assert "not exported: audit, general, slowquery" in partial.notes
    assert _record(ctx, none, "rds-log-exports").status is Status.missing
    assert _record(ctx, none, "rds-log-exports").destination is None
    assert _record(ctx, pg, "rds-log-exports").status is Status.logged


@mock_aws
def test_aurora_instances_inherit_from_their_cluster():
    rds = boto3.client("rds", REGION)
    cluster = rds.create_db_cluster(
        DBClusterIdentifier="au",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="Passw0rd11",
        EnableCloudwatchLogsExports=["audit", "error"],
    )["DBCluster"]["DBClusterArn"]
    member = rds.create_db_instance(
        DBInstanceIdentifier="au-1",
        DBInstanceClass="db.r5.large",
        Engine="aurora-mysql",
        DBClusterIdentifier="au",
    )["DBInstance"]["DBInstanceArn"]
    ctx = _ctx()
    probe_db_log_exports(ctx)
    assert _record(ctx, cluster, "rds-log-exports").status is Status.partial
    inherited = _record(ctx, member, "rds-log-exports")
    assert inherited.status is Status.partial
    assert inherited.inherited_from == cluster
    assert ctx.inventory.resources[cluster].type == "AWS::RDS::DBCluster"


@mock_aws
def test_neptune_audit_export_logged_and_missing():
    neptune = boto3.client("neptune", REGION)
    on = neptune.create_db_cluster(
        DBClusterIdentifier="graph-on", Engine="neptune", EnableCloudwatchLogsExports=["audit"]
    )["DBCluster"]["DBClusterArn"]
    off = neptune.create_db_cluster(DBClusterIdentifier="graph-off", Engine="neptune")["DBCluster"][
        "DBClusterArn"
    ]
    ctx = _ctx()
    probe_db_log_exports(ctx)
    record = _record(ctx, on, "neptune-log-exports")
    assert record.status is Status.logged
    assert record.destination.endswith(":log-group:/aws/neptune/graph-on/audit")
    assert _record(ctx, off, "neptune-log-exports").status is Status.missing
    assert "rds-log-exports" not in {c.control for c in ctx.coverage[on]}


@pytest.mark.parametrize(
    ("exports", "expected"),
    [(["audit", "profiler"], Status.logged), (["audit"], Status.partial), ([], Status.missing)],
)
def test_docdb_exports_on_aws_shaped_response(exports, expected):
    """moto rejects the docdb engine: rds:DescribeDBClusters is stubbed, shape-validated."""
    arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:docs"
    ctx = _ctx()
    stub = Stubber(ctx.client("rds"))
    stub.add_response(
        "describe_db_clusters",
        {
            "DBClusters": [
                {
                    "DBClusterIdentifier": "docs",
                    "DBClusterArn": arn,
                    "Engine": "docdb",
                    "EnabledCloudwatchLogsExports": exports,
                    "DBClusterMembers": [
                        {"DBInstanceIdentifier": "docs-1", "IsClusterWriter": True}
                    ],
                }
            ]
        },
    )
    stub.add_response(
        "describe_db_instances",
        {
            "DBInstances": [
                {
                    "DBInstanceIdentifier": "docs-1",
                    "Engine": "docdb",
                    "DBClusterIdentifier": "docs",
                    "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:docs-1",
                }
            ]
        },
    )
    with stub:
        probe_db_log_exports(ctx)
    assert _record(ctx, arn, "docdb-log-exports").status is expected
    member = _record(ctx, f"arn:aws:rds:{REGION}:{ACCOUNT}:db:docs-1", "docdb-log-exports")
    assert member.status is expected and member.inherited_from == arn


@mock_aws
def test_rds_access_denied_marks_inventory_unknown():
    arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:known"
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    inventory.add(
        CollectedResource(
            Resource(id=arn, type="AWS::RDS::DBInstance", account=ACCOUNT, region=REGION),
            configuration={"engine": "mysql"},
        )
    )
    ctx = _ctx(inventory)

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "x")

    ctx.client("rds").meta.events.register("before-call.rds.DescribeDBClusters", deny)
    probe_db_log_exports(ctx)
    record = _record(ctx, arn, "rds-log-exports")
    assert record.status is Status.unknown and "AccessDenied" in record.evidence
    assert ctx.errors[0].code == "AccessDenied"


def _redshift(identifier: str) -> str:
    boto3.client("redshift", REGION).create_cluster(
        ClusterIdentifier=identifier,
        NodeType="dc2.large",
        MasterUsername="admin",
        MasterUserPassword="Passw0rd1",
        ClusterType="single-node",
    )
    return f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{identifier}"


@mock_aws
def test_redshift_audit_logging_s3_cloudwatch_subset_and_off():
    redshift = boto3.client("redshift", REGION)
    boto3.client("s3", REGION).create_bucket(Bucket="audit-logs-bucket")
    s3 = _redshift("to-s3")
    redshift.enable_logging(
        ClusterIdentifier="to-s3", BucketName="audit-logs-bucket", S3KeyPrefix="rs/"
    )
    cw = _redshift("to-cw")
    redshift.enable_logging(
        ClusterIdentifier="to-cw", LogDestinationType="cloudwatch", LogExports=["connectionlog"]
    )
    off = _redshift("off")
    ctx = _ctx()
    probe_redshift_audit_logging(ctx)
    record = _record(ctx, s3, "redshift-audit-logging")
    assert record.status is Status.logged
    assert record.destination == "arn:aws:s3:::audit-logs-bucket/rs"
    partial = _record(ctx, cw, "redshift-audit-logging")
    assert partial.status is Status.partial
    assert "not exported: userlog, useractivitylog" in partial.notes
    assert _record(ctx, off, "redshift-audit-logging").status is Status.missing


def _log_delivery(log_type: str) -> dict:
    return {
        "LogType": log_type,
        "DestinationType": "cloudwatch-logs",
        "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "redis-logs"}},
        "LogFormat": "json",
    }


@mock_aws
def test_elasticache_log_delivery_both_one_none_and_memcached():
    client = boto3.client("elasticache", REGION)

    def group(gid: str, types: list[str]) -> str:
        return client.create_replication_group(
            ReplicationGroupId=gid,
            ReplicationGroupDescription="d",
            Engine="redis",
            CacheNodeType="cache.t3.micro",
            NumCacheClusters=1,
            LogDeliveryConfigurations=[_log_delivery(t) for t in types],
        )["ReplicationGroup"]["ARN"]

    both = group("both", ["slow-log", "engine-log"])
    one = group("one", ["slow-log"])
    none = group("none", [])
    memcached = client.create_cache_cluster(
        CacheClusterId="mc", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )["CacheCluster"]["ARN"]
    ctx = _ctx()
    probe_elasticache_log_delivery(ctx)
    record = _record(ctx, both, "elasticache-log-delivery")
    assert record.status is Status.logged
    assert record.destination == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:redis-logs"
    assert _record(ctx, one, "elasticache-log-delivery").status is Status.partial
    assert _record(ctx, none, "elasticache-log-delivery").status is Status.missing
    assert _record(ctx, memcached, "elasticache-log-delivery").status is Status.not_applicable


@mock_aws
def test_opensearch_log_publishing_all_some_none():
    client = boto3.client("opensearch", REGION)
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:os"

    def domain(name: str, types: list[str]) -> str:
        options = {t: {"CloudWatchLogsLogGroupArn": group, "Enabled": True} for t in types}
        return client.create_domain(DomainName=name, LogPublishingOptions=options)["DomainStatus"][
            "ARN"
        ]

    full = domain(
        "full", ["AUDIT_LOGS", "ES_APPLICATION_LOGS", "SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS"]
    )
    some = domain("some", ["ES_APPLICATION_LOGS"])
    none = domain("none", [])
    ctx = _ctx()
    probe_opensearch_log_publishing(ctx)
    record = _record(ctx, full, "opensearch-log-publishing")
    assert record.status is Status.logged and record.destination == group
    partial = _record(ctx, some, "opensearch-log-publishing")
    assert partial.status is Status.partial
    assert any("fine-grained access control" in n for n in partial.notes)
    assert _record(ctx, none, "opensearch-log-publishing").status is Status.missing


@mock_aws
def test_opensearch_and_redshift_access_denied_are_unknown():
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    domain = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/d"
    inventory.add(
        CollectedResource(
            Resource(id=domain, type="AWS::OpenSearch::Domain", account=ACCOUNT, region=REGION)
        )
    )
    cluster = _redshift("rc")
    ctx = _ctx(inventory)

    def deny(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "x")

    ctx.client("opensearch").meta.events.register("before-call.*.ListDomainNames", deny)
    ctx.client("redshift").meta.events.register("before-call.*.DescribeLoggingStatus", deny)
    probe_opensearch_log_publishing(ctx)
    probe_redshift_audit_logging(ctx)
    assert _record(ctx, domain, "opensearch-log-publishing").status is Status.unknown
    assert _record(ctx, cluster, "redshift-audit-logging").status is Status.unknown
    assert {e.operation for e in ctx.errors} == {
        "ListDomainNames/DescribeDomains",
        "DescribeLoggingStatus",
    }


def _config_item(arn: str, rtype: str, configuration: dict) -> CollectedResource:
    return CollectedResource(
        Resource(id=arn, type=rtype, account=ACCOUNT, region=REGION), configuration=configuration
    )


def test_rds_offline_from_config_items_with_aurora_inheritance():
    """An offline source (Config files): decided from configuration items, no AWS call."""
    cluster = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:au"
    member = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:au-1"
    inventory = RegionInventory(ACCOUNT, REGION, "config-files")
    inventory.add(
        _config_item(
            cluster,
            "AWS::RDS::DBCluster",
            {
                "dBClusterIdentifier": "au",
                "engine": "aurora-postgresql",
                "enabledCloudwatchLogsExports": ["postgresql"],
            },
        )
    )
    inventory.add(
        _config_item(
            member,
            "AWS::RDS::DBInstance",
            {
                "dBInstanceIdentifier": "au-1",
                "engine": "aurora-postgresql",
                "dBClusterIdentifier": "au",
                "enabledCloudwatchLogsExports": [],
            },
        )
    )
    ctx = ProbeContext(aws=None, account=ACCOUNT, region=REGION, inventory=inventory)
    probe_db_log_exports(ctx)
    assert _record(ctx, cluster, "rds-log-exports").status is Status.logged
    inherited = _record(ctx, member, "rds-log-exports")
    assert inherited.status is Status.logged and inherited.inherited_from == cluster


@mock_aws
def test_elasticache_access_denied_is_unknown():
    client = boto3.client("elasticache", REGION)
    arn = client.create_replication_group(
        ReplicationGroupId="rg",
        ReplicationGroupDescription="d",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
    )["ReplicationGroup"]["ARN"]
    inventory = RegionInventory(ACCOUNT, REGION, "test")
    inventory.add(
        CollectedResource(
            Resource(
                id=arn, type="AWS::ElastiCache::ReplicationGroup", account=ACCOUNT, region=REGION
            )
        )
    )
    ctx = _ctx(inventory)
    ctx.client("elasticache").meta.events.register(
        "before-call.*.DescribeReplicationGroups",
        lambda **kw: (_ for _ in ()).throw(
            ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "x")
        ),
    )
    probe_elasticache_log_delivery(ctx)
    assert _record(ctx, arn, "elasticache-log-delivery").status is Status.unknown


@mock_aws
def test_mq_broker_logging_activemq_and_rabbitmq():
    from collectors.coverage.probes.database import probe_mq_broker_logging

    mq = boto3.client("mq", REGION)

    def broker(name: str, engine: str, logs: dict) -> str:
        version = "5.17.6" if engine == "ACTIVEMQ" else "3.13"
        return mq.create_broker(
            BrokerName=name,
            EngineType=engine,
            EngineVersion=version,
            HostInstanceType="mq.t3.micro",
            DeploymentMode="SINGLE_INSTANCE",
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            Users=[{"Username": "admin", "Password": "Passw0rd12345"}],
            Logs=logs,
        )["BrokerArn"]

    both = broker("both", "ACTIVEMQ", {"General": True, "Audit": True})
    general = broker("general", "ACTIVEMQ", {"General": True, "Audit": False})
    none = broker("none", "ACTIVEMQ", {"General": False, "Audit": False})
    rabbit = broker("rabbit", "RABBITMQ", {"General": True})
    ctx = _ctx()
    probe_mq_broker_logging(ctx)
    assert _record(ctx, both, "mq-broker-logging").status is Status.logged
    partial = _record(ctx, general, "mq-broker-logging")
    assert partial.status is Status.partial and "Logs.Audit=False" in partial.evidence
    assert _record(ctx, none, "mq-broker-logging").status is Status.missing
    assert _record(ctx, rabbit, "mq-broker-logging").status is Status.logged


def test_aurora_instance_without_its_cluster_is_unknown_not_missing():
    member = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orphan-1"
    inventory = RegionInventory(ACCOUNT, REGION, "config-files")
    inventory.add(
        _config_item(
            member,
            "AWS::RDS::DBInstance",
            {
                "dBInstanceIdentifier": "orphan-1",
                "engine": "aurora-mysql",
                "dBClusterIdentifier": "gone",
                "enabledCloudwatchLogsExports": [],
            },
        )
    )
    ctx = ProbeContext(aws=None, account=ACCOUNT, region=REGION, inventory=inventory)
    probe_db_log_exports(ctx)
    assert _record(ctx, member, "rds-log-exports").status is Status.unknown
