"""The simulated demo organization: built in moto, reachable, imperfect as planned, seeded."""

from __future__ import annotations

import pytest

from blindspot.simulation.accounts import management_account_id
from blindspot.simulation.naming import HOSTILE_TAG_VALUES, Naming
from blindspot.simulation.org import DemoOrg, build_organization, demo_organization
from snapshot.model import LAYERS

from .observe import OBSERVERS


@pytest.fixture(scope="module")
def org():
    with demo_organization(seed=7, size="small") as built:
        yield built


def test_organization_has_four_accounts_seen_from_management(org: DemoOrg) -> None:
    organizations = org.accounts["management"].client("organizations")
    listed = {a["Id"]: a["Name"] for a in organizations.list_accounts()["Accounts"]}
    assert set(listed) == set(org.account_ids.values())
    assert set(org.account_ids) == {"management", "security", "production", "development"}
    assert listed[org.account_ids["production"]] == f"{org.company.lower()}-production"
    description = organizations.describe_organization()["Organization"]
    assert description["Id"] == org.organization_id
    assert description["MasterAccountId"] == org.management_account_id
    assert org.management_account_id != "123456789012"  # not moto's default account


def test_members_are_reached_through_assume_role_with_separate_backends(org: DemoOrg) -> None:
    sts = org.session("management").client("sts")
    views = {}
    for role in ("production", "development"):
        account_id = org.account_ids[role]
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{org.member_role_name}",
            RoleSessionName="test",
        )["Credentials"]
        import boto3

        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name="us-east-1",
        )
        assert session.client("sts").get_caller_identity()["Account"] == account_id
        vpcs = session.client("ec2").describe_vpcs()["Vpcs"]
        views[role] = {t["Value"] for v in vpcs for t in v.get("Tags", []) if t["Key"] == "Name"}
    assert "prod-vpc" in views["production"] and "prod-vpc" not in views["development"]
    assert "dev-vpc" in views["development"] and "dev-vpc" not in views["production"]


def test_two_regions_hold_resources(org: DemoOrg) -> None:
    assert org.regions == ("us-east-1", "eu-west-1")
    prod = org.accounts["production"]
    for region in org.regions:
        names = {
            t["Value"]
            for r in prod.client("ec2", region).describe_instances()["Reservations"]
            for i in r["Instances"]
            for t in i.get("Tags", [])
            if t["Key"] == "Name"
        }
        assert names, region


def test_every_planned_control_is_observed_as_planned(org: DemoOrg) -> None:
    unchecked = {p.control for p in org.ground_truth} - set(OBSERVERS)
    assert not unchecked, f"no observer for {unchecked}"
    mismatches = [
        (p.control, p.resource_id, p.region, p.state, observed)
        for p in org.ground_truth
        if (observed := OBSERVERS[p.control](org, p)) != p.state
    ]
    assert not mismatches


def test_every_layer_has_both_coverage_and_gaps(org: DemoOrg) -> None:
    states = org.ground_truth.states_by_layer()
    for layer in LAYERS:
        assert {"logged", "missing"} <= states[str(layer)], layer


def test_all_flow_log_is_on_prod_vpc_and_reject_only_on_one_eu_subnet(org: DemoOrg) -> None:
    prod = org.accounts["production"]
    east = org.ground_truth.one(control="vpc-flow-logs", region="us-east-1", account=prod.id)
    logs = prod.client("ec2", "us-east-1").describe_flow_logs()["FlowLogs"]
    assert [(log["ResourceId"], log["TrafficType"]) for log in logs] == [(east.resource_id, "ALL")]
    eu_logs = prod.client("ec2", "eu-west-1").describe_flow_logs()["FlowLogs"]
    partial = org.ground_truth.one(control="vpc-flow-logs", state="partial")
    assert [(log["ResourceId"], log["TrafficType"]) for log in eu_logs] == [
        (partial.resource_id, "REJECT")
    ]
    assert partial.resource_id.startswith("subnet-")


def test_data_bucket_has_no_server_access_logs_but_static_site_has(org: DemoOrg) -> None:
    s3 = org.accounts["production"].client("s3")
    data, static = org.facts["prod_data_bucket"], org.facts["static_site_bucket"]
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=data)
    target = s3.get_bucket_logging(Bucket=static)["LoggingEnabled"]["TargetBucket"]
    assert target == org.facts["prod_access_logs_bucket"]


def test_development_has_no_config_recorder_and_eu_has_no_trail(org: DemoOrg) -> None:
    dev = org.accounts["development"]
    for region in org.regions:
        assert (
            dev.client("config", region).describe_configuration_recorders()[
                "ConfigurationRecorders"
            ]
            == []
        )
    trails = dev.client("cloudtrail", "eu-west-1").describe_trails()["trailList"]
    assert all(not t["IsMultiRegionTrail"] and t["HomeRegion"] == "us-east-1" for t in trails)


def test_hostile_tags_are_present_verbatim(org: DemoOrg) -> None:
    dev = org.accounts["development"]
    function = dev.client("lambda").get_function(FunctionName="dev-orders-api")
    assert set(HOSTILE_TAG_VALUES) <= set(function["Tags"].values())
    bucket_tags = dev.client("s3").get_bucket_tagging(Bucket=org.facts["dev_scratch_bucket"])
    values = {t["Value"] for t in bucket_tags["TagSet"]}
    assert {"[bold]x[/", "[@click=app.quit]pwn[/]", "invoice-\u202egnp.exe"} <= values
    bastion = dev.client("ec2").describe_instances(InstanceIds=[org.facts["dev_bastion"]])
    instance_tags = {t["Value"] for t in bastion["Reservations"][0]["Instances"][0]["Tags"]}
    assert "[@click=app.quit]pwn[/]" in instance_tags
    scratch = dev.client("ec2").describe_instances(
        InstanceIds=[org.facts["dev_hostile_name_instance"]]
    )["Reservations"][0]["Instances"][0]
    name = next(t["Value"] for t in scratch["Tags"] if t["Key"] == "Name")
    assert name == "dev-[@click=app.quit]scratch[/]-box [bold]"


def test_tags_look_like_a_company_s(org: DemoOrg) -> None:
    prod = org.accounts["production"]
    balancer = prod.client("elbv2").describe_load_balancers(Names=["prod-web-alb"])
    arn = balancer["LoadBalancers"][0]["LoadBalancerArn"]
    described = prod.client("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"][0]
    tags = {t["Key"]: t["Value"] for t in described["Tags"]}
    assert tags["team"] == "storefront" and tags["cost-center"].startswith("cc-")


def test_another_seed_gives_another_company_and_ids() -> None:
    assert Naming.from_seed(7) != Naming.from_seed(8)
    assert management_account_id(7) != management_account_id(8)
    assert len(management_account_id(8)) == 12


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size"):
        build_organization(seed=1, size="medium")


def test_management_credentials_can_become_the_sdk_default(org: DemoOrg) -> None:
    import boto3

    with org.as_default_credentials():
        identity = boto3.client("sts", region_name="us-east-1").get_caller_identity()
    assert identity["Account"] == org.management_account_id


def test_development_trail_alone_is_single_region_and_write_only(org: DemoOrg) -> None:
    cloudtrail = org.accounts["development"].client("cloudtrail")
    trail = cloudtrail.describe_trails()["trailList"][0]
    assert not trail["IsMultiRegionTrail"]
    selectors = cloudtrail.get_event_selectors(TrailName=trail["TrailARN"])["EventSelectors"]
    assert [s["ReadWriteType"] for s in selectors] == ["WriteOnly"]
