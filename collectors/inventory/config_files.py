"""AWS Config snapshot and history files, as delivered to S3, read offline.

A bastion without API access can still build the graph from a copy of the Config delivery
bucket: `AWSLogs/ACCOUNT/Config/REGION/YYYY/M/D/ConfigSnapshot|ConfigHistory/*.json.gz`.
Each file is `{"fileVersion": "1.0", "configSnapshotId": ..., "configurationItems": [...]}`
(snapshot) or `{"fileVersion": "1.0", "configurationItems": [...]}` (history), with items in
the delivered shape (`awsAccountId`, `ARN`, relationships' `name`). Any mix of files and
folders is accepted; the latest item per resource wins and deleted resources drop out
(`ConfigItemSet`). A file that cannot be read (truncated gzip, invalid JSON, wrong shape)
becomes an `errors` entry naming it, never a crash. No AWS call is made.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from snapshot.model import CollectionError
from snapshot.sanitize import clean_single_line

from .as_of import AsOfCut
from .base import ProgressFn, RegionInventory, no_progress
from .config_items import ConfigItemSet
from .file_reading import FileLimitError, TotalBudget, load_json_bounded

SOURCE = "config-files"
SUFFIXES = (".json", ".json.gz")
#: Account and region from the delivery key, for files whose items lack them.
_KEY_RE = re.compile(r"AWSLogs/(\d{12})/Config/([a-z0-9-]+)/")


class ConfigFileError(ValueError):
    """A file that is not a readable Config snapshot or history file."""


def iter_config_files(paths: list[str]) -> Iterator[Path]:
    """Every .json / .json.gz file under the given files and folders, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES)
            )
        else:
            yield path


def read_config_file(path: Path, budget: TotalBudget | None = None) -> list[dict[str, Any]]:
    """The configuration items of one delivered file; ConfigFileError when unreadable.

    Read within limits (size while inflating, nesting, the run's total: file_reading.py).
    """
    try:
        document = load_json_bounded(path, budget=budget)
    except FileLimitError as exc:
        raise ConfigFileError(str(exc)) from None
    if not isinstance(document, dict) or not isinstance(document.get("configurationItems"), list):
        raise ConfigFileError("not a Config snapshot or history file (no configurationItems)")
    return [item for item in document["configurationItems"] if isinstance(item, dict)]


class ConfigFilesSource:
    """Inventory from delivered Config files (`--config-files PATH...`)."""

    name = SOURCE

    def __init__(self, paths: list[str], *, as_of: datetime | None = None) -> None:
        self.paths = list(paths)
        #: `--as-of`: only items captured at or before it count (collectors/inventory/as_of.py).
        self.as_of = as_of
        self.cut = AsOfCut(as_of) if as_of is not None else None
        #: Errors of files that name no account (no delivery key) when no file was usable:
        #: the run's errors (`collect` puts them in the snapshot), not an account's.
        self.unplaced: list[CollectionError] = []

    def collect_all(self, progress: ProgressFn = no_progress) -> list[RegionInventory]:
        items = ConfigItemSet(SOURCE)
        errors: list[CollectionError] = []
        files = 0
        budget = TotalBudget.from_environment()
        for path in iter_config_files(self.paths):
            key = _KEY_RE.search(path.as_posix())
            account, region = (key.group(1), key.group(2)) if key else (None, None)
            try:
                configuration_items = read_config_file(path, budget)
            except ConfigFileError as exc:
                errors.append(
                    CollectionError(
                        account=account,
                        region=region,
                        service="config-files",
                        operation="ReadFile",
                        code="InvalidConfigFile",
                        message=clean_single_line(f"{path}: {exc}")[:500],
                    )
                )
                continue  # reported once it is placed (below), counted once
            items.default_account, items.default_region = account, region
            if self.cut is not None:
                configuration_items = self.cut.select(configuration_items, account, region)
            items.extend(configuration_items)
            files += 1
            progress("file", {"file": str(path), "items": len(configuration_items)})
        inventories = items.inventories()
        if self.cut is not None:
            self.cut.complete(inventories)
        by_place = {(inv.account, inv.region): inv for inv in inventories}
        for error in errors:
            place = (error.account or "", error.region or "")
            target = by_place.get(place)
            if target is None and all(place):
                # A region known only from a bad file's key still shows its error there.
                target = by_place[place] = RegionInventory(*place, source=SOURCE)
                inventories.append(target)
            target = target or (inventories[0] if inventories else None)
            if target is None:  # no account known at all: an error of the run, not a row
                self.unplaced.append(error)
                progress("error", {"file": error.message, "account": None, "region": None})
                continue
            target.errors.append(error)
            # keyed by where the error is kept: the region's final count replaces it
            progress("error", {"account": target.account, "region": target.region})
        for inv in inventories:
            progress("region-start", {"account": inv.account, "region": inv.region})
            progress(
                "resources",
                {"account": inv.account, "region": inv.region, "count": len(inv.resources)},
            )
        return inventories
