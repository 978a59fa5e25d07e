"""`collect()` end to end in moto: organization x regions, sources, failures, the snapshot."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from collectors.assemble import build_snapshot
from collectors.collect import Collaborators, CollectOptions, collect
from collectors.inventory.base import RegionInventory, add_pseudo_resources
from snapshot.graph import CoverageGraph
from snapshot.model import (
    ACCOUNT_TYPE,
    REGION_TYPE,
    CollectionError,
    Coverage,
    Layer,
    Status,
    account_node_id,
    region_node_id,
)

MANAGEMENT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture(autouse=True)
def _separate_moto_accounts(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)


def _member_session(account: str) -> boto3.Session:
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="test-setup",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _three_account_org() -> dict[str, str]:
    """Management + two members, a tagged VPC in each member's eu-west-1; account -> vpc."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    vpcs = {}
    for i in range(2):
        account = org.create_account(AccountName=f"team-{i}", Email=f"t{i}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        ec2 = _member_session(account).client("ec2", region_name="eu-west-1")
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")
        vpcs[account] = f"arn:aws:ec2:eu-west-1:{account}:vpc/{vpc}"
    return vpcs


@mock_aws
def test_an_organization_in_two_regions_becomes_one_snapshot() -> None:
    vpcs = _three_account_org()
    result = collect(
        CollectOptions(
            org=True,
            regions=REGIONS,
            source="api",
            no_coverage=True,
            session=boto3.Session(region_name="us-east-1"),
        )
    )
    snapshot = result.snapshot
    assert result.complete and not snapshot.errors
    assert result.regions_collected == 6
    assert {a.id for a in snapshot.accounts} == {MANAGEMENT, *vpcs}
    assert all(sorted(a.regions) == sorted(REGIONS) for a in snapshot.accounts)
    assert snapshot.scope.source == "api" and sorted(snapshot.scope.regions) == sorted(REGIONS)
    assert len(snapshot.scope.sources) == 6
    assert snapshot.scope.organization and snapshot.scope.organization.startswith("o-")
    ids = {r.id: r for r in snapshot.resources}
    for account, vpc in vpcs.items():
        assert ids[vpc].account == account and ids[vpc].region == "eu-west-1"
        assert any(
            rel.target == vpc and rel.name == "Is contained in Vpc"
            for rel in snapshot.relationships
        )
        # Each account's VPC is only in its own account (moto keeps one backend per account).
        assert vpc not in {r.id for r in snapshot.resources if r.account != account}
    for account in (MANAGEMENT, *vpcs):
        assert ids[account_node_id(account)].type == ACCOUNT_TYPE
        for region in REGIONS:
            assert ids[region_node_id(account, region)].type == REGION_TYPE
    assert len(ids) == len(snapshot.resources)  # the account node of each region merged once
    assert result.call_log.total > 0
    CoverageGraph(snapshot)  # the graph accepts it


@mock_aws
def test_a_denied_call_makes_the_snapshot_partial() -> None:
    session = boto3.Session(region_name="us-east-1")

    def deny(model, **_):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, model.name)

    session.events.register("before-call.cloudtrail.DescribeTrails", deny)
    result = collect(CollectOptions(source="api", no_coverage=True, session=session))
    assert not result.complete
    assert [(e.service, e.operation, e.code) for e in result.snapshot.errors] == [
        ("cloudtrail", "DescribeTrails", "AccessDenied")
    ]
    assert any(r.type == "AWS::EC2::VPC" for r in result.snapshot.resources)


@mock_aws
def test_a_disabled_region_is_recorded_and_the_others_are_collected() -> None:
    session = boto3.Session(region_name="us-east-1")

    def opted_out(model, params, **_):
        if ".ap-east-1." in params.get("url", ""):
            raise ClientError(
                {
                    "Error": {
                        "Code": "UnrecognizedClientException",
                        "Message": "The security token included in the request is invalid",
                    }
                },
                model.name,
            )

    session.events.register("before-call", opted_out)
    result = collect(
        CollectOptions(
            regions=["us-east-1", "ap-east-1"], source="api", no_coverage=True, session=session
        )
    )
    assert not result.complete
    failed_regions = {e.region for e in result.snapshot.errors}
    assert failed_regions == {"ap-east-1"}
    assert len(result.snapshot.errors) == 1  # one error says the region is off, not dozens
    assert {e.code for e in result.snapshot.errors} == {"UnrecognizedClientException"}
    assert any(
        r.region == "us-east-1" and r.type == "AWS::EC2::VPC" for r in result.snapshot.resources
    )


@mock_aws
def test_a_disabled_region_is_one_error_and_its_controls_unknown_with_probes() -> None:
    session = boto3.Session(region_name="us-east-1")

    def opted_out(model, params, **_):
        if ".ap-east-1." in params.get("url", ""):
            raise ClientError(
                {"Error": {"Code": "OptInRequired", "Message": "not subscribed"}}, model.name
            )

    session.events.register("before-call", opted_out)
    result = collect(CollectOptions(regions=["us-east-1", "ap-east-1"], session=session))
    disabled = [e for e in result.snapshot.errors if e.region == "ap-east-1"]
    assert [e.code for e in disabled] == ["OptInRequired"]  # the probes add none of their own
    region = next(
        r for r in result.snapshot.resources if r.id == region_node_id(MANAGEMENT, "ap-east-1")
    )
    assert {c.control for c in region.coverage} >= {"cloudtrail-management-events", "guardduty"}
    assert {c.status for c in region.coverage} == {Status.unknown}
    assert all("OptInRequired" in c.evidence for c in region.coverage)


@mock_aws
def test_auto_uses_config_for_what_its_recorder_covers_and_the_api_for_the_rest() -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.create_vpc(CidrBlock="10.3.0.0/16")

    class FakeConfig:
        name = "config"

        def __init__(self, aws, *, facts=None):
            self.aws = aws

        def collect_region(self, account, region, progress):
            inventory = RegionInventory(account=account, region=region, source="config")
            inventory.types_covered = {"AWS::EC2::VPC", "AWS::EC2::Subnet"}
            return inventory

    result = collect(
        CollectOptions(source="auto", no_coverage=True, session=boto3.Session("us-east-1")),
        parts=Collaborators(config_source=FakeConfig),
    )
    types = {r.type for r in result.snapshot.resources}
    # Config "covered" VPCs and subnets (and found none); the API listed everything else.
    assert "AWS::EC2::VPC" not in types and "AWS::EC2::Subnet" not in types
    assert "AWS::EC2::SecurityGroup" in types
    assert ("ec2", "DescribeVpcs") not in result.call_log.counts
    assert result.snapshot.scope.sources[0].source == "config+api"


@mock_aws
def test_auto_falls_back_to_the_api_when_config_is_off() -> None:
    boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.4.0.0/16")
    result = collect(
        CollectOptions(source="auto", no_coverage=True, session=boto3.Session("us-east-1"))
    )
    assert result.complete
    assert any(r.type == "AWS::EC2::VPC" for r in result.snapshot.resources)
    assert result.snapshot.scope.source == "api"


@mock_aws
def test_probe_records_are_attached_and_their_errors_kept() -> None:
    calls = []

    def fake_probe_region(aws, inventory, *, facts):
        calls.append((inventory.account, inventory.region))
        account = account_node_id(inventory.account)
        record = Coverage(
            layer=Layer.account, control="cloudtrail-management", status=Status.missing
        )
        error = CollectionError(service="guardduty", operation="ListDetectors", code="X")
        return {account: [record]}, [error]

    result = collect(
        CollectOptions(regions=REGIONS, source="api", session=boto3.Session()),
        parts=Collaborators(probe_region=fake_probe_region, resolve_across=lambda snapshot: None),
    )
    assert sorted(calls) == sorted((MANAGEMENT, r) for r in REGIONS)
    account = next(r for r in result.snapshot.resources if r.id == account_node_id(MANAGEMENT))
    # Two regions reported the same account record: kept once.
    assert [c.control for c in account.coverage] == ["cloudtrail-management"]
    assert [e.service for e in result.snapshot.errors] == ["guardduty", "guardduty"]
    assert not result.complete


@mock_aws
def test_no_coverage_skips_the_probes() -> None:
    def never(*args: object) -> None:
        pytest.fail("the probes or the cross-account pass ran with --no-coverage")

    result = collect(
        CollectOptions(source="api", no_coverage=True, session=boto3.Session()),
        parts=Collaborators(probe_region=never, resolve_across=never),
    )
    assert all(not r.coverage for r in result.snapshot.resources)


@mock_aws
def test_the_real_probes_run_by_default() -> None:
    boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.5.0.0/16")
    result = collect(CollectOptions(source="api", session=boto3.Session("us-east-1")))
    vpcs = [r for r in result.snapshot.resources if r.type == "AWS::EC2::VPC"]
    assert vpcs and all(r.coverage for r in vpcs)


def test_build_snapshot_deduplicates_relationships_and_merges_accounts() -> None:
    from snapshot.model import Relationship

    first = RegionInventory(account="111111111111", region="us-east-1", source="api")
    second = RegionInventory(account="111111111111", region="eu-west-1", source="config")
    for inventory in (first, second):
        add_pseudo_resources(inventory, "prod")
        inventory.relationships.append(Relationship(source="a", target="b", name="Is x"))
    snapshot = build_snapshot([first, second], source="mixed")
    assert len(snapshot.relationships) == 1
    assert [(a.id, a.regions) for a in snapshot.accounts] == [
        ("111111111111", ["us-east-1", "eu-west-1"])
    ]
    assert [r.name for r in snapshot.resources if r.type == ACCOUNT_TYPE] == ["prod"]
    assert {s.source for s in snapshot.scope.sources} == {"api", "config"}


DELIVERED = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "config"


def test_config_files_are_collected_offline_without_any_aws_call() -> None:
    def no_aws(profile):
        raise AssertionError("an offline collection made an AWS session")

    events = []
    result = collect(
        CollectOptions(config_files=[str(DELIVERED / "delivered")], no_coverage=True),
        lambda event, detail: events.append(event),
        Collaborators(make_session=no_aws),
    )
    snapshot = result.snapshot
    assert snapshot.scope.source == "config-files"
    assert {a.id for a in snapshot.accounts} == {"111122223333", "444455556666"}
    assert any(r.type == "AWS::EC2::Instance" for r in snapshot.resources)
    assert result.call_log.total == 0 and result.complete
    assert events.count("region-done") == result.regions_collected == 2
    broken = collect(CollectOptions(config_files=[str(DELIVERED / "broken")], no_coverage=True))
    assert not broken.complete and broken.snapshot.errors


@mock_aws
def test_an_aggregator_returns_every_account_region_at_once() -> None:
    seen = {}

    class FakeAggregator:
        def __init__(self, aws, name):
            seen["name"] = name

        def collect_all(self, progress):
            return [
                RegionInventory(account=MANAGEMENT, region="us-east-1", source="aggregator"),
                RegionInventory(account="444455556666", region="eu-west-1", source="aggregator"),
            ]

    probed = []
    result = collect(
        CollectOptions(aggregator="org-agg", session=boto3.Session("us-east-1")),
        parts=Collaborators(
            aggregator_source=FakeAggregator,
            probe_region=lambda aws, inv, facts: probed.append(aws) or ({}, []),
            resolve_across=lambda snapshot: None,
        ),
    )
    snapshot = result.snapshot
    assert seen == {"name": "org-agg"}
    assert snapshot.scope.source == "aggregator" and snapshot.scope.aggregator == "org-agg"
    assert {a.id for a in snapshot.accounts} == {MANAGEMENT, "444455556666"}
    assert region_node_id("444455556666", "eu-west-1") in {r.id for r in snapshot.resources}
    # The caller's account is probed with its credentials; others have none (offline rules).
    assert probed[0] is not None and probed[1] is None


@mock_aws
def test_api_inference_sees_what_config_found() -> None:
    from collectors.inventory.base import CollectedResource
    from snapshot.model import Resource

    ec2 = boto3.client("ec2", region_name="us-east-1")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"][:2]]
    alb = boto3.client("elbv2", region_name="us-east-1").create_load_balancer(
        Name="cfg-alb", Subnets=subnets
    )["LoadBalancers"][0]["LoadBalancerArn"]
    wafv2 = boto3.client("wafv2", region_name="us-east-1")
    acl = wafv2.create_web_acl(
        Name="acl",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "acl",
        },
    )["Summary"]["ARN"]
    wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=alb)

    class ConfigWithTheAlb:
        def __init__(self, aws, *, facts=None):
            pass

        def collect_region(self, account, region, progress):
            inventory = RegionInventory(account=account, region=region, source="config")
            inventory.add(
                CollectedResource(
                    Resource(
                        id=alb,
                        type="AWS::ElasticLoadBalancingV2::LoadBalancer",
                        account=account,
                        region=region,
                        source="config",
                    ),
                    configuration={"type": "application"},
                )
            )
            inventory.types_covered = {"AWS::ElasticLoadBalancingV2::LoadBalancer"}
            return inventory

    result = collect(
        CollectOptions(source="auto", no_coverage=True, session=boto3.Session("us-east-1")),
        parts=Collaborators(config_source=ConfigWithTheAlb),
    )
    albs = [r for r in result.snapshot.resources if r.id == alb]
    assert len(albs) == 1 and albs[0].source == "config"
    assert any(
        rel.source == acl and rel.target == alb and rel.name == "Is associated with LoadBalancer"
        for rel in result.snapshot.relationships
    )


@mock_aws
def test_config_only_where_config_records_nothing_is_partial() -> None:
    boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.6.0.0/16")
    result = collect(
        CollectOptions(source="config", no_coverage=True, session=boto3.Session("us-east-1"))
    )
    assert not result.complete
    assert [e.code for e in result.snapshot.errors] == ["NoConfigRecorder"]
    assert not [r for r in result.snapshot.resources if r.type == "AWS::EC2::VPC"]
    assert result.call_log.counts[("config", "DescribeConfigurationRecorders")] == 1
    assert not [key for key in result.call_log.counts if key[0] == "ec2"]  # no API fallback
