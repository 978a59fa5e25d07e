"""Account-layer probes: CloudTrail, AWS Config recorder, GuardDuty, Detective, Security Hub.

Region-level decisions live on the account-region pseudo-resource; management events and the
Config recorder are then copied onto every resource of the region (`inherit_region_controls`,
which the runner calls after all probes so that resources other probes add are included),
with `inherited_from` naming the region. Data events are decided per bucket, function and
table from every logging trail's basic and advanced selectors (`..trails`), with
`inherited_from` naming the trail that selects them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session

from snapshot.model import GLOBAL_REGION, Resource, Status, region_node_id
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ...inventory.config_service import RECORDERS, STATUSES
from ..base import ProbeContext
from ..items import CONFIG_SOURCES, RECORDER, is_config_source, item_operation, recorded_by_group
from ..records import OFFLINE_EVIDENCE, offline_capable, record, skipped
from ..resolve import region_resources, resources_of
from ..trails import (
    DYNAMODB_TABLES,
    LAMBDA_FUNCTIONS,
    S3_OBJECTS,
    DataKind,
    Scope,
    TrailFacts,
    data_events,
    management_events,
    trails_covering,
)
from .account_detection import probe_detective, probe_guardduty, probe_securityhub
from .account_items import (
    cloudtrail_from_items,
    config_for_item,
    config_recorder_from_items,
    recorder_reads_from_items,
)

TRAIL = "AWS::CloudTrail::Trail"
#: Note on a management-events record decided by an organization trail; `resolve_across`
#: reads it to extend the trail to member accounts whose own view lacks it.
ORG_TRAIL_NOTE = "organization trail: "
#: ctx.shared keys: region decisions that `inherit_region_controls` copies onto resources.
SHARED_MANAGEMENT = "account.cloudtrail-management-events"
SHARED_CONFIG = "account.config-recorder"


def _region_id(ctx: ProbeContext) -> str:
    return region_node_id(ctx.account, ctx.region)


# --- CloudTrail -------------------------------------------------------------------------


def _trail_account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _add_trail_resource(ctx: ProbeContext, facts: TrailFacts) -> None:
    if facts.arn in ctx.inventory.resources:
        return
    ctx.inventory.add(
        CollectedResource(
            Resource(
                id=facts.arn,
                type=TRAIL,
                account=ctx.account,
                region=ctx.region,
                name=clean_single_line(facts.name),
                resource_id=clean_single_line(facts.name),
                source="api",
            ),
            configuration={k[:1].lower() + k[1:]: v for k, v in facts.trail.items()},
        )
    )


def _integrity(
    ctx: ProbeContext, facts: TrailFacts, operation: str = "cloudtrail:DescribeTrails"
) -> None:
    validation = bool(facts.trail.get("LogFileValidationEnabled"))
    kms = facts.trail.get("KmsKeyId")
    status = (
        Status.logged
        if validation and kms
        else Status.partial
        if validation or kms
        else Status.missing
    )
    notes = []
    if facts.trail.get("CloudWatchLogsLogGroupArn"):
        delivered = facts.status.get("LatestCloudWatchLogsDeliveryTime")
        notes.append(
            f"delivers to CloudWatch Logs {facts.trail['CloudWatchLogsLogGroupArn']}"
            + (f", last delivery {delivered}" if delivered else ", no delivery recorded")
        )
    else:
        notes.append("no CloudWatch Logs delivery (CloudWatchLogsLogGroupArn not set)")
    if facts.is_logging is False:
        notes.append("trail is not logging (GetTrailStatus IsLogging=false)")
    record(
        ctx,
        facts.arn,
        "cloudtrail-integrity",
        status,
        f"{operation}: {facts.name} LogFileValidationEnabled={validation}, "
        f"KmsKeyId={'set' if kms else 'not set'}",
        destination=facts.destination,
        operation=operation,
        notes=notes,
    )


def _unknown_trail(trails: list[TrailFacts], operation: str) -> TrailFacts | None:
    for facts in trails:
        if facts.is_logging is None or (facts.is_logging and operation in facts.failed):
            return facts
    return None


def _management(ctx: ProbeContext, trails: list[TrailFacts], region: str) -> dict[str, Any]:
    """The management-events decision for one region (or `global` service events)."""
    kept: set[str] = set()
    selecting: list[tuple[TrailFacts, set[str]]] = []
    notes: list[str] = []
    for facts in trails:
        if not facts.is_logging or not facts.selectors_known:
            continue
        selected, trail_notes = management_events(facts)
        if selected:
            selecting.append((facts, selected))
            kept |= selected
            notes.extend(trail_notes)
    # The trail named in the evidence: one recording read and write, an org trail first.
    selecting.sort(key=lambda pair: (len(pair[1]) < 2, not pair[0].organization))
    used = [facts for facts, _ in selecting]
    unknown_trail = _unknown_trail(trails, "GetEventSelectors")
    if kept == {"read", "write"}:
        status = Status.logged
    elif unknown_trail is not None:
        status = Status.unknown
    else:
        status = Status.partial if kept else Status.missing
    for facts in used:
        if facts.organization:
            notes.append(ORG_TRAIL_NOTE + facts.arn)
    if status is Status.unknown and unknown_trail is not None:
        failed = ", ".join(f"{op} {code}" for op, code in unknown_trail.failed.items())
        evidence = f"cloudtrail: could not read {unknown_trail.name} ({failed})"
    elif used:
        what = "read+write" if kept == {"read", "write"} else f"{'/'.join(sorted(kept))}-only"
        evidence = (
            f"{used[0].read_by('GetEventSelectors')}: {used[0].describe()} IsLogging=true records "
            f"{what} management events"
        )
    elif trails:
        listed = ", ".join(
            f"{f.name} IsLogging={f.is_logging}"
            + ("" if f.is_logging is False else " (no management events selected)")
            for f in trails
        )
        evidence = (
            f"cloudtrail:GetTrailStatus: no logging trail records management events ({listed})"
        )
    else:
        evidence = f"cloudtrail:DescribeTrails: no trail covers {region}"
    return {
        "status": status,
        "evidence": evidence,
        "destination": used[0].destination if used else None,
        "operation": used[0].read_by("GetEventSelectors") if used else "cloudtrail:DescribeTrails",
        "notes": notes,
    }


def _data_event_status(
    ctx: ProbeContext, trails: list[TrailFacts], kind: DataKind, item: CollectedResource
) -> dict[str, Any]:
    best = {"read": Scope.none, "write": Scope.none}
    matched: list[str] = []
    carrier: TrailFacts | None = None
    notes: list[str] = []
    for facts in trails:
        if not facts.selectors_known:
            continue
        scopes, lines = data_events(facts, kind, item.id)
        if not lines:
            continue
        if not facts.is_logging:
            notes.append(f"{facts.name} selects it but IsLogging={facts.is_logging}")
            continue
        matched.extend(lines)
        if carrier is None or sum(scopes.values()) > sum(best.values()):
            carrier = facts
        for rw, scope in scopes.items():
            best[rw] = max(best[rw], scope)
    if best["read"] is Scope.all and best["write"] is Scope.all:
        status = Status.logged
    elif _unknown_trail(trails, "GetEventSelectors") is not None:
        status = Status.unknown
    elif best["read"] is not Scope.none or best["write"] is not Scope.none:
        status = Status.partial
    else:
        status = Status.missing
    read_by = carrier.read_by("GetEventSelectors") if carrier else "cloudtrail:GetEventSelectors"
    if matched:
        evidence = f"{read_by}: " + "; ".join(matched)
    elif status is Status.unknown:
        evidence = "cloudtrail:GetEventSelectors failed on a trail covering the region"
    else:
        evidence = (
            f"cloudtrail:GetEventSelectors: no logging trail selects {kind.selector_type} "
            f"events of {item.resource.resource_id or item.id}"
        )
    if status is Status.partial:
        notes.append(f"read={best['read'].name}, write={best['write'].name}")
    return {
        "status": status,
        "evidence": evidence,
        "destination": carrier.destination if carrier else None,
        "inherited_from": carrier.arn if carrier else None,
        "operation": read_by,
        "notes": notes,
    }


_DATA_CONTROLS: tuple[tuple[str, str, DataKind], ...] = (
    ("cloudtrail-s3-data-events", "AWS::S3::Bucket", S3_OBJECTS),
    ("cloudtrail-lambda-data-events", "AWS::Lambda::Function", LAMBDA_FUNCTIONS),
    ("cloudtrail-dynamodb-data-events", "AWS::DynamoDB::Table", DYNAMODB_TABLES),
)


def _insights(ctx: ProbeContext, trails: list[TrailFacts]) -> None:
    types: set[str] = set()
    carrier: TrailFacts | None = None
    for facts in trails:
        if facts.is_logging and facts.insight_types:
            types |= set(facts.insight_types)
            carrier = carrier or facts
    wanted = {"ApiCallRateInsight", "ApiErrorRateInsight"}
    if types >= wanted:
        status = Status.logged
    elif any(f.is_logging is not False and "GetInsightSelectors" in f.failed for f in trails):
        status = Status.unknown
    else:
        status = Status.partial if types else Status.missing
    read_by = (
        carrier.read_by("GetInsightSelectors") if carrier else "cloudtrail:GetInsightSelectors"
    )
    evidence = (
        f"{read_by}: {carrier.name} InsightType={', '.join(sorted(types))}"
        if carrier
        else "cloudtrail:GetInsightSelectors: no logging trail covering the region has insight "
        "selectors"
    )
    record(
        ctx,
        _region_id(ctx),
        "cloudtrail-insights",
        status,
        evidence,
        destination=carrier.destination if carrier else None,
        operation=read_by,
    )


@offline_capable
def probe_cloudtrail(ctx: ProbeContext) -> None:
    """Management, data and Insights events, and trail integrity, for one account-region."""
    if ctx.aws is None:
        cloudtrail_from_items(ctx)
        return
    region_id = _region_id(ctx)
    try:
        trails = trails_covering(ctx, ctx.region)
    except Exception as exc:
        error = ctx.fail(exc, service="cloudtrail", operation="DescribeTrails")
        evidence = f"cloudtrail:DescribeTrails failed: {error.code}"
        decision: dict[str, Any] = {
            "status": Status.unknown,
            "evidence": evidence,
            "operation": "cloudtrail:DescribeTrails",
            "destination": None,
            "notes": [],
        }
        ctx.shared[SHARED_MANAGEMENT] = {ctx.region: decision, GLOBAL_REGION: decision}
        record(ctx, region_id, "cloudtrail-management-events", **decision)
        record(
            ctx,
            region_id,
            "cloudtrail-insights",
            Status.unknown,
            evidence,
            operation="cloudtrail:DescribeTrails",
        )
        for control_id, rtype, _kind in _DATA_CONTROLS:
            for item in resources_of(ctx.inventory, [rtype]):
                record(
                    ctx,
                    item.id,
                    control_id,
                    Status.unknown,
                    evidence,
                    operation="cloudtrail:DescribeTrails",
                )
        return

    for facts in trails:
        if facts.home_region == ctx.region and _trail_account(facts.arn) in ("", ctx.account):
            _add_trail_resource(ctx, facts)
            _integrity(ctx, facts)

    decision = _management(ctx, trails, ctx.region)
    record(ctx, region_id, "cloudtrail-management-events", **decision)
    global_trails = [f for f in trails if f.covers(GLOBAL_REGION)]
    ctx.shared[SHARED_MANAGEMENT] = {
        ctx.region: decision,
        GLOBAL_REGION: _management(ctx, global_trails, GLOBAL_REGION),
    }

    by_region: dict[str, list[TrailFacts]] = {ctx.region: trails}
    for control_id, rtype, kind in _DATA_CONTROLS:
        for item in resources_of(ctx.inventory, [rtype]):
            region = item.resource.region
            if region not in by_region:
                try:
                    by_region[region] = trails_covering(ctx, region)
                except Exception as exc:
                    error = ctx.fail(exc, service="cloudtrail", operation="DescribeTrails")
                    record(
                        ctx,
                        item.id,
                        control_id,
                        Status.unknown,
                        f"cloudtrail:DescribeTrails ({region}) failed: {error.code}",
                        operation="cloudtrail:DescribeTrails",
                    )
                    continue
            record(
                ctx, item.id, control_id, **_data_event_status(ctx, by_region[region], kind, item)
            )

    _insights(ctx, trails)


# --- AWS Config recorder ----------------------------------------------------------------


@cache
def config_resource_types() -> frozenset[str]:
    """Resource types AWS Config can record (botocore's `ResourceType` enum)."""
    model = botocore.session.get_session().get_service_model("config")
    return frozenset(model.shape_for("ResourceType").enum)


@offline_capable
def probe_config_recorder(ctx: ProbeContext) -> None:
    """The region's Config recorder; per-type recording is copied onto resources later."""
    if ctx.aws is None:
        ctx.shared[SHARED_CONFIG] = config_recorder_from_items(ctx)
        return
    region_id = _region_id(ctx)
    client = ctx.client("config")
    # The Config inventory of this account-region may have read the recorder already, or
    # AWS Config's own item of the recorder holds what those reads return.
    recorders_read = ctx.facts.take(RECORDERS, ctx.region)
    statuses_read = ctx.facts.take(STATUSES, ctx.region)
    said_by = "config:DescribeConfigurationRecorderStatus"
    if recorders_read is None and statuses_read is None:
        held = recorder_reads_from_items(ctx)
        if held is not None:
            recorders_read, statuses_read = held
            said_by = item_operation(RECORDER, "Recording, RecordingGroup")
    operation = "DescribeConfigurationRecorders"
    try:
        response = recorders_read or client.describe_configuration_recorders()
        recorders = response.get("ConfigurationRecorders") or []
        operation = "DescribeConfigurationRecorderStatus"
        statuses: dict[Any, dict[str, Any]] = {}
        if recorders:  # no recorder: nothing has a status (the decision is already made)
            response = statuses_read or client.describe_configuration_recorder_status()
            statuses = {
                s.get("name"): s for s in response.get("ConfigurationRecordersStatus") or []
            }
        operation = "DescribeDeliveryChannels"
        channels = client.describe_delivery_channels().get("DeliveryChannels") or []
    except Exception as exc:
        error = ctx.fail(exc, service="config", operation=operation)
        evidence = f"config:{operation} failed: {error.code}"
        record(
            ctx,
            region_id,
            "config-recorder",
            Status.unknown,
            evidence,
            operation=f"config:{operation}",
        )
        ctx.shared[SHARED_CONFIG] = {"status": Status.unknown, "evidence": evidence, "group": None}
        return

    channel = channels[0] if channels else None
    destination = None
    if channel and channel.get("s3BucketName"):
        prefix = channel.get("s3KeyPrefix")
        destination = f"arn:aws:s3:::{channel['s3BucketName']}" + (f"/{prefix}" if prefix else "")
    recording = [r for r in recorders if statuses.get(r.get("name"), {}).get("recording")]
    notes: list[str] = []
    group: dict[str, Any] | None = None
    if not recorders:
        status, evidence = Status.missing, "config:DescribeConfigurationRecorders: no recorder"
    elif not recording:
        names = ", ".join(str(r.get("name")) for r in recorders)
        status = Status.missing
        evidence = f"{said_by}: {names} recording=false"
    else:
        recorder = recording[0]
        group = recorder.get("recordingGroup") or {"allSupported": True}
        state = statuses[recorder.get("name")]
        last = str(state.get("lastStatus") or "")
        all_types = bool(group.get("allSupported", True)) and not (
            (group.get("exclusionByResourceTypes") or {}).get("resourceTypes")
        )
        scope = "all supported types" if all_types else "selected resource types"
        evidence = (
            f"{said_by}: {recorder.get('name')} recording=true, "
            f"lastStatus={last or 'n/a'}, recording {scope}"
        )
        problems = []
        if not all_types:
            problems.append("records only selected resource types")
        if channel is None:
            problems.append("no delivery channel (config:DescribeDeliveryChannels)")
        if last.lower() == "failure":
            problems.append(f"last recording failed ({state.get('lastErrorCode')})")
        role = str(recorder.get("roleARN") or "")
        if role and "AWSServiceRoleForConfig" not in role:
            notes.append(f"recorder role {role} is not the service-linked AWSServiceRoleForConfig")
        if not group.get("includeGlobalResourceTypes", False):
            notes.append("global resource types (IAM) not recorded in this region")
        status = Status.partial if problems else Status.logged
        notes.extend(problems)
    record(
        ctx,
        region_id,
        "config-recorder",
        status,
        evidence,
        destination=destination,
        operation=said_by,
        notes=notes,
    )
    ctx.shared[SHARED_CONFIG] = {
        "status": status,
        "evidence": evidence,
        "group": group,
        "destination": destination,
    }


# --- copying region decisions onto resources ---------------------------------------------


def _has(ctx: ProbeContext, resource_id: str, control_id: str) -> bool:
    return any(c.control == control_id for c in ctx.coverage.get(resource_id, ()))


def inherit_region_controls(ctx: ProbeContext) -> None:
    """Copy the region's management-events and Config-recorder decisions onto its resources.

    Called by the runner after every probe, so resources that probes added are included.
    """
    region_id = _region_id(ctx)
    management = ctx.shared.get(SHARED_MANAGEMENT)
    config = ctx.shared.get(SHARED_CONFIG)
    if ctx.aws is None and (management is None or config is None):
        # no credential and a probe did not decide: neither the region nor its resources
        offline = {"status": Status.unknown, "evidence": OFFLINE_EVIDENCE, "notes": []}
        management = management or {ctx.region: offline, GLOBAL_REGION: offline}
        config = config or {**offline, "group": None}
    supported = config_resource_types()
    for item in region_resources(ctx.inventory):
        is_global = item.resource.region == GLOBAL_REGION
        if management and not _has(ctx, item.id, "cloudtrail-management-events"):
            decision = management[GLOBAL_REGION if is_global else ctx.region]
            record(
                ctx,
                item.id,
                "cloudtrail-management-events",
                inherited_from=region_id,
                **{
                    **decision,
                    "notes": [n for n in decision["notes"] if not n.startswith(ORG_TRAIL_NOTE)],
                },
            )
        if config and not _has(ctx, item.id, "config-recorder"):
            if config.get("from_items"):
                if item.resource.source in CONFIG_SOURCES or is_config_source(ctx.inventory):
                    config_for_item(ctx, item, region_id)  # its own item: Config records it
                else:
                    skipped(ctx, [item.id], "config-recorder")
                continue
            _config_for_resource(ctx, item, config, supported, is_global, region_id)


def _config_for_resource(
    ctx: ProbeContext,
    item: CollectedResource,
    config: dict[str, Any],
    supported: frozenset[str],
    is_global: bool,
    region_id: str,
) -> None:
    group = config.get("group")
    if item.type not in supported:
        status = Status.not_applicable
        evidence = f"AWS Config does not record {item.type}"
    elif group is None:
        status, evidence = config["status"], config["evidence"]
        if status is not Status.unknown:
            status = Status.missing
    elif recorded_by_group(group, item.type, is_global):
        status = Status.logged if config["status"] is not Status.unknown else Status.unknown
        evidence = f"config:DescribeConfigurationRecorders: recordingGroup records {item.type}"
    else:
        status = Status.missing
        evidence = f"config:DescribeConfigurationRecorders: recordingGroup excludes {item.type}"
    record(
        ctx,
        item.id,
        "config-recorder",
        status,
        evidence,
        destination=config.get("destination"),
        inherited_from=region_id,
        operation="config:DescribeConfigurationRecorders",
    )


PROBES = (
    probe_cloudtrail,
    probe_config_recorder,
    probe_guardduty,
    probe_detective,
    probe_securityhub,
)
