"""forget keeps what the policy says; prune deletes only chunks no snapshot references."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from resources.codebase import archiver, checker
from resources.codebase import prune as pruner
from resources.codebase.policy import apply_policy
from resources.codebase.restorer import restore
from resources.codebase.store import CodebaseError


def _snap(sid, day, name="a", ts=None):
    return SimpleNamespace(snapshot_id=sid, day=day, name=name, timestamp=ts or 0.0)


def test_policy_daily_weekly_monthly():
    start = dt.date(2026, 1, 1)
    snaps = [_snap(f"s{i}", (start + dt.timedelta(days=i)).isoformat()) for i in range(90)]
    snaps.append(_snap("s89b", snaps[-1].day, ts=1.0))  # two the last day: the newer one counts
    keep = apply_policy(snaps, keep_daily=3)
    assert keep == {"s89b", "s88", "s87"}
    keep = apply_policy(snaps, keep_weekly=2)
    assert keep == {"s89b", "s87"}  # Tue 2026-03-31, and Sun 2026-03-29 (newest of the week before)
    keep = apply_policy(snaps, keep_monthly=3)
    assert keep == {"s89b", "s58", "s30"}  # Mar 31, Feb 28, Jan 31
    both = apply_policy(snaps + [_snap("b1", "2026-01-05", name="b")], keep_daily=1)
    assert both == {"s89b", "b1"}  # per codebase name


def test_forget_refuses_to_drop_everything(store):
    with pytest.raises(CodebaseError, match="at least one"):
        pruner.forget(store)


def test_forget_prune_never_deletes_a_used_chunk(store, tmp_path, helpers):
    src = tmp_path / "src"
    src.mkdir()
    (src / "stable.txt").write_text("never changes\n" * 100)
    ids = []
    for i in range(6):
        (src / f"day{i}.txt").write_text(f"only on day {i}\n" * 50)
        if i:
            (src / f"day{i - 1}.txt").unlink()
        day = (dt.date(2026, 3, 1) + dt.timedelta(days=i)).isoformat()
        ids.append(archiver.snapshot(store, src, name="p", snapshot_id=f"p_{day}", day=day).info.snapshot_id)
    chunks_before = set(store.chunk_names())
    kept, removed = pruner.forget(store, keep_daily=2, dry_run=True)
    assert [s.snapshot_id for s in removed] == ids[:4] and len(store.list_snapshots()) == 6
    kept, removed = pruner.forget(store, keep_daily=2)
    assert [s.snapshot_id for s in kept] == ids[4:]
    assert [s.snapshot_id for s in store.list_snapshots()] == ids[4:]
    result = pruner.prune(store)
    assert result.deleted_chunks >= 4  # day0..day3 files and old trees
    after = set(store.chunk_names())
    assert after < chunks_before
    for sid in ids[4:]:
        assert checker.verify_snapshot(store, sid) == []
        out = tmp_path / f"out_{sid}"
        restore(store, sid, out)
        assert (out / "stable.txt").read_text() == "never changes\n" * 100
    assert checker.verify(store) == []


def test_prune_refuses_when_a_manifest_is_unreadable(store, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "f").write_text("f")
    info = archiver.snapshot(store, src, name="x").info
    info.enc_path.write_bytes(b"garbage")
    before = set(store.chunk_names())
    with pytest.raises(CodebaseError, match="prune refused"):
        pruner.prune(store)
    assert set(store.chunk_names()) == before


@pytest.mark.parametrize("error", ["key", "name"])
def test_prune_names_the_chunk_it_cannot_trust_and_deletes_nothing(store, tmp_path, monkeypatch, error):
    """A chunk still in use that is sealed under a key the keyring lacks, or whose content does not match its
    name, stops prune with one clear problem (not a traceback) before any pack is touched."""
    from resources.vault.errors import VaultKeyError

    src = tmp_path / "src"
    src.mkdir()
    (src / "kept.txt").write_text("kept\n" * 100)
    (src / "gone.txt").write_text("gone\n" * 100)
    archiver.snapshot(store, src, name="p", snapshot_id="p_2026-03-01", day="2026-03-01")
    (src / "gone.txt").unlink()
    archiver.snapshot(store, src, name="p", snapshot_id="p_2026-03-02", day="2026-03-02")
    pruner.forget(store, keep_daily=1)
    packs = sorted(p.name for p in store.root.rglob("*.pack"))

    def broken(blob, name, dict_id, plain_len):
        if error == "key":
            raise VaultKeyError("record sealed under key id 0123456789abcdef, which is not in the keyring")
        return b"not what the name says"

    referenced = pruner._referenced_chunks

    def then_break(s):  # the manifests and trees read fine; the chunks prune repacks do not
        names = referenced(s)
        monkeypatch.setattr(store, "open_chunk", broken)
        return names

    monkeypatch.setattr(pruner, "_referenced_chunks", then_break)
    with pytest.raises(CodebaseError, match="prune refused") as raised:
        pruner.prune(store)
    (problem,) = raised.value.problems
    assert problem.reason.startswith("chunk ") and problem.reason.endswith(
        ": VaultKeyError" if error == "key" else ": content does not match its name")
    assert sorted(p.name for p in store.root.rglob("*.pack")) == packs
