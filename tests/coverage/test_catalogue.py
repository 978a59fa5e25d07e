"""The catalogue is complete, consistent, and matches what the probes produce."""

from __future__ import annotations

import inspect
import re

import pytest

from collectors.coverage import runner
from collectors.coverage.probes.account import config_resource_types
from snapshot.catalogue import ANY_RESOURCE, CATALOGUE, CONTROLS_BY_ID, control
from snapshot.model import PSEUDO_TYPES, Expectation, Layer

TYPE_NAME = re.compile(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$")
#: Real resource types (CloudFormation names, which AWS Config uses) that botocore's Config
#: `ResourceType` enum does not list.
NOT_IN_BOTOCORE_ENUM = frozenset(
    {
        "AWS::Logs::LogGroup",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
    }
)
#: Controls whose id the runner, not a probe module, writes.
DECIDED_IN_RUNNER = {"log-archive-separation"}


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda row: row.id)
def test_every_row_is_complete(row):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row.id)
    assert isinstance(row.layer, Layer)
    assert isinstance(row.expectation, Expectation)
    for name in ("title", "evaluated_by", "logs_land_in", "first_query"):
        assert getattr(row, name).strip(), f"{row.id}: empty {name}"
    assert row.remediation.startswith("aws "), row.id
    assert row.attack_data_components, f"{row.id}: no ATT&CK data component"
    assert all(":" in component for component in row.attack_data_components), row.id
    assert row.resource_types, row.id


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda row: row.id)
def test_resource_types_are_aws_config_type_names(row):
    known = config_resource_types()
    for rtype in row.resource_types:
        if rtype in PSEUDO_TYPES or rtype == ANY_RESOURCE:
            continue
        assert TYPE_NAME.match(rtype), f"{row.id}: {rtype}"
        assert rtype in known or rtype in NOT_IN_BOTOCORE_ENUM, f"{row.id}: unknown {rtype}"


def test_ids_are_unique_and_lookup_works():
    ids = [row.id for row in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert control("vpc-flow-logs").layer is Layer.network
    with pytest.raises(KeyError):
        control("no-such-control")


def test_fixed_ids_of_this_part_exist():
    for control_id in (
        "cloudtrail-management-events",
        "cloudtrail-s3-data-events",
        "cloudtrail-lambda-data-events",
        "cloudtrail-dynamodb-data-events",
        "cloudtrail-insights",
        "cloudtrail-integrity",
        "config-recorder",
        "guardduty",
        "detective",
        "securityhub",
        "vpc-flow-logs",
        "tgw-flow-logs",
        "resolver-query-logs",
        "route53-query-logs",
        "traffic-mirroring",
        "network-firewall-logs",
        "log-retention",
        "log-archive-separation",
    ):
        assert control_id in CONTROLS_BY_ID


def _probe_sources() -> str:
    """Every probe module's source: the layer modules and the modules they import from."""
    import importlib
    import pkgutil

    import collectors.coverage.probes as probes

    names = {m.__name__ for m in runner.PROBE_MODULES}
    for info in pkgutil.iter_modules(probes.__path__):
        names.add(f"{probes.__name__}.{info.name}")
    return "\n".join(inspect.getsource(importlib.import_module(n)) for n in sorted(names))


def test_every_catalogue_row_is_produced_by_some_probe():
    source = _probe_sources() + inspect.getsource(runner)
    unused = [row.id for row in CATALOGUE if f'"{row.id}"' not in source]
    assert not unused, f"catalogue rows no probe writes: {unused}"


def test_every_control_id_a_probe_writes_is_in_the_catalogue():
    source = _probe_sources()
    written = set(re.findall(r'control(?:_id)?="([a-z0-9-]+)"', source))
    written |= set(re.findall(r'record\(\s*ctx,\s*[^,]+,\s*"([a-z0-9-]+)"', source))
    assert written, "no control ids found in probe sources"
    assert written <= set(CONTROLS_BY_ID) | DECIDED_IN_RUNNER, written - set(CONTROLS_BY_ID)
