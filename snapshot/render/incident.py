"""The incident plan as Markdown (what a responder pastes into the ticket) or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from snapshot.incident import IncidentPlan, Source
from snapshot.queries import iso
from snapshot.render.report import _md_cell
from snapshot.sanitize import clean_single_line


def render_json(plan: IncidentPlan) -> str:
    return json.dumps(plan.as_dict(), indent=2, ensure_ascii=False) + "\n"


def _holds(source: Source) -> str:
    if source.covers_window is None:
        return "unknown" if source.status in ("logged", "partial") else "-"
    return "yes" if source.covers_window else "**no**"


def _retention(days: int | None) -> str:
    if days is None:
        return "unknown"
    return "never expires" if days == 0 else f"{days} days"


def _fence(text: str) -> str:
    return clean_single_line(text).replace("```", "` ` `")


def _lang(engine: str) -> str:
    return "sql" if engine == "athena" else "sh"


_MAX_NAMES = 6


def _source_groups(plan: IncidentPlan) -> dict[tuple[str, str, str, int | None, str], list[str]]:
    """Logging sources that share a control and a destination, with the resources they serve:
    a region's trail shows once, not once per resource."""
    groups: dict[tuple[str, str, str, int | None, str], list[str]] = {}
    for resource in plan.resources:
        for source in resource.sources:
            if source.status not in ("logged", "partial"):
                continue
            key = (
                source.control,
                source.layer,
                source.where or source.destination or "-",
                source.retention_days,
                _holds(source),
            )
            groups.setdefault(key, []).append(f"{resource.name} ({resource.hops})")
    return groups


def _gone(plan: IncidentPlan) -> list[str]:
    """The sources whose destination no longer holds the window, once each: what the
    responder must not wait for."""
    seen: dict[tuple[str, str], None] = {}
    for resource in plan.resources:
        for source in resource.sources:
            if source.covers_window is False:
                where = source.where or source.destination or "-"
                seen.setdefault(
                    (source.control, f"{_md_cell(where)}, {_retention(source.retention_days)}")
                )
    return [f"{control} ({detail})" for control, detail in seen]


def render_markdown(plan: IncidentPlan) -> str:
    window = plan.window
    age = window.age_days(plan.now)
    lines = [
        f"## Incident plan: {_md_cell(plan.subject_name)}",
        "",
        f"- Subject: `{plan.subject.replace('`', '')}`",
        f"- Window: {iso(window.start)} to {iso(window.end)} (UTC; starts {age:.1f} days "
        f"before {iso(plan.now)})",
    ]
    if plan.as_of:
        lines.append(f"- Coverage as of: {iso(plan.as_of)} (snapshot of that time)")
    lines.append(
        f"- Snapshot collected: {iso(plan.snapshot_time)}; statuses are as of "
        f"{'that time' if not plan.as_of else 'the as-of time'}, not necessarily the window's"
    )
    lines.append(f"- Resources within {plan.depth} hops: {len(plan.resources)}")
    gone = _gone(plan)
    lines.append(
        "- Already expired for this window: " + "; ".join(gone)
        if gone
        else "- Every logging source with a known retention still holds this window"
    )
    lines += [
        "",
        "### Log sources",
        "",
        "| source | where | retention | holds window | resources (hops) |",
        "|---|---|---|---|---|",
    ]
    for (control, layer, where, days, holds), names in _source_groups(plan).items():
        shown = ", ".join(names[:_MAX_NAMES])
        if len(names) > _MAX_NAMES:
            shown += f", +{len(names) - _MAX_NAMES} more"
        lines.append(
            f"| {control} ({layer}) | {_md_cell(where)} | {_retention(days)} | {holds} | "
            f"{_md_cell(shown)} |"
        )
    lines += ["", "### Queries", ""]
    shown_queries: dict[str, str] = {}
    for resource in plan.resources:
        sources = [s for s in resource.sources if s.queries]
        if not sources:
            continue
        lines.append(f"#### {_md_cell(resource.name)} ({_md_cell(resource.type)})")
        lines.append("")
        for source in sources:
            lines.append(
                f"{source.control} ({source.layer}), retention {_retention(source.retention_days)}"
                f", holds window: {_holds(source)}"
            )
            lines.append("")
            for query in source.queries:
                first = shown_queries.get(query.text)
                if first is not None:
                    lines += [f"- same {query.engine} query as for {_md_cell(first)}", ""]
                    continue
                shown_queries[query.text] = resource.name
                lines += [f"```{_lang(query.engine)}", _fence(query.text), "```"]
                if query.note:
                    lines.append(f"_{_md_cell(query.note)}_")
                lines.append("")
    lines += ["### Blind spots", ""]
    if not plan.blind_spots:
        lines.append("None: every source of these resources is logging.")
    for spot in plan.blind_spots:
        extended = " (extended)" if spot.expectation != "baseline" else ""
        lines.append(
            f"- **{_md_cell(spot.name)}** {spot.layer}/{spot.control}{extended}: "
            f"{_md_cell(spot.why)}"
        )
    placeholders = plan.placeholders()
    if placeholders:
        lines += ["", "Placeholders left: " + ", ".join(f"<{n}>" for n in placeholders)]
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[IncidentPlan], str]] = {
    "markdown": render_markdown,
    "json": render_json,
}


def render(plan: IncidentPlan, fmt: str) -> str:
    return RENDERERS[fmt](plan)
