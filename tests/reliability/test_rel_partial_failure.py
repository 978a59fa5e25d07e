"""Partial failure is normal: each failure mode, injected under moto, through `blindspot collect`.

Every case runs the real command line (`blindspot.cli.main`) over a moto account holding two
VPCs (one with an ALL flow log, one without), with a failure injected on blindspot's own
clients (see rel_inject.py). Each must give: a snapshot with the rest collected, `unknown`
where the failure hid the answer (never a silent `missing`), an `errors` entry naming the
call, a PARTIAL summary line on stderr, and exit code 3. A baseline run without injection
is complete (exit 0), so the 3 is the injected failure's doing.

Retries are kept fast: AWS_MAX_ATTEMPTS=2, the standard retry mode, and a 1 ms backoff.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import boto3
import pytest
from botocore.retries.standard import ExponentialBackoff
from moto import mock_aws
from rel_inject import (
    ACCESS_DENIED_JSON,
    ACCESS_DENIED_QUERY,
    THROTTLED_EC2,
    Call,
    Injector,
    region_not_enabled,
)

from blindspot.cli import main
from snapshot.io import load_snapshot
from snapshot.model import REGION_TYPE, Snapshot, Status

ACCOUNT = "123456789012"
HOME = "us-east-1"


@dataclass
class World:
    logged_vpc: str  # ARN of the VPC with an ALL flow log
    bare_vpc: str  # ARN of a VPC without one


@pytest.fixture
def world(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    monkeypatch.setenv("AWS_REGION", HOME)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.001)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=HOME)
        logged = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        bare = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
        boto3.client("logs", region_name=HOME).create_log_group(logGroupName="flow")
        ec2.create_flow_logs(
            ResourceIds=[logged],
            ResourceType="VPC",
            TrafficType="ALL",
            LogGroupName="flow",
            DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
        )
        yield World(
            logged_vpc=f"arn:aws:ec2:{HOME}:{ACCOUNT}:vpc/{logged}",
            bare_vpc=f"arn:aws:ec2:{HOME}:{ACCOUNT}:vpc/{bare}",
        )


def collect(tmp_path, capsys, *flags: str) -> tuple[int, Snapshot | None, str]:
    out = tmp_path / "snap.json"
    code = main(["collect", "-o", str(out), "--source", "api", "--workers", "2", *flags])
    err = capsys.readouterr().err
    return code, (load_snapshot(out) if out.exists() else None), err


def status(snapshot: Snapshot, resource_id: str, control: str) -> set[Status]:
    resource = next(r for r in snapshot.resources if r.id == resource_id)
    return {c.status for c in resource.coverage if c.control == control}


def statuses(snapshot: Snapshot, control_prefix: str, region: str | None = None) -> set[Status]:
    return {
        c.status
        for r in snapshot.resources
        if region is None or r.region == region
        for c in r.coverage
        if c.control.startswith(control_prefix)
    }


def assert_partial(code: int, snapshot: Snapshot | None, err: str) -> Snapshot:
    assert code == 3, err
    assert snapshot is not None and snapshot.errors
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("blindspot: PARTIAL"), summary
    assert f"{len(snapshot.errors)} errors" in summary
    return snapshot


def test_baseline_without_injection_is_complete(world, tmp_path, capsys, monkeypatch) -> None:
    injector = Injector().install(monkeypatch)  # serves detective:ListGraphs only
    code, snapshot, err = collect(tmp_path, capsys)
    assert code == 0, err
    assert snapshot is not None and snapshot.errors == []
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}
    assert status(snapshot, world.bare_vpc, "vpc-flow-logs") == {Status.missing}
    assert err.strip().splitlines()[-1].startswith("blindspot: complete")
    assert injector.sends[("ec2", "DescribeFlowLogs")] >= 1


def test_access_denied_on_one_service(world, tmp_path, capsys, monkeypatch) -> None:
    Injector(lambda call: ACCESS_DENIED_JSON if call.service == "cloudtrail" else None).install(
        monkeypatch
    )
    snapshot = assert_partial(*collect(tmp_path, capsys))
    assert {(e.service, e.code) for e in snapshot.errors} == {
        ("cloudtrail", "AccessDeniedException")
    }
    # What CloudTrail would have decided is unknown, never missing ...
    region = f"{ACCOUNT}/{HOME}"
    assert status(snapshot, region, "cloudtrail-management-events") == {Status.unknown}
    assert Status.missing not in statuses(snapshot, "cloudtrail")
    assert Status.logged not in statuses(snapshot, "cloudtrail")
    # ... and the rest was collected and decided as usual.
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}
    assert status(snapshot, world.bare_vpc, "vpc-flow-logs") == {Status.missing}


def test_throttling_that_clears_after_a_retry(world, tmp_path, capsys, monkeypatch) -> None:
    def first_attempt_throttled(call: Call):
        if (call.operation, call.attempt) == ("DescribeFlowLogs", 1):
            return THROTTLED_EC2
        return None

    injector = Injector(first_attempt_throttled).install(monkeypatch)
    code, snapshot, err = collect(tmp_path, capsys)
    sends = injector.attempts[("ec2", "DescribeFlowLogs")]
    assert sends and {attempt for attempt, _ in sends} == {1, 2}  # each call was retried once
    assert code == 0, err
    assert snapshot is not None and snapshot.errors == []
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}
    assert status(snapshot, world.bare_vpc, "vpc-flow-logs") == {Status.missing}


def test_throttling_that_does_not_clear(world, tmp_path, capsys, monkeypatch) -> None:
    injector = Injector(
        lambda call: THROTTLED_EC2 if call.operation == "DescribeFlowLogs" else None
    ).install(monkeypatch)
    snapshot = assert_partial(*collect(tmp_path, capsys))
    assert {(e.service, e.operation, e.code) for e in snapshot.errors} == {
        ("ec2", "DescribeFlowLogs", "RequestLimitExceeded")
    }
    # AWS_MAX_ATTEMPTS=2 honoured: every call was sent twice, then given up on.
    sends = injector.attempts[("ec2", "DescribeFlowLogs")]
    attempts = sorted(attempt for attempt, _ in sends)
    assert sends and attempts == sorted([1, 2] * (len(sends) // 2))
    assert {most for attempt, most in sends if attempt > 1} == {2}
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.unknown}
    assert status(snapshot, world.bare_vpc, "vpc-flow-logs") == {Status.unknown}


def test_a_region_that_is_not_enabled(world, tmp_path, capsys, monkeypatch) -> None:
    optin = "af-south-1"
    Injector(lambda call: region_not_enabled(call) if call.region == optin else None).install(
        monkeypatch
    )
    snapshot = assert_partial(*collect(tmp_path, capsys, "--regions", f"{HOME},{optin}"))
    assert {e.region for e in snapshot.errors} == {optin}
    assert {e.code for e in snapshot.errors} <= {
        "OptInRequired",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
    }
    # The enabled region is whole ...
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}
    # ... and the disabled one is there, with nothing claimed about it.
    region = next(r for r in snapshot.resources if r.type == REGION_TYPE and r.region == optin)
    assert region.coverage, "the disabled region's controls must be listed as unknown"
    assert {c.status for c in region.coverage} == {Status.unknown}
    assert Status.missing not in statuses(snapshot, "", region=optin)
    assert Status.logged not in statuses(snapshot, "", region=optin)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the with-block ends


@pytest.fixture
def silent_endpoint():
    """A TCP port that accepts connections (kernel backlog) but never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


@pytest.mark.parametrize("endpoint", ["closed-port", "silent"])
def test_an_endpoint_that_does_not_answer(
    world, tmp_path, capsys, monkeypatch, endpoint, request
) -> None:
    url = (
        f"http://127.0.0.1:{_closed_port()}"
        if endpoint == "closed-port"
        else request.getfixturevalue("silent_endpoint")
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", url)
    monkeypatch.setenv("BLINDSPOT_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("BLINDSPOT_READ_TIMEOUT", "0.5")
    Injector().install(monkeypatch)
    snapshot = assert_partial(*collect(tmp_path, capsys))
    assert {e.service for e in snapshot.errors} == {"cloudtrail"}
    assert {e.code for e in snapshot.errors} <= {"EndpointUnreachable", "ReadTimeout"}
    assert status(snapshot, f"{ACCOUNT}/{HOME}", "cloudtrail-management-events") == {Status.unknown}
    assert Status.missing not in statuses(snapshot, "cloudtrail")
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}


@pytest.fixture
def organization(world):
    org = boto3.client("organizations", region_name=HOME)
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(AccountName="refused", Email="refused@example.com")
    return member["CreateAccountStatus"]["AccountId"]


def test_an_assume_role_refused_for_one_member_account(
    world, organization, tmp_path, capsys, monkeypatch
) -> None:
    member = organization

    def refuse_member(call: Call):
        if (call.service, call.operation) == ("sts", "AssumeRole") and member in call.body:
            return ACCESS_DENIED_QUERY
        return None

    Injector(refuse_member).install(monkeypatch)
    snapshot = assert_partial(*collect(tmp_path, capsys, "--org"))
    assert [(e.account, e.service, e.operation, e.code) for e in snapshot.errors] == [
        (member, "sts", "AssumeRole", "AccessDenied")
    ]
    assert {a.id for a in snapshot.accounts} == {ACCOUNT, member}  # the blind account is listed
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}
    assert not [r for r in snapshot.resources if r.account == member and not r.is_pseudo]


def test_a_refused_account_shows_its_controls_as_unknown(
    world, organization, tmp_path, capsys, monkeypatch
) -> None:
    member = organization
    Injector(
        lambda call: (
            ACCESS_DENIED_QUERY if call.operation == "AssumeRole" and member in call.body else None
        )
    ).install(monkeypatch)
    snapshot = assert_partial(*collect(tmp_path, capsys, "--org"))
    blind = [r for r in snapshot.resources if r.account == member]
    assert blind and {c.status for r in blind for c in r.coverage} == {Status.unknown}


def test_organizations_not_accessible(world, tmp_path, capsys, monkeypatch) -> None:
    Injector(lambda call: ACCESS_DENIED_JSON if call.service == "organizations" else None).install(
        monkeypatch
    )
    snapshot = assert_partial(*collect(tmp_path, capsys, "--org"))
    assert {e.service for e in snapshot.errors} == {"organizations"}
    assert status(snapshot, world.logged_vpc, "vpc-flow-logs") == {Status.logged}
