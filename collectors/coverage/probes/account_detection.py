"""Account-layer probes of the detection services: GuardDuty, Detective, Security Hub.

Each decides the region's pseudo-resource. AWS Config's items decide first, whatever
credential the run has (`.account_items`: a detector, a behavior graph, a standards
subscription); only what they do not decide is asked, and without a credential that is
`unknown`, naming the call not made.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status, region_node_id

from ...aws import paging
from ...aws.errors import error_code
from ..base import ProbeContext
from ..records import offline_capable, unknown
from .account_items import (
    detective_from_items,
    guardduty_from_items,
    region_record,
    securityhub_from_items,
)


def _failed(ctx: ProbeContext, control_id: str, exc: BaseException, call: str) -> None:
    service, _, operation = call.partition(":")
    unknown(
        ctx,
        [region_node_id(ctx.account, ctx.region)],
        control_id,
        exc,
        service=service,
        operation=operation,
    )


@offline_capable
def probe_guardduty(ctx: ProbeContext) -> None:
    if guardduty_from_items(ctx):
        return
    client = ctx.client("guardduty")
    operation = "guardduty:ListDetectors"
    try:
        detector_ids = [
            d
            for page in client.get_paginator("list_detectors").paginate()
            for d in page.get("DetectorIds") or []
        ]
        details = {}
        operation = "guardduty:GetDetector"
        for detector_id in detector_ids:
            details[detector_id] = client.get_detector(DetectorId=detector_id)
    except Exception as exc:
        _failed(ctx, "guardduty", exc, operation)
        return
    enabled = [d for d, detail in details.items() if detail.get("Status") == "ENABLED"]
    if enabled:
        notes = [
            f"feature {f.get('Name')} {f.get('Status')}"
            for f in details[enabled[0]].get("Features") or []
            if f.get("Status") != "ENABLED"
        ]
        status, said = Status.logged, f"detector {enabled[0]} Status=ENABLED"
    elif details:
        notes, status = [], Status.missing
        said = ", ".join(f"{d} Status={v.get('Status')}" for d, v in details.items())
    else:
        notes, status, said = [], Status.missing, "no detector in this region"
        operation = "guardduty:ListDetectors"
    region_record(ctx, "guardduty", status, f"{operation}: {said}", operation, notes=notes)


@offline_capable
def probe_detective(ctx: ProbeContext) -> None:
    """A behavior graph this account administers, or one it is an enabled member of."""
    if detective_from_items(ctx):
        return
    client = ctx.client("detective")
    operation = "detective:ListGraphs"
    try:
        graphs = list(paging.items(client.list_graphs, "GraphList"))
        invitations: list[dict[str, Any]] = []
        if not graphs:
            operation = "detective:ListInvitations"
            invitations = list(paging.items(client.list_invitations, "Invitations"))
    except Exception as exc:
        _failed(ctx, "detective", exc, operation)
        return
    member = [i for i in invitations if i.get("Status") == "ENABLED"]
    if graphs:
        graph = graphs[0].get("Arn")
        status, said, operation = Status.logged, f"behavior graph {graph}", "detective:ListGraphs"
    elif member:
        graph = member[0].get("GraphArn")
        status, said = Status.logged, f"member of {graph} Status=ENABLED"
    else:
        graph, status, operation = None, Status.missing, "detective:ListGraphs"
        said = "no behavior graph; ListInvitations: no enabled membership"
    region_record(ctx, "detective", status, f"{operation}: {said}", operation, destination=graph)


@offline_capable
def probe_securityhub(ctx: ProbeContext) -> None:
    if securityhub_from_items(ctx):
        return
    client = ctx.client("securityhub")
    try:
        hub = client.describe_hub()
    except Exception as exc:
        if error_code(exc) == "InvalidAccessException":  # "not subscribed to AWS Security Hub"
            operation = "securityhub:DescribeHub"
            said = f"{operation}: InvalidAccessException (not enabled)"
            region_record(ctx, "securityhub", Status.missing, said, operation)
            return
        _failed(ctx, "securityhub", exc, "securityhub:DescribeHub")
        return
    operation = "securityhub:GetEnabledStandards"
    try:
        standards = [
            s
            for page in client.get_paginator("get_enabled_standards").paginate()
            for s in page.get("StandardsSubscriptions") or []
            if s.get("StandardsStatus") not in ("DELETING", "FAILED")
        ]
    except Exception as exc:
        _failed(ctx, "securityhub", exc, operation)
        return
    if standards:
        names = ", ".join(str(s.get("StandardsArn", "")).split("/", 1)[-1] for s in standards)
        status, said = Status.logged, f"hub {hub.get('HubArn')} with {names}"
    else:
        status, said = Status.partial, f"hub {hub.get('HubArn')} has no enabled standard"
    region_record(ctx, "securityhub", status, f"{operation}: {said}", operation)
