"""Files shipped with blindspot: `demo-small.json.gz`, a snapshot written by `blindspot demo`.

Regenerate it after collector or probe changes with
`blindspot demo --no-ui -o blindspot/data/demo-small.json.gz` (seed 7, size small).
"""

from __future__ import annotations

from pathlib import Path

#: The sample snapshot (the demo organization, seed 7, size small).
DEMO_SNAPSHOT = Path(__file__).with_name("demo-small.json.gz")
