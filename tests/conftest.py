"""Shared fixtures; the environment is pinned so results do not depend on the shell."""

from __future__ import annotations

import os

# Pin what leaks in from a user's shell and changes output (colours, themes, AWS config).
for _name in ("NO_COLOR", "TEXTUAL_THEME", "FORCE_COLOR", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
