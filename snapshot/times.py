"""Reading a time someone or something wrote: one parser for the CLI, the explorer and the
collectors (a `--from`, an `--as-of`, an AWS Config item's capture time)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(text: str) -> datetime:
    """ISO 8601 (`2026-11-30T10:00Z`, `2026-11-30 10:00:00+01:00`, `2026-11-30`), as UTC.

    A time without a zone is taken as UTC (incident tickets are written in UTC); raises
    ValueError with the text when it does not parse or is not a UTC time (year 1 at +01:00).
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # before year 1 or after 9999 once in UTC
        raise ValueError(f"not a time in years 1 to 9999 UTC: {text!r}") from None
