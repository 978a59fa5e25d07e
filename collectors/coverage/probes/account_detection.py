"""Account-layer probes of the detection services: GuardDuty, Detective, Security Hub.

Each decides the region's pseudo-resource. With no credential for the account their items
decide (`.account_items`: a detector, a behavior graph, a standards subscription).
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status, region_node_id

from ...aws import paging
from ...aws.errors import error_code
from ..base import ProbeContext
from ..records import offline_capable, record, unknown
from .account_items import detective_from_items, guardduty_from_items, securityhub_from_items


def _region_id(ctx: ProbeContext) -> str:
    return region_node_id(ctx.account, ctx.region)


@offline_capable
def probe_guardduty(ctx: ProbeContext) -> None:
    if ctx.aws is None:
        guardduty_from_items(ctx)
        return
    region_id = _region_id(ctx)
    client = ctx.client("guardduty")
    operation = "ListDetectors"
    try:
        detector_ids = [
            d
            for page in client.get_paginator("list_detectors").paginate()
            for d in page.get("DetectorIds") or []
        ]
        details = {}
        operation = "GetDetector"
        for detector_id in detector_ids:
            details[detector_id] = client.get_detector(DetectorId=detector_id)
    except Exception as exc:
        unknown(ctx, [region_id], "guardduty", exc, service="guardduty", operation=operation)
        return
    enabled = [d for d, detail in details.items() if detail.get("Status") == "ENABLED"]
    if enabled:
        detail = details[enabled[0]]
        notes = [
            f"feature {f.get('Name')} {f.get('Status')}"
            for f in detail.get("Features") or []
            if f.get("Status") != "ENABLED"
        ]
        record(
            ctx,
            region_id,
            "guardduty",
            Status.logged,
            f"guardduty:GetDetector: detector {enabled[0]} Status=ENABLED",
            operation="guardduty:GetDetector",
            notes=notes,
        )
    elif details:
        listed = ", ".join(f"{d} Status={v.get('Status')}" for d, v in details.items())
        record(
            ctx,
            region_id,
            "guardduty",
            Status.missing,
            f"guardduty:GetDetector: {listed}",
            operation="guardduty:GetDetector",
        )
    else:
        record(
            ctx,
            region_id,
            "guardduty",
            Status.missing,
            "guardduty:ListDetectors: no detector in this region",
            operation="guardduty:ListDetectors",
        )


@offline_capable
def probe_detective(ctx: ProbeContext) -> None:
    """A behavior graph this account administers, or one it is an enabled member of."""
    if ctx.aws is None:
        detective_from_items(ctx)
        return
    region_id = _region_id(ctx)
    client = ctx.client("detective")
    operation = "ListGraphs"
    try:
        graphs = list(paging.items(client.list_graphs, "GraphList"))
        invitations: list[dict[str, Any]] = []
        if not graphs:
            operation = "ListInvitations"
            invitations = list(paging.items(client.list_invitations, "Invitations"))
    except Exception as exc:
        unknown(ctx, [region_id], "detective", exc, service="detective", operation=operation)
        return
    member = [i for i in invitations if i.get("Status") == "ENABLED"]
    if graphs:
        record(
            ctx,
            region_id,
            "detective",
            Status.logged,
            f"detective:ListGraphs: behavior graph {graphs[0].get('Arn')}",
            destination=graphs[0].get("Arn"),
            operation="detective:ListGraphs",
        )
    elif member:
        record(
            ctx,
            region_id,
            "detective",
            Status.logged,
            f"detective:ListInvitations: member of {member[0].get('GraphArn')} Status=ENABLED",
            destination=member[0].get("GraphArn"),
            operation="detective:ListInvitations",
        )
    else:
        record(
            ctx,
            region_id,
            "detective",
            Status.missing,
            "detective:ListGraphs: no behavior graph; ListInvitations: no enabled membership",
            operation="detective:ListGraphs",
        )


@offline_capable
def probe_securityhub(ctx: ProbeContext) -> None:
    if ctx.aws is None:
        securityhub_from_items(ctx)
        return
    region_id = _region_id(ctx)
    client = ctx.client("securityhub")
    try:
        hub = client.describe_hub()
    except Exception as exc:
        if error_code(exc) == "InvalidAccessException":  # "not subscribed to AWS Security Hub"
            record(
                ctx,
                region_id,
                "securityhub",
                Status.missing,
                "securityhub:DescribeHub: InvalidAccessException (not enabled)",
                operation="securityhub:DescribeHub",
            )
            return
        unknown(
            ctx, [region_id], "securityhub", exc, service="securityhub", operation="DescribeHub"
        )
        return
    try:
        standards = [
            s
            for page in client.get_paginator("get_enabled_standards").paginate()
            for s in page.get("StandardsSubscriptions") or []
            if s.get("StandardsStatus") not in ("DELETING", "FAILED")
        ]
    except Exception as exc:
        unknown(
            ctx,
            [region_id],
            "securityhub",
            exc,
            service="securityhub",
            operation="GetEnabledStandards",
        )
        return
    if standards:
        names = ", ".join(str(s.get("StandardsArn", "")).split("/", 1)[-1] for s in standards)
        record(
            ctx,
            region_id,
            "securityhub",
            Status.logged,
            f"securityhub:GetEnabledStandards: hub {hub.get('HubArn')} with {names}",
            operation="securityhub:GetEnabledStandards",
        )
    else:
        record(
            ctx,
            region_id,
            "securityhub",
            Status.partial,
            f"securityhub:GetEnabledStandards: hub {hub.get('HubArn')} has no enabled standard",
            operation="securityhub:GetEnabledStandards",
        )
