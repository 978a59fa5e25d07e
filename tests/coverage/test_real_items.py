"""Real AWS Config items (tests/data/config-items, unmodified) through the coverage engine.

Every item is read the way `collect --config-files` and an aggregator member account read
them: no credential (`probe_region(None, ...)`). The table below is the verdict of every
control each item decides; a control the item cannot decide must be `unknown` naming the
call that was not made, never `missing`, and nothing may crash.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from collectors.coverage.runner import probe_region
from collectors.inventory.base import RegionInventory
from collectors.inventory.config_items import ConfigItemSet, parse_item
from snapshot.model import CollectionError, Coverage, Status

DATA = Path(__file__).resolve().parents[1] / "data" / "config-items"

#: (file, resource type, control) -> the verdict the item decides.
DECIDED: dict[tuple[str, str, str], Status] = {
    ("AWS_ApiGateway_Stage.json", "AWS::ApiGateway::Stage", "apigateway-access-logs"): (
        Status.missing
    ),
    ("AWS_ApiGateway_Stage.json", "AWS::ApiGateway::Stage", "apigateway-execution-logs"): (
        Status.missing
    ),
    ("AWS_ApiGatewayV2_Stage.json", "AWS::ApiGatewayV2::Stage", "apigateway-access-logs"): (
        Status.missing
    ),
    ("AWS_Cloudtrail_Trail.json", "AWS::CloudTrail::Trail", "cloudtrail-integrity"): (
        Status.partial  # log file validation on, no KMS key
    ),
    ("AWS_CodeBuild_Project.json", "AWS::CodeBuild::Project", "codebuild-logging"): (Status.logged),
    ("AWS_ECS_TaskDefinition.json", "AWS::ECS::TaskDefinition", "ecs-task-logging"): (
        Status.logged
    ),
    (
        "AWS_ElasticBeanstalk_Environment.json",
        "AWS::ElasticBeanstalk::Environment",
        "elasticbeanstalk-logging",
    ): Status.logged,
    ("AWS_Glue_Job.json", "AWS::Glue::Job", "glue-job-logging"): Status.logged,
    (
        "AWS_LOADBALANCING_LOADBALANCER.json",
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "elb-access-logs",
    ): Status.missing,
    ("AWS_OpenSearch_Domain.json", "AWS::OpenSearch::Domain", "opensearch-log-publishing"): (
        Status.missing  # LogPublishingOptions: {}
    ),
    ("AWS_RDS_DBCluster.json", "AWS::RDS::DBCluster", "rds-log-exports"): Status.missing,
    ("AWS_Redshift_Cluster.json", "AWS::Redshift::Cluster", "redshift-audit-logging"): (
        Status.logged  # supplementaryConfiguration.LoggingStatus.loggingEnabled, item v1.2
    ),
    ("AWS_S3_Bucket.json", "AWS::S3::Bucket", "s3-server-access-logs"): Status.missing,
    ("guardduty-detector.json", "blindspot::Account::Region", "guardduty"): Status.logged,
}

#: (file, resource type, control) -> the call an item cannot replace (no credential).
NEEDS_A_CALL: dict[tuple[str, str, str], str] = {
    ("AWS_CLOUDFRONT_DISTRIBUTION.json", "AWS::CloudFront::Distribution", "cloudfront-logging"): (
        "logs:DescribeDeliveries"  # legacy logging off; standard logging v2 is no item
    ),
    ("AWS_EKS_Cluster.json", "AWS::EKS::Cluster", "eks-control-plane-logs"): "eks:DescribeCluster",
    ("AWS_ElasticSearch_Domain.json", "AWS::Elasticsearch::Domain", "opensearch-log-publishing"): (
        "es:DescribeDomains"  # alone, the Elasticsearch item holds no logPublishingOptions
    ),
    ("AWS_LAMBDA_FUNCTION.json", "AWS::Lambda::Function", "lambda-logging"): "iam:GetRole",
    ("AWS_LAMBDA_FUNCTION.json", "AWS::Lambda::Function", "vpc-flow-logs"): (
        "ec2:DescribeFlowLogs"  # in a VPC: vpcConfig.subnetIds without vpcId
    ),
    ("AWS_R53_HostedZone.json", "AWS::Route53::HostedZone", "route53-query-logs"): (
        "route53:ListQueryLoggingConfigs"
    ),
    ("AWS_Cloudtrail_Trail.json", "blindspot::Account::Region", "cloudtrail-management-events"): (
        "cloudtrail:GetTrailStatus"  # the Describe-shaped trail item has no IsLogging
    ),
}


def _items(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def _run(paths: list[Path]) -> tuple[list[RegionInventory], dict[str, list[Coverage]], list]:
    items = ConfigItemSet("config-files")
    for path in paths:
        items.extend(_items(path))
    inventories = items.inventories()
    coverage: dict[str, list[Coverage]] = {}
    errors: list[CollectionError] = []
    for inventory in inventories:
        found, failed = probe_region(None, inventory)
        for resource_id, records in found.items():
            coverage.setdefault(resource_id, []).extend(records)
        errors.extend(failed)
    return inventories, coverage, errors


def _records(file: str, rtype: str, control: str) -> list[Coverage]:
    inventories, coverage, errors = _run([next(DATA.rglob(file))])
    assert not errors, errors
    ids = [r.id for inv in inventories for r in inv.resources.values() if r.type == rtype]
    assert ids, f"no {rtype} from {file}"
    return [c for rid in ids for c in coverage.get(rid, ()) if c.control == control]


@pytest.mark.parametrize(("key", "status"), sorted(DECIDED.items()), ids=lambda v: str(v))
def test_the_item_decides_the_control(key: tuple[str, str, str], status: Status) -> None:
    records = _records(*key)
    assert [c.status for c in records] == [status], [c.evidence for c in records]
    if key[1] != "blindspot::Account::Region":
        assert all(c.operation and c.operation.startswith("config:") for c in records), records


@pytest.mark.parametrize(("key", "call"), sorted(NEEDS_A_CALL.items()), ids=lambda v: str(v))
def test_what_no_item_holds_is_unknown_naming_the_call(key: tuple[str, str, str], call: str):
    records = _records(*key)
    assert [c.status for c in records] == [Status.unknown]
    account = records[0].evidence.split("account ", 1)[1].split(":", 1)[0]
    assert records[0].evidence.startswith(f"no credential for account {account}: {call}")
    assert records[0].evidence.endswith("not made")


def test_every_item_together_no_crash_no_missing_without_evidence() -> None:
    paths = sorted(p for p in DATA.rglob("*.json"))
    inventories, coverage, errors = _run(paths)
    assert not errors
    every = [c for records in coverage.values() for c in records]
    assert every
    for record in every:
        if record.status is Status.unknown:
            assert record.evidence.startswith("no credential for account "), record
    decided = {(k[1], k[2]) for k in DECIDED if k[1] != "blindspot::Account::Region"}
    for inventory in inventories:
        for resource in inventory.resources.values():
            for record in coverage.get(resource.id, ()):
                if (resource.type, record.control) in decided:
                    assert record.status is not Status.unknown, (resource.id, record)


def test_rds_cluster_key_cases_and_engine_applicability() -> None:
    """`dbclusterIdentifier` (Config's own key case) crashed the probe; an Aurora MySQL
    cluster gets the RDS control only, not DocumentDB's or Neptune's."""
    _, coverage, errors = _run([DATA / "rdk" / "AWS_RDS_DBCluster.json"])
    assert not errors
    cluster = "arn:aws:rds:us-east-2:123456789012:cluster:test"
    controls = {c.control: c for c in coverage[cluster]}
    assert "docdb-log-exports" not in controls and "neptune-log-exports" not in controls
    assert "cluster test" in controls["rds-log-exports"].evidence
    for spelling in ("dbclusterIdentifier", "DBClusterIdentifier", "dBClusterIdentifier"):
        item = copy.deepcopy(_items(DATA / "rdk" / "AWS_RDS_DBCluster.json")[0])
        item["configuration"].pop("dbclusterIdentifier")
        item["configuration"][spelling] = "test"
        item["configuration"]["enabledCloudwatchLogsExports"] = ["audit", "error"]
        parsed = parse_item(item)
        assert parsed is not None
        inventory = RegionInventory("123456789012", "us-east-2", "config-files")
        inventory.add(parsed.collected)
        found, failed = probe_region(None, inventory)
        assert not failed
        (exports,) = [c for c in found[cluster] if c.control == "rds-log-exports"]
        assert exports.status is Status.partial and "cluster test" in exports.evidence


def test_opensearch_and_elasticsearch_items_of_one_domain_are_one_resource() -> None:
    inventories, coverage, _ = _run(
        [
            DATA / "rdk" / "AWS_OpenSearch_Domain.json",
            DATA / "rdk" / "AWS_ElasticSearch_Domain.json",
        ]
    )
    (inventory,) = inventories
    arn = "arn:aws:es:us-east-2:123456789012:domain/test"
    domains = [r for r in inventory.resources.values() if "Domain" in r.type]
    assert [(d.id, d.type) for d in domains] == [(arn, "AWS::OpenSearch::Domain")]
    config = inventory.resources[arn].configuration
    assert "LogPublishingOptions" in config and "elasticsearchVersion" in config  # both items
    assert {"AWS::OpenSearch::Domain", "AWS::Elasticsearch::Domain"} <= inventory.types_covered
    targets = {r.target for r in inventory.relationships if r.source == arn}
    # the Elasticsearch item's KMS key, named by short id: in the domain's own region
    assert "arn:aws:kms:us-east-2:123456789012:key/test" in targets
    (publishing,) = [c for c in coverage[arn] if c.control == "opensearch-log-publishing"]
    assert publishing.status is Status.missing


def test_relationship_targets_outside_the_snapshot_get_aws_arns() -> None:
    inventories, _, _ = _run(
        [DATA / "rdk" / "AWS_CodeBuild_Project.json", DATA / "rdk" / "AWS_Redshift_Cluster.json"]
    )
    targets = {r.target for inv in inventories for r in inv.relationships}
    # role named only by name: its ARN from the configuration, path included
    assert "arn:aws:iam::123456789012:role/service-role/codebuild-RDK-service-role" in targets
    assert "arn:aws:redshift:us-west-2:382822795712:parametergroup:default.redshift-1.0" in targets
    assert not any(t.startswith("blindspot:") for t in targets)


def test_relationship_spellings_normalise() -> None:
    inventories, _, _ = _run([DATA / "rdk" / "AWS_LOADBALANCING_LOADBALANCER.json"])
    names = {r.name for inv in inventories for r in inv.relationships}
    assert names == {
        "Is associated with SecurityGroup",
        "Is attached to Subnet",
        "Is contained in Vpc",
    }


def test_not_applicable_region_comes_from_the_arn_or_the_delivery_path() -> None:
    item = copy.deepcopy(_items(DATA / "rdk" / "AWS_EC2_FlowLog.json")[0])
    item["awsRegion"] = "Not Applicable"
    parsed = parse_item(item)
    assert parsed is not None and parsed.resource.region == "us-east-2"  # from the ARN
    del item["arn"]
    parsed = parse_item(item, default_region="eu-west-1")
    assert parsed is not None and parsed.resource.region == "eu-west-1"  # delivery path


def test_a_resource_s_own_item_shows_config_records_it() -> None:
    records = _records("AWS_Glue_Job.json", "AWS::Glue::Job", "config-recorder")
    assert [c.status for c in records] == [Status.logged]
