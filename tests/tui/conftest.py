"""Explorer test fixtures; the environment that changes Textual's output is pinned here.

SVG snapshots compare text, and NO_COLOR, TEXTUAL_THEME, COLORTERM or a colour-system
override in a developer's shell change it (tui-anchors.md 4.2), so they are removed before
Textual is imported; DEFAULT_THEME is read at import time. The catalogue is being filled
as the product grows, so tests that show remediation text use a fixed catalogue of their
own instead of the live one.
"""

from __future__ import annotations

import os

for _name in (
    "NO_COLOR",
    "TEXTUAL_THEME",
    "FORCE_COLOR",
    "TEXTUAL_COLOR_SYSTEM",
    "COLORTERM",
    "TEXTUAL_FPS",
    "ESCDELAY",
):
    os.environ.pop(_name, None)
os.environ["TEXTUAL_ANIMATIONS"] = "none"

import pytest  # noqa: E402

from snapshot.catalogue import Control  # noqa: E402
from snapshot.model import Expectation, Layer  # noqa: E402

from .fixtures import build_snapshot  # noqa: E402

FIXED_CATALOGUE = {
    "vpc-flow-logs": Control(
        id="vpc-flow-logs",
        layer=Layer.network,
        title="VPC Flow Logs (ALL traffic)",
        resource_types=("AWS::EC2::VPC",),
        expectation=Expectation.baseline,
        evaluated_by="ec2:DescribeFlowLogs",
        logs_land_in="CloudWatch Logs group or S3 bucket",
        remediation="aws ec2 create-flow-logs --resource-type VPC --resource-ids vpc-0prod "
        "--traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::logs",
        first_query="fields @timestamp, srcAddr, dstAddr | filter action = 'REJECT'",
    ),
    "cloudwatch-agent": Control(
        id="cloudwatch-agent",
        layer=Layer.host,
        title="CloudWatch agent on EC2",
        resource_types=("AWS::EC2::Instance",),
        expectation=Expectation.baseline,
        evaluated_by="cloudwatch:ListMetrics CWAgent",
        logs_land_in="CloudWatch Logs",
        remediation="aws ssm send-command --document-name AmazonCloudWatch-ManageAgent",
        first_query="fields @timestamp, @message | sort @timestamp desc | limit 50",
    ),
}


@pytest.fixture(autouse=True)
def fixed_catalogue(monkeypatch: pytest.MonkeyPatch) -> dict[str, Control]:
    """The explorer sees only FIXED_CATALOGUE (others' catalogue edits cannot flip tests)."""
    monkeypatch.setattr("tui.screens.detail.CONTROLS_BY_ID", FIXED_CATALOGUE)
    return FIXED_CATALOGUE


@pytest.fixture
def snapshot_model():
    return build_snapshot()


@pytest.fixture
def make_app(tmp_path):
    """A BlindspotApp over the fixture organization, exporting into tmp_path."""
    from tui.app import BlindspotApp

    def factory(**kwargs):
        kwargs.setdefault("snapshot", build_snapshot())
        kwargs.setdefault("export_dir", tmp_path)
        return BlindspotApp(**kwargs)

    return factory


@pytest.fixture(autouse=True)
def display_modes_reset():
    """`--ascii` and NO_COLOR set module-wide display modes in tui.safe (per app, at its
    start); reset them after each test so that a later test without an app sees neither."""
    yield
    from tui import safe

    safe.use_ascii(False)
    safe.use_no_color(False)
