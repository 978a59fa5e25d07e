"""The ground truth of the demo organization: which resource has which log source on or off.

The builder records every control it deliberately switches on, leaves off or half-configures,
so that the collectors' and probes' tests can compare what they find with what was built,
without re-deriving it from moto. Control keys name the log source, close to the catalogue's
control ids (`vpc-flow-logs`, `s3-server-access-logs` ...); `state` is what a correct probe
should conclude: `logged`, `partial` or `missing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

State = Literal["logged", "partial", "missing"]


@dataclass(frozen=True, slots=True)
class Planned:
    """One control on one resource, as built."""

    account: str
    region: str
    resource_type: str  # AWS Config type, e.g. AWS::EC2::VPC
    resource_id: str  # the short id: vpc-0abc, bucket name, function name ...
    arn: str  # the id a snapshot gives the resource (ARN as AWS Config reports it)
    layer: str
    control: str
    state: State
    detail: str = ""


@dataclass
class GroundTruth:
    """Every planned control, in build order; query helpers for tests."""

    items: list[Planned] = field(default_factory=list)

    def add(
        self,
        *,
        account: str,
        region: str,
        resource_type: str,
        resource_id: str,
        arn: str,
        layer: str,
        control: str,
        state: State,
        detail: str = "",
    ) -> None:
        self.items.append(
            Planned(account, region, resource_type, resource_id, arn, layer, control, state, detail)
        )

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def find(self, **criteria: str | None) -> list[Planned]:
        """The planned controls whose fields equal `criteria` (a None criterion matches any)."""
        unknown = criteria.keys() - Planned.__dataclass_fields__.keys()
        if unknown:
            raise TypeError(f"Planned has no field {', '.join(sorted(unknown))}")
        wanted = [(key, value) for key, value in criteria.items() if value is not None]
        return [
            item for item in self.items if all(getattr(item, key) == value for key, value in wanted)
        ]

    def one(self, **criteria: str) -> Planned:
        """The single planned control matching `criteria` (ValueError otherwise)."""
        found = self.find(**criteria)
        if len(found) != 1:
            raise ValueError(f"{len(found)} planned controls match {criteria}")
        return found[0]

    def states_by_layer(self) -> dict[str, set[str]]:
        """Layer -> the set of states planned in it (every layer has logged and missing)."""
        result: dict[str, set[str]] = {}
        for item in self.items:
            result.setdefault(item.layer, set()).add(item.state)
        return result

    def extend(self, items: Iterable[Planned]) -> None:
        self.items.extend(items)
