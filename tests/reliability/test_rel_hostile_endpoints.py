"""Hostile endpoints: bad answers are `unknown` plus an error, silent ones cost a deadline.

`blindspot collect` runs as a user runs it (a subprocess, `AWS_ENDPOINT_URL` pointing at a
real HTTP server on 127.0.0.1, see hostile_http.py) against endpoints that answer HTTP 200
with an empty body, an HTML page or a body cut short, that drip one byte at a time, or that
never answer. botocore parses the first three into `{}`, which the probes used to read as
"no trail, no detector, no recorder": `missing`, with no error. A dripping endpoint beat the
per-socket read timeout forever.

Protections (collectors/aws/answers.py, collectors/aws/deadlines.py); each test below
fails with its protection patched out (checked by hand: `install_answer_check` /
`install_deadlines` returning the client untouched).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from hostile_http import hostile_server
from moto import mock_aws

from collectors.aws.answers import MalformedResponseError
from collectors.aws.deadlines import CallDeadlineExceeded
from collectors.aws.limits import Limits
from collectors.aws.session import AwsContext
from snapshot.io import load_snapshot
from snapshot.model import Status

ROOT = Path(__file__).resolve().parents[2]
#: Region-level controls whose probes read CloudTrail, GuardDuty and Config.
WATCHED = {
    "cloudtrail-management-events": "cloudtrail",
    "guardduty": "guardduty",
    "config-recorder": "config",
}


def collect_against(url: str, out: Path, *extra: str, timeout: float = 90) -> tuple[int, str]:
    """`blindspot collect` in a child process with every endpoint at `url`."""
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "AKIDREL",
        "AWS_SECRET_ACCESS_KEY": "rel-secret",
        "AWS_MAX_ATTEMPTS": "1",
    }
    env.pop("AWS_SESSION_TOKEN", None)
    command = [sys.executable, "-m", "blindspot", "collect", "-o", str(out)]
    command += ["--regions", "us-east-1", "--source", "api", "--quiet", *extra]
    done = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    return done.returncode, done.stderr


def region_statuses(out: Path) -> dict[str, Status]:
    snapshot = load_snapshot(out)
    return {
        record.control: record.status
        for resource in snapshot.resources
        for record in resource.coverage
        if record.control in WATCHED
    }


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["empty", "html", "truncated"])
def test_a_200_that_is_no_answer_is_unknown_with_an_error(tmp_path, mode) -> None:
    out = tmp_path / "snap.json"
    with hostile_server(mode) as server:
        code, err = collect_against(server.url, out)
    assert code == 3, err  # partial: the errors say why
    assert "Traceback" not in err
    statuses = region_statuses(out)
    assert statuses == dict.fromkeys(WATCHED, Status.unknown)
    snapshot = load_snapshot(out)
    failed = Counter(error.service for error in snapshot.errors)
    for service in WATCHED.values():
        assert failed[service] >= 1, (service, failed)
    # Nothing anywhere may be decided on an answer that was not one.
    decided = {
        (record.control, record.status)
        for resource in snapshot.resources
        for record in resource.coverage
        if record.status in (Status.missing, Status.logged, Status.partial)
    }
    assert decided == set()
    malformed = [e for e in snapshot.errors if e.code == "MalformedResponseError"]
    assert malformed and all("not a real AWS answer" in e.message for e in malformed)


@mock_aws
def test_real_answers_saying_none_are_still_accepted() -> None:
    """The negative case: AWS's own "none exist" answers pass the check untouched."""
    aws = AwsContext(boto3.Session(region_name="us-east-1"))
    assert aws.client("cloudtrail", "us-east-1").describe_trails()["trailList"] == []
    assert aws.client("guardduty", "us-east-1").list_detectors()["DetectorIds"] == []
    recorders = aws.client("config", "us-east-1").describe_configuration_recorders()
    assert recorders["ConfigurationRecorders"] == []
    assert aws.client("ec2", "us-east-1").describe_flow_logs()["FlowLogs"] == []


@pytest.mark.parametrize("mode", ["empty", "html", "truncated"])
def test_one_client_call_raises_the_dedicated_error(mode, monkeypatch) -> None:
    with hostile_server(mode) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        session = boto3.Session(
            aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1"
        )
        aws = AwsContext(session, config=Config(retries={"total_max_attempts": 1}))
        client = aws.client("cloudtrail", "us-east-1")
        with pytest.raises(MalformedResponseError):
            client.describe_trails()


def test_a_dripping_endpoint_hits_the_whole_call_deadline(monkeypatch) -> None:
    """A byte every 0.2 s never trips the 5 s socket timeout; the 1 s deadline ends it.

    (The answer would be complete after 40 x 0.2 s: without the deadline, it is accepted.)
    """
    with hostile_server("drip", drip_seconds=0.2, drip_bytes=40) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        session = boto3.Session(
            aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1"
        )
        config = Config(read_timeout=5, retries={"total_max_attempts": 1})
        aws = AwsContext(session, config=config, limits=Limits(1.0, 60.0))
        client = aws.client("cloudtrail", "us-east-1")
        started = time.monotonic()
        with pytest.raises(CallDeadlineExceeded):
            client.describe_trails()
        assert time.monotonic() - started < 3
        # The service is now known to stall: the next call fails at once, unsent.
        sent = len(server.requests)
        started = time.monotonic()
        with pytest.raises(CallDeadlineExceeded, match="skipped"):
            client.get_trail_status(Name="t")
        assert time.monotonic() - started < 0.5 and len(server.requests) == sent


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["drip", "silent"])
def test_a_stalled_endpoint_costs_the_budget_not_the_run(tmp_path, mode) -> None:
    out = tmp_path / "snap.json"
    started = time.monotonic()
    with hostile_server(mode, drip_seconds=0.5, hold_seconds=40, drip_bytes=80) as server:
        code, err = collect_against(
            server.url, out, "--call-timeout", "1", "--region-budget", "4", timeout=60
        )
    elapsed = time.monotonic() - started
    assert code == 3, err
    assert elapsed < 45, elapsed  # the 4 s budget plus start-up on a shared machine
    assert region_statuses(out) == dict.fromkeys(WATCHED, Status.unknown)
    codes = Counter(error.code for error in load_snapshot(out).errors)
    assert codes["CallDeadlineExceeded"] >= 1, codes
    assert set(codes) <= {"CallDeadlineExceeded", "RegionBudgetExceeded"}, codes
