"""Parsing AWS Config configuration items (API and delivered shapes) into the graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.inventory.config_item_fields import (
    normalise_relationship_name,
    parse_item,
    parse_tags,
)
from collectors.inventory.config_items import ConfigItemSet
from collectors.inventory.config_relations import infer_eni_owner
from snapshot.model import Origin

DATA = Path(__file__).resolve().parents[1] / "data" / "config"
A = "111122223333"
R = "us-east-1"
VPC = f"arn:aws:ec2:{R}:{A}:vpc/vpc-0a1b2c3d4e5f60718"
SUBNET = f"arn:aws:ec2:{R}:{A}:subnet/subnet-0a11b22c33d44e55f"
SG_WEB = f"arn:aws:ec2:{R}:{A}:security-group/sg-0123456789abcdef0"
INSTANCE = f"arn:aws:ec2:{R}:{A}:instance/i-0abc1234def567890"
LAMBDA = f"arn:aws:lambda:{R}:{A}:function:orders-api"
ROLE = f"arn:aws:iam::{A}:role/service-role/orders-api-role"
DB = f"arn:aws:rds:{R}:{A}:db:orders-db"
ALB = f"arn:aws:elasticloadbalancing:{R}:{A}:loadbalancer/app/web-alb/50dc6c495c0c9188"


@pytest.fixture(scope="module")
def api_items() -> list[dict]:
    return json.loads((DATA / "api_items.json").read_text())


@pytest.fixture(scope="module")
def graph(api_items):
    items = ConfigItemSet("config")
    items.extend(api_items)
    inventories = {(inv.account, inv.region): inv for inv in items.inventories()}
    resources = {rid: c for inv in inventories.values() for rid, c in inv.resources.items()}
    edges = {
        (rel.source, rel.name, rel.target): rel
        for inv in inventories.values()
        for rel in inv.relationships
    }
    return inventories, resources, edges


@pytest.mark.parametrize(
    ("raw", "target_type", "expected"),
    [
        ("Is contained in ", "AWS::EC2::VPC", "Is contained in Vpc"),
        ("Is contained in Vpc", "AWS::EC2::VPC", "Is contained in Vpc"),
        ("Is contained in VPC", "AWS::EC2::VPC", "Is contained in Vpc"),
        ("Is associated with ", "AWS::IAM::Role", "Is associated with Role"),
        ("Contains ", "AWS::RDS::DBInstance", "Contains DBInstance"),
        ("Is attached to ", "AWS::EC2::Subnet", "Is attached to Subnet"),
        ("Attached to Instance", "AWS::EC2::Instance", "Is attached to Instance"),
        ("is contained in ", "AWS::ApiGateway::RestApi", "Is contained in RestApi"),
        ("Is attached to ElasticIp", "AWS::EC2::EIP", "Is attached to ElasticIp"),
        ("Is associated with ", "AWS::RDS::DBSubnetGroup", "Is associated with DBSubnetGroup"),
    ],
)
def test_relationship_names_normalise_to_configs_qualified_style(raw, target_type, expected):
    assert normalise_relationship_name(raw, target_type) == expected


def test_unknown_verb_is_kept_and_qualified_only_when_bare():
    assert normalise_relationship_name("Is owned by ", "AWS::IAM::Role") == "Is owned by Role"
    assert normalise_relationship_name("Is owned by Role", "AWS::IAM::Role") == "Is owned by Role"


def test_tags_from_mapping_and_key_value_lists_are_cleaned():
    assert parse_tags({"Name": "a"}) == {"Name": "a"}
    assert parse_tags([{"key": "env", "value": "prod"}, {"Key": "K", "Value": None}]) == {
        "env": "prod",
        "K": "",
    }
    assert parse_tags([{"key": "x\x1b[2J", "value": "v\x07"}]) == {"x␛[2J": "v␇"}
    assert parse_tags("not tags") == {}


def test_api_shape_item_becomes_a_resource_with_arn_and_parsed_configuration(graph):
    _, resources, _ = graph
    instance = resources[INSTANCE]
    assert instance.type == "AWS::EC2::Instance"
    assert instance.resource.resource_id == "i-0abc1234def567890"
    assert (instance.resource.account, instance.resource.region) == (A, R)
    # configuration arrived as a JSON string (as BatchGetResourceConfig returns it)
    assert instance.configuration["instanceType"] == "t3.micro"
    # a hostile Name tag is neutralised, and becomes the display name
    assert "\x1b" not in instance.resource.name
    assert instance.resource.name.startswith("web-1␛]0;pwned")
    assert instance.resource.tags["env"] == "prod"


def test_supplementary_configuration_values_given_as_json_strings_are_parsed(graph):
    _, resources, _ = graph
    bucket = resources["arn:aws:s3:::logs-111122223333"]
    assert bucket.supplementary["BucketLoggingConfiguration"] == {
        "destinationBucketName": "audit-111122223333",
        "logFilePrefix": "s3/",
    }
    assert bucket.supplementary["BucketVersioningConfiguration"]["status"] == "Enabled"
    alb = resources[ALB]
    assert {"key": "access_logs.s3.enabled", "value": "true"} in alb.supplementary[
        "LoadBalancerAttributes"
    ]


def test_supplementary_values_encoded_twice_are_parsed():
    acl = json.dumps(json.dumps({"grantList": [], "owner": {"id": "abc"}}))
    parsed = parse_item(
        {
            "resourceType": "AWS::S3::Bucket",
            "resourceId": "b",
            "arn": "arn:aws:s3:::b",
            "accountId": A,
            "awsRegion": R,
            "supplementaryConfiguration": {"AccessControlList": acl, "Plain": "text"},
        }
    )
    assert parsed is not None
    assert parsed.collected.supplementary == {
        "AccessControlList": {"grantList": [], "owner": {"id": "abc"}},
        "Plain": "text",
    }


def test_lambda_environment_values_are_redacted(graph):
    _, resources, _ = graph
    env = resources[LAMBDA].configuration["environment"]["variables"]
    assert env == {"DB_PASSWORD": "<redacted>"}


def test_qualified_relationships_resolve_to_target_arns(graph):
    _, _, edges = graph
    assert (INSTANCE, "Is contained in Vpc", VPC) in edges
    assert (INSTANCE, "Is contained in Subnet", SUBNET) in edges
    assert (INSTANCE, "Is associated with SecurityGroup", SG_WEB) in edges
    # a target Config did not record still gets the ARN Config would report
    volume = f"arn:aws:ec2:{R}:{A}:volume/vol-0123abcd4567ef890"
    assert (INSTANCE, "Is attached to Volume", volume) in edges
    assert edges[(INSTANCE, "Is contained in Vpc", VPC)].origin == Origin.config


def test_unqualified_relationships_are_qualified_and_keep_the_raw_string(graph):
    _, _, edges = graph
    edge = edges[(LAMBDA, "Is contained in Subnet", SUBNET)]
    assert edge.raw == "Is contained in "
    assert (LAMBDA, "Is associated with SecurityGroup", SG_WEB) in edges
    cluster = f"arn:aws:rds:{R}:{A}:cluster:reports"
    assert (cluster, "Contains DBInstance", DB) in edges
    subnet_group = f"arn:aws:rds:{R}:{A}:subgrp:orders-subnets"
    assert (cluster, "Is associated with DBSubnetGroup", subnet_group) in edges
    assert (DB, "Is associated with DBSubnetGroup", subnet_group) in edges


def test_lambda_role_known_by_name_only_resolves_to_the_roles_arn(graph):
    _, resources, edges = graph
    # the role is in the set, so its real ARN (with its path) is used
    assert (LAMBDA, "Is associated with Role", ROLE) in edges
    assert resources[ROLE].resource.region == "global"


def test_an_account_with_only_global_resources_gets_a_global_inventory(api_items):
    role = next(i for i in api_items if i["resourceType"] == "AWS::IAM::Role")
    items = ConfigItemSet()
    items.add(role)
    [inv] = items.inventories()
    assert (inv.account, inv.region) == (A, "global")


def test_lambda_role_not_in_the_set_resolves_to_the_role_arn_in_the_same_account(api_items):
    function = next(i for i in api_items if i["resourceType"] == "AWS::Lambda::Function")
    items = ConfigItemSet()
    items.add(function)
    [inv] = items.inventories()
    targets = {r.target for r in inv.relationships if r.name == "Is associated with Role"}
    assert targets == {ROLE}  # from configuration.role, path included
    bare = {**function, "configuration": {"functionName": "orders-api"}}
    items = ConfigItemSet()
    items.add(bare)
    [inv] = items.inventories()
    targets = {r.target for r in inv.relationships if r.name == "Is associated with Role"}
    assert targets == {f"arn:aws:iam::{A}:role/orders-api-role"}


def test_old_items_with_indirect_relationships_are_tolerated(graph):
    _, _, edges = graph
    assert (SG_WEB, "Is associated with Instance", INSTANCE) in edges
    assert (SG_WEB, "Is contained in Vpc", VPC) in edges


@pytest.mark.parametrize(
    ("eni", "owner", "name"),
    [
        ("eni-0a1b00000000000a1", ALB, "Is attached to LoadBalancer"),
        ("eni-0cafe0000000000b2", LAMBDA, "Is attached to Function"),
        (
            "eni-0dead0000000000c3",
            f"arn:aws:ec2:{R}:{A}:natgateway/nat-0123456789abcdef0",
            "Is attached to NatGateway",
        ),
        ("eni-0beef0000000000d4", DB, "Is attached to DBInstance"),
    ],
)
def test_eni_owners_are_inferred(graph, eni, owner, name):
    _, _, edges = graph
    edge = edges[(f"arn:aws:ec2:{R}:{A}:network-interface/{eni}", name, owner)]
    assert edge.origin == Origin.inferred


def test_an_instances_own_eni_gets_no_inferred_owner(graph):
    _, _, edges = graph
    source = f"arn:aws:ec2:{R}:{A}:network-interface/eni-0aaa1111bbbb2222c"
    inferred = [e for (s, _, _), e in edges.items() if s == source and e.origin == "inferred"]
    assert inferred == []
    assert (source, "Is attached to Instance", INSTANCE) in edges


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"description": "ELB net/api-nlb/0123456789abcdef"}, "loadbalancer/net/api-nlb/"),
        ({"description": "ELB classic-web"}, "loadbalancer/classic-web"),
        (
            {"interfaceType": "vpc_endpoint", "description": "VPC Endpoint Interface vpce-0abc"},
            "vpc-endpoint/vpce-0abc",
        ),
        (
            {"description": "EFS mount target for fs-0123abcd (fsmt-0a1b)"},
            "file-system/fs-0123abcd",
        ),
        ({"description": "ES search-logs"}, "domain/search-logs"),
    ],
)
def test_more_eni_owner_patterns(config, expected):
    owner = infer_eni_owner(config, account=A, region=R)
    assert owner is not None and expected in owner[0]


def test_no_owner_for_plain_or_unrecognised_enis():
    assert (
        infer_eni_owner({"description": "Primary network interface"}, account=A, region=R) is None
    )
    assert infer_eni_owner({"description": "nat-0123 mentioned"}, account=A, region=R) is None


def test_rds_eni_with_ambiguous_databases_gets_no_owner(api_items):
    twin = json.loads(
        json.dumps(next(i for i in api_items if i.get("resourceName") == "orders-db"))
    )
    twin.update(resourceId="db-TWIN", resourceName="orders-db-2", arn=DB + "-2")
    items = ConfigItemSet()
    items.extend([*api_items, twin])
    eni = f"arn:aws:ec2:{R}:{A}:network-interface/eni-0beef0000000000d4"
    owners = [
        rel
        for inv in items.inventories()
        for rel in inv.relationships
        if rel.source == eni and rel.origin == "inferred"
    ]
    assert owners == []


def test_deleted_items_are_dropped_and_missing_arn_gets_a_synthetic_id(graph):
    _, resources, _ = graph
    assert not any("vol-0dead" in rid for rid in resources)
    widget = f"blindspot:{A}:{R}:AWS::Custom::Widget:widget-1"
    assert resources[widget].resource.resource_id == "widget-1"


def test_types_covered_are_the_types_seen(graph):
    inventories, _, _ = graph
    covered = inventories[(A, R)].types_covered
    assert {"AWS::EC2::Instance", "AWS::Lambda::Function"} <= covered
    assert "AWS::EC2::Volume" not in covered  # only a deleted one was seen
    # the global role is folded into the account's regional inventory, region kept
    assert set(inventories) == {(A, R)}
    assert "AWS::IAM::Role" in covered


def test_delivered_shape_is_read_like_the_api_shape():
    item = {
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": "2026-11-29T04:01:12.345Z",
        "configurationStateMd5Hash": "",
        "awsAccountId": A,
        "configurationItemStatus": "ResourceDiscovered",
        "resourceType": "AWS::EC2::Subnet",
        "resourceId": "subnet-1",
        "ARN": f"arn:aws:ec2:{R}:{A}:subnet/subnet-1",
        "awsRegion": R,
        "tags": [{"key": "Name", "value": "private-a"}],
        "relationships": [
            {"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1", "name": "Is contained in Vpc"}
        ],
        "configuration": {"subnetId": "subnet-1"},
        "supplementaryConfiguration": {},
    }
    parsed = parse_item(item)
    assert parsed is not None
    assert parsed.resource.id == f"arn:aws:ec2:{R}:{A}:subnet/subnet-1"
    assert parsed.resource.account == A
    assert parsed.resource.name == "private-a"
    items = ConfigItemSet()
    items.add(item)
    [inv] = items.inventories()
    [rel] = inv.relationships
    assert (rel.target, rel.name) == (f"arn:aws:ec2:{R}:{A}:vpc/vpc-1", "Is contained in Vpc")


def test_latest_item_per_resource_wins_in_any_order(api_items):
    instance = next(i for i in api_items if i["resourceType"] == "AWS::EC2::Instance")
    newer = {**instance, "configurationItemCaptureTime": "2026-12-01T00:00:00Z"}
    newer["tags"] = {"Name": "newer"}
    for order in ([instance, newer], [newer, instance]):
        items = ConfigItemSet()
        items.extend(order)
        [parsed] = items.items()
        assert parsed.resource.name == "newer"


def test_a_later_deletion_removes_and_an_earlier_one_does_not(api_items):
    instance = next(i for i in api_items if i["resourceType"] == "AWS::EC2::Instance")
    gone = {**instance, "configurationItemStatus": "ResourceDeleted", "configuration": None}
    items = ConfigItemSet()
    items.extend([instance, {**gone, "configurationItemCaptureTime": "2026-12-01T00:00:00Z"}])
    assert len(items) == 0
    items = ConfigItemSet()
    items.extend([{**gone, "configurationItemCaptureTime": "2020-01-01T00:00:00Z"}, instance])
    assert len(items) == 1


@pytest.mark.parametrize("bad", [None, [], "x", {"resourceId": "no-type"}])
def test_items_without_a_type_are_ignored(bad):
    items = ConfigItemSet()
    assert items.add(bad) is None
    assert items.inventories() == []
