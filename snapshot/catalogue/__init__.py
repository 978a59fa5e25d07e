"""The coverage catalogue: every control blindspot evaluates, as data.

Each layer's controls are one table in `catalogue/<layer>.py` (a tuple of `Control` rows,
one row a control, readable top to bottom); `CATALOGUE` joins them in layer order and
`blindspot controls` prints it. Probes look their controls up here by id, so titles,
remediation and queries live in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from snapshot.model import Expectation, Layer


@dataclass(frozen=True, slots=True)
class Control:
    id: str  # stable id used in snapshots, e.g. "vpc-flow-logs"
    layer: Layer
    title: str
    resource_types: tuple[str, ...]  # AWS Config type names the control applies to
    expectation: Expectation
    evaluated_by: str  # "ec2:DescribeFlowLogs FlowLogs[].ResourceId/TrafficType"
    logs_land_in: str  # where the logs go, e.g. "CloudWatch Logs group or S3 bucket"
    remediation: str  # the AWS CLI command that turns it on
    first_query: str  # one first-response query (Athena SQL or Logs Insights)
    attack_data_components: tuple[str, ...] = field(default=())  # MITRE ATT&CK
    partial_when: str = ""  # what makes it `partial` rather than `logged`
    #: The configuration-item fields that decide it ("" = AWS Config does not record it).
    item_fields: str = ""
    #: The call that fills what the item lacks: the direct-API source makes it, a Config
    #: source needs it only where the item does not hold the setting, and a run with no
    #: credential for the account records `unknown` naming it.
    fill_call: str = ""


def _load() -> tuple[Control, ...]:
    from snapshot.catalogue import access, account, across, database, host, network, serverless

    rows: list[Control] = []
    for module in (account, host, database, network, access, serverless, across):
        rows.extend(module.CONTROLS)
    return tuple(rows)


CATALOGUE: tuple[Control, ...] = _load()
CONTROLS_BY_ID: dict[str, Control] = {control.id: control for control in CATALOGUE}


def control(control_id: str) -> Control:
    """The catalogue row for a control id (KeyError names the id)."""
    return CONTROLS_BY_ID[control_id]
