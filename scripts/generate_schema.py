"""Regenerate `schema/snapshot.schema.json` from the pydantic models.

Run after changing `snapshot/model.py`; `tests/test_schema.py` fails until you do.
"""

import json
from pathlib import Path

from snapshot.model import json_schema

TARGET = Path(__file__).resolve().parent.parent / "schema" / "snapshot.schema.json"

if __name__ == "__main__":
    TARGET.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {TARGET}")
