"""Account-layer controls decided from AWS Config's items.

The account probes (`.account`, `.account_detection`) read these first: with no credential
for the account (delivered files, an aggregator member account) they decide all they can;
with one, what AWS Config's items hold decides without a call and only the rest is asked.
The evaluation is the account probe's own (`_management`, `_data_event_status`,
`_integrity`); only the facts come from items:

* trails: `AWS::CloudTrail::Trail` items of every region of the account (a multi-region
  trail homed elsewhere covers this region too), read in either shape: the Describe shape
  Config has long used (`isMultiRegionTrail`, `logFileValidationEnabled`, no logging
  status, no selectors) and the CloudFormation shape (`IsLogging`, `EventSelectors`,
  `AdvancedEventSelectors`, `InsightSelectors`). What an item does not hold is a call
  (GetTrailStatus, GetEventSelectors, GetInsightSelectors) that is not made: the control is
  `unknown`, naming it, unless what was seen already decides `logged`;
* the Config recorder: the items themselves show AWS Config recorded the region and each
  resource (a resource's own item is the evidence it is recorded);
* GuardDuty, Detective, Security Hub: their items (`AWS::GuardDuty::Detector`,
  `AWS::Detective::Graph`, `AWS::SecurityHub::Hub` / `Standard`); a missing detector is
  `missing` only where Config records the detector type in the region. What the items do
  not decide is the call's (with a credential) or `unknown`, naming it (without).
"""

from __future__ import annotations

from typing import Any

from snapshot.model import GLOBAL_REGION, PSEUDO_TYPES, Status, region_node_id

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..items import (
    RECORDER,
    Recording,
    camel,
    from_config,
    has,
    item_operation,
    lookup,
    no_credential,
    records_here,
)
from ..records import record
from ..resolve import resources_of
from ..trails import item_facts

TRAIL = "AWS::CloudTrail::Trail"
DETECTOR = "AWS::GuardDuty::Detector"
GRAPH = "AWS::Detective::Graph"
HUB = "AWS::SecurityHub::Hub"
STANDARD = "AWS::SecurityHub::Standard"
TRAIL_CALLS = "cloudtrail:GetTrailStatus IsLogging; cloudtrail:GetEventSelectors"


def _trail_items(ctx: ProbeContext) -> list[CollectedResource]:
    seen = {i.id: i for i in ctx.inventory.account_items.values() if i.type == TRAIL}
    seen.update({i.id: i for i in ctx.inventory.of_type(TRAIL)})
    return list(seen.values())


def _unless_logged(ctx: ProbeContext, decision: dict[str, Any], call: str) -> dict[str, Any]:
    """A decision from items stands when `logged`; anything less may hide an unread trail."""
    if decision["status"] is Status.logged:
        return decision
    seen = decision["evidence"]
    return {
        **decision,
        "status": Status.unknown,
        "evidence": no_credential(ctx.account, call),
        "operation": call.split(" ", 1)[0],
        "destination": None,
        "notes": [*decision.get("notes", []), f"from AWS Config's trail items: {seen}"],
    }


def cloudtrail_from_items(ctx: ProbeContext) -> None:
    from .account import (
        _DATA_CONTROLS,
        SHARED_MANAGEMENT,
        _data_event_status,
        _integrity,
        _management,
    )

    region_id = region_node_id(ctx.account, ctx.region)
    every = [item_facts(item) for item in _trail_items(ctx)]
    trails = [facts for facts in every if facts.covers(ctx.region)]
    fields = "logFileValidationEnabled, kmsKeyId"
    for item in ctx.inventory.of_type(TRAIL):
        _integrity(ctx, item_facts(item), operation=item_operation(TRAIL, fields))
    decision = _unless_logged(ctx, _management(ctx, trails, ctx.region), TRAIL_CALLS)
    record(ctx, region_id, "cloudtrail-management-events", **decision)
    global_trails = [f for f in every if f.covers(GLOBAL_REGION)]
    ctx.shared[SHARED_MANAGEMENT] = {
        ctx.region: decision,
        GLOBAL_REGION: _unless_logged(
            ctx, _management(ctx, global_trails, GLOBAL_REGION), TRAIL_CALLS
        ),
    }
    for control_id, rtype, kind in _DATA_CONTROLS:
        for item in resources_of(ctx.inventory, [rtype]):
            covering = [f for f in every if f.covers(item.resource.region)]
            status = _data_event_status(ctx, covering, kind, item)
            status = _unless_logged(ctx, status, "cloudtrail:GetEventSelectors")
            record(ctx, item.id, control_id, **status)
    wanted = {"ApiCallRateInsight", "ApiErrorRateInsight"}
    carrier = next((f for f in trails if f.is_logging and set(f.insight_types) >= wanted), None)
    if carrier is not None:
        record(
            ctx,
            region_id,
            "cloudtrail-insights",
            Status.logged,
            f"{item_operation(TRAIL, 'InsightSelectors')}: {carrier.name} "
            f"InsightType={', '.join(carrier.insight_types)}",
            destination=carrier.destination,
            operation=item_operation(TRAIL, "InsightSelectors"),
        )
    else:
        call = "cloudtrail:GetInsightSelectors"
        record(
            ctx,
            region_id,
            "cloudtrail-insights",
            Status.unknown,
            no_credential(ctx.account, call),
            operation=call,
        )


def config_recorder_from_items(ctx: ProbeContext) -> dict[str, Any]:
    """The region's recorder decision from the items Config delivered for it.

    Items of the region are AWS Config's own record of it: the recorder recorded here.
    Whether it still records, and its delivery channel, are calls not made (notes).
    """
    region_id = region_node_id(ctx.account, ctx.region)
    recorded = [
        i
        for i in ctx.inventory.resources.values()
        if i.type not in PSEUDO_TYPES and i.resource.region == ctx.region
    ]
    recording = Recording.of(ctx.inventory)
    group = dict(recording.group) if recording.group is not None else None
    types = sorted({i.type for i in recorded})
    call = "config:DescribeConfigurationRecorderStatus"
    if not recorded:
        decision: dict[str, Any] = {
            "status": Status.unknown,
            "evidence": no_credential(ctx.account, call),
            "notes": ["no AWS Config item of this region"],
        }
    else:
        notes = [
            "recording status and delivery channel are not in the items: "
            "config:DescribeConfigurationRecorderStatus / DescribeDeliveryChannels not made"
        ]
        partial = group is not None and not (
            group.get("allSupported", True)
            and not (group.get("exclusionByResourceTypes") or {}).get("resourceTypes")
        )
        if partial:
            notes.insert(0, "records only selected resource types")
        decision = {
            "status": Status.partial if partial else Status.logged,
            "evidence": (
                f"config: AWS Config items of {len(recorded)} resources of {len(types)} "
                "types recorded in this region"
            ),
            "notes": notes,
        }
    record(
        ctx,
        region_id,
        "config-recorder",
        decision["status"],
        decision["evidence"],
        operation=call if decision["status"] is Status.unknown else "config:items",
        notes=decision["notes"],
    )
    return {**decision, "group": group, "destination": None, "from_items": True}


def recorder_reads_from_items(ctx: ProbeContext) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """What DescribeConfigurationRecorders and ...Status would return, from AWS Config's
    items of the region's recorders when every one holds `Recording` and `RecordingGroup`
    (no `lastStatus`: the items do not hold it); None when they do not decide."""
    items = _config_items(ctx, RECORDER)
    if not items or not all(
        has(i.configuration, "Recording") and has(i.configuration, "RecordingGroup") for i in items
    ):
        return None
    recorders, statuses = [], []
    for item in items:
        name = str(lookup(item.configuration, "Name") or item.resource.name)
        recorders.append(
            {
                "name": name,
                "roleARN": lookup(item.configuration, "RoleARN"),
                "recordingGroup": camel(lookup(item.configuration, "RecordingGroup") or {}),
            }
        )
        recording = lookup(item.configuration, "Recording")
        if isinstance(recording, str):  # a JSON string in some items
            recording = recording.lower() == "true"
        statuses.append({"name": name, "recording": bool(recording)})
    return {"ConfigurationRecorders": recorders}, {"ConfigurationRecordersStatus": statuses}


def config_for_item(ctx: ProbeContext, item: CollectedResource, region_id: str) -> None:
    """A resource Config delivered an item for is recorded by Config: its item says so."""
    record(
        ctx,
        item.id,
        "config-recorder",
        Status.logged,
        f"config: AWS Config recorded this {item.type} (its configuration item)",
        inherited_from=region_id,
        operation="config:items",
    )


def region_record(
    ctx: ProbeContext, control_id: str, status: Status, evidence: str, operation: str, **kw: Any
) -> None:
    """Record a control of the account-region pseudo-resource."""
    record(
        ctx,
        region_node_id(ctx.account, ctx.region),
        control_id,
        status,
        evidence,
        operation=operation,
        **kw,
    )


def _undecided(ctx: ProbeContext, control_id: str, call: str) -> bool:
    """The items do not decide: without a credential the control is `unknown`, naming the
    call not made (True: recorded); with one the caller makes the call (False)."""
    if ctx.aws is not None:
        return False
    call_name = call.split(";", 1)[0]
    region_record(ctx, control_id, Status.unknown, no_credential(ctx.account, call), call_name)
    return True


def _config_items(ctx: ProbeContext, resource_type: str) -> list[CollectedResource]:
    return [i for i in ctx.inventory.of_type(resource_type) if from_config(ctx.aws, i)]


def guardduty_from_items(ctx: ProbeContext) -> bool:
    """The region's GuardDuty detector item (one detector per account and region).

    True when the items decided; False when they do not and the run has a credential (the
    caller calls). A missing detector decides `missing` only where Config records the type.
    """
    detectors = _config_items(ctx, DETECTOR)
    if not all(has(d.configuration, "Enable") or has(d.configuration, "Status") for d in detectors):
        return _undecided(ctx, "guardduty", "guardduty:ListDetectors")  # an item lacks them
    operation = item_operation(DETECTOR, "Enable / Status")
    enabled = [
        d
        for d in detectors
        if lookup(d.configuration, "Enable") is True
        or str(lookup(d.configuration, "Status") or "").upper() == "ENABLED"
    ]
    if enabled:
        features = camel(lookup(enabled[0].configuration, "DataSources") or {})
        region_record(
            ctx,
            "guardduty",
            Status.logged,
            f"{operation}: detector {enabled[0].resource.resource_id} enabled",
            operation,
            notes=[f"data sources: {', '.join(sorted(features))}"] if features else [],
        )
    elif detectors:
        said = f"detector {detectors[0].resource.resource_id} is not enabled"
        region_record(ctx, "guardduty", Status.missing, f"{operation}: {said}", operation)
    elif records_here(ctx, DETECTOR):
        said = f"config: AWS Config records {DETECTOR} in this region and holds none"
        region_record(ctx, "guardduty", Status.missing, said, item_operation(DETECTOR, ""))
    else:
        return _undecided(ctx, "guardduty", "guardduty:ListDetectors")
    return True


def detective_from_items(ctx: ProbeContext) -> bool:
    """A behavior graph item of the account; membership of another's graph is a call.

    True when the items decided; False when the caller calls (with a credential).
    """
    graphs = _config_items(ctx, GRAPH)
    if not graphs:  # a member of another account's graph owns none: only ListInvitations tells
        return _undecided(ctx, "detective", "detective:ListGraphs; detective:ListInvitations")
    operation = item_operation(GRAPH, "")
    said = f"{operation}: behavior graph {graphs[0].id}"
    region_record(ctx, "detective", Status.logged, said, operation, destination=graphs[0].id)
    return True


def securityhub_from_items(ctx: ProbeContext) -> bool:
    """Security Hub standards subscriptions (items) show the hub is on with a standard.

    True when the items decided; False when the caller calls (with a credential).
    """
    standards = _config_items(ctx, STANDARD)
    if not standards:
        hubs = _config_items(ctx, HUB)
        call = "securityhub:GetEnabledStandards" if hubs else "securityhub:DescribeHub"
        return _undecided(ctx, "securityhub", call)
    names = ", ".join(sorted(s.resource.name or s.id for s in standards))
    operation = item_operation(STANDARD, "")
    said = f"{operation}: Security Hub with {names}"
    region_record(ctx, "securityhub", Status.logged, said, operation)
    return True
