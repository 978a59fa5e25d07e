"""`blindspot collect` as a user runs it: files, stdout, exit codes, and a real process
against moto server through AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from api_world import build_world
from botocore.exceptions import ClientError
from moto import mock_aws

from blindspot.cli import build_parser, main
from blindspot.commands import collect as collect_command
from collectors.collect import Collaborators
from snapshot.io import load_snapshot

ROOT = Path(__file__).resolve().parents[2]


def run_collect(argv: list[str], parts: Collaborators) -> int:
    """`blindspot collect ARGV` in process, with some of its parts swapped."""
    args = build_parser().parse_args(["collect", *argv])
    args.owns_process = False
    return collect_command.run(args, parts)


@pytest.fixture(autouse=True)
def _separate_moto_accounts(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@mock_aws
def test_collect_writes_a_snapshot_and_says_so(tmp_path, capsys) -> None:
    boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.8.0.0/16")
    out = tmp_path / "snap.json.gz"
    code = main(["collect", "-o", str(out), "--source", "api", "--no-coverage"])
    captured = capsys.readouterr()
    assert code == 0
    snapshot = load_snapshot(out)
    assert any(r.type == "AWS::EC2::VPC" for r in snapshot.resources)
    assert snapshot.scope.source == "api" and snapshot.scope.regions == ["us-east-1"]
    assert captured.out == ""
    summary = captured.err.strip().splitlines()[-1]
    assert summary.startswith("blindspot: complete: 1 accounts, 1 account-regions")
    assert "API calls" in summary


@mock_aws
def test_output_dash_puts_only_the_snapshot_on_stdout(capsys) -> None:
    code = main(["collect", "-o", "-", "--source", "api", "--no-coverage"])
    captured = capsys.readouterr()
    assert code == 0
    document = json.loads(captured.out)  # nothing but the JSON document
    assert document["schema_version"] == 1 and document["resources"]
    assert "blindspot:" in captured.err


@mock_aws
def test_quiet_prints_nothing(tmp_path, capsys) -> None:
    code = main(["collect", "-o", str(tmp_path / "s.json"), "--quiet", "--no-coverage"])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == "" and captured.out == ""


@mock_aws
def test_a_partial_collection_exits_3_and_still_writes(tmp_path, capsys) -> None:
    def denying_session(profile: str | None) -> boto3.Session:
        session = boto3.Session(profile_name=profile)

        def deny(model, **_):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, model.name)

        session.events.register("before-call.rds.DescribeDBInstances", deny)
        return session

    out = tmp_path / "partial.json"
    code = run_collect(
        ["-o", str(out), "--source", "api", "--no-coverage"],
        Collaborators(make_session=denying_session),
    )
    assert code == 3
    snapshot = load_snapshot(out)
    assert [(e.service, e.operation) for e in snapshot.errors] == [("rds", "DescribeDBInstances")]
    assert "PARTIAL" in capsys.readouterr().err


def test_no_credentials_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    out = tmp_path / "never.json"
    code = main(["collect", "-o", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and "no AWS credentials" in err and "Traceback" not in err


def test_an_unknown_profile_is_exit_2(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    code = main(["collect", "-o", str(tmp_path / "x.json"), "--profile", "nope", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "nope" in err and err.count("\n") == 1


@mock_aws
def test_ctrl_c_writes_nothing_and_exits_130(tmp_path, capsys) -> None:
    def interrupted(aws, inventory, *, facts):
        raise KeyboardInterrupt  # as Ctrl-C lands while a region is being probed

    out = tmp_path / "snap.json"
    code = run_collect(["-o", str(out), "--source", "api"], Collaborators(probe_region=interrupted))
    err = capsys.readouterr().err
    assert code == 130 and not out.exists()
    assert not list(tmp_path.iterdir())  # no temporary file left either
    assert "interrupted: nothing written" in err


def test_usage_mistakes_are_exit_2(tmp_path, capsys) -> None:
    out = str(tmp_path / "x.json")
    assert main(["collect", "-o", out, "--regions", ","]) == 2
    assert main(["collect", "-o", out, "--workers", "0"]) == 2
    assert main(["collect", "-o", out, "--aggregator", "a", "--config-files", "f"]) == 2


def test_service_concurrency_reaches_the_collection(tmp_path, monkeypatch, capsys) -> None:
    """`--service-concurrency N` is the limit of the contexts the collection makes; without
    it, BLINDSPOT_SERVICE_CONCURRENCY; a malformed value is a one-line usage error."""
    from collectors.aws import concurrency

    seen: list[int] = []

    def probe(aws, inventory, *, facts):
        seen.append(concurrency.shared_limiter().limit)
        raise KeyboardInterrupt  # seen enough: stop before any call

    out = ["-o", str(tmp_path / "s.json"), "--source", "api"]
    with mock_aws():
        run_collect([*out, "--service-concurrency", "2"], Collaborators(probe_region=probe))
        monkeypatch.setenv("BLINDSPOT_SERVICE_CONCURRENCY", "7")
        run_collect(out, Collaborators(probe_region=probe))
        assert seen == [2, 7]
        monkeypatch.setenv("BLINDSPOT_SERVICE_CONCURRENCY", "many")
        capsys.readouterr()
        assert main(["collect", *out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "BLINDSPOT_SERVICE_CONCURRENCY" in err
    with pytest.raises(SystemExit) as refused:
        main(["collect", *out, "--service-concurrency", "-1"])
    assert refused.value.code == 2


# -- a real process against moto server ----------------------------------------------------


def _member_session(endpoint: str, account: str) -> boto3.Session:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="test-setup",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@pytest.mark.slow
def test_collect_process_against_moto_server_matches_what_was_created(tmp_path) -> None:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        org = boto3.client("organizations", region_name="us-east-1", endpoint_url=endpoint)
        org.create_organization(FeatureSet="ALL")
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        members = [
            org.create_account(AccountName=f"team-{i}", Email=f"t{i}@example.com")[
                "CreateAccountStatus"
            ]["AccountId"]
            for i in range(2)
        ]
        worlds = []
        started = time.monotonic()
        for account in [management, *members]:
            session = (
                boto3.Session() if account == management else _member_session(endpoint, account)
            )

            def client(service, region, session=session):
                return session.client(service, region_name=region, endpoint_url=endpoint)

            for index, region in enumerate(("us-east-1", "eu-west-1")):
                worlds.append(
                    build_world(
                        client,
                        account,
                        region,
                        prefix="w",
                        extra_instances=8,
                        extra_buckets=2,
                        extra_log_groups=8,
                        global_services=index == 0,
                    )
                )
        created_in = time.monotonic() - started

        out = tmp_path / "org.json.gz"
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_MAX_ATTEMPTS": "2",
        }
        env.pop("MOTO_ACCOUNT_ID", None)
        command = [sys.executable, "-m", "blindspot", "collect", "-o", str(out), "--org"]
        command += ["--regions", "us-east-1,eu-west-1", "--source", "api", "--no-coverage"]
        started = time.monotonic()
        process = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        collected_in = time.monotonic() - started
        assert process.returncode == 0, process.stderr[-3000:]
        assert process.stdout == ""
        assert "blindspot: complete: 3 accounts, 6 account-regions" in process.stderr
        assert "blindspot: collected: accounts 3/3  regions 6/6" in process.stderr  # progress
        assert collected_in < 60, (created_in, collected_in)

        snapshot = load_snapshot(out)
        ids = {r.id: r for r in snapshot.resources}
        edges = {(rel.source, rel.name, rel.target) for rel in snapshot.relationships}
        real = [r for r in snapshot.resources if not r.is_pseudo]
        assert len(real) >= 300
        assert {a.id for a in snapshot.accounts} == {management, *members}
        for world in worlds:
            for key, arn in world.ids.items():
                assert arn in ids, (world.account, world.region, key)
                assert ids[arn].account == world.account
            mine = [r for r in real if r.account == world.account and r.region == world.region]
            assert sum(r.type == "AWS::EC2::Instance" for r in mine) == world.counts["instances"]
            assert sum(r.type == "AWS::Logs::LogGroup" for r in mine) == world.counts["log_groups"]
            assert sum(r.type == "AWS::S3::Bucket" for r in mine) == world.counts["buckets"]
            w = world.ids
            assert {
                (w["instance"], "Is contained in Subnet", w["subnet_a"]),
                (w["alb"], "Is associated with SecurityGroup", w["sg"]),
                (w["tg"], "Is associated with Instance", w["instance"]),
                (w["function"], "Is contained in Subnet", w["subnet_b"]),
                (w["web_acl"], "Is associated with LoadBalancer", w["alb"]),
                (w["alb_eni"], "Is attached to LoadBalancer", w["alb"]),
                (w["rest_stage"], "Is contained in RestApi", w["rest_api"]),
                (w["db"], "Is associated with DBSubnetGroup", w["db_subnet_group"]),
            } <= edges
    finally:
        server.stop()


# -- the progress display ----------------------------------------------------------------


class _Tty:
    """A stderr stand-in that says it is a terminal."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _drive(progress) -> None:
    with progress:
        progress("plan", {"accounts": 2, "regions": 3})
        progress("region-start", {"account": "111111111111", "region": "[bold]x"})
        progress("service", {"account": "111111111111", "region": "eu-west-1", "service": "ec2"})
        progress("resources", {"account": "111111111111", "region": "eu-west-1", "count": 7})
        progress("error", {"account": "111111111111", "region": "eu-west-1"})
        progress("error", {"account": "222222222222", "region": "eu-west-1"})  # still running
        # Done: its final count includes the probes' errors, reported only now.
        progress("region-done", {"account": "111111111111", "region": "eu-west-1", "errors": 3})


def test_progress_modes_follow_the_terminal() -> None:
    import io

    from blindspot.progress import CollectProgress, LiveProgress, PlainProgress, make_progress

    assert type(make_progress(quiet=True, stream=_Tty())) is CollectProgress
    assert isinstance(make_progress(stream=io.StringIO()), PlainProgress)
    tty = _Tty()
    live = make_progress(stream=tty)
    assert isinstance(live, LiveProgress)
    _drive(live)
    assert live.summary() == ("accounts 1/2  regions 1/3  services 1  resources 7  errors 4")
    plain_stream = io.StringIO()
    _drive(PlainProgress(plain_stream))
    assert plain_stream.getvalue().endswith(
        "blindspot: collected: accounts 1/2  regions 1/3  services 1  resources 7  errors 4\n"
    )
