"""`blindspot incident`: the plan for a resource and its neighbours over a time window.

Queries are checked against the AWS CLI's syntax (botocore's model of the operation: every
parameter exists, required ones are given, values parse as the member's type, the command
survives `shlex.split`) and Athena's (parses as Trino SQL with sqlglot, partition predicates
present, literals quoted)."""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore
import botocore.session
import pytest
import sqlglot
from sqlglot import exp

from blindspot.cli import main
from snapshot.graph import CoverageGraph
from snapshot.incident import PlanError, Window, build_plan, covers
from snapshot.io import load_snapshot
from snapshot.render.incident import render
from snapshot.times import parse_time
from tests.factories import cov, resource, snapshot

DEMO = Path(__file__).resolve().parents[1] / "blindspot" / "data" / "demo-small.json.gz"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
CLI_SERVICES = {
    "logs": "logs",
    "cloudtrail": "cloudtrail",
    "configservice": "config",
    "s3api": "s3",
}
PARTITIONS = {
    "cloudtrail_logs_pp": {"timestamp"},
    "vpc_flow_logs": {"accid", "region", "day"},
    "alb_access_logs": {"day"},
    "s3_access_logs": {"timestamp"},
    "r53_rlogs": {"date"},
    "cloudfront_standard_logs": {"date"},
}


@pytest.fixture(scope="module")
def demo() -> CoverageGraph:
    return CoverageGraph(load_snapshot(DEMO))


def _plan(graph, name="prod-web-1", days_ago=47, depth=2):
    start = NOW - timedelta(days=days_ago)
    return build_plan(
        graph, graph.resolve(name), start, start + timedelta(hours=2), depth=depth, now=NOW
    )


def _all_queries(plan):
    for entry in plan.resources:
        for source in entry.sources:
            for query in source.queries:
                yield entry, source, query


# -- AWS CLI syntax ---------------------------------------------------------------------------

_session = botocore.session.get_session()


def check_cli(command: str) -> None:
    words = shlex.split(command)
    assert words[0] == "aws", command
    service = _session.get_service_model(CLI_SERVICES[words[1]])
    operations = {botocore.xform_name(op, "-"): op for op in service.operation_names}
    shape = service.operation_model(operations[words[2]]).input_shape
    members = {botocore.xform_name(name, "-"): name for name in shape.members}
    given: set[str] = set()
    args = words[3:]
    assert len(args) % 2 == 0, f"every option takes one value: {command}"
    for option, value in zip(args[::2], args[1::2], strict=True):
        assert option.startswith("--"), command
        if option == "--region":
            assert re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", value), value
            continue
        name = members.get(option[2:])
        assert name is not None, f"{option} is not a parameter of {words[1]} {words[2]}"
        member = shape.members[name]
        given.add(name)
        if member.type_name in ("integer", "long"):
            int(value)
        elif member.type_name == "timestamp":
            parse_time(value)
        elif member.type_name == "list" and member.member.type_name == "structure":
            keys = {pair.split("=", 1)[0] for pair in value.split(",")}
            assert keys <= set(member.member.members), (option, keys)
        else:
            assert member.type_name == "string", (option, member.type_name)
            assert value
    assert set(shape.required_members) <= given, (command, shape.required_members)


def check_sql(sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="trino")
    table = tree.find(exp.Table).name
    where = tree.find(exp.Where)
    assert where is not None
    columns = {column.name for column in where.find_all(exp.Column)}
    assert PARTITIONS[table] <= columns, (table, columns)
    return tree


# -- tests ------------------------------------------------------------------------------------


def test_plan_covers_the_instance_and_its_neighbours(demo):
    plan = _plan(demo)
    names = {entry.name: entry.hops for entry in plan.resources}
    assert names["prod-web-1"] == 0
    assert names["eni-5845211cee6fed120"] == 1 and names["prod-vpc"] == 1
    assert all(entry.hops <= 2 for entry in plan.resources)
    assert len(_plan(demo, depth=0).resources) == 1


def test_covers_window_follows_retention(demo):
    def sources(plan):
        root = plan.resources[0]
        return {s.control: s for s in root.sources}

    old = sources(_plan(demo, days_ago=47))
    assert old["cloudwatch-agent"].retention_days == 30
    assert old["cloudwatch-agent"].covers_window is False  # 30 days < 47
    assert old["vpc-flow-logs"].retention_days == 90
    assert old["vpc-flow-logs"].covers_window is True
    recent = sources(_plan(demo, days_ago=10))
    assert recent["cloudwatch-agent"].covers_window is True
    assert old["ssm-managed"].covers_window is None  # unknown source: never guessed


def test_covers_rules():
    window = Window(NOW - timedelta(days=40), NOW - timedelta(days=39))
    assert covers(None, window, NOW) is None
    assert covers(0, window, NOW) is True  # never expires
    assert covers(30, window, NOW) is False
    assert covers(40, window, NOW) is True


def test_every_query_runs_as_it_is(demo):
    checked = {"cli": 0, "sql": 0}
    for name in ("prod-web-1", "prod-web-alb", "prod-orders-api", "initech-org-log-archive-f2a74d"):
        for days_ago in (10, 120):
            for _, _, query in _all_queries(_plan(demo, name, days_ago=days_ago)):
                # No placeholder at all, named or not: every value is filled.
                assert not re.search(r"<[A-Za-z][^<>=]*>", query.text), query.text
                if query.engine == "athena":
                    check_sql(query.text)
                    checked["sql"] += 1
                else:
                    check_cli(query.text)
                    checked["cli"] += 1
    assert checked["cli"] > 20 and checked["sql"] > 5


def test_instance_queries_name_its_own_identifiers(demo):
    plan = _plan(demo, days_ago=10)
    root = {s.control: s for s in plan.resources[0].sources}
    flow = root["vpc-flow-logs"].queries[0].text
    assert '"eni-5845211cee6fed120"' in flow and "--log-group-name /vpc/prod-vpc/flow-logs" in flow
    start = int((NOW - timedelta(days=10)).timestamp())
    assert f"--start-time {start} --end-time {start + 7200}" in flow
    trail = root["cloudtrail-management-events"].queries
    assert trail[0].engine == "cloudtrail-lookup"  # within the 90-day event history: first
    assert "AttributeValue=i-18152a3f5b3f26f63" in trail[0].text
    old = {s.control: s for s in _plan(demo, days_ago=120).resources[0].sources}
    assert old["cloudtrail-management-events"].queries[0].engine == "athena"
    sql = old["cloudtrail-management-events"].queries[0].text
    day = (NOW - timedelta(days=120)).strftime("%Y/%m/%d")
    assert f"\"timestamp\" BETWEEN '{day}' AND '{day}'" in sql


def test_flow_logs_athena_for_s3_destination():
    eni = "arn:aws:ec2:us-east-1:111111111111:network-interface/eni-1"
    res = resource(
        eni,
        "AWS::EC2::NetworkInterface",
        cov("network", "logged", "vpc-flow-logs", destination="arn:aws:s3:::flows/vpc"),
        resource_id="eni-1",
    )
    graph = CoverageGraph(snapshot([res]))
    plan = build_plan(graph, eni, NOW - timedelta(hours=30), NOW - timedelta(hours=1), now=NOW)
    source = plan.resources[0].sources[0]
    tree = check_sql(source.queries[0].text)
    assert "interface_id IN ('eni-1')" in source.queries[0].text
    days = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
    assert "2026/12/05" in days and "2026/12/06" in days  # the window spans two days
    assert source.where == "s3://flows/vpc/AWSLogs/111111111111/vpcflowlogs/us-east-1/"


def test_hostile_bucket_name_is_a_quoted_literal():
    bucket = "arn:aws:s3:::a'b"
    res = resource(
        bucket,
        "AWS::S3::Bucket",
        cov("access", "logged", "s3-server-access-logs", destination="arn:aws:s3:::logs/p/"),
        name="x' OR '1'='1",
        resource_id="x' OR '1'='1",
    )
    graph = CoverageGraph(snapshot([res]))
    plan = build_plan(graph, bucket, NOW - timedelta(hours=2), NOW, now=NOW)
    sql = plan.resources[0].sources[0].queries[0].text
    check_sql(sql)
    # Not a plain identifier: no filter on it at all rather than an injected one.
    assert "bucket_name" not in sql and "OR '1'" not in sql


def test_the_checkers_catch_broken_queries():
    with pytest.raises(AssertionError):
        check_cli("aws logs start-query --log-group-name g --start-time 1 --query-string q")
    with pytest.raises(AssertionError):  # no such parameter
        check_cli("aws cloudtrail lookup-events --resource-name x")
    with pytest.raises(ValueError):  # an integer member given a date
        check_cli("aws logs start-query --start-time 2026-01-01 --end-time 1 --query-string q")
    with pytest.raises(AssertionError):  # partition predicate missing
        check_sql("SELECT 1 FROM vpc_flow_logs WHERE interface_id = 'eni-1'")
    with pytest.raises(sqlglot.errors.SqlglotError):
        check_sql("SELECT FROM WHERE day = '2026/01/01")


def test_blind_spots_baseline_first(demo):
    plan = _plan(demo, "prod-web-alb", depth=1)
    spots = [(s.name, s.control, s.expectation) for s in plan.blind_spots]
    assert ("prod-web-alb", "elb-access-logs", "baseline") in spots
    expectations = [s.expectation for s in plan.blind_spots]
    assert expectations == sorted(expectations, key=lambda e: e != "baseline")


def test_json_shape(demo):
    document = json.loads(render(_plan(demo, depth=1), "json"))
    assert {"subject", "window", "as_of", "resources", "blind_spots"} <= set(document)
    assert set(document["window"]) >= {"from", "to"}
    source = document["resources"][0]["sources"][0]
    assert {
        "layer",
        "control",
        "status",
        "expectation",
        "destination",
        "inherited_from",
        "retention_days",
        "covers_window",
        "query",
    } <= set(source)
    assert {"resource", "layer", "control", "status", "why"} <= set(document["blind_spots"][0])
    assert {"id", "type", "name", "account", "region", "hops", "sources"} <= set(
        document["resources"][0]
    )


def test_markdown_is_a_ticket(demo):
    text = render(_plan(demo, depth=1), "markdown")
    assert text.startswith("## Incident plan: prod-web-1")
    assert "| cloudwatch-agent (host) |" in text and "**no**" in text
    assert "- Already expired for this window: cloudwatch-agent (CloudWatch Logs group " in text
    assert text.count("```sh") >= 3 and "```sql" in text
    assert "### Blind spots" in text


def test_window_errors(demo):
    with pytest.raises(PlanError, match="ends"):
        build_plan(demo, demo.resolve("prod-web-1"), NOW, NOW - timedelta(hours=1), now=NOW)


def test_cli(capsys):
    assert (
        main(
            [
                "incident",
                str(DEMO),
                "prod-web-1",
                "--from",
                "2026-11-01T10:00Z",
                "--to",
                "2026-11-01T12:00Z",
                "--depth",
                "1",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["window"]["from"] == "2026-11-01T10:00:00Z"
    assert (
        main(["incident", str(DEMO), "prod-web-1", "--from", "yesterday", "--to", "2026-11-01"])
        == 2
    )
    assert "not an ISO 8601 time" in capsys.readouterr().err
    assert (
        main(["incident", str(DEMO), "prod-web-1", "--from", "2026-11-02", "--to", "2026-11-01"])
        == 2
    )
    assert "before it starts" in capsys.readouterr().err
    assert (
        main(["incident", str(DEMO), "no-such", "--from", "2026-11-01", "--to", "2026-11-02"]) == 2
    )


def test_retention_read_by_the_owner_serves_other_accounts():
    """A member's trail into the log-archive bucket takes the retention the archive
    account's own record carries (collected where the bucket can be read)."""
    archive = "arn:aws:s3:::org-archive"
    owner = resource(
        "arn:aws:cloudtrail:us-east-1:222222222222:trail/org",
        "AWS::CloudTrail::Trail",
        cov("account", "logged", "cloudtrail-management-events", destination=archive),
        account="222222222222",
        name="org",
    )
    owner.coverage[0].retention_days = 400
    member = resource(
        "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
        "AWS::EC2::Instance",
        cov("account", "logged", "cloudtrail-management-events", destination=archive),
        resource_id="i-1",
    )
    graph = CoverageGraph(snapshot([owner, member]))
    plan = build_plan(graph, member.id, NOW - timedelta(days=200), NOW, depth=0, now=NOW)
    source = plan.resources[0].sources[0]
    assert (source.retention_days, source.covers_window) == (400, True)
    plan = build_plan(graph, member.id, NOW - timedelta(days=500), NOW, depth=0, now=NOW)
    assert plan.resources[0].sources[0].covers_window is False


def test_every_resource_of_the_demo_gets_runnable_queries(demo):
    """Depth 0 for each resource (pseudo-resources too), a recent and an old window: every
    command passes botocore's model, every SQL statement the Trino parser."""
    engines: set[str] = set()
    for resource_id in demo.resources:
        for days_ago in (5, 200):
            start = NOW - timedelta(days=days_ago)
            plan = build_plan(
                demo, resource_id, start, start + timedelta(hours=2), depth=0, now=NOW
            )
            for _, _, query in _all_queries(plan):
                engines.add(query.engine)
                if query.engine == "athena":
                    check_sql(query.text)
                else:
                    check_cli(query.text)
    assert engines == {
        "athena",
        "cloudtrail-lookup",
        "config-history",
        "logs-insights",
        "s3-listing",
    }


def test_inherited_destination_follows_the_chain():
    """instance -> ENI -> VPC: the instance's flow-log record names the VPC's log group."""
    group = "arn:aws:logs:us-east-1:111111111111:log-group:/vpc/flows"
    vpc = resource(
        "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-1",
        "AWS::EC2::VPC",
        cov("network", "logged", "vpc-flow-logs", destination=group),
        resource_id="vpc-1",
    )
    eni = resource(
        "arn:aws:ec2:us-east-1:111111111111:network-interface/eni-1",
        "AWS::EC2::NetworkInterface",
        cov("network", "logged", "vpc-flow-logs", inherited_from=vpc.id),
        resource_id="eni-1",
    )
    inst = resource(
        "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
        "AWS::EC2::Instance",
        cov("network", "logged", "vpc-flow-logs", inherited_from=eni.id),
        resource_id="i-1",
    )
    graph = CoverageGraph(snapshot([vpc, eni, inst]))
    plan = build_plan(graph, inst.id, NOW - timedelta(hours=2), NOW, depth=0, now=NOW)
    source = plan.resources[0].sources[0]
    assert source.destination == group
    assert "--log-group-name /vpc/flows" in source.queries[0].text
