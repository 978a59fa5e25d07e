"""The snapshot contract (schema version 1) as pydantic models.

These models are the one definition of the snapshot file: the collectors build them, the
graph and every command read them, and `schema/snapshot.schema.json` is generated from
them (a test fails when the two disagree). Keys named in DESIGN.md are never repurposed
without bumping `SCHEMA_VERSION`; new optional keys may be added freely.

Unknown keys are ignored on read so that a snapshot written by a newer blindspot of the
same schema version still loads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Final = 1


class Layer(StrEnum):
    """The six layers of log sources an incident responder expects (SEED.md)."""

    account = "account"
    host = "host"
    database = "database"
    network = "network"
    access = "access"
    serverless = "serverless"


LAYERS: tuple[Layer, ...] = tuple(Layer)


class Status(StrEnum):
    """Status of one control on one resource.

    `unknown` means the collector could not tell (access denied, API error, service absent
    in the region); it is never guessed as `missing` or `logged`.
    """

    logged = "logged"
    partial = "partial"
    missing = "missing"
    unknown = "unknown"
    not_applicable = "not_applicable"


#: Worst first: a layer's status is the worst of its baseline controls.
STATUS_SEVERITY: dict[Status, int] = {
    Status.missing: 0,
    Status.unknown: 1,
    Status.partial: 2,
    Status.logged: 3,
}

#: A symbol per status, so that status never depends on colour alone (NO_COLOR, SSH).
STATUS_SYMBOL: dict[Status, str] = {
    Status.logged: "✓",
    Status.partial: "◐",
    Status.missing: "✗",
    Status.unknown: "?",
    Status.not_applicable: "·",
}

#: ASCII fallbacks for terminals without the glyphs above.
STATUS_ASCII: dict[Status, str] = {
    Status.logged: "+",
    Status.partial: "~",
    Status.missing: "x",
    Status.unknown: "?",
    Status.not_applicable: ".",
}


class Expectation(StrEnum):
    """`baseline` controls count towards coverage; `extended` ones are shown, not scored."""

    baseline = "baseline"
    extended = "extended"


class Origin(StrEnum):
    """Where a relationship came from."""

    config = "config"  # an AWS Config configuration item's relationships
    api = "api"  # derived from Describe/List responses, named as AWS Config names it
    logging = "logging"  # a log source delivering to a destination (trail -> bucket)
    inferred = "inferred"  # reverse edges and owners AWS Config no longer records
    scope = "scope"  # resource -> its account-region pseudo-resource


#: Resource types of the pseudo-resources that hold account- and region-level controls.
ACCOUNT_TYPE = "AWS::::Account"
REGION_TYPE = "blindspot::Account::Region"
PSEUDO_TYPES = frozenset({ACCOUNT_TYPE, REGION_TYPE})

#: Region of account-level (global) pseudo-resources and global services' resources.
GLOBAL_REGION = "global"


def account_node_id(account: str) -> str:
    """Id of an account's pseudo-resource: the bare account id, easy to type."""
    return account


def region_node_id(account: str, region: str) -> str:
    """Id of an account-region pseudo-resource, e.g. `123456789012/us-east-1`."""
    return f"{account}/{region}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _CompactModel(_Model):
    """A model of which a snapshot holds hundreds of thousands: resources, their coverage
    records and relationships.

    pydantic keeps a per-instance set of the fields given (`__pydantic_fields_set__`: 728
    bytes for Coverage's nine names, more than the record's own `__dict__`). When every
    field was given, which is the case for everything read from a snapshot file, the
    instance gets its class's one full set instead, as soon as it is validated (so the
    memory is reused by the next record, which a pass after loading would not achieve).
    Assigning a field adds its name to that set, a no-op since it is already there, so
    `model_fields_set` and `exclude_unset` behave as before. Measured on a 100k-resource
    snapshot (331k coverage records): peak while validating 1,257 MB -> 859 MB, for about
    0.2 s of validation time (benchmarks/README.md). Interning repeated strings here as well
    saved nothing at the peak (the parsed document still holds its own copies) and cost
    0.4 s, so it is not done.
    """

    _ALL_FIELDS: ClassVar[set[str]]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._ALL_FIELDS = set(cls.model_fields)

    @model_validator(mode="after")
    def _share_full_fields_set(self) -> Self:
        full = self._ALL_FIELDS
        if len(self.__pydantic_fields_set__) == len(full):
            _set_attribute(self, "__pydantic_fields_set__", full)
        return self


_set_attribute = object.__setattr__


class Tool(_Model):
    name: str = "blindspot"
    version: str = "0.0.0"


class RegionSource(_Model):
    """Which inventory source collected one account-region (recorded in `scope`)."""

    account: str
    region: str
    source: str


class Scope(_Model):
    source: str = Field(
        description="config | aggregator | config-files | api | demo | mixed (per region in "
        "`sources`)"
    )
    regions: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)
    organization: str | None = None
    aggregator: str | None = None
    sources: list[RegionSource] = Field(default_factory=list)


class Account(_Model):
    id: str
    name: str = ""
    regions: list[str] = Field(default_factory=list)
    email: str | None = None
    role: str | None = Field(
        default=None, description="management | log-archive | member, when known"
    )


class Coverage(_CompactModel):
    """One control's status on one resource, with the evidence that decided it."""

    layer: Layer
    control: str
    status: Status
    expectation: Expectation = Expectation.baseline
    evidence: str = ""
    destination: str | None = None
    inherited_from: str | None = None
    operation: str | None = Field(
        default=None, description="The API call that decided the status, e.g. ec2:DescribeFlowLogs"
    )
    notes: list[str] = Field(
        default_factory=list, description="Quality remarks that do not change the status"
    )
    retention_days: int | None = Field(
        default=None,
        description="Days the destination keeps these logs (CloudWatch Logs retentionInDays, "
        "S3 lifecycle expiration); 0 = never expires; null = not known",
    )


class Resource(_CompactModel):
    id: str = Field(description="The ARN where one exists, else a stable unique id")
    type: str = Field(description="AWS Config resource type name, e.g. AWS::EC2::VPC")
    account: str
    region: str
    name: str = ""
    resource_id: str | None = Field(default=None, description="The short id, e.g. vpc-0abc")
    tags: dict[str, str] = Field(default_factory=dict)
    source: str | None = Field(default=None, description="Inventory source that found it")
    coverage: list[Coverage] = Field(default_factory=list, fail_fast=True)

    @property
    def is_pseudo(self) -> bool:
        return self.type in PSEUDO_TYPES


class Relationship(_CompactModel):
    source: str
    target: str
    name: str = Field(description="AWS Config's wording, e.g. 'Is contained in Vpc'")
    origin: Origin = Origin.config
    raw: str | None = Field(default=None, description="The relationship string as received")


class CollectionError(_Model):
    account: str | None = None
    region: str | None = None
    service: str = ""
    operation: str = ""
    code: str = ""
    message: str = ""


class Snapshot(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    tool: Tool = Field(default_factory=Tool)
    scope: Scope
    accounts: list[Account] = Field(default_factory=list, fail_fast=True)
    resources: list[Resource] = Field(default_factory=list, fail_fast=True)
    relationships: list[Relationship] = Field(default_factory=list, fail_fast=True)
    errors: list[CollectionError] = Field(default_factory=list, fail_fast=True)
    as_of: datetime | None = Field(
        default=None,
        description="The past time this snapshot describes (`collect --as-of`); null = the "
        "time it was collected",
    )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the snapshot file, generated from these models."""
    schema = Snapshot.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://blindspot.invalid/schema/snapshot-v1.json"
    schema["title"] = "blindspot snapshot, schema version 1"
    return schema
