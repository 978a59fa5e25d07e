"""The estate being generated: its shared state, the record helpers and the pseudo-resources.

`Estate` holds what every resource kind needs (the seeded random source, the lists of
resources, relationships and errors, and what each account-region has made so far); the
kinds themselves are in `network.py` and `services.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

from snapshot.model import (
    ACCOUNT_TYPE,
    GLOBAL_REGION,
    REGION_TYPE,
    account_node_id,
    region_node_id,
)

#: Regions handed out in order; `regions=R` takes the first R.
REGIONS = (
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "ap-southeast-2",
    "eu-central-1",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
)

ACCOUNT_NAMES = ("management", "log-archive", "security", "prod", "staging", "dev", "data")
TEAMS = ("payments", "identity", "search", "platform", "checkout", "analytics")
ENVIRONMENTS = ("prod", "staging", "dev")
APPS = ("api", "web", "worker", "batch", "etl", "auth", "billing", "reports")

#: Share of the non-pseudo resources each kind gets (roughly what a web estate looks like).
MIX: tuple[tuple[str, float], ...] = (
    ("vpc", 0.02),
    ("subnet", 0.06),
    ("security_group", 0.07),
    ("instance", 0.15),
    ("volume", 0.08),
    ("eni", 0.16),
    ("load_balancer", 0.03),
    ("bucket", 0.08),
    ("role", 0.07),
    ("function", 0.10),
    ("log_group", 0.14),
    ("db", 0.04),
)


class RecordFields(TypedDict, total=False):
    """The optional fields of a coverage record (`Estate.cov`); unset, a record's expectation
    is "baseline" and the others None."""

    expectation: str
    destination: str | None
    inherited_from: str | None
    operation: str | None


# Relationship names as AWS Config words them.
CONTAINED_IN_VPC = "Is contained in Vpc"
CONTAINED_IN_SUBNET = "Is contained in Subnet"
ASSOCIATED_SG = "Is associated with SecurityGroup"
ATTACHED_TO_INSTANCE = "Is attached to Instance"
CONTAINS_ENI = "Contains NetworkInterface"
ATTACHED_TO_SUBNET = "Is attached to Subnet"
ATTACHED_TO_VOLUME = "Is attached to Volume"
ASSOCIATED_ROLE = "Is associated with Role"
# Log delivery edges (origin "logging"): Config records none, blindspot derives them.
DELIVERS_TO_LOG_GROUP = "Delivers logs to LogGroup"
DELIVERS_TO_BUCKET = "Delivers logs to Bucket"


@dataclass
class RegionState:
    """What has been made so far in one account-region, for wiring relationships."""

    account: str
    region: str
    vpcs: list[tuple[str, str]] = field(default_factory=list)  # (arn, flow-log status)
    subnets: list[tuple[str, str, str]] = field(default_factory=list)  # (arn, vpc arn, status)
    security_groups: list[tuple[str, str]] = field(default_factory=list)  # (arn, vpc arn)
    instances: list[tuple[str, str, str, str]] = field(default_factory=list)  # arn, subnet...
    roles: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    log_groups: list[str] = field(default_factory=list)
    trail_status: str = "missing"  # management events, inherited by every resource here
    recorder_status: str = "missing"  # the Config recorder, likewise
    data_events: str = "missing"  # status of S3 object-level events for this account-region
    lambda_events: str = "missing"
    trail_id: str = ""

    @property
    def where(self) -> tuple[str, str]:
        return self.account, self.region


class Estate:
    def __init__(self, resources: int, accounts: int, regions: int, seed: int) -> None:
        if resources < 0 or accounts < 1 or regions < 1:
            raise ValueError("need resources >= 0, accounts >= 1 and regions >= 1")
        self.rng = random.Random(seed)
        self.n = resources
        self.accounts = [
            f"{100000000000 + i * 111111111 + seed % 1000:012d}" for i in range(accounts)
        ]
        self.regions = [REGIONS[i % len(REGIONS)] for i in range(min(regions, len(REGIONS)))]
        self.resources: list[dict[str, Any]] = []
        self.relationships: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.counter = 0
        self.states: dict[tuple[str, str], RegionState] = {}

    # -- small helpers ----------------------------------------------------------------

    def hex_id(self, width: int = 17) -> str:
        """A unique, AWS-looking hex suffix (random head, counter tail keeps it unique)."""
        self.counter += 1
        tail = f"{self.counter:x}"
        head_width = max(2, width - len(tail))
        head = f"{self.rng.getrandbits(4 * head_width):0{head_width}x}"
        return head + tail

    def pick_status(self, logged: float, partial: float, missing: float) -> str:
        roll = self.rng.random()
        if roll < logged:
            return "logged"
        if roll < logged + partial:
            return "partial"
        if roll < logged + partial + missing:
            return "missing"
        return "unknown"

    def read_status(
        self, where: tuple[str, str], call: str, logged: float, partial: float, missing: float
    ) -> str:
        """`pick_status` for what `call` ("service:Operation") reads in `where`; an
        `unknown` status is that call refused, recorded as a collection error."""
        status = self.pick_status(logged, partial, missing)
        if status == "unknown":
            service, operation = call.split(":")
            self.error(*where, service, operation)
        return status

    def tags(self, app: str) -> dict[str, str]:
        rng = self.rng
        tags = {"env": rng.choice(ENVIRONMENTS), "team": rng.choice(TEAMS), "app": app}
        if rng.random() < 0.3:
            tags["cost-center"] = f"cc-{rng.randrange(1000, 9999)}"
        return tags

    def add(
        self,
        where: tuple[str, str],
        arn: str,
        type_: str,
        name: str,
        resource_id: str,
        coverage: list[dict[str, Any]],
        tags: dict[str, str] | None = None,
    ) -> None:
        """A resource in `where`, an (account, region) pair (`RegionState.where`)."""
        account, region = where
        if type_ not in (ACCOUNT_TYPE, REGION_TYPE):
            coverage = coverage + self.inherited_from_region(type_, account, region, resource_id)
        self.resources.append(
            {
                "id": arn,
                "type": type_,
                "account": account,
                "region": region,
                "name": name,
                "resource_id": resource_id,
                "tags": tags or {},
                "source": "demo",
                "coverage": coverage,
            }
        )

    def rel(self, source: str, target: str, name: str, origin: str = "config") -> None:
        self.relationships.append(
            {"source": source, "target": target, "name": name, "origin": origin}
        )

    def error(self, account: str, region: str, service: str, operation: str) -> None:
        self.errors.append(
            {
                "account": account,
                "region": region,
                "service": service,
                "operation": operation,
                "code": "AccessDenied",
                "message": f"User is not authorized to perform: {service}:{operation}",
            }
        )

    def inherited_from_region(
        self, type_: str, account: str, region: str, resource_id: str
    ) -> list[dict[str, Any]]:
        """The records a collector copies onto every resource from its account-region."""
        home = self.regions[0] if region == GLOBAL_REGION else region
        st = self.states[(account, home)]
        scope = region_node_id(account, home)
        # (control, status, evidence by status, where a delivered log lands, the deciding call)
        records = (
            (
                "cloudtrail-management-events",
                st.trail_status,
                {
                    "logged": f"cloudtrail:GetEventSelectors: organization trail org-trail "
                    f"(multi-region) IsLogging=true records read+write management events "
                    f"in {home}",
                    "partial": "cloudtrail:GetEventSelectors: trail org-trail records "
                    "WriteOnly management events; reads of this resource are not logged",
                    "missing": f"cloudtrail:DescribeTrails: no logging trail covers {home} "
                    f"for account {account}",
                    "unknown": "cloudtrail:GetTrailStatus: AccessDenied (see errors)",
                },
                f"arn:aws:s3:::org-cloudtrail-{self.accounts[0]}/AWSLogs/{account}/",
                "cloudtrail:GetEventSelectors",
            ),
            (
                "config-recorder",
                st.recorder_status,
                {
                    "logged": f"config:DescribeConfigurationRecorders: recordingGroup "
                    f"allSupported=true records {type_}",
                    "partial": f"config:DescribeConfigurationRecorders: recordingGroup does not "
                    f"record {type_} ({resource_id})",
                    "missing": f"config:DescribeConfigurationRecorderStatus: no recorder in {home}",
                    "unknown": "config:DescribeConfigurationRecorderStatus: AccessDenied",
                },
                f"arn:aws:s3:::config-bucket-{account}/AWSLogs/{account}/Config/",
                "config:DescribeConfigurationRecorders",
            ),
        )
        return [
            self.cov(
                "account",
                control,
                status,
                evidence[status],
                destination=destination if status in ("logged", "partial") else None,
                inherited_from=scope,
                operation=operation,
            )
            for control, status, evidence, destination, operation in records
        ]

    @staticmethod
    def cov(
        layer: str, control: str, status: str, evidence: str, **fields: Unpack[RecordFields]
    ) -> dict[str, Any]:
        """A coverage record, its fields in the order the collectors write them; `fields`
        overrides the defaults of the optional ones."""
        record: dict[str, Any] = {
            "layer": layer,
            "control": control,
            "status": status,
            "expectation": "baseline",
            "evidence": evidence,
            "destination": None,
            "inherited_from": None,
            "operation": None,
            "notes": [],
        }
        record.update(**fields)
        return record

    def coin(
        self, layer: str, control: str, chance: float, evidence: str, operation: str
    ) -> dict[str, Any]:
        """An extended control that is simply on or off: on with probability `chance`."""
        status = "logged" if self.rng.random() < chance else "missing"
        return self.cov(
            layer, control, status, evidence, expectation="extended", operation=operation
        )

    @property
    def pseudo_count(self) -> int:
        return len(self.accounts) * (1 + len(self.regions))

    # -- pseudo-resources -------------------------------------------------------------

    def account_resource(self, index: int, account: str) -> None:
        rng = self.rng
        status = "logged" if rng.random() < 0.8 else "missing"
        trail = f"arn:aws:cloudtrail:{self.regions[0]}:{account}:trail/org-trail"
        coverage = [
            self.cov(
                "account",
                "cloudtrail-management-events",
                status,
                "cloudtrail:DescribeTrails trailList[].IsMultiRegionTrail="
                + ("true (organization trail)" if status == "logged" else "false"),
                destination=f"s3://org-cloudtrail-{self.accounts[0]}/AWSLogs/{account}/"
                if status == "logged"
                else None,
                inherited_from=trail if status == "logged" else None,
                operation="cloudtrail:DescribeTrails",
            ),
            self.coin(
                "account",
                "cloudtrail-integrity",
                0.6,
                "cloudtrail:DescribeTrails trailList[].LogFileValidationEnabled",
                "cloudtrail:DescribeTrails",
            ),
        ]
        name = ACCOUNT_NAMES[index % len(ACCOUNT_NAMES)]
        if index >= len(ACCOUNT_NAMES):
            name = f"{name}-{index // len(ACCOUNT_NAMES)}"
        self.add(
            (account, GLOBAL_REGION),
            account_node_id(account),
            ACCOUNT_TYPE,
            name,
            account,
            coverage,
        )

    def region_resource(self, account: str, region: str, state: RegionState) -> None:
        rng = self.rng
        denied = rng.random() < 0.05
        trail_status = (
            "unknown"
            if denied
            else self.pick_status(
                0.75,
                0.1,
                0.15,
            )
        )
        state.trail_id = f"arn:aws:cloudtrail:{region}:{account}:trail/org-trail"
        if denied:
            self.error(account, region, "cloudtrail", "GetTrailStatus")
        trail_evidence = {
            "logged": "cloudtrail:GetTrailStatus IsLogging=true; EventSelectors ReadWriteType=All",
            "partial": "cloudtrail:GetEventSelectors ReadWriteType=WriteOnly",
            "missing": "cloudtrail:DescribeTrails no trail covers this region",
            "unknown": "cloudtrail:GetTrailStatus AccessDenied",
        }[trail_status]
        state.data_events = "logged" if rng.random() < 0.35 else "missing"
        state.lambda_events = "logged" if rng.random() < 0.25 else "missing"
        recorder = self.read_status(
            state.where, "config:DescribeConfigurationRecorderStatus", 0.7, 0.1, 0.15
        )
        state.trail_status, state.recorder_status = trail_status, recorder
        guardduty = self.read_status(state.where, "guardduty:ListDetectors", 0.75, 0.0, 0.2)
        coverage = [
            self.cov(
                "account",
                "cloudtrail-management-events",
                trail_status,
                trail_evidence,
                destination=f"s3://org-cloudtrail-{self.accounts[0]}/AWSLogs/{account}/"
                if trail_status in ("logged", "partial")
                else None,
                inherited_from=state.trail_id if trail_status in ("logged", "partial") else None,
                operation="cloudtrail:GetTrailStatus",
            ),
            self.cov(
                "account",
                "config-recorder",
                recorder,
                {
                    "logged": "config:DescribeConfigurationRecorderStatus recording=true; "
                    "allSupported=true",
                    "partial": "config:DescribeConfigurationRecorders allSupported=false "
                    "(12 resource types)",
                    "missing": "config:DescribeConfigurationRecorders no recorder",
                    "unknown": "config:DescribeConfigurationRecorderStatus AccessDenied",
                }[recorder],
                destination=f"s3://config-bucket-{account}/AWSLogs/{account}/Config/{region}/"
                if recorder in ("logged", "partial")
                else None,
                operation="config:DescribeConfigurationRecorderStatus",
            ),
            self.cov(
                "account",
                "guardduty",
                guardduty,
                f"guardduty:ListDetectors DetectorIds={'[1]' if guardduty == 'logged' else '[]'}",
                operation="guardduty:ListDetectors",
            ),
            self.coin(
                "account",
                "cloudtrail-insights",
                0.2,
                "cloudtrail:GetInsightSelectors InsightSelectors",
                "cloudtrail:GetInsightSelectors",
            ),
            self.coin(
                "host",
                "ssm-session-logging",
                0.4,
                "ssm:GetDocument SSM-SessionManagerRunShell inputs.cloudWatchLogGroupName",
                "ssm:GetDocument",
            ),
            self.coin(
                "account", "securityhub", 0.5, "securityhub:DescribeHub", "securityhub:DescribeHub"
            ),
        ]
        self.add(
            (account, region),
            region_node_id(account, region),
            REGION_TYPE,
            region,
            region,
            coverage,
        )
