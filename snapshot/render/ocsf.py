"""Coverage as OCSF findings, for a SIEM or Amazon Security Lake.

One finding per resource and baseline control, in OCSF 1.5 (the version py-ocsf-models
0.10, Prowler's library, implements).

Class: Compliance Finding (class_uid 2003), not Detection Finding (2004). A detection
finding reports something an analytic saw happen (activity in logs); whether a log source
is switched on for a resource is an evaluation of the resource's configuration against a
baseline, which is what OCSF's Compliance Finding describes ("results of evaluations
performed against resources, to check compliance with ... security standards") and what
Security Hub's control findings (the ASFF `Compliance` block) are. The baseline is the
catalogue's `baseline` controls; `extended` ones are advice, not a requirement, and are
not exported, nor are records a resource inherits from its account or region
pseudo-resource (the pseudo-resource has its own finding; repeating it on every resource
of the region would multiply a single missing trail by thousands).

Mapping (compliance.status_id is the verdict; the event's status_id is workflow state the
consumer owns, so every finding is created as New, as Prowler does):

| blindspot | compliance.status_id | status_detail |
|---|---|---|
| logged | 1 Pass | the evidence |
| partial | 3 Fail | `partial: ` + what makes it partial (catalogue) + the evidence |
| missing | 3 Fail | the evidence of absence |
| unknown | 2 Warning ("did not yield a result due to missing information") | the reason |

Severity is the control's (by layer, raised for the controls without which an incident
cannot be reconstructed at all, lowered for `partial`); a passing finding is
Informational, so a SIEM's severity filters show gaps only.

`finding_info.uid` is a hash of account, resource and control, so the same gap gets the
same uid in every run and a SIEM updates one finding instead of piling up copies; `time` is
the snapshot's `generated_at` (when the coverage was observed, not when it was exported).

A finding that is not a pass lists in `finding_info.attacks` the ATT&CK cloud techniques
whose detections read that control's logs (`snapshot.attack`): what the gap leaves a
responder blind or half-blind to, so a SIEM can rank gaps by the techniques they hide.

Remediation is the catalogue's AWS CLI command for the control filled with this resource's
own identifiers by `snapshot.queries` (its VPC, ENIs, trail, destination ...); what the
snapshot cannot tell stays a named placeholder, listed with the reason in
`unmapped.blindspot.remediation_placeholders`.

Findings are produced one at a time (`iter_findings`) and serialised in pieces
(`iter_json`, `iter_jsonl`), so exporting a large snapshot holds one finding at a time
besides the snapshot itself.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from snapshot import __version__, queries
from snapshot.attack import load_attack, suppliers
from snapshot.catalogue import CONTROLS_BY_ID, Control
from snapshot.graph import CoverageGraph
from snapshot.io import write_bytes_atomic
from snapshot.model import (
    GLOBAL_REGION,
    PSEUDO_TYPES,
    Coverage,
    Expectation,
    Layer,
    Resource,
    Snapshot,
    Status,
)
from snapshot.queries import Filled
from snapshot.render.dispatch import writer_for

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003  # Compliance Finding
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE
STANDARD = "blindspot log-coverage baseline"

#: OCSF severity_id values.
INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL = 1, 2, 3, 4, 5
SEVERITY_NAMES = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}

#: Severity of a missing baseline control, by layer: the account layer (CloudTrail, Config,
#: GuardDuty) is what every investigation starts from; serverless functions' own logs matter
#: least once CloudTrail records who changed them.
LAYER_SEVERITY: dict[Layer, int] = {
    Layer.account: HIGH,
    Layer.network: MEDIUM,
    Layer.host: MEDIUM,
    Layer.database: MEDIUM,
    Layer.access: MEDIUM,
    Layer.serverless: LOW,
}

#: Controls whose absence leaves a question an investigation cannot answer at all.
CONTROL_SEVERITY: dict[str, int] = {
    "cloudtrail-management-events": CRITICAL,  # who did what: nothing replaces it
    "vpc-flow-logs": HIGH,  # who talked to whom: no other source after the fact
    "s3-server-access-logs": LOW,  # object-level CloudTrail data events cover most of it
}

#: blindspot status -> (compliance.status_id, its caption).
COMPLIANCE_STATUS: dict[Status, tuple[int, str]] = {
    Status.logged: (1, "Pass"),
    Status.partial: (3, "Fail"),
    Status.missing: (3, "Fail"),
    Status.unknown: (2, "Warning"),
}


def control_severity(layer: Layer, control_id: str) -> int:
    return CONTROL_SEVERITY.get(control_id, LAYER_SEVERITY.get(layer, MEDIUM))


def finding_severity(record: Coverage) -> int:
    """The event's severity: the control's for a gap, one lower for `partial`, none for a pass."""
    severity = control_severity(record.layer, record.control)
    if record.status is Status.logged:
        return INFORMATIONAL
    if record.status is Status.partial:
        return max(LOW, severity - 1)
    return severity


def finding_uid(account: str, resource_id: str, control_id: str) -> str:
    """Stable across runs and tools: the same gap is the same finding in a SIEM."""
    digest = hashlib.sha256(f"{account}\x1f{resource_id}\x1f{control_id}".encode()).hexdigest()
    return f"blindspot-{digest[:40]}"


#: Ids of the account (`123456789012`) and account-region (`123456789012/us-east-1`)
#: pseudo-resources (snapshot.model.account_node_id / region_node_id).
_PSEUDO_ID = re.compile(r"\d{12}(/[a-z0-9-]+)?")


def exported(record: Coverage) -> bool:
    """Baseline verdicts only; not_applicable and records inherited from a pseudo-resource
    (the account or region holds them as its own finding) are left out."""
    if record.expectation is not Expectation.baseline or record.status not in COMPLIANCE_STATUS:
        return False
    inherited = record.inherited_from
    return not (inherited and _PSEUDO_ID.fullmatch(inherited))


def status_detail(record: Coverage, control: Control | None) -> str:
    evidence = record.evidence or "no evidence recorded"
    if record.status is Status.partial:
        why = control.partial_when if control and control.partial_when else "partly logged"
        return f"partial: {why}; {evidence}"
    if record.status is Status.unknown:
        return f"unknown: {evidence}"
    return evidence


def remediation(graph: CoverageGraph, resource: Resource, record: Coverage) -> Filled | None:
    """The fix for this resource, or None for a pass or a control not in the catalogue."""
    if record.status is Status.logged:
        return None
    return queries.remediation(graph, resource, record)


@functools.cache
def attacks(control_id: str) -> tuple[dict[str, Any], ...]:
    """ATT&CK cloud techniques whose detections read this control's logs (snapshot.attack):
    what a gap in it leaves a responder blind or half-blind to."""
    data = load_attack()
    found: list[dict[str, Any]] = []
    for technique in data.techniques:
        if not any(
            control_id in suppliers(component, sources)
            for component, sources in technique.components.items()
        ):
            continue
        parent, _, sub = technique.id.partition(".")
        entry: dict[str, Any] = {
            "version": data.version,
            "technique": {
                "uid": parent,
                "name": data.names.get(parent, parent),
                "src_url": f"https://attack.mitre.org/techniques/{parent}/",
            },
        }
        if sub:
            entry["sub_technique"] = {
                "uid": technique.id,
                "name": technique.name,
                "src_url": technique.url,
            }
        found.append(entry)
    return tuple(found)


def _resource_detail(resource: Resource) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "uid": resource.id,
        "type": resource.type,
        "name": resource.name or resource.resource_id or resource.id,
        "cloud_partition": _partition(resource.id),
        "data": {"resource_id": resource.resource_id, "pseudo": resource.type in PSEUDO_TYPES},
    }
    if resource.region != GLOBAL_REGION:
        detail["region"] = resource.region
    if resource.tags:
        detail["labels"] = [f"{key}={value}" for key, value in resource.tags.items()]
    return detail


def _partition(resource_id: str) -> str:
    if resource_id.startswith("arn:"):
        parts = resource_id.split(":", 2)
        if len(parts) > 1 and parts[1]:
            return parts[1]
    return "aws"


def finding(
    graph: CoverageGraph,
    resource: Resource,
    record: Coverage,
    *,
    account_names: dict[str, str],
    time_ms: int,
    time_dt: str,
) -> dict[str, Any]:
    """One OCSF Compliance Finding for one control on one resource."""
    control = CONTROLS_BY_ID.get(record.control)
    title = control.title if control else record.control
    compliance_id, compliance_caption = COMPLIANCE_STATUS[record.status]
    severity = finding_severity(record)
    cloud: dict[str, Any] = {
        "provider": "AWS",
        "account": {
            "uid": resource.account,
            "name": account_names.get(resource.account) or resource.account,
            "type": "AWS Account",
            "type_id": 10,
        },
    }
    if resource.region != GLOBAL_REGION:
        cloud["region"] = resource.region
    evidence: dict[str, Any] = {"evidence": record.evidence}
    for key in ("operation", "destination", "inherited_from"):
        value = getattr(record, key)
        if value:
            evidence[key] = value
    if record.notes:
        evidence["notes"] = list(record.notes)
    out: dict[str, Any] = {
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "blindspot",
                "vendor_name": "blindspot",
                "version": graph.snapshot.tool.version or __version__,
            },
            "profiles": ["cloud"],
            "event_code": record.control,
        },
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": TYPE_UID,
        "type_name": "Compliance Finding: Create",
        "time": time_ms,
        "time_dt": time_dt,
        "severity_id": severity,
        "severity": SEVERITY_NAMES[severity],
        "status_id": 1,
        "status": "New",
        "status_code": str(record.status),
        "status_detail": status_detail(record, control),
        "message": f"{title}: {record.status} on {resource.name or resource.id}",
        "finding_info": {
            "uid": finding_uid(resource.account, resource.id, record.control),
            "title": title,
            "desc": f"{record.layer} layer log source: {title}",
            "types": [f"blindspot/{record.layer}/{record.control}"],
            "created_time": time_ms,
            "data_sources": [control.evaluated_by] if control else [],
        },
        "compliance": {
            "standards": [STANDARD],
            "control": record.control,
            "desc": title,
            "status_id": compliance_id,
            "status": compliance_caption,
            "category": str(record.layer),
            "requirements": [f"{record.layer}/{record.control}"],
        },
        "cloud": cloud,
        "resources": [_resource_detail(resource)],
        "evidences": [{"name": record.operation or "evidence", "data": evidence}],
        "unmapped": {
            "blindspot": {
                "layer": str(record.layer),
                "control": record.control,
                "status": str(record.status),
                "expectation": str(record.expectation),
                "control_severity": SEVERITY_NAMES[control_severity(record.layer, record.control)],
            }
        },
    }
    if record.status is not Status.logged:
        blind_to = attacks(record.control)
        if blind_to:
            out["finding_info"]["attacks"] = list(blind_to)
    fix = remediation(graph, resource, record)
    if fix is not None:
        out["remediation"] = {
            "desc": fix.text,
            "references": [f"blindspot controls: {record.control}"],
        }
        if fix.unfilled:
            out["unmapped"]["blindspot"]["remediation_placeholders"] = fix.note()
    if control and control.logs_land_in:
        out["unmapped"]["blindspot"]["logs_land_in"] = control.logs_land_in
    return out


def iter_findings(
    snapshot: Snapshot, graph: CoverageGraph | None = None
) -> Iterator[dict[str, Any]]:
    """Every exported finding, resource by resource, in the snapshot's order (the graph,
    built when not given, is where remediation finds a resource's neighbours)."""
    graph = graph or CoverageGraph(snapshot)
    account_names = {account.id: account.name for account in snapshot.accounts}
    generated = snapshot.generated_at
    time_ms = int(generated.timestamp() * 1000)
    time_dt = generated.isoformat().replace("+00:00", "Z")
    for resource in snapshot.resources:
        for record in resource.coverage:
            if exported(record):
                yield finding(
                    graph,
                    resource,
                    record,
                    account_names=account_names,
                    time_ms=time_ms,
                    time_dt=time_dt,
                )


def iter_json(findings: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """A JSON array, one finding a line (what Security Lake's custom sources and most SIEM
    file inputs take as a batch)."""
    yield b"["
    separator = b"\n"
    for item in findings:
        yield separator + orjson.dumps(item)
        separator = b",\n"
    yield b"\n]\n"


def iter_jsonl(findings: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """JSON Lines: one finding a line, for streaming inputs (Fluent Bit, Vector, Splunk HEC)."""
    for item in findings:
        yield orjson.dumps(item) + b"\n"


STREAMS = {"ocsf": iter_json, "ocsf-jsonl": iter_jsonl}


def stream(snapshot: Snapshot, fmt: str, graph: CoverageGraph | None = None) -> Iterator[bytes]:
    writer = writer_for(STREAMS, fmt, "OCSF")
    return writer(iter_findings(snapshot, graph))


def write(snapshot: Snapshot, fmt: str, path: str) -> int:
    """Stream the findings into `path` atomically (temporary file, then rename); '-' writes
    to stdout. Returns the number of findings written."""
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for item in iter_findings(snapshot):
            count += 1
            yield item

    if fmt not in STREAMS:
        raise ValueError(f"unknown OCSF format {fmt!r}")
    chunks = STREAMS[fmt](counted())
    if str(path) == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return count
    write_bytes_atomic(path, chunks)
    return count
