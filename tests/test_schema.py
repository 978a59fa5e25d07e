"""The published JSON Schema must match the models it is generated from."""

import json
from pathlib import Path

from snapshot.model import json_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "snapshot.schema.json"


def test_published_schema_matches_models():
    published = json.loads(SCHEMA_FILE.read_text())
    assert published == json.loads(json.dumps(json_schema())), (
        "schema/snapshot.schema.json is stale: run `python scripts/generate_schema.py`"
    )


def test_schema_names_every_contract_key():
    schema = json_schema()
    assert set(schema["required"]) >= {"scope"}
    top = set(schema["properties"])
    assert top >= {
        "schema_version",
        "generated_at",
        "tool",
        "scope",
        "accounts",
        "resources",
        "relationships",
        "errors",
    }
    coverage = schema["$defs"]["Coverage"]["properties"]
    assert set(coverage) >= {
        "layer",
        "control",
        "status",
        "expectation",
        "evidence",
        "destination",
        "inherited_from",
    }
