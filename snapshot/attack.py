"""ATT&CK blind spots: which cloud techniques each account could see in its logs.

The techniques and the data components their detections need are ATT&CK's own
(`snapshot/data/attack.json`, derived by `scripts/attack_data.py` from the Enterprise STIX
data: the IaaS analytics of each technique's detection strategies, with the log sources
they name). Which blindspot controls supply a data component is the catalogue's
`attack_data_components` (snapshot/catalogue), reconciled with the AWS log sources ATT&CK's
analytics name for the component in that technique (`LOG_SOURCE_CONTROLS`, `suppliers`):
ATT&CK v18 names many CloudTrail-borne components the catalogue does not list (Snapshot
Creation, Instance Start ...), and narrows some it lists broadly. Non-AWS log sources
(Sysmon, gcp:audit ...) supply nothing here.

Per account, a control's state is read from every record of it in the account (any
expectation: an extended source still feeds a detection):

- logged when every record is logged; partial when some are logged or partial; missing
  when all are missing; unknown when none is logged or partial and some are unknown; no
  state when the account has nothing the control applies to.

A data component is `covered` when one of its controls is logged, else `partial`,
`unknown` or `blind` after the best of them; `not_applicable` when none of its controls
has anything to apply to in the account; `not_assessed` when no control supplies it at all.
A technique is `covered` when every assessed component is, `blind` when every one is blind,
`unknown` when none is covered or partial and one is unknown, `partial` otherwise;
`not_assessed` (or `not_applicable`) when it has no assessed (applicable) component. This is
per account, not per resource: an account with flow logs on one VPC of three is `partial`
for Network Traffic Flow, and the controls that would close the gap are listed.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from snapshot.catalogue import CATALOGUE
from snapshot.model import Snapshot, Status

COVERED = "covered"
PARTIAL = "partial"
BLIND = "blind"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
NOT_ASSESSED = "not_assessed"
#: Worst first, for sorting and for the explorer's colours.
STATUSES = (BLIND, UNKNOWN, PARTIAL, COVERED, NOT_APPLICABLE, NOT_ASSESSED)

#: ATT&CK v18 log source names (as its IaaS analytics write them) -> the controls whose logs
#: they are, the first being what the name means on its own: "AWS:CloudTrail" is the
#: management events, or S3 / DynamoDB data events where the component is about data
#: (Cloud Storage Access). Lambda data events are left out: "Command Execution" from
#: CloudTrail is SSM's SendCommand, a management event. `AWS:CloudWatch` and
#: `AWS:CloudMetrics` (metrics) are not log sources blindspot evaluates.
_MANAGEMENT = ("cloudtrail-management-events",)
_S3_DATA = ("cloudtrail-s3-data-events",)
_FLOWS = ("vpc-flow-logs", "tgw-flow-logs")
LOG_SOURCE_CONTROLS: dict[str, tuple[str, ...]] = {
    "AWS:CloudTrail": (*_MANAGEMENT, *_S3_DATA, "cloudtrail-dynamodb-data-events"),
    "CloudTrail:Signin": _MANAGEMENT,
    "CloudTrail:GetCallerIdentity": _MANAGEMENT,
    "CloudTrail:GetObject": _S3_DATA,
    "CloudTrail:PutObject": _S3_DATA,
    "AWS:VPCFlowLogs": _FLOWS,
    "VPCFlowLogs:All": _FLOWS,
    "ALB:HTTPLogs": ("elb-access-logs",),
}

#: State of one control in one account -> the component status it gives.
_STATE_TO_STATUS = {"logged": COVERED, "partial": PARTIAL, "unknown": UNKNOWN, "missing": BLIND}
_RANK = {COVERED: 3, PARTIAL: 2, UNKNOWN: 1, BLIND: 0}


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    tactics: tuple[str, ...]
    url: str
    #: data component -> the log sources ATT&CK's IaaS analytics name for it
    components: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class AttackData:
    version: str
    platforms: tuple[str, ...]
    source: str
    techniques: tuple[Technique, ...]
    #: technique id -> name, for every technique and the parents of sub-techniques
    names: dict[str, str]


@functools.cache
def load_attack() -> AttackData:
    """The shipped ATT&CK extract (read once)."""
    text = resources.files("snapshot").joinpath("data", "attack.json").read_text("utf-8")
    return parse_attack(json.loads(text))


def parse_attack(document: dict[str, Any]) -> AttackData:
    techniques = tuple(
        Technique(
            id=t["id"],
            name=t["name"],
            tactics=tuple(t.get("tactics", ())),
            url=t.get("url", ""),
            components={k: tuple(v) for k, v in t.get("data_components", {}).items()},
        )
        for t in document["techniques"]
    )
    names = dict(document.get("parent_names", {}))
    names.update((t.id, t.name) for t in techniques)
    return AttackData(
        version=str(document["attack_version"]),
        platforms=tuple(document.get("platforms", ())),
        source=str(document.get("source", "")),
        techniques=techniques,
        names=names,
    )


@functools.cache
def catalogue_components() -> dict[str, tuple[str, ...]]:
    """Data component name (without its v17 data-source prefix) -> controls that feed it."""
    found: dict[str, list[str]] = defaultdict(list)
    for control in CATALOGUE:
        for entry in control.attack_data_components:
            found[entry.split(": ", 1)[-1]].append(control.id)
    return {name: tuple(ids) for name, ids in found.items()}


def suppliers(component: str, log_sources: tuple[str, ...]) -> tuple[str, ...]:
    """Controls whose logs supply `component` for one technique.

    Where ATT&CK names AWS log sources for the component, the catalogue's controls for it
    among those sources' controls (Network Traffic Flow "from AWS:VPCFlowLogs" is the flow
    logs, not GuardDuty, which reads flow logs but keeps none for a responder; Cloud
    Storage Access "from AWS:CloudTrail" is the S3 / DynamoDB data events); where the two
    share none, both (the sources' own meaning, then the catalogue's: User Account
    Authentication "from AWS:CloudTrail" is the console and API sign-ins of the management
    events, which the catalogue lists under the databases' audit logs only). Without an
    AWS source named, the catalogue's controls.
    """
    family: list[str] = []
    primary: list[str] = []
    for source in log_sources:
        controls = LOG_SOURCE_CONTROLS.get(source, ())
        family += [c for c in controls if c not in family]
        primary += [c for c in controls[:1] if c not in primary]
    listed = catalogue_components().get(component, ())
    narrowed = tuple(c for c in listed if c in family)
    return narrowed or (*primary, *(c for c in listed if c not in primary))


def control_states(snapshot: Snapshot) -> dict[str, dict[str, str]]:
    """account -> control -> logged | partial | missing | unknown (see the module doc)."""
    counts: dict[tuple[str, str], dict[Status, int]] = defaultdict(lambda: defaultdict(int))
    for resource in snapshot.resources:
        for record in resource.coverage:
            if record.status is not Status.not_applicable:
                counts[(resource.account, record.control)][record.status] += 1
    states: dict[str, dict[str, str]] = defaultdict(dict)
    for (account, control_id), seen in counts.items():
        total = sum(seen.values())
        if seen[Status.logged] == total:
            state = "logged"
        elif seen[Status.logged] or seen[Status.partial]:
            state = "partial"
        elif seen[Status.unknown]:
            state = "unknown"
        else:
            state = "missing"
        states[account][control_id] = state
    return states


def judge(technique: Technique, states: dict[str, str]) -> tuple[str, list[str], dict[str, str]]:
    """One technique in one account: status, controls that would close it, per component."""
    per_component: dict[str, str] = {}
    missing: list[str] = []
    for component, log_sources in technique.components.items():
        controls = suppliers(component, log_sources)
        if not controls:
            per_component[component] = NOT_ASSESSED
            continue
        present = [(c, states[c]) for c in controls if c in states]
        if not present:
            per_component[component] = NOT_APPLICABLE
            continue
        best = max((_STATE_TO_STATUS[state] for _, state in present), key=_RANK.__getitem__)
        per_component[component] = best
        if best != COVERED:
            missing.extend(c for c, state in present if state != "logged" and c not in missing)
    assessed = [s for s in per_component.values() if s in _RANK]
    if not assessed:
        status = NOT_APPLICABLE if NOT_APPLICABLE in per_component.values() else NOT_ASSESSED
    elif all(s == COVERED for s in assessed):
        status = COVERED
    elif all(s == BLIND for s in assessed):
        status = BLIND
    elif not any(s in (COVERED, PARTIAL) for s in assessed) and UNKNOWN in assessed:
        status = UNKNOWN
    else:
        status = PARTIAL
    return status, missing, per_component


class AttackError(ValueError):
    """A request the snapshot cannot answer (an account it does not hold)."""


def _resolve(reference: str, ids: list[str], names: dict[str, str]) -> str:
    """An account id, or an account name when exactly one account has it."""
    if reference in ids:
        return reference
    named = [i for i in ids if names.get(i) == reference]
    if len(named) == 1:
        return named[0]
    if named:
        raise AttackError(f"account name {reference!r} is ambiguous; use the account id")
    raise AttackError(f"no account {reference!r} in this snapshot")


def blind_spots(
    snapshot: Snapshot, accounts: list[str] | None = None, data: AttackData | None = None
) -> dict[str, Any]:
    """The `blindspot attack` document: every cloud technique, per account."""
    data = data or load_attack()
    states = control_states(snapshot)
    names = {account.id: account.name for account in snapshot.accounts}
    ids = sorted(names.keys() | states.keys())
    if accounts:
        ids = [_resolve(reference, ids, names) for reference in dict.fromkeys(accounts)]
    techniques: list[dict[str, Any]] = []
    for technique in data.techniques:
        verdicts: list[dict[str, Any]] = []
        for account in ids:
            status, missing, per_component = judge(technique, states.get(account, {}))
            verdicts.append(
                {
                    "id": account,
                    "name": names.get(account, ""),
                    "status": status,
                    "missing_controls": missing,
                    "components": per_component,
                }
            )
        techniques.append(
            {
                "id": technique.id,
                "name": technique.name,
                "tactics": list(technique.tactics),
                "url": technique.url,
                "data_components": list(technique.components),
                "log_sources": {k: list(v) for k, v in technique.components.items()},
                "accounts": verdicts,
            }
        )
    totals: dict[str, dict[str, int]] = {a: dict.fromkeys(STATUSES, 0) for a in ids}
    for item in techniques:
        for verdict in item["accounts"]:
            totals[verdict["id"]][verdict["status"]] += 1
    return {
        "attack_version": data.version,
        "platforms": list(data.platforms),
        "source": data.source,
        "accounts": [{"id": a, "name": names.get(a, ""), "totals": totals[a]} for a in ids],
        "techniques": techniques,
    }
