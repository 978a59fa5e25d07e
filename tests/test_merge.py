"""`snapshot.merge` and `blindspot merge`: shards joined account by account."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from blindspot.cli import main
from snapshot.io import load_snapshot, save_snapshot
from snapshot.merge import MergeError, merge_snapshots
from snapshot.model import Snapshot
from tests.factories import A1, A2, DB, INSTANCE, rel, small_estate


def _split(estate: Snapshot) -> tuple[Snapshot, Snapshot]:
    """The estate as two shards, one account each (cross-account edges stay with the source)."""

    def part(account: str) -> Snapshot:
        ids = {r.id for r in estate.resources if r.account == account}
        return estate.model_copy(
            update={
                "accounts": [a for a in estate.accounts if a.id == account],
                "resources": [r for r in estate.resources if r.account == account],
                "relationships": [x for x in estate.relationships if x.source in ids],
            },
            deep=True,
        )

    return part(A1), part(A2)


def _estate() -> Snapshot:
    estate = small_estate()
    estate.relationships.append(rel(INSTANCE, DB, "Is associated with DBInstance"))
    return estate


def test_merge_of_shards_is_the_whole():
    estate = _estate()
    first, second = _split(estate)
    merged = merge_snapshots([first, second]).snapshot
    assert sorted(r.id for r in merged.resources) == sorted(r.id for r in estate.resources)
    assert {(x.source, x.target, x.name) for x in merged.relationships} == {
        (x.source, x.target, x.name) for x in estate.relationships
    }
    assert (INSTANCE, DB) in {(x.source, x.target) for x in merged.relationships}
    assert sorted(a.id for a in merged.accounts) == sorted(a.id for a in estate.accounts)
    assert merged.scope.accounts == sorted(a.id for a in estate.accounts)


def test_an_account_in_two_inputs_is_taken_whole_from_the_newest():
    old = _estate()
    new = old.model_copy(deep=True)
    new.generated_at = old.generated_at + timedelta(days=1)
    renamed = next(r for r in new.resources if r.id == INSTANCE)
    renamed.name = "renamed-in-the-newer-run"
    result = merge_snapshots([new, old])  # order does not matter: the time decides
    merged = {r.id: r for r in result.snapshot.resources}
    assert merged[INSTANCE].name == "renamed-in-the-newer-run"
    assert result.overlaps == {A1: 0, A2: 0}
    assert len(result.snapshot.resources) == len(old.resources)
    # The merged snapshot is no fresher than its oldest part.
    assert result.snapshot.generated_at == old.generated_at


def test_relationships_are_not_doubled():
    estate = _estate()
    merged = merge_snapshots([estate, estate.model_copy(deep=True)]).snapshot
    assert len(merged.relationships) == len(estate.relationships)


def test_nothing_to_merge_is_an_error():
    with pytest.raises(MergeError):
        merge_snapshots([])


def test_merge_command_writes_a_loadable_snapshot(tmp_path, capsys):
    first, second = _split(_estate())
    paths = [save_snapshot(first, tmp_path / "a.json"), save_snapshot(second, tmp_path / "b.json")]
    out = tmp_path / "org.json.gz"
    assert main(["merge", *map(str, paths), "-o", str(out)]) == 0
    merged = load_snapshot(out)
    assert {a.id for a in merged.accounts} == {A1, A2}
    err = capsys.readouterr().err
    assert "merged 2 snapshots: 2 accounts" in err


def test_merge_command_reports_a_bad_input_in_one_line(tmp_path, capsys):
    good = save_snapshot(_estate(), tmp_path / "a.json")
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"schema_version": 1}))
    assert main(["merge", str(good), str(bad), "-o", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "b.json" in err
    assert not (tmp_path / "out.json").exists()
