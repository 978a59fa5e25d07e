"""The catalogue's TOML files: what ships is what loads, and a malformed row is refused with
an error naming the file and the control."""

from __future__ import annotations

import re
from dataclasses import asdict
from importlib import resources

import pytest

from snapshot.catalogue import CATALOGUE, FILES, CatalogueError, Control, load
from snapshot.model import Expectation, Layer

ROW = """\
[[control]]
id = "{id}"
layer = "network"
title = "A control"
resource_types = ["AWS::EC2::VPC"]
expectation = "baseline"
evaluated_by = "ec2:DescribeFlowLogs"
logs_land_in = "S3"
remediation = "aws ec2 create-flow-logs"
first_query = "SELECT 1"
"""


def row(control_id: str = "a-control", **changes: str | None) -> str:
    """One valid `[[control]]` row; a change replaces (or, given None, drops) a line."""
    lines = ROW.format(id=control_id).splitlines()
    for key, line in changes.items():
        index = next((n for n, text in enumerate(lines) if text.startswith(f"{key} =")), None)
        if index is None:
            lines.append(f"{key} = {line}")
        elif line is None:
            del lines[index]
        else:
            lines[index] = f"{key} = {line}"
    return "\n".join(lines) + "\n"


def refused(text: str, source: str = "bad.toml") -> str:
    with pytest.raises(CatalogueError) as caught:
        load([(source, text)])
    return str(caught.value)


def test_the_package_ships_exactly_the_files_it_loads():
    shipped = {
        entry.name
        for entry in resources.files("snapshot.catalogue").iterdir()
        if entry.name.endswith(".toml")
    }
    assert shipped == {f"{name}.toml" for name in FILES}
    assert len(CATALOGUE) == len({control.id for control in CATALOGUE})


def test_a_valid_row_loads_as_a_control_with_enums_and_tuples():
    (control,) = load([("ok.toml", row(attack_data_components='["Command: Command Execution"]'))])
    assert asdict(control) == {
        "id": "a-control",
        "layer": Layer.network,
        "title": "A control",
        "resource_types": ("AWS::EC2::VPC",),
        "expectation": Expectation.baseline,
        "evaluated_by": "ec2:DescribeFlowLogs",
        "logs_land_in": "S3",
        "remediation": "aws ec2 create-flow-logs",
        "first_query": "SELECT 1",
        "attack_data_components": ("Command: Command Execution",),
        "partial_when": "",
        "item_fields": "",
        "fill_call": "",
    }
    assert type(control) is Control
    assert type(control.layer) is Layer and type(control.expectation) is Expectation


def test_a_list_field_may_name_a_set_of_its_file():
    text = '[sets]\nl7 = ["Application Log: Application Log Content"]\n\n' + row(
        attack_data_components='"l7"'
    )
    (control,) = load([("ok.toml", text)])
    assert control.attack_data_components == ("Application Log: Application Log Content",)


def test_a_set_name_no_set_holds_is_refused():
    message = refused(row(attack_data_components='"l7"'))
    assert message.startswith("bad.toml: control 'a-control': attack_data_components: 'l7'")
    assert "names no set" in message


def test_an_unknown_field_is_refused_naming_it():
    message = refused(row(severity='"high"'))
    assert message.startswith("bad.toml: control 'a-control': severity:")
    assert "Unexpected keyword argument" in message


def test_a_missing_required_field_is_refused_naming_it():
    message = refused(row(remediation=None))
    assert re.match(r"bad\.toml: control 'a-control': remediation: Field required", message)


#: A field, a wrong TOML value for it, and what the error says.
WRONG_VALUES = {
    "title": ("3", "title: Input should be a valid string"),
    "resource_types": ("[1]", "resource_types.0: Input should be a valid string"),
    "partial_when": ("true", "partial_when: Input should be a valid string"),
    "layer": ('"identity"', "layer: Input should be 'account', 'host',"),
    "expectation": ('"optional"', "expectation: Input should be 'baseline' or 'extended'"),
}


@pytest.mark.parametrize("field", sorted(WRONG_VALUES))
def test_a_wrong_type_or_unknown_choice_is_refused(field: str):
    value, expected = WRONG_VALUES[field]
    assert f"bad.toml: control 'a-control': {expected}" in refused(row(**{field: value}))


def test_a_row_without_a_usable_id_is_named_by_its_position():
    message = refused(row("first") + "\n" + row(id="7"))
    assert message.startswith("bad.toml: control #2: id: Input should be a valid string")


def test_an_id_used_twice_is_refused_in_one_file_and_across_files():
    assert refused(row() + "\n" + row()) == (
        "bad.toml: control 'a-control': id already used in bad.toml"
    )
    with pytest.raises(CatalogueError, match=r"^two\.toml: control 'a-control': id already used "):
        load([("one.toml", row()), ("two.toml", row())])


def test_malformed_toml_and_a_wrong_layout_are_refused_naming_the_file():
    assert refused('[[control]]\nid = "unterminated\n').startswith("bad.toml: not valid TOML:")
    assert refused("[sets]\n") == "bad.toml: no [[control]] rows"
    assert refused("control = 3\n") == "bad.toml: no [[control]] rows"
    assert refused("controls = []\n" + row()).startswith("bad.toml: unknown top-level key controls")
    assert refused("[sets]\nl7 = 3\n\n" + row()).startswith("bad.toml: [sets]: l7:")
