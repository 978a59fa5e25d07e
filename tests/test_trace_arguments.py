"""`blindspot trace` arguments a newcomer types.

The explorer shows types without the `AWS::` prefix, so `--type EC2::Subnet` must work;
a type or relationship the snapshot does not hold is a usage error that lists the valid
ones (both used to print the root alone, as if it had no neighbours); the ambiguity error
keeps both of its quotes.
"""

from __future__ import annotations

import pytest

from blindspot.cli import main
from snapshot.io import save_snapshot
from tests.tui.fixtures import INSTANCE, SUBNET, build_snapshot


@pytest.fixture
def snapshot_file(tmp_path):
    return str(save_snapshot(build_snapshot(), tmp_path / "s.json"))


def test_short_and_full_type_forms_give_the_same_trace(snapshot_file, capsys):
    outputs = []
    for value in ("EC2::Subnet", "AWS::EC2::Subnet", "ec2::subnet"):
        assert main(["trace", snapshot_file, INSTANCE, "--type", value, "--format", "json"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert SUBNET in outputs[0]


@pytest.mark.parametrize(
    ("option", "listed"),
    [("--type", "EC2::Subnet"), ("--relationship", "'Is contained in Subnet'")],
)
def test_unknown_type_or_relationship_is_an_error_listing_valid_values(
    snapshot_file, capsys, option, listed
):
    assert main(["trace", snapshot_file, INSTANCE, option, "nosuch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("blindspot: ")
    assert "'nosuch'" in err and "valid: " in err and listed in err


def test_ambiguity_error_keeps_its_opening_quote(tmp_path, capsys):
    snapshot = build_snapshot()
    twins = [r for r in snapshot.resources if not r.is_pseudo][:2]
    for resource in twins:
        resource.name = "web"
    path = str(save_snapshot(snapshot, tmp_path / "s.json"))
    assert main(["trace", path, "web"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("blindspot: 'web' matches 2 resources by name")
