"""`collect --as-of TIME` over delivered AWS Config files: the state at several times of a
month in which logging changed (bucket logging turned on, a flow log replaced by another
then deleted, ALB access logs turned off, an instance deleted and another created)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from blindspot.cli import main
from collectors.collect import CollectOptions, collect
from collectors.inventory.as_of import items_at
from snapshot.io import load_snapshot
from snapshot.model import Snapshot, Status
from snapshot.render.diff import diff_snapshots

A, R = "111122223333", "us-east-1"
VPC, SUBNET, ENI1, ENI2 = "vpc-0a", "subnet-0a", "eni-0a1", "eni-0a2"
I1, I2 = "i-0old", "i-0new"
ALB = f"arn:aws:elasticloadbalancing:{R}:{A}:loadbalancer/app/web/50dc6c49"


def _arn(kind: str, short: str) -> str:
    return f"arn:aws:ec2:{R}:{A}:{kind}/{short}"


def item(rtype, rid, arn, when, *, conf=None, supp=None, rels=(), status="OK", name=None):
    found = {
        "version": "1.3",
        "accountId": A,
        "configurationItemCaptureTime": when,
        "configurationItemStatus": status,
        "arn": arn,
        "resourceType": rtype,
        "resourceId": rid,
        "awsRegion": R,
        "tags": {},
        "relationships": [
            {"resourceType": t, "resourceId": i, "relationshipName": n} for t, i, n in rels
        ],
        "configuration": conf or {},
        "supplementaryConfiguration": supp or {},
    }
    if name:
        found["resourceName"] = name
    return found


def bucket(when, logging_on):
    logging = (
        {"destinationBucketName": "audit-logs", "logFilePrefix": "data/"} if logging_on else {}
    )
    return item(
        "AWS::S3::Bucket",
        "data-bucket",
        "arn:aws:s3:::data-bucket",
        when,
        name="data-bucket",
        conf={"name": "data-bucket"},
        supp={"BucketLoggingConfiguration": json.dumps(logging)},
    )


def flow_log(flow_id, when, status="OK", traffic="ALL"):
    return item(
        "AWS::EC2::FlowLog",
        flow_id,
        _arn("vpc-flow-log", flow_id),
        when,
        status=status,
        conf={
            "flowLogId": flow_id,
            "flowLogStatus": "ACTIVE",
            "resourceId": VPC,
            "trafficType": traffic,
            "logDestinationType": "s3",
            "logDestination": "arn:aws:s3:::flow-archive",
        },
    )


def alb(when, logs_on):
    return item(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ALB,
        ALB,
        when,
        name="web",
        conf={
            "loadBalancerArn": ALB,
            "loadBalancerName": "web",
            "type": "application",
            "vpcId": VPC,
        },
        supp={
            "LoadBalancerAttributes": json.dumps(
                [
                    {"key": "access_logs.s3.enabled", "value": "true" if logs_on else "false"},
                    {"key": "access_logs.s3.bucket", "value": "alb-logs"},
                ]
            )
        },
        rels=[("AWS::EC2::VPC", VPC, "Is contained in Vpc")],
    )


def instance(iid, eni, when, status="OK"):
    return item(
        "AWS::EC2::Instance",
        iid,
        _arn("instance", iid),
        when,
        status=status,
        conf={"instanceId": iid, "vpcId": VPC, "subnetId": SUBNET},
        rels=[
            ("AWS::EC2::NetworkInterface", eni, "Contains NetworkInterface"),
            ("AWS::EC2::Subnet", SUBNET, "Is contained in Subnet"),
            ("AWS::EC2::VPC", VPC, "Is contained in Vpc"),
        ],
    )


def eni(eid, iid, when, status="OK"):
    return item(
        "AWS::EC2::NetworkInterface",
        eid,
        _arn("network-interface", eid),
        when,
        status=status,
        conf={"networkInterfaceId": eid, "subnetId": SUBNET, "vpcId": VPC},
        rels=[
            ("AWS::EC2::Instance", iid, "Is attached to Instance"),
            ("AWS::EC2::Subnet", SUBNET, "Is contained in Subnet"),
            ("AWS::EC2::VPC", VPC, "Is contained in Vpc"),
        ],
    )


START = "2026-10-01T00:00:00.000Z"
SNAPSHOT_ITEMS = [
    item("AWS::EC2::VPC", VPC, _arn("vpc", VPC), START, conf={"vpcId": VPC}),
    item(
        "AWS::EC2::Subnet",
        SUBNET,
        _arn("subnet", SUBNET),
        START,
        conf={"subnetId": SUBNET, "vpcId": VPC},
        rels=[("AWS::EC2::VPC", VPC, "Is contained in Vpc")],
    ),
    instance(I1, ENI1, START),
    eni(ENI1, I1, START),
    bucket(START, logging_on=False),
    flow_log("fl-0first", START),
    alb(START, logs_on=True),
]
#: (day, items delivered in that day's ConfigHistory file)
HISTORY = [
    ("2026-10-10", [bucket("2026-10-10T09:00:00.000Z", logging_on=True)]),
    (
        "2026-10-12",
        [
            flow_log("fl-0first", "2026-10-12T08:00:00.000Z", status="ResourceDeleted"),
            flow_log("fl-0second", "2026-10-12T08:05:00.000Z", traffic="REJECT"),
        ],
    ),
    ("2026-10-15", [alb("2026-10-15T12:00:00.000Z", logs_on=False)]),
    (
        "2026-10-16",
        [instance(I2, ENI2, "2026-10-16T10:00:00.000Z"), eni(ENI2, I2, "2026-10-16T10:00:00.000Z")],
    ),
    (
        "2026-10-18",
        [
            instance(I1, ENI1, "2026-10-18T10:00:00.000Z", status="ResourceDeleted"),
            eni(ENI1, I1, "2026-10-18T10:00:01.000Z", status="ResourceDeleted"),
        ],
    ),
    (
        "2026-10-20",
        [flow_log("fl-0second", "2026-10-20T07:00:00.000Z", status="ResourceDeletedNotRecorded")],
    ),
]


def _write(path: Path, items: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        gzip.compress(json.dumps({"fileVersion": "1.0", "configurationItems": items}).encode())
    )


@pytest.fixture(scope="module")
def delivered(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("config-bucket")
    base = root / "AWSLogs" / A / "Config" / R
    _write(
        base
        / "2026/10/1/ConfigSnapshot"
        / f"{A}_Config_{R}_ConfigSnapshot_20261001T000000Z_a.json.gz",
        SNAPSHOT_ITEMS,
    )
    for day, items in HISTORY:
        y, m, d = (int(x) for x in day.split("-"))
        stamp = day.replace("-", "")
        _write(
            base
            / f"{y}/{m}/{d}/ConfigHistory"
            / f"{A}_Config_{R}_ConfigHistory_AWS_{stamp}T230000Z_{stamp}T235959Z_1.json.gz",
            items,
        )
    return root


def _at(delivered: Path, when: str | None) -> Snapshot:
    as_of = datetime.fromisoformat(when).replace(tzinfo=UTC) if when else None
    return collect(CollectOptions(config_files=[str(delivered)], as_of=as_of)).snapshot


def _status(snapshot: Snapshot, resource_id: str, control: str) -> tuple[Status, str]:
    resource = next(r for r in snapshot.resources if r.id == resource_id)
    record = next(c for c in resource.coverage if c.control == control)
    return record.status, record.evidence


def _ids(snapshot: Snapshot) -> set[str]:
    return {r.id for r in snapshot.resources}


BUCKET_ID = "arn:aws:s3:::data-bucket"


def test_state_on_day_five(delivered):
    snap = _at(delivered, "2026-10-05T00:00:00")
    assert snap.as_of == datetime(2026, 10, 5, tzinfo=UTC)
    assert _status(snap, BUCKET_ID, "s3-server-access-logs")[0] == Status.missing
    status, evidence = _status(snap, _arn("vpc", VPC), "vpc-flow-logs")
    assert status == Status.logged and "fl-0first" in evidence
    assert _status(snap, _arn("instance", I1), "vpc-flow-logs")[0] == Status.logged
    assert _status(snap, ALB, "elb-access-logs")[0] == Status.logged
    assert _arn("instance", I1) in _ids(snap) and _arn("instance", I2) not in _ids(snap)


def test_state_after_the_flow_log_was_replaced(delivered):
    snap = _at(delivered, "2026-10-13T00:00:00")
    assert _status(snap, BUCKET_ID, "s3-server-access-logs")[0] == Status.logged
    status, evidence = _status(snap, _arn("vpc", VPC), "vpc-flow-logs")
    assert status == Status.partial  # the replacement captures REJECT only
    assert "fl-0second" in evidence and "fl-0first" not in evidence
    assert _status(snap, ALB, "elb-access-logs")[0] == Status.logged


def test_state_after_alb_logs_off_and_the_new_instance(delivered):
    snap = _at(delivered, "2026-10-17T00:00:00")
    assert _status(snap, ALB, "elb-access-logs")[0] == Status.missing
    assert {_arn("instance", I1), _arn("instance", I2)} <= _ids(snap)


def test_state_at_the_end_of_the_month(delivered):
    snap = _at(delivered, "2026-10-25T00:00:00")
    assert _status(snap, _arn("vpc", VPC), "vpc-flow-logs")[0] == Status.missing
    assert _arn("instance", I1) not in _ids(snap)
    assert _arn("instance", I2) in _ids(snap)
    assert _status(snap, _arn("instance", I2), "vpc-flow-logs")[0] == Status.missing


def test_before_anything_was_recorded(delivered):
    snap = _at(delivered, "2026-09-01T00:00:00")
    assert not [r for r in snap.resources if not r.is_pseudo]


def test_what_config_cannot_reconstruct_is_unknown_with_the_reason(delivered):
    snap = _at(delivered, "2026-10-05T00:00:00")
    status, evidence = _status(snap, _arn("instance", I1), "cloudwatch-agent")
    assert status == Status.unknown
    assert evidence.startswith("as of 2026-10-05T00:00:00Z: AWS Config records nothing")
    without = _at(delivered, None)  # no --as-of: the latest state, no as_of recorded
    assert without.as_of is None
    assert not any("as of" in c.evidence for r in without.resources for c in r.coverage)


def test_diff_between_two_dates_shows_the_logging_changes(delivered):
    before, after = _at(delivered, "2026-10-05T00:00:00"), _at(delivered, "2026-10-25T00:00:00")
    changes = diff_snapshots(before, after)
    moved = {(c.control, c.old, c.new) for c in changes.controls}
    assert ("s3-server-access-logs", "missing", "logged") in moved
    assert ("elb-access-logs", "logged", "missing") in moved
    assert {r.id for r in changes.vanished} >= {_arn("instance", I1)}
    assert {r.id for r in changes.appeared} >= {_arn("instance", I2)}


def test_items_at_keeps_items_at_or_before_the_time():
    items = [bucket("2026-10-01T00:00:00Z", False), bucket("2026-10-10T00:00:00Z", True)]
    assert len(list(items_at(items, datetime(2026, 10, 10, tzinfo=UTC)))) == 2
    assert len(list(items_at(items, datetime(2026, 10, 9, tzinfo=UTC)))) == 1


def test_cli(delivered, tmp_path, capsys):
    out = tmp_path / "asof.json"
    args = [
        "collect",
        "--config-files",
        str(delivered),
        "--as-of",
        "2026-10-05",
        "-o",
        str(out),
        "--quiet",
    ]
    assert main(args) in (0, 3)
    assert load_snapshot(out).as_of == datetime(2026, 10, 5, tzinfo=UTC)
    assert main(["collect", "--as-of", "2026-10-05", "-o", str(out), "--quiet"]) == 2
    assert "--as-of needs --config-files" in capsys.readouterr().err  # or --source config
    assert main([*args[:3], "--as-of", "soon", "-o", str(out)]) == 2


# -- --source config --as-of: GetResourceConfigHistory(laterTime, limit) per resource -------
# moto's GetResourceConfigHistory ignores laterTime (it answers with the current item), so the
# history path is tested on AWS-shaped answers through botocore's Stubber.

AS_OF = datetime(2026, 10, 13, tzinfo=UTC)


class _Run:
    def __init__(self, client):
        from collectors.inventory.config_items import ConfigItemSet

        self.client = client
        self.items = ConfigItemSet("config", default_account=A, default_region=R)
        self.failed: list[str] = []

    def fail(self, exc, operation):
        self.failed.append(operation)


def _history(item_or_none):
    return {"configurationItems": [item_or_none] if item_or_none else []}


def _stubbed_config():
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("config", region_name=R, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def _api_item(iid, when, status="OK"):
    found = instance(iid, ENI1, when, status=status)
    found["configurationItemCaptureTime"] = datetime.fromisoformat(when.replace("Z", "+00:00"))
    found["configuration"] = json.dumps(found["configuration"])
    return found


def test_history_at_reads_each_resource_at_the_time():
    from collectors.inventory.as_of import history_at

    client, stub = _stubbed_config()
    stub.add_response(
        "list_discovered_resources",
        {
            "resourceIdentifiers": [
                {
                    "resourceType": "AWS::EC2::Instance",
                    "resourceId": "i-0gone-early",
                    "resourceDeletionTime": datetime(2026, 10, 2, tzinfo=UTC),
                },
                {
                    "resourceType": "AWS::EC2::Instance",
                    "resourceId": I1,
                    "resourceDeletionTime": datetime(2026, 10, 18, tzinfo=UTC),
                },
                {"resourceType": "AWS::EC2::Instance", "resourceId": "i-0deleted"},
                {"resourceType": "AWS::EC2::Instance", "resourceId": I2},
            ]
        },
        {"resourceType": "AWS::EC2::Instance", "includeDeletedResources": True, "limit": 100},
    )
    for rid, answer in (
        (I1, _api_item(I1, "2026-10-01T00:00:00Z")),  # deleted later: existed at as_of
        ("i-0deleted", _api_item("i-0deleted", "2026-10-05T00:00:00Z", "ResourceDeleted")),
        (I2, None),  # created after as_of: no item at or before it
    ):
        stub.add_response(
            "get_resource_config_history",
            _history(answer),
            {
                "resourceType": "AWS::EC2::Instance",
                "resourceId": rid,
                "laterTime": AS_OF,
                "limit": 1,
            },
        )
    run = _Run(client)
    with stub:
        complete = history_at(run, ["AWS::EC2::Instance"], AS_OF)
    stub.assert_no_pending_responses()  # no call for the instance deleted before as_of
    assert complete == {"AWS::EC2::Instance"} and not run.failed
    ids = {parsed.resource.resource_id for parsed in run.items.items()}
    assert ids == {I1}


def test_history_failure_is_an_error_and_the_type_is_not_vouched_for():
    from collectors.inventory.as_of import history_at

    client, stub = _stubbed_config()
    stub.add_response(
        "list_discovered_resources",
        {"resourceIdentifiers": [{"resourceType": "AWS::EC2::Instance", "resourceId": I1}]},
    )
    stub.add_client_error("get_resource_config_history", "AccessDeniedException")
    stub.add_client_error("list_discovered_resources", "ThrottlingException")
    run = _Run(client)
    with stub:
        complete = history_at(run, ["AWS::EC2::Instance", "AWS::S3::Bucket"], AS_OF)
    assert complete == set()
    assert run.failed == ["GetResourceConfigHistory", "ListDiscoveredResources"]


def test_source_config_as_of_reads_config_and_probes_without_live_calls():
    import boto3
    from moto import mock_aws

    from collectors.collect import Collaborators
    from collectors.inventory.base import RegionInventory

    seen: dict[str, object] = {}

    class FakeConfig:
        def __init__(self, aws, *, as_of=None, facts=None):
            seen["as_of"] = as_of

        def collect_region(self, account, region, progress):
            inventory = RegionInventory(account, region, "config")
            inventory.types_covered = {"AWS::EC2::Instance"}
            return inventory

    def probes(aws, inventory, *, facts):
        seen["probe_aws"] = aws
        return {}, []

    with mock_aws():
        options = CollectOptions(
            source="config",
            as_of=AS_OF,
            regions=[R],
            session=boto3.Session(region_name=R),
        )
        parts = Collaborators(config_source=FakeConfig, probe_region=probes)
        snapshot = collect(options, parts=parts).snapshot
    assert seen == {"as_of": AS_OF, "probe_aws": None}
    assert snapshot.as_of == AS_OF
