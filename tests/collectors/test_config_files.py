"""Delivered AWS Config snapshot/history files read offline (no AWS calls)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from collectors.inventory.config_files import ConfigFilesSource, read_config_file

DATA = Path(__file__).resolve().parents[1] / "data" / "config"
TREE = DATA / "delivered"
BROKEN = DATA / "broken"
A, B, R = "111122223333", "444455556666", "us-east-1"
INSTANCE = f"arn:aws:ec2:{R}:{A}:instance/i-0abc1234def567890"
NAT_ENI = f"arn:aws:ec2:{R}:{A}:network-interface/eni-0dead0000000000c3"


def by_place(inventories):
    return {(inv.account, inv.region): inv for inv in inventories}


@pytest.fixture(scope="module")
def tree():
    events: list[tuple[str, dict]] = []
    inventories = ConfigFilesSource([str(TREE)]).collect_all(
        lambda event, detail: events.append((event, detail))
    )
    return by_place(inventories), events


def test_a_folder_tree_copied_from_the_bucket_gives_every_account_region(tree):
    inventories, _ = tree
    assert set(inventories) == {(A, R), (B, "eu-west-1")}
    role = inventories[(A, R)].resources[f"arn:aws:iam::{A}:role/service-role/orders-api-role"]
    assert role.resource.region == "global"
    assert all(inv.source == "config-files" for inv in inventories.values())
    assert all(not inv.errors for inv in inventories.values())
    assert len(inventories[(B, "eu-west-1")].resources) == 2


def test_history_files_update_the_snapshot_with_the_latest_item(tree):
    inventories, _ = tree
    instance = inventories[(A, R)].resources[INSTANCE]
    assert instance.resource.name == "web-1-renamed"  # newer than the snapshot; older ignored


def test_resources_deleted_in_the_history_are_dropped(tree):
    inventories, _ = tree
    assert NAT_ENI not in inventories[(A, R)].resources
    assert not any(rel.source == NAT_ENI for rel in inventories[(A, R)].relationships)


def test_delivered_relationships_become_config_named_edges(tree):
    inventories, _ = tree
    edges = {(r.source, r.name, r.target) for r in inventories[(B, "eu-west-1")].relationships}
    assert edges == {
        (
            f"arn:aws:ec2:eu-west-1:{B}:subnet/subnet-0b3b3b3b3b3b3b3b3",
            "Is contained in Vpc",
            f"arn:aws:ec2:eu-west-1:{B}:vpc/vpc-0b2b2b2b2b2b2b2b2",
        )
    }
    vpc = inventories[(B, "eu-west-1")].resources[
        f"arn:aws:ec2:eu-west-1:{B}:vpc/vpc-0b2b2b2b2b2b2b2b2"
    ]
    assert vpc.resource.tags == {"Name": "shared"}  # list-of-key/value tags


def test_progress_reports_files_and_resources(tree):
    _, events = tree
    assert sum(1 for event, _ in events if event == "file") == 3
    assert any(event == "resources" and d["count"] > 10 for event, d in events)


def test_single_plain_json_file_and_gz_file_are_both_read(tmp_path):
    snapshot = next(TREE.rglob("*ConfigSnapshot*.json.gz"))
    plain = tmp_path / "snapshot.json"
    plain.write_bytes(gzip.decompress(snapshot.read_bytes()))
    from_gz = ConfigFilesSource([str(snapshot)]).collect_all()
    from_plain = ConfigFilesSource([str(plain)]).collect_all()
    assert {inv.region for inv in from_gz} == {R}
    ids = lambda invs: {rid for inv in invs for rid in inv.resources}  # noqa: E731
    assert ids(from_gz) == ids(from_plain)
    assert INSTANCE in ids(from_plain)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.json.gz", "unreadable gzip"),
        ("invalid.json", "invalid JSON"),
        ("wrongshape.json", "no configurationItems"),
    ],
)
def test_each_kind_of_bad_file_becomes_an_error_naming_the_file(name, message):
    [path] = [p for p in BROKEN.rglob("*") if p.name.endswith(name)]
    [inv] = ConfigFilesSource([str(path)]).collect_all()
    [error] = inv.errors
    assert (inv.account, inv.region) == (A, "ap-southeast-2")  # from the delivery key
    assert error.code == "InvalidConfigFile"
    assert path.name in error.message and message in error.message
    assert inv.resources == {}


def test_bad_files_do_not_stop_the_good_ones(tmp_path):
    shutil.copytree(TREE, tmp_path / "bucket" / "good")
    shutil.copytree(BROKEN, tmp_path / "bucket" / "bad")
    inventories = by_place(ConfigFilesSource([str(tmp_path / "bucket")]).collect_all())
    assert INSTANCE in inventories[(A, R)].resources
    assert len(inventories[(A, "ap-southeast-2")].errors) == 3
    assert sum(len(inv.errors) for inv in inventories.values()) == 3


def test_a_missing_path_is_an_error_not_a_crash(tmp_path):
    """No file usable and no account known: the error is the run's, no empty account."""
    source = ConfigFilesSource([str(tmp_path / "nope.json")])
    events: list[tuple[str, dict]] = []
    assert source.collect_all(lambda event, detail: events.append((event, detail))) == []
    assert [e.code for e in source.unplaced] == ["InvalidConfigFile"]
    assert "no such file" in source.unplaced[0].message
    assert [event for event, _ in events] == ["error"]


def test_progress_counts_each_error_once_and_every_account(tmp_path):
    shutil.copytree(TREE, tmp_path / "bucket" / "good")
    shutil.copytree(BROKEN, tmp_path / "bucket" / "bad")
    events: list[tuple[str, dict]] = []
    inventories = ConfigFilesSource([str(tmp_path / "bucket")]).collect_all(
        lambda event, detail: events.append((event, detail))
    )
    errors = [d for e, d in events if e == "error"]
    assert len(errors) == sum(len(inv.errors) for inv in inventories) == 3
    assert all((d["account"], d["region"]) == (A, "ap-southeast-2") for d in errors)
    started = {d["account"] for e, d in events if e == "region-start"}
    assert started == {inv.account for inv in inventories} and "" not in started


def test_read_config_file_returns_items():
    snapshot = next(TREE.rglob("*eu-west-1_ConfigSnapshot*.json"))
    items = read_config_file(snapshot)
    assert [i["resourceType"] for i in items] == ["AWS::EC2::VPC", "AWS::EC2::Subnet"]
    assert all("awsAccountId" in i and "ARN" in i for i in items)
