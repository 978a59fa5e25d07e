"""Filled-in remediation and queries (snapshot/queries.py): a resource's own identifiers go
into the catalogue's commands, what the snapshot lacks stays a named placeholder, and a
hostile value never changes what a command or query does."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from snapshot import queries, times
from snapshot.catalogue import CATALOGUE
from snapshot.graph import CoverageGraph
from snapshot.io import load_snapshot
from tests.factories import ENI, INSTANCE, VPC, arn, cov, rel, resource, snapshot

DEMO = Path(__file__).resolve().parents[1] / "blindspot" / "data" / "demo-small.json.gz"


@pytest.fixture(scope="module")
def demo() -> CoverageGraph:
    return CoverageGraph(load_snapshot(DEMO))


def _record(graph: CoverageGraph, name: str, control: str):
    resource = graph.resources[graph.resolve(name)]
    record = next(r for r in resource.coverage if r.control == control)
    return resource, record


def test_instance_query_names_its_own_eni(demo):
    instance, record = _record(demo, "prod-web-1", "vpc-flow-logs")
    eni = record.inherited_from.rsplit("/", 1)[1]
    filled = queries.first_query(demo, instance, record)
    assert f"interface_id = '{eni}'" in filled.text
    assert "<eni-id" not in filled.text
    assert {"t0", "t1"} == set(filled.unfilled)  # the window is the responder's
    assert "<t0: your input>" in filled.text


def test_several_enis_become_an_in_list(demo):
    alb, record = _record(demo, "prod-web-alb", "vpc-flow-logs")
    enis = sorted(
        demo.resources[n].resource_id
        for n, *_ in demo.neighbours(alb.id)
        if demo.resources[n].type == "AWS::EC2::NetworkInterface"
    )
    assert len(enis) == 2
    text = queries.first_query(demo, alb, record).text
    assert "interface_id IN (" in text
    assert all(f"'{eni}'" in text for eni in enis)


def test_remediation_uses_the_vpc_of_the_instance(demo):
    instance, record = _record(demo, "prod-web-1", "vpc-flow-logs")
    vpc = next(
        demo.resources[n].resource_id
        for n, *_ in demo.neighbours(instance.id)
        if demo.resources[n].type == "AWS::EC2::VPC"
    )
    filled = queries.remediation(demo, instance, record)
    assert f"--resource-ids {vpc} " in filled.text
    assert filled.unfilled == ("log-bucket",)
    assert filled.why("log-bucket") == "your choice"
    assert filled.note() == "placeholders left: <log-bucket> (your choice)"


def test_new_trail_name_is_not_an_existing_trail(demo):
    instance, record = _record(demo, "prod-web-1", "cloudtrail-management-events")
    filled = queries.remediation(demo, instance, record)
    assert "--name <trail-name: not in snapshot>" in filled.text


def test_logs_land_in_is_the_concrete_destination(demo):
    instance, record = _record(demo, "prod-web-1", "cloudtrail-management-events")
    text = queries.logs_land_in(demo, instance, record).text
    assert text == (
        f"s3://initech-org-log-archive-f2a74d/AWSLogs/{instance.account}/CloudTrail/us-east-1/"
    )
    _, agent = _record(demo, "prod-web-1", "cloudwatch-agent")  # a log group: the template
    assert queries.logs_land_in(demo, instance, agent).text.startswith("CloudWatch Logs groups")


def test_every_demo_remediation_survives_shell_splitting(demo):
    checked = 0
    for item in demo.resources.values():
        for record in item.coverage:
            filled = queries.remediation(demo, item, record)
            if filled is None:
                continue
            shlex.split(filled.text)  # raises on broken quoting
            checked += 1
    assert checked > 100


def _hostile_estate(name: str):
    instance = resource(
        INSTANCE,
        "AWS::EC2::Instance",
        cov("host", "missing", "cloudwatch-agent"),
        cov("network", "logged", "vpc-flow-logs", inherited_from=ENI),
        resource_id=name,
        name=name,
    )
    eni = resource(ENI, "AWS::EC2::NetworkInterface", resource_id="eni-1")
    vpc = resource(VPC, "AWS::EC2::VPC", resource_id="vpc-1")
    rels = [
        rel(INSTANCE, ENI, "Contains NetworkInterface"),
        rel(INSTANCE, VPC, "Is contained in Vpc"),
    ]
    return CoverageGraph(snapshot([instance, eni, vpc], rels))


def test_hostile_value_is_quoted_in_a_shell_word():
    graph = _hostile_estate("i-1; rm -rf ~")
    instance = graph.resources[INSTANCE]
    filled = queries.remediation(graph, instance, instance.coverage[0])
    words = shlex.split(filled.text)
    # One argument, as the shell will pass it: never a second command.
    assert "Key=InstanceIds,Values=i-1; rm -rf ~" in words
    assert "rm" not in words


def test_hostile_value_stays_a_placeholder_in_a_regex():
    graph = _hostile_estate("i-1/ | filter 1=1 | fields /x")
    instance = graph.resources[INSTANCE]
    filled = queries.first_query(graph, instance, instance.coverage[0])
    assert filled.unfilled == ("instance-id",)
    assert filled.why("instance-id") == "value not safe to paste"
    assert "filter 1=1" not in filled.text


def test_quote_in_sql_literal_is_doubled():
    filled = queries.fill("SELECT 1 FROM t WHERE b = '<bucket>'", {"bucket": "a'b"})
    assert filled.text == "SELECT 1 FROM t WHERE b = 'a''b'"
    shell = queries.fill('aws s3api get-bucket-logging --x \'{"b":"<bucket>"}\'', {"bucket": "a'b"})
    assert shell.unfilled == ("bucket",)


def test_control_characters_are_stripped_from_values():
    filled = queries.fill("aws x --id <instance-id>", {"instance-id": "i-1\x1b]52;c;x\x07"})
    assert "\x1b" not in filled.text and "\x07" not in filled.text


def test_every_catalogue_placeholder_gets_a_reason():
    for control in CATALOGUE:
        for template in (control.remediation, control.first_query, control.logs_land_in):
            filled = queries.fill(template, {})
            assert all(filled.why(name) for name in filled.unfilled)
            assert queries.PLACEHOLDER.search(filled.text) is None or all(
                ": " in m.group(1) for m in queries.PLACEHOLDER.finditer(filled.text)
            ), template


@pytest.mark.parametrize(
    ("destination", "kind", "bucket", "prefix", "group"),
    [
        ("arn:aws:s3:::logs", "s3", "logs", "", None),
        ("arn:aws:s3:::logs/config/x", "s3", "logs", "config/x", None),
        ("s3://logs/p/", "s3", "logs", "p", None),
        ("arn:aws:logs:us-east-1:1:log-group:/aws/x:*", "logs", None, "", "/aws/x"),
        ("arn:aws:firehose:us-east-1:1:deliverystream/s", "firehose", None, "", None),
        ("garbage", "other", None, "", None),
    ],
)
def test_parse_destination(destination, kind, bucket, prefix, group):
    parsed = queries.parse_destination(destination)
    assert (parsed.kind, parsed.bucket, parsed.prefix, parsed.log_group) == (
        kind,
        bucket,
        prefix,
        group,
    )


def test_parse_time():
    assert times.parse_time("2026-11-30T10:00Z") == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert times.parse_time("2026-11-30T11:00:00+01:00") == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert times.parse_time("2026-11-30") == datetime(2026, 11, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        times.parse_time("last tuesday")


def test_unrelated_resource_keeps_named_placeholders():
    lonely = resource(
        arn("instance", "i-9"),
        "AWS::EC2::Instance",
        cov("network", "missing", "vpc-flow-logs"),
        resource_id="i-9",
    )
    graph = CoverageGraph(snapshot([lonely]))
    filled = queries.remediation(graph, lonely, lonely.coverage[0])
    assert "<vpc-id: not in snapshot>" in filled.text
