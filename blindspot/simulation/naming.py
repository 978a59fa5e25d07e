"""Names, tags and ids of the demo company, derived from the seed.

A seed picks the company and the random suffixes of globally unique names (S3 buckets), so
that two seeds give two different-looking organizations and one seed always the same one.
Tags look like a real company's (`team`, `cost-center`, `environment`), and a few values are
hostile on purpose (Rich/Textual markup, a terminal title escape, a bidi override): the
explorer must show them as inert text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

COMPANIES = ("northwind", "globex", "initech", "tailspin", "fabrikam", "wingtip")

#: Hostile tag values: markup, a click action, an OSC title escape, a right-to-left override.
HOSTILE_TAG_VALUES: tuple[str, ...] = (
    "[bold]x[/",
    "[@click=app.quit]pwn[/]",
    "\x1b]0;PWNED\x07",
    "invoice-\u202egnp.exe",
)

TEAMS = ("payments", "storefront", "platform", "data", "identity", "search")


@dataclass(frozen=True)
class Naming:
    """The seeded naming scheme of one demo organization."""

    seed: int
    company: str
    suffix: str  # random lowercase hex, makes bucket names unique per seed

    @classmethod
    def from_seed(cls, seed: int) -> Naming:
        rng = random.Random(seed)
        company = COMPANIES[rng.randrange(len(COMPANIES))]
        suffix = f"{rng.getrandbits(24):06x}"
        return cls(seed=seed, company=company, suffix=suffix)

    @property
    def title(self) -> str:
        return self.company.capitalize()

    def account_name(self, role: str) -> str:
        return f"{self.company}-{role}"

    def email(self, role: str) -> str:
        return f"aws+{role}@{self.company}.example"

    def bucket(self, purpose: str) -> str:
        """A globally unique bucket name, e.g. `northwind-prod-data-3fa2c1`."""
        return f"{self.company}-{purpose}-{self.suffix}"

    def domain(self, sub: str = "") -> str:
        base = f"{self.company}-shop.example.com"
        return f"{sub}.{base}" if sub else base


def tags(
    env: str, team: str, cost_center: str, name: str | None = None, **extra: str
) -> dict[str, str]:
    """The company's tagging standard as a plain dict."""
    values = {
        "environment": env,
        "team": team,
        "cost-center": cost_center,
        "owner": f"{team}@example.com",
        "managed-by": "terraform",
    }
    if name:
        values["Name"] = name
    values.update(extra)
    return values


def tag_list(values: dict[str, str]) -> list[dict[str, str]]:
    """`[{"Key": k, "Value": v}]`, the shape EC2, ELB, RDS and CloudTrail take."""
    return [{"Key": key, "Value": value} for key, value in values.items()]


def hostile_tags(*, xml_safe: bool = False) -> dict[str, str]:
    """Tags whose values would break a terminal or a markup renderer if trusted.

    Control characters cannot travel in XML 1.0 at all, so services with XML APIs (S3, EC2)
    get the markup and bidi values only (`xml_safe=True`); JSON APIs (Lambda, DynamoDB)
    carry the escape sequence too.
    """
    values = {
        "description": HOSTILE_TAG_VALUES[0],
        "note": HOSTILE_TAG_VALUES[1],
        "ticket": HOSTILE_TAG_VALUES[2],
        "attachment": HOSTILE_TAG_VALUES[3],
    }
    if xml_safe:
        del values["ticket"]
    return values
