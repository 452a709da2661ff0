"""The zstd dictionary of a codebase: a store of small files is smaller, and the dictionary is kept,
checked, rotated and pruned like every other file of the store; stores from before it still work."""

from __future__ import annotations

import json
import shutil

import pytest
import zstandard

from resources.codebase import archiver, checker
from resources.codebase import dictionary as zd
from resources.codebase import packs
from resources.codebase import prune as pruner
from resources.codebase.restorer import restore
from resources.codebase.store import CodebaseIntegrityError, CodebaseStore
from resources.vault.envelope import record_key_id
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.store import Vault

SMALL_FILE_PACKAGES = ("email", "json", "encodings", "unittest", "asyncio", "idlelib", "xml", "http",
                       "multiprocessing", "concurrent", "importlib")


@pytest.fixture
def small_files(tmp_path, helpers):
    """About 470 source files of a few KiB (6 MB): the standard library's smaller packages."""
    root = tmp_path / "small"
    for pkg in SMALL_FILE_PACKAGES:
        shutil.copytree(helpers.STDLIB / pkg, root / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _store_bytes(store: CodebaseStore) -> int:
    return sum(p.stat().st_size for p in store.root.rglob("*") if p.is_file())


def _dict_files(store: CodebaseStore) -> list:
    return sorted((store.root / zd.DICT_DIR).glob("*.dict"))


def _files_and_mtimes(store: CodebaseStore) -> dict:
    return {p: p.stat().st_mtime_ns for p in store.root.rglob("*") if p.is_file() and p.name != ".lock"}


def _old_format(monkeypatch) -> None:
    """Write as the store did before dictionaries: no dictionary, version-1 pack indexes."""
    monkeypatch.setattr(zd, "train", lambda *a, **k: None)
    monkeypatch.setattr(packs, "encode_index", lambda pack_id, size, entries: json.dumps(
        {"pack": pack_id, "size": size, "chunks": [list(e[:4]) for e in entries]}, separators=(",", ":")).encode())


def test_a_tree_of_small_files_is_stored_smaller_than_each_file_compressed_alone(store, small_files, helpers, tmp_path):
    """The whole store (chunks, dictionary, tree, indexes) is at least 5 % smaller than the chunks
    alone were before (each file compressed on its own at the same level, plus its envelope)."""
    meta = archiver.snapshot(store, small_files, name="small").info.meta
    alone = zstandard.ZstdCompressor(level=store.zstd_level)
    files = [p.read_bytes() for p in sorted(small_files.rglob("*")) if p.is_file()]
    before = sum(min(len(d), len(alone.compress(d))) + 78 for d in files if d)
    assert meta["file_count"] == len(files) > 400
    assert meta["dict"] and [p.stem for p in _dict_files(store)] == [meta["dict"]]
    assert _store_bytes(store) <= 0.95 * before
    restore(store, meta["snapshot_id"], tmp_path / "out")
    helpers.assert_same_tree(small_files, tmp_path / "out")


def test_same_tree_same_dictionary_and_a_rerun_writes_nothing(vault, small_files, tmp_path):
    first = archiver.snapshot(CodebaseStore(vault), small_files, name="small", snapshot_id="small_2026-01-01",
                              day="2026-01-01").info.meta
    before = _files_and_mtimes(CodebaseStore(vault))
    again = archiver.snapshot(CodebaseStore(vault), small_files, name="small", snapshot_id="small_2026-01-01",
                              day="2026-01-01", use_cache=False)
    assert again.unchanged and _files_and_mtimes(CodebaseStore(vault)) == before
    other = Vault(tmp_path / "other_vault", vault.keyring)  # a fresh store with the same key and naming secret
    other.root.mkdir(parents=True)
    shutil.copy(vault.naming.file, other.naming.file)
    meta = archiver.snapshot(CodebaseStore(other), small_files, name="small").info.meta
    assert meta["dict"] == first["dict"]  # training is deterministic


def test_next_snapshot_reuses_the_dictionary_and_a_small_tree_gets_none(store, small_files, tmp_path):
    first = archiver.snapshot(store, small_files, name="small").info.meta
    for p in sorted(small_files.rglob("*.py"))[::50]:
        with open(p, "a") as fh:
            fh.write("# changed\n")
    second = archiver.snapshot(store, small_files, name="small").info.meta
    assert second["dict"] == first["dict"] and second["new_chunks"] >= 9
    assert len(_dict_files(store)) == 1
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    for i in range(20):
        (tiny / f"f{i}.py").write_text(f"x = {i}\n" * 50)
    assert archiver.snapshot(store, tiny, name="tiny").info.meta["dict"] is None
    assert len(_dict_files(store)) == 1


def test_a_store_from_before_dictionaries_restores_and_gains_one(store, vault, small_files, tmp_path, helpers, monkeypatch):
    with monkeypatch.context() as m:
        _old_format(m)
        old = archiver.snapshot(store, small_files, name="small").info
    assert _dict_files(store) == [] and old.meta["dict"] is None
    raw_index = next(store.pack_root.rglob("*.idx")).read_bytes()
    pack_id = next(store.pack_root.rglob("*.idx")).stem
    assert "version" not in json.loads(vault.unseal(raw_index, kind=packs.PACK_KIND, record_id=pack_id))

    fresh = CodebaseStore(vault)  # today's code reads it
    restore(fresh, old.snapshot_id, tmp_path / "old")
    helpers.assert_same_tree(small_files, tmp_path / "old")
    assert checker.verify(fresh) == []

    shutil.copytree(helpers.STDLIB / "logging", small_files / "logging", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(helpers.STDLIB / "sqlite3", small_files / "sqlite3", ignore=shutil.ignore_patterns("__pycache__"))
    for p in sorted(small_files.rglob("*.py")):  # enough new small files to train on
        with open(p, "a") as fh:
            fh.write("# edited after the upgrade\n")
    new = archiver.snapshot(fresh, small_files, name="small").info
    assert new.meta["dict"] and len(_dict_files(fresh)) == 1
    restore(fresh, old.snapshot_id, tmp_path / "old2", force=False)
    restore(fresh, new.snapshot_id, tmp_path / "new")
    helpers.assert_same_tree(small_files, tmp_path / "new")
    assert checker.verify(fresh) == [] and vault.verify() == []


def test_rotation_reseals_the_dictionary_too(store, vault, vault_key, small_files, tmp_path, helpers):
    info = archiver.snapshot(store, small_files, name="small").info
    [dict_file] = _dict_files(store)
    old_key_id = record_key_id(dict_file.read_bytes())
    new_key = generate_key_b64()
    both = Keyring(Keyring.load(key_b64=new_key).active()[1], [Keyring.load(key_b64=vault_key).active()[1]])
    rotated = Vault(vault.root, both, hosted=vault.hosted)
    assert rotated.rotate() > 0
    assert record_key_id(dict_file.read_bytes()) == both.active_id != old_key_id
    assert [p.stem for p in _dict_files(store)] == [info.meta["dict"]]  # same id: the chunks still name it
    only_new = Vault(vault.root, Keyring.load(key_b64=new_key), hosted=vault.hosted)
    restore(CodebaseStore(only_new), info.snapshot_id, tmp_path / "out")
    helpers.assert_same_tree(small_files, tmp_path / "out")
    assert checker.verify(CodebaseStore(only_new)) == [] and only_new.verify() == []
    assert rotated.rotate() == 0  # nothing left under the old key


def test_a_damaged_or_missing_dictionary_is_named(store, vault, small_files, tmp_path):
    info = archiver.snapshot(store, small_files, name="small").info
    [dict_file] = _dict_files(store)
    rel = store.rel(dict_file)
    data = bytearray(dict_file.read_bytes())
    data[-5] ^= 0x01
    dict_file.write_bytes(bytes(data))

    problems = checker.verify(CodebaseStore(vault))
    assert [p.path for p in problems] == [rel] and "authentication failed" in problems[0].reason
    assert [p.path for p in vault.verify()] == [rel]
    problems = checker.verify_snapshot(CodebaseStore(vault), info.snapshot_id)
    assert {p.path for p in problems} == {rel}
    with pytest.raises(CodebaseIntegrityError, match=rel) as exc:
        restore(CodebaseStore(vault), info.snapshot_id, tmp_path / "out")
    assert "dictionary" in str(exc.value) and "used by" in str(exc.value)

    dict_file.unlink()
    problems = checker.verify(CodebaseStore(vault))
    assert [p.path for p in problems] == [rel] and "missing" in problems[0].reason
    [pack_problem] = vault.verify()  # no file to name: the pack that needs it says so
    assert pack_problem.path.endswith(".pack") and rel in pack_problem.reason and "missing" in pack_problem.reason


def test_prune_keeps_the_dictionary_while_a_snapshot_needs_it(store, small_files, tmp_path):
    first = archiver.snapshot(store, small_files, name="small", day="2026-01-01").info
    (small_files / "new.py").write_text("print('new')\n")
    archiver.snapshot(store, small_files, name="small", day="2026-01-02")
    pruner.forget(store, keep_last=1, name="small")
    result = pruner.prune(store)
    assert result.deleted_dicts == 0 and [p.stem for p in _dict_files(store)] == [first.meta["dict"]]
    assert checker.verify(store) == []
    for snap in store.list_snapshots("small"):  # the codebase is dropped entirely
        snap.meta_path.unlink()
        snap.enc_path.unlink()
    result = pruner.prune(store)
    assert result.deleted_dicts == 1 and _dict_files(store) == []
    assert checker.verify(store) == []


def test_training_holds_file_heads_not_the_tree(store, tmp_path, helpers):
    """4,000 small files (37 MB): the walk held back for training and the samples stay a bounded
    few MiB (1,024 heads of 4 KiB), far below the tree, which is never held."""
    import random

    rng = random.Random(3)  # fixed text: the same tree every run
    words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    root = tmp_path / "many"
    for d in range(40):
        (root / f"d{d:02}").mkdir(parents=True)
        for i in range(100):
            (root / f"d{d:02}" / f"f{i:03}.py").write_text(" ".join(rng.choice(words) for _ in range(1500)))
    meta, peak = helpers.snapshot_peak_memory(store, root, "many")
    assert meta["dict"] and meta["file_count"] == 4000 and meta["total_size"] > 36 << 20
    assert peak < 24 << 20, f"peak {peak / 2**20:.1f} MiB"
