"""AWS Config recorder, GuardDuty, Detective and Security Hub, through the real probes.

moto has no Detective: its decisions are tested on responses
validated by botocore's Stubber against the real service model, and the moto run shows the
"not implemented" answer becomes `unknown`, never `missing`.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from inventory_helpers import ACCOUNT, denied, inventory_from_moto, one, region_id, run_probes
from moto import mock_aws

from collectors.aws.session import AwsContext
from collectors.coverage.probes.account import (
    inherit_region_controls,
    probe_config_recorder,
    probe_detective,
    probe_guardduty,
    probe_securityhub,
)
from snapshot.model import Expectation, Status

REGION = "us-east-1"
TYPES = ("AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::S3::Bucket")
ROLE = f"arn:aws:iam::{ACCOUNT}:role/config"


@pytest.fixture
def session():
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("s3").create_bucket(Bucket="config-bucket")
        yield session


def _recorder(session, group, *, channel=True, start=True):
    config = session.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE, "recordingGroup": group}
    )
    if channel:
        config.put_delivery_channel(
            DeliveryChannel={
                "name": "default",
                "s3BucketName": "config-bucket",
                "s3KeyPrefix": "cfg",
            }
        )
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def _run(session, *probes):
    inventory = inventory_from_moto(session, types=TYPES)
    return run_probes(session, inventory, *probes), inventory


def _first(inventory, rtype):
    return sorted(inventory.of_type(rtype), key=lambda i: i.id)[0].id


# --- Config recorder ------------------------------------------------------------------------


def test_recorder_of_all_types_with_channel_is_logged_for_region_and_resources(session):
    _recorder(session, {"allSupported": True, "includeGlobalResourceTypes": True})
    ctx, inventory = _run(session, probe_config_recorder, inherit_region_controls)
    region = one(ctx, region_id(), "config-recorder")
    assert region.status is Status.logged
    assert "recording=true" in region.evidence
    assert region.destination == "arn:aws:s3:::config-bucket/cfg"
    vpc = one(ctx, _first(inventory, "AWS::EC2::VPC"), "config-recorder")
    assert vpc.status is Status.logged and vpc.inherited_from == region_id()


def test_no_recorder_is_missing(session):
    ctx, inventory = _run(session, probe_config_recorder, inherit_region_controls)
    assert one(ctx, region_id(), "config-recorder").status is Status.missing
    assert one(ctx, _first(inventory, "AWS::EC2::VPC"), "config-recorder").status is (
        Status.missing
    )


def test_stopped_recorder_is_missing(session):
    _recorder(session, {"allSupported": True}, start=False)
    ctx, _ = _run(session, probe_config_recorder)
    region = one(ctx, region_id(), "config-recorder")
    assert region.status is Status.missing and "recording=false" in region.evidence


def test_recorder_of_listed_types_is_partial_and_decides_per_type(session):
    _recorder(session, {"allSupported": False, "resourceTypes": ["AWS::EC2::VPC"]})
    ctx, inventory = _run(session, probe_config_recorder, inherit_region_controls)
    assert one(ctx, region_id(), "config-recorder").status is Status.partial
    assert one(ctx, _first(inventory, "AWS::EC2::VPC"), "config-recorder").status is (Status.logged)
    subnet = one(ctx, _first(inventory, "AWS::EC2::Subnet"), "config-recorder")
    assert subnet.status is Status.missing and "excludes AWS::EC2::Subnet" in subnet.evidence


def test_config_denied_is_unknown(session):
    _recorder(session, {"allSupported": True})
    inventory = inventory_from_moto(session, types=TYPES)
    aws = AwsContext(session, account=ACCOUNT)
    with denied(aws, "config", "DescribeConfigurationRecorders"):
        ctx = run_probes(
            session, inventory, probe_config_recorder, inherit_region_controls, aws=aws
        )
    assert one(ctx, region_id(), "config-recorder").status is Status.unknown
    assert one(ctx, _first(inventory, "AWS::EC2::VPC"), "config-recorder").status is (
        Status.unknown
    )
    assert ctx.errors[0].code == "AccessDenied"


# --- GuardDuty ------------------------------------------------------------------------------


def test_guardduty_enabled_disabled_and_absent(session):
    ctx, _ = _run(session, probe_guardduty)
    assert one(ctx, region_id(), "guardduty").status is Status.missing

    guardduty = session.client("guardduty")
    detector = guardduty.create_detector(Enable=True)["DetectorId"]
    ctx, _ = _run(session, probe_guardduty)
    record = one(ctx, region_id(), "guardduty")
    assert record.status is Status.logged and detector in record.evidence

    guardduty.update_detector(DetectorId=detector, Enable=False)
    ctx, _ = _run(session, probe_guardduty)
    record = one(ctx, region_id(), "guardduty")
    assert record.status is Status.missing and "DISABLED" in record.evidence


def test_guardduty_denied_is_unknown(session):
    inventory = inventory_from_moto(session, types=TYPES)
    aws = AwsContext(session, account=ACCOUNT)
    with denied(aws, "guardduty", "ListDetectors"):
        ctx = run_probes(session, inventory, probe_guardduty, aws=aws)
    assert one(ctx, region_id(), "guardduty").status is Status.unknown


# --- Security Hub ---------------------------------------------------------------------------


def test_securityhub_not_enabled_is_missing(session):
    ctx, _ = _run(session, probe_securityhub)
    record = one(ctx, region_id(), "securityhub")
    assert record.status is Status.missing and record.expectation is Expectation.extended
    assert not ctx.errors  # "not subscribed" is an answer, not a failure


def test_securityhub_enabled_in_moto_without_get_enabled_standards_is_unknown(session):
    # moto 5.2.5 answers GetEnabledStandards with 404 "Not yet implemented".
    session.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    ctx, _ = _run(session, probe_securityhub)
    record = one(ctx, region_id(), "securityhub")
    assert record.status is Status.unknown
    assert [e.operation for e in ctx.errors] == ["GetEnabledStandards"]


def _stubbed_ctx(session, service, responses):
    """A probe context whose `service` client answers from Stubber-validated responses."""
    inventory = inventory_from_moto(session, types=("AWS::EC2::VPC",))
    aws = AwsContext(session, account=ACCOUNT)
    client = aws.client(service, REGION)
    stubber = Stubber(client)
    for operation, response in responses:
        if isinstance(response, str):
            stubber.add_client_error(operation, service_error_code=response)
        else:
            stubber.add_response(operation, response)
    stubber.activate()
    return run_probes(session, inventory, aws=aws), stubber


def test_securityhub_with_a_standard_is_logged_on_aws_shaped_responses(session):
    hub = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:hub/default"
    ctx, stubber = _stubbed_ctx(
        session,
        "securityhub",
        [
            ("describe_hub", {"HubArn": hub, "SubscribedAt": "2026-01-01T00:00:00Z"}),
            (
                "get_enabled_standards",
                {
                    "StandardsSubscriptions": [
                        {
                            "StandardsSubscriptionArn": f"{hub}/sub/cis",
                            "StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations"
                            "-benchmark/v/1.2.0",
                            "StandardsInput": {},
                            "StandardsStatus": "READY",
                        }
                    ]
                },
            ),
        ],
    )
    probe_securityhub(ctx)
    stubber.assert_no_pending_responses()
    record = one(ctx, region_id(), "securityhub")
    assert record.status is Status.logged and "cis-aws-foundations" in record.evidence


def test_securityhub_without_standards_is_partial_on_aws_shaped_responses(session):
    hub = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:hub/default"
    ctx, _ = _stubbed_ctx(
        session,
        "securityhub",
        [
            ("describe_hub", {"HubArn": hub}),
            ("get_enabled_standards", {"StandardsSubscriptions": []}),
        ],
    )
    probe_securityhub(ctx)
    record = one(ctx, region_id(), "securityhub")
    assert record.status is Status.partial and "no enabled standard" in record.evidence


# --- Detective (not in moto: Stubber-validated responses) ------------------------------------


def test_detective_graph_is_logged(session):
    graph = f"arn:aws:detective:{REGION}:{ACCOUNT}:graph:0123456789abcdef"
    ctx, stubber = _stubbed_ctx(
        session, "detective", [("list_graphs", {"GraphList": [{"Arn": graph}]})]
    )
    probe_detective(ctx)
    stubber.assert_no_pending_responses()
    record = one(ctx, region_id(), "detective")
    assert record.status is Status.logged and record.destination == graph


def test_detective_membership_is_logged_and_nothing_is_missing(session):
    graph = f"arn:aws:detective:{REGION}:111111111111:graph:0123456789abcdef"
    ctx, _ = _stubbed_ctx(
        session,
        "detective",
        [
            ("list_graphs", {"GraphList": []}),
            (
                "list_invitations",
                {"Invitations": [{"AccountId": ACCOUNT, "GraphArn": graph, "Status": "ENABLED"}]},
            ),
        ],
    )
    probe_detective(ctx)
    assert one(ctx, region_id(), "detective").status is Status.logged

    ctx, _ = _stubbed_ctx(
        session,
        "detective",
        [("list_graphs", {"GraphList": []}), ("list_invitations", {"Invitations": []})],
    )
    probe_detective(ctx)
    assert one(ctx, region_id(), "detective").status is Status.missing


def test_detective_denied_or_absent_in_moto_is_unknown(session):
    ctx, _ = _stubbed_ctx(session, "detective", [("list_graphs", "AccessDeniedException")])
    probe_detective(ctx)
    record = one(ctx, region_id(), "detective")
    assert record.status is Status.unknown and "AccessDeniedException" in record.evidence

    ctx, _ = _run(session, probe_detective)  # moto: "Not yet implemented"
    assert one(ctx, region_id(), "detective").status is Status.unknown
    assert ctx.errors and ctx.errors[0].service == "detective"
