"""Recording a control's status with the catalogue's layer and expectation.

Probes name a control by id; its layer and `baseline`/`extended` expectation come from the
catalogue row, so they cannot drift between the table `blindspot controls` prints and the
records in a snapshot. Evidence and notes may quote AWS-sourced strings (names, ARNs,
selector values), so they are cleaned here once for every probe.
"""

from __future__ import annotations

from collections.abc import Iterable

from snapshot.catalogue import control
from snapshot.model import Coverage, Status
from snapshot.sanitize import clean_single_line

from ..inventory.base import CollectedResource
from .base import ProbeContext
from .items import has, no_credential

#: Evidence of records the runner adds when no probe decided a control of a run without
#: credentials and the control names no call (kept for records of older snapshots).
OFFLINE_EVIDENCE = "offline source: not evaluated"


def record(
    ctx: ProbeContext,
    resource_id: str,
    control_id: str,
    status: Status,
    evidence: str,
    *,
    destination: str | None = None,
    inherited_from: str | None = None,
    operation: str | None = None,
    notes: Iterable[str] = (),
) -> Coverage:
    """Add one control's status on one resource (layer and expectation from the catalogue)."""
    row = control(control_id)
    return ctx.add(
        resource_id,
        layer=row.layer,
        control=control_id,
        status=status,
        expectation=row.expectation,
        evidence=clean_single_line(evidence),
        destination=clean_single_line(destination) if destination else None,
        inherited_from=inherited_from,
        operation=operation,
        notes=[clean_single_line(note) for note in notes],
    )


def unknown(
    ctx: ProbeContext,
    resource_ids: Iterable[str],
    control_id: str,
    exc: BaseException,
    *,
    service: str,
    operation: str,
) -> None:
    """A failed call: record the error once and mark what it would have decided `unknown`."""
    error = ctx.fail(exc, service=service, operation=operation)
    call = f"{service}:{operation}"
    _mark_each(ctx, resource_ids, [control_id], f"{call} failed: {error.code}", operation=call)


def call_failed(
    ctx: ProbeContext,
    resource_id: str,
    control_id: str,
    exc: BaseException,
    call: str,
    *,
    operation: str | None = None,
    what: str | None = None,
) -> None:
    """A call about one resource failed: the error goes once into the snapshot's `errors` and
    the control is `unknown`, never guessed, with evidence naming the call and the error code.

    `call` is `service:Operation`; `operation` (default `call`) is what the record says was
    asked, `what` (default `call`) how the evidence names it.
    """
    call_failed_each(ctx, [resource_id], control_id, exc, call, operation=operation, what=what)


def call_failed_each(
    ctx: ProbeContext,
    resource_ids: Iterable[str],
    control_ids: str | Iterable[str],
    exc: BaseException,
    call: str,
    *,
    operation: str | None = None,
    what: str | None = None,
) -> None:
    """One failed call that would have decided several resources (and controls): the error
    goes once into `errors`, each is `unknown` with evidence naming the call and its code
    (`call_failed`'s arguments otherwise).
    """
    controls = [control_ids] if isinstance(control_ids, str) else list(control_ids)
    evidence = _failure_evidence(ctx, exc, call, what)
    _mark_each(ctx, resource_ids, controls, evidence, operation=operation or call)


def _failure_evidence(ctx: ProbeContext, exc: BaseException, call: str, what: str | None) -> str:
    """Record the failed `service:Operation` once in `errors`; the evidence naming it."""
    service, _, name = call.partition(":")
    code = ctx.fail(exc, service=service, operation=name).code
    return f"{what or call} failed ({code})"


def _mark_each(
    ctx: ProbeContext,
    resource_ids: Iterable[str],
    control_ids: list[str],
    evidence: str,
    *,
    operation: str,
) -> None:
    """Every control of `control_ids` on every resource `unknown`, with one evidence (the
    caller has recorded the failed call, `ctx.fail`, and words the evidence)."""
    for resource_id in resource_ids:
        for control_id in control_ids:
            record(ctx, resource_id, control_id, Status.unknown, evidence, operation=operation)


def mark_unknown(
    ctx: ProbeContext,
    types: Iterable[str],
    control_id: str,
    evidence: str,
    *,
    operation: str,
) -> None:
    """Mark every inventory resource of `types` `unknown`: the call that decides it failed.

    The caller records the failure itself (`ctx.fail`) and words the evidence, since a probe
    may have made several calls and cites them as one.
    """
    ids = [item.id for item in ctx.inventory.of_type(*types)]
    _mark_each(ctx, ids, [control_id], evidence, operation=operation)


def listing_failed(
    ctx: ProbeContext,
    types: Iterable[str],
    control_id: str,
    exc: BaseException,
    call: str,
    *,
    operation: str | None = None,
    what: str | None = None,
) -> None:
    """The listing that decides every resource of `types` failed: the error goes once into
    the snapshot's `errors`, and each such resource is `unknown` (`mark_unknown`).

    `call` is the `service:Operation` that failed; `operation` (default `call`) is what the
    records say was asked, `what` (default `call`) how the evidence names it, since a probe
    may cite several calls as one.
    """
    evidence = _failure_evidence(ctx, exc, call, what)
    mark_unknown(ctx, types, control_id, evidence, operation=operation or call)


def first_call(calls: str) -> str:
    """The first `service:Operation` of a catalogue `fill_call` ("a:B X; c:D" -> "a:B")."""
    return calls.split(";", 1)[0].strip().split(" ", 1)[0]


def skipped(
    ctx: ProbeContext, resource_ids: Iterable[str], control_id: str, call: str | None = None
) -> None:
    """No credential for the account: record `unknown`, naming the call that was not made.

    The call defaults to the catalogue's `fill_call` of the control.
    """
    call = call or control(control_id).fill_call
    evidence = no_credential(ctx.account, call) if call else OFFLINE_EVIDENCE
    for resource_id in resource_ids:
        record(
            ctx,
            resource_id,
            control_id,
            Status.unknown,
            evidence,
            operation=first_call(call) if call else None,
        )


def holding(
    ctx: ProbeContext, types: Iterable[str], control_id: str, *fields: str
) -> list[CollectedResource]:
    """The inventory's items of `types` whose configuration holds any of `fields`.

    The others cannot be decided without the call the catalogue names: they are recorded
    `unknown` here (`skipped`), so a probe reads only the items that decide.
    """
    found: list[CollectedResource] = []
    for item in ctx.inventory.of_type(*types):
        if any(has(item.configuration, name) for name in fields):
            found.append(item)
        else:
            skipped(ctx, [item.id], control_id)
    return found


def offline_capable(probe):  # type: ignore[no-untyped-def]
    """Mark a probe that decides from the inventory alone (runs for offline sources)."""
    probe.offline = True
    return probe
